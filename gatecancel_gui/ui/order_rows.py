"""What a row of the orders table shows: the columns (declared once, reused by the view, CSV export and
tests), their display strings and sort keys, the item roles, and the rows prepared off the GUI thread so a
10,000-row table sorts and filters without calling back into Python for every comparison."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.domain.outcomes import OutcomeState

Index = QModelIndex | QPersistentModelIndex
STATE_ROLE = int(Qt.ItemDataRole.UserRole.value) + 2


Last = Decimal | None  # the pair's market price (last trade), when the tickers could be read
NEAR_MARKET_PERCENT = Decimal(1)  # orders this close to the market are about to fill: they stand out


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    display: Callable[[Order, Last], str]
    sort_key: Callable[[Order, Last], Any]
    numeric: bool = False


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value else "0"
    return text


def _money(value: Decimal) -> str:
    return f"{value:,.2f}" if abs(value) >= 1 else format(value.normalize(), "f") if value else "0"


def _created(order: Order) -> str:
    """In UTC, like the journal, so the two can be read side by side. (time.strftime, not datetime's: that
    one imports `time` on every call, through PySide's import hook: 8 µs a row instead of 1.6.)"""
    if not order.create_time_ms:
        return ""
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(order.create_time_ms / 1000))


def distance_percent(order: Order, last: Last) -> Decimal | None:
    """How far the order's price is from the market, in percent of the market price (+ above, - below)."""
    if not last or not order.price:
        return None
    return (order.price - last) * 100 / last


def _distance(order: Order, last: Last) -> str:
    d = distance_percent(order, last)
    return "" if d is None else f"{d:+.2f}%"


def _distance_key(order: Order, last: Last) -> Decimal:
    d = distance_percent(order, last)
    return abs(d) if d is not None else Decimal("Infinity")  # nearest to filling first


def _type_text(order: Order) -> str:
    """The order's type, with a futures order's reduce-only and close flags (they change what it does)."""
    flags = (" · reduce-only" if order.reduce_only else "") + (" · close" if order.is_close else "")
    return order.type + flags


COLUMNS: list[Column] = [
    Column("check", "", lambda o, m: "", lambda o, m: 0),
    Column("result", "Result", lambda o, m: "", lambda o, m: ""),
    Column("market", "Market", lambda o, m: o.market.display_name, lambda o, m: list(Market).index(o.market)),
    Column("pair", "Pair / contract", lambda o, m: o.instrument, lambda o, m: o.instrument),
    Column("side", "Side", lambda o, m: o.side, lambda o, m: o.side),
    Column("type", "Type", lambda o, m: _type_text(o), lambda o, m: _type_text(o)),
    Column("price", "Price", lambda o, m: _fmt(o.price), lambda o, m: o.price, numeric=True),
    Column("last", "Last price", lambda o, m: _fmt(m) if m else "", lambda o, m: m or Decimal(0), numeric=True),
    Column("distance", "To market", _distance, _distance_key, numeric=True),
    Column("amount", "Amount", lambda o, m: _fmt(o.amount), lambda o, m: o.amount, numeric=True),
    Column("left", "Left", lambda o, m: _fmt(o.left), lambda o, m: o.left, numeric=True),
    Column("value", "Value", lambda o, m: "" if o.market.is_futures else f"{_money(o.quote_value)} {o.quote_currency}",
           lambda o, m: (o.market.is_futures, o.quote_currency, o.quote_value), numeric=True),
    Column("filled", "Filled %", lambda o, m: f"{o.filled_percent:.1f}", lambda o, m: o.filled_percent, numeric=True),
    Column("created", "Created (UTC)", lambda o, m: _created(o), lambda o, m: o.create_time_ms, numeric=True),
    Column("id", "Order id", lambda o, m: o.id, lambda o, m: (len(o.id), o.id)),
    Column("text", "Text", lambda o, m: o.text, lambda o, m: o.text),
]
COLUMN = {c.key: i for i, c in enumerate(COLUMNS)}
RESULT_COLUMN = COLUMN["result"]
SIDE_COLUMN = COLUMN["side"]
DISTANCE_COLUMN = COLUMN["distance"]
TYPE_COLUMN = COLUMN["type"]
LEFT_COLUMNS = frozenset({COLUMN["left"], COLUMN["value"], COLUMN["filled"]})  # a filled order's record changes them
DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
FONT = int(Qt.ItemDataRole.FontRole.value)
CHECK = int(Qt.ItemDataRole.CheckStateRole.value)
ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
HANDLED_ROLES = frozenset({DISPLAY, BACKGROUND, FOREGROUND, FONT, CHECK, ALIGN, TOOLTIP, int(STATE_ROLE)})
# Beyond DISPLAY (every cell), BACKGROUND (the same for a whole row) and ALIGN (fixed per column), the roles a
# column can answer with something (what `cell` does; the table's cells are written from it).
COLUMN_ROLES: dict[int, tuple[int, ...]] = {0: (CHECK,), SIDE_COLUMN: (FOREGROUND,), DISTANCE_COLUMN: (FONT, TOOLTIP),
                                            RESULT_COLUMN: (TOOLTIP,), TYPE_COLUMN: (TOOLTIP,)}
