"""The cancel journal, readable: what was sent, when, and what came back; filterable; its folder one
click away."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, QUrl
from PySide6.QtGui import QDesktopServices, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableView,
    QVBoxLayout,
)

from gatecancel_gui.core.store.journal import COLUMNS, Journal, journal_rows

REQUEST_COLUMN = COLUMNS.index("Request")
ORDERS_COLUMN = COLUMNS.index("Orders")
WIDTHS = (175, 85, 60, 105, 210, 230, 55, 75)  # the last column, Result, takes the rest (at least ~300 px)


class RequestFilter(QSortFilterProxyModel):
    """Rows containing the text, and every other row of the same request: filtering by an order id shows
    the request that carried it and Gate's answer to it, not only the line that names the id."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.text = ""
        self._requests: set[str] = set()

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self.text = text.strip().lower()
        model = self.sourceModel()
        self._requests = set()
        if self.text and model is not None:
            for row in range(model.rowCount()):  # the requests that carried a matching order id or pair
                if self.text in str(model.index(row, ORDERS_COLUMN).data() or "").lower():
                    self._requests.add(str(model.index(row, REQUEST_COLUMN).data() or ""))
            self._requests.discard("")
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def _row_matches(self, row: int) -> bool:
        model = self.sourceModel()
        return any(self.text in str(model.index(row, col).data() or "").lower() for col in range(model.columnCount()))

    def filterAcceptsRow(self, source_row: int, source_parent: Any) -> bool:  # noqa: N802
        if not self.text:
            return True
        request = str(self.sourceModel().index(source_row, REQUEST_COLUMN).data() or "")
        return request in self._requests or self._row_matches(source_row)


class JournalDialog(QDialog):
    def __init__(self, journal: Journal, parent: Any = None) -> None:
        super().__init__(parent)
        self.journal = journal
        self.setWindowTitle("Cancel journal")
        self.resize(1300, 560)
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(COLUMNS)
        self.filtered = RequestFilter(self)
        self.filtered.setSourceModel(self.model)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter: an order id, a pair, a label, a request id…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.filtered.set_text)
        self.view = QTableView(self)
        self.view.setModel(self.filtered)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setWordWrap(True)  # nothing is cut off: long cells wrap (and carry a tooltip)
        for column, width in enumerate(WIDTHS):
            self.view.setColumnWidth(column, width)
        self.where = QLabel(self)
        reload_button = QPushButton("&Reload", self)
        reload_button.clicked.connect(self.reload)
        open_folder = QPushButton("&Open folder", self)
        open_folder.clicked.connect(self.open_folder)
        buttons = QHBoxLayout()
        buttons.addWidget(self.where, 1)
        buttons.addWidget(reload_button)
        buttons.addWidget(open_folder)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.reload()

    def reload(self) -> None:
        try:
            contents = self.journal.contents()  # damaged lines are skipped and counted, the rest shown
        except OSError as exc:
            self.where.setText(f"The journal could not be read: {exc.strerror or type(exc).__name__}.")
            return
        records = contents.records
        self.model.removeRows(0, self.model.rowCount())
        for row in reversed(journal_rows(records)):  # newest first
            items = [QStandardItem(text) for text in row]
            for item in items:
                item.setToolTip(item.text())
                item.setEditable(False)
            self.model.appendRow(items)
        self.filtered.set_text(self.filter.text())
        self.view.resizeRowsToContents()
        damaged = (f"; {contents.damaged} damaged line{'s' if contents.damaged != 1 else ''} skipped (cut short or "
                   "not a journal record)" if contents.damaged else "")
        self.where.setText(f"{len(records)} line{'s' if len(records) != 1 else ''} in {self.journal.path}{damaged}")

    def folder(self) -> Path:
        return self.journal.path.parent

    def open_folder(self) -> bool:
        """Ask the desktop to show the folder; without a file manager that does nothing, so say where it is."""
        opened = QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder())))
        if not opened:
            self.where.setText(f"No file manager could open the folder: the journal is in {self.folder()}")
        return opened
