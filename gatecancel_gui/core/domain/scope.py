"""What a cancel-all, a dead-man switch or a guard covers: one market (a guard: or every market), every
instrument or one, a side, a text prefix (a guard), and whether stop orders are included."""

from __future__ import annotations

from dataclasses import dataclass

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.domain.wording import describe_value


@dataclass(frozen=True)
class Scope:
    pair: str | None = None          # None: every pair (futures: every contract with open orders)
    side: str | None = None          # None: both sides
    include_stop_orders: bool = False
    market: Market = Market.SPOT
    text_prefix: str = ""            # only orders whose text starts with it (e.g. one bot's "t-bot1-"); a guard
    all_markets: bool = False        # every market (spot and futures; `market` is then ignored); a guard

    def __post_init__(self) -> None:
        if self.side not in (None, "buy", "sell"):
            raise ValueError("side must be buy, sell or None")

    @property
    def markets(self) -> tuple[Market, ...]:
        """The markets the scope reaches."""
        return tuple(Market) if self.all_markets else (self.market,)

    def server_side_refusal(self, what: str) -> str:
        """Why a server-side tool (a cancel-all, the dead-man switch) cannot do this scope ("" when it can):
        Gate's own endpoints know one market and no order text; a guard can."""
        if self.all_markets:
            return f"{what} covers one market at a time, not every market: run it once for each."
        if self.text_prefix:
            return f"{what} cannot choose orders by their text; a guard can (gatecancel guard --text-prefix)."
        return ""

    def _filters(self) -> str:
        return f" whose text starts with '{self.text_prefix}'" if self.text_prefix else ""

    def describe(self) -> str:
        side = f"{self.side} " if self.side else ""
        if self.all_markets:
            where = f"in {self.pair}" if self.pair else "in every pair and contract"
            return f"all open {side}orders of every market {where}{self._filters()}"
        if self.text_prefix:
            return self._describe_one(side) + self._filters()
        return self._describe_one(side)

    def _describe_one(self, side: str) -> str:
        if self.market.is_futures:
            where = f"in {self.pair}" if self.pair else "in every contract"
            return f"all open {self.market.display_name} {side}orders {where}"
        where = f"in {self.pair}" if self.pair else "in every pair"
        return f"all open spot {side}orders {where}"  # "spot": futures may be loaded too, and are not touched

    def where(self) -> str:
        """The instruments alone, for a dead-man switch or a guard: 'every spot pair', 'spot pair BTC_USDT',
        'every USDT perpetual contract', 'USDT perpetual contract BTC_USDT' (a guard: 'every market', and
        the text prefix)."""
        if self.all_markets:
            where = f"{self.pair} in every market" if self.pair else "every market"
            return where + (f", orders whose text starts with '{self.text_prefix}'" if self.text_prefix else "")
        if self.market.is_futures:
            what = f"{self.market.display_name} contract"
        else:
            what = "spot pair"
        return (f"{what} {self.pair}" if self.pair else f"every {what}") + self._filters()

    def stop_orders_note(self) -> str:
        if self.include_stop_orders:
            return "Stop (price-triggered) orders in this scope are included."
        return "Stop (price-triggered) orders are NOT included: a plain cancel-all leaves them alive."

    def question(self, environment: str) -> str:
        """The confirmation, naming the scope and the environment."""
        return f"Cancel {self.describe()} on {environment.upper()}? {self.stop_orders_note()}"

    def covers(self, orders: list[Order], stop_orders: list[Order] | None = None) -> str:
        """What the loaded table says the scope holds now (Gate may hold more: the cancel-all is server-side)."""
        text = f"This scope covers {len(orders)} loaded open order{'s' if len(orders) != 1 else ''}"
        if stop_orders:
            text += f" and {len(stop_orders)} stop order{'s' if len(stop_orders) != 1 else ''}"
        value = describe_value(orders)
        return text + (f" ({value})." if value else ".")

    def matches(self, order: Order) -> bool:
        """A cancel-all reaches its own market's orders only (spot's leaves futures alone, and back)."""
        return (self.all_markets or order.market is self.market) and (
            not self.pair or order.instrument == self.pair) and (
            not self.side or order.side == self.side) and order.text.startswith(self.text_prefix)
