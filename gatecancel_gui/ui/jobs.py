"""Background jobs and the one controller that owns them.

A job runs off the GUI thread, catches every exception into its result and always reports it exactly
once, so the window is never left waiting. A job speaks through plain callbacks (done, progress, notice,
outcomes) that the controller wires through its one `Bridge` (ui/bridge.py) before the thread starts: each
becomes a queued call on the GUI thread, a cancel's outcomes coalesced into one event per burst. The
controller starts jobs, forwards their notices, routes cancel outcomes to the table of their kind of
order, counts progress, stops them, and deletes them once their thread has ended. Nothing here waits on
the GUI thread: the window hears `idle` when the last thread has finished.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from gatecancel_gui.core.app.services import load_holdings
from gatecancel_gui.core.domain.errors import ConfigError, GateError, Stopped
from gatecancel_gui.core.domain.orders import OrderKind, OrderRef
from gatecancel_gui.core.domain.outcomes import CancelOutcome, CancelReport
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.ui.bridge import Bridge, Burst
from gatecancel_gui.ui.order_rows import PreparedRows, SortSpec, prepare_rows

log = logging.getLogger(__name__)


class JobResult:
    """What a job produced: a value, or a sentence for the user, or that it was stopped."""

    def __init__(self, value: Any = None, error: str = "", stopped: bool = False) -> None:
        self.value, self.error, self.stopped = value, error, stopped

    @property
    def ok(self) -> bool:
        return not self.error and not self.stopped


def _ignore(*_args: Any) -> None:
    pass


class Job(QThread):
    """The callbacks run on the job's thread; `JobController.start` points them through its bridge."""

    def __init__(self, client: GateClient | None = None) -> None:
        super().__init__()
        self.client = client
        self.stop_event = threading.Event()
        self.on_done: Callable[[JobResult], None] = _ignore        # always called exactly once
        self.on_progress: Callable[[int, int], None] = _ignore     # pages, orders so far (loads)
        self.on_notice: Callable[[str], None] = _ignore            # "Gate is busy (open orders), retrying 2/5…"

    def stop(self) -> None:
        self.stop_event.set()

    def work(self) -> Any:
        raise NotImplementedError

    def run(self) -> None:
        notice = self.on_notice  # the very callable added is the one removed
        if self.client is not None:
            self.client.add_listener(notice)
        try:
            result = JobResult(self.work())
        except Stopped:
            result = JobResult(stopped=True)
        except (GateError, ConfigError) as exc:
            log.info("%s failed: %s", type(self).__name__, exc)
            result = JobResult(error=str(exc))
        except Exception as exc:
            log.exception("unexpected error in %s", type(self).__name__)
            result = JobResult(error=f"Unexpected error ({type(exc).__name__}); details are in the log.")
        finally:
            if self.client is not None:
                self.client.remove_listener(notice)
        self.on_done(result)


class Loaded:
    def __init__(self, rows: PreparedRows) -> None:
        self.rows = rows
        self.stop_rows: PreparedRows | None = None
        self.stop_error = ""
        self.futures_error = ""  # futures orders could not be read (the spot table is still true)

    @property
    def orders(self) -> list[Any]:
        return self.rows.orders


class LoadJob(Job):
    """Loads open orders and stop orders and prepares their table rows (formatting and sorting happen here,
    not on the GUI thread)."""

    def __init__(self, client: GateClient, sort: SortSpec | None = None, *, auto: bool = False) -> None:
        super().__init__(client)
        self.sort = sort
        self.auto = auto  # an auto-refresh (quiet), not a Refresh the trader asked for

    def work(self) -> Loaded:
        assert self.client is not None
        held = load_holdings(self.client, stop=self.stop_event, progress=lambda pages, n: self.on_progress(pages, n))
        loaded = Loaded(prepare_rows(held.orders, self.sort, held.prices))
        if not held.stop_error:
            loaded.stop_rows = prepare_rows(held.stop_orders, self.sort, held.prices)
        loaded.stop_error, loaded.futures_error = held.stop_error, held.futures_error
        return loaded


