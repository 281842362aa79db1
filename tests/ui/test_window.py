"""The real window, driven headless with pytest-qt against the paper exchange over loopback."""

import os

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from gatecancel_gui.core.cancel.run import CancelSettings
from gatecancel_gui.core.domain.outcomes import OutcomeState
from gatecancel_gui.core.store.journal import unanswered
from gatecancel_gui.paper import PaperExchange
from gatecancel_gui.ui.order_rows import COLUMN
from gatecancel_gui.ui.theme import state_background

EXPECTED = {"cancelled": OutcomeState.CANCELLED, "closed": OutcomeState.REJECTED, "open": OutcomeState.REJECTED}


def _checkbox_center(view, index):
    opt = QStyleOptionViewItem()
    view.initViewItemOption(opt)
    opt.rect = view.visualRect(index)
    opt.features |= QStyleOptionViewItem.ViewItemFeature.HasCheckIndicator
    return view.style().subElementRect(QStyle.SubElement.SE_ItemViewItemCheckIndicator, opt, view).center()


def row_of(win, order_id):
    return win.open_pane.model.row_of(order_id)


def cell(win, order_id, column, role=Qt.ItemDataRole.DisplayRole):
    return win.open_pane.model.data(win.open_pane.model.index(row_of(win, order_id), COLUMN[column]), role)


def run_cancel(win, qtbot, action=None):
    with qtbot.waitSignal(win.cancelFinished, timeout=20_000) as blocker:
        (action or win.commands["cancel"].trigger)()
    return blocker.args[0]


def assert_rows_match_exchange(win, paper, ids):
    for order_id in ids:
        record = paper.book.status_of(order_id)
        state = EXPECTED[record]
        assert cell(win, order_id, "pair", Qt.ItemDataRole.BackgroundRole) == state_background(state)
        text = cell(win, order_id, "result")
        if state is OutcomeState.CANCELLED:
            assert text == "✔ cancelled"
        else:
            outcome = win.open_pane.model.result_of(order_id)
            assert text == f"✖ {outcome.label}" and outcome.label
            assert cell(win, order_id, "result", Qt.ItemDataRole.ToolTipRole) == outcome.message


def test_load_fills_the_table_with_every_open_order(window, paper):
    assert window.open_pane.model.rowCount() == len(paper.book.open_orders()) == 320
    assert {o.id for o in window.open_pane.model.orders()} == {o.id for o in paper.book.open_orders()}
    assert "320 orders" in window.status.counts.text()
    assert window.badge.text().strip() == "PAPER" and "PAPER" in window.windowTitle()


def test_filter_by_pair_side_and_text(window, paper, qtbot):
    pair = paper.book.open_pairs()[3]
    window.open_pane.pair_filter.setCurrentText(pair)
    assert window.open_pane.filtered.rowCount() == len(paper.book.open_orders(pair))
    window.open_pane.side_filter.setCurrentText("sell")
    assert window.open_pane.filtered.rowCount() == len([o for o in paper.book.open_orders(pair) if o.side == "sell"])
    window.open_pane.pair_filter.setCurrentText("All pairs")
    window.open_pane.side_filter.setCurrentText("Both")
    some = paper.book.open_orders()[17]
    qtbot.keyClicks(window.open_pane.text_filter, some.id)
    assert window.open_pane.filtered.visible_ids() == [some.id]
    window.open_pane.text_filter.setText("no such thing")
    assert window.open_pane.filtered.rowCount() == 0 and "No order matches" in window.status.message.text()


