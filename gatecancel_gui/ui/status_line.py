"""The status bar: one sentence (plain, or an error in red), the progress bar and the counts.

Every part of the window speaks to the trader through this one line, so an error always looks the same
and a progress bar that follows a burst of results never repaints the whole window more than it must.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

log = logging.getLogger(__name__)
PROGRESS_EVERY_MS = 100  # a cancel's progress bar follows at most this often (see follow_progress)


class StatusLine(QObject):
    errorShown = Signal(str)  # noqa: N815

    def __init__(self, bar: QStatusBar) -> None:
        super().__init__(bar)
        self.message = QLabel(bar)
        self.counts = QLabel(bar)
        self.progress = QProgressBar(bar)
        self.progress.setMaximumWidth(220)
        self.progress.setFormat("%v / %m")
        self.progress.hide()
        bar.addWidget(self.message, 1)
        bar.addPermanentWidget(self.progress)
        bar.addPermanentWidget(self.counts)
        self._progress_value = 0
        self._progress_later = QTimer(self, singleShot=True, interval=PROGRESS_EVERY_MS)
        self._progress_later.timeout.connect(lambda: self.progress.setValue(self._progress_value))

    # -- the sentence ------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)

    def show_error(self, text: str) -> None:
        """Errors are one sentence in the status bar, in red: never a traceback, never a blocking box."""
        log.warning("shown to user: %s", text)
        self.message.setStyleSheet("QLabel { color: #d32f2f; font-weight: bold; }")
        self.message.setText(text)
        self.errorShown.emit(text)

    def withdraw(self, text: str) -> None:
        """This sentence, if still shown, is no longer true."""
        if self.message.text() == text:
            self.message.clear()

    # -- progress ----------------------------------------------------------------------------------

    def show_busy(self) -> None:
        """A load: no total known, the bar just moves."""
        self.progress.setRange(0, 0)
        self.progress.show()

    def start_progress(self, total: int) -> None:
        self.progress.setRange(0, max(1, total))
        self.progress.setValue(0)
        self.progress.show()

    def follow_progress(self, done: int, total: int) -> None:
        """QProgressBar.setValue repaints at once, and with it every widget waiting to be painted (the whole
        table): once per burst of results that held the GUI thread for most of a cancel. So the bar follows
        at most every PROGRESS_EVERY_MS."""
        self._progress_value = min(done, total)
        if not self._progress_later.isActive():
            self._progress_later.start()

    def hide_progress(self) -> None:
        self.progress.hide()
