"""The orders table: one model keyed by order id, behind a sort/filter proxy.

Columns are declared once (COLUMNS) and reused by the view, exports and tests. Display strings and
sort keys are computed once per order, so a 10,000-row table sorts and filters without calling back
into Python for every comparison.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)

from gatecancel_gui.core.models import CancelOutcome, Order, OutcomeState
from gatecancel_gui.ui.theme import is_dark, result_text, state_background

Index = QModelIndex | QPersistentModelIndex
STATE_ROLE = int(Qt.ItemDataRole.UserRole.value) + 2


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    display: Callable[[Order], str]
    sort_key: Callable[[Order], Any]
    numeric: bool = False


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f") if value else "0"
    return text


def _created(order: Order) -> str:
    if not order.create_time_ms:
        return ""
    return dt.datetime.fromtimestamp(order.create_time_ms / 1000).strftime("%Y-%m-%d %H:%M:%S")


COLUMNS: list[Column] = [
    Column("check", "", lambda o: "", lambda o: 0),
    Column("pair", "Pair", lambda o: o.currency_pair, lambda o: o.currency_pair),
    Column("side", "Side", lambda o: o.side, lambda o: o.side),
    Column("type", "Type", lambda o: o.type, lambda o: o.type),
    Column("price", "Price", lambda o: _fmt(o.price), lambda o: o.price, numeric=True),
    Column("amount", "Amount", lambda o: _fmt(o.amount), lambda o: o.amount, numeric=True),
    Column("left", "Left", lambda o: _fmt(o.left), lambda o: o.left, numeric=True),
    Column("filled", "Filled %", lambda o: f"{o.filled_percent:.1f}", lambda o: o.filled_percent, numeric=True),
    Column("created", "Created", _created, lambda o: o.create_time_ms, numeric=True),
    Column("id", "Order id", lambda o: o.id, lambda o: (len(o.id), o.id)),
    Column("text", "Text", lambda o: o.text, lambda o: o.text),
    Column("result", "Result", lambda o: "", lambda o: ""),
]
COLUMN = {c.key: i for i, c in enumerate(COLUMNS)}
RESULT_COLUMN = COLUMN["result"]
DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
CHECK = int(Qt.ItemDataRole.CheckStateRole.value)
ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_HANDLED_ROLES = frozenset({DISPLAY, BACKGROUND, CHECK, ALIGN, TOOLTIP, int(STATE_ROLE)})
CHECKED = Qt.CheckState.Checked
UNCHECKED = Qt.CheckState.Unchecked
RIGHT_ALIGNED = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_ROW_FLAGS = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
_CHECKABLE_FLAGS = _ROW_FLAGS | Qt.ItemFlag.ItemIsUserCheckable
RESULT_ORDER = {None: 0, OutcomeState.IN_FLIGHT: 1, OutcomeState.UNKNOWN: 2, OutcomeState.NOT_SENT: 3,
                OutcomeState.REJECTED: 4, OutcomeState.CANCELLED: 5}


SortSpec = tuple[int, Qt.SortOrder]


@dataclass(frozen=True)
class PreparedRows:
    """Orders with their display strings and search text, computed off the GUI thread."""

    orders: list[Order]
    display: list[list[str]]
    search: list[str]
    sorted_by: SortSpec | None = None


def prepare_rows(orders: Iterable[Order], sort: SortSpec | None = None) -> PreparedRows:
    """Plain Python (no Qt calls): safe to run in a worker so a 10,000-row load never stalls the window.

    Columns whose order depends on checks or results are left for the model to sort."""
    orders = list(orders)
    if sort is not None and sort[0] not in (COLUMN["check"], COLUMN["result"]):
        orders.sort(key=COLUMNS[sort[0]].sort_key, reverse=sort[1] == Qt.SortOrder.DescendingOrder)
    else:
        sort = None
    return PreparedRows(orders, [[c.display(o) for c in COLUMNS] for o in orders],
                        [f"{o.currency_pair} {o.id} {o.text} {o.side}".lower() for o in orders], sort)


class OrdersModel(QAbstractTableModel):
    """Orders by id, their checked state and their cancel results."""

    checkedChanged = Signal()  # noqa: N815 (Qt naming)
    resultsChanged = Signal()  # noqa: N815

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._orders: list[Order] = []
        self._row_of: dict[str, int] = {}
        self._display: list[list[str]] = []
        self._search: list[str] = []
        self._checked: set[str] = set()
        self._results: dict[str, CancelOutcome] = {}
        self._dirty_rows: set[int] = set()
        self.sort_spec: SortSpec | None = None
        self.new_ids: set[str] = set()
        self.gone_ids: set[str] = set()
        self.dark = is_dark()  # the window updates it when the palette changes
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(30)  # bursts of results coalesce into one repaint
        self._flush.timeout.connect(self._flush_results)

    # -- contents ----------------------------------------------------------------------------------

    def set_orders(self, orders: Iterable[Order] | PreparedRows, live: bool = False) -> None:
        """Replace the table. Checks and results survive for orders that are still listed.

        A live refresh marks orders that appeared as new and keeps the ones that vanished, marked gone,
        until the next manual refresh, so nothing disappears from under the trader's eyes."""
        rows = orders if isinstance(orders, PreparedRows) else prepare_rows(orders)
        previous = {o.id: i for i, o in enumerate(self._orders)}
        old_orders, old_display, old_search = self._orders, self._display, self._search
        incoming = {o.id for o in rows.orders}
        self.beginResetModel()
        self._orders, self._display, self._search = list(rows.orders), list(rows.display), list(rows.search)
        if live and previous:
            self.new_ids = (self.new_ids | (incoming - set(previous))) & incoming
            vanished = [i for oid, i in previous.items() if oid not in incoming]
            self.gone_ids = {oid for oid in previous if oid not in incoming} | (self.gone_ids - incoming)
            for i in vanished:
                self._orders.append(old_orders[i])
                self._display.append(old_display[i])
                self._search.append(old_search[i])
            rows = PreparedRows(self._orders, self._display, self._search, None)
        else:
            self.new_ids, self.gone_ids = set(), set()
        if self.sort_spec is not None and rows.sorted_by != self.sort_spec:
            self._apply_sort(*self.sort_spec)
        self._row_of = {o.id: i for i, o in enumerate(self._orders)}
        ids = set(self._row_of)
        self._checked &= ids - self.gone_ids
        self._results = {k: v for k, v in self._results.items() if k in ids}
        self.endResetModel()
        self.checkedChanged.emit()

    def status_text(self, order_id: str) -> str:
        """What a live refresh saw: 'new', 'gone' or nothing."""
        if order_id in self.gone_ids:
            return "– gone"
        if order_id in self.new_ids:
            return "★ new"
        return ""

    def _apply_sort(self, column: int, order: Qt.SortOrder) -> None:
        key = self._sort_key(column)
        perm = sorted(range(len(self._orders)), key=lambda i: key(self._orders[i]),
                      reverse=order == Qt.SortOrder.DescendingOrder)
        self._orders = [self._orders[i] for i in perm]
        self._display = [self._display[i] for i in perm]
        self._search = [self._search[i] for i in perm]

    def orders(self) -> list[Order]:
        return list(self._orders)

    def order_at(self, row: int) -> Order:
        return self._orders[row]

    def row_of(self, order_id: str) -> int | None:
        return self._row_of.get(order_id)

    def search_text(self, row: int) -> str:
        return self._search[row]

    @property
    def checked(self) -> frozenset[str]:
        """The ids of the checked rows (read-only: change them with set_checked)."""
        return frozenset(self._checked)

    @property
    def results(self) -> Mapping[str, CancelOutcome]:
        """Each row's latest outcome by order id (read-only: change them with set_results / settle)."""
        return MappingProxyType(self._results)

    def checked_orders(self) -> list[Order]:
        return [o for o in self._orders if o.id in self._checked]

    def remove_ids(self, ids: set[str]) -> None:
        """Clear rows (e.g. the cancelled ones) without reloading."""
        if not ids:
            return
        keep = [i for i, o in enumerate(self._orders) if o.id not in ids]
        self.beginResetModel()
        self._orders = [self._orders[i] for i in keep]
        self._display = [self._display[i] for i in keep]
        self._search = [self._search[i] for i in keep]
        self._row_of = {o.id: i for i, o in enumerate(self._orders)}
        self._checked -= ids
        for order_id in ids:
            self._results.pop(order_id, None)
        self.endResetModel()
        self.checkedChanged.emit()
        self.resultsChanged.emit()

    # -- checks ------------------------------------------------------------------------------------

    def set_checked(self, ids: Iterable[str], checked: bool) -> None:
        ids = [i for i in ids if i in self._row_of]
        if checked:
            self._checked.update(ids)
        else:
            self._checked.difference_update(ids)
        if ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._orders) - 1, 0),
                                  [Qt.ItemDataRole.CheckStateRole])
        self.checkedChanged.emit()

    # -- results -----------------------------------------------------------------------------------

    def set_results(self, outcomes: Iterable[CancelOutcome]) -> None:
        """Record the outcomes of this table's orders (matched by full identity: kind, pair and id); the
        repaint follows once per burst. Pure Python in the loop: every Qt call here would let the cancel
        threads take the GIL and hold up the window."""
        for outcome in outcomes:
            row = self._row_of.get(outcome.ref.id)
            if row is not None and self._orders[row].ref == outcome.ref:
                self._results[outcome.ref.id] = outcome
                self._dirty_rows.add(row)
        if self._dirty_rows and not self._flush.isActive():
            self._flush.start()

    def settle(self, outcomes: Iterable[CancelOutcome]) -> None:
        """A finished cancel's final word: record it, repaint now, and uncheck the rows that are done
        (cancelled, or gone for good); the ones a retry could still help stay checked."""
        outcomes = [o for o in outcomes if (row := self._row_of.get(o.ref.id)) is not None
                    and self._orders[row].ref == o.ref]
        self.set_results(outcomes)
        self.flush_now()
        done = {o.ref.id for o in outcomes if o.succeeded or not o.retryable}
        if done & self._checked:
            self.set_checked(done, False)

    def forget_results(self, ids: Iterable[str]) -> None:
        """Drop the results of these rows (a new cancel of them is starting)."""
        for order_id in ids:
            row = self._row_of.get(order_id)
            if self._results.pop(order_id, None) is not None and row is not None:
                self._dirty_rows.add(row)
        if self._dirty_rows and not self._flush.isActive():
            self._flush.start()

    def flush_now(self) -> None:
        self._flush.stop()
        self._flush_results()

    def _flush_results(self) -> None:
        if not self._dirty_rows:
            return
        first, last = min(self._dirty_rows), max(self._dirty_rows)
        self._dirty_rows.clear()
        self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
        self.resultsChanged.emit()

    def clear_results(self) -> None:
        self._results.clear()
        if self._orders:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._orders) - 1, len(COLUMNS) - 1))
        self.resultsChanged.emit()

    def result_of(self, order_id: str) -> CancelOutcome | None:
        return self._results.get(order_id)

    # -- Qt model API ------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._orders)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        return _CHECKABLE_FLAGS if index.column() == 0 else _ROW_FLAGS

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        # Called for every visible cell and role on each repaint: roles are plain ints, unused ones leave first.
        if role not in _HANDLED_ROLES:
            return None
        row, col = index.row(), index.column()
        if role == DISPLAY:
            if col == RESULT_COLUMN:
                order_id = self._orders[row].id
                outcome = self._results.get(order_id)
                return result_text(outcome.state, outcome.label) if outcome else self.status_text(order_id)
            return self._display[row][col]
        if role == BACKGROUND:
            order_id = self._orders[row].id
            outcome = self._results.get(order_id)
            if outcome is None:
                return state_background(OutcomeState.NOT_SENT, self.dark) if order_id in self.gone_ids else None
            return state_background(outcome.state, self.dark)
        if role == CHECK:
            if col != 0:
                return None
            return CHECKED if self._orders[row].id in self._checked else UNCHECKED
        if role == ALIGN:
            return RIGHT_ALIGNED if COLUMNS[col].numeric else None
        if role == TOOLTIP:
            if col != RESULT_COLUMN:
                return None
            outcome = self._results.get(self._orders[row].id)
            return (outcome.message or outcome.state.value) if outcome else None
        outcome = self._results.get(self._orders[row].id)  # STATE_ROLE
        return outcome.state.value if outcome else ""

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if index.column() != 0 or role != Qt.ItemDataRole.CheckStateRole:
            return False
        order_id = self._orders[index.row()].id
        checked = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
        (self._checked.add if checked else self._checked.discard)(order_id)
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.checkedChanged.emit()
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in Python once (fast), not through thousands of proxy comparisons; kept across reloads."""
        self.sort_spec = (column, order)
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [(self._orders[i.row()].id, i.column()) for i in persistent]
        self._apply_sort(column, order)
        self._row_of = {o.id: i for i, o in enumerate(self._orders)}
        self.changePersistentIndexList(persistent, [self.index(self._row_of[oid], col) for oid, col in held])
        self.layoutChanged.emit()

    def _sort_key(self, column: int) -> Callable[[Order], Any]:
        if column == COLUMN["check"]:
            return lambda o: o.id in self._checked
        if column == COLUMN["result"]:
            return lambda o: RESULT_ORDER[self._results[o.id].state if o.id in self._results else None]
        return COLUMNS[column].sort_key



class OrdersFilter(QSortFilterProxyModel):
    """Pair, side and free-text filter; sorting is delegated to the source model."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setDynamicSortFilter(False)  # the filter reads fields that never change: no re-filter per result
        self.pair = ""
        self.side = ""
        self.text = ""

    def set_filter(self, pair: str = "", side: str = "", text: str = "") -> None:
        self.beginFilterChange()
        self.pair, self.side, self.text = pair, side, text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: Index) -> bool:  # noqa: N802
        model: OrdersModel = self.sourceModel()  # type: ignore[assignment]
        order = model.order_at(source_row)
        if self.pair and order.currency_pair != self.pair:
            return False
        if self.side and order.side != self.side:
            return False
        return not self.text or self.text in model.search_text(source_row)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self.sourceModel().sort(column, order)

    def visible_ids(self) -> list[str]:
        model: OrdersModel = self.sourceModel()  # type: ignore[assignment]
        return [model.order_at(self.mapToSource(self.index(r, 0)).row()).id for r in range(self.rowCount())]
