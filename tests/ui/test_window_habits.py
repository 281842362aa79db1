"""A trader's habits in the window: cancelling again, the confirmation, per-row actions, the risk columns,
result filters, the menu bar, narrow windows, switching back to the demo."""

from decimal import Decimal

import keyring
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from gatecancel_gui import __version__
from gatecancel_gui.core.app.session import Session
from gatecancel_gui.core.domain.outcomes import CancelOutcome, OutcomeState
from gatecancel_gui.core.store import credentials
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.core.store.profiles import Profile, ProfileStore
from gatecancel_gui.paper import PaperExchange
from gatecancel_gui.ui.journal_dialog import JournalDialog
from gatecancel_gui.ui.main_window import MainWindow, suggested_export_path
from gatecancel_gui.ui.order_rows import COLUMN, COLUMNS
from gatecancel_gui.ui.theme import state_background
from tests.conftest import client_for
from tests.memkeyring import MemoryKeyring
from tests.ui.conftest import Answers, shut


def cell(win, order_id, column, role=Qt.ItemDataRole.DisplayRole, pane=None):
    model = (pane or win.open_pane).model
    return model.data(model.index(model.row_of(order_id), COLUMN[column]), role)


def cancel(win, qtbot, action):
    with qtbot.waitSignal(win.cancelFinished, timeout=10_000) as done:
        action()
    return done.args[0]


def test_cancelling_again_keeps_cancelled_orders_green_and_does_not_send_them(window, paper, answers, qtbot):
    """Defect: tick 4, cancel (4 green), Select all, cancel: the 4 were sent again and turned red
    ORDER_NOT_FOUND, counted as not cancelled, and the checked value still included them."""
    pair = paper.book.open_pairs()[0]
    first = [o.id for o in paper.book.open_orders(pair) if not o.fills_on_cancel][:4]
    window.open_pane.model.set_checked(first, True)
    cancel(window, qtbot, window.commands["cancel"].trigger)
    assert all(window.open_pane.model.result_of(i).state is OutcomeState.CANCELLED for i in first)
    sent_before = sum(paper.cancel_requests())

    window.open_pane.pair_filter.setCurrentText(pair)
    window.commands["select_all"].trigger()
    assert "(4 already done)" in window.status.counts.text()
    at_stake = [o for o in window.open_pane.model.checked_orders() if o.id not in first]
    value = sum(o.quote_value for o in at_stake)
    assert window.status.counts.text().endswith(f"{value:,.2f} USDT")  # the cancelled ones are not at stake
    report = cancel(window, qtbot, window.commands["cancel"].trigger)
    assert "4 checked are already cancelled or gone: not sent again." in answers.questions[-1]
    assert answers.questions[-1].startswith(f"Cancel {len(at_stake)} orders in 1 pair on PAPER?")
    assert sum(paper.cancel_requests()) - sent_before == len(at_stake)  # the 4 were not sent again
    assert not set(first) & {r.id for r in report.outcomes}
    green = state_background(OutcomeState.CANCELLED)
    for order_id in first:
        assert window.open_pane.model.result_of(order_id).state is OutcomeState.CANCELLED
        assert cell(window, order_id, "pair", Qt.ItemDataRole.BackgroundRole) == green


def test_a_later_weaker_answer_does_not_overwrite_a_known_cancel(window, qtbot):
    order = window.open_pane.model.orders()[0]
    window.open_pane.model.settle([CancelOutcome(order.ref, OutcomeState.CANCELLED)])
    window.open_pane.model.set_results([CancelOutcome(order.ref, OutcomeState.REJECTED, "ORDER_NOT_FOUND")])
    window.open_pane.model.forget_results([order.id])
    assert window.open_pane.model.result_of(order.id).state is OutcomeState.CANCELLED


def test_the_confirmation_names_what_is_at_stake(window, paper, answers, qtbot):
    pairs = paper.book.open_pairs()[:6]
    chosen = [next(o for o in window.open_pane.model.orders() if o.instrument == p) for p in pairs]
    window.open_pane.model.set_checked([o.id for o in chosen], True)
    window.open_pane.pair_filter.setCurrentText(pairs[0])  # five of the six are hidden by the filter now
    answers.answer = False
    window.cancel_checked()
    question = answers.questions[-1]
    value = sum(o.quote_value for o in chosen)
    assert question.startswith("Cancel 6 orders in 6 pairs on PAPER?")
    assert f"Value still open: {value:,.2f} USDT" in question
    assert "Pairs: " in question and "+2 more" in question
    assert "5 of them are hidden by the filter (included)." in question
    assert paper.cancel_requests() == []


