"""The window's one job controller: refused cancel-alls, routing by full identity, reads through a busy
exchange, closing without waiting on the GUI thread, the Profiles dialog's life, the collector."""

import gc

import keyring
import pytest
from PySide6.QtCore import Qt

from gatecancel_gui.core.app.session import Session
from gatecancel_gui.core.domain.orders import OrderKind
from gatecancel_gui.core.domain.outcomes import OutcomeState
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.store import credentials
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.core.store.profiles import Profile, ProfileStore
from gatecancel_gui.paper import PaperExchange
from gatecancel_gui.ui.main_window import MainWindow
from gatecancel_gui.ui.order_rows import COLUMN
from gatecancel_gui.ui.profiles_dialog import ProfilesDialog
from gatecancel_gui.ui.theme import state_background
from tests.conftest import client_for
from tests.memkeyring import MemoryKeyring
from tests.ui.conftest import Answers, fill_custom_profile, shut


def background(model, order_id):
    return model.data(model.index(model.row_of(order_id), COLUMN["pair"]), Qt.ItemDataRole.BackgroundRole)


@pytest.fixture
def open_window(qtbot, tmp_path):
    """A window on its own paper exchange, loaded; shut (jobs joined, switch disarmed) at teardown."""
    made = []

    def make(exchange, key=None, **window_kwargs):
        win = MainWindow(Session("desk", client_for(exchange, key)), confirm=Answers(),
                         journal=Journal(tmp_path / "journal.jsonl"), **window_kwargs)
        qtbot.addWidget(win, before_close_func=lambda w: shut(w, qtbot))
        win.show()
        made.append(win)
        with qtbot.waitSignal(win.loadFinished, timeout=10_000):
            win.refresh()
        return win

    yield make
    for win in made:
        win.sessions.session.close()


def test_a_refused_cancel_all_turns_every_row_of_its_scope_red(open_window, qtbot):
    """Defect: a refused cancel-all (read-only key) left every row of the scope amber 'sending' forever."""
    with PaperExchange(orders=60, pairs=3) as ex:
        win = open_window(ex, ex.add_key("read_only"), choose_scope=lambda *args: Scope())
        with qtbot.waitSignal(win.cancelFinished, timeout=10_000) as done:
            win.cancel_all()
        assert done.args[0].refused and "read-only" in win.status.message.text()
        red = state_background(OutcomeState.REJECTED)
        for order in win.open_pane.model.orders():
            outcome = win.open_pane.model.result_of(order.id)
            assert outcome is not None and outcome.state is OutcomeState.REJECTED and outcome.label == "READ_ONLY"
            assert background(win.open_pane.model, order.id) == red
        assert all(o.status == "open" for o in ex.book.orders.values())


def test_an_open_order_and_a_stop_order_with_the_same_id_keep_their_own_results(open_window, qtbot):
    """Defect: outcomes were routed to both tables by bare id, so a stop order took an open order's colour."""
    with PaperExchange(orders=30, pairs=2) as ex:
        twin_id = int(next(iter(ex.book.open_orders())).id)
        ex.price_orders._next = twin_id  # the next stop order gets the same id as an open order
        order = ex.book.orders[str(twin_id)]
        ex.price_orders.place(order.currency_pair, order.price, "<=", "sell", order.price, order.amount)
        win = open_window(ex)
        assert win.stop_pane.model.row_of(str(twin_id)) is not None
        win.open_pane.model.set_checked([str(twin_id)], True)
        with qtbot.waitSignal(win.cancelFinished, timeout=10_000):
            win.cancel_checked()
        assert win.open_pane.model.result_of(str(twin_id)).state is OutcomeState.CANCELLED
        assert win.stop_pane.model.result_of(str(twin_id)) is None  # the stop order was not touched …
        assert background(win.stop_pane.model, str(twin_id)) is None  # … and does not look touched
        assert ex.price_orders.orders[twin_id].status == "open"


