"""The one cancel run: Stop reaches every phase and wakes every wait, reads ride out a busy exchange, one
budget per account, and a way of sending plugs in without a skeleton of its own."""

import threading

from gatecancel_gui.core.cancel.cancel_all import cancel_all
from gatecancel_gui.core.cancel.run import CancelRun, CancelSettings
from gatecancel_gui.core.cancel.spot_batch import SpotBatch
from gatecancel_gui.core.cancel.stop_orders_each import StopOrderEach
from gatecancel_gui.core.domain.orders import OrderKind
from gatecancel_gui.core.domain.outcomes import CancelOutcome, OutcomeState
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.gate.client import ReadRetry
from gatecancel_gui.core.gate.spot_orders import load_open_orders
from gatecancel_gui.core.gate.stop_orders import load_spot_stop_orders
from gatecancel_gui.paper import Fault, PaperExchange
from tests.conftest import client_for

STATE_OF = {"cancelled": OutcomeState.CANCELLED, "closed": OutcomeState.REJECTED}
# An hour of backoff: a wait Stop does not wake outlives the suite's hang timeout and fails the test, so no
# wall-clock bound is asserted.
SLOW = CancelSettings(backoff_s=3600.0, max_backoff_s=3600.0)


def stop_soon(run_or_event, seconds=0.3):
    stop = run_or_event.stop if hasattr(run_or_event, "stop") else run_or_event.set
    timer = threading.Timer(seconds, stop)
    timer.start()
    return timer


def test_stop_reaches_the_stop_order_phase_of_a_cancel_all():
    """Defect: the stop-order phase of a cancel-all made its own Stop: pressing Stop did not reach it."""
    with PaperExchange(orders=40, pairs=2, price_orders=6) as ex, client_for(ex) as c:
        stop = threading.Event()

        def on_outcome(outcome):
            if outcome.label == "CONFIRMING":  # the cancel-all was accepted: the user presses Stop now
                stop.set()

        result = cancel_all(c, Scope(include_stop_orders=True), on_outcome=on_outcome, stop=stop)
        stops = [o for r, o in result.report.outcomes.items() if r.kind is OrderKind.STOP]
        assert len(stops) == 6 and all(o.state is OutcomeState.NOT_SENT for o in stops)
        assert not [r for r in ex.requests if r[1].startswith("/spot/price_orders/")]  # not one was sent
        assert all(o.status == "open" for o in ex.price_orders.orders.values())
        assert result.report.stopped


def test_stop_wakes_the_backoff_of_a_batch_cancel():
    with PaperExchange(orders=40, pairs=2) as ex, client_for(ex) as c:
        refs = [o.ref for o in load_open_orders(c)][:10]
        ex.plan("POST /spot/cancel_batch_orders", repeat=Fault.BUSY_503)
        run = CancelRun(c, SpotBatch(), settings=SLOW)
        stop_soon(run)
        report = run.run(refs)
        assert {o.state for o in report.outcomes.values()} == {OutcomeState.NOT_SENT}  # 503 TOO_BUSY: not applied
        assert report.stopped


def test_stop_wakes_the_backoff_of_stop_order_cancels():
    """Defect: the stop-order engine slept through Stop (time.sleep between retries)."""
    with PaperExchange(orders=10, pairs=2, price_orders=3) as ex, client_for(ex) as c:
        refs = [o.ref for o in load_spot_stop_orders(c)]
        ex.plan("DELETE /spot/price_orders/{id}", repeat=Fault.BUSY_503)
        run = CancelRun(c, StopOrderEach(), settings=SLOW)
        stop_soon(run)
        report = run.run(refs)
        assert {o.state for o in report.outcomes.values()} == {OutcomeState.NOT_SENT}


def test_stop_wakes_a_read_waiting_to_retry():
    with PaperExchange(orders=10, pairs=2) as ex, \
            client_for(ex, read_retry=ReadRetry(backoff_s=3600.0, max_backoff_s=3600.0)) as c:
        c.sync_clock()
        ex.plan("GET /spot/open_orders", repeat=Fault.BUSY_503)
        stop = threading.Event()
        stop_soon(stop)
        try:
            load_open_orders(c, stop=stop)
        except Exception as exc:  # Stopped
            assert type(exc).__name__ == "Stopped"
        else:
            raise AssertionError("a stopped load returned orders")


