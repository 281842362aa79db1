"""Promises that hold on the rare paths, over real HTTP to the paper exchange: a server that drips its
answer, Stop while an answer is slow, a 500 after the cancel was applied, a journal on a full disk, a
blocking request inside sending_together(), and the orders' own records that do not say."""

from __future__ import annotations

import os
import threading

import pytest

from gatecancel_gui.core.cancel.cancel_all import CancelAllResult
from gatecancel_gui.core.cancel.run import CancelRun, CancelSettings
from gatecancel_gui.core.cancel.spot_batch import SpotBatch
from gatecancel_gui.core.cancel.stop_orders_each import StopOrderEach
from gatecancel_gui.core.domain.errors import GateError
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order, OrderKind, OrderRef
from gatecancel_gui.core.domain.outcomes import CancelOutcome, CancelReport, OutcomeState
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.gate.spot_orders import load_open_orders
from gatecancel_gui.core.gate.stop_orders import futures_stop_status
from gatecancel_gui.core.net.transport import NetworkSettings
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.paper import Fault, NetworkShape, PaperExchange
from tests.conftest import FAST_READS, client_for

BATCH = "POST /spot/cancel_batch_orders"


def assert_true_to_the_book(ex: PaperExchange, report: CancelReport) -> None:
    """Each order's outcome is what the exchange's book says happened to it."""
    for ref, outcome in report.outcomes.items():
        status = ex.book.status_of(ref.id)
        expected = {"cancelled": OutcomeState.CANCELLED, "closed": OutcomeState.REJECTED}.get(status or "")
        assert outcome.state is expected, (ref, outcome, status)


@pytest.mark.parametrize("shape", [None, NetworkShape(tls=True)], ids=["http1", "tls-http2"])
def test_a_dripping_answer_meets_the_request_deadline_and_every_order_is_still_true(shape, tmp_path):
    """One byte every 0.8 s: each read gets something in time, so only a deadline for the whole answer
    ends it (it came back after 8 s with a 1 s timeout). The orders are then looked up: all true. No clock
    is read here: the journal says the request ended at its deadline, and a dripped answer read to its end
    would take minutes, past the suite's hang timeout."""
    journal = Journal(tmp_path / "journal.jsonl")
    with PaperExchange(orders=30, pairs=2, network=shape) as ex:
        with GateClient(ex.base_url, Credentials(ex.main_key.key, ex.main_key.secret), timeout_s=1.0,
                        read_retry=FAST_READS, network=NetworkSettings(ca_file=ex.ca_file)) as c:
            refs = [o.ref for o in load_open_orders(c)][:20]
            ex.plan(BATCH, [Fault.DRIP_AFTER_APPLY])
            report = CancelRun(c, SpotBatch(), journal=journal).run(refs)
    assert report.count(OutcomeState.CANCELLED) == 20
    assert_true_to_the_book(ex, report)
    assert [r["error"] for r in journal.read() if r["event"] == "answer"] == ["no answer: TIMEOUT"]


def test_stop_ends_the_wait_for_a_slow_answer_and_what_was_sent_is_still_looked_up(tmp_path):
    """The answer is 30 s away and the request timeout 60 s: the journal says Stop ended the wait (not the
    answer, not the deadline), and the look-up found every order cancelled."""
    journal = Journal(tmp_path / "journal.jsonl")
    with PaperExchange(orders=30, pairs=2, slow_s=30.0) as ex, client_for(ex, timeout_s=60.0) as c:
        refs = [o.ref for o in load_open_orders(c)][:20]
        ex.plan(BATCH, [Fault.SLOW_AFTER_APPLY])
        run = CancelRun(c, SpotBatch(), journal=journal)
        reports: list[CancelReport] = []
        worker = threading.Thread(target=lambda: reports.append(run.run(refs)))
        worker.start()
        assert ex.cancel_seen.wait(10)  # the cancel reached the exchange, whose answer is 30 s away
        run.stop()
        worker.join()
    report = reports[0]
    assert report.stopped and report.count(OutcomeState.CANCELLED) == 20  # found cancelled by the look-up
    assert_true_to_the_book(ex, report)
    assert [r["error"] for r in journal.read() if r["event"] == "answer"] == ["no answer: STOPPED"]


