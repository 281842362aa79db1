"""Background jobs: each runs off the GUI thread, catches every exception into its result and always
emits `done`, so the window can never be left waiting. Results reach the GUI thread as queued signals."""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Callable
from typing import Any, Protocol

from PySide6.QtCore import QThread, Signal

from gatecancel_gui.core.cancel import BatchCanceller
from gatecancel_gui.core.cancel_all import Scope, cancel_all
from gatecancel_gui.core.client import GateClient
from gatecancel_gui.core.errors import ConfigError, GateError
from gatecancel_gui.core.journal import Journal
from gatecancel_gui.core.models import CancelOutcome, CancelReport, OrderRef
from gatecancel_gui.core.orders import LoadStopped, load_open_orders
from gatecancel_gui.core.price_orders import PriceOrderCanceller, load_price_orders
from gatecancel_gui.ui.orders_model import PreparedRows, SortSpec, prepare_rows

log = logging.getLogger(__name__)


class JobResult:
    """What a job produced: a value, or a sentence for the user, or that it was stopped."""

    def __init__(self, value: Any = None, error: str = "", stopped: bool = False) -> None:
        self.value, self.error, self.stopped = value, error, stopped

    @property
    def ok(self) -> bool:
        return not self.error and not self.stopped


class Job(QThread):
    done = Signal(object)       # JobResult, always emitted exactly once
    progress = Signal(int, int)  # done, total (or pages, orders)

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.stop_event = threading.Event()

    def stop(self) -> None:
        self.stop_event.set()

    def work(self) -> Any:
        raise NotImplementedError

    def run(self) -> None:
        try:
            result = JobResult(self.work())
        except LoadStopped:
            result = JobResult(stopped=True)
        except (GateError, ConfigError) as exc:
            log.info("%s failed: %s", type(self).__name__, exc)
            result = JobResult(error=str(exc))
        except Exception as exc:
            log.exception("unexpected error in %s", type(self).__name__)
            result = JobResult(error=f"Unexpected error ({type(exc).__name__}); details are in the log.")
        self.done.emit(result)


class LoadJob(Job):
    """Loads open orders and stop orders and prepares their table rows."""

    def __init__(self, client: GateClient, sort: SortSpec | None = None, parent: Any = None, *,
                 live: bool = False) -> None:
        super().__init__(parent)
        self.client = client
        self.sort = sort
        self.live = live

    def work(self) -> Any:
        # 10,000 orders are ~200,000 long-lived objects. A full garbage collection while they are being
        # built holds the interpreter for ~40 ms (the window freezes); afterwards, one would rescan them
        # all. So: no collection during the load, then move them out of the collector's sight.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            orders = load_open_orders(self.client, stop=self.stop_event,
                                      progress=lambda pages, n: self.progress.emit(pages, n))
            loaded = Loaded(prepare_rows(orders, self.sort))  # formatting and sorting happen here, not in the GUI
            try:
                loaded.stop_rows = prepare_rows(load_price_orders(self.client), self.sort)
            except GateError as exc:
                loaded.stop_error = f"Stop orders could not be loaded: {exc.user_message}"
            gc.freeze()
        finally:
            if was_enabled:
                gc.enable()
        return loaded


class Loaded:
    def __init__(self, rows: PreparedRows) -> None:
        self.rows = rows
        self.stop_rows: PreparedRows | None = None
        self.stop_error = ""

    @property
    def orders(self) -> list[Any]:
        return self.rows.orders


class Runner(Protocol):
    def run(self, refs: list[OrderRef], on_outcome: Callable[[CancelOutcome], None]) -> CancelReport: ...

    def stop(self) -> None: ...


class CancelJob(Job):
    """Runs a canceller (batch, stop orders, or a scoped cancel-all). Outcomes are buffered here and
    announced with at most one queued signal at a time, so a burst of results is one event for the GUI
    thread, not thousands that hold it up."""

    outcomesReady = Signal()  # noqa: N815  call take_outcomes() on the GUI thread

    def __init__(self, runner: Runner, refs: list[OrderRef], parent: Any = None) -> None:
        super().__init__(parent)
        self.refs = refs
        self.runner = runner
        self._buffer: list[CancelOutcome] = []
        self._announced = False
        self._lock = threading.Lock()

    def stop(self) -> None:
        super().stop()
        self.runner.stop()

    def _on_outcome(self, outcome: CancelOutcome) -> None:
        with self._lock:
            self._buffer.append(outcome)
            if self._announced:
                return
            self._announced = True
        self.outcomesReady.emit()

    def take_outcomes(self) -> list[CancelOutcome]:
        with self._lock:
            taken, self._buffer = self._buffer, []
            self._announced = False
        return taken

    def work(self) -> Any:
        # progress is counted by the window from the results it shows, coalesced with the repaints
        return self.runner.run(self.refs, self._on_outcome)


class CancelAllRunner:
    """Adapts the core's scoped cancel-all to the CancelJob runner shape."""

    def __init__(self, client: GateClient, scope: Scope, journal: Journal | None) -> None:
        self.client, self.scope, self.journal = client, scope, journal
        self._stop = threading.Event()

    def stop(self) -> None:
        self._stop.set()

    def run(self, refs: list[OrderRef], on_outcome: Callable[[CancelOutcome], None]) -> CancelReport:
        return cancel_all(self.client, self.scope, journal=self.journal, on_outcome=on_outcome,
                          stop=self._stop).report


def batch_runner(client: GateClient, journal: Journal | None) -> BatchCanceller:
    return BatchCanceller(client, journal=journal)


def stop_order_runner(client: GateClient, journal: Journal | None) -> PriceOrderCanceller:
    return PriceOrderCanceller(client, journal=journal)


class CallJob(Job):
    """Run any short call off the GUI thread (e.g. Test connection)."""

    def __init__(self, call: Callable[[], Any], parent: Any = None) -> None:
        super().__init__(parent)
        self.call = call

    def work(self) -> Any:
        return self.call()