def test_the_window_loads_and_cancels_through_a_503_on_every_first_read(open_window, qtbot):
    """Defect: a single 503 on any read aborted the load; now the window retries and says so."""
    with PaperExchange(orders=150, pairs=4, price_orders=4) as ex:
        ex.busy_first_get = True
        notices = []
        win = MainWindow(Session("busy", client_for(ex)), confirm=Answers())
        win.jobs.notice.connect(notices.append)
        qtbot.addWidget(win, before_close_func=lambda w: shut(w, qtbot))
        with qtbot.waitSignal(win.loadFinished, timeout=10_000) as loaded:
            win.refresh()
        assert loaded.args[0].ok, loaded.args[0].error
        assert win.open_pane.model.rowCount() == 150 and win.stop_pane.model.rowCount() == 4
        assert "Gate is busy (open orders), retrying 2/5…" in notices
        win.sessions.session.close()


def test_closing_during_a_load_does_not_wait_on_the_gui_thread(open_window, qtbot):
    """Defect: close() waited up to 10 s for the load thread: on a slow network the window froze."""
    with PaperExchange(orders=30, pairs=2) as ex:
        win = open_window(ex)
        ex.latency_s = 0.4
        with qtbot.waitSignal(win.loadFinished, timeout=10_000) as loaded:
            win.refresh()
            win.close()
            assert win.isVisible()  # close() returned at once; the load is stopped in the background
        assert not loaded.args[0].ok
        qtbot.waitUntil(lambda: not win.isVisible(), timeout=10_000)


def test_profiles_dialog_is_made_once_and_session_only_credentials_survive_switching(qtbot, tmp_path):
    """Defect: each Profiles… made a new dialog that was never deleted, and switching back to a profile whose
    credentials were 'for this session only' failed (they lived in the dialog)."""
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    try:
        with PaperExchange(orders=20, pairs=2) as first, PaperExchange(orders=35, pairs=3, seed=3) as second:
            store = ProfileStore(tmp_path / "profiles.json")
            store.put(Profile("alpha", "custom", first.base_url))
            credentials.save("alpha", Credentials(first.main_key.key, first.main_key.secret))
            win = MainWindow(Session("alpha", client_for(first)), confirm=Answers(), profiles=store,
                             journal=Journal(tmp_path / "j.jsonl"))
            qtbot.addWidget(win, before_close_func=lambda w: shut(w, qtbot))
            dialog = win.edit_profiles()
            fill_custom_profile(dialog, second.base_url, second.main_key.key, second.main_key.secret, name="beta")
            dialog.session_only.setChecked(True)
            with qtbot.waitSignal(win.loadFinished, timeout=10_000):
                dialog.use()
            assert win.open_pane.model.rowCount() == 35
            assert keyring.get_password(credentials.KEYRING_SERVICE, "beta") is None  # never stored

            for name, rows in (("alpha", 20), ("beta", 35)):  # away and back again, by the profile box
                with qtbot.waitSignal(win.loadFinished, timeout=10_000) as loaded:
                    win.profile_box.setCurrentText(name)
                    win.profile_box.activated.emit(win.profile_box.currentIndex())
                assert loaded.args[0].ok and win.open_pane.model.rowCount() == rows and name in win.windowTitle()

            assert win.edit_profiles() is dialog
            dialog.close()
            assert len(win.findChildren(ProfilesDialog)) == 1
            win.sessions.session.close()
    finally:
        keyring.set_keyring(previous)


def test_the_collector_is_left_as_it_was_found(open_window, qtbot):
    """Defect: gc.disable()/gc.freeze() were applied process-wide from a worker thread and never undone."""
    assert gc.isenabled() and gc.get_freeze_count() == 0
    with PaperExchange(orders=50, pairs=2) as ex:
        win = open_window(ex)
        assert gc.isenabled()  # no load running: the collector runs
        with qtbot.waitSignal(win.loadFinished, timeout=10_000):
            win.refresh()  # a second load unfreezes the first one's rows before freezing its own
        shut(win, qtbot)
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_outcomes_are_routed_by_kind_to_their_table(open_window, qtbot):
    with PaperExchange(orders=20, pairs=2, price_orders=3) as ex:
        win = open_window(ex)
        stop_ids = [o.id for o in win.stop_pane.model.orders()]
        win.tabs.setCurrentWidget(win.stop_pane)
        win.stop_pane.model.set_checked(stop_ids, True)
        with qtbot.waitSignal(win.cancelFinished, timeout=10_000) as done:
            win.cancel_checked()
        assert {r.kind for r in done.args[0].outcomes} == {OrderKind.STOP}
        assert all(win.stop_pane.model.result_of(i).state is OutcomeState.CANCELLED for i in stop_ids)
        assert not win.open_pane.model.results


