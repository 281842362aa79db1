"""The order and result types shared by the loader, the cancel engine, the window and the CLI."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from gatecancel_gui.core.domain.markets import Market


def to_decimal(value: Any) -> Decimal:
    """Gate sends every number as a string; an absent or unreadable one counts as zero."""
    if value is None or value == "":
        return Decimal(0)
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return Decimal(0)


def row_key(market: Market, order_id: str) -> str:
    return order_id if market is Market.SPOT else f"{market.value}:{order_id}"


class OrderKind(str, Enum):
    """Gate keeps open orders and price-triggered (stop) orders apart: ids may repeat across them."""

    OPEN = "open"
    STOP = "stop"


@dataclass(frozen=True, slots=True)
class OrderRef:
    """An order's full identity: its market, its kind, its instrument and its id (always a string; ids are
    64-bit)."""

    instrument: str  # the pair on spot, the contract on futures
    id: str
    kind: OrderKind = OrderKind.OPEN
    market: Market = Market.SPOT


    @property
    def key(self) -> str:
        """The window's key for the row (spot: the id itself; futures: market and id)."""
        return row_key(self.market, self.id)

    def __str__(self) -> str:
        prefix = "stop " if self.kind is OrderKind.STOP else ""
        where = f"{self.market.value} " if self.market.is_futures else ""
        return f"{prefix}{where}{self.instrument}:{self.id}"

    def as_json(self) -> dict[str, str | None]:
        """The identity as the CLI's JSON rows carry it: market, and currency_pair or contract (null when
        unknown: a stop order given by id alone that Gate did not list)."""
        return {"market": self.market.value, self.market.instrument_word: self.instrument or None, "id": self.id}


@dataclass(frozen=True, slots=True)
class Order:
    id: str
    instrument: str  # the pair on spot, the contract on futures
    side: str
    type: str
    price: Decimal
    amount: Decimal
    left: Decimal
    filled_amount: Decimal
    create_time_ms: int
    text: str = ""
    account: str = "spot"
    status: str = "open"
    kind: OrderKind = OrderKind.OPEN
    market: Market = Market.SPOT
    reduce_only: bool = False  # futures: may only shrink a position
    is_close: bool = False     # futures: closes the position

    @property
    def ref(self) -> OrderRef:
        return OrderRef(self.instrument, self.id, self.kind, self.market)


    @property
    def key(self) -> str:
        """The window's key for the row (spot: the id itself; futures: market and id, as ids repeat across)."""
        return row_key(self.market, self.id)

    @property
    def price_key(self) -> str:
        """Whose market price this order is compared with: the spot pair's, or the futures contract's."""
        return self.instrument if self.market is Market.SPOT else f"{self.market.value}:{self.instrument}"

    @property
    def filled_percent(self) -> Decimal:
        if not self.amount:
            return Decimal(0)
        return (self.amount - self.left) * 100 / self.amount

    @property
    def quote_value(self) -> Decimal:
        """Value of what is still open, in the pair's quote currency. Futures: contracts are not money (a
        contract's size in coins is the contract's own multiplier), so no value is claimed: 0."""
        return Decimal(0) if self.market.is_futures else self.left * self.price

    @property
    def quote_currency(self) -> str:
        return self.market.spec.settle_currency or self.instrument.rpartition("_")[2]

    @classmethod
    def from_api(cls, raw: dict[str, Any], currency_pair: str = "") -> Order:
        create_ms = raw.get("create_time_ms") or 0
        try:
            create_ms = int(Decimal(str(create_ms)))
        except (InvalidOperation, ValueError):
            create_ms = 0
        return cls(
            id=str(raw["id"]),
            instrument=str(raw.get("currency_pair") or currency_pair),
            side=str(raw.get("side", "")),
            type=str(raw.get("type", "limit")),
            price=to_decimal(raw.get("price")),
            amount=to_decimal(raw.get("amount")),
            left=to_decimal(raw.get("left", raw.get("amount"))),
            filled_amount=to_decimal(raw.get("filled_amount")),
            create_time_ms=create_ms,
            text=str(raw.get("text") or ""),
            account=str(raw.get("account") or "spot"),
            status=str(raw.get("status") or "open"),
        )

    @classmethod
    def from_futures(cls, raw: dict[str, Any], market: Market) -> Order:
        """A futures order: an integer id (kept exact as text), a signed size in contracts (negative sells)
        shown as side + amount, `left` signed the same way, the creation time in seconds. Sizes are JSON
        integers in Gate's docs and strings in its current SDK (which allows fractions): both are read."""
        size = to_decimal(raw.get("size"))
        left = abs(to_decimal(raw.get("left", raw.get("size"))))
        try:
            create_ms = int(Decimal(str(raw.get("create_time") or 0)) * 1000)
        except (InvalidOperation, ValueError):
            create_ms = 0
        price = to_decimal(raw.get("price"))
        return cls(
            id=str(raw["id"]),
            instrument=str(raw.get("contract") or ""),
            side="sell" if size < 0 else "buy",
            type="limit" if price else "market",
            price=price,
            amount=abs(size),
            left=left,
            filled_amount=max(Decimal(0), abs(size) - left),
            create_time_ms=create_ms,
            text=str(raw.get("text") or ""),
            account=market.value,
            status=str(raw.get("status") or "open"),
            market=market,
            reduce_only=bool(raw.get("is_reduce_only") or raw.get("reduce_only")),
            is_close=bool(raw.get("is_close") or raw.get("close")),
        )


@dataclass(frozen=True)
class OrderChanges:
    """What a later listing of the same orders says happened since the earlier one."""

    new: list[Order]
    gone: list[Order]
    changed: list[Order]  # the same order (same identity) with other numbers: part filled, amended


def order_changes(before: Iterable[Order], after: Iterable[Order]) -> OrderChanges:
    """The one diff of two listings (the command line's --watch, the table's refresh, next the stream), by
    full identity: the same id in two markets is two orders."""
    old = {o.ref: o for o in before}
    new = {o.ref: o for o in after}
    return OrderChanges(new=[o for ref, o in new.items() if ref not in old],
                        gone=[o for ref, o in old.items() if ref not in new],
                        changed=[o for ref, o in new.items() if ref in old and old[ref] != o])
