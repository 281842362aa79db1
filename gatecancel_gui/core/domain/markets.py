"""The markets an account's orders live in, as data: spot, and perpetual futures settled in USDT or BTC.

Each says where its orders are listed, cancelled in batches, looked up one by one, cancelled all at once
in a scope, where its dead-man switch and its price-triggered orders are. Gate keeps them apart (ids may
repeat across them), so an order's identity is (market, instrument, id), and the instrument is a currency
pair on spot and a contract on futures."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from gatecancel_gui.core.domain.errors import ConfigError


class Market(str, Enum):
    SPOT = "spot"
    FUTURES_USDT = "futures-usdt"
    FUTURES_BTC = "futures-btc"

    @property
    def spec(self) -> MarketSpec:
        return SPECS[self]

    @property
    def display_name(self) -> str:
        return self.spec.title

    @property
    def is_futures(self) -> bool:
        return self is not Market.SPOT

    @property
    def instrument_word(self) -> str:
        """What the instrument is called in this market, for sentences and JSON ("currency_pair"/"contract")."""
        return "contract" if self.is_futures else "currency_pair"


@dataclass(frozen=True)
class MarketSpec:
    title: str               # what the window and the confirmation call it
    prefix: str              # every endpoint of the market starts here
    settle_currency: str     # what values are counted in (spot: the pair's quote)

    @property
    def open_orders(self) -> str:
        return f"{self.prefix}/orders" if self.settle_currency else "/spot/open_orders"

    @property
    def batch_cancel(self) -> str:
        return f"{self.prefix}/batch_cancel_orders" if self.settle_currency else "/spot/cancel_batch_orders"

    def order(self, order_id: str) -> str:
        return f"{self.prefix}/orders/{order_id}"

    @property
    def cancel_all(self) -> str:
        return f"{self.prefix}/orders"

    @property
    def countdown(self) -> str:
        return f"{self.prefix}/countdown_cancel_all"

    @property
    def price_orders(self) -> str:
        return f"{self.prefix}/price_orders"


SPECS = {
    Market.SPOT: MarketSpec("Spot", "/spot", ""),
    Market.FUTURES_USDT: MarketSpec("USDT perpetual", "/futures/usdt", "USDT"),
    Market.FUTURES_BTC: MarketSpec("BTC perpetual", "/futures/btc", "BTC"),
}
FUTURES = (Market.FUTURES_USDT, Market.FUTURES_BTC)


def parse_market(text: str, *, allow_all: bool = False) -> list[Market]:
    """`spot`, `futures-usdt`, `futures-btc` (or `all` where a listing allows it) → the markets meant."""
    value = (text or "spot").strip().lower()
    if allow_all and value == "all":
        return list(Market)
    try:
        return [Market(value)]
    except ValueError:
        names = ", ".join(m.value for m in Market) + (", all" if allow_all else "")
        raise ConfigError(f"'{text}' is not a market: use one of {names}.") from None



def normalise_pair(text: str) -> str:
    """How the user's pair is sent: trimmed and upper case (Gate's pairs are BASE_QUOTE in capitals)."""
    return (text or "").strip().upper()
