"""Futures orders over HTTP against the paper exchange: loading across contracts and pages (ids exact past
2**53), batches of at most 20 with a result per order, a just-filled order reported as filled, reconcile
under faults, and one click across spot and futures under the account's one cancel budget."""

import threading

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from gatecancel_gui.core.cancel.by_market import ByMarket, batch_method_for
from gatecancel_gui.core.cancel.futures_batch import FuturesBatch
from gatecancel_gui.core.cancel.run import CancelRun, CancelSettings
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.outcomes import OutcomeState
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.gate.futures_orders import load_futures_orders
from gatecancel_gui.core.gate.spot_orders import load_open_orders
from gatecancel_gui.paper import Fault, PaperExchange
from tests.conftest import client_for, wait_for

USDT = Market.FUTURES_USDT
BATCH_USDT = "/futures/usdt/batch_cancel_orders"


def record_of(ex, ref):
    return ex.futures.status_of(ref.market.value.split("-")[1], ref.id)


def test_futures_load_every_contract_of_both_settlements_and_every_page_with_exact_ids():
    with PaperExchange(orders=10, futures_orders=480) as ex, client_for(ex) as c:
        usdt = load_futures_orders(c, USDT)
        btc = load_futures_orders(c, Market.FUTURES_BTC)
        assert len(usdt) == 360 and len(btc) == 120  # 360 > 3 pages of 100: offset paging
        assert {o.id for o in usdt} == {str(o.id) for o in ex.futures.open_orders("usdt")}
        assert min(int(o.id) for o in usdt) > 2**53  # kept as text, never a float
        assert len({o.instrument for o in usdt}) == 8 and len({o.instrument for o in btc}) == 2
        paper = {str(o.id): o for o in ex.futures.open_orders("usdt")}
        for order in usdt:
            size = paper[order.id].size
            assert order.side == ("sell" if size < 0 else "buy") and order.amount == abs(size)
            assert order.market is USDT and order.ref.market is USDT
            assert order.reduce_only == paper[order.id].is_reduce_only


def test_futures_batch_cancel_sends_at_most_20_ids_and_reports_each_order():
    with PaperExchange(orders=10, futures_orders=200, fill_fraction=0.0) as ex, client_for(ex) as c:
        refs = [o.ref for o in load_futures_orders(c, USDT)]
        report = CancelRun(c, FuturesBatch(USDT)).run(refs)
        assert report.count(OutcomeState.CANCELLED) == len(refs) == 150
        assert ex.cancel_requests(BATCH_USDT) and max(ex.cancel_requests(BATCH_USDT)) <= 20
        assert all(record_of(ex, ref) == ("finished", "cancelled") for ref in refs)


def test_a_just_filled_futures_order_is_reported_as_filled_not_cancelled():
    with PaperExchange(orders=10, futures_orders=20, fill_fraction=0.0) as ex, client_for(ex) as c:
        refs = [o.ref for o in load_futures_orders(c, USDT)][:5]
        ex.futures.get("usdt", refs[0].id).fills_on_cancel = True
        ex.futures.fill("usdt", int(refs[1].id))  # filled between the load and the click
        report = CancelRun(c, FuturesBatch(USDT)).run(refs)
        for ref in refs[:2]:
            outcome = report.outcomes[ref]
            assert outcome.state is OutcomeState.REJECTED and outcome.label == "ORDER_FINISHED"
            assert outcome.reconciled and "filled" in outcome.message  # the order's own record said so
        assert all(report.outcomes[r].state is OutcomeState.CANCELLED for r in refs[2:])


def true_to_record(outcome, record):
    status, finish_as = record
    if status == "open":
        return outcome.state is OutcomeState.NOT_SENT or (outcome.state is OutcomeState.REJECTED
                                                         and outcome.label == "STILL_OPEN")
    expected = OutcomeState.CANCELLED if finish_as == "cancelled" else OutcomeState.REJECTED
    return outcome.state is expected


@pytest.mark.slow
@seed(20261201)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch_faults=st.lists(st.sampled_from(list(Fault)), max_size=10),
       get_faults=st.lists(st.sampled_from([Fault.NONE, Fault.BUSY_503, Fault.DROP_AFTER_APPLY, Fault.HTML_200]),
                           max_size=6),
       n_orders=st.integers(min_value=1, max_value=90), in_flight=st.integers(min_value=1, max_value=8))
def test_futures_outcomes_equal_the_exchange_record_under_faults(batch_faults, get_faults, n_orders, in_flight):
    with PaperExchange(orders=10, futures_orders=130, fill_fraction=0.1, slow_s=0.4, cancel_limit=40,
                       cancel_window_s=0.2) as ex, client_for(ex, timeout_s=0.25) as c:
        refs = [o.ref for o in load_futures_orders(c, USDT)][:n_orders]
        ex.plan("POST " + BATCH_USDT, batch_faults)
        ex.plan("GET /futures/usdt/orders/{id}", get_faults)
        report = CancelRun(c, FuturesBatch(USDT), settings=CancelSettings(max_in_flight=in_flight,
                                                                           backoff_s=0.01)).run(refs)
        assert set(report.outcomes) == set(refs)
        assert max(ex.cancel_requests(BATCH_USDT), default=0) <= 20
        for ref, outcome in report.outcomes.items():
            assert true_to_record(outcome, record_of(ex, ref)), (ref, outcome, record_of(ex, ref))