def test_closing_when_the_cancel_ends_while_the_question_is_open_still_closes(open_window, qtbot):
    """Defect: 'A cancel is running… close?' stayed open until the cancel ended; answering then left the
    window open for good ('Closing after the requests in flight…')."""
    with PaperExchange(orders=200, pairs=4) as ex:
        win = open_window(ex)
        ex.latency_s = 0.3

        def answer_after_the_cancel_ended(parent, title, text, yes_text=""):
            qtbot.waitUntil(lambda: win.cancels.job is None, timeout=10_000)  # as a modal exec() would let it
            return True

        win.open_pane.model.set_checked([o.id for o in win.open_pane.model.orders()], True)
        win.cancel_checked()
        win.confirm = answer_after_the_cancel_ended
        win.close()
        qtbot.waitUntil(lambda: not win.isVisible(), timeout=10_000)


def test_a_cancel_goes_ahead_of_a_live_refresh_and_none_starts_behind_the_question(open_window, qtbot):
    """Defect: live refresh loaded behind the confirmation, and the cancel then ran beside that load,
    which replaced the rows and the status mid-cancel."""
    with PaperExchange(orders=120, pairs=3) as ex:
        win = open_window(ex)
        chosen = [o.id for o in win.open_pane.model.orders()][:30]
        win.open_pane.model.set_checked(chosen, True)
        ex.latency_s = 0.3
        win.feed.refresh(auto=True)  # a live refresh is under way when the trader presses Delete
        under_way = win.feed.job
        assert under_way is not None and win.commands["cancel"].isEnabled()
        seen_during_question = []

        def confirm(parent, title, text, yes_text=""):
            win.risk.refreshDue.emit()  # the live timer fires while the question is open
            seen_during_question.append(win.feed.job)
            return True

        win.confirm = confirm
        loads = []
        win.loadFinished.connect(loads.append)
        with qtbot.waitSignal(win.cancelFinished, timeout=15_000) as done:
            win.cancel_checked()
        assert seen_during_question == [under_way]  # the tick during the question started no new load
        assert {r.id for r in done.args[0].outcomes} == set(chosen)
        qtbot.waitUntil(lambda: bool(loads), timeout=10_000)
        assert loads[0].stopped  # the load was dropped, not shown over the cancel
        for order_id in chosen:
            assert win.open_pane.model.result_of(order_id).state is not OutcomeState.IN_FLIGHT
        assert win.status.message.text().startswith("Done:")


def test_closing_while_the_switch_is_arming_disarms_it_before_closing(open_window, qtbot):
    """Defect: a close while the arm request was under way left the switch armed; Gate fired later."""
    with PaperExchange(orders=20, pairs=2, countdown_scale=0.1) as ex:
        win = open_window(ex)
        ex.latency_s = 0.3
        win.risk.arm_box.click()
        assert win.risk.pending is not None and not win.risk.armed
        win.close()
        assert win.isVisible()
        qtbot.waitUntil(lambda: not win.isVisible(), timeout=10_000)
        assert ex.deadman.timers == {}  # armed, then disarmed before the window went


def test_stop_while_a_cancel_all_is_still_listing_says_nothing_was_sent(open_window, qtbot):
    with PaperExchange(orders=40, pairs=2) as ex:
        win = open_window(ex, choose_scope=lambda *args: Scope())
        ex.latency_s = 0.5
        with qtbot.waitSignal(win.cancelFinished, timeout=10_000):
            win.cancel_all()
            win.stop_sending()
        assert win.status.message.text() == "Stopped before any cancel was sent."
        assert all(o.status == "open" for o in ex.book.orders.values() if o.status != "closed")
