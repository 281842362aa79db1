"""The second toolbar: live refresh of open orders, and Gate's dead-man switch with a live countdown."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QSpinBox, QToolBar

from gatecancel_gui.core.deadman import MIN_TIMEOUT_S, Armed, DeadManSwitch
from gatecancel_gui.core.errors import ConfigError, GateError
from gatecancel_gui.ui.workers import CallJob, JobResult

log = logging.getLogger(__name__)
ALL_PAIRS = "All pairs"
MIN_LIVE_INTERVAL_S = 2  # two open-order listings every 2 s stay far inside Gate's 200 per 10 s


class _Bridge(QObject):
    """Carries the renewal thread's news to the GUI thread as queued signals."""

    renewed = Signal(object)
    failed = Signal(str)


class RiskToolbar(QToolBar):
    armedChanged = Signal(bool)   # noqa: N815
    liveTick = Signal()           # noqa: N815  time for a live refresh

    def __init__(self, window: Any) -> None:
        super().__init__("Risk", window)
        self.window = window
        self.setObjectName("risk-toolbar")
        self.setMovable(False)
        self.live = QCheckBox("Live refresh every", self)
        self.live.setToolTip("Poll open orders; new ones are marked ★ new, vanished ones – gone")
        self.live_interval = QSpinBox(self)
        self.live_interval.setRange(MIN_LIVE_INTERVAL_S, 300)
        self.live_interval.setValue(5)
        self.live_interval.setSuffix(" s")
        self.addWidget(self.live)
        self.addWidget(self.live_interval)
        self.addSeparator()
        self.deadman = QCheckBox("Dead-man switch:", self)
        self.deadman.setToolTip("Gate cancels every open order in the scope unless this app renews the countdown "
                                "in time (renewed at a third of the timeout); unticking disarms it")
        self.deadman_timeout = QSpinBox(self)
        self.deadman_timeout.setRange(MIN_TIMEOUT_S, 3600)
        self.deadman_timeout.setValue(60)
        self.deadman_timeout.setSuffix(" s")
        self.deadman_scope = QComboBox(self)
        self.deadman_scope.addItem(ALL_PAIRS)
        self.countdown = QLabel("off", self)
        self.countdown.setMinimumWidth(150)
        for widget in (self.deadman, self.deadman_timeout, self.deadman_scope, self.countdown):
            self.addWidget(widget)
        self.switch: DeadManSwitch | None = None
        self.job: CallJob | None = None
        self._bridge = _Bridge(self)
        self._bridge.renewed.connect(self._show_countdown)
        self._bridge.failed.connect(window.show_error)
        self._live_timer = QTimer(self)
        self._live_timer.timeout.connect(self.liveTick)
        self._tick = QTimer(self)
        self._tick.setInterval(250)
        self._tick.timeout.connect(self._show_countdown)
        self.live.toggled.connect(self._live_toggled)
        self.live_interval.valueChanged.connect(lambda s: self._live_timer.setInterval(s * 1000))
        self.deadman.clicked.connect(self._deadman_clicked)

    # -- live refresh ------------------------------------------------------------------------------

    def _live_toggled(self, on: bool) -> None:
        if on:
            self._live_timer.start(self.live_interval.value() * 1000)
        else:
            self._live_timer.stop()

    # -- dead-man switch ---------------------------------------------------------------------------

    def set_pairs(self, pairs: list[str]) -> None:
        current = self.deadman_scope.currentText()
        self.deadman_scope.blockSignals(True)
        self.deadman_scope.clear()
        self.deadman_scope.addItems([ALL_PAIRS, *pairs])
        self.deadman_scope.setCurrentText(current if current in pairs else ALL_PAIRS)
        self.deadman_scope.blockSignals(False)

    @property
    def armed(self) -> bool:
        return self.switch is not None

    def _deadman_clicked(self, checked: bool) -> None:
        if checked:
            self.arm()
        else:
            self.disarm()

    def arm(self) -> None:
        session = self.window.session
        if session is None or self.job is not None:
            self.deadman.setChecked(self.armed)
            return
        scope = self.deadman_scope.currentText()
        try:
            switch = DeadManSwitch(session.client, self.deadman_timeout.value(),
                                   None if scope == ALL_PAIRS else scope,
                                   on_renewed=self._bridge.renewed.emit, on_failed=self._bridge.failed.emit)
        except ConfigError as exc:
            self.window.show_error(str(exc))
            self.deadman.setChecked(False)
            return
        self._run(switch.arm, lambda result: self._armed(switch, result))

    def _armed(self, switch: DeadManSwitch, result: JobResult) -> None:
        if not result.ok:
            self.window.show_error(f"The dead-man switch was not armed: {result.error}")
            self.deadman.setChecked(False)
            return
        self.switch = switch
        self._set_editable(False)
        self._tick.start()
        self._show_countdown()
        scope = self.deadman_scope.currentText().lower()
        self.window.say(f"Dead-man switch armed for {scope}: Gate cancels every open order there if this app "
                        f"stops renewing for {switch.timeout_s} s.")
        self.armedChanged.emit(True)

    def disarm(self) -> None:
        switch = self.switch
        if switch is None or self.job is not None:
            self.deadman.setChecked(self.armed)
            return
        self._run(switch.disarm, self._disarmed)

    def _disarmed(self, result: JobResult) -> None:
        if not result.ok:
            self.window.show_error(f"Disarming the dead-man switch failed: {result.error} It is still counting down.")
            self.deadman.setChecked(True)
            return
        self.switch = None
        self._tick.stop()
        self._set_editable(True)
        self.countdown.setText("off")
        self.countdown.setStyleSheet("")
        self.window.say("Dead-man switch disarmed.")
        self.armedChanged.emit(False)

    def disarm_now(self) -> None:
        """On exit: disarm synchronously (bounded by the client's timeout) so nothing fires after we leave."""
        if self.job is not None:
            self.job.wait(10_000)
        if self.switch is not None:
            try:
                self.switch.disarm()
            except GateError as exc:
                log.warning("could not disarm the dead-man switch on exit: %s", exc.label)
            self.switch = None

    def _run(self, call: Any, then: Any) -> None:
        self.deadman.setEnabled(False)
        self.job = CallJob(call, self)

        def finished(result: JobResult) -> None:
            if self.job is not None:
                self.job.wait(5000)
                self.job.deleteLater()
            self.job = None
            self.deadman.setEnabled(True)
            then(result)

        self.job.done.connect(finished)
        self.job.start()

    def _set_editable(self, editable: bool) -> None:
        self.deadman_timeout.setEnabled(editable)
        self.deadman_scope.setEnabled(editable)

    def _show_countdown(self, _armed: Armed | None = None) -> None:
        left = self.switch.seconds_left() if self.switch is not None else None
        if left is None:
            return
        self.countdown.setText(f"ARMED · fires in {left:4.0f} s")
        urgent = left < max(5.0, self.switch.timeout_s / 3)
        self.countdown.setStyleSheet("QLabel { color: #ffffff; background: #c62828; font-weight: bold; }" if urgent
                                     else "QLabel { color: #ffffff; background: #ef6c00; font-weight: bold; }")