def test_abandoning_after_stop_reports_what_was_sent_as_unknown_in_a_sentence():
    with PaperExchange(orders=30, pairs=2, slow_s=30.0) as ex, client_for(ex, timeout_s=60.0) as c:
        refs = [o.ref for o in load_open_orders(c)][:20]
        ex.plan(BATCH, [Fault.SLOW_AFTER_APPLY])
        ex.plan("GET /spot/orders/{id}", repeat=Fault.SLOW_AFTER_APPLY)  # the look-up is slow too
        ex.plan("GET /spot/open_orders", repeat=Fault.SLOW_AFTER_APPLY)
        ex.plan("GET /spot/orders", repeat=Fault.SLOW_AFTER_APPLY)
        run = CancelRun(c, SpotBatch())
        reports: list[CancelReport] = []
        worker = threading.Thread(target=lambda: reports.append(run.run(refs)))
        worker.start()
        assert ex.cancel_seen.wait(10)
        run.stop()
        run.abandon()  # a second Ctrl+C
        worker.join(10)
        assert not worker.is_alive()
    outcomes = list(reports[0].outcomes.values())
    assert {o.state for o in outcomes} == {OutcomeState.UNKNOWN}
    assert all("Stop came before" in o.message for o in outcomes)


def test_a_500_after_the_cancel_was_applied_is_looked_up_not_sent_again():
    with PaperExchange(orders=30, pairs=2) as ex, client_for(ex) as c:
        refs = [o.ref for o in load_open_orders(c)][:20]
        ex.plan(BATCH, [Fault.ERROR_500_AFTER_APPLY])
        report = CancelRun(c, SpotBatch(), settings=CancelSettings(backoff_s=0.01)).run(refs)
    assert report.count(OutcomeState.CANCELLED) == 20 and report.requests_sent == 1
    assert len(ex.cancel_requests()) == 1  # it was sent twice


