"""The cancel journal, readable: what was sent, when, and what came back; filterable; its folder one
click away."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSortFilterProxyModel, Qt, QUrl
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

from gatecancel_gui.core.journal import COLUMNS, Journal, journal_rows


class JournalDialog(QDialog):
    def __init__(self, journal: Journal, parent: Any = None) -> None:
        super().__init__(parent)
        self.journal = journal
        self.setWindowTitle("Cancel journal")
        self.resize(1100, 520)
        self.model = QStandardItemModel(0, len(COLUMNS), self)
        self.model.setHorizontalHeaderLabels(COLUMNS)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Filter: an order id, a pair, a label, a request id…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self.proxy.setFilterFixedString)
        self.view = QTableView(self)
        self.view.setModel(self.proxy)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.setWordWrap(False)
        for column, width in enumerate((185, 60, 105, 230, 260, 55, 80)):
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
            records = self.journal.read()
        except (OSError, json.JSONDecodeError) as exc:
            self.where.setText(f"The journal could not be read: {type(exc).__name__}.")
            return
        self.model.removeRows(0, self.model.rowCount())
        for row in reversed(journal_rows(records)):  # newest first
            items = [QStandardItem(text) for text in row]
            for item in items:
                item.setToolTip(item.text())
                item.setEditable(False)
            self.model.appendRow(items)
        self.where.setText(f"{len(records)} lines in {self.journal.path}")

    def folder(self) -> Path:
        return self.journal.path.parent

    def open_folder(self) -> bool:
        return QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.folder())))
