"""One checkable orders table with its filter bar: used for open orders and for stop orders alike."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QItemSelectionModel, Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gatecancel_gui.core.models import Order, OrderKind
from gatecancel_gui.ui.orders_model import COLUMN, COLUMNS, OrdersFilter, OrdersModel, PreparedRows
from gatecancel_gui.ui.theme import result_text

ALL = "All pairs"
WIDTHS = (("check", 28), ("pair", 95), ("side", 45), ("type", 100), ("price", 95), ("amount", 95), ("left", 95),
          ("filled", 65), ("created", 140), ("id", 150), ("text", 110))


class OrdersPane(QWidget):
    countsChanged = Signal()     # noqa: N815
    message = Signal(str)

    def __init__(self, noun: str, kind: OrderKind, parent: Any = None) -> None:
        super().__init__(parent)
        self.noun = noun  # "orders" or "stop orders", for the sentences the window shows
        self.kind = kind  # which kind of order this table holds: outcomes are routed by it
        self.model = OrdersModel(self)
        self.proxy = OrdersFilter(self)
        self.proxy.setSourceModel(self.model)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Pair:", self))
        self.pair_filter = QComboBox(self)
        self.pair_filter.setMinimumWidth(130)
        self.pair_filter.addItem(ALL)
        filters.addWidget(self.pair_filter)
        filters.addWidget(QLabel("Side:", self))
        self.side_filter = QComboBox(self)
        self.side_filter.addItems(["Both", "buy", "sell"])
        filters.addWidget(self.side_filter)
        self.text_filter = QLineEdit(self)
        self.text_filter.setPlaceholderText("Filter by id, text or pair…")
        self.text_filter.setClearButtonEnabled(True)
        filters.addWidget(self.text_filter, 1)
        layout.addLayout(filters)
        self.view = QTableView(self)
        self.view.setModel(self.proxy)
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
        QShortcut(QKeySequence(Qt.Key.Key_Space), self.view, self.toggle_current,
                  context=Qt.ShortcutContext.WidgetShortcut)
        self.pair_filter.currentIndexChanged.connect(self.apply_filter)
        self.side_filter.currentIndexChanged.connect(self.apply_filter)
        self.text_filter.textChanged.connect(self.apply_filter)
        self.model.checkedChanged.connect(self.countsChanged)  # also follows every reset of the rows

    # -- contents ----------------------------------------------------------------------------------

    def set_rows(self, rows: PreparedRows, live: bool = False) -> None:
        """Replace the rows; a live refresh keeps the scroll position and marks new and vanished orders."""
        scroll = self.view.verticalScrollBar().value()
        self.model.set_orders(rows, live=live)
        self.refill_pairs()
        if live:
            self.view.verticalScrollBar().setValue(scroll)

    def refill_pairs(self) -> None:
        current = self.pair_filter.currentText()
        pairs = sorted({o.currency_pair for o in self.model.orders()})
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
        self.proxy.set_filter("" if pair == ALL else pair, "" if side == "Both" else side, self.text_filter.text())
        self.countsChanged.emit()
        if self.model.rowCount() and not self.proxy.rowCount():
            self.message.emit(f"No {self.noun[:-1] if self.noun.endswith('s') else self.noun} matches the filter.")

    def current_pair(self) -> str | None:
        pair = self.pair_filter.currentText()
        return None if pair == ALL else pair

    def check_visible(self, checked: bool) -> None:
        self.model.set_checked(self.proxy.visible_ids(), checked)

    def toggle_current(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            return
        order = self.model.order_at(self.proxy.mapToSource(index).row())
        self.model.set_checked([order.id], order.id not in self.model.checked)
        self.view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)

    def counts_text(self) -> str:
        checked = self.model.checked_orders()
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for order in checked:
            totals[order.quote_currency] += order.quote_value
        value = " + ".join(f"{v:,.2f} {q}" for q, v in sorted(totals.items(), key=lambda kv: -kv[1]))
        shown, total = self.proxy.rowCount(), self.model.rowCount()
        text = f"{total} {self.noun}" + (f" ({shown} shown)" if shown != total else "")
        return text + f" · {len(checked)} checked" + (f" · {value}" if value else "")

    # -- export ------------------------------------------------------------------------------------

    def export_rows(self) -> tuple[list[str], list[list[object]]]:
        """The visible rows as shown, with their results: the header and rows for a CSV file."""
        header = [c.title for c in COLUMNS[1:] if c.key != "result"] + ["Result", "Label", "Message"]
        rows: list[list[object]] = []
        for order_id in self.proxy.visible_ids():
            order: Order = self.model.order_at(self.model.row_of(order_id))  # type: ignore[arg-type]
            outcome = self.model.result_of(order_id)
            values: list[object] = [c.display(order) for c in COLUMNS[1:] if c.key != "result"]
            status = self.model.status_text(order_id)
            values += [result_text(outcome.state, "") if outcome else status,
                       outcome.label if outcome else "", outcome.message if outcome else ""]
            rows.append(values)
        return header, rows
