"""One cancel run, whatever the way of sending: the rules every cancel engine shares, written once.

A run owns what makes a result true: outcomes emitted once and never weakened (a final outcome is never
replaced), Stop that wakes every wait, a whole-request refusal (bad key, read-only key) that stops the
rest, "maybe applied" bookkeeping, the retry ladder for a cancel request, journal timing, one
status-to-outcome mapping and the account's one cancel budget.

A way of sending (`CancelMethod`) plugs in only two things: how it sends a group of orders and reads the
answer, and how it looks orders up afterwards. An order is reported `cancelled` only on Gate's word for it
or on the order's own record. Whenever a request may have been applied without a usable answer, its
orders are "maybe applied": any later failure for them is checked against the order, never believed,
because a second cancel of an order that the first one already cancelled fails.

Why one module of ~540 lines: these rules act on one shared state (the outcomes, the maybe-applied set,
the refusal, Stop) under one lock; split across modules, each would reach into the others' state.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from typing import Any

from gatecancel_gui.core.cancel.delivery import InOrder
from gatecancel_gui.core.cancel.method import MAX_BATCH, Answer, CancelMethod, Record, outcome_of_record
from gatecancel_gui.core.domain.environments import environment_of
from gatecancel_gui.core.domain.errors import ErrorClass, GateError, Stopped
from gatecancel_gui.core.domain.orders import OrderRef
from gatecancel_gui.core.domain.outcomes import FILLED_LABELS, CancelOutcome, CancelReport, OutcomeState, merged
from gatecancel_gui.core.gate.client import WILL_NOT_CHANGE, GateClient, NoAnswer, NotSent, PendingAnswer
from gatecancel_gui.core.net.transport import MAX_IN_FLIGHT
from gatecancel_gui.core.store.journal import Journal

log = logging.getLogger(__name__)

OnOutcome = Callable[[CancelOutcome], None]
ALREADY_CANCELLED = "ALREADY_CANCELLED"  # cancelled, by the order's record, before this run's request reached it


@dataclass(frozen=True)
class CancelSettings:
    # Requests in flight at once: every batch of a 1,000-order cancel goes in one wave (50 of 20 on spot; 51
    # when it spans markets, as a batch never mixes them), well within Gate's 200 cancel requests a second;
    # over HTTP/2 they share one connection, over HTTP/1.1 the warmed pool (MAX_IN_FLIGHT sizes both).
    max_in_flight: int = MAX_IN_FLIGHT
    batch_size: int = MAX_BATCH
    server_retries: int = 3
    # A 429 was refused before anything was applied, so it is always safe to wait for the reset and send
    # again; what bounds it is time, not a count: many senders waiting on one reset take turns, and one
    # that keeps losing the race must not give up while its turn is still coming.
    rate_wait_limit_s: float = 60.0
    backoff_s: float = 0.1
    max_backoff_s: float = 2.0
    reconcile_rounds: int = 4
    # After Stop, what was sent is still looked up, for at most this long (abandon() cuts it short): the
    # answers' waits end at once, so without a look-up those orders would all be "unknown".
    look_up_after_stop_s: float = 3.0

    def __post_init__(self) -> None:
        if not 1 <= self.batch_size <= MAX_BATCH:
            raise ValueError(f"batch_size must be 1..{MAX_BATCH}")
        if self.max_in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")

    def backoff(self, failures: int) -> float:
        return min(self.max_backoff_s, self.backoff_s * 2.0 ** (failures - 1))


@dataclass(frozen=True)
class Started:
    """One attempt of a group's request, on its way: its answer, its journal id, when it left."""

    answer: PendingAnswer
    request_id: str
    at: float


