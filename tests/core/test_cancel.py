import threading
from decimal import Decimal

import pytest

from gatecancel_gui.core.cancel.by_market import batch_method_for
from gatecancel_gui.core.cancel.run import CancelRun, CancelSettings
from gatecancel_gui.core.cancel.spot_batch import SpotBatch
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import OrderRef
from gatecancel_gui.core.domain.outcomes import OutcomeState
from gatecancel_gui.core.gate.spot_orders import load_open_orders
from gatecancel_gui.core.store.journal import Journal, unanswered
from gatecancel_gui.paper import Fault, PaperExchange
from tests.conftest import client_for


def truth_state(ex, ref):
    status = ex.book.status_of(ref.id)
    return {"cancelled": OutcomeState.CANCELLED, "closed": OutcomeState.REJECTED,
            "open": "still open", None: OutcomeState.REJECTED}[status]


def assert_matches_exchange(ex, report):
    for ref, outcome in report.outcomes.items():
        assert outcome.state == truth_state(ex, ref), (ref, outcome, ex.book.status_of(ref.id))


def test_groups_of_twenty():
    refs = [OrderRef("BTC_USDT", str(i)) for i in range(45)]
    assert [len(c) for c in SpotBatch().groups(refs, 20)] == [20, 20, 5]
    assert SpotBatch().requests_for(refs) == 3


def test_requests_announced_for_a_mixed_cancel_are_the_requests_sent():
    """21 spot orders and 1 futures order are three requests (it was announced as two)."""
    refs = [OrderRef("BTC_USDT", str(i)) for i in range(21)] + [OrderRef("BTC_USDT", "9", market=Market.FUTURES_USDT)]
    method = batch_method_for(refs)
    assert method.requests_for(refs) == len(method.groups(refs, 20)) == 3


def test_cancels_everything_in_requests_of_at_most_20_each_id_once(exchange, client, tmp_path):
    orders = load_open_orders(client)
    refs = [o.ref for o in orders] + [o.ref for o in orders[:50]]  # duplicates asked for
    seen = []
    report = CancelRun(client, SpotBatch(), journal=Journal(tmp_path / "j.jsonl")).run(refs, seen.append)
    sizes = exchange.cancel_requests()
    assert max(sizes) <= 20 and sum(sizes) == len(orders)  # no order sent twice
    assert len(report.outcomes) == len(orders)
    assert_matches_exchange(exchange, report)
    filled = [r for r, o in report.outcomes.items() if o.state is OutcomeState.REJECTED]
    assert filled and all(report.outcomes[r].label == "ORDER_CLOSED" for r in filled)
    # each order: in flight first, then one final state, reported as it arrived; a filled order's is refined
    # once by its own record (same state and label, plus what is left of it), never changed
    finals = [o for o in seen if o.state is not OutcomeState.IN_FLIGHT]
    first_final = {}
    for o in finals:
        first_final.setdefault(o.ref, o)
        assert (o.state, o.label) == (first_final[o.ref].state, first_final[o.ref].label), o
    assert len(first_final) == len(orders)
    assert len(finals) == len(orders) + len(filled)
    for ref in filled:
        assert report.outcomes[ref].reconciled
        assert report.outcomes[ref].left == Decimal(exchange.book.orders[ref.id].as_api()["left"]) == 0
    assert report.requests_sent == len(sizes)


def test_requests_run_concurrently_within_the_bound():
    with PaperExchange(orders=400, latency_s=0.05) as ex, client_for(ex) as c:
        refs = [o.ref for o in load_open_orders(c)]
        report = CancelRun(c, SpotBatch(), settings=CancelSettings(max_in_flight=6)).run(refs)
        assert 2 <= ex.peak_cancels_in_flight <= 6
        assert_matches_exchange(ex, report)


def test_429_waits_for_the_reset_and_finishes():
    with PaperExchange(orders=200, cancel_limit=3, cancel_window_s=0.3) as ex, client_for(ex) as c:
        refs = [o.ref for o in load_open_orders(c)]
        report = CancelRun(c, SpotBatch()).run(refs)
        assert_matches_exchange(ex, report)
        assert report.count(OutcomeState.UNKNOWN) == 0
        assert report.requests_sent > len(ex.cancel_requests())  # some were refused with 429 and resent


def test_budget_keeps_under_the_exchange_limit_with_no_429(exchange, client):
    refs = [o.ref for o in load_open_orders(client)]
    CancelRun(client, SpotBatch()).run(refs)
    assert exchange.cancel_window.peak <= 200


def test_read_only_key_rejects_the_batch_and_stops_the_rest(exchange):
    ro = exchange.add_key("read_only")
    with client_for(exchange, ro) as c:
        refs = [o.ref for o in load_open_orders(c)]
        report = CancelRun(c, SpotBatch(), settings=CancelSettings(max_in_flight=1)).run(refs)
    assert report.requests_sent == 1
    assert report.count(OutcomeState.REJECTED) == 20
    assert report.count(OutcomeState.NOT_SENT) == len(refs) - 20
    assert "read-only" in report.refused
    assert all(exchange.book.status_of(r.id) == "open" for r in refs)


