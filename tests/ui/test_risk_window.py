"""The window's risk tools against the paper exchange: cancel-all scopes, stop orders, the dead-man switch,
live refresh, CSV export, the journal view and profile switching."""

import csv
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt

from gatecancel_gui.core.app.session import Session
from gatecancel_gui.core.domain.outcomes import OutcomeState
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.store import credentials
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.core.store.profiles import Profile, ProfileStore
from gatecancel_gui.paper import PaperExchange
from gatecancel_gui.ui.main_window import MainWindow
from gatecancel_gui.ui.order_rows import COLUMN
from tests.conftest import client_for
from tests.ui.conftest import Answers, shut

STATE_OF = {"cancelled": OutcomeState.CANCELLED, "closed": OutcomeState.REJECTED}


@pytest.fixture
def risky():
    with PaperExchange(orders=240, pairs=6, price_orders=10, fill_fraction=0.05, countdown_scale=0.1) as ex:
        yield ex


@pytest.fixture
def make_risky_window(qtbot, risky, tmp_path):
    windows = []

    def make(scope=None, path=None, answers=None, live=True):
        win = MainWindow(Session("risk desk", client_for(risky)), confirm=answers or Answers(),
                         journal=Journal(tmp_path / "journal.jsonl"),
                         choose_scope=lambda *args: scope, choose_path=lambda *args: str(path or ""), live=live)
        qtbot.addWidget(win, before_close_func=lambda w: shut(w, qtbot))
        win.show()
        with qtbot.waitSignal(win.loadFinished, timeout=10_000):
            win.refresh()
        windows.append(win)
        return win

    yield make
    for win in windows:  # pytest-qt has shut them (before_close_func)
        win.sessions.session.close()


def result_text(win, pane, order_id):
    model = pane.model
    return model.data(model.index(model.row_of(order_id), COLUMN["result"]))


def test_stop_orders_have_their_own_tab_and_cancel_one_by_one(make_risky_window, risky, qtbot):
    win = make_risky_window()
    assert win.stop_pane.model.rowCount() == 10 and win.tabs.tabText(1) == "Stop orders (10)"
    win.tabs.setCurrentWidget(win.stop_pane)
    chosen = [o.id for o in win.stop_pane.model.orders()[:4]]
    win.stop_pane.model.set_checked(chosen, True)
    with qtbot.waitSignal(win.cancelFinished, timeout=10_000) as done:
        win.commands["cancel"].trigger()
    assert done.args[0].count(OutcomeState.CANCELLED) == 4
    assert all(result_text(win, win.stop_pane, i) == "✔ cancelled" for i in chosen)
    assert len(risky.price_orders.open()) == 6
    # open orders untouched
    assert all(win.open_pane.model.result_of(o.id) is None for o in win.open_pane.model.orders())


def test_plain_cancel_all_colours_rows_by_what_is_gone_and_leaves_stop_orders(make_risky_window, risky, qtbot):
    answers = Answers()
    win = make_risky_window(scope=Scope(), answers=answers)
    with qtbot.waitSignal(win.cancelFinished, timeout=15_000):
        win.commands["cancel_all"].trigger()
    value = sum(o.left * o.price for o in win.open_pane.model.orders())
    assert answers.questions[-1] == ("Cancel all open spot orders in every pair on PAPER? "
                                     "Stop (price-triggered) orders are NOT included: a plain cancel-all leaves "
                                     "them alive.\n\n"
                                     f"This scope covers 240 loaded open orders ({value:,.2f} USDT).")
    for order in win.open_pane.model.orders():
        assert win.open_pane.model.result_of(order.id).state is STATE_OF[risky.book.status_of(order.id)]
    assert len(risky.price_orders.open()) == 10
    assert all(win.stop_pane.model.result_of(o.id) is None for o in win.stop_pane.model.orders())


