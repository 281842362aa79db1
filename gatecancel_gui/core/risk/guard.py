"""The guard: keep a scope flat while it is armed, cancelling every new order in it the moment it appears.

Armed for a Scope (one market or every market; a pair or contract; a side; optionally a text prefix such as
one bot's "t-bot1-") and a duration, it cancels what is open in the scope (the same engine and truth rules
as every cancel), then cancels each order the live stream shows appearing in the scope, as it arrives.

How it runs: one thread of its own (the "guard" thread) lists and cancels the scope, then waits for what
the stream hands it. The stream's threads only put the new orders of the scope in a queue and wake it; each
wake-up takes everything queued (one burst shares requests, 20 orders a request) and cancels it through one
CancelRun, the engine every cancel uses, under the account's one cancel budget, on a thread of its own: the
next burst does not wait for the last one's answer (a round trip, and a look-up for an order that filled
first), so each order's cancel leaves as soon as the stream shows it. Up to RUNS_IN_FLIGHT runs are out at
once; past that the next burst gathers in the queue, so a bot faster than the budget is met with fuller
requests, not more. Outcomes are handed over once each, as they ended (the run's report), never an
in-flight one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from enum import Enum
from typing import Any

from gatecancel_gui.core.cancel.by_market import batch_method_for
from gatecancel_gui.core.cancel.cancel_all import list_scope
from gatecancel_gui.core.cancel.method import MAX_BATCH
from gatecancel_gui.core.cancel.run import CancelRun, CancelSettings
from gatecancel_gui.core.domain.errors import ConfigError, GateError, Stopped
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order, OrderKind
from gatecancel_gui.core.domain.outcomes import GONE_LABELS, CancelOutcome, OutcomeState
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.core.stream.account import AccountStream
from gatecancel_gui.core.stream.events import EventKind, OrderEvent, StreamState, StreamStatus
from gatecancel_gui.core.stream.settings import StreamSettings

log = logging.getLogger(__name__)

GUARD_POLL_INTERVAL_S = 1.0      # while the stream is down, the scope is listed this often
ACTED_MEMORY = 100_000           # order keys remembered as already acted on (a re-listing may show one again)
STREAM_STOP_S = 2.0
RUNS_IN_FLIGHT = 4    # bursts being cancelled at once; a bot faster than that fills the next burst's requests
SENDER_JOIN_S = 5.0   # at the end, each burst still out is waited for this long (a stopped run's look-up: <= 3 s)
BUDGET_NOTE = "waiting for the cancel budget"


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
    filled_first: int = 0          # orders that were filled (or closed) before the cancel reached them
    failed: int = 0                # orders that did not end as reported: unknown, refused, not sent


OnOutcome = Callable[[CancelOutcome], None]
OnStatus = Callable[[GuardStatus], None]


def ended_as_reported(outcome: CancelOutcome) -> bool:
    """The guard did its job for this order: cancelled, or already gone (filled first, closed) and said so."""
    return outcome.state is OutcomeState.CANCELLED or (
        outcome.state is OutcomeState.REJECTED and outcome.label in GONE_LABELS)


def overlaps(a: Scope, b: Scope) -> bool:
    """Whether one order could be in both scopes (two guards would race to cancel it)."""
    if not set(a.markets) & set(b.markets):
        return False
    if a.pair and b.pair and a.pair != b.pair:
        return False
    if a.side and b.side and a.side != b.side:
        return False
    return a.text_prefix.startswith(b.text_prefix) or b.text_prefix.startswith(a.text_prefix)


class ArmedGuards:
    """The guards a front end has armed: a second guard whose scope overlaps an armed one is refused."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._guards: list[Guard] = []

    def overlapping(self, scope: Scope) -> Guard | None:
        with self._lock:
            self._guards = [g for g in self._guards if g.status.state is not GuardState.STOPPED]
            return next((g for g in self._guards if overlaps(g.scope, scope)), None)

    def claim(self, guard: Guard) -> None:
        """Register the guard before starting it; ConfigError with a sentence when its scope overlaps."""
        with self._lock:
            self._guards = [g for g in self._guards if g.status.state is not GuardState.STOPPED]
            other = next((g for g in self._guards if overlaps(g.scope, guard.scope)), None)
            if other is not None:
                raise ConfigError(f"A guard is already armed for {other.scope.where()}, which overlaps "
                                  f"{guard.scope.where()}: stop it first.")
            self._guards.append(guard)

    def release(self, guard: Guard) -> None:
        with self._lock:
            self._guards = [g for g in self._guards if g is not guard]

    def armed(self) -> list[Guard]:
        with self._lock:
            return [g for g in self._guards if g.status.state is not GuardState.STOPPED]


def list_guarded(client: GateClient, scope: Scope, stop: threading.Event | None = None) -> list[Order]:
    """The open orders a guard's scope holds now, every market of it (raises GateError, Stopped)."""
    orders: list[Order] = []
    for market in scope.markets:
        orders += list_scope(client, replace(scope, market=market, all_markets=False), stop)
    return [o for o in orders if o.kind is OrderKind.OPEN and scope.matches(o)]