def test_unknown_outcomes_are_reconciled_against_the_order(exchange, client):
    exchange.plan("POST /spot/cancel_batch_orders", [Fault.DROP_AFTER_APPLY, Fault.TRUNCATED_AFTER_APPLY,
                                                     Fault.HTML_200, Fault.ERROR_500_AFTER_APPLY,
                                                     Fault.MISSING_FIELDS, Fault.NUMERIC_IDS, Fault.EXTRA_IDS,
                                                     Fault.DROP_RESULTS, Fault.BUSY_503])
    refs = [o.ref for o in load_open_orders(client)][:200]
    report = CancelRun(client, SpotBatch(), settings=CancelSettings(max_in_flight=1)).run(refs)
    assert report.count(OutcomeState.UNKNOWN) == 0
    assert_matches_exchange(exchange, report)
    assert any(o.reconciled for o in report.outcomes.values())


def test_slow_answer_past_the_timeout_is_reconciled():
    with PaperExchange(orders=40, slow_s=1.0) as ex, client_for(ex, timeout_s=0.3) as c:
        ex.plan("POST /spot/cancel_batch_orders", [Fault.SLOW_AFTER_APPLY])
        refs = [o.ref for o in load_open_orders(c)]
        report = CancelRun(c, SpotBatch()).run(refs)
        assert_matches_exchange(ex, report)
        assert report.count(OutcomeState.CANCELLED) >= 20


def test_stop_reports_what_was_sent_and_marks_the_rest_not_sent():
    with PaperExchange(orders=400, latency_s=0.05) as ex, client_for(ex) as c:
        refs = [o.ref for o in load_open_orders(c)]
        canceller = CancelRun(c, SpotBatch(), settings=CancelSettings(max_in_flight=2))
        first = threading.Event()

        def on_outcome(outcome):
            if outcome.final:
                canceller.stop()
                first.set()

        report = canceller.run(refs, on_outcome)
        assert first.is_set() and report.stopped
        sent = {r for r, o in report.outcomes.items() if o.state is not OutcomeState.NOT_SENT}
        assert 0 < len(sent) < len(refs)
        assert sum(ex.cancel_requests()) == len(sent)
        for ref, outcome in report.outcomes.items():
            if outcome.state is OutcomeState.NOT_SENT:
                assert ex.book.status_of(ref.id) == "open"
        assert_matches_exchange(ex, type(report)(outcomes={r: o for r, o in report.outcomes.items()
                                                           if r in sent}))


def test_journal_records_every_request_and_its_answer_without_secrets(exchange, client, tmp_path):
    exchange.plan("POST /spot/cancel_batch_orders", [Fault.DROP_AFTER_APPLY, Fault.BUSY_503])
    journal = Journal(tmp_path / "journal.jsonl")
    refs = [o.ref for o in load_open_orders(client)][:100]
    report = CancelRun(client, SpotBatch(), journal=journal).run(refs)
    records = journal.read()
    assert unanswered(records) == set()
    sent = [r for r in records if r["event"] == "sent"]
    assert len(sent) == report.requests_sent
    assert any("no answer" in r.get("error", "") for r in records if r["event"] == "answer")
    text = journal.path.read_text(encoding="utf-8")
    assert exchange.main_key.secret not in text and exchange.main_key.key not in text
    assert "SIGN" not in text


def test_orders_that_do_not_exist_are_rejected_with_gates_label(exchange, client):
    report = CancelRun(client, SpotBatch()).run([OrderRef("BTC_USDT", "1"), OrderRef("NOPE_USDT", "2")])
    assert {o.label for o in report.outcomes.values()} == {"ORDER_NOT_FOUND"}
    assert report.count(OutcomeState.REJECTED) == 2


@pytest.mark.parametrize("size", [0, 21])
def test_settings_refuse_batches_gate_would_refuse(size):
    with pytest.raises(ValueError):
        CancelSettings(batch_size=size)


def test_exchange_refuses_more_than_20(exchange, client):
    from gatecancel_gui.core.domain.errors import GateError

    body = [{"currency_pair": "BTC_USDT", "id": str(i)} for i in range(21)]
    with pytest.raises(GateError) as info:
        client.request("POST", "/spot/cancel_batch_orders", body=body)
    assert info.value.status == 400


@pytest.mark.slow
def test_many_senders_waiting_on_one_reset_all_finish():
    """30 batches at once against 1 cancel per 0.1 s: each reset frees one slot, so the last batch loses
    the race 29 times. A 429 was never applied: it waits its turn (bounded by time, not by a count of 20)."""
    with PaperExchange(orders=600, pairs=6, cancel_limit=1, cancel_window_s=0.1) as ex, client_for(ex) as c:
        refs = [o.ref for o in load_open_orders(c)]
        report = CancelRun(c, SpotBatch(), settings=CancelSettings(max_in_flight=30)).run(refs)
        assert_matches_exchange(ex, report)
        assert report.count(OutcomeState.UNKNOWN) == 0 and report.count(OutcomeState.REJECTED) == len(
            [r for r in refs if ex.book.status_of(r.id) == "closed"])
