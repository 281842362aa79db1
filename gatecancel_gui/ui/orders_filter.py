"""What the orders table shows: the orders model's rows that pass the filters, in the model's order, held
in Qt's own item model so that painting the table never calls into Python.

Why: a paint of a Python model asks it ~1,500–10,000 questions (every role of every visible cell), each a
call from C++ into Python that needs the interpreter lock. While a cancel's answers arrive the HTTP and
sender threads hold that lock, and a 20 ms paint stalled the window for 50–150 ms (bench_window). Here
the view paints from QStandardItemModel in C++ on its own, and Python only writes the cells of the rows
in and around the viewport (the band) when they change, are scrolled into view, or the rows are
re-ordered. Cells outside the band may be empty or stale: read orders and their state from OrdersModel,
never from this model's cells.

It follows the model row by row (rows inserted, removed, changed) as Qt's own proxy would: one new order
inserts one row here, at its place among the shown ones (or none, if the filters hide it), so a stream of
single-order events never rewrites the table. Rows inserted above the first visible row of a scrolled
table scroll it by as much, so the rows in sight stay under the pointer (at the very top they push down).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QAbstractItemView, QTableView

from gatecancel_gui.core.domain.outcomes import CancelOutcome, OutcomeState
from gatecancel_gui.ui.order_rows import (
    ALIGN,
    BACKGROUND,
    CHECK,
    COLUMN_ROLES,
    COLUMNS,
    DISPLAY,
    RIGHT_ALIGNED,
    column_flags,
)
from gatecancel_gui.ui.orders_model import OrdersModel
from gatecancel_gui.ui.theme import finished_on_its_own

Index = QModelIndex | QPersistentModelIndex
BAND_MARGIN = 5  # rows filled above and below the viewport (a scroll fills the rows it brings in before they paint)
# Rows around the band whose written cells are still remembered when rows are inserted or removed above them
# (the memory is re-numbered then; beyond this the rows are simply written again when scrolled into view).
# About a page: the re-numbering runs for each order a stream inserts, so it must stay small (200 kept up
# to ~450 rows' memory to re-number per insert).
KEEP_AROUND_BAND = 40
REFILTER_ROWS = 256  # a dataChanged of up to this many rows re-checks their filter row by row; larger: not

RESULT_FILTERS: dict[str, Callable[[CancelOutcome | None], bool]] = {
    "failed": lambda o: o is not None and o.state in (OutcomeState.REJECTED, OutcomeState.UNKNOWN)
    and not finished_on_its_own(o),  # an order that filled by itself is no failed cancel
    "not_sent": lambda o: o is not None and o.state is OutcomeState.NOT_SENT,
    "cancelled": lambda o: o is not None and o.state is OutcomeState.CANCELLED,
    "none": lambda o: o is None,
}


class OrdersFilter(QStandardItemModel):
    """Market, pair, side, result and free-text filter over an OrdersModel; sorting is the model's.

    Only `sort` (a header click) and `setData` (a check box clicked) are reimplemented in Python: every
    other call the view makes stays in C++.
    """

    def __init__(self, model: OrdersModel, parent: Any = None) -> None:
        super().__init__(0, len(COLUMNS), parent)
        self.setHorizontalHeaderLabels([c.title for c in COLUMNS])
        self._source = model
        self._rows: list[int] | None = None  # the model's rows shown, in order; None: every row
        self._filled: set[int] = set()       # shown rows whose cells hold their order's current values
        self._written: dict[int, tuple[list[str], Any, list[tuple[int, int, Any]]]] = {}  # what each row's cells hold
        self._held: list[tuple[str | None, int]] = []  # persistent indexes across a re-layout, by order key
        self._view: QTableView | None = None
        prototype = QStandardItem("")
        prototype.setFlags(column_flags(1))  # every cell selects and none is editable; the first also ticks
        self.setItemPrototype(prototype)  # the model owns it
        self.pair = ""
        self.side = ""
        self.text = ""
        self.result = ""  # a key of RESULT_FILTERS, or "" for every row
        self.market = ""  # a Market value, or "" for every market
        model.modelReset.connect(self._source_reset)
        model.layoutAboutToBeChanged.connect(self._before_layout)
        model.layoutChanged.connect(self._after_layout)
        model.dataChanged.connect(self._source_data_changed)
        model.rowsInserted.connect(self._source_rows_inserted)
        model.rowsRemoved.connect(self._source_rows_removed)

    def attach(self, view: QTableView) -> None:
        """Fill the band around `view`'s viewport as it scrolls or grows."""
        self._view = view
        view.verticalScrollBar().valueChanged.connect(self.fill_band)
        view.verticalScrollBar().rangeChanged.connect(self.fill_band)
        self.fill_band()

    def sourceModel(self) -> OrdersModel:  # noqa: N802 (the proxy's name, kept for callers)
        return self._source

    # -- filtering ---------------------------------------------------------------------------------

    def set_filter(self, pair: str = "", side: str = "", text: str = "", result: str = "", market: str = "") -> None:
        self._before_layout()
        self.pair, self.side, self.text, self.result = pair, side, text.strip().lower(), result
        self.market = market
        self._after_layout()

    @property
    def filtering(self) -> bool:
        return bool(self.pair or self.side or self.text or self.result or self.market)

    def accepts(self, source_row: int) -> bool:
        model = self._source
        order = model.order_at(source_row)
        if self.market and order.market.value != self.market:
            return False
        if self.pair and order.instrument != self.pair:
            return False
        if self.side and order.side != self.side:
            return False
        if self.result and not RESULT_FILTERS[self.result](model.result_of(order.key)):
            return False
        return not self.text or self.text in model.search_text(source_row)

    def _accepted(self) -> list[int] | None:
        if not self.filtering:
            return None
        return [row for row in range(self._source.rowCount()) if self.accepts(row)]

    def _shown_count(self) -> int:
        return self._source.rowCount() if self._rows is None else len(self._rows)

    def visible_ids(self) -> list[str]:
        """The shown rows' ids, in the order shown (read in Python, not row by row through the Qt API)."""
        orders = self._source.orders()
        if self._rows is None:
            return [o.key for o in orders]
        return [orders[row].key for row in self._rows]

    def hidden(self, keys: frozenset[str]) -> int:
        """How many of these orders the filter hides (found by key, not by listing every shown row)."""
        if self._rows is None:
            return 0
        shown = set(self._rows)
        return sum(1 for key in keys if (row := self._source.row_of(key)) is not None and row not in shown)

    def key_at(self, row: int) -> str:
        """The order shown at this row."""
        return self._source.order_at(self._source_row(row)).key

    def mapToSource(self, index: Index) -> QModelIndex:  # noqa: N802
        if not index.isValid() or index.row() >= self._shown_count():
            return QModelIndex()
        return self._source.index(self._source_row(index.row()), index.column())

    def _source_row(self, row: int) -> int:
        return row if self._rows is None else self._rows[row]

    # -- following the model -----------------------------------------------------------------------

    def _source_reset(self) -> None:
        self._rows = self._accepted()
        self._filled.clear()
        self._written.clear()
        self.setRowCount(0)  # what was selected went with the rows, as a reset of the model does
        self.setRowCount(self._shown_count())
        self.fill_band()

    def _before_layout(self) -> None:
        """Remember the persistent indexes (selection, current row) by order, before rows move."""
        self.layoutAboutToBeChanged.emit()
        orders, count = self._source.orders(), self._shown_count()
        self._held = [(orders[self._source_row(i.row())].key if i.isValid() and i.row() < count else None,
                       i.column()) for i in self.persistentIndexList()]

    def _after_layout(self) -> None:
        self._rows = self._accepted()
        count = self._shown_count()
        persistent = self.persistentIndexList()
        if persistent:
            orders = self._source.orders()
            shown = {orders[self._source_row(i)].key: i for i in range(count)}
            moved = [self.index(shown[key], col) if key in shown and shown[key] < self.rowCount() else QModelIndex()
                     for key, col in self._held[:len(persistent)]]
            self.changePersistentIndexList(persistent, moved)
        self._held = []
        self.layoutChanged.emit()
        self._filled.clear()
        if count != self.rowCount():
            self.setRowCount(count)  # rows at the end come or go once the others are in place
            self._written = {row: values for row, values in self._written.items() if row < count}
        self.fill_band()

    def _source_rows_inserted(self, _parent: QModelIndex, first: int, last: int) -> None:
        """Rows inserted in the model: the ones the filters let through are inserted here, at their place."""
        count = last - first + 1
        if self._rows is None:
            at, shown = first, count
        else:
            at = bisect_left(self._rows, first)
            self._rows[at:] = [row + count for row in self._rows[at:]]
            accepted = [row for row in range(first, last + 1) if self.accepts(row)]
            self._rows[at:at] = accepted
            shown = len(accepted)
        if shown:
            self._insert_shown(at, shown)

    def _source_rows_removed(self, _parent: QModelIndex, first: int, last: int) -> None:
        """Rows removed from the model: the shown ones go here too (with their selection)."""
        count = last - first + 1
        if self._rows is None:
            at, shown = first, count
        else:
            at, end = bisect_left(self._rows, first), bisect_right(self._rows, last)
            del self._rows[at:end]
            self._rows[at:] = [row - count for row in self._rows[at:]]
            shown = end - at
        if shown:
            self._remove_shown(at, shown)

    def _insert_shown(self, at: int, count: int) -> None:
        top = self._first_visible()
        self._renumber(at, count)
        self.insertRows(at, count)
        if 0 < top and at <= top:
            self._keep_in_place(count)
        self.fill_band()

    def _first_visible(self) -> int:
        """The row shown at the top of the viewport (-1: no view, or nothing shown)."""
        return self._view.rowAt(0) if self._view is not None else -1

    def _keep_in_place(self, count: int) -> None:
        """`count` rows went in above the first visible one of a scrolled table: scroll by as much, so the
        rows in sight stay under the pointer (a click aimed at a check box never lands on the row that
        slid into its place). At the very top new rows push down: they are what the trader watches for."""
        view = self._view
        assert view is not None
        bar = view.verticalScrollBar()
        per_pixel = view.verticalScrollMode() is QAbstractItemView.ScrollMode.ScrollPerPixel
        step = count * view.verticalHeader().defaultSectionSize() if per_pixel else count
        value = bar.value() + step
        if value > bar.maximum():  # the view grows its range after the insert, later: grow it now
            bar.setMaximum(value)
        bar.setValue(value)

    def _remove_shown(self, at: int, count: int) -> None:
        self._renumber(at, -count)
        self.removeRows(at, count)
        self.fill_band()

    def _renumber(self, at: int, count: int) -> None:
        """Shown rows from `at` on move by `count` (a removal: -count rows from `at` go); what is remembered
        of the rows' cells moves with them, kept only around the band (see KEEP_AROUND_BAND)."""
        band = self.band()
        low, high = band.start - KEEP_AROUND_BAND, band.stop + KEEP_AROUND_BAND
        gone = range(at, at - count) if count < 0 else range(0)

        # inline, not a function per row: this runs for every row inserted or removed (a stream's each order)
        self._filled = {row + count if row >= at else row for row in self._filled
                        if low <= row < high and row not in gone}
        self._written = {row + count if row >= at else row: values for row, values in self._written.items()
                         if low <= row < high and row not in gone}

    def _source_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex, roles: list[Any]) -> None:
        """Rows changed in the model: the shown ones among them are written again if in the band; with a
        filter on, a few changed rows are filtered again one by one (a changed order may now be hidden or
        shown). A check box changes no filter."""
        first, last = top_left.row(), bottom_right.row()
        if self.filtering and last - first < REFILTER_ROWS and not (roles and all(int(r) == CHECK for r in roles)):
            for source_row in range(first, last + 1):
                self._refilter(source_row)
        if self._rows is None:
            shown = range(first, last + 1)
        else:
            shown = range(bisect_left(self._rows, first), bisect_right(self._rows, last))
        if len(shown) < len(self._filled):
            self._filled.difference_update(shown)
        else:
            self._filled = {row for row in self._filled if row not in shown}
        self.fill_band()

    def _refilter(self, source_row: int) -> None:
        """Show or hide one model row as the filters now say (while filtering, so _rows is a list)."""
        rows = self._rows
        assert rows is not None
        at = bisect_left(rows, source_row)
        shown = at < len(rows) and rows[at] == source_row
        if self.accepts(source_row) == shown:
            return
        if shown:
            del rows[at]
            self._remove_shown(at, 1)
        else:
            rows.insert(at, source_row)
            self._insert_shown(at, 1)

    # -- the band ----------------------------------------------------------------------------------

    def refill(self) -> None:
        """Write the band's cells again (the palette changed: the colours did)."""
        self._filled.clear()
        self.fill_band()

    def band(self) -> range:
        count = self._shown_count()
        first, last = 0, count - 1
        if self._view is not None and self._view.viewport().height() > 0:
            top = self._view.rowAt(0)
            bottom = self._view.rowAt(self._view.viewport().height() - 1)
            first = top if top >= 0 else 0
            last = bottom if bottom >= 0 else count - 1
        elif count > 2 * BAND_MARGIN:
            last = 2 * BAND_MARGIN
        return range(max(0, first - BAND_MARGIN), min(count, last + BAND_MARGIN + 1))

    def fill_band(self, *_: Any) -> None:
        """Write the cells of the band's rows that do not show their order's current values, with this
        model's signals held back, then say once that they changed (one repaint, no Python per cell)."""
        todo = [row for row in self.band() if row not in self._filled and row < self.rowCount()]
        if not todo:
            return
        self.blockSignals(True)
        try:
            for row in todo:
                self._fill_row(row)
        finally:
            self.blockSignals(False)
        self._filled.update(todo)
        self.dataChanged.emit(self.index(min(todo), 0), self.index(max(todo), len(COLUMNS) - 1))

    def _fill_row(self, row: int) -> None:
        """Write what changed in one row's cells (a Qt call per changed value, none for the rest)."""
        model = self._source
        source_row = self._source_row(row)
        texts = model.display_row(source_row)
        background = model.cell(source_row, 0, BACKGROUND)  # a row's state colours all its cells
        extras = [(col, role, model.cell(source_row, col, role)) for col, roles in COLUMN_ROLES.items()
                  for role in roles]
        values = (texts, background, extras)
        shown = self._written.get(row)
        if shown == values:
            return
        if self.item(row, 0) is None:
            self._new_row(row, values)
            return
        for col in range(len(COLUMNS)):
            item = self.item(row, col)
            if shown is None or shown[0][col] != texts[col]:
                item.setData(texts[col], DISPLAY)
            if shown is None or shown[1] != background:
                item.setData(background, BACKGROUND)
        for i, (col, role, value) in enumerate(extras):
            if shown is None or shown[2][i][2] != value:
                self.item(row, col).setData(value, role)
        self._written[row] = values

    def _new_row(self, row: int, values: tuple[list[str], Any, list[tuple[int, int, Any]]]) -> None:
        """A row with no cells yet (inserted, or never in the band): Qt makes each cell from the prototype
        (selectable, not editable) as its text is set, in C++, with no Python object per cell; then only
        what differs from that: the first column's check box, the numbers' alignment, the state's colour."""
        texts, background, extras = values
        for col, text in enumerate(texts):
            index = self.index(row, col)
            QStandardItemModel.setData(self, index, text, DISPLAY)
            if COLUMNS[col].numeric:
                QStandardItemModel.setData(self, index, RIGHT_ALIGNED, ALIGN)
            if background is not None:
                QStandardItemModel.setData(self, index, background, BACKGROUND)
        self.item(row, 0).setFlags(column_flags(0))
        for col, role, value in extras:
            if value is not None:
                QStandardItemModel.setData(self, self.index(row, col), value, role)
        self._written[row] = values

    # -- Qt model API ------------------------------------------------------------------------------

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        """A check box clicked in the table: the model holds checks (and the row is written back from it).
        Not QStandardItemModel.itemChanged: that also fires for every cell of each band write."""
        if not index.isValid() or index.row() >= self._shown_count():
            return False
        return self._source.setData(self.mapToSource(index), value, role)

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """The model sorts (in Python, once); this follows its layout change."""
        self._source.sort(column, order)
