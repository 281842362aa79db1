"""The window's guards: arming one (its start off the GUI thread, as a job), its news to the GUI thread through
the jobs' one bridge, its outcomes onto the rows through the merge rule, its banner, and stopping it (Stop,
its time up, window close, another account): told at once, its threads waited for as a job, bounded, never on
the GUI thread.

Several guards may run at once, never two whose scopes overlap (two guards racing to cancel one order).
A guard that stops by itself (an error) is never silent: the status bar says why, in red.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.domain.orders import OrderKind
from gatecancel_gui.core.domain.outcomes import CancelOutcome
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.risk.guard import Guard, GuardState, GuardStatus
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.core.stream.settings import StreamSettings
from gatecancel_gui.ui.bridge import Burst
from gatecancel_gui.ui.guard_banner import GuardBanner
from gatecancel_gui.ui.guard_dialog import GuardChoice, overlaps
from gatecancel_gui.ui.jobs import CallJob, JobController, JobResult
from gatecancel_gui.ui.orders_model import OrdersModel
from gatecancel_gui.ui.theme import BY_GUARD

log = logging.getLogger(__name__)
MakeGuard = Callable[..., Any]  # Guard's constructor (tests inject a scripted one)
STOP_JOIN_S = 5.0   # a stop job waits this long at most for the guard's threads
TICK_MS = 1000      # the banners' time left
MAX_CLAIMED = 20_000  # guard outcomes kept for rows the stream has not shown yet


def by_guard(outcome: CancelOutcome) -> CancelOutcome:
    """The guard's outcome in the table's words: its cancel reads "✔ cancelled · guard"."""
    if outcome.message.endswith(BY_GUARD):
        return outcome
    if outcome.succeeded:
        return replace(outcome, message=f"cancelled {BY_GUARD}")
    return replace(outcome, message=f"{outcome.message or outcome.label or outcome.state.value} · {BY_GUARD}")


@dataclass(eq=False)
class Armed:
    """One guard the window runs: what was chosen, the guard itself, its banner and its last status."""

    choice: GuardChoice
    guard: Any
    banner: GuardBanner
    ends_at: float
    status: GuardStatus | None = None
    stopping: str = ""    # the reason this window asked it to stop ("" : it was not asked)
    started: bool = False
    done: bool = False

    @property
    def where(self) -> str:
        return self.choice.where()


class GuardController(QObject):
    changed = Signal()         # a guard armed or ended (the actions and the account chooser follow)
    message = Signal(str)
    errorRaised = Signal(str)  # noqa: N815

    def __init__(self, jobs: JobController, host: QWidget, models: dict[OrderKind, OrdersModel], *,
                 make_guard: MakeGuard = Guard, journal: Callable[[], Journal | None] = lambda: None,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs, self.host, self.models = jobs, host, models
        self.make_guard = make_guard
        self._journal = journal
        self.armed: list[Armed] = []
        self.closing = False
        self._claimed: dict[str, CancelOutcome] = {}  # the guards' outcomes by row key (rows may come later)
        self._layout = QVBoxLayout(host)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(2)
        host.setVisible(False)
        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self._show_left)
        for model in models.values():
            model.rowsInserted.connect(lambda _parent, first, last, model=model: self._rows_came(model, first, last))

    @property
    def active(self) -> bool:
        return bool(self.armed)

    def refusal(self, choice: GuardChoice) -> str:
        """Why this guard may not be armed now ("" : it may)."""
        for armed in self.armed:
            if overlaps(armed.choice, choice):
                return (f"A guard on {armed.where} is already armed and overlaps {choice.where()}: stop it first, "
                        "or choose a scope that does not overlap.")
        return ""

    # -- arming --------------------------------------------------------------------------------------

    def arm(self, client: GateClient, choice: GuardChoice, settings: StreamSettings | None = None) -> Armed | None:
        """Make the guard and start it off the GUI thread; its banner shows at once ("arming")."""
        if self.closing or self.refusal(choice):
            return None
        banner = GuardBanner(choice.where(), self.host)
        holder: list[Armed] = []
        on_status = self.jobs.bridge.call(lambda status: self._status(holder[0], status))
        burst: Burst[CancelOutcome] = self.jobs.bridge.burst(lambda outcomes: self._outcomes(holder[0], outcomes))
        try:
            guard = self.make_guard(client, choice.scope(), choice.duration_s, journal=self._journal(),
                                    on_outcome=burst.put, on_status=on_status, stream_settings=settings)
        except ConfigError as exc:  # expected (e.g. a scope the guard cannot keep): one sentence
            banner.deleteLater()
            self.errorRaised.emit(f"The guard was not armed: {exc}")
            return None
        except Exception as exc:
            log.exception("the guard could not be made")
            banner.deleteLater()
            self.errorRaised.emit(f"The guard was not armed ({type(exc).__name__}); details are in the log.")
            return None
        armed = Armed(choice, guard, banner, time.time() + choice.duration_s)
        holder.append(armed)
        banner.stopRequested.connect(lambda: self.stop(armed, "Stop was pressed."))
        banner.show_left(choice.duration_s)
        self._layout.addWidget(banner)
        self.host.setVisible(True)
        self.armed.append(armed)
        self._tick.start()
        self.changed.emit()
        self.jobs.start(CallJob(guard.start), lambda result: self._started(armed, result), exclusive=False)
        return armed

    def _started(self, armed: Armed, result: JobResult) -> None:
        if not result.ok:
            self._ended(armed)
            self.errorRaised.emit(f"The guard on {armed.where} was not armed: {result.error or 'stopped.'}")
            return
        armed.started = True
        if not armed.done and not armed.stopping:
            self.message.emit(f"Guard armed on {armed.where} for {armed.choice.duration_s / 60:g} min.")

    # -- stopping --------------------------------------------------------------------------------------

    def stop(self, armed: Armed, reason: str) -> None:
        """Tell the guard to stop (its `stop` returns at once) and wait for its threads as a job, STOP_JOIN_S at
        most: the GUI thread never waits on them."""
        if armed.done or armed.stopping:
            return
        armed.stopping = reason
        armed.banner.show_stopping()
        guard = armed.guard
        try:  # returns at once (it sets the guard's stop and wakes its waits): told now, before e.g. an
            guard.stop(reason)  # account switch closes its client
        except Exception:
            log.exception("stopping the guard on %s", armed.where)
        # its threads are waited for off the GUI thread, bounded
        self.jobs.start(CallJob(lambda: guard.join(STOP_JOIN_S)), lambda result: self._stopped(armed, result),
                        exclusive=False)

    def stop_all(self, reason: str) -> None:
        """Stop every guard (one still arming too: stop may come while its start runs)."""
        for armed in list(self.armed):
            self.stop(armed, reason)

    def close(self) -> None:
        """The window is closing: stop every guard, and arm none from now on."""
        self.closing = True
        self.stop_all("The window closed.")

    def _stopped(self, armed: Armed, result: JobResult) -> None:
        if not result.ok:
            log.warning("stopping the guard on %s: %s", armed.where, result.error)
        if not armed.done:
            self._ended(armed)
            self.message.emit(f"Guard on {armed.where} stopped: {armed.stopping} "
                              f"{self._cancelled(armed)} cancelled.")

    def release(self) -> None:
        """The window's last moment: any guard still running is told to stop (bounded; nothing waited for)."""
        for armed in list(self.armed):
            try:
                armed.guard.stop("The window closed.")
            except Exception:
                log.exception("stopping the guard on %s", armed.where)
            self._ended(armed)

    # -- news, on the GUI thread ---------------------------------------------------------------------

    def _status(self, armed: Armed, status: GuardStatus) -> None:
        if armed.done:
            return
        armed.status = status
        armed.ends_at = status.ends_at or armed.ends_at
        if status.last is not None:
            self._outcomes(armed, [status.last])
        if status.state is GuardState.STOPPED:
            self._ended(armed)
            reason = status.reason or "Stopped."
            said = f"Guard on {armed.where} ended: {reason} {status.cancelled} cancelled."
            if armed.stopping:
                self.message.emit(f"Guard on {armed.where} stopped: {armed.stopping} {status.cancelled} cancelled.")
            elif time.time() >= status.ends_at - 1.0:  # its time is up: the expected end
                self.message.emit(said)
            else:  # it stopped by itself: never silently
                self.errorRaised.emit(f"The guard on {armed.where} stopped by itself: {reason} "
                                      f"{status.cancelled} cancelled.")
            return
        armed.banner.show_status(status.state.value, status.cancelled, status.acted_on,
                                 by_guard(status.last) if status.last else None, status.note)
        if armed.stopping:
            armed.banner.show_stopping()

    def _outcomes(self, armed: Armed, outcomes: list[CancelOutcome]) -> None:
        tagged = [by_guard(o) for o in outcomes]
        for outcome in tagged:
            if len(self._claimed) >= MAX_CLAIMED:
                self._claimed.pop(next(iter(self._claimed)))
            self._claimed[outcome.ref.key] = outcome
        by_kind: dict[OrderKind, list[CancelOutcome]] = {}
        for outcome in tagged:
            by_kind.setdefault(outcome.ref.kind, []).append(outcome)
        for kind, group in by_kind.items():
            model = self.models.get(kind)
            if model is not None:
                model.claim(group)

    def _rows_came(self, model: OrdersModel, first: int, last: int) -> None:
        """Rows the stream put after the guard's word about them: that word goes on them (after the insert)."""
        if not self._claimed:
            return
        keys = [model.order_at(row).key for row in range(first, last + 1)]
        found = [self._claimed[key] for key in keys if key in self._claimed]
        if found:
            self.jobs.bridge.post(lambda: model.claim(found))

    def _ended(self, armed: Armed) -> None:
        if armed.done:
            return
        armed.done = True
        if armed in self.armed:
            self.armed.remove(armed)
        self._layout.removeWidget(armed.banner)
        armed.banner.hide()
        armed.banner.deleteLater()
        if not self.armed:
            self._tick.stop()
            self.host.setVisible(False)
        self.changed.emit()

    def _show_left(self) -> None:
        now = time.time()
        for armed in self.armed:
            armed.banner.show_left(armed.ends_at - now)

    @staticmethod
    def _cancelled(armed: Armed) -> int:
        return armed.status.cancelled if armed.status else 0

