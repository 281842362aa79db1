"""One checkable orders table with its filter bar: used for open orders and for stop orders alike."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel, QPoint, Qt, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order, OrderKind
from gatecancel_gui.core.domain.outcomes import CancelOutcome
from gatecancel_gui.core.domain.wording import describe_value, plural
from gatecancel_gui.ui.actions import SPEC, TABLE_KEYS, key_text, platform_keys
from gatecancel_gui.ui.guard_dialog import GUARD_MINUTES
from gatecancel_gui.ui.order_rows import COLUMN, COLUMNS, PreparedRows
from gatecancel_gui.ui.orders_filter import OrdersFilter
from gatecancel_gui.ui.orders_model import OrdersModel
from gatecancel_gui.ui.theme import finished_on_its_own, outcome_text, result_text

ALL = "All pairs"
ALL_MARKETS = "All markets"

WIDTHS = (("check", 28), ("result", 150), ("market", 118), ("pair", 115), ("side", 40), ("type", 90), ("price", 90),
          ("last", 90), ("distance", 90), ("amount", 85), ("left", 85), ("value", 120), ("filled", 60),
          ("created", 135), ("id", 150), ("text", 90))
RESULTS = (("All results", ""), ("Failed (red)", "failed"), ("Not sent", "not_sent"), ("Cancelled", "cancelled"),
           ("No result yet", "none"))


class OrdersPane(QWidget):
    """Builds the table and its filters and says what the trader asked for; the window does the work."""

    countsChanged = Signal()     # noqa: N815
    message = Signal(str)
    messageWithdrawn = Signal(str)  # noqa: N815  this sentence, if still shown, is no longer true
    cancelRequested = Signal(list)   # noqa: N815  [Order]: cancel these (after the usual confirmation)
    journalRequested = Signal(str)   # noqa: N815  show the journal filtered to this order id
    guardRequested = Signal(object)  # noqa: N815  Order: guard its pair (after the usual confirmation)

    def __init__(self, noun: str, kind: OrderKind, parent: Any = None) -> None:
        super().__init__(parent)
        self.noun = noun  # "orders" or "stop orders", for the sentences the window shows
        self.kind = kind  # which kind of order this table holds: outcomes are routed by it
        self.model = OrdersModel(self)
        self.filtered = OrdersFilter(self.model, self)  # the rows the filters let through, as the view shows them
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Market:", self))
        self.market_filter = QComboBox(self)
        self.market_filter.addItem(ALL_MARKETS, "")
        for market in Market:
            self.market_filter.addItem(market.display_name, market.value)
        filters.addWidget(self.market_filter)
        filters.addWidget(QLabel("Pair:", self))
        self.pair_filter = QComboBox(self)
        self.pair_filter.setMinimumWidth(130)
        self.pair_filter.addItem(ALL)
        filters.addWidget(self.pair_filter)
        filters.addWidget(QLabel("Side:", self))
        self.side_filter = QComboBox(self)
        self.side_filter.addItems(["Both", "buy", "sell"])
        filters.addWidget(self.side_filter)
        filters.addWidget(QLabel("Result:", self))
        self.result_filter = QComboBox(self)
        for text, value in RESULTS:
            self.result_filter.addItem(text, value)
        filters.addWidget(self.result_filter)
        self.text_filter = QLineEdit(self)
        self.text_filter.setPlaceholderText("Filter by id, text or pair…")
        self.text_filter.setClearButtonEnabled(True)
        filters.addWidget(self.text_filter, 1)
        layout.addLayout(filters)
        self.view = QTableView(self)  # no Python in it: it paints from OrdersFilter in C++ alone
        self.view.setModel(self.filtered)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(COLUMN["created"], Qt.SortOrder.DescendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for key, width in WIDTHS:
            self.view.setColumnWidth(COLUMN[key], width)
        layout.addWidget(self.view, 1)
        self.filtered.attach(self.view)
        for spec in TABLE_KEYS:  # declared with the window's actions, so the keyboard help lists them
            for key in platform_keys(spec.keys):  # on macOS Shift+Backspace too (the Mac's delete key)
                QShortcut(QKeySequence(key), self.view, getattr(self, spec.handler),
                          context=Qt.ShortcutContext.WidgetShortcut)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(self._show_row_menu)
        self.market_filter.currentIndexChanged.connect(self.refill_pairs)  # the pair list follows the market
        self.market_filter.currentIndexChanged.connect(self.apply_filter)
        self.pair_filter.currentIndexChanged.connect(self.apply_filter)
        self.side_filter.currentIndexChanged.connect(self.apply_filter)
        self.result_filter.currentIndexChanged.connect(self.apply_filter)
        self.text_filter.textChanged.connect(self.apply_filter)
        self.model.checkedChanged.connect(self.countsChanged)  # also follows every reset of the rows
        self.model.resultsChanged.connect(self._results_changed)

    # -- contents ----------------------------------------------------------------------------------

    def set_rows(self, rows: PreparedRows, auto: bool = False) -> None:
        """Replace the rows; an auto-refresh keeps the scroll position and marks new and vanished orders."""
        scroll = self.view.verticalScrollBar().value()
        self.model.set_orders(rows, mark_changes=auto)
        self.refill_pairs()
        if auto:
            self.view.verticalScrollBar().setValue(scroll)

    def refill_pairs(self) -> None:
        """The pair list holds the pairs (or contracts) of the market chosen, or of every market."""
        current = self.pair_filter.currentText()
        market = self.market_filter.currentData() or ""
        pairs = sorted({o.instrument for o in self.model.orders() if not market or o.market.value == market})
        self.pair_filter.blockSignals(True)
        self.pair_filter.clear()
        self.pair_filter.addItems([ALL, *pairs])
        self.pair_filter.setCurrentText(current if current in pairs else ALL)
        self.pair_filter.blockSignals(False)
        if current != self.pair_filter.currentText():  # the filtered pair is gone: show all
            self.apply_filter()

    # -- filter and checks -------------------------------------------------------------------------

    def apply_filter(self) -> None:
        pair = self.pair_filter.currentText()
        side = self.side_filter.currentText()
        self.filtered.set_filter("" if pair == ALL else pair, "" if side == "Both" else side, self.text_filter.text(),
                              self.result_filter.currentData() or "", self.market_filter.currentData() or "")
        self.countsChanged.emit()
        no_match = f"No {self.noun[:-1] if self.noun.endswith('s') else self.noun} matches the filter."
        if self.model.rowCount() and not self.filtered.rowCount():
            self.message.emit(no_match)
        else:
            self.messageWithdrawn.emit(no_match)  # rows match again: the sentence is no longer true

    def _results_changed(self) -> None:
        if self.filtered.result:  # the rows a result filter shows change with the results
            self.apply_filter()
        self.countsChanged.emit()

    def current_pair(self) -> str | None:
        pair = self.pair_filter.currentText()
        return None if pair == ALL else pair

    def check_visible(self, checked: bool) -> None:
        self.model.set_checked(self.filtered.visible_ids(), checked)

    def toggle_current(self) -> None:
        """Space: tick (or untick) the selected rows, or the current one; ticked if any of them was not."""
        index = self.view.currentIndex()
        if not index.isValid():
            return
        rows = {i.row() for i in self.view.selectionModel().selectedRows()}
        if index.row() not in rows:
            rows = {index.row()}
        keys = [self.filtered.key_at(row) for row in sorted(rows)]
        self.model.set_checked(keys, not all(key in self.model.checked for key in keys))
        self.view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)

    def counts_text(self) -> str:
        """Orders, checked, and what the checked ones still at stake are worth (cancelled ones are not)."""
        checked = self.model.checked_orders()
        at_stake = [o for o in checked if not self.model.is_settled(o.key)]
        value = describe_value(at_stake)
        shown, total = self.filtered.rowCount(), self.model.rowCount()
        text = plural(total, self.noun[:-1]) + (f" ({shown} shown)" if shown != total else "")
        done = len(checked) - len(at_stake)
        return (text + f" · {len(checked)} checked" + (f" ({done} already done)" if done else "")
                + (f" · {value}" if value else ""))

    def hidden_checked(self) -> int:
        """Checked rows the filter hides (a cancel includes them: the confirmation says so)."""
        return self.filtered.hidden(self.model.checked)

    # -- per-row actions ---------------------------------------------------------------------------

    def current_order(self) -> Order | None:
        index = self.view.currentIndex()
        return self.model.order_at(self.filtered.mapToSource(index).row()) if index.isValid() else None

    def cancel_current(self) -> None:
        order = self.current_order()
        if order is not None:
            self.cancelRequested.emit([order])

    def row_menu(self, order: Order) -> QMenu:
        """The actions on one row: cancel it, its pair or its pair's side; guard its pair; copy its id; its
        journal."""
        menu = QMenu(self)
        unsettled = [o for o in self.model.orders() if not self.model.is_settled(o.key)]  # what a cancel would send
        # the same name may be a spot pair and a futures contract: "its pair" stays in the order's market
        pair_orders = [o for o in unsettled if o.instrument == order.instrument and o.market is order.market]
        side_orders = [o for o in pair_orders if o.side == order.side]
        where = f"{order.market.display_name} {order.instrument}" if order.market.is_futures \
            else order.instrument
        one = menu.addAction(f"Cancel this order\t{key_text(platform_keys(SPEC['cancel_row'].keys)[0])}")
        one.setEnabled(not self.model.is_settled(order.key))
        one.triggered.connect(lambda: self.cancelRequested.emit([order]))
        pair = menu.addAction(f"Cancel all {len(pair_orders)} in {where}")
        pair.setEnabled(bool(pair_orders))
        pair.triggered.connect(lambda: self.cancelRequested.emit(pair_orders))
        side = menu.addAction(f"Cancel all {len(side_orders)} {order.side} in {where}")
        side.setEnabled(bool(side_orders))
        side.triggered.connect(lambda: self.cancelRequested.emit(side_orders))
        if self.kind is OrderKind.OPEN:  # a guard keeps open orders flat
            guard = menu.addAction(f"Guard this pair for {GUARD_MINUTES} min")
            guard.triggered.connect(lambda: self.guardRequested.emit(order))
        menu.addSeparator()
        copy = menu.addAction("Copy id")
        copy.triggered.connect(lambda: self._copy_id(order))
        journal = menu.addAction("Open the journal for this order")
        journal.triggered.connect(lambda: self.journalRequested.emit(order.id))
        return menu

    def _show_row_menu(self, pos: QPoint) -> None:
        index = self.view.indexAt(pos)
        if not index.isValid():
            return
        menu = self.row_menu(self.model.order_at(self.filtered.mapToSource(index).row()))
        menu.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        menu.popup(self.view.viewport().mapToGlobal(pos))

    def _copy_id(self, order: Order) -> None:
        QGuiApplication.clipboard().setText(order.id)
        self.message.emit(f"Copied order id {order.id}.")

    # -- export ------------------------------------------------------------------------------------

    def export_rows(self) -> tuple[list[str], list[list[object]]]:
        """The visible rows as shown, with their results: the header and rows for a CSV file."""
        header = [c.title for c in COLUMNS[1:] if c.key != "result"] + ["Result", "Label", "Message"]
        rows: list[list[object]] = []
        for key in self.filtered.visible_ids():
            order: Order = self.model.order_at(self.model.row_of(key))  # type: ignore[arg-type]
            outcome = self.model.result_of(key)
            values: list[object] = [_export_value(order) if c.key == "value" else
                                    c.display(order, self.model.market_price(order.price_key))
                                    for c in COLUMNS[1:] if c.key != "result"]
            status = self.model.status_text(key)
            values += [export_result(outcome) if outcome else status,
                       outcome.label if outcome else "", outcome.message if outcome else ""]
            rows.append(values)
        return header, rows


def export_result(outcome: CancelOutcome) -> str:
    """The Result column of a CSV row: the cell's word without the label (the Label column carries it); an
    order that finished by itself (a fill seen on the stream) keeps its own word, never "not cancelled"."""
    return outcome_text(outcome) if finished_on_its_own(outcome) else result_text(outcome.state, "", outcome.ended)


def _export_value(order: Order) -> str:
    """The Value column as a plain number a spreadsheet reads (the quote currency is the pair's); none is
    claimed for futures, whose contracts are not money."""
    return "" if order.market.is_futures else format(order.quote_value.normalize(), "f")
