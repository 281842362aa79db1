"""A cancel's first requests leave together from the run's thread; what that needs from the client, the
rate budget and the journal, over HTTP to the paper exchange."""

import threading

import pytest

from gatecancel_gui.core.cancel.run import CancelRun, CancelSettings
from gatecancel_gui.core.cancel.spot_batch import BATCH_ENDPOINT, SpotBatch
from gatecancel_gui.core.domain.outcomes import OutcomeState
from gatecancel_gui.core.gate.client import NotSent
from gatecancel_gui.core.gate.ratelimit import RequestBudget
from gatecancel_gui.core.gate.spot_orders import load_open_orders
from gatecancel_gui.core.gate.warmth import ConnectionWarmer
from gatecancel_gui.core.store.journal import Journal, unanswered
from tests.conftest import client_for


def test_requests_started_together_leave_when_the_block_ends(exchange, client):
    orders = load_open_orders(client)[:60]
    before = len(exchange.cancel_requests())
    with client.sending_together():
        pending = [client.start("POST", BATCH_ENDPOINT,
                                body=[{"currency_pair": o.instrument, "id": o.id} for o in orders[i:i + 20]])
                   for i in range(0, 60, 20)]
        assert len(exchange.cancel_requests()) == before  # held back: none has reached the exchange yet
    answers = [p.result() for p in pending]
    assert [len(a.data) for a in answers] == [20, 20, 20]
    assert {item["id"] for a in answers for item in a.data} == {o.id for o in orders}
    assert all(isinstance(item["succeeded"], bool) for a in answers for item in a.data)
    assert exchange.cancel_requests()[before:] == [20, 20, 20]


def test_a_request_that_cannot_be_sent_says_so_when_its_answer_is_asked(exchange):
    client = client_for(exchange)
    client.close()
    with client.sending_together():
        pending = client.start("POST", BATCH_ENDPOINT, body=[])
    with pytest.raises(RuntimeError):  # raised where the answer is asked for, as a send would
        pending.result()


def test_a_run_starts_every_first_request_before_waiting_and_journals_each(exchange, client, tmp_path):
    refs = [o.ref for o in load_open_orders(client)]
    journal = Journal(tmp_path / "journal.jsonl")
    report = CancelRun(client, SpotBatch(), journal=journal, settings=CancelSettings(max_in_flight=8)).run(refs)
    assert report.count(OutcomeState.CANCELLED) + report.count(OutcomeState.REJECTED) == len(refs)
    records = journal.read()
    assert not unanswered(records)
    ids = [r["request"] for r in records if r["event"] == "sent"]
    assert len(ids) == len(set(ids)) == -(-len(refs) // 20)  # one per request, each its own id


def test_the_first_requests_stop_at_what_the_rate_budget_allows_now(exchange, client):
    """The run's thread never waits for the budget: the groups it cannot start now wait in their threads."""
    refs = [o.ref for o in load_open_orders(client)][:200]  # 10 requests
    client.budgets.cancel = RequestBudget(max_requests=4, window_s=0.2)
    report = CancelRun(client, SpotBatch(), settings=CancelSettings(max_in_flight=10)).run(refs)
    assert report.count(OutcomeState.CANCELLED) + report.count(OutcomeState.REJECTED) == len(refs)
    assert report.requests_sent == 10


def test_try_acquire_takes_a_free_slot_and_never_waits():
    budget = RequestBudget(max_requests=2, window_s=60)
    assert budget.try_acquire() and budget.try_acquire()
    assert not budget.try_acquire()
    budget = RequestBudget(max_requests=2, window_s=60)
    budget.pause(60)
    assert not budget.try_acquire()
    stop = threading.Event()
    stop.set()
    assert not budget.acquire(stop)  # acquire still gives up on stop when it would have to wait


def test_a_journal_line_is_on_disk_as_soon_as_it_is_written(tmp_path):
    journal = Journal(tmp_path / "journal.jsonl")
    request = journal.sent("POST", BATCH_ENDPOINT, [("BTC_USDT", "1")])
    assert Journal(tmp_path / "journal.jsonl").read()[0]["request"] == request  # another reader sees it now
    journal.answered(request, status=200, latency_ms=1.0)
    journal.close()
    assert [r["event"] for r in Journal(tmp_path / "journal.jsonl").read()] == ["sent", "answer"]


def test_the_warmer_makes_loopback_http1_lanes_before_the_first_cancel(exchange):
    with client_for(exchange) as client:
        ConnectionWarmer(client, connections=12).warm()
        assert client.http_version == "HTTP/1.1"
        assert len(client._http._lanes) == 12


def test_a_request_that_never_left_is_not_sent(exchange):
    client = client_for(exchange)
    client.base_url = "http://127.0.0.1:9/api/v4"
    with pytest.raises(NotSent):
        client.start("POST", BATCH_ENDPOINT, body=[]).result()
    client.close()


class JournalThatFailsOnce(Journal):
    def __init__(self, path):
        super().__init__(path)
        self.failed = False

    def sent(self, *args, **kwargs):
        if not self.failed:
            self.failed = True
            raise OSError(28, "No space left on device")
        return super().sent(*args, **kwargs)


def test_a_journal_that_cannot_be_written_leaves_no_order_without_a_state(exchange, client, tmp_path, caplog):
    """Defect: the first requests are started outside the sender threads' guard, and a journal failure
    there ended the run with an exception, its orders left 'in flight'."""
    refs = [o.ref for o in load_open_orders(client)][:100]
    report = CancelRun(client, SpotBatch(), journal=JournalThatFailsOnce(tmp_path / "j.jsonl")).run(refs)
    assert len(report.outcomes) == len(refs)
    assert all(o.state is not OutcomeState.IN_FLIGHT for o in report.outcomes.values())
    assert report.count(OutcomeState.CANCELLED) + report.count(OutcomeState.REJECTED) == len(refs)


def test_would_wait_looks_at_the_budget_without_taking_from_it():
    """The guard says 'waiting for the cancel budget' before a burst that will wait: a look, nothing taken."""
    budget = RequestBudget(max_requests=3, window_s=60.0)
    assert not budget.would_wait(3)
    assert budget.try_acquire() and budget.try_acquire()
    assert not budget.would_wait(1) and budget.would_wait(2)
    assert budget.try_acquire()  # the look took nothing: the third slot was still there
    assert budget.would_wait(1)
    fresh = RequestBudget(max_requests=3, window_s=60.0)
    fresh.pause(30.0)  # a 429 said to wait
    assert fresh.would_wait(1)
