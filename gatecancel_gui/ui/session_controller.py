"""Which account the window works on: the profiles, switching between them, and keeping the current
account's connections warm.

Opening a profile reads the keyring, which may wait (a locked keyring asks its user), so it runs as a job;
a session without a saved profile (the demo) is kept open when the trader switches away, one click from
coming back. The window decides whether a switch may happen (no job running, the dead-man switch off)
and redraws the account chooser; this part owns the sessions themselves.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from gatecancel_gui.core.app.session import Session, open_profile
from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.gate.warmth import WARM_EVERY_S, ConnectionWarmer
from gatecancel_gui.core.store.profiles import ProfileStore
from gatecancel_gui.ui.jobs import CallJob, JobController, JobResult
from gatecancel_gui.ui.theme import ENVIRONMENT_BADGES


class SessionController(QObject):
    opened = Signal(object)    # a Session to switch to (opened off the GUI thread, or kept)
    openFailed = Signal(str)   # noqa: N815  the profile chosen could not be opened
    errorRaised = Signal(str)  # noqa: N815

    def __init__(self, session: Session | None, profiles: ProfileStore, jobs: JobController, *,
                 warm_every_s: float = WARM_EVERY_S, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.profiles = profiles
        self.jobs = jobs
        self.warmer: ConnectionWarmer | None = None
        self._kept: dict[str, Session] = {}  # sessions with no saved profile (the demo): switch back to them
        self._warm_every_s = warm_every_s
        self.keep_warm()

    @property
    def environment(self) -> str:
        return self.session.environment if self.session else ""

    @property
    def environment_label(self) -> str:
        return ENVIRONMENT_BADGES.get(self.environment, ("?",))[0]

    def names(self) -> list[str]:
        """What the account chooser lists: kept sessions, then the saved profiles, and the current one."""
        names = []
        try:
            names = [p.name for p in self.profiles.all()]
        except ConfigError as exc:
            self.errorRaised.emit(str(exc))
        names = [n for n in self._kept if n not in names] + names
        if self.session is not None and self.session.name not in names:
            names.insert(0, self.session.name)
        return names

    def switch(self, session: Session | None) -> None:
        """Make `session` current: the one left is closed, or kept if it has no saved profile."""
        if self.session is not None and self.session is not session:
            if self._has_profile(self.session.name):
                self.session.close()
            else:
                self._kept[self.session.name] = self.session  # e.g. the demo: it stays one click away
        self.session = session
        self.keep_warm()

    def keep_warm(self) -> None:
        """The session's connections are opened now, not at the first click, and kept warm while the
        window shows it (a background thread; stopping it never waits)."""
        self.stop_warming()
        if self.session is not None:
            self.warmer = ConnectionWarmer(self.session.client, interval_s=self._warm_every_s).start()

    def stop_warming(self) -> None:
        if self.warmer is not None:
            self.warmer.stop()
            self.warmer = None

    def _has_profile(self, name: str) -> bool:
        try:
            return self.profiles.get(name) is not None
        except ConfigError:
            return False

    def all(self) -> list[Session]:
        """The current session and the kept ones (to close at exit)."""
        return ([self.session] if self.session else []) + [s for s in self._kept.values() if s is not self.session]

    def open(self, name: str) -> bool:
        """Open the profile chosen; `opened` or `openFailed` follows. True if that happens later, off the
        GUI thread (the keyring is read there: a locked one may wait)."""
        if self.session is not None and name == self.session.name:
            return False
        if name in self._kept:
            self.opened.emit(self._kept.pop(name))
            return False
        try:
            profile = self.profiles.get(name)
        except ConfigError as exc:
            self.openFailed.emit(str(exc))
            return False
        if profile is None:
            return False

        def done(result: JobResult) -> None:
            if result.ok:
                self.opened.emit(result.value)
            else:
                self.openFailed.emit(result.error or "Switching account was stopped.")

        self.jobs.start(CallJob(lambda: open_profile(profile)), done, exclusive=False)
        return True