def test_every_read_survives_a_503_on_its_first_attempt():
    """Defect: one 503 on any read (server time, open orders, stop orders, finished orders, one order)
    aborted the whole load or look-up."""
    with PaperExchange(orders=200, pairs=4, fill_fraction=0.1, price_orders=4) as ex, client_for(ex) as c:
        notices = []
        c.add_listener(notices.append)
        ex.busy_first_get = True
        orders = load_open_orders(c)
        assert len(orders) == 200
        assert len(load_spot_stop_orders(c)) == 4
        # a cancel whose answers are lost must be settled from the orders' records, read through 503s too
        ex.plan("POST /spot/cancel_batch_orders", [Fault.DROP_AFTER_APPLY] * 3)
        refs = [o.ref for o in orders if o.instrument == orders[0].instrument][:30] + \
               [o.ref for o in orders if o.instrument != orders[0].instrument][:5]
        report = CancelRun(c, SpotBatch(), settings=CancelSettings(max_in_flight=1)).run(refs)
        for ref, outcome in report.outcomes.items():
            assert outcome.state is STATE_OF[ex.book.status_of(ref.id)], (ref, outcome)
        assert any("Gate is busy (open orders), retrying 2/5" in n for n in notices), notices
        routes = {endpoint.split("?")[0] for _, endpoint, _ in ex.requests}
        assert {"/spot/open_orders", "/spot/price_orders", "/spot/orders"} <= routes


def test_a_read_that_never_gets_through_says_so_in_one_sentence():
    with PaperExchange(orders=10, pairs=2) as ex, client_for(ex) as c:
        c.sync_clock()
        ex.plan("GET /spot/open_orders", repeat=Fault.BUSY_503)
        try:
            load_open_orders(c)
        except Exception as exc:
            assert str(exc) == "Gate had a server problem or is too busy: try again shortly. (Tried 5 times.)"
        else:
            raise AssertionError("a load that never got through returned orders")


def test_engines_running_at_once_share_the_account_budget():
    """Gate's 200 cancels/s is one budget per account: two runs on two clients of one key share it."""
    with PaperExchange(orders=10, pairs=2) as ex, client_for(ex) as a, client_for(ex) as b:
        assert a.budgets is b.budgets
        assert CancelRun(a, SpotBatch()).budget is CancelRun(b, StopOrderEach()).budget
        other = ex.add_key("trade")
        with client_for(ex, other) as c:
            assert c.budgets is not a.budgets


def test_a_final_outcome_is_never_replaced():
    with PaperExchange(orders=10, pairs=2) as ex, client_for(ex) as c:
        refs = [o.ref for o in load_open_orders(c)][:3]
        run = CancelRun(c, SpotBatch())
        report = run.run(refs)
        assert {o.state for o in report.outcomes.values()} == {OutcomeState.CANCELLED}
        run._emit(CancelOutcome(refs[0], OutcomeState.REJECTED, "ORDER_NOT_FOUND"))
        assert report.outcomes[refs[0]].state is OutcomeState.CANCELLED


def test_an_empty_answer_to_a_stop_order_cancel_is_not_taken_for_a_cancel():
    """Defect: any 2xx to DELETE /spot/price_orders/{id} counted as cancelled, even an empty body."""
    with PaperExchange(orders=10, pairs=2, price_orders=2) as ex, client_for(ex) as c:
        refs = [o.ref for o in load_spot_stop_orders(c)]
        ex.plan("DELETE /spot/price_orders/{id}", [Fault.EMPTY_200, Fault.EMPTY_200])
        report = CancelRun(c, StopOrderEach()).run(refs)
        for ref, outcome in report.outcomes.items():
            assert ex.price_orders.orders[int(ref.id)].status == "cancelled"
            assert outcome.state is OutcomeState.CANCELLED
        assert report.requests_sent == 4  # each empty answer was checked against the order and sent again


def test_a_refused_cancel_all_says_why_its_stop_orders_were_not_sent():
    """Defect: after a refused cancel-all (read-only key) its stop orders said 'STOPPED'."""
    with PaperExchange(orders=20, pairs=2, price_orders=3) as ex, client_for(ex, ex.add_key("read_only")) as c:
        result = cancel_all(c, Scope(include_stop_orders=True))
        stops = [o for r, o in result.report.outcomes.items() if r.kind is OrderKind.STOP]
        assert len(stops) == 3
        assert all(o.state is OutcomeState.NOT_SENT and o.label == "READ_ONLY" and "read-only" in o.message
                   for o in stops)
        assert "read-only" in result.report.refused and not result.report.stopped