def test_scoped_cancel_all_with_stop_orders(make_risky_window, risky, qtbot):
    pair = risky.price_orders.open()[0].market
    win = make_risky_window(scope=Scope(pair, None, include_stop_orders=True))
    with qtbot.waitSignal(win.cancelFinished, timeout=15_000):
        win.commands["cancel_all"].trigger()
    assert not risky.book.open_orders(pair) and any(risky.book.open_orders())
    for order in win.stop_pane.model.orders():
        outcome = win.stop_pane.model.result_of(order.id)
        if order.instrument == pair:
            assert outcome.state is OutcomeState.CANCELLED
        else:
            assert outcome is None
    assert all(o.market != pair for o in risky.price_orders.open())


def test_dead_man_switch_arms_counts_down_fires_and_disarms(make_risky_window, risky, qtbot):
    win = make_risky_window()
    win.risk.switch_timeout.setValue(5)
    with qtbot.waitSignal(win.risk.armedChanged, timeout=10_000) as armed:
        win.risk.arm_box.click()
    assert armed.args == [True] and "ARMED" in win.risk.countdown.text()
    assert "" in risky.deadman.timers
    assert not win.profile_box.isEnabled()  # no account switch while armed
    with qtbot.waitSignal(win.risk.armedChanged, timeout=10_000) as disarmed:
        win.risk.arm_box.click()
    assert disarmed.args == [False] and risky.deadman.timers == {} and win.risk.countdown.text() == "off"
    # armed again, then the renewals stop (as if the app died): the exchange fires
    with qtbot.waitSignal(win.risk.armedChanged, timeout=10_000):
        win.risk.arm_box.click()
    win.risk.switch.stop()
    assert risky.deadman.fired_event.wait(5)
    with qtbot.waitSignal(win.loadFinished, timeout=10_000):
        win.refresh()
    assert win.open_pane.model.rowCount() == 0


def test_a_failed_renewal_is_shown(make_risky_window, risky, qtbot):
    from gatecancel_gui.paper import Fault

    win = make_risky_window()
    win.risk.switch_timeout.setValue(5)
    with qtbot.waitSignal(win.risk.armedChanged, timeout=10_000):
        win.risk.arm_box.click()
    risky.plan("POST /spot/countdown_cancel_all", repeat=Fault.BUSY_503)
    with qtbot.waitSignal(win.status.errorShown, timeout=10_000) as shown:
        pass
    assert "Renewing the dead-man switch failed" in shown.args[0]
    risky.plan("POST /spot/countdown_cancel_all", [])


def test_closing_the_window_disarms_the_switch_without_a_network_call_on_the_gui_thread(
        make_risky_window, risky, qtbot):
    """Defect: close() disarmed synchronously on the GUI thread: on a slow network the window froze."""
    win = make_risky_window()
    with qtbot.waitSignal(win.risk.armedChanged, timeout=10_000):
        win.risk.arm_box.click()
    assert risky.deadman.timers
    risky.latency_s = 0.3  # a slow network
    win.close()
    assert win.isVisible() and risky.deadman.timers  # close() returned at once; the disarm runs in a job
    assert "dead-man switch is disarmed" in win.status.message.text()
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=10_000)
    assert risky.deadman.timers == {}  # … and the window closed only once Gate had disarmed it


