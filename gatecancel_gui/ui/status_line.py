"""The status bar: one sentence (plain, or an error in red), the progress bar, the counts, and one label per
market saying how its live stream is doing.

Every part of the window speaks to the trader through this one line, so an error always looks the same
and a progress bar that follows a burst of results never repaints the whole window more than it must.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QLabel, QProgressBar, QStatusBar

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.stream.events import StreamState, StreamStatus

log = logging.getLogger(__name__)
PROGRESS_EVERY_MS = 100  # a cancel's progress bar follows at most this often (see follow_progress)


def stream_label(status: StreamStatus, last_event_at: float | None = None) -> tuple[str, str]:
    """A market's stream in a few words for its label, and the tooltip: "Spot: live · 14:02:11" (the time of
    its last event), "USDT perpetual: reconnecting (try 2)", "Spot: polling", "Spot: stopped". Times in UTC,
    like every time the app shows; the tooltip says so. Three markets share the bar with the sentence and the
    counts (at 1280 px "last event … UTC" three times cut the last label and the sentence: seen on a
    screenshot), so a reason is never in the label: a status bar cuts a long label mid-word with no "…"
    (seen in a trial: "Spot: polling — The server at this address has no "). It is in the tooltip, and the
    one-time sentence (stream_news) says it when the market falls back."""
    name = status.market.display_name
    last = max((t for t in (last_event_at, status.last_event_at) if t is not None), default=None)
    clock = time.strftime('%H:%M:%S', time.gmtime(last)) if last is not None else ""
    seen = f"last event {clock} UTC" if clock else ""
    reason = status.reason
    state = status.state
    if state is StreamState.LIVE:  # a few words: three markets share the bar with the sentence and the counts
        return (f"{name}: live" + (f" · {clock}" if clock else ""),  # the time of its last event (tooltip)
                f"{name}: Gate pushes every change of its orders here as it happens ({seen or 'no event yet'}); "
                "the auto-refresh lists only stop orders meanwhile.")
    if state is StreamState.CONNECTING:
        return f"{name}: connecting…", f"{name}: opening the live stream."
    if state is StreamState.RECONNECTING:
        return (f"{name}: reconnecting (try {status.attempt})",
                f"{name}: the live stream dropped ({reason or 'no reason'}); try {status.attempt}. What changed "
                "meanwhile is listed once it is back.")
    if state is StreamState.POLLING:
        return (f"{name}: polling",
                f"{name}: no live stream ({reason or 'no reason given'}); its orders are listed every few seconds "
                f"instead ({seen or 'no event yet'}).")
    return (f"{name}: stopped",
            f"{name}: the live stream has ended ({reason or 'no reason given'}); Refresh or the auto-refresh keeps "
            "the table current.")


def stream_news(status: StreamStatus) -> str:
    """The one sentence said when a market falls back (polling) or its stream ends by itself (stopped)."""
    name, reason = status.market.display_name, status.reason or "no reason given"
    if status.state is StreamState.POLLING:
        return f"{name}: no live stream ({reason}); its open orders are listed every few seconds instead."
    if status.state is StreamState.STOPPED:
        return (f"{name}: the live stream stopped ({reason}); the table is no longer updated as orders change: "
                "Refresh or the auto-refresh keeps it current.")
    return ""


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
        self._bar = bar
        self.streams: dict[Market, QLabel] = {}  # one label per streamed market, made on first use
        self._progress_value = 0
        self._progress_later = QTimer(self, singleShot=True, interval=PROGRESS_EVERY_MS)
        self._progress_later.timeout.connect(lambda: self.progress.setValue(self._progress_value))

    # -- the sentence ------------------------------------------------------------------------------

    def say(self, text: str) -> None:
        self.message.setStyleSheet("")
        self._show(text)

    def _show(self, text: str) -> None:
        """The sentence, and in its tooltip too: a narrow bar cuts a long one (a fallback's reason) mid-word."""
        self.message.setText(text)
        self.message.setToolTip(text)

    def show_error(self, text: str) -> None:
        """Errors are one sentence in the status bar, in red: never a traceback, never a blocking box."""
        log.warning("shown to user: %s", text)
        self.message.setStyleSheet("QLabel { color: #d32f2f; font-weight: bold; }")
        self._show(text)
        self.errorShown.emit(text)

    def withdraw(self, text: str) -> None:
        """This sentence, if still shown, is no longer true."""
        if self.message.text() == text:
            self.message.clear()
            self.message.setToolTip("")

    # -- the live stream, per market -------------------------------------------------------------

    def show_stream(self, market: Market, text: str, tip: str) -> None:
        label = self.streams.get(market)
        if label is None:
            label = self.streams[market] = QLabel(self._bar)
            label.setObjectName(f"stream-{market.value}")
            self._bar.addPermanentWidget(label)
        if label.text() != text:  # asked once per burst of events: only a new second repaints it
            label.setText(text)
        if label.toolTip() != tip:
            label.setToolTip(tip)
        label.show()

    def clear_streams(self) -> None:
        """No stream (another account, or none could be started): no label claims one."""
        for label in self.streams.values():
            label.clear()
            label.hide()

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
