"""The batch-cancel engine: at most 20 orders a request, several requests in flight, one true outcome
per order.

An order is reported `cancelled` only when Gate said `succeeded: true` for it, or when a later
GET /spot/orders/{id} shows it cancelled. Whenever a request may have been applied without a usable
answer (timeout, dropped connection, unreadable body, 5xx), its orders are "tainted": any later
failure for them is checked against the order itself rather than believed, because a second cancel of
an order that the first one already cancelled fails.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from gatecancel_gui.core.client import GateClient, NoAnswer, NotSent
from gatecancel_gui.core.errors import ErrorClass, GateError
from gatecancel_gui.core.hosts import environment_of
from gatecancel_gui.core.journal import Journal
from gatecancel_gui.core.models import CancelOutcome, CancelReport, OrderRef, OutcomeState
from gatecancel_gui.core.orders import find_finished, load_pair_orders
from gatecancel_gui.core.ratelimit import RequestBudget

log = logging.getLogger(__name__)

BATCH_ENDPOINT = "/spot/cancel_batch_orders"
MAX_BATCH = 20
BULK_RECONCILE_FROM = 8  # unknown orders in one pair from which listing beats asking one by one

OnOutcome = Callable[[CancelOutcome], None]


@dataclass(frozen=True)
class CancelSettings:
    max_in_flight: int = 16
    batch_size: int = MAX_BATCH
    server_retries: int = 3
    rate_retries: int = 20
    backoff_s: float = 0.1
    reconcile_rounds: int = 4

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be 1..{MAX_BATCH}")
        if self.max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")


def outcome_from_record(ref: OrderRef, order: dict[str, Any], filled_message: str) -> CancelOutcome | None:
    """What Gate's own record of a finished order says: cancelled, or filled first. None while it is open
    or when the record says neither."""
    status = str(order.get("status", ""))
    if status == "cancelled":
        return CancelOutcome(ref, OutcomeState.CANCELLED, text=str(order.get("text") or ""), reconciled=True)
    if status == "closed":
        return CancelOutcome(ref, OutcomeState.REJECTED, "ORDER_CLOSED", filled_message, reconciled=True)
    return None


def unique_refs(refs: Iterable[OrderRef]) -> list[OrderRef]:
    """Drop repeated orders, keeping the first-seen order of the rest."""
    return list(dict.fromkeys(refs))


def chunk(refs: list[OrderRef], size: int = MAX_BATCH) -> list[list[OrderRef]]:
    return [refs[i:i + size] for i in range(0, len(refs), size)]


class BatchCanceller:
    """Runs one cancel of many orders. Create one per run; `stop()` may be called from any thread."""

    def __init__(self, client: GateClient, *, journal: Journal | None = None,
                 settings: CancelSettings | None = None, budget: RequestBudget | None = None,
                 reconcile_budget: RequestBudget | None = None) -> None:
        self.client = client
        self.journal = journal
        self.settings = settings or CancelSettings()
        self.budget = budget or RequestBudget(200, 1.0)
        self.reconcile_budget = reconcile_budget or RequestBudget(150, 10.0)
        self._stop = threading.Event()
        self._fatal: GateError | None = None
        self._lock = threading.Lock()
        self._report = CancelReport()
        self._tainted: set[OrderRef] = set()
        self._on_outcome: OnOutcome | None = None
        self._environment = environment_of(client.base_url).value
        self._started_ms = 0

    # -- public ------------------------------------------------------------------------------------

    def stop(self) -> None:
        """Send no new request; what is in flight finishes and is reported."""
        self._stop.set()

    def run(self, refs: Iterable[OrderRef], on_outcome: OnOutcome | None = None) -> CancelReport:
        self._on_outcome = on_outcome
        pending = unique_refs(refs)
        try:
            self.client.ensure_clock()
            self._started_ms = int(self.client.clock.now() * 1000)
        except GateError as exc:
            self._fatal = exc
        if self._fatal is not None:
            for ref in pending:
                self._emit(CancelOutcome(ref, OutcomeState.NOT_SENT, self._fatal.label,
                                         self._fatal.user_message))
            return self._finish()
        for round_no in range(self.settings.reconcile_rounds + 1):
            if pending:
                self._send_all(pending)
            unknown = [r for r, o in self._report.outcomes.items() if o.state is OutcomeState.UNKNOWN]
            if not unknown or round_no == self.settings.reconcile_rounds:
                break
            if round_no:
                time.sleep(self.settings.backoff_s * 2 ** round_no)  # the exchange was struggling: breathe
            pending = self._reconcile(unknown)  # the ones still open are sent again
        return self._finish()

    # -- sending -----------------------------------------------------------------------------------

    def _send_all(self, refs: list[OrderRef]) -> None:
        batches = chunk(refs, self.settings.batch_size)
        workers = min(self.settings.max_in_flight, len(batches))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="cancel") as pool:
            for future in [pool.submit(self._send_batch, batch) for batch in batches]:
                future.result()

    def _send_batch(self, batch: list[OrderRef]) -> None:
        try:
            self._send_batch_unguarded(batch)
        except Exception as exc:  # a bug must not leave orders without a state
            log.exception("unexpected error while cancelling a batch")
            for ref in batch:
                if not self._has_final(ref):
                    self._emit(CancelOutcome(ref, OutcomeState.UNKNOWN, "CLIENT_ERROR",
                                             f"Unexpected error: {type(exc).__name__}"))
                    self._taint([ref])

    def _send_batch_unguarded(self, batch: list[OrderRef]) -> None:
        server_failures = 0
        rate_waits = 0
        attempt = 0
        while True:
            if self._blocked():
                self._not_sent(batch)
                return
            if not self.budget.acquire(self._stop):
                self._not_sent(batch)
                return
            attempt += 1
            body = [self._item(ref) for ref in batch]
            for ref in batch:
                self._emit(CancelOutcome(ref, OutcomeState.IN_FLIGHT))
            request_id = self._journal_sent(batch, attempt)
            started = time.perf_counter()
            try:
                response = self.client.request("POST", BATCH_ENDPOINT, body=body)
            except NotSent as exc:
                self._journal_answer(request_id, None, started, error=f"not sent: {exc.label}")
                server_failures += 1
                if server_failures > self.settings.server_retries:
                    self._not_sent(batch, exc.label, exc.user_message)
                    return
                self._backoff(server_failures)
                continue
            except NoAnswer as exc:
                self._journal_answer(request_id, exc.status, started, error=f"no answer: {exc.label}")
                self._taint(batch)
                for ref in batch:
                    self._emit(CancelOutcome(ref, OutcomeState.UNKNOWN, exc.label, exc.message))
                return
            except GateError as exc:
                self._journal_answer(request_id, exc.status, started, error=f"{exc.label}: {exc.message}")
                if exc.error_class is ErrorClass.RATE and rate_waits < self.settings.rate_retries:
                    rate_waits += 1
                    self.budget.pause(exc.retry_after_s if exc.retry_after_s is not None else 1.0)
                    continue
                if exc.error_class is ErrorClass.SERVER:
                    if exc.label != "TOO_BUSY":
                        self._taint(batch)  # a 500 may have been applied; 503 TOO_BUSY was not
                    server_failures += 1
                    if server_failures <= self.settings.server_retries:
                        self._backoff(server_failures)
                        continue
                    self._unanswered(batch, exc)
                    return
                if exc.stops_everything:
                    with self._lock:
                        if self._fatal is None:
                            self._fatal = exc
                    self._stop.set()
                self._rejected_whole(batch, exc)
                return
            self._apply_results(batch, response.data, request_id, started, response.status)
            return

    def _item(self, ref: OrderRef) -> dict[str, str]:
        item = {"currency_pair": ref.currency_pair, "id": ref.id}
        if self.client.account:
            item["account"] = self.client.account
        return item

    def _apply_results(self, batch: list[OrderRef], data: Any, request_id: str, started: float,
                       status: int) -> None:
        by_id: dict[str, dict[str, Any]] = {}
        if isinstance(data, list):
            for item in data:
                if isinstance(item, dict) and item.get("id") is not None:
                    by_id.setdefault(str(item["id"]), item)
        asked = {ref.id for ref in batch}
        results = [_journal_result(item) for key, item in by_id.items() if key in asked]
        self._journal_answer(request_id, status, started, results=results,
                             error="" if isinstance(data, list) else "answer was not a list")
        for ref in batch:
            item = by_id.get(ref.id)
            pair = item.get("currency_pair") if item else None
            if item is None or (pair and pair != ref.currency_pair):
                self._taint([ref])
                self._emit(CancelOutcome(ref, OutcomeState.UNKNOWN, "NO_RESULT",
                                         "Gate's answer had no result for this order."))
                continue
            succeeded = item.get("succeeded")
            label = str(item.get("label") or "")
            message = str(item.get("message") or "")
            text = str(item.get("text") or "")
            if succeeded is True:
                self._emit(CancelOutcome(ref, OutcomeState.CANCELLED, text=text))
            elif succeeded is False and ref not in self._tainted:
                self._emit(CancelOutcome(ref, OutcomeState.REJECTED, label or "CANCEL_FAIL", message,
                                         text=text))
            else:
                # either an unreadable flag, or a failure for an order an earlier request may have
                # cancelled already: ask the order itself.
                self._taint([ref])
                self._emit(CancelOutcome(ref, OutcomeState.UNKNOWN, label or "NO_RESULT",
                                         message or "Gate's result for this order was unreadable."))

    # -- reconciling -------------------------------------------------------------------------------

    def _reconcile(self, unknown: list[OrderRef]) -> list[OrderRef]:
        """Settle each unknown order from Gate's own record; return the ones still open, to cancel again.

        Many unknown orders in one pair (a dropped answer carries 20) are looked up in bulk: the pair's
        open orders and its recently finished ones, 100 a request, instead of one GET each against a
        limit of 200 per 10 s. Whatever the bulk pass cannot place is asked one by one."""
        still_open: list[OrderRef] = []
        one_by_one: list[OrderRef] = []
        by_pair: dict[str, list[OrderRef]] = defaultdict(list)
        for ref in unknown:
            by_pair[ref.currency_pair].append(ref)
        for pair, refs in by_pair.items():
            if len(refs) < BULK_RECONCILE_FROM:
                one_by_one += refs
                continue
            settled = self._reconcile_pair(pair, refs, still_open)
            one_by_one += [ref for ref in refs if ref not in settled]
        if one_by_one:
            workers = min(self.settings.max_in_flight, len(one_by_one))
            with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="reconcile") as pool:
                states = list(pool.map(self._reconcile_one, one_by_one))
            still_open += [ref for ref, is_open in zip(one_by_one, states, strict=True) if is_open]
        if self._stop.is_set():
            for ref in still_open:
                self._emit(CancelOutcome(ref, OutcomeState.NOT_SENT, "STILL_OPEN",
                                         "Still open: the cancel did not take effect and was stopped "
                                         "before it could be sent again.", reconciled=True))
            return []
        return still_open

    def _reconcile_pair(self, pair: str, refs: list[OrderRef], still_open: list[OrderRef]) -> set[OrderRef]:
        """Bulk pass for one pair; returns the refs it settled (still-open ones are added to `still_open`)."""
        settled: set[OrderRef] = set()
        try:
            open_ids = {o.id for o in load_pair_orders(self.client, pair)}
            for ref in refs:
                if ref.id in open_ids:
                    still_open.append(ref)
                    settled.add(ref)
            wanted = {ref.id for ref in refs if ref not in settled}
            finished = find_finished(self.client, pair, wanted, since_ms=self._started_ms) if wanted else {}
        except GateError as exc:
            log.info("bulk reconcile of %s failed (%s); asking order by order", pair, exc.label)
            return settled
        for ref in refs:
            raw = finished.get(ref.id)
            if raw is not None and self._settle(ref, raw):
                settled.add(ref)
        return settled

    def _settle(self, ref: OrderRef, order: dict[str, Any]) -> bool:
        """Record what Gate's record of the order says; False when it does not say (still to be asked)."""
        outcome = outcome_from_record(ref, order, "The order filled before the cancel reached it.")
        if outcome is not None:
            self._emit(outcome)
        return outcome is not None

    def _reconcile_one(self, ref: OrderRef) -> bool:
        """Settle one order from GET /spot/orders/{id}; True when it is still open."""
        params = [("currency_pair", ref.currency_pair)]
        if self.client.account:
            params.append(("account", self.client.account))
        failures = 0
        for _ in range(self.settings.rate_retries):
            if not self.reconcile_budget.acquire():
                return False
            try:
                order = self.client.request("GET", f"/spot/orders/{ref.id}", params=params).data
            except GateError as exc:
                if exc.label == "ORDER_NOT_FOUND":
                    self._emit(CancelOutcome(
                        ref, OutcomeState.REJECTED, "ORDER_NOT_FOUND",
                        "Gate has no such order now: it is not open (it may have been cancelled or "
                        "filled earlier, or the id is wrong).", reconciled=True))
                    return False
                if exc.error_class is ErrorClass.RATE:
                    self.reconcile_budget.pause(exc.retry_after_s or 1.0)
                    continue
                failures += 1
                if exc.error_class in (ErrorClass.SERVER, ErrorClass.NETWORK) and \
                        failures <= self.settings.server_retries:
                    time.sleep(self.settings.backoff_s * 2 ** (failures - 1))
                    continue
                log.info("reconcile of %s failed: %s", ref, exc.label)
                return False  # still unknown; the next round asks again
            if not isinstance(order, dict):
                failures += 1
                continue
            if self._settle(ref, order):
                return False
            return str(order.get("status", "")) == "open"
        return False

    # -- outcomes ----------------------------------------------------------------------------------

    def _emit(self, outcome: CancelOutcome) -> None:
        with self._lock:
            current = self._report.outcomes.get(outcome.ref)
            if current is not None and current.final and outcome.state is OutcomeState.IN_FLIGHT:
                return
            self._report.outcomes[outcome.ref] = outcome
            callback = self._on_outcome
            if callback is not None:
                try:
                    callback(outcome)
                except Exception:
                    log.exception("outcome callback failed")

    def _has_final(self, ref: OrderRef) -> bool:
        with self._lock:
            current = self._report.outcomes.get(ref)
            return current is not None and current.final

    def _taint(self, refs: list[OrderRef]) -> None:
        with self._lock:
            self._tainted.update(refs)

    def _blocked(self) -> bool:
        return self._stop.is_set() or self._fatal is not None

    def _not_sent(self, batch: list[OrderRef], label: str = "", message: str = "") -> None:
        if not label:
            if self._fatal is not None:
                label, message = self._fatal.label, "Not sent: " + self._fatal.user_message
            else:
                label, message = "STOPPED", "Not sent: the cancel was stopped."
        for ref in batch:
            if ref in self._tainted:
                self._emit(CancelOutcome(ref, OutcomeState.UNKNOWN, label, message))
            else:
                self._emit(CancelOutcome(ref, OutcomeState.NOT_SENT, label, message))

    def _unanswered(self, batch: list[OrderRef], exc: GateError) -> None:
        for ref in batch:
            if ref in self._tainted:
                self._emit(CancelOutcome(ref, OutcomeState.UNKNOWN, exc.label, exc.message))
            else:
                self._emit(CancelOutcome(ref, OutcomeState.NOT_SENT, exc.label, exc.user_message))

    def _rejected_whole(self, batch: list[OrderRef], exc: GateError) -> None:
        for ref in batch:
            if ref in self._tainted:
                self._emit(CancelOutcome(ref, OutcomeState.UNKNOWN, exc.label, exc.user_message))
            else:
                self._emit(CancelOutcome(ref, OutcomeState.REJECTED, exc.label, exc.user_message))

    def _backoff(self, failures: int) -> None:
        self._stop.wait(self.settings.backoff_s * (2 ** (failures - 1)))

    def _finish(self) -> CancelReport:
        with self._lock:
            for ref, outcome in list(self._report.outcomes.items()):
                if outcome.state is OutcomeState.IN_FLIGHT:  # cannot happen; never leave one hanging
                    self._report.outcomes[ref] = CancelOutcome(ref, OutcomeState.UNKNOWN, "NO_RESULT",
                                                               "No answer was recorded.")
                elif outcome.state is OutcomeState.UNKNOWN:
                    self._report.outcomes[ref] = CancelOutcome(
                        ref, OutcomeState.UNKNOWN, outcome.label or "NO_ANSWER",
                        "No usable answer from Gate, and the order could not be checked: "
                        "look at it on Gate before trusting it.")
            self._report.stopped = self._stop.is_set() and self._fatal is None
            self._report.fatal_error = self._fatal.user_message if self._fatal else ""
            return self._report

    # -- journal -----------------------------------------------------------------------------------

    def _journal_sent(self, batch: list[OrderRef], attempt: int) -> str:
        with self._lock:
            self._report.requests_sent += 1
        if self.journal is None:
            return ""
        return self.journal.sent("POST", BATCH_ENDPOINT, [(r.currency_pair, r.id) for r in batch],
                                 attempt, self._environment)

    def _journal_answer(self, request_id: str, status: int | None, started: float, *,
                        results: list[dict[str, Any]] | None = None, error: str = "") -> None:
        if self.journal is not None and request_id:
            self.journal.answered(request_id, status=status,
                                  latency_ms=(time.perf_counter() - started) * 1000,
                                  results=results, error=error)


def _journal_result(item: dict[str, Any]) -> dict[str, Any]:
    return {"currency_pair": item.get("currency_pair"), "id": str(item.get("id")),
            "succeeded": item.get("succeeded"), "label": item.get("label") or "",
            "message": item.get("message") or ""}