def test_a_cancel_with_the_journal_on_a_full_disk_cancels_every_order_and_says_why(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full")
    journal_path = tmp_path / "journal.jsonl"
    journal_path.symlink_to("/dev/full")
    notices: list[str] = []
    with PaperExchange(orders=60, pairs=2) as ex, client_for(ex) as c:
        c.add_listener(notices.append)
        refs = [o.ref for o in load_open_orders(c)][:45]
        report = CancelRun(c, SpotBatch(), journal=Journal(journal_path)).run(refs)
    assert report.count(OutcomeState.CANCELLED) + report.count(OutcomeState.REJECTED) == 45  # a few filled first
    assert_true_to_the_book(ex, report)
    assert "No space left on device" in report.journal_error and "Gate gave" not in report.journal_error
    assert notices.count(report.journal_error) == 1


def test_a_blocking_request_inside_sending_together_on_its_own_thread_returns(exchange, client):
    answers = []

    def blocking_inside_the_block() -> None:
        with client.sending_together():
            answers.append(client.request("GET", "/spot/time", signed=False).status)

    worker = threading.Thread(target=blocking_inside_the_block, daemon=True)
    worker.start()
    worker.join(5)
    assert answers == [200]  # it never returned


STOP = OrderRef("BTC_USDT", "12", OrderKind.STOP)
FUTURES_STOP = OrderRef("BTC_USDT", "12", OrderKind.STOP, Market.FUTURES_USDT)


@pytest.mark.parametrize(("ref", "data"), [
    (STOP, {"id": "12"}),                                    # no status: Gate did not say
    (FUTURES_STOP, {"id": "12", "status": "finished"}),       # finished, but not how
    (FUTURES_STOP, {"id": "12", "status": "finished", "finish_as": ""}),
    (FUTURES_STOP, {"id": "12", "status": "finished", "reason": "closed by the user, position liquidated"}),
])
def test_a_stop_order_answer_that_does_not_say_cancelled_is_no_word_for_it(ref, data):
    answer = StopOrderEach().read_answer([ref], data)[ref]
    assert answer.succeeded is None  # it counted as cancelled


def test_a_stop_order_cancel_answer_that_says_so_is_gates_word():
    assert StopOrderEach().read_answer([STOP], {"id": "12", "status": "cancelled"})[STOP].succeeded is True
    assert StopOrderEach().read_answer([FUTURES_STOP], {"id": "12", "status": "finished", "finish_as": "cancelled"}
                                       )[FUTURES_STOP].succeeded is True


def test_a_futures_stop_order_record_finished_without_saying_how_stays_unknown():
    assert futures_stop_status({"status": "finished", "finish_as": ""}) == ""
    assert futures_stop_status({"status": "finished", "finish_as": "succeeded"}) == "finished"
    assert futures_stop_status({"status": "finished", "finish_as": "cancelled"}) == "cancelled"


def test_a_cancel_all_result_matches_orders_by_identity_not_by_id():
    def order(market: Market) -> Order:
        return Order("77", "BTC_USDT", "buy", "limit", *(0, 1, 1, 0), 0, market=market)  # type: ignore[arg-type]

    spot, perpetual = order(Market.SPOT), order(Market.FUTURES_USDT)
    report = CancelReport(outcomes={
        spot.ref: CancelOutcome(spot.ref, OutcomeState.CANCELLED),
        perpetual.ref: CancelOutcome(perpetual.ref, OutcomeState.REJECTED, "STILL_OPEN", "still open"),
    })
    result = CancelAllResult(Scope(), True, [spot, perpetual], report)
    assert result.gone == [spot]  # the spot order was counted still open: same id as the perpetual one


def test_a_host_name_that_does_not_resolve_is_final_at_once():
    """It was retried 5 times (~4 s) before its sentence."""
    notices: list[str] = []
    with GateClient("https://nonexistent-host.invalid:8443/api/v4", read_retry=FAST_READS) as c:
        c.add_listener(notices.append)
        with pytest.raises(GateError) as caught:
            c.request("GET", "/spot/time", signed=False)
    assert caught.value.label == "HOST_UNKNOWN" and caught.value.attempts == 1 and notices == []
    assert "host name could not be found" in str(caught.value)


def test_the_journal_names_the_environment_the_server_has_said_by_the_time_of_each_line(tmp_path):
    """A run made before the paper exchange's first answer journalled every line as 'custom'."""
    journal = Journal(tmp_path / "journal.jsonl")
    with PaperExchange(orders=30, pairs=2) as ex, client_for(ex) as c:
        run = CancelRun(c, SpotBatch(), journal=journal)  # nothing has answered yet: not known to be paper
        refs = [o.ref for o in load_open_orders(c)][:20]  # … now it has said so
        run.run(refs)
    sent = [r for r in journal.read() if r["event"] == "sent"]
    assert sent and {r["environment"] for r in sent} == {"paper"}


def test_a_journal_line_takes_its_time_from_one_reading_of_the_clock():
    """Two readings across a second's turn wrote 10:12:34.999 then 10:12:34.000 (out of order)."""
    from gatecancel_gui.core.store.journal import _now

    assert _now(1_700_000_000.9996) == "2023-11-14T22:13:20.999Z"
    assert _now(1_700_000_001.0004) == "2023-11-14T22:13:21.000Z"


def test_a_journal_that_is_not_a_regular_file_is_refused_not_read_without_end(tmp_path):
    """`gatecancel journal` with the journal on /dev/full read without end (3 GB in 5 s)."""
    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full")
    (tmp_path / "journal.jsonl").symlink_to("/dev/full")
    with pytest.raises(OSError, match="not a regular file"):
        Journal(tmp_path / "journal.jsonl").contents()


def test_an_order_already_cancelled_before_the_request_says_so(exchange, client):
    """Gate answered ORDER_NOT_FOUND and the order's record says cancelled: it is cancelled, but not by
    this run, and the outcome says so (it read as a plain success)."""
    ref = next(o.ref for o in load_open_orders(client))
    CancelRun(client, SpotBatch()).run([ref])
    again = CancelRun(client, SpotBatch()).run([ref]).outcomes[ref]
    assert again.state is OutcomeState.CANCELLED and again.label == "ALREADY_CANCELLED"
    assert "before this request" in again.message


def test_no_read_is_sent_once_stop_is_set(exchange, client):
    """A read after Stop went out (a free slot of the budget was taken) and its answer was then not waited
    for: after the look-up's bound passed, every remaining order was still asked."""
    from gatecancel_gui.core.domain.errors import Stopped

    stop = threading.Event()
    stop.set()
    before = len(exchange.requests)
    with pytest.raises(Stopped):
        client.request("GET", "/spot/open_orders", stop=stop)
    assert len(exchange.requests) == before