class CancelRun:
    """One cancel of many orders through one way of sending. Create one per run; `stop()` may be called
    from any thread. Runs that share a `stop` event (a cancel-all and its stop-order phase) stop together."""

    def __init__(self, client: GateClient, method: CancelMethod, *, journal: Journal | None = None,
                 settings: CancelSettings | None = None, stop: threading.Event | None = None,
                 refused: GateError | None = None) -> None:
        """`refused`: a whole-request refusal an earlier run of the same job met (a bad key refuses the
        stop-order phase of a cancel-all too): nothing is sent, and each order says why."""
        self.client = client
        self.method = method
        self.journal = journal
        self.settings = settings or CancelSettings()
        self.budget = client.budgets.cancel
        self.stop_event = stop or threading.Event()
        self._refused: GateError | None = refused
        self._lock = threading.Lock()
        self._report = CancelReport()
        self._maybe_applied: set[OrderRef] = set()
        self._delivery: InOrder[CancelOutcome] | None = None  # to on_outcome, outside the lock, in order
        self._give_up = threading.Event()  # ends the look-up that follows a Stop
        self._give_up_timer: threading.Timer | None = None
        self._started_ms = 0
        self.activity = "starting"  # what the run is doing now, in words (the command line says it on Ctrl+C)

    # -- public ------------------------------------------------------------------------------------

    @property
    def refused(self) -> GateError | None:
        """The whole-request refusal that stopped this run, if any."""
        return self._refused

    def stop(self) -> None:
        """Send no new request and stop waiting for answers (within a quarter of a second); what was sent is
        still looked up, for at most `look_up_after_stop_s`. May be called from any thread."""
        self.stop_event.set()

    def abandon(self) -> None:
        """Stop, and end the look-up of what was sent too (a second Ctrl+C): those orders are reported
        unknown, with a sentence."""
        self._give_up.set()
        self.stop_event.set()

    def run(self, refs: Iterable[OrderRef], on_outcome: OnOutcome | None = None) -> CancelReport:
        """Cancel the orders; always returns a report with an outcome for every order asked for, whatever
        is raised inside (an unexpected error is logged once and named in `report.internal_error`)."""
        self._delivery = InOrder(on_outcome) if on_outcome is not None else None
        pending = list(dict.fromkeys(refs))
        try:
            self._run(pending)
        except Exception as exc:
            self._internal_error(exc, "the cancel")
            self._settle_after_error(pending)
        finally:
            if self._give_up_timer is not None:
                self._give_up_timer.cancel()
        return self._finish()

    def _run(self, pending: list[OrderRef]) -> None:
        try:
            self.client.ensure_clock(self.stop_event)
            self._started_ms = int(self.client.clock.now() * 1000)
        except GateError as exc:
            self._refused = exc
        except Stopped:
            pass
        if self._refused is not None or self.stop_event.is_set():
            self._not_sent(pending)
            return
        groups = self.method.groups(pending, self.settings.batch_size)
        for round_no in range(self.settings.reconcile_rounds + 1):
            if groups:
                self._send_all(groups)
            unknown = [r for r, o in self._snapshot().items() if o.state is OutcomeState.UNKNOWN]
            if not unknown or self._give_up.is_set():
                break
            if round_no and not self.stop_event.is_set():  # the exchange was struggling: breathe
                self.stop_event.wait(self.settings.backoff(round_no))
            last = round_no == self.settings.reconcile_rounds  # the last look-up settles; nothing is resent
            groups = self.method.groups(self._reconcile(unknown, resend=not last), self.settings.batch_size)
        if not self.stop_event.is_set():
            self._read_filled_records()
        self._journal_settled()

    # -- sending -----------------------------------------------------------------------------------

    def _send_all(self, groups: list[list[OrderRef]]) -> None:
        at_once = min(len(groups), self.settings.max_in_flight)
        self.activity = (f"sending {len(groups)} request{'s' * (len(groups) != 1)} ({at_once} at a time) and "
                         "waiting for Gate's answers")
        if len(groups) == 1:
            self._send_guarded((groups[0], None))
            return
        started = self._start_first(groups[:self.settings.max_in_flight])
        started += [None] * (len(groups) - len(started))
        self.client.senders.run_all(self._send_guarded, list(zip(groups, started, strict=True)),
                                    self.settings.max_in_flight)

    def _start_first(self, groups: list[list[OrderRef]]) -> list[Started | None]:
        """Put the first request of each group on the connection from this thread, all at once: handed out
        one per sender thread, each waited for the interpreter lock while the HTTP loop worked, and the
        last of 50 left ~40 ms after the first. Stops at the first group the rate budget cannot take now
        (its thread will wait for it); the threads then only wait for the answers."""
        started: list[Started | None] = []
        with self.client.sending_together():
            for group in groups:
                if self._refused is not None or self.stop_event.is_set() or not self.budget.try_acquire():
                    break
                try:
                    started.append(self._start_attempt(group, 1))
                except Exception as exc:  # nothing was sent for this group: its thread tries, guarded as ever
                    self._internal_error(exc, "starting a cancel request")
                    break
        return started

    def _start_attempt(self, group: list[OrderRef], attempt: int) -> Started:
        for ref in group:
            self._emit(CancelOutcome(ref, OutcomeState.IN_FLIGHT))
        request_id = self._journal_sent(group, attempt)
        return Started(self.method.start(self.client, group), request_id, time.perf_counter())

    def _send_guarded(self, item: tuple[list[OrderRef], Started | None]) -> None:
        group, started = item
        try:
            self._send_group(group, started)
        except Exception as exc:  # a bug must not leave orders without a state
            self._internal_error(exc, "cancelling a group")
            self._mark_maybe_applied(group)
            for ref in group:
                self._emit(CancelOutcome(ref, OutcomeState.UNKNOWN, "CLIENT_ERROR",
                                         f"gatecancel met an unexpected error ({type(exc).__name__}) while "
                                         "cancelling this order: its outcome is not known yet."))

    def _send_group(self, group: list[OrderRef], first: Started | None = None) -> None:
        """The retry ladder of one cancel request: resent only when it certainly was not applied. `first`:
        its first attempt, already started by the run."""
        failures = attempt = 0
        first_refused_for_rate: float | None = None
        while True:
            attempt += 1
            if first is not None:
                sent, first = first, None
            elif self._refused is not None or self.stop_event.is_set() or not self.budget.acquire(self.stop_event):
                self._not_sent(group)
                return
            else:
                sent = self._start_attempt(group, attempt)
            request_id, started = sent.request_id, sent.at
            try:
                response = sent.answer.result(self.stop_event)
            except NotSent as exc:  # never reached Gate: safe to send again
                self._journal_answer(request_id, None, started, error=f"not sent: {exc.label}")
                failures += 1
                if failures > self.settings.server_retries or exc.label in WILL_NOT_CHANGE:
                    self._not_sent(group, exc.label, exc.user_message)
                    return
                self.stop_event.wait(self.settings.backoff(failures))
                continue
            except NoAnswer as exc:  # may have been applied: ask the orders, do not resend blindly
                self._journal_answer(request_id, exc.status, started, error=f"no answer: {exc.label}")
                self._mark_maybe_applied(group)
                for ref in group:
                    self._emit(CancelOutcome(ref, OutcomeState.UNKNOWN, exc.label, exc.message))
                return
            except GateError as exc:
                self._journal_answer(request_id, exc.status, started, error=f"{exc.label}: {exc.message}")
                if exc.error_class is ErrorClass.RATE:
                    first_refused_for_rate = first_refused_for_rate or time.monotonic()
                    if time.monotonic() - first_refused_for_rate < self.settings.rate_wait_limit_s:
                        self.budget.pause(exc.retry_after_s if exc.retry_after_s is not None else 1.0)
                        continue
                if exc.error_class is ErrorClass.SERVER and exc.label == "TOO_BUSY":  # refused, nothing applied
                    failures += 1
                    if failures <= self.settings.server_retries:
                        self.stop_event.wait(self.settings.backoff(failures))
                        continue
                    self._unanswered(group, exc)
                    return
                if exc.error_class is ErrorClass.SERVER:  # a 500 may come after the cancel was applied:
                    self._mark_maybe_applied(group)        # the orders are asked, never sent again blindly
                    for ref in group:
                        self._emit(CancelOutcome(ref, OutcomeState.UNKNOWN, exc.label,
                                                 exc.message or exc.user_message))
                    return
                if exc.refuses_every_request:
                    with self._lock:
                        self._refused = self._refused or exc
                    self.stop_event.set()
                self._mark_refused(group, exc)
                return
            answers = self.method.read_answer(group, response.data)
            results = self.method.journal_results(group, answers)
            self._journal_answer(request_id, response.status, started, results=results,
                                 error="" if answers or not group else "answer had no readable result")
            self._apply(group, answers)
            return

    def _apply(self, group: list[OrderRef], answers: dict[OrderRef, Answer]) -> None:
        for ref in group:
            answer = answers.get(ref)
            if answer is None:
                self._mark_maybe_applied([ref])
                self._emit(CancelOutcome(ref, OutcomeState.UNKNOWN, "NO_RESULT",
                                         "Gate's answer had no result for this order."))
            elif answer.succeeded is True:
                self._emit(CancelOutcome(ref, OutcomeState.CANCELLED, text=answer.text))
            elif answer.succeeded is False and not self._is_maybe_applied(ref):
                self._emit(CancelOutcome(ref, OutcomeState.REJECTED, answer.label or "CANCEL_FAIL", answer.message,
                                         text=answer.text))
            else:
                # an unreadable flag, or a failure for an order an earlier request may have cancelled
                self._mark_maybe_applied([ref])
                self._emit(CancelOutcome(ref, OutcomeState.UNKNOWN, answer.label or "NO_RESULT",
                                         answer.message or "Gate's result for this order was unreadable."))

    # -- reconciling -------------------------------------------------------------------------------

    def _look_up_stop(self) -> threading.Event:
        """What ends a look-up: Stop, until Stop is pressed; after it, the bounded look-up of what was sent."""
        if not self.stop_event.is_set():
            return self.stop_event
        with self._lock:
            if self._give_up_timer is None:
                self._give_up_timer = threading.Timer(self.settings.look_up_after_stop_s, self._give_up.set)
                self._give_up_timer.daemon = True
                self._give_up_timer.start()
        return self._give_up

    def _look_up(self, refs: list[OrderRef], why: str) -> dict[OrderRef, Record]:
        """The orders' own records; none when the look-up fails (the orders stay unknown, with a reason)."""
        self.activity = f"asking Gate about {len(refs)} order{'s' * (len(refs) != 1)} whose cancel was not answered"
        if self.stop_event.is_set():
            self.activity += f" (at most {self.settings.look_up_after_stop_s:g} s after Stop)"
        try:
            return self.method.look_up(self.client, refs, since_ms=self._started_ms, stop=self._look_up_stop(),
                                       in_flight=self.settings.max_in_flight)
        except (GateError, Stopped) as exc:
            log.info("%s failed: %s", why, exc)
        except Exception as exc:
            self._internal_error(exc, why)
        return {}

    def _reconcile(self, unknown: list[OrderRef], *, resend: bool = True) -> list[OrderRef]:
        """Settle unknown orders from their own records; return the ones to send again."""
        records = self._look_up(unknown, "the look-up after the cancel")
        still_open: list[OrderRef] = []
        for ref in unknown:
            record = records.get(ref)
            if record is None:
                continue  # still unknown; the next round asks again
            outcome = outcome_of_record(ref, record)
            if outcome is None:
                still_open.append(ref)
            else:
                self._emit(outcome)
        if self.stop_event.is_set() and self.method.resend_open:
            for ref in still_open:
                self._emit(CancelOutcome(ref, OutcomeState.NOT_SENT, "STILL_OPEN",
                                         "Still open: the cancel did not take effect and was stopped before it "
                                         "could be sent again.", reconciled=True))
            return []
        if not self.method.resend_open:
            for ref in still_open:
                self._emit(CancelOutcome(ref, OutcomeState.REJECTED, self.method.still_open_label,
                                         self.method.still_open_message, reconciled=True))
            return []
        if not resend:
            for ref in still_open:
                self._emit(CancelOutcome(ref, OutcomeState.REJECTED, "STILL_OPEN",
                                         "Still open: Gate gave no usable answer to any try of this cancel. "
                                         "Cancel it again.", reconciled=True))
            return []
        return still_open

    def _read_filled_records(self) -> None:
        """An order Gate called filled (or not found) is looked up once: its own record says what is left of
        it, so the table shows the true numbers, not the stale ones."""
        refused = self._snapshot()
        gone = [r for r, o in refused.items()
                if o.state is OutcomeState.REJECTED and o.label in FILLED_LABELS and not o.reconciled]
        if not gone:
            return
        records = self._look_up(gone, "the look-up of filled orders")
        for ref in gone:
            record = records.get(ref)
            outcome = outcome_of_record(ref, record) if record is not None else None
            if outcome is not None and outcome.state is OutcomeState.CANCELLED:  # cancelled, but not by this run
                outcome = replace(outcome, label=ALREADY_CANCELLED, message=(
                    f"Already cancelled: Gate had no open order to cancel ({refused[ref].label}), and the order's "
                    "own record says it was cancelled before this request."))
            if outcome is not None:
                self._emit(outcome)

    # -- outcomes ----------------------------------------------------------------------------------

    def _emit(self, outcome: CancelOutcome) -> None:
        """Record and announce an outcome. A final outcome is never replaced by a later one, except a rejection
        by the order's own record (which is what the rejection only reported). `on_outcome` is called outside
        the run's lock, by one thread at a time, in the order the outcomes were recorded: a slow consumer
        holds up the one thread delivering, never the others sending."""
        with self._lock:
            if merged(self._report.outcomes.get(outcome.ref), outcome) is not outcome:
                return
            self._report.outcomes[outcome.ref] = outcome
            delivery = self._delivery
            hand_over = delivery is not None and delivery.add(outcome)
        if hand_over and delivery is not None:
            delivery.hand_over()

    def _snapshot(self) -> dict[OrderRef, CancelOutcome]:
        with self._lock:
            return dict(self._report.outcomes)

    def _internal_error(self, exc: Exception, during: str) -> None:
        """An error of this program, not of Gate's: logged once with its traceback, named in the report."""
        with self._lock:
            first = not self._report.internal_error
            if first:
                self._report.internal_error = (
                    f"gatecancel met an unexpected error ({type(exc).__name__}) during {during}; it was logged. "
                    "Every order still has a true state: look at the unknown ones on Gate.")
        if first:
            log.error("unexpected error during %s", during, exc_info=exc)
        else:
            log.info("unexpected error during %s again: %s", during, type(exc).__name__)

    def _settle_after_error(self, pending: list[OrderRef]) -> None:
        """After an unexpected error every order asked for still gets a state: what was known stays; what
        was sent is unknown; what was never sent says so."""
        outcomes = self._snapshot()
        for ref in pending:
            current = outcomes.get(ref)
            if current is not None and current.final:
                continue
            if current is not None or self._is_maybe_applied(ref):
                self._mark_maybe_applied([ref])
                self._emit(CancelOutcome(ref, OutcomeState.UNKNOWN, "CLIENT_ERROR",
                                         "gatecancel met an unexpected error before this order's outcome was known."))
            else:
                self._emit(CancelOutcome(ref, OutcomeState.NOT_SENT, "CLIENT_ERROR",
                                         "Not sent: gatecancel met an unexpected error first."))

    def _mark_maybe_applied(self, refs: list[OrderRef]) -> None:
        with self._lock:
            self._maybe_applied.update(refs)

    def _is_maybe_applied(self, ref: OrderRef) -> bool:
        with self._lock:
            return ref in self._maybe_applied

    def _not_sent(self, group: list[OrderRef], label: str = "", message: str = "") -> None:
        if not label:
            if self._refused is not None:
                label, message = self._refused.label, "Not sent: " + self._refused.user_message
            else:
                label, message = "STOPPED", "Not sent: the cancel was stopped."
        for ref in group:
            state = OutcomeState.UNKNOWN if self._is_maybe_applied(ref) else OutcomeState.NOT_SENT
            self._emit(CancelOutcome(ref, state, label, message))

    def _unanswered(self, group: list[OrderRef], exc: GateError) -> None:
        for ref in group:
            if self._is_maybe_applied(ref):
                self._emit(CancelOutcome(ref, OutcomeState.UNKNOWN, exc.label, exc.message))
            else:
                self._emit(CancelOutcome(ref, OutcomeState.NOT_SENT, exc.label, exc.user_message))

    def _mark_refused(self, group: list[OrderRef], exc: GateError) -> None:
        """Gate refused the whole request: true for every order in it, unless an earlier try may have hit."""
        for ref in group:
            state = OutcomeState.UNKNOWN if self._is_maybe_applied(ref) else OutcomeState.REJECTED
            self._emit(CancelOutcome(ref, state, exc.label, exc.message or exc.user_message))

    def _finish(self) -> CancelReport:
        """The report, once every outcome has been delivered to on_outcome."""
        self.activity = "writing the report"
        if self._delivery is not None:
            self._delivery.wait_until_handed_over()
        with self._lock:
            stopped = self.stop_event.is_set() and self._refused is None
            for ref, outcome in list(self._report.outcomes.items()):
                if outcome.state is OutcomeState.IN_FLIGHT:  # cannot happen; never leave one hanging
                    self._report.outcomes[ref] = CancelOutcome(ref, OutcomeState.UNKNOWN, "NO_RESULT",
                                                               "No answer was recorded.")
                elif outcome.state is OutcomeState.UNKNOWN:
                    self._report.outcomes[ref] = CancelOutcome(ref, OutcomeState.UNKNOWN, outcome.label or "NO_ANSWER",
                                                               _unknown_sentence(outcome, stopped), ended=True)
            self._report.stopped = stopped
            self._report.refused = self._refused.user_message if self._refused else ""
            return self._report

    # -- journal -----------------------------------------------------------------------------------

    @property
    def _environment(self) -> str:
        """Read at each line, not when the run is made: a server says it is the paper exchange on its
        answers, and the first one may come after the run was built (it was journalled as custom)."""
        return environment_of(self.client.base_url).value

    def _journal_sent(self, group: list[OrderRef], attempt: int) -> str:
        with self._lock:
            self._report.requests_sent += 1
        if self.journal is None:
            return ""
        method, _, endpoint = self.method.endpoint_of(group).partition(" ")
        try:
            return self.journal.sent(method, endpoint, self.method.journal_orders(group), attempt, self._environment,
                                     market=group[0].market.value if group else "")
        except Exception as exc:  # the cancel comes before its record: send anyway, and say so once
            self._journal_failed(exc)
            return ""

    def _journal_failed(self, exc: Exception) -> None:
        """A local failure (a full disk, a read-only folder), never blamed on Gate: said once, on the
        client's notices (the window's status bar, the command line's stderr) and in the report."""
        where = self.journal.path if self.journal is not None else "the journal"
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else type(exc).__name__
        sentence = f"The cancel journal could not be written ({why}: {where}); the cancels are sent anyway."
        with self._lock:
            if self._report.journal_error:
                return
            self._report.journal_error = sentence
        log.info("%s", sentence)  # the user hears it once, as a notice
        self.client.notify(sentence)

    def _journal_settled(self) -> None:
        """What the orders' own records said after the requests (a cancel-all's confirmation, a reconcile):
        one line, so the journal holds every order's outcome, not only the answers to requests."""
        if self.journal is None:
            return
        with self._lock:
            settled = [o for o in self._report.outcomes.values() if o.reconciled]
        by_endpoint: dict[str, list[CancelOutcome]] = {}
        for outcome in settled:  # one line per endpoint: a futures stop order is not a spot one
            by_endpoint.setdefault(self.method.endpoint_of([outcome.ref]), []).append(outcome)
        try:
            for endpoint, outcomes in by_endpoint.items():
                self.journal.settled(endpoint, [
                    {"market": o.ref.market.value, "kind": o.ref.kind.value, "currency_pair": o.ref.instrument,
                     "id": o.ref.id, "succeeded": o.succeeded, "label": o.label, "message": o.message}
                    for o in outcomes], self._environment)
        except Exception as exc:
            self._journal_failed(exc)

    def _journal_answer(self, request_id: str, status: int | None, started: float, *,
                        results: list[dict[str, Any]] | None = None, error: str = "") -> None:
        if self.journal is not None and request_id:
            try:
                self.journal.answered(request_id, status=status,
                                      latency_ms=(time.perf_counter() - started) * 1000, results=results, error=error)
            except Exception as exc:
                self._journal_failed(exc)


def _unknown_sentence(outcome: CancelOutcome, stopped: bool) -> str:
    """Why an order is still unknown at the end, in words that blame the right party."""
    if outcome.label == "CLIENT_ERROR":
        return (f"{outcome.message} It could not be checked: look at it on Gate (or refresh) before "
                "trusting it.")
    if stopped:
        return ("The cancel was sent, but Stop came before its outcome was known and the order could not be "
                "checked in time: look at it on Gate (or refresh) before trusting it.")
    return ("No usable answer from Gate, and the order could not be checked: look at it on Gate before "
            "trusting it.")
