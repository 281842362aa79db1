"""The second toolbar: the auto-refresh of open orders every N s, and Gate's dead-man switch with its countdown.

It talks up only with signals; its network calls run as jobs of the window's controller."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QSpinBox, QToolBar, QWidget

from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.domain.markets import FUTURES, Market
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.risk.deadman import MIN_TIMEOUT_S, Armed, DeadManSwitch
from gatecancel_gui.ui.jobs import CallJob, JobController, JobResult

log = logging.getLogger(__name__)
ALL_PAIRS = "All spot pairs"  # Gate keeps one switch per market: this one is spot's alone
MIN_REFRESH_EVERY_S = 2  # two open-order listings every 2 s stay far inside Gate's 200 per 10 s


class RiskToolbar(QToolBar):
    armedChanged = Signal(bool)    # noqa: N815
    refreshDue = Signal()          # noqa: N815  time for an auto-refresh
    message = Signal(str)
    errorRaised = Signal(str)      # noqa: N815

    def __init__(self, jobs: JobController, parent: QWidget | None = None) -> None:
        super().__init__("Risk", parent)
        self.jobs = jobs
        self.client: GateClient | None = None
        self.setObjectName("risk-toolbar")
        self.setMovable(False)
        self.auto_refresh = QCheckBox("Auto-refresh every", self)
        self.auto_refresh.setToolTip("Poll open orders; new ones are marked ★ new, vanished ones – gone")
        self.refresh_every = QSpinBox(self)
        self.refresh_every.setRange(MIN_REFRESH_EVERY_S, 300)
        self.refresh_every.setValue(5)
        self.refresh_every.setSuffix(" s")
        self.addWidget(self.auto_refresh)
        self.addWidget(self.refresh_every)
        self.addSeparator()
        self.arm_box = QCheckBox("Dead-man switch:", self)
        self.arm_box.setToolTip("Gate cancels every open order in the scope unless this app renews the countdown "
                                "in time (renewed at a third of the timeout); unticking disarms it")
        self.switch_timeout = QSpinBox(self)
        self.switch_timeout.setRange(MIN_TIMEOUT_S, 3600)
        self.switch_timeout.setValue(60)
        self.switch_timeout.setSuffix(" s")
        self.switch_scope = QComboBox(self)
        self.switch_scope.addItem(ALL_PAIRS, (Market.SPOT.value, ""))
        for market in FUTURES:  # each market has its own switch on Gate
            self.switch_scope.addItem(f"All {market.display_name}", (market.value, ""))
        self.countdown = QLabel("off", self)
        self.countdown.setMinimumWidth(150)
        for widget in (self.arm_box, self.switch_timeout, self.switch_scope, self.countdown):
            self.addWidget(widget)
        self.switch: DeadManSwitch | None = None
        self.pending: CallJob | None = None   # an arm or disarm under way
        # the renewal thread's news reaches the GUI thread through the jobs' one bridge
        self._renewed = jobs.bridge.call(self._show_countdown)
        self._failed = jobs.bridge.call(self.errorRaised.emit)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.timeout.connect(self.refreshDue)
        self._tick = QTimer(self)
        self._tick.setInterval(250)
        self._tick.timeout.connect(self._show_countdown)
        self.auto_refresh.toggled.connect(self._auto_refresh_toggled)
        self.refresh_every.valueChanged.connect(lambda s: self._refresh_timer.setInterval(s * 1000))
        self.arm_box.clicked.connect(self._arm_clicked)

    def set_client(self, client: GateClient | None) -> None:
        """The account the switch acts on (the window never switches account while it is armed)."""
        self.client = client

    # -- auto-refresh ------------------------------------------------------------------------------

    def _auto_refresh_toggled(self, on: bool) -> None:
        if on:
            self._refresh_timer.start(self.refresh_every.value() * 1000)
        else:
            self._refresh_timer.stop()

    # -- dead-man switch ---------------------------------------------------------------------------

    def set_pairs(self, pairs: list[str], contracts: dict[Market, list[str]] | None = None) -> None:
        """The scopes the switch offers: all spot pairs or one, and per futures settlement all its contracts
        or one (Gate keeps one switch per market)."""
        current = self.switch_scope.currentText()
        self.switch_scope.blockSignals(True)
        self.switch_scope.clear()
        self.switch_scope.addItem(ALL_PAIRS, (Market.SPOT.value, ""))
        for pair in pairs:
            self.switch_scope.addItem(pair, (Market.SPOT.value, pair))
        for market in FUTURES:
            self.switch_scope.addItem(f"All {market.display_name}", (market.value, ""))
            for contract in (contracts or {}).get(market, []):
                self.switch_scope.addItem(f"{market.display_name} {contract}", (market.value, contract))
        index = self.switch_scope.findText(current)
        self.switch_scope.setCurrentIndex(index if index >= 0 else 0)
        self.switch_scope.blockSignals(False)

    @property
    def armed(self) -> bool:
        return self.switch is not None

    def _arm_clicked(self, checked: bool) -> None:
        if checked:
            self.arm()
        else:
            self.disarm()

    def arm(self) -> None:
        if self.client is None or self.pending is not None or self.armed:
            self.arm_box.setChecked(self.armed)
            return
        market_value, instrument = self.switch_scope.currentData() or (Market.SPOT.value, "")
        try:
            switch = DeadManSwitch(self.client, self.switch_timeout.value(),
                                   Scope(instrument or None, market=Market(market_value)),
                                   on_renewed=self._renewed, on_failed=self._failed)
        except ConfigError as exc:
            self.errorRaised.emit(str(exc))
            self.arm_box.setChecked(False)
            return
        self._run(switch.arm, lambda result: self._armed(switch, result))

    def _armed(self, switch: DeadManSwitch, result: JobResult) -> None:
        if not result.ok:
            self.errorRaised.emit(f"The dead-man switch was not armed: {result.error}")
            self.arm_box.setChecked(False)
            return
        self.switch = switch
        self._set_editable(False)
        self._tick.start()
        self._show_countdown()
        self.message.emit(f"Dead-man switch armed for {switch.scope.where()}: Gate cancels every open order there "
                          f"if this app stops renewing for {switch.timeout_s} s.")
        self.armedChanged.emit(True)

    def disarm(self) -> None:
        """Tell Gate to cancel nothing (timeout 0), off the GUI thread; `armedChanged(False)` follows."""
        switch = self.switch
        if switch is None or self.pending is not None:
            self.arm_box.setChecked(self.armed)
            return
        self._run(switch.disarm, self._disarmed)

    def _disarmed(self, result: JobResult) -> None:
        if not result.ok:
            self.errorRaised.emit(f"Disarming the dead-man switch failed: {result.error} It is still counting down.")
            self.arm_box.setChecked(True)
            return
        self.switch = None
        self._tick.stop()
        self._set_editable(True)
        self.countdown.setText("off")
        self.countdown.setStyleSheet("")
        self.message.emit("Dead-man switch disarmed.")
        self.armedChanged.emit(False)

    def abandon(self) -> None:
        """Stop renewing without waiting (the window is closing after a failed disarm): Gate fires the
        switch when the countdown runs out, which cancels the scope's orders: the safe side."""
        if self.switch is not None:
            self.switch.stop()
            self.switch = None
            self._tick.stop()

    def _run(self, call: Callable[[], object], then: Callable[[JobResult], None]) -> None:
        self.arm_box.setEnabled(False)
        job = self.pending = CallJob(call)

        def finished(result: JobResult) -> None:
            self.pending = None
            self.arm_box.setEnabled(True)
            then(result)

        self.jobs.start(job, finished, exclusive=False)

    def _set_editable(self, editable: bool) -> None:
        self.switch_timeout.setEnabled(editable)
        self.switch_scope.setEnabled(editable)

    def _show_countdown(self, _armed: Armed | None = None) -> None:
        left = self.switch.seconds_left() if self.switch is not None else None
        if left is None or self.switch is None:
            return
        if left <= 0 and self.switch.last is not None:  # what Gate was last told has come to pass
            fired_at = time.strftime("%H:%M:%S", time.gmtime(self.switch.last.trigger_ms / 1000))
            self.countdown.setText(f"LAPSED · no renewal reached Gate: it fired at {fired_at} UTC")
            self.countdown.setStyleSheet("QLabel { color: #ffffff; background: #c62828; font-weight: bold; }")
            return
        self.countdown.setText(f"ARMED · fires in {left:4.0f} s")
        urgent = left < max(5.0, self.switch.timeout_s / 3)
        self.countdown.setStyleSheet("QLabel { color: #ffffff; background: #c62828; font-weight: bold; }" if urgent
                                     else "QLabel { color: #ffffff; background: #ef6c00; font-weight: bold; }")
