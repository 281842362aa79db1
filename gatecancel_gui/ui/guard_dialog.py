"""Choose what a guard keeps flat and for how long: a market (or every market), a pair or contract (or every
one), a side, an optional text prefix (one bot's "t-bot1-"), and a duration (5 min unless changed).

`GuardChoice` is the window's word for it: what the table matches (to count the open orders the guard will
cancel now), what the banner and the question say, whether two guards overlap, and the core Scope it arms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QSpinBox

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order, OrderKind
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.risk.guard import overlaps as scopes_overlap
from gatecancel_gui.ui.scope_fields import BOTH_SIDES, chosen_side, instruments, refill, side_box

DEFAULT_GUARD_S = 300.0
GUARD_MINUTES = int(DEFAULT_GUARD_S // 60)  # the row menu's "Guard this pair for 5 min"
EVERY_MARKET = "Every market"
EVERY_ONE = "Every pair / contract"


SUMMARY_LINES = 4  # the summary under the choices wraps; this many lines are kept for it


@dataclass(frozen=True)
class GuardChoice:
    """One guard's scope and duration. `market` None: every market."""

    market: Market | None = Market.SPOT
    pair: str | None = None
    side: str | None = None
    text_prefix: str = ""
    duration_s: float = DEFAULT_GUARD_S

    def scope(self) -> Scope:
        """The core's Scope the guard is armed with."""
        return Scope(self.pair, self.side, market=self.market or Market.SPOT, text_prefix=self.text_prefix,
                     all_markets=self.market is None)

    def matches(self, order: Order) -> bool:
        return order.kind is OrderKind.OPEN and self.scope().matches(order)

    def where(self) -> str:
        """'spot pair BTC_USDT, buy side', 'every market whose text starts with 't-bot1-'' …: what the banner
        and the question name."""
        return self.scope().where() + (f", {self.side} side" if self.side else "")


def overlaps(a: GuardChoice, b: GuardChoice) -> bool:
    """Could one order be in both scopes? (Two guards on one order would race each other's cancels.)"""
    return scopes_overlap(a.scope(), b.scope())


class GuardDialog(QDialog):
    def __init__(self, pairs: list[str], orders: list[Order], preset: GuardChoice | None = None,
                 parent: Any = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Guard")
        self.spot_pairs, self.orders = pairs, orders
        self.market = QComboBox(self)
        self.market.addItem(EVERY_MARKET, "")
        for market in Market:
            self.market.addItem(market.display_name, market.value)
        self.pair = QComboBox(self)
        self.side = side_box(self)
        self.prefix = QLineEdit(self)
        self.prefix.setPlaceholderText("optional, e.g. t-bot1-")
        self.minutes = QSpinBox(self)
        self.minutes.setRange(1, 24 * 60)
        self.minutes.setSuffix(" min")
        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        # room for the longest summary (a pair chosen: three lines), so a longer one is never clipped
        self.summary.setMinimumHeight(SUMMARY_LINES * self.summary.fontMetrics().lineSpacing())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Continue…")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Close")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow("Market", self.market)
        form.addRow("Pair / contract", self.pair)
        form.addRow("Side", self.side)
        form.addRow("Text starts with", self.prefix)
        form.addRow("For", self.minutes)
        form.addRow(self.summary)
        form.addRow(buttons)
        preset = preset or GuardChoice()
        self.market.setCurrentIndex(max(0, self.market.findData(preset.market.value if preset.market else "")))
        self._fill_instruments()
        if preset.pair:
            self.pair.setCurrentText(preset.pair)
        self.side.setCurrentText(preset.side or BOTH_SIDES)
        self.prefix.setText(preset.text_prefix)
        self.minutes.setValue(max(1, round(preset.duration_s / 60)))
        self.market.currentIndexChanged.connect(self._fill_instruments)
        for combo in (self.market, self.pair, self.side):
            combo.currentIndexChanged.connect(self._describe)
        self.prefix.textChanged.connect(self._describe)
        self._describe()

    def _fill_instruments(self) -> None:
        value = self.market.currentData()
        refill(self.pair, EVERY_ONE, instruments(Market(value), self.orders, self.spot_pairs) if value else [])
        self.pair.setEnabled(bool(value))

    def choice(self) -> GuardChoice:
        value = self.market.currentData()
        pair = self.pair.currentText()
        return GuardChoice(Market(value) if value else None, None if pair in (EVERY_ONE, "") or not value else pair,
                           chosen_side(self.side), self.prefix.text().strip(),
                           self.minutes.value() * 60.0)

    def _describe(self) -> None:
        choice = self.choice()
        count = sum(1 for o in self.orders if choice.matches(o))
        self.summary.setText(f"Cancel every order in {choice.where()} now ({count} loaded) and each new one as it "
                             "appears, until the time is up or Stop.")


def choose_guard(parent: Any, pairs: list[str], orders: list[Order], preset: GuardChoice | None) -> GuardChoice | None:
    """Ask with the dialog (blocking); tests inject their own chooser instead."""
    dialog = GuardDialog(pairs, orders, preset, parent)
    return dialog.choice() if dialog.exec() == QDialog.DialogCode.Accepted else None