def test_row_menu_cancels_a_pair_or_a_side_copies_the_id_and_opens_its_journal(window, paper, answers, qtbot):
    order = window.open_pane.model.orders()[0]
    menu = window.open_pane.row_menu(order)
    actions = {a.text().split("\t")[0]: a for a in menu.actions() if a.text()}
    same_pair = [o for o in window.open_pane.model.orders() if o.instrument == order.instrument]
    same_side = [o for o in same_pair if o.side == order.side]
    side_action = f"Cancel all {len(same_side)} {order.side} in {order.instrument}"
    assert set(actions) == {"Cancel this order", side_action, f"Cancel all {len(same_pair)} in {order.instrument}",
                            "Guard this pair for 5 min", "Copy id", "Open the journal for this order"}
    actions["Copy id"].trigger()
    assert QGuiApplication.clipboard().text() == order.id
    report = cancel(window, qtbot, actions[side_action].trigger)
    assert {r.id for r in report.outcomes} == {o.id for o in same_side}
    assert "in 1 pair on PAPER?" in answers.questions[-1]
    actions["Open the journal for this order"].trigger()
    [dialog] = window.findChildren(JournalDialog)
    assert dialog.filter.text() == order.id and dialog.filtered.rowCount() >= 2  # its request, sent and answered
    dialog.close()


def test_shift_delete_cancels_the_current_row(window, paper, answers, qtbot):
    window.open_pane.view.setFocus()
    index = window.open_pane.filtered.index(3, COLUMN["pair"])
    window.open_pane.view.setCurrentIndex(index)
    order = window.open_pane.current_order()
    report = cancel(window, qtbot, lambda: qtbot.keyClick(window.open_pane.view, Qt.Key.Key_Delete,
                                                          Qt.KeyboardModifier.ShiftModifier))
    assert list(report.outcomes) == [order.ref]
    assert answers.questions[-1].startswith("Cancel 1 order in 1 pair on PAPER?")


def test_risk_columns_value_market_distance_and_side_colour(window, paper):
    order = next(o for o in window.open_pane.model.orders() if o.instrument == "BTC_USDT")
    assert cell(window, order.id, "value") == f"{order.left * order.price:,.2f} USDT"
    market = Decimal(cell(window, order.id, "last"))
    assert market > 0  # one public tickers request per refresh
    distance = (order.price - market) * 100 / market
    assert cell(window, order.id, "distance") == f"{distance:+.2f}%"
    near = [o for o in window.open_pane.model.orders() if window.open_pane.model.is_near_market(o.id)]
    assert near and all(cell(window, o.id, "distance", Qt.ItemDataRole.FontRole).bold() for o in near)
    buy = next(o for o in window.open_pane.model.orders() if o.side == "buy")
    sell = next(o for o in window.open_pane.model.orders() if o.side == "sell")
    colours = {cell(window, buy.id, "side", Qt.ItemDataRole.ForegroundRole).name(),
               cell(window, sell.id, "side", Qt.ItemDataRole.ForegroundRole).name()}
    results = {state_background(s, d).name() for s in OutcomeState for d in (False, True)}
    assert len(colours) == 2 and not colours & results
    assert COLUMNS[COLUMN["created"]].title == "Created (UTC)"
    window.open_pane.view.sortByColumn(COLUMN["distance"], Qt.SortOrder.AscendingOrder)
    first = window.open_pane.model.order_at(0)
    assert window.open_pane.model.is_near_market(first.id)  # sorted by how close to filling


def test_result_filter_and_a_filled_order_shows_what_is_left(window, paper, qtbot):
    fills = [o.id for o in paper.book.open_orders() if o.fills_on_cancel][:3]
    others = [o.id for o in paper.book.open_orders() if not o.fills_on_cancel][:5]
    window.open_pane.model.set_checked(fills + others, True)
    cancel(window, qtbot, window.commands["cancel"].trigger)
    pane = window.open_pane
    pane.result_filter.setCurrentIndex(pane.result_filter.findData("failed"))
    assert set(pane.filtered.visible_ids()) == set(fills)
    pane.result_filter.setCurrentIndex(pane.result_filter.findData("cancelled"))
    assert set(pane.filtered.visible_ids()) == set(others)
    pane.result_filter.setCurrentIndex(pane.result_filter.findData("none"))
    assert pane.filtered.rowCount() == window.open_pane.model.rowCount() - 8
    for order_id in fills:  # Gate's record of a filled order: nothing left, 100 % filled
        assert cell(window, order_id, "left") == "0"
        assert cell(window, order_id, "filled") == "100.0"


def test_menu_bar_quit_shortcuts_about_and_a_dated_export_name(window, qtbot):
    menus = {a.text().replace("&", ""): a.menu() for a in window.menuBar().actions()}
    assert {a.text().replace("&", "") for a in menus["File"].actions() if a.text()} >= {"Export CSV…", "Journal",
                                                                                         "Quit"}
    assert window.commands["quit"].shortcut().toString() == "Ctrl+Q"
    box = window.show_shortcuts()
    assert isinstance(box, QMessageBox) and "Shift+Delete" in box.text() and box.isVisible()
    box.close()
    about = window.show_about()
    assert __version__ in about.text()
    about.close()
    path = suggested_export_path("orders")
    assert "gatecancel-orders-20" in path and path.endswith("Z.csv")


