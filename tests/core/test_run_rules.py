"""The run's state machine, table-driven, in milliseconds: a scripted way of sending (each attempt answers as
the table says) and a scripted look-up, under a client that sends nothing. Each row: what Gate does at
each attempt, what the order's record says when asked, and the outcome and request count it must give.
The paper-exchange integration and property tests sit above this layer."""

from __future__ import annotations

import contextlib
import errno
import logging
import threading
from typing import Any

import pytest

from gatecancel_gui.core.cancel.method import Answer, CancelMethod, Found, Record, results_by_id
from gatecancel_gui.core.cancel.run import CancelRun, CancelSettings
from gatecancel_gui.core.domain.errors import GateError
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import OrderRef
from gatecancel_gui.core.domain.outcomes import OutcomeState
from gatecancel_gui.core.gate.client import ApiResponse, NoAnswer, NotSent
from gatecancel_gui.core.store.journal import Journal

CANCELLED, REJECTED, UNKNOWN, NOT_SENT = (OutcomeState.CANCELLED, OutcomeState.REJECTED, OutcomeState.UNKNOWN,
                                          OutcomeState.NOT_SENT)


class FreeBudget:
    def try_acquire(self) -> bool:
        return True

    def acquire(self, stop: threading.Event | None = None) -> bool:
        return not (stop is not None and stop.is_set())

    def pause(self, seconds: float) -> None:
        pass


class InOrder:
    """Sender threads, one after another: the table's runs are deterministic."""

    def run_all(self, fn, items, limit):
        for item in items:
            fn(item)


class Clock:
    synced = True

    def now(self) -> float:
        return 1_700_000_000.0


class QuietClient:
    """What the run needs of a client, and nothing that talks: notices are kept for the test to read."""

    base_url = "https://api.gateio.ws/api/v4"

    def __init__(self) -> None:
        self.clock = Clock()
        self.budgets = type("Budgets", (), {"cancel": FreeBudget()})()
        self.senders = InOrder()
        self.notices: list[str] = []

    def ensure_clock(self, stop=None) -> None:
        pass

    def sending_together(self):
        return contextlib.nullcontext()

    def notify(self, text: str) -> None:
        self.notices.append(text)


class Scripted:
    """A request already answered, as the script says."""

    def __init__(self, outcome: Any) -> None:
        self.outcome = outcome

    def result(self, stop: threading.Event | None = None) -> ApiResponse:
        if isinstance(self.outcome, BaseException):
            raise self.outcome
        return ApiResponse(200, self.outcome, None, 0.0)  # type: ignore[arg-type]


def answer(kind: str, group: list[OrderRef]) -> Any:
    """What Gate does to one attempt of a batch: an answer's body, or the error the client raises."""
    if kind == "ok":
        return [{"id": r.id, "currency_pair": r.instrument, "succeeded": True} for r in group]
    if kind == "reject":
        return [{"id": r.id, "currency_pair": r.instrument, "succeeded": False, "label": "ORDER_NOT_FOUND",
                 "message": "not found"} for r in group]
    if kind == "unreadable":
        return [{"id": r.id, "currency_pair": r.instrument} for r in group]
    if kind == "missing":
        return []
    return {
        "500": GateError(500, "SERVER_ERROR", "Internal server error"),
        "502": GateError(502, "SERVER_ERROR", "bad gateway"),
        "503": GateError(503, "TOO_BUSY", "busy"),
        "timeout": NoAnswer("TIMEOUT", "no answer within the timeout"),
        "dropped": NoAnswer("CONNECTION_LOST", "the connection broke"),
        "not_sent": NotSent("ConnectError"),
        "no_host": NotSent("gaierror", label="HOST_UNKNOWN"),
        "bad_key": GateError(401, "INVALID_KEY", "invalid key"),
        "read_only": GateError(403, "READ_ONLY", "read only"),
    }[kind]


class ScriptedBatch(CancelMethod):
    """A batch method whose n-th attempt answers `attempts[n]` and whose look-up answers `records[n]`."""

    endpoint = "POST /spot/cancel_batch_orders"

    def __init__(self, attempts: list[str], records: list[str | None] | None = None) -> None:
        self.attempts, self.records = list(attempts), list(records or [])
        self.sent = 0
        self.looked_up = 0
        self.tries: dict[str, int] = {}  # attempts so far, per group (by its first order)

    def start(self, client, group):
        tried = self.tries.get(group[0].id, 0)
        self.tries[group[0].id] = tried + 1
        self.sent += 1
        return Scripted(answer(self.attempts[min(tried, len(self.attempts) - 1)], group))

    def read_answer(self, group, data):
        by_id = results_by_id(data)
        answers = {}
        for ref in group:
            if (item := by_id.get(ref.id)) is not None:
                succeeded = item.get("succeeded")
                answers[ref] = Answer(succeeded if isinstance(succeeded, bool) else None,
                                      str(item.get("label") or ""), str(item.get("message") or ""))
        return answers

    def look_up(self, client, refs, *, since_ms, stop, in_flight):
        kind = self.records[min(self.looked_up, len(self.records) - 1)] if self.records else None
        self.looked_up += 1
        if kind == "raise":
            raise ValueError("a bug in the look-up")
        if kind is None:
            return {}
        return {ref: Record(Found(kind)) for ref in refs}