CHECKED = Qt.CheckState.Checked
UNCHECKED = Qt.CheckState.Unchecked
RIGHT_ALIGNED = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_CHECKABLE_FLAGS = _ROW_FLAGS | Qt.ItemFlag.ItemIsUserCheckable


def column_flags(col: int) -> Qt.ItemFlag:
    """What a cell allows: every cell selects, the first column's also ticks (never editable)."""
    return _CHECKABLE_FLAGS if col == 0 else _ROW_FLAGS

# Sorted by result, descending: not cancelled (red), unknown, not sent, cancelled, in flight, no result; the
# rows that need the trader's eyes are at one end whichever way the column is sorted.
RESULT_ORDER = {None: 0, OutcomeState.IN_FLIGHT: 1, OutcomeState.CANCELLED: 2, OutcomeState.NOT_SENT: 3,
                OutcomeState.UNKNOWN: 4, OutcomeState.REJECTED: 5}
BOLD = QFont()
BOLD.setBold(True)


SortSpec = tuple[int, Qt.SortOrder]
# A worker preparing 10,000 rows holds the interpreter lock for ~150 ms; the GUI thread asking for it waits a
# switch interval each time, and loses the race to the other threads more often than not. Giving the lock
# away every few hundred rows (~5 ms of work) lets the window take its turn.
YIELD_EVERY = 256
# A refresh compares each staying row's text to repaint only the changed ones up to this many rows; past it,
# comparing costs more than repainting the visible rows of one span.
EXACT_REPAINT_ROWS = 1000


@dataclass(frozen=True)
class PreparedRows:
    """Orders with their display strings and search text, computed off the GUI thread."""

    orders: list[Order]
    display: list[list[str]]
    search: list[str]
    keys: list[str]  # each order's row key, computed here once (Order.key works it out on every call)
    sorted_by: SortSpec | None = None
    prices: dict[str, Decimal] = field(default_factory=dict)
    near: frozenset[str] = frozenset()  # keys of orders within NEAR_MARKET_PERCENT of the market


def prepare_rows(orders: Iterable[Order], sort: SortSpec | None = None,
                 prices: dict[str, Decimal] | None = None) -> PreparedRows:
    """Plain Python (no Qt calls): safe to run in a worker so a 10,000-row load never stalls the window.

    Columns whose order depends on checks or results are left for the model to sort."""
    orders = list(orders)
    prices = prices or {}
    if sort is not None and sort[0] not in (COLUMN["check"], COLUMN["result"]):
        key = COLUMNS[sort[0]].sort_key
        orders.sort(key=lambda o: key(o, prices.get(o.price_key)), reverse=sort[1] == Qt.SortOrder.DescendingOrder)
    else:
        sort = None
    keys = [o.key for o in orders]
    display = []
    near = set()
    for i, o in enumerate(orders):
        if i % YIELD_EVERY == YIELD_EVERY - 1:
            time.sleep(0)  # let the GUI thread have the interpreter lock (see YIELD_EVERY)
        last = prices.get(o.price_key)
        display.append([c.display(o, last) for c in COLUMNS])
        d = distance_percent(o, last)
        if d is not None and abs(d) <= NEAR_MARKET_PERCENT:
            near.add(keys[i])
    return PreparedRows(orders, display, [f"{o.instrument} {o.id} {o.text} {o.side}".lower() for o in orders],
                        keys, sort, prices, frozenset(near))
