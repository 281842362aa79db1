"""What a fresh user's trial of the window found (each test failed before its fix)."""

from decimal import Decimal

from PySide6.QtCore import QItemSelectionModel, Qt

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.domain.outcomes import CancelOutcome, OutcomeState
from gatecancel_gui.core.domain.wording import cancel_question
from gatecancel_gui.ui.order_rows import COLUMN


def test_the_no_match_sentence_goes_when_rows_match_again(window, qtbot):
    window.open_pane.text_filter.setText("zzz-nothing")
    assert window.status.message.text() == "No order matches the filter."
    window.open_pane.text_filter.setText("")
    assert window.status.message.text() == ""
    window.status.say("Something else.")
    window.open_pane.text_filter.setText(window.open_pane.model.orders()[0].id)
    assert window.status.message.text() == "Something else."  # only that sentence is withdrawn


def test_sorted_by_result_the_red_rows_are_at_one_end(window, qtbot):
    orders = window.open_pane.model.orders()
    states = [OutcomeState.CANCELLED, OutcomeState.REJECTED, OutcomeState.NOT_SENT] * 3
    window.open_pane.model.settle([CancelOutcome(o.ref, s, "ORDER_CLOSED" if s is OutcomeState.REJECTED else "")
                         for o, s in zip(orders, states, strict=False)])
    window.open_pane.view.sortByColumn(COLUMN["result"], Qt.SortOrder.DescendingOrder)
    shown = [window.open_pane.model.result_of(key) for key in window.open_pane.filtered.visible_ids()]
    assert [o.state for o in shown[:3]] == [OutcomeState.REJECTED] * 3
    assert shown[-1] is None
    window.open_pane.view.sortByColumn(COLUMN["result"], Qt.SortOrder.AscendingOrder)
    assert window.open_pane.model.result_of(window.open_pane.filtered.visible_ids()[-1]).state is OutcomeState.REJECTED


def test_a_spot_pair_and_its_perpetual_are_two_instruments():
    one = Decimal(1)
    spot = Order("1", "DOGE_USDT", "buy", "limit", one, one, one, Decimal(0), 0)
    perpetual = Order("2", "DOGE_USDT", "buy", "limit", one, one, one, Decimal(0), 0, market=Market.FUTURES_USDT)
    assert cancel_question([spot, perpetual], "paper").startswith("Cancel 2 orders in 1 pair and 1 contract on PAPER?")


def test_rows_already_done_are_unticked_when_a_cancel_skips_them(window, paper, qtbot):
    first, second = [o for o in window.open_pane.model.orders() if not paper.book.orders[o.id].fills_on_cancel][:2]
    window.open_pane.model.set_checked([first.key], True)
    with qtbot.waitSignal(window.cancelFinished, timeout=10_000):
        window.commands["cancel"].trigger()
    window.open_pane.model.set_checked([first.key, second.key], True)  # the cancelled one ticked again, with another
    with qtbot.waitSignal(window.cancelFinished, timeout=10_000):
        window.commands["cancel"].trigger()
    assert window.open_pane.model.checked == frozenset()
    window.open_pane.model.set_checked([first.key], True)
    window.commands["cancel"].trigger()  # nothing to send: said, and unticked
    assert "already cancelled or gone" in window.status.message.text() and not window.open_pane.model.checked


def test_a_types_whole_text_is_its_tooltip(window, qtbot):
    row = window.open_pane.filtered.rowCount() and 0
    key = window.open_pane.filtered.key_at(row)
    source = window.open_pane.model.row_of(key)
    text = window.open_pane.model.cell(source, COLUMN["type"], Qt.ItemDataRole.DisplayRole)
    assert window.open_pane.model.cell(source, COLUMN["type"], Qt.ItemDataRole.ToolTipRole) == text
    assert window.open_pane.filtered.item(row, COLUMN["type"]).data(Qt.ItemDataRole.ToolTipRole) == text


def test_space_ticks_every_selected_row(window, qtbot):
    view = window.open_pane.view
    view.setFocus()
    view.setCurrentIndex(window.open_pane.filtered.index(4, 1))
    selection = view.selectionModel()
    for row in (4, 5, 6, 7):
        selection.select(window.open_pane.filtered.index(row, 1),
                         QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert window.open_pane.model.checked == frozenset(window.open_pane.filtered.key_at(r) for r in (4, 5, 6, 7))
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert window.open_pane.model.checked == frozenset()
