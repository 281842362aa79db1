"""Trust under fire, through the core: clock, expiry, 5,000 orders with faults, journal completeness,
answers that are not Gate's."""

import http.server
import threading
import time

import pytest

from gatecancel_gui.core.cancel.run import CancelRun
from gatecancel_gui.core.cancel.spot_batch import SpotBatch
from gatecancel_gui.core.domain.errors import GateError
from gatecancel_gui.core.domain.outcomes import OutcomeState
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.gate.spot_orders import load_open_orders
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.core.store.journal import Journal, unanswered
from gatecancel_gui.paper import Fault, PaperExchange
from tests.conftest import client_for

STATE_OF = {"cancelled": OutcomeState.CANCELLED, "closed": OutcomeState.REJECTED}


@pytest.mark.parametrize("skew_s", [-600.0, 600.0])
def test_client_clock_ten_minutes_off_still_cancels(exchange, skew_s):
    with client_for(exchange, local_clock=lambda: time.time() + skew_s) as c:
        refs = [o.ref for o in load_open_orders(c)][:40]
        report = CancelRun(c, SpotBatch()).run(refs)
        for ref, outcome in report.outcomes.items():
            assert outcome.state is STATE_OF[exchange.book.status_of(ref.id)]


def test_a_late_request_with_an_expiry_is_reported_expired_and_can_be_retried(exchange):
    with client_for(exchange, expiry_s=0.1) as c:
        refs = [o.ref for o in load_open_orders(c) if not exchange.book.orders[o.id].fills_on_cancel][:5]
        exchange.latency_s = 0.3  # every request now arrives after its x-gate-exptime
        report = CancelRun(c, SpotBatch()).run(refs)
        assert {o.state for o in report.outcomes.values()} == {OutcomeState.REJECTED}
        assert {o.label for o in report.outcomes.values()} == {"REQUEST_EXPIRED"}
        assert all(o.retryable for o in report.outcomes.values())
        assert all(exchange.book.status_of(r.id) == "open" for r in refs)
        assert len(exchange.cancel_requests()) == 0  # refused before anything was applied
        exchange.latency_s = 0.0
        retry = CancelRun(c, SpotBatch()).run(refs)
        assert {o.state for o in retry.outcomes.values()} == {OutcomeState.CANCELLED}


@pytest.mark.slow
def test_five_thousand_orders_with_faults_every_outcome_true_and_journal_complete(tmp_path):
    faults = [Fault.DROP_AFTER_APPLY, Fault.RATE_429, Fault.BUSY_503, Fault.TRUNCATED_AFTER_APPLY, Fault.HTML_200,
              Fault.ERROR_500_AFTER_APPLY, Fault.NUMERIC_IDS, Fault.EXTRA_IDS, Fault.MISSING_FIELDS,
              Fault.DROP_RESULTS]
    with PaperExchange(orders=5000, pairs=20, fill_fraction=0.02) as ex, client_for(ex) as c:
        refs = [o.ref for o in load_open_orders(c)]
        assert len(refs) == 5000
        ex.plan("POST /spot/cancel_batch_orders", faults)
        journal = Journal(tmp_path / "journal.jsonl")
        seen = []
        report = CancelRun(c, SpotBatch(), journal=journal).run(refs + refs[:300], seen.append)
        assert set(report.outcomes) == set(refs)
        for ref, outcome in report.outcomes.items():
            assert outcome.state is STATE_OF[ex.book.status_of(ref.id)], (ref, outcome)
        finals = {}
        for outcome in seen:
            if outcome.final:  # a final state never changes (a filled order's record may refine its numbers)
                first = finals.setdefault(outcome.ref, outcome)
                assert (first.state, first.label) == (outcome.state, outcome.label), "reported twice, differently"
        assert max(ex.cancel_requests()) <= 20
        assert ex.cancel_window.peak <= 200
        records = journal.read()
        assert unanswered(records) == set()
        sent = [r for r in records if r["event"] == "sent"]
        assert len(sent) == report.requests_sent >= 250
        answered_no_answer = [r for r in records if r["event"] == "answer" and "no answer" in r.get("error", "")]
        assert answered_no_answer  # a request whose answer was lost is recorded as such


def test_an_address_that_is_not_gate_gets_a_plain_sentence(tmp_path):
    (tmp_path / "index.html").write_text("<html>hello</html>", encoding="utf-8")
    handler = lambda *a, **k: http.server.SimpleHTTPRequestHandler(*a, directory=str(tmp_path), **k)  # noqa: E731
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.RequestHandlerClass.log_message = lambda *a: None
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with GateClient(f"http://127.0.0.1:{server.server_address[1]}/api/v4", Credentials("k", "s")) as c:
            with pytest.raises(GateError) as info:
                c.sync_clock()
        assert "did not answer like Gate's API" in info.value.user_message
    finally:
        server.shutdown()
        server.server_close()


def test_many_unknown_orders_are_settled_in_bulk_not_one_request_each():
    faults = [Fault.DROP_AFTER_APPLY, Fault.TRUNCATED_AFTER_APPLY, Fault.ERROR_500_AFTER_APPLY] * 10
    with PaperExchange(orders=3000, pairs=10, heavy_pairs=0, fill_fraction=0.05) as ex, client_for(ex) as c:
        refs = [o.ref for o in load_open_orders(c)]
        ex.plan("POST /spot/cancel_batch_orders", faults)
        seen_unknown = set()
        report = CancelRun(c, SpotBatch()).run(
            refs, lambda o: o.state is OutcomeState.UNKNOWN and seen_unknown.add(o.ref))
        for ref, outcome in report.outcomes.items():
            assert outcome.state is STATE_OF[ex.book.status_of(ref.id)], (ref, outcome)
        single_lookups = sum(1 for method, endpoint, _ in ex.requests
                             if method == "GET" and endpoint.startswith("/spot/orders/"))
        assert len(seen_unknown) >= 300  # 30 unanswered requests of 20 orders
        assert single_lookups < len(seen_unknown) // 5  # listing per pair, not one GET per order