def test_click_checkbox_space_and_select_all_visible_only(window, paper, qtbot):
    view = window.open_pane.view
    index = window.open_pane.filtered.index(2, 0)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_checkbox_center(view, index))
    first = window.open_pane.model.order_at(window.open_pane.filtered.mapToSource(index).row()).id
    assert window.open_pane.model.checked == {first}
    view.setFocus()
    view.setCurrentIndex(window.open_pane.filtered.index(5, 3))
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert len(window.open_pane.model.checked) == 2
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert window.open_pane.model.checked == {first}
    window.open_pane.model.set_checked(list(window.open_pane.model.checked), False)
    pair = paper.book.open_pairs()[0]
    window.open_pane.pair_filter.setCurrentText(pair)
    qtbot.keyClick(view, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    assert window.open_pane.model.checked == {o.id for o in paper.book.open_orders(pair)}
    assert f"{len(window.open_pane.model.checked)} checked" in window.status.counts.text()
    assert "USDT" in window.status.counts.text()


def test_cancel_colours_every_row_by_the_exchanges_record(window, paper, answers, qtbot):
    fills = [o.id for o in paper.book.open_orders() if o.fills_on_cancel][:4]
    pair = paper.book.open_pairs()[0]
    chosen = [o.id for o in paper.book.open_orders(pair)][:30] + fills
    window.open_pane.model.set_checked(chosen, True)
    pairs = len({paper.book.orders[i].currency_pair for i in chosen})
    report = run_cancel(window, qtbot)
    [question] = answers.questions
    value = sum(window.open_pane.model.order_at(window.open_pane.model.row_of(i)).quote_value for i in chosen)
    assert question.startswith(f"Cancel {len(chosen)} orders in {pairs} pairs on PAPER?\n\n")
    assert f"Value still open: {value:,.2f} USDT" in question and f"Pairs: {pair}" in question
    assert report.count(OutcomeState.CANCELLED) == len(chosen) - len(fills)
    assert_rows_match_exchange(window, paper, chosen)
    assert all(paper.book.status_of(i) == "closed" for i in fills)
    untouched = [o.id for o in paper.book.open_orders()][:5]
    assert all(cell(window, i, "result") == "" for i in untouched)
    assert "cancelled" in window.status.message.text()
    assert window.open_pane.model.checked == set()  # gone rows are unchecked


def test_declined_confirmation_sends_nothing(window, paper, answers, qtbot):
    answers.answer = False
    window.open_pane.model.set_checked([o.id for o in paper.book.open_orders()][:3], True)
    window.commands["cancel"].trigger()
    assert window.cancels.job is None and paper.cancel_requests() == []
    assert "Nothing was cancelled" in window.status.message.text()


def test_delete_key_cancels_after_confirmation(window, paper, answers, qtbot):
    ids = [o.id for o in paper.book.open_orders()][:2]
    window.open_pane.model.set_checked(ids, True)
    window.open_pane.view.setFocus()
    report = run_cancel(window, qtbot, lambda: qtbot.keyClick(window.open_pane.view, Qt.Key.Key_Delete))
    assert len(answers.questions) == 1 and report.count(OutcomeState.CANCELLED) == 2


def test_auth_error_is_one_sentence_in_the_window(make_window, paper, qtbot):
    from gatecancel_gui.paper.auth import ApiKey

    win = make_window(key=ApiKey(paper.main_key.key, "not-the-secret"))
    with qtbot.waitSignal(win.status.errorShown, timeout=10_000) as blocker:
        win.refresh()
    assert "rejected the API key or secret" in blocker.args[0]
    assert "not-the-secret" not in win.status.message.text() and "Traceback" not in win.status.message.text()
    assert win.open_pane.model.rowCount() == 0


def test_read_only_key_rows_turn_red_with_the_reason(make_window, paper, qtbot):
    win = make_window(key=paper.add_key("read_only"))
    with qtbot.waitSignal(win.loadFinished, timeout=10_000):
        win.refresh()
    ids = [o.id for o in paper.book.open_orders()][:45]
    win.open_pane.model.set_checked(ids, True)
    with qtbot.waitSignal(win.status.errorShown, timeout=10_000) as blocker:
        run_cancel(win, qtbot)
    assert "read-only" in blocker.args[0]
    labels = {win.open_pane.model.result_of(i).label for i in ids}
    assert "READ_ONLY" in labels
    assert all(paper.book.status_of(i) == "open" for i in ids)
    assert all(win.open_pane.model.result_of(i).state in (OutcomeState.REJECTED, OutcomeState.NOT_SENT) for i in ids)


def test_retry_failed_resends_only_red_rows_that_can_still_be_cancelled(window, paper, qtbot):
    opens = [o.id for o in paper.book.open_orders() if not o.fills_on_cancel]
    refused, fine = opens[:3], opens[3:10]
    filled = [o.id for o in paper.book.open_orders() if o.fills_on_cancel][:2]
    paper.book.refuse.update(refused)
    window.open_pane.model.set_checked(refused + fine + filled, True)
    run_cancel(window, qtbot)
    assert {window.open_pane.model.result_of(i).label for i in refused} == {"CANCEL_FAIL"}
    assert window.open_pane.model.checked == set(refused)
    assert window.commands["retry"].isEnabled()
    paper.book.refuse.clear()
    sent_before = sum(paper.cancel_requests())
    report = run_cancel(window, qtbot, window.commands["retry"].trigger)
    assert set(report.outcomes) == {window.open_pane.model.order_at(window.open_pane.model.row_of(i)).ref
                                    for i in refused}
    assert sum(paper.cancel_requests()) - sent_before == 3
    assert_rows_match_exchange(window, paper, refused + fine + filled)
    window.commands["clear"].trigger()
    remaining = {o.id for o in window.open_pane.model.orders()}
    assert not (set(refused + fine) & remaining) and set(filled) <= remaining


def test_checked_state_survives_refresh_for_orders_still_open(window, paper, qtbot):
    ids = [o.id for o in paper.book.open_orders()][:6]
    window.open_pane.model.set_checked(ids, True)
    paper.book.fill(ids[0])
    with qtbot.waitSignal(window.loadFinished, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_F5)
    assert window.open_pane.model.checked == set(ids[1:])
    assert window.open_pane.model.rowCount() == 319


@pytest.fixture
def big_paper():
    with PaperExchange(orders=1000, pairs=12) as ex:
        yield ex


def everything_checked_on_a_slow_exchange(make_window, paper, qtbot):
    """A window with all 1,000 orders loaded and checked; from now on each request takes 100 ms. Its 50
    batches go 16 at a time, so a Stop or a close finds some not yet sent."""
    win = make_window(exchange=paper, cancel_settings=CancelSettings(max_in_flight=16))
    with qtbot.waitSignal(win.loadFinished, timeout=10_000):
        win.refresh()
    paper.latency_s = 0.1
    win.open_pane.model.set_checked([o.id for o in paper.book.open_orders()], True)
    return win


def test_stop_keeps_what_was_sent_and_greys_the_rest(make_window, big_paper, qtbot):
    paper = big_paper
    win = everything_checked_on_a_slow_exchange(make_window, paper, qtbot)
    with qtbot.waitSignal(win.cancelFinished, timeout=20_000) as blocker:
        win.commands["cancel"].trigger()
        qtbot.waitUntil(lambda: bool(win.open_pane.model.results), timeout=10_000)
        qtbot.keyClick(win, Qt.Key.Key_Escape)
    report = blocker.args[0]
    assert report.stopped
    not_sent = [r for r, o in report.outcomes.items() if o.state is OutcomeState.NOT_SENT]
    assert not_sent and all(paper.book.status_of(r.id) == "open" for r in not_sent)
    assert all(o.final for o in report.outcomes.values())
    sent = [r.id for r, o in report.outcomes.items() if o.state is not OutcomeState.NOT_SENT]
    assert_rows_match_exchange(win, paper, sent)
    grey = state_background(OutcomeState.NOT_SENT)
    assert cell(win, not_sent[0].id, "pair", Qt.ItemDataRole.BackgroundRole) == grey
    records = win.journal.read()
    assert records and unanswered(records) == set()  # nothing left "in flight" in the journal


def test_closing_during_a_cancel_asks_then_waits_for_answers(make_window, big_paper, answers, qtbot):
    win = everything_checked_on_a_slow_exchange(make_window, big_paper, qtbot)
    with qtbot.waitSignal(win.cancelFinished, timeout=20_000) as blocker:
        win.commands["cancel"].trigger()
        win.close()
        assert win.isVisible()  # not closed yet: in-flight requests are awaited
    assert "A cancel is running" in answers.questions[-1]
    assert blocker.args[0].stopped and blocker.args[0].count(OutcomeState.NOT_SENT) > 0
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=5_000)
    assert all(o.final for o in blocker.args[0].outcomes.values())
    assert unanswered(win.journal.read()) == set()


