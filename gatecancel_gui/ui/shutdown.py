"""Closing the window, in one place, without ever waiting on the GUI thread.

A close while a job runs or the dead-man switch is armed asks first if a cancel is running, then stops
every job and disarms the switch in the background, and closes when the last thread has ended (`idle`).
The live stream is stopped in `release` (the window's last moment), its threads waited for a few
milliseconds at most (live_feed.STOP_BEFORE_CLOSE_S).
Every armed guard is stopped as a job too (bounded), and the window closes when it has ended.
A clean exit never leaves Gate counting down: if the disarm failed, the window says so and lets Gate fire
(which cancels the scope's orders: the safe side). What must outlive the window (its geometry, the table's
header, the last account) is saved as it goes, under the keys it is restored from at start.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QMainWindow, QTableView

from gatecancel_gui.ui.guard_controller import GuardController
from gatecancel_gui.ui.jobs import JobController
from gatecancel_gui.ui.order_rows import COLUMNS
from gatecancel_gui.ui.risk_toolbar import RiskToolbar
from gatecancel_gui.ui.status_line import StatusLine

log = logging.getLogger(__name__)

# The table header's saved widths and order belong to one column layout: a new layout starts fresh rather
# than inheriting widths meant for other columns.
HEADER_KEY = "window/header/" + "-".join(c.key for c in COLUMNS)


def restore_state(window: QMainWindow, view: QTableView) -> None:
    settings = QSettings()
    geometry = settings.value("window/geometry")
    if geometry is not None:
        window.restoreGeometry(geometry)
    header = settings.value(HEADER_KEY)  # saved under the column layout it belongs to
    if header is not None:
        view.horizontalHeader().restoreState(header)


class Shutdown(QObject):
    readyToClose = Signal()  # noqa: N815  everything has ended: close now
    changed = Signal()       # closing began (the actions follow)

    def __init__(self, window: QMainWindow, view: QTableView, jobs: JobController, risk: RiskToolbar,
                 status: StatusLine, *, cancelling: Callable[[], bool], ask: Callable[[str, str, str], bool],
                 last_profile: Callable[[], str | None], release: Callable[[], None],
                 guards: GuardController | None = None) -> None:
        super().__init__(window)
        self.guards = guards
        self._window, self._view, self.jobs, self.risk, self.status = window, view, jobs, risk, status
        self._cancelling, self._ask, self._last_profile, self._release = cancelling, ask, last_profile, release
        self.closing = False      # a close is waiting for the jobs to end
        self._may_close = False
        self._disarm_tried = False
        jobs.idle.connect(self._idle)

    def close_event(self, event: QCloseEvent) -> None:
        """Never wait here: stop the jobs (and disarm the dead-man switch) in the background, and close
        when the last of them has ended (`_idle`)."""
        guarding = self.guards is not None and self.guards.active
        if not self._may_close and (self.jobs.alive or self.risk.armed or guarding):
            if self._cancelling() and not self.closing and not self._ask(
                    "A cancel is running",
                    "A cancel is running. Stop sending, wait for the requests in flight and close?",
                    "&Yes, stop and close"):
                event.ignore()
                return
            self.closing = True
            self.jobs.stop_all()
            if self.guards is not None:
                self.guards.close()  # each guard stopped as a job: the close waits for it below
            self._disarm_before_closing()
            if self.jobs.alive:  # (the question may have let everything end meanwhile: then close now)
                self.status.say("Closing after the requests in flight are answered"
                                + (" and the dead-man switch is disarmed…" if self.risk.armed
                                   else " and the guard has stopped…" if guarding else "…"))
                self.changed.emit()
                event.ignore()
                return
        settings = QSettings()
        settings.setValue("window/geometry", self._window.saveGeometry())
        settings.setValue(HEADER_KEY, self._view.horizontalHeader().saveState())
        last = self._last_profile()
        if last is not None:
            settings.setValue("session/last_profile", last)
        self._release()
        event.accept()

    def _disarm_before_closing(self) -> None:
        if self.risk.armed and self.risk.pending is None and not self._disarm_tried:
            self._disarm_tried = True
            self.risk.disarm()  # a clean exit never leaves Gate counting down

    def _idle(self) -> None:
        if not self.closing:
            return
        self._disarm_before_closing()  # armed while the close waited (an arm that was under way)
        if self.guards is not None and self.guards.active:
            self.guards.close()  # (one already stopping is left to its job)
        if self.jobs.alive:
            return
        if self.risk.armed:  # the disarm failed (its error is shown): Gate fires, cancelling the scope
            log.warning("closing with the dead-man switch still armed: it will fire")
            self.risk.abandon()
        self._may_close = True
        self.readyToClose.emit()
