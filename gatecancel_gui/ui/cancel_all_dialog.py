"""Choose the scope of a server-side cancel-all: a market (spot, or a futures settlement), every pair or
contract or one, both sides or one, stop orders or not."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order, OrderKind
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.ui.scope_fields import chosen_side, instruments, refill, side_box

EVERY_PAIR = "Every pair"
EVERY_CONTRACT = "Every contract with open orders"


class CancelAllDialog(QDialog):
    def __init__(self, pairs: list[str], environment: str, current_pair: str | None = None,
                 parent: Any = None, orders: list[Order] | None = None) -> None:
        super().__init__(parent)
        self.environment = environment
        self.orders = orders or []  # the loaded open and stop orders: the dialog says how many the scope covers
        self.setWindowTitle("Cancel all")
        self.spot_pairs = pairs
        self.market = QComboBox(self)
        for market in Market:
            self.market.addItem(market.display_name, market.value)
        self.pair = QComboBox(self)
        self._fill_instruments()
        if current_pair in pairs:
            self.pair.setCurrentText(current_pair)
        self.side = side_box(self)
        self.include_stops = QCheckBox("Also cancel stop (price-triggered) orders in this scope", self)
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Continue…")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Close")  # "Cancel" reads as cancel-all
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Market", self.market)
        form.addRow("Pair / contract", self.pair)
        form.addRow("Side", self.side)
        form.addRow(self.include_stops)
        form.addRow(self.summary)
        form.addRow(buttons)
        self.market.currentIndexChanged.connect(self._fill_instruments)
        for widget in (self.market, self.pair, self.side):
            widget.currentIndexChanged.connect(self._describe)
        self.include_stops.toggled.connect(self._describe)
        self._describe()

    def selected_market(self) -> Market:
        return Market(self.market.currentData() or Market.SPOT.value)

    def _fill_instruments(self) -> None:
        market = self.selected_market()
        refill(self.pair, EVERY_CONTRACT if market.is_futures else EVERY_PAIR,
               instruments(market, self.orders, self.spot_pairs))

    def scope(self) -> Scope:
        pair = self.pair.currentText()
        return Scope(None if pair in (EVERY_PAIR, EVERY_CONTRACT, "") else pair,
                     chosen_side(self.side), self.include_stops.isChecked(), self.selected_market())

    def _describe(self) -> None:
        scope = self.scope()
        covered = [o for o in self.orders if o.kind is OrderKind.OPEN and scope.matches(o)]
        stops = [o for o in self.orders if o.kind is OrderKind.STOP and scope.matches(o)] \
            if scope.include_stop_orders else []
        self.summary.setText(f"{scope.question(self.environment)}\n\n{scope.covers(covered, stops)}")


def choose_scope(parent: Any, pairs: list[str], environment: str, current_pair: str | None,
                 orders: list[Order]) -> Scope | None:
    """Ask with the dialog (blocking); tests inject their own chooser instead."""
    dialog = CancelAllDialog(pairs, environment, current_pair, parent, orders)
    return dialog.scope() if dialog.exec() == QDialog.DialogCode.Accepted else None