class Guard:
    """One armed guard. `start()` returns at once (its work runs on its own threads); `stop(reason)` may
    come from any thread and is bounded; callbacks come on the guard's threads (`on_outcome` on the guard
    thread, once per order as it ended; `on_status` on the guard thread or a stream thread, on change, one
    at a time). A callback's exception is logged, never raised into the guard."""

    def __init__(self, client: GateClient, scope: Scope, duration_s: float, *, journal: Journal | None = None,
                 on_outcome: OnOutcome, on_status: OnStatus,
                 stream_settings: StreamSettings | None = None,
                 cancel_settings: CancelSettings | None = None) -> None:
        if scope.include_stop_orders:
            raise ConfigError("A guard cancels open orders as they appear; stop orders are not included.")
        if not duration_s > 0:
            raise ConfigError("A guard needs a duration of more than 0 seconds.")
        self.client, self.scope, self.duration_s, self.journal = client, scope, float(duration_s), journal
        self.stream_settings = stream_settings or StreamSettings(poll_interval_s=GUARD_POLL_INTERVAL_S)
        self.cancel_settings = cancel_settings or CancelSettings()
        self._on_outcome, self._on_status = on_outcome, on_status
        self._lock = threading.RLock()        # the status, and its delivery in order
        self._queue_cond = threading.Condition()
        self._queue: deque[Order] = deque()
        self._acted: OrderedDict[str, None] = OrderedDict()
        self._stop = threading.Event()
        self._reason = ""
        self._runs: set[CancelRun] = set()   # the runs out now (stop() stops each)
        self._slots = threading.BoundedSemaphore(RUNS_IN_FLIGHT)
        self._senders: list[threading.Thread] = []
        self._stream: AccountStream | None = None
        self._stream_notes: dict[Market, str] = {}
        self._budget_note = ""
        self._deadline = time.monotonic() + self.duration_s
        self._status = GuardStatus(GuardState.ARMING, scope, time.time() + self.duration_s)
        self._thread = threading.Thread(target=self._main, name="guard", daemon=True)
        self._started = False

    # -- public ------------------------------------------------------------------------------------

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self._deadline = time.monotonic() + self.duration_s
        self._set(ends_at=time.time() + self.duration_s)
        self._thread.start()

    def stop(self, reason: str = "Stopped.") -> None:
        """End the guard: no new cancel is sent; a run in flight stops waiting (what it sent is still looked
        up, a few seconds at most). Returns at once; `join` waits."""
        with self._queue_cond:
            if not self._reason:
                self._reason = reason
            self._stop.set()
            runs = list(self._runs)
            self._queue_cond.notify_all()
        for run in runs:
            run.stop()
        if not self._started:
            self._set(state=GuardState.STOPPED, reason=self._reason, note="")

    def join(self, timeout_s: float) -> None:
        if self._started and self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(max(0.0, timeout_s))

    @property
    def status(self) -> GuardStatus:
        with self._lock:
            return self._status

    @property
    def stopped(self) -> bool:
        return self._stop.is_set()

    # -- the guard thread --------------------------------------------------------------------------

    def _main(self) -> None:
        try:
            listed = self._list()
            if listed is not None and not self._stop.is_set():
                self._cancel(listed)
                if not self._stop.is_set():
                    self._open_stream(listed)
            if not self._stop.is_set():
                self._follow()
        except Exception:
            log.exception("the guard failed")
            self.stop("The guard stopped on an unexpected error (see the log).")
        finally:
            for sender in list(self._senders):  # every burst sent reports its outcomes before the guard ends
                sender.join(SENDER_JOIN_S)
            stream = self._stream
            if stream is not None:
                try:
                    stream.stop(STREAM_STOP_S)
                except Exception:
                    log.exception("the guard's stream did not stop cleanly")
            self._set(state=GuardState.STOPPED, reason=self._reason or "Stopped.", note="")

    def _list(self) -> list[Order] | None:
        """What the scope holds now, every market of it; None (and the guard stopped) when it cannot be read."""
        try:
            return list_guarded(self.client, self.scope, self._stop)
        except Stopped:
            return None
        except GateError as exc:
            self.stop(f"The guard could not list the orders it should keep flat: {exc.user_message}")
            return None

    def _open_stream(self, listed: list[Order]) -> None:
        try:
            stream = AccountStream(self.client, self.scope.markets, initial=listed, on_events=self._on_events,
                                   on_status=self._on_stream_status, settings=self.stream_settings)
        except ConfigError as exc:
            self.stop(str(exc))
            return
        with self._queue_cond:
            if self._stop.is_set():
                return
            self._stream = stream
        stream.start()
        self._set(state=GuardState.ARMED)

    def _follow(self) -> None:
        while True:
            if not self._take_slot():
                return
            with self._queue_cond:
                while not self._queue and not self._stop.is_set():
                    left = self._deadline - time.monotonic()
                    if left <= 0:
                        break
                    self._queue_cond.wait(min(left, 0.5))
                if self._stop.is_set():
                    self._slots.release()
                    return
                if not self._queue and time.monotonic() >= self._deadline:
                    self._slots.release()
                    break
                burst = list(self._queue)
                self._queue.clear()
            sender = threading.Thread(target=self._send_burst, args=(burst,), name="guard-cancel", daemon=True)
            self._senders = [t for t in self._senders if t.is_alive()] + [sender]
            sender.start()
        self.stop(f"Its time is up ({self.duration_s:g} s).")

    def _take_slot(self) -> bool:
        """Wait (bounded slices, waking on stop) until fewer than RUNS_IN_FLIGHT runs are out."""
        while not self._stop.is_set():
            if self._slots.acquire(timeout=0.25):
                return True
        return False

    def _send_burst(self, burst: list[Order]) -> None:
        try:
            self._cancel(burst)
        except Exception:
            log.exception("the guard's cancel of a burst failed")
            self.stop("The guard stopped on an unexpected error (see the log).")
        finally:
            self._slots.release()

    def _cancel(self, orders: Iterable[Order]) -> None:
        """Cancel these orders now, in as few requests as they fit (20 a request), through the one engine."""
        fresh: list[Order] = []
        with self._queue_cond:  # bursts are sent from several threads: each order is acted on once
            for order in orders:
                if order.key in self._acted or not self.scope.matches(order):
                    continue
                self._acted[order.key] = None
                if len(self._acted) > ACTED_MEMORY:
                    self._acted.popitem(last=False)
                fresh.append(order)
        if not fresh:
            return
        refs = [o.ref for o in fresh]
        run = CancelRun(self.client, batch_method_for(refs), journal=self.journal, settings=self.cancel_settings)
        with self._queue_cond:
            if self._stop.is_set():
                return
            self._runs.add(run)
        requests = -(-len(refs) // MAX_BATCH) + len({o.market for o in fresh}) - 1
        if run.budget.would_wait(requests):
            self._budget_note = BUDGET_NOTE
            self._set(note=self._note())
        try:
            report = run.run(refs)
        finally:
            with self._queue_cond:
                self._runs.discard(run)
        if self._budget_note:
            self._budget_note = ""
            self._set(note=self._note())
        cancelled = filled = failed = acted = 0
        last: CancelOutcome | None = None
        for ref in refs:
            outcome = report.outcomes.get(ref)
            if outcome is None:
                continue
            self._call(self._on_outcome, outcome)
            if outcome.state is not OutcomeState.NOT_SENT:
                acted += 1
                last = outcome
            if outcome.state is OutcomeState.CANCELLED:
                cancelled += 1
            elif ended_as_reported(outcome):
                filled += 1
            else:
                failed += 1
        with self._lock:
            status = self._status
            self._set(cancelled=status.cancelled + cancelled, acted_on=status.acted_on + acted,
                      filled_first=status.filled_first + filled, failed=status.failed + failed,
                      last=last or status.last)
        if report.refused and not self._stop.is_set():
            self.stop(f"Gate refused the guard's cancels: {report.refused}")

    # -- the stream's threads ----------------------------------------------------------------------

    def _on_events(self, events: list[OrderEvent]) -> None:
        new = [e.order for e in events if e.kind is EventKind.PUT and e.order.kind is OrderKind.OPEN
               and self.scope.matches(e.order)]
        if not new:
            return
        with self._queue_cond:
            if self._stop.is_set():
                return
            self._queue.extend(new)
            self._queue_cond.notify_all()

    def _on_stream_status(self, status: StreamStatus) -> None:
        if status.state is StreamState.STOPPED:
            if not self._stop.is_set():
                self.stop(status.reason or f"The {status.market.display_name} live stream stopped.")
            return
        if status.state in (StreamState.RECONNECTING, StreamState.POLLING):
            where = f" ({status.market.display_name})" if len(self.scope.markets) > 1 else ""
            self._stream_notes[status.market] = \
                f"stream down{where}: listing every {self.stream_settings.poll_interval_s:g} s"
        else:
            self._stream_notes.pop(status.market, None)
        self._set(note=self._note())

    # -- status ------------------------------------------------------------------------------------

    def _note(self) -> str:
        notes = [self._budget_note] if self._budget_note else []
        notes += [note for _, note in sorted(self._stream_notes.items(), key=lambda item: item[0].value)]
        return "; ".join(notes)

    def _set(self, **changes: Any) -> None:
        with self._lock:
            old = self._status
            if old.state is GuardState.STOPPED:
                return
            new = replace(old, **changes)
            if new == old:
                return
            self._status = new
            self._call(self._on_status, new)

    @staticmethod
    def _call(callback: Callable[[Any], None], value: Any) -> None:
        try:
            callback(value)
        except Exception:
            log.exception("a guard listener failed")