def test_at_900_px_the_environment_and_the_results_stay_in_sight(window, qtbot):
    """Defect: at 900 px wide the badge fell into the toolbar's overflow and Result was off-screen."""
    window.resize(900, 600)
    qtbot.waitUntil(lambda: window.width() <= 900, timeout=5_000)
    badge = window.badge
    assert badge.isVisible() and badge.text().strip() == "PAPER"
    right = badge.mapTo(window, badge.rect().topRight()).x()
    assert 0 < right <= window.width()
    view = window.open_pane.view
    left = view.columnViewportPosition(COLUMN["result"])
    assert 0 <= left and left + view.columnWidth(COLUMN["result"]) <= view.viewport().width()


def test_a_failed_load_after_switching_profile_empties_the_stop_order_tab_title(qtbot, tmp_path, mem_keyring):
    """Defect: after switching to a profile whose load fails, the tab still said 'Stop orders (8)'."""
    with PaperExchange(orders=20, pairs=2, price_orders=8) as good, PaperExchange(orders=10, pairs=2) as bad:
        store = ProfileStore(tmp_path / "profiles.json")
        store.put(Profile("bad", "custom", bad.base_url))
        credentials.save("bad", Credentials(bad.main_key.key, "not-the-secret"))
        win = MainWindow(Session("good", client_for(good)), confirm=Answers(), profiles=store,
                         journal=Journal(tmp_path / "j.jsonl"))
        qtbot.addWidget(win, before_close_func=lambda w: shut(w, qtbot))
        with qtbot.waitSignal(win.loadFinished, timeout=10_000):
            win.refresh()
        assert win.tabs.tabText(1) == "Stop orders (8)"
        with qtbot.waitSignal(win.loadFinished, timeout=10_000) as loaded:
            win.profile_box.setCurrentText("bad")
            win.profile_box.activated.emit(win.profile_box.currentIndex())
        assert not loaded.args[0].ok
        assert win.tabs.tabText(1) == "Stop orders (0)" and win.stop_pane.model.rowCount() == 0
        for session in win.sessions.all():
            session.close()


@pytest.fixture
def demo_and_profile(qtbot, tmp_path):
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    with PaperExchange(orders=25, pairs=2) as demo, PaperExchange(orders=12, pairs=2, seed=5) as other:
        store = ProfileStore(tmp_path / "profiles.json")
        store.put(Profile("desk", "custom", other.base_url))
        credentials.save("desk", Credentials(other.main_key.key, other.main_key.secret))
        win = MainWindow(Session("demo (paper)", client_for(demo)), confirm=Answers(), profiles=store,
                         journal=Journal(tmp_path / "j.jsonl"))
        qtbot.addWidget(win, before_close_func=lambda w: shut(w, qtbot))
        yield win
        for session in win.sessions.all():
            session.close()
    keyring.set_keyring(previous)


def test_the_demo_stays_one_click_away_after_switching_to_a_profile(demo_and_profile, qtbot):
    """Defect: after switching away from the demo there was no way back to it until a restart."""
    win = demo_and_profile

    def choose(name):
        with qtbot.waitSignal(win.loadFinished, timeout=10_000) as loaded:
            win.profile_box.setCurrentText(name)
            win.profile_box.activated.emit(win.profile_box.currentIndex())
        assert loaded.args[0].ok and name in win.windowTitle()

    choose("desk")
    assert win.open_pane.model.rowCount() == 12
    assert "demo (paper)" in [win.profile_box.itemText(i) for i in range(win.profile_box.count())]
    choose("demo (paper)")
    assert win.open_pane.model.rowCount() == 25
    choose("desk")
    assert win.open_pane.model.rowCount() == 12


def test_visible_ids_are_the_shown_rows_in_the_order_shown(window, paper):
    """Select all, the hidden-rows count and CSV export read the shown rows without walking the proxy row
    by row; they must be exactly what the view shows, sorted and filtered."""
    pane = window.open_pane

    def shown():
        return [window.open_pane.model.order_at(pane.filtered.mapToSource(pane.filtered.index(r, 0)).row()).id
                for r in range(pane.filtered.rowCount())]

    window.open_pane.view.sortByColumn(COLUMN["price"], Qt.SortOrder.DescendingOrder)
    assert pane.filtered.visible_ids() == shown()
    window.open_pane.pair_filter.setCurrentText(paper.book.open_pairs()[1])
    pane.side_filter.setCurrentText("sell")
    assert pane.filtered.visible_ids() == shown() and 0 < len(shown()) < window.open_pane.model.rowCount()
    pane.text_filter.setText("no such thing")
    assert pane.filtered.visible_ids() == shown() == []
