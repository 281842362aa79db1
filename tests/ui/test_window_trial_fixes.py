"""What a fresh user's trial of the window found (each test failed before its fix)."""

from decimal import Decimal

from PySide6.QtCore import QItemSelectionModel, Qt

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.domain.outcomes import CancelOutcome, OutcomeState
from gatecancel_gui.core.domain.wording import cancel_question
from gatecancel_gui.ui.orders_model import COLUMN


def test_the_no_match_sentence_goes_when_rows_match_again(window, qtbot):
    window.text_filter.setText("zzz-nothing")
    assert window.message.text() == "No order matches the filter."
    window.text_filter.setText("")
    assert window.message.text() == ""
    window.say("Something else.")
    window.text_filter.setText(window.model.orders()[0].id)
    assert window.message.text() == "Something else."  # only that sentence is withdrawn


def test_sorted_by_result_the_red_rows_are_at_one_end(window, qtbot):
    orders = window.model.orders()
    states = [OutcomeState.CANCELLED, OutcomeState.REJECTED, OutcomeState.NOT_SENT] * 3
    window.model.settle([CancelOutcome(o.ref, s, "ORDER_CLOSED" if s is OutcomeState.REJECTED else "")
                         for o, s in zip(orders, states, strict=False)])
    window.view.sortByColumn(COLUMN["result"], Qt.SortOrder.DescendingOrder)
    shown = [window.model.result_of(key) for key in window.proxy.visible_ids()]
    assert [o.state for o in shown[:3]] == [OutcomeState.REJECTED] * 3
    assert shown[-1] is None
    window.view.sortByColumn(COLUMN["result"], Qt.SortOrder.AscendingOrder)
    assert window.model.result_of(window.proxy.visible_ids()[-1]).state is OutcomeState.REJECTED


def test_a_spot_pair_and_its_perpetual_are_two_instruments():
    one = Decimal(1)
    spot = Order("1", "DOGE_USDT", "buy", "limit", one, one, one, Decimal(0), 0)
    perpetual = Order("2", "DOGE_USDT", "buy", "limit", one, one, one, Decimal(0), 0, market=Market.FUTURES_USDT)
    assert cancel_question([spot, perpetual], "paper").startswith("Cancel 2 orders in 1 pair and 1 contract on PAPER?")


def test_rows_already_done_are_unticked_when_a_cancel_skips_them(window, paper, qtbot):
    first, second = [o for o in window.model.orders() if not paper.book.orders[o.id].fills_on_cancel][:2]
    window.model.set_checked([first.key], True)
    with qtbot.waitSignal(window.cancelFinished, timeout=10_000):
        window.commands["cancel"].trigger()
    window.model.set_checked([first.key, second.key], True)  # the cancelled one ticked again, with another
    with qtbot.waitSignal(window.cancelFinished, timeout=10_000):
        window.commands["cancel"].trigger()
    assert window.model.checked == frozenset()
    window.model.set_checked([first.key], True)
    window.commands["cancel"].trigger()  # nothing to send: said, and unticked
    assert "already cancelled or gone" in window.message.text() and not window.model.checked


def test_a_types_whole_text_is_its_tooltip(window, qtbot):
    row = window.proxy.rowCount() and 0
    key = window.proxy.key_at(row)
    source = window.model.row_of(key)
    text = window.model.cell(source, COLUMN["type"], Qt.ItemDataRole.DisplayRole)
    assert window.model.cell(source, COLUMN["type"], Qt.ItemDataRole.ToolTipRole) == text
    assert window.proxy.item(row, COLUMN["type"]).data(Qt.ItemDataRole.ToolTipRole) == text


def test_space_ticks_every_selected_row(window, qtbot):
    view = window.view
    view.setFocus()
    view.setCurrentIndex(window.proxy.index(4, 1))
    selection = view.selectionModel()
    for row in (4, 5, 6, 7):
        selection.select(window.proxy.index(row, 1),
                         QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert window.model.checked == frozenset(window.proxy.key_at(r) for r in (4, 5, 6, 7))
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert window.model.checked == frozenset()