class CancelJob(Job):
    """Runs one cancel (a run, or a cancel-all). Its outcomes go to `outcomes`, a coalescing callback of the
    bridge, so a burst of results is one event for the GUI thread, not thousands."""

    def __init__(self, client: GateClient, run: Callable[[Callable[[CancelOutcome], None]], CancelReport],
                 stop: Callable[[], None], expected: list[OrderRef]) -> None:
        super().__init__(client)
        self._run, self._stop = run, stop
        self.expected = expected
        self.outcomes: Burst[CancelOutcome] | None = None  # set by the controller before the thread starts

    def stop(self) -> None:
        super().stop()
        self._stop()

    def _on_outcome(self, outcome: CancelOutcome) -> None:
        if self.outcomes is not None:
            self.outcomes.put(outcome)

    def work(self) -> CancelReport:
        return self._run(self._on_outcome)


class CallJob(Job):
    """Run any short call off the GUI thread (Test connection, arming the dead-man switch)."""

    def __init__(self, call: Callable[[], Any], client: GateClient | None = None) -> None:
        super().__init__(client)
        self.call = call

    def work(self) -> Any:
        return self.call()


OutcomeSink = Callable[[list[CancelOutcome]], None]


class JobController(QObject):
    """The one owner of the window's background work."""

    notice = Signal(str)
    cancelProgress = Signal(int, int)  # noqa: N815  orders settled, orders expected
    idle = Signal()                    # every job's thread has ended

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._active: list[Job] = []      # started and not yet done
        self._exclusive: set[Job] = set()  # loads and cancels: one at a time
        self._alive: set[Job] = set()     # threads not yet finished
        self._routes: dict[OrderKind, OutcomeSink] = {}
        self._settled: dict[CancelJob, set[OrderRef]] = {}
        self.bridge = Bridge(self)  # every job's callbacks reach the GUI thread through this one

    # -- routing -----------------------------------------------------------------------------------

    def route(self, kind: OrderKind, sink: OutcomeSink) -> None:
        """Send the outcomes for this kind of order to `sink` (its table)."""
        self._routes[kind] = sink

    def deliver(self, outcomes: list[CancelOutcome]) -> None:
        """Hand each outcome to the table of its kind of order (the table matches pair and id)."""
        by_kind: dict[OrderKind, list[CancelOutcome]] = defaultdict(list)
        for outcome in outcomes:
            by_kind[outcome.ref.kind].append(outcome)
        for kind, group in by_kind.items():
            sink = self._routes.get(kind)
            if sink is not None:
                sink(group)

    # -- life of a job -----------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        """A load or a cancel is running (they exclude each other)."""
        return bool(self._exclusive)

    @property
    def active(self) -> list[Job]:
        return list(self._active)

    def start(self, job: Job, on_done: Callable[[JobResult], None], *, exclusive: bool = True,
              on_progress: Callable[[int, int], None] | None = None) -> Job:
        self._active.append(job)
        self._alive.add(job)
        if exclusive:
            self._exclusive.add(job)
        job.on_notice = self.bridge.call(self.notice.emit)
        if on_progress is not None:
            job.on_progress = self.bridge.call(on_progress)
        if isinstance(job, CancelJob):
            self._settled[job] = set()
            job.outcomes = self.bridge.burst(lambda taken: self._outcomes(job, taken))

        def finished_work(result: JobResult) -> None:
            if isinstance(job, CancelJob) and job.outcomes is not None:
                job.outcomes.flush()  # anything still buffered comes before the final word
                self._settled.pop(job, None)
            self._active.remove(job)
            self._exclusive.discard(job)
            on_done(result)

        job.on_done = self.bridge.call(finished_work)
        job.finished.connect(lambda: self._thread_ended(job))
        job.start()
        return job

    def _outcomes(self, job: CancelJob, outcomes: list[CancelOutcome]) -> None:
        self.deliver(outcomes)
        settled = self._settled.get(job)
        if settled is not None:
            settled.update(o.ref for o in outcomes if o.final)
            self.cancelProgress.emit(len(settled), len(job.expected))

    def _thread_ended(self, job: Job) -> None:
        self._alive.discard(job)
        job.deleteLater()
        if not self._alive:
            self.idle.emit()

    def stop_all(self) -> None:
        """Send nothing new; every job reports what it did and ends."""
        for job in self._active:
            job.stop()

    @property
    def alive(self) -> bool:
        return bool(self._alive)

    def wait_all(self, timeout_ms: int) -> None:
        """For test teardown and the self-test only, never the window: stop everything and join."""
        self.stop_all()
        for job in list(self._alive):
            job.wait(timeout_ms)