@pytest.mark.slow
def test_live_refresh_marks_new_and_gone_and_keeps_checks(make_risky_window, risky, qtbot):
    win = make_risky_window(live=False)  # the auto-refresh: what keeps the table current without a stream
    ids = [o.id for o in win.open_pane.model.orders()]
    win.open_pane.model.set_checked(ids[:5], True)
    risky.book.fill(ids[0])
    placed = risky.book.place("BTC_USDT", "buy", Decimal("50000"), Decimal("0.01"))
    bar = win.open_pane.view.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5_000)  # the view lays its rows out on the event loop
    bar.setValue(bar.maximum() // 2)
    scrolled = bar.value()
    assert scrolled > 0
    win.risk.refresh_every.setValue(2)
    win.risk.auto_refresh.setChecked(True)
    with qtbot.waitSignal(win.loadFinished, timeout=10_000):
        pass
    win.risk.auto_refresh.setChecked(False)
    assert result_text(win, win.open_pane, placed.id) == "★ new"
    assert result_text(win, win.open_pane, ids[0]) == "– gone"
    assert win.open_pane.model.checked == set(ids[1:5])
    assert "1 new, 1 gone" in win.status.message.text()
    assert bar.value() == scrolled  # the trader's place in the table survives
    win.commands["clear"].trigger()
    assert win.open_pane.model.row_of(ids[0]) is None


def test_export_csv_has_the_visible_rows_and_results(make_risky_window, risky, qtbot, tmp_path):
    path = tmp_path / "export.csv"
    win = make_risky_window(path=path)
    pair = risky.book.open_pairs()[0]
    win.open_pane.pair_filter.setCurrentText(pair)
    win.open_pane.model.set_checked(win.open_pane.filtered.visible_ids()[:3], True)
    with qtbot.waitSignal(win.cancelFinished, timeout=10_000):
        win.commands["cancel"].trigger()
    assert win.export_csv() == path
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert rows[0][:3] == ["Market", "Pair / contract", "Side"] and rows[0][-3:] == ["Result", "Label", "Message"]
    assert len(rows) - 1 == win.open_pane.filtered.rowCount()
    assert sum(1 for r in rows[1:] if r[-3].startswith("✔") or r[-3].startswith("✖")) == 3
    ids = {r[rows[0].index("Order id")] for r in rows[1:]}
    assert all(len(i) > 15 for i in ids)  # ids as text, not floats


def test_journal_view_lists_and_filters(make_risky_window, risky, qtbot):
    win = make_risky_window()
    chosen = [o.id for o in win.open_pane.model.orders()[:30]]
    win.open_pane.model.set_checked(chosen, True)
    with qtbot.waitSignal(win.cancelFinished, timeout=10_000):
        win.commands["cancel"].trigger()
    dialog = win.show_journal()
    qtbot.addWidget(dialog)
    dialog.filter.setText("settled")  # what the records of orders that filled first said
    settled = dialog.filtered.rowCount()
    dialog.filter.setText("")
    assert dialog.filtered.rowCount() == 4 + settled  # two requests, each sent and answered
    dialog.filter.setText(chosen[25])
    assert dialog.filtered.rowCount() == 2  # the request that carried it, sent and answered
    dialog.filter.setText("answer")
    assert dialog.filtered.rowCount() == 2
    assert dialog.folder() == win.journal.path.parent
    dialog.close()


def test_switching_profile_reloads_and_names_account_and_environment(qtbot, mem_keyring, tmp_path):
    with PaperExchange(orders=30, pairs=3) as first, PaperExchange(orders=70, pairs=5, seed=3) as second:
        store = ProfileStore(tmp_path / "profiles.json")
        for name, ex in (("alpha", first), ("beta", second)):
            store.put(Profile(name, "custom", ex.base_url))
            credentials.save(name, Credentials(ex.main_key.key, ex.main_key.secret))
        win = MainWindow(Session("alpha", client_for(first)), confirm=Answers(), profiles=store,
                         journal=Journal(tmp_path / "j.jsonl"))
        qtbot.addWidget(win)
        with qtbot.waitSignal(win.loadFinished, timeout=10_000):
            win.refresh()
        assert win.open_pane.model.rowCount() == 30 and "alpha" in win.windowTitle() and "PAPER" in win.windowTitle()
        with qtbot.waitSignal(win.loadFinished, timeout=10_000):
            win.profile_box.setCurrentText("beta")
            win.profile_box.activated.emit(win.profile_box.currentIndex())
        assert win.open_pane.model.rowCount() == 70 and "beta" in win.windowTitle()
        assert win.badge.text().strip() == "PAPER"
        win.sessions.session.close()


def test_keyboard_shortcut_opens_cancel_all(make_risky_window, qtbot):
    win = make_risky_window(scope=None)
    qtbot.keyClick(win, Qt.Key.Key_Delete, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert win.cancels.job is None  # the chooser said no: nothing runs