ORDER = OrderRef("BTC_USDT", "1")
FAST = CancelSettings(backoff_s=0.0, max_backoff_s=0.0)


def run_one(attempts, records=None, **kwargs):
    method = ScriptedBatch(attempts, records)
    report = CancelRun(QuietClient(), method, settings=FAST, **kwargs).run([ORDER])  # type: ignore[arg-type]
    return report.outcomes[ORDER], method


@pytest.mark.parametrize(("attempts", "records", "state", "label", "requests"), [
    (["ok"], None, CANCELLED, "", 1),
    (["reject"], None, REJECTED, "ORDER_NOT_FOUND", 1),
    (["reject"], ["cancelled"], CANCELLED, "ALREADY_CANCELLED", 1),  # not found: its record says cancelled before
    # a 500 may come after the cancel was applied: asked, never resent blindly (it used to be resent)
    (["500"], ["cancelled"], CANCELLED, "", 1),
    (["502"], ["filled"], REJECTED, "ORDER_CLOSED", 1),
    (["500", "ok"], ["open"], CANCELLED, "", 2),  # still open by its own record: certainly not applied
    (["500"], [None], UNKNOWN, "SERVER_ERROR", 1),
    (["503", "ok"], None, CANCELLED, "", 2),  # TOO_BUSY: refused, nothing applied, sent again
    (["503"] * 4, None, NOT_SENT, "TOO_BUSY", 4),
    (["timeout"], ["cancelled"], CANCELLED, "", 1),
    (["dropped"], ["filled"], REJECTED, "ORDER_CLOSED", 1),
    (["timeout"], ["not_found"], REJECTED, "ORDER_NOT_FOUND", 1),
    (["timeout", "reject"], ["open", "not_found"], REJECTED, "ORDER_NOT_FOUND", 2),
    (["timeout", "reject"], ["open", None], UNKNOWN, "ORDER_NOT_FOUND", 2),  # a 2nd cancel's failure is not believed
    (["timeout"], [None], UNKNOWN, "TIMEOUT", 1),
    (["timeout"], ["raise"], UNKNOWN, "TIMEOUT", 1),
    (["unreadable"], ["cancelled"], CANCELLED, "", 1),
    (["missing"], ["open", None], UNKNOWN, "NO_RESULT", 2),
    (["not_sent", "ok"], None, CANCELLED, "", 2),
    (["not_sent"] * 4, None, NOT_SENT, "CONNECT_FAILED", 4),
    (["no_host"], None, NOT_SENT, "HOST_UNKNOWN", 1),  # a name that does not resolve: final at once
    (["bad_key"], None, REJECTED, "INVALID_KEY", 1),
    (["read_only"], None, REJECTED, "READ_ONLY", 1),
])
def test_each_answer_at_each_attempt_gives_its_one_outcome(attempts, records, state, label, requests):
    outcome, method = run_one(attempts, records)
    assert (outcome.state, outcome.label, method.sent) == (state, label, requests)
    assert outcome.message or state is CANCELLED  # every outcome but a success says why


def test_an_order_unknown_at_the_end_says_so_in_a_sentence_that_does_not_guess():
    outcome, _ = run_one(["timeout"], [None])
    assert "could not be checked" in outcome.message and outcome.state is UNKNOWN


def test_a_stopped_run_does_not_blame_gate_for_what_it_could_not_check():
    method = ScriptedBatch(["ok"])
    run = CancelRun(QuietClient(), method, settings=FAST)  # type: ignore[arg-type]
    run.stop()
    report = run.run([ORDER])
    assert report.outcomes[ORDER].state is NOT_SENT and report.stopped and method.sent == 0


class BreaksOnSecondRound(ScriptedBatch):
    """A bug that strikes after part of the run is done (it was a ValueError in the bulk look-up)."""

    def groups(self, refs, size):
        if self.looked_up:
            raise ValueError("a bug after the look-up")
        return super().groups(refs, size)


def test_an_unexpected_error_still_returns_a_whole_report_logged_once(caplog):
    refs = [OrderRef("BTC_USDT", str(i)) for i in range(59)]

    class Half(BreaksOnSecondRound):
        def start(self, client, group):
            self.sent += 1
            if group[0].id in {r.id for r in refs[:40]}:
                return Scripted(answer("ok", group))
            return Scripted(answer("timeout", group))

    method = Half(["ok"], ["open"])
    with caplog.at_level(logging.INFO, logger="gatecancel_gui.core.cancel.run"):
        report = CancelRun(QuietClient(), method, settings=FAST).run(refs)  # type: ignore[arg-type]
    assert set(report.outcomes) == set(refs)
    assert report.count(CANCELLED) == 40 and report.count(UNKNOWN) == 19
    assert all(o.message for o in report.outcomes.values() if o.state is not CANCELLED)
    assert "unexpected error (ValueError)" in report.internal_error
    assert len([r for r in caplog.records if r.levelno >= logging.ERROR]) == 1


