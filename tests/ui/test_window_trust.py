"""Trust under fire through the window's own worker path: random fault schedules, permissions."""

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from PySide6.QtCore import Qt

from gatecancel_gui.core.app.session import Session
from gatecancel_gui.core.cancel.run import CancelSettings
from gatecancel_gui.core.domain.outcomes import OutcomeState
from gatecancel_gui.core.store.journal import Journal, unanswered
from gatecancel_gui.paper import Fault, PaperExchange
from gatecancel_gui.ui.main_window import MainWindow
from gatecancel_gui.ui.order_rows import COLUMN
from gatecancel_gui.ui.theme import state_background
from tests.conftest import client_for
from tests.ui.conftest import Answers

STATE_OF = {"cancelled": OutcomeState.CANCELLED, "closed": OutcomeState.REJECTED}


@pytest.mark.slow
@seed(424242)
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(faults=st.lists(st.sampled_from(list(Fault)), max_size=8),
       get_faults=st.lists(st.sampled_from([Fault.NONE, Fault.BUSY_503, Fault.DROP_AFTER_APPLY]), max_size=4),
       n_orders=st.integers(min_value=1, max_value=150), twice=st.booleans())
def test_window_rows_equal_the_exchange_under_random_faults(qtbot, tmp_path_factory, faults, get_faults, n_orders,
                                                           twice):
    journal = Journal(tmp_path_factory.mktemp("journal") / "journal.jsonl")
    with PaperExchange(orders=200, pairs=6, fill_fraction=0.1, slow_s=0.4, cancel_limit=30,
                       cancel_window_s=0.2) as ex:
        session = Session("t", client_for(ex, timeout_s=0.25))
        win = MainWindow(session, confirm=Answers(), journal=journal, live=False)  # the cancel path alone
        qtbot.addWidget(win)
        with qtbot.waitSignal(win.loadFinished, timeout=10_000):
            win.refresh()
        chosen = [o.id for o in win.open_pane.model.orders()][:n_orders]
        ex.plan("POST /spot/cancel_batch_orders", faults)
        ex.plan("GET /spot/orders/{id}", get_faults)
        orders = [win.open_pane.model.order_at(win.open_pane.model.row_of(i)) for i in chosen]
        with qtbot.waitSignal(win.cancelFinished, timeout=30_000) as done:
            win.cancels.cancel(orders + (orders[:5] if twice else []), win.open_pane)  # the same order selected twice
        report = done.args[0]
        assert len(report.outcomes) == len(chosen)
        for order_id in chosen:
            record = ex.book.status_of(order_id)
            outcome = win.open_pane.model.result_of(order_id)
            assert outcome.state is STATE_OF[record], (order_id, outcome, record)
            row = win.open_pane.model.index(win.open_pane.model.row_of(order_id), COLUMN["pair"])
            assert win.open_pane.model.data(row, Qt.ItemDataRole.BackgroundRole) == state_background(outcome.state)
        assert max(ex.cancel_requests(), default=0) <= 20
        records = journal.read()
        assert unanswered(records) == set()
        assert sum(1 for r in records if r["event"] == "sent") == report.requests_sent
        session.close()


@pytest.mark.parametrize("permission, says", [
    ("read_only", "read-only"),
    ("ip_forbidden", "whitelist"),
    ("locked", "locked"),
])
def test_permission_problems_are_named_before_or_instead_of_every_batch(make_window, qtbot, permission, says):
    paper = PaperExchange(orders=1000, pairs=8).start()  # 50 batches: far more than one wave of 16 in flight
    win = make_window(key=paper.add_key(permission), exchange=paper, cancel_settings=CancelSettings(max_in_flight=16))
    with qtbot.waitSignal(win.loadFinished, timeout=10_000) as loaded:
        win.refresh()
    if loaded.args[0].ok:  # a read-only key may read: the cancel stops at the first refusal
        win.open_pane.model.set_checked([o.id for o in win.open_pane.model.orders()], True)
        with qtbot.waitSignal(win.cancelFinished, timeout=10_000) as done:
            win.commands["cancel"].trigger()
        assert done.args[0].requests_sent <= 16  # at most the first wave in flight, never all 50 batches
        assert done.args[0].count(OutcomeState.NOT_SENT) >= 1000 - 16 * 20
    assert says in win.status.message.text()
    assert all(o.status == "open" for o in paper.book.orders.values())
    win.sessions.session.close()
    win.sessions.session = None
    paper.stop()


def test_empty_selection_and_filter_that_matches_nothing_get_a_sentence(window, qtbot):
    window.commands["cancel"].setEnabled(True)
    window.cancel_checked()
    assert "Nothing is checked" in window.status.message.text()
    window.open_pane.text_filter.setText("zzzz-no-such-order")
    assert "No order matches the filter" in window.status.message.text()
