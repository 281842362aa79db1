"""Cancel-all scopes, stop orders, the dead-man switch and CSV export, against the paper exchange."""

import csv

import pytest

from gatecancel_gui.core.cancel.cancel_all import cancel_all
from gatecancel_gui.core.cancel.run import CancelRun
from gatecancel_gui.core.cancel.stop_orders_each import StopOrderEach
from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.domain.outcomes import OutcomeState
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.gate.stop_orders import load_spot_stop_orders
from gatecancel_gui.core.risk.deadman import DeadManSwitch, countdown
from gatecancel_gui.core.store.export import write_csv
from gatecancel_gui.core.store.journal import Journal, unanswered
from gatecancel_gui.paper import Fault, PaperExchange
from tests.conftest import client_for, wait_for
from tests.core.test_deadman import Steps

STATE_OF = {"cancelled": OutcomeState.CANCELLED, "closed": OutcomeState.REJECTED}


@pytest.fixture
def risky():
    with PaperExchange(orders=400, pairs=8, price_orders=12, fill_fraction=0.05) as ex:
        yield ex


def test_stop_orders_load_with_big_ids_as_strings(risky):
    with client_for(risky) as c:
        stops = load_spot_stop_orders(c)
    assert len(stops) == 12 and all(isinstance(o.id, str) and int(o.id) > 2**53 for o in stops)
    assert all(o.type.startswith("stop ") and o.text.startswith("trigger") for o in stops)


def test_plain_cancel_all_leaves_stop_orders_and_classifies_every_order(risky, tmp_path):
    journal = Journal(tmp_path / "j.jsonl")
    with client_for(risky) as c:
        result = cancel_all(c, Scope(), journal=journal)
        assert risky.book.open_orders() == []
        assert len(result.report.outcomes) == 400
        for ref, outcome in result.report.outcomes.items():
            assert outcome.state is STATE_OF[risky.book.status_of(ref.id)], (ref, outcome)
        assert len(risky.price_orders.open()) == 12  # untouched: Gate's cancel-all does not reach them
        assert unanswered(journal.read()) == set()


def test_scoped_cancel_all_with_stop_orders_cancels_only_the_scope(risky):
    pair = risky.price_orders.open()[0].market
    with client_for(risky) as c:
        scope = Scope(pair, "sell", include_stop_orders=True)
        result = cancel_all(c, scope)
    assert all(o.side == "buy" for o in risky.book.open_orders(pair))
    assert any(o.currency_pair != pair for o in risky.book.open_orders())
    left = risky.price_orders.open()
    assert all(o.market != pair or o.side == "buy" for o in left) and len(left) < 12
    stop_ids = {o.id for o in result.stop_orders}
    assert stop_ids and all(result.report.outcomes[o.ref].state is OutcomeState.CANCELLED for o in result.stop_orders)
    assert scope.question("live") == ("Cancel all open spot sell orders in " + pair + " on LIVE? "
                                      "Stop (price-triggered) orders in this scope are included.")


def test_stop_order_cancel_survives_a_dropped_answer(risky):
    risky.plan("DELETE /spot/price_orders/{id}", [Fault.DROP_AFTER_APPLY, Fault.BUSY_503])
    with client_for(risky) as c:
        refs = [o.ref for o in load_spot_stop_orders(c)]
        report = CancelRun(c, StopOrderEach()).run(refs)
    assert {o.state for o in report.outcomes.values()} == {OutcomeState.CANCELLED}
    assert risky.price_orders.open() == []


def test_dead_man_switch_fires_when_renewals_stop():
    with PaperExchange(orders=50, pairs=4, countdown_scale=0.1) as ex, client_for(ex) as c:
        switch = DeadManSwitch(c, 5)
        armed = switch.arm()
        assert armed.trigger_ms > 0 and 0 < switch.seconds_left() <= 0.6
        switch.stop()  # renewals stop (a crash, a lost network): Gate fires
        assert ex.deadman.fired_event.wait(5)
        assert ex.book.open_orders() == []


def test_dead_man_switch_renewals_keep_it_from_firing_and_disarm_clears_it():
    with PaperExchange(orders=50, pairs=4, countdown_scale=0.6) as ex, client_for(ex) as c:
        steps, renewed = Steps(), []
        switch = DeadManSwitch(c, 5, on_renewed=renewed.append, wait=steps)  # fires 3 s after each renewal
        switch.arm()
        for count in (1, 2, 3):
            steps.step()
            wait_for(lambda count=count: len(renewed) == count, 5)
        assert not ex.deadman.fired_event.is_set() and len(ex.book.open_orders()) == 50
        switch.disarm()
        assert ex.deadman.timers == {}


def test_dead_man_switch_refuses_a_short_timeout_and_reports_failed_renewals(exchange):
    with client_for(exchange) as c:
        with pytest.raises(ConfigError):
            DeadManSwitch(c, 3)
        with pytest.raises(ConfigError):
            countdown(c, 2)
        failures, steps = [], Steps()
        switch = DeadManSwitch(c, 5, on_failed=failures.append, wait=steps)
        switch.arm()
        exchange.plan("POST /spot/countdown_cancel_all", repeat=Fault.BUSY_503)
        steps.step()
        wait_for(lambda: failures, 10)
        assert "Renewing the dead-man switch failed" in failures[0]
        exchange.plan("POST /spot/countdown_cancel_all", [])
        switch.disarm()


def test_csv_export_keeps_ids_as_text(tmp_path):
    path = tmp_path / "orders.csv"
    assert write_csv(path, ["id", "state"], [["9007199254740993", "cancelled"], ["1", None]]) == 2
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows == [["id", "state"], ["9007199254740993", "cancelled"], ["1", ""]]


def test_csv_export_starts_with_a_byte_order_mark_so_excel_reads_it_as_utf8(tmp_path):
    """Issue 22, item 11: without a BOM Excel read the file in the system's code page (✔ ✖ – … garbled)."""
    path = tmp_path / "orders.csv"
    header, rows = ["Pair", "Result"], [["BTC_USDT", "✔ cancelled"], ["ETH_USDT", "✖ not found – gone…"]]
    write_csv(path, header, rows)
    assert path.read_bytes().startswith(b"\xef\xbb\xbfPair,")
    with path.open(newline="", encoding="utf-8-sig") as fh:
        assert list(csv.reader(fh)) == [header, *rows]
