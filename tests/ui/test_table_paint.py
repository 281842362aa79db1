"""The table paints from Qt's own item model: no call into Python while painting, and the cells the view
shows are always those of the rows at their place (after a scroll, a sort, a filter, a burst of results)."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel

from gatecancel_gui.core.domain.outcomes import CancelOutcome, OutcomeState
from gatecancel_gui.ui.order_rows import COLUMN, COLUMNS, column_flags
from gatecancel_gui.ui.orders_model import OrdersModel
from gatecancel_gui.ui.theme import state_background


def shown_rows(win):
    """The rows the viewport shows, as (view row, the order's id at that place)."""
    view, filtered = win.open_pane.view, win.open_pane.filtered
    top, bottom = view.rowAt(0), view.rowAt(view.viewport().height() - 1)
    bottom = bottom if bottom >= 0 else filtered.rowCount() - 1
    return [(row, filtered.visible_ids()[row]) for row in range(max(top, 0), bottom + 1)]


def assert_viewport_shows_the_model(win):
    """Every visible cell holds what the orders model says of that order (text and colour)."""
    model, filtered = win.open_pane.model, win.open_pane.filtered
    rows = shown_rows(win)
    assert rows
    for row, key in rows:
        source_row = model.row_of(key)
        for col in range(len(COLUMNS)):
            item = filtered.item(row, col)
            assert item is not None, (row, col)
            assert item.data(Qt.ItemDataRole.DisplayRole) == model.cell(source_row, col, Qt.ItemDataRole.DisplayRole)
            assert item.flags() == column_flags(col), (row, col)  # selects, never edits; the first column ticks
            align = Qt.ItemDataRole.TextAlignmentRole
            assert (item.data(align) or None) == model.cell(source_row, col, align), (row, col)
        background = model.cell(source_row, COLUMN["pair"], Qt.ItemDataRole.BackgroundRole)
        assert filtered.item(row, COLUMN["pair"]).data(Qt.ItemDataRole.BackgroundRole) == background


def test_a_paint_calls_no_python(window, qtbot, monkeypatch):
    """Defect: each painted cell asked the Python model (~1,500-10,000 calls a paint), and each call waited
    for the interpreter lock while a cancel's threads held it: the window stalled 50-150 ms a paint."""
    calls = []
    for name in ("cell", "data", "rowCount", "columnCount", "flags", "index", "headerData"):
        original = getattr(OrdersModel, name)
        monkeypatch.setattr(OrdersModel, name, lambda *a, _o=original, _n=name, **k: calls.append(_n) or _o(*a, **k))
    monkeypatch.setattr(type(window.open_pane.filtered), "sort", lambda *a: calls.append("sort"))
    for name in ("data", "flags", "index", "rowCount", "columnCount", "multiData"):  # nothing the view asks is Python
        assert getattr(type(window.open_pane.filtered), name) is getattr(QStandardItemModel, name), name
    window.open_pane.view.viewport().repaint()
    window.open_pane.view.horizontalHeader().viewport().repaint()
    assert calls == []


def test_cells_follow_scrolling_sorting_filtering_and_results(window, paper, qtbot):
    assert_viewport_shows_the_model(window)
    window.open_pane.view.scrollToBottom()
    assert_viewport_shows_the_model(window)
    window.open_pane.view.sortByColumn(COLUMN["price"], Qt.SortOrder.AscendingOrder)
    assert_viewport_shows_the_model(window)
    window.open_pane.view.scrollToTop()
    window.open_pane.view.sortByColumn(COLUMN["pair"], Qt.SortOrder.DescendingOrder)
    assert_viewport_shows_the_model(window)
    pair = paper.book.open_pairs()[0]
    window.open_pane.pair_filter.setCurrentText(pair)
    assert window.open_pane.filtered.rowCount() == len(paper.book.open_orders(pair))
    assert_viewport_shows_the_model(window)
    window.open_pane.pair_filter.setCurrentIndex(0)
    shown = [key for _, key in shown_rows(window)]
    states = [OutcomeState.CANCELLED, OutcomeState.REJECTED]
    outcomes = [CancelOutcome(window.open_pane.model.order_at(window.open_pane.model.row_of(key)).ref, states[i % 2])
                for i, key in enumerate(shown)]
    window.open_pane.model.settle(outcomes)
    assert_viewport_shows_the_model(window)
    first = window.open_pane.filtered.item(0, COLUMN["pair"]).data(Qt.ItemDataRole.BackgroundRole)
    assert first == state_background(outcomes[0].state, window.open_pane.model.dark)


def test_selection_follows_its_order_through_a_sort(window, qtbot):
    index = window.open_pane.filtered.index(4, COLUMN["pair"])
    window.open_pane.view.setCurrentIndex(index)
    order = window.open_pane.current_order()
    window.open_pane.view.sortByColumn(COLUMN["price"], Qt.SortOrder.DescendingOrder)
    assert window.open_pane.current_order() == order
    window.open_pane.text_filter.setText(order.id)
    assert window.open_pane.current_order() == order and window.open_pane.filtered.rowCount() == 1
