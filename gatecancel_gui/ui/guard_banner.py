"""The red row under the toolbars while a guard is armed: its scope, how many it has cancelled, the last
order it acted on and how that ended, the time left, and Stop. One banner per armed guard.

It only shows what it is given (`show`, `show_left`) and says Stop was pressed (`stopRequested`)."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from gatecancel_gui.core.domain.outcomes import CancelOutcome
from gatecancel_gui.ui.theme import outcome_text

BANNER_STYLE = ("QFrame#guard-banner { background: #c62828; border-radius: 3px; } "
                "QFrame#guard-banner QLabel { color: #ffffff; font-weight: bold; }")


def last_text(outcome: CancelOutcome | None) -> str:
    if outcome is None:
        return "none yet"
    return f"{outcome.ref.instrument} {outcome.ref.id} {outcome_text(outcome)}"


def left_text(seconds: float) -> str:
    seconds = max(0, int(seconds + 0.5))
    return f"{seconds // 60}:{seconds % 60:02d} left"


class GuardBanner(QFrame):
    stopRequested = Signal()  # noqa: N815

    def __init__(self, where: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("guard-banner")
        self.setStyleSheet(BANNER_STYLE)
        self.where = where
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        self.state = QLabel("GUARD ARMING", self)
        self.scope = QLabel(where, self)
        self.count = QLabel("0 cancelled", self)
        self.last = QLabel("last: none yet", self)
        self.left = QLabel("", self)
        self.note = QLabel("", self)
        self.stop_button = QPushButton("Stop", self)
        self.stop_button.setToolTip("Stop the guard: no new order is cancelled from now on")
        self.stop_button.clicked.connect(self.stopRequested)
        for label in (self.state, self.scope, self.count, self.last, self.note):
            layout.addWidget(label)
        layout.addStretch(1)
        layout.addWidget(self.left)
        layout.addWidget(self.stop_button)

    def show_status(self, state: str, cancelled: int, acted_on: int, last: CancelOutcome | None, note: str) -> None:
        self.state.setText(f"GUARD {state.upper()}")
        self.count.setText(f"{cancelled} cancelled" + (f" of {acted_on} acted on" if acted_on != cancelled else ""))
        self.last.setText(f"last: {last_text(last)}")
        self.note.setText(note)
        self.note.setVisible(bool(note))

    def show_left(self, seconds: float) -> None:
        self.left.setText(left_text(seconds))

    def show_stopping(self) -> None:
        self.state.setText("GUARD STOPPING")
        self.stop_button.setEnabled(False)

    def text(self) -> str:
        """What the banner says, in one line (tests, the screenshot's check)."""
        parts = [w.text() for w in (self.state, self.scope, self.count, self.last, self.note, self.left) if w.text()]
        return " · ".join(parts)
