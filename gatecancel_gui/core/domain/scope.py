"""What a cancel-all, a dead-man switch or a guard covers: one market, every instrument or one, a side,
and whether stop orders are included."""

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

    def __post_init__(self) -> None:
        if self.side not in (None, "buy", "sell"):
            raise ValueError("side must be buy, sell or None")

    def describe(self) -> str:
        side = f"{self.side} " if self.side else ""
        if self.market.is_futures:
            where = f"in {self.pair}" if self.pair else "in every contract"
            return f"all open {self.market.display_name} {side}orders {where}"
        where = f"in {self.pair}" if self.pair else "in every pair"
        return f"all open spot {side}orders {where}"  # "spot": futures may be loaded too, and are not touched

    def where(self) -> str:
        """The instruments alone, for a dead-man switch or a guard: 'every spot pair', 'spot pair BTC_USDT',
        'every USDT perpetual contract', 'USDT perpetual contract BTC_USDT'."""
        if self.market.is_futures:
            what = f"{self.market.display_name} contract"
        else:
            what = "spot pair"
        return f"{what} {self.pair}" if self.pair else f"every {what}"

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
        return order.market is self.market and (not self.pair or order.instrument == self.pair) and (
            not self.side or order.side == self.side)
