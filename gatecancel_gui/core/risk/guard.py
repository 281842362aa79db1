"""The guard: keep a scope flat while it is armed, cancelling every new order in it the moment it appears.

(Interface fixed first so that the window and the command line can be built against it.)

Armed for a Scope (one market or every market; a pair or contract; a side; optionally a text prefix such as
one bot's "t-bot1-") and a duration, it cancels what is open in the scope (the same engine and truth rules
as every cancel), then cancels each order the live stream shows appearing in the scope, as it arrives.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

from gatecancel_gui.core.domain.outcomes import CancelOutcome
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.core.stream.settings import StreamSettings


class GuardState(str, Enum):
    ARMING = "arming"      # cancelling what the scope holds now, opening the stream
    ARMED = "armed"        # following the stream; every new order in the scope is cancelled as it appears
    STOPPED = "stopped"    # ended: its time is up, Stop, exit, the session closed, or an error (reason says)


@dataclass(frozen=True, slots=True)
class GuardStatus:
    state: GuardState
    scope: Scope
    ends_at: float                 # time.time() when the guard ends by itself
    cancelled: int = 0             # orders it cancelled (confirmed by Gate)
    acted_on: int = 0              # orders it sent a cancel for (cancelled, filled first, rejected, unknown)
    last: CancelOutcome | None = None  # the last order it acted on, as it ended
    note: str = ""                 # e.g. "waiting for the cancel budget", "stream down: listing every 1 s"
    reason: str = ""               # STOPPED: why, in one sentence


OnOutcome = Callable[[CancelOutcome], None]
OnStatus = Callable[[GuardStatus], None]


class Guard:
    """One armed guard. `start()` returns at once (its work runs on its own threads); `stop(reason)` may
    come from any thread and is bounded; callbacks come on the guard's threads."""

    def __init__(self, client: GateClient, scope: Scope, duration_s: float, *, journal: Journal | None = None,
                 on_outcome: OnOutcome, on_status: OnStatus,
                 stream_settings: StreamSettings | None = None) -> None:
        raise NotImplementedError

    def start(self) -> None:
        raise NotImplementedError

    def stop(self, reason: str = "Stopped.") -> None:
        raise NotImplementedError

    def join(self, timeout_s: float) -> None:
        raise NotImplementedError

    @property
    def status(self) -> GuardStatus:
        raise NotImplementedError