def test_a_journal_that_cannot_be_written_never_stops_a_cancel(tmp_path):
    class FullDisk(Journal):
        def _append(self, record):
            raise OSError(errno.ENOSPC, "No space left on device")

    client = QuietClient()
    refs = [OrderRef("BTC_USDT", str(i)) for i in range(45)]
    method = ScriptedBatch(["ok"])
    report = CancelRun(client, method, journal=FullDisk(tmp_path / "j.jsonl"),  # type: ignore[arg-type]
                       settings=FAST).run(refs)
    assert report.count(CANCELLED) == 45 and method.sent == 3
    assert "No space left on device" in report.journal_error and "Gate" not in report.journal_error
    assert client.notices == [report.journal_error]  # said once, not once per request


def test_outcomes_are_delivered_outside_the_runs_lock_in_order_for_each_order():
    seen: list[tuple[str, OutcomeState, bool]] = []
    run: CancelRun

    def on_outcome(outcome):
        seen.append((outcome.ref.id, outcome.state, run._lock.locked()))

    refs = [OrderRef("BTC_USDT", str(i)) for i in range(30)]
    run = CancelRun(QuietClient(), ScriptedBatch(["timeout", "ok"], ["open"]), settings=FAST)  # type: ignore[arg-type]
    run.run(refs, on_outcome)
    assert not any(locked for _, _, locked in seen)
    for ref in refs:
        states = [state for order_id, state, _ in seen if order_id == ref.id]
        assert states == [OutcomeState.IN_FLIGHT, UNKNOWN, OutcomeState.IN_FLIGHT, CANCELLED]


def test_a_slow_consumer_holds_up_only_the_thread_delivering():
    """Two senders at once: the first outcome's consumer blocks until the other sender has emitted its
    outcomes; the other must not wait for it (with the callback under the run's lock it would)."""
    other_done = threading.Event()
    first = threading.Event()

    class TwoThreads(InOrder):
        def run_all(self, fn, items, limit):
            threads = [threading.Thread(target=fn, args=(item,)) for item in items]
            threads[0].start()
            assert first.wait(5)
            threads[1].start()
            threads[1].join(2)
            if not threads[1].is_alive():
                other_done.set()
            threads[0].join(5)
            threads[1].join(5)

    def on_outcome(outcome):
        if outcome.ref.id == "0" and outcome.state is CANCELLED and not first.is_set():
            first.set()
            assert other_done.wait(5), "the other sender was held up by a slow consumer"

    client = QuietClient()
    client.senders = TwoThreads()
    refs = [OrderRef("BTC_USDT", "0"), OrderRef("ETH_USDT", "1")]
    report = CancelRun(client, ScriptedBatch(["ok"]), settings=CancelSettings(batch_size=1)).run(  # type: ignore[arg-type]
        refs, on_outcome)
    assert other_done.is_set() and report.count(CANCELLED) == 2


def test_the_settled_journal_line_names_each_orders_market_and_its_own_endpoint(tmp_path):
    from gatecancel_gui.core.cancel.stop_orders_each import StopOrderEach
    from gatecancel_gui.core.domain.orders import OrderKind

    journal = Journal(tmp_path / "j.jsonl")
    refs = [OrderRef("BTC_USDT", "7", OrderKind.STOP, Market.FUTURES_USDT)]

    class Timeouts(StopOrderEach):
        def start(self, client, group):
            return Scripted(answer("timeout", group))

        def look_up(self, client, refs, *, since_ms, stop, in_flight):
            return {ref: Record(Found.CANCELLED) for ref in refs}

    CancelRun(QuietClient(), Timeouts(), journal=journal, settings=FAST).run(refs)  # type: ignore[arg-type]
    settled = [r for r in journal.read() if r["event"] == "settled"]
    assert settled[0]["endpoint"] == "DELETE /futures/usdt/price_orders/{id}"
    assert settled[0]["results"][0]["market"] == "futures-usdt"


def test_an_order_left_unknown_at_the_end_is_marked_as_no_longer_checked():
    """The window kept saying '? checking (STOPPED)' after the run had ended: nothing was checking it."""
    from gatecancel_gui.ui.theme import result_text

    outcome, _ = run_one(["timeout"], [None])
    assert outcome.ended and result_text(outcome.state, outcome.label, outcome.ended) == "? unknown (TIMEOUT)"
    assert result_text(UNKNOWN, "TIMEOUT") == "? checking (TIMEOUT)"  # while the run still goes on