def test_one_click_over_spot_and_both_futures_markets_shares_the_accounts_cancel_budget():
    with PaperExchange(orders=300, pairs=6, futures_orders=400, fill_fraction=0.0, cancel_limit=10,
                       cancel_window_s=0.5) as ex, client_for(ex) as c:
        refs = [o.ref for o in load_open_orders(c)] + [o.ref for o in load_futures_orders(c, USDT)] + \
            [o.ref for o in load_futures_orders(c, Market.FUTURES_BTC)]
        method = batch_method_for(refs)
        assert isinstance(method, ByMarket) and set(method.methods) == set(Market)
        report = CancelRun(c, method).run(refs)
        assert report.count(OutcomeState.CANCELLED) == len(refs) == 700
        assert ex.cancel_window.peak <= 10  # never more than the limit in any window: no 429 needed
        assert ex.book.open_orders() == [] and ex.futures.open_orders("usdt") == [] == ex.futures.open_orders("btc")
        spot_and_futures_id = next(r for r in refs if r.market is Market.SPOT).id
        assert not any(r.id == spot_and_futures_id and r.market is not Market.SPOT for r in refs)


def test_futures_cancel_all_per_contract_is_confirmed_by_listing_and_leaves_other_contracts():
    from gatecancel_gui.core.cancel.cancel_all import cancel_all, list_scope
    from gatecancel_gui.core.domain.scope import Scope

    with PaperExchange(orders=20, futures_orders=100, fill_fraction=0.0) as ex, client_for(ex) as c:
        target = "ETH_USDT"
        before = {str(o.id) for o in ex.futures.open_orders("usdt", target)}
        others = len(ex.futures.open_orders("usdt")) - len(before)
        result = cancel_all(c, Scope(pair=target, market=USDT))
        assert {o.id for o in result.before} == before and result.requested
        assert all(o.state is OutcomeState.CANCELLED for o in result.report.outcomes.values())
        assert list_scope(c, Scope(pair=target, market=USDT)) == []  # confirmed by listing again
        assert len(ex.futures.open_orders("usdt")) == others and len(ex.book.open_orders()) == 20
        assert all(record_of(ex, o.ref) == ("finished", "cancelled") for o in result.before)


def test_futures_cancel_all_of_every_contract_with_its_stop_orders():
    from gatecancel_gui.core.cancel.cancel_all import cancel_all
    from gatecancel_gui.core.domain.scope import Scope

    with PaperExchange(orders=20, futures_orders=60, price_orders=8, fill_fraction=0.0) as ex, client_for(ex) as c:
        stops = ex.futures.open_price_orders("btc")
        assert stops
        result = cancel_all(c, Scope(market=Market.FUTURES_BTC, include_stop_orders=True))
        assert ex.futures.open_orders("btc") == [] and ex.futures.open_price_orders("btc") == []
        assert ex.futures.open_orders("usdt") and ex.futures.open_price_orders("usdt")
        assert len(result.report.outcomes) == 15 + len(stops)
        assert all(o.state is OutcomeState.CANCELLED for o in result.report.outcomes.values())


def test_the_futures_dead_man_switch_arms_renews_and_disarms():
    from gatecancel_gui.core.risk.deadman import DeadManSwitch
    from tests.core.test_deadman import Steps

    with PaperExchange(orders=5, futures_orders=40) as ex, client_for(ex) as c:
        renewed, steps = threading.Event(), Steps()
        switch = DeadManSwitch(c, 5, Scope("BTC_USDT", market=USDT), on_renewed=lambda armed: renewed.set(), wait=steps)
        switch.arm()
        first = ex.futures_countdowns[("usdt", "BTC_USDT")]
        steps.step()  # a renewal: Gate's countdown starts again
        assert renewed.wait(10)
        assert ex.futures_countdowns[("usdt", "BTC_USDT")] is not first and switch.last.trigger_ms > 0
        switch.disarm()
        assert ("usdt", "BTC_USDT") not in ex.futures_countdowns
        assert ex.futures.open_orders("usdt", "BTC_USDT")  # disarmed before it fired: nothing cancelled
    with PaperExchange(orders=5, futures_orders=40, countdown_scale=0.02) as ex, client_for(ex) as c:
        switch = DeadManSwitch(c, 5, Scope("BTC_USDT", market=USDT))
        switch.arm()
        switch.stop()  # not renewed: Gate (0.1 s here) cancels the contract's orders, and only those
        wait_for(lambda: not ex.futures.open_orders("usdt", "BTC_USDT"))
        assert ex.futures.open_orders("usdt", "ETH_USDT")


def test_a_mixed_cancel_whose_answers_are_lost_is_reconciled_market_by_market():
    with PaperExchange(orders=60, pairs=2, futures_orders=60, fill_fraction=0.1) as ex, client_for(ex) as c:
        refs = [o.ref for o in load_open_orders(c)] + [o.ref for o in load_futures_orders(c, USDT)]
        ex.plan("POST /spot/cancel_batch_orders", [Fault.DROP_AFTER_APPLY, Fault.TRUNCATED_AFTER_APPLY])
        ex.plan("POST " + BATCH_USDT, [Fault.DROP_AFTER_APPLY, Fault.ERROR_500_AFTER_APPLY])
        report = CancelRun(c, batch_method_for(refs), settings=CancelSettings(backoff_s=0.01)).run(refs)
        assert set(report.outcomes) == set(refs)
        for ref, outcome in report.outcomes.items():
            if ref.market is Market.SPOT:
                expected = {"cancelled": OutcomeState.CANCELLED, "closed": OutcomeState.REJECTED}
                assert outcome.state is expected[ex.book.status_of(ref.id)], (ref, outcome)
            else:
                assert true_to_record(outcome, record_of(ex, ref)), (ref, outcome)
        assert any(o.reconciled for o in report.outcomes.values() if o.ref.market is USDT)
        assert any(o.reconciled for o in report.outcomes.values() if o.ref.market is Market.SPOT)