def test_unexpected_worker_exception_is_caught_logged_and_shown_once(make_window, qtbot, monkeypatch, caplog):
    import gatecancel_gui.core.app.services as services_module

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services_module, "load_open_orders", boom)
    win = make_window()
    with qtbot.waitSignal(win.status.errorShown, timeout=10_000) as blocker:
        win.refresh()
    assert blocker.args[0] == "Unexpected error (RuntimeError); details are in the log."
    assert any("unexpected error in LoadJob" in r.message for r in caplog.records)


def test_colours_stay_distinct_in_light_and_dark_palettes():
    for dark in (False, True):
        colours = {state: state_background(state, dark) for state in OutcomeState}
        assert colours[OutcomeState.CANCELLED] != colours[OutcomeState.REJECTED]
        text = QColor("#ffffff" if dark else "#000000")
        for colour in colours.values():
            assert abs(colour.lightness() - text.lightness()) > 100  # text stays readable


def test_a_journal_that_cannot_be_written_still_cancels_and_the_status_bar_says_why(make_window, paper, qtbot,
                                                                                  tmp_path):
    """A full disk: every checked order is still cancelled (they all ended STILL_OPEN, 'Gate gave no usable
    answer'), and the status bar names the journal and why, not Gate."""
    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full")
    (tmp_path / "journal.jsonl").symlink_to("/dev/full")
    win = make_window()
    with qtbot.waitSignal(win.loadFinished, timeout=10_000):
        win.refresh()
    ids = [paper_order.id for paper_order in paper.book.open_orders()][:30]
    win.open_pane.model.set_checked(ids, True)
    report = run_cancel(win, qtbot)
    assert report.count(OutcomeState.CANCELLED) + report.count(OutcomeState.REJECTED) == 30
    assert_rows_match_exchange(win, paper, ids)
    text = win.status.message.text()
    assert "journal could not be written" in text and "No space left on device" in text and "Gate gave" not in text
