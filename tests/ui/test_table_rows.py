"""The orders table updates row by row: a refresh that differs by a few orders, one order added, changed or
removed, and one result insert, remove or repaint just those rows (no reset), and the painting copy the
view shows (OrdersFilter) follows them, filtered and in its place. Qt's QAbstractItemModelTester watches
both models: any inconsistent signal is a Qt warning, and a Qt warning fails the test."""

from decimal import Decimal

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QAbstractItemModelTester
from PySide6.QtWidgets import QTableView

from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.domain.outcomes import CancelOutcome, OutcomeState
from gatecancel_gui.ui.order_rows import COLUMN, prepare_rows
from gatecancel_gui.ui.orders_filter import OrdersFilter
from gatecancel_gui.ui.orders_model import OrdersModel

WARN = QAbstractItemModelTester.FailureReportingMode.Warning


def order(n: int, pair: str = "BTC_USDT", price: str | None = None, left: str = "1") -> Order:
    return Order(id=str(9_007_199_254_740_000 + n), instrument=pair, side="buy" if n % 2 else "sell",
                 type="limit", price=Decimal(price or str(100 + n)), amount=Decimal(1), left=Decimal(left),
                 filled_amount=Decimal(1) - Decimal(left), create_time_ms=1_700_000_000_000 + n * 1000)


class Spy:
    """Every structural and data signal of a model, in order, with its rows."""

    def __init__(self, model):
        self.events = []
        model.modelReset.connect(lambda: self.events.append(("reset",)))
        model.rowsInserted.connect(lambda _p, a, b: self.events.append(("inserted", a, b)))
        model.rowsRemoved.connect(lambda _p, a, b: self.events.append(("removed", a, b)))
        model.layoutChanged.connect(lambda *_: self.events.append(("layout",)))
        model.dataChanged.connect(lambda tl, br, _r=None: self.events.append(("changed", tl.row(), br.row())))

    def of(self, kind):
        return [e for e in self.events if e[0] == kind]


@pytest.fixture
def table(qtbot):
    """A model of 40 orders sorted by price, its painting copy, and a view on the copy, both watched."""
    model = OrdersModel()
    proxy = OrdersFilter(model)
    view = QTableView()
    view.setModel(proxy)
    view.resize(900, 400)
    qtbot.addWidget(view)
    proxy.attach(view)
    testers = [QAbstractItemModelTester(model, WARN), QAbstractItemModelTester(proxy, WARN)]
    model.sort(COLUMN["price"], Qt.SortOrder.AscendingOrder)
    model.set_orders([order(n) for n in range(0, 80, 2)])  # prices 100, 102, ... 178
    view.show()
    qtbot.waitExposed(view)
    yield model, proxy, view
    del testers


def prices(model):
    return [o.price for o in model.orders()]


def test_a_refresh_adding_one_and_removing_one_moves_only_those_rows(table):
    model, proxy, _ = table
    listed = model.orders()
    model.set_checked([listed[3].key, listed[30].key], True)
    model.set_results([CancelOutcome(listed[30].ref, OutcomeState.REJECTED)])
    model.flush_now()
    spy, copy_spy = Spy(model), Spy(proxy)
    added = order(21)  # price 121: between 120 (row 10) and 122
    model.set_orders([o for o in listed if o is not listed[5]] + [added])
    assert spy.of("reset") == [] and copy_spy.of("reset") == []
    assert spy.of("removed") == [("removed", 5, 5)] and spy.of("inserted") == [("inserted", 10, 10)]
    assert copy_spy.of("removed") == [("removed", 5, 5)] and copy_spy.of("inserted") == [("inserted", 10, 10)]
    assert model.row_of(added.key) == 10 and model.row_of(listed[5].key) is None
    assert prices(model) == sorted(prices(model))
    assert model.checked == {listed[3].key, listed[30].key}  # checks and results of the staying rows survive
    assert model.result_of(listed[30].key).state is OutcomeState.REJECTED
    assert proxy.visible_ids() == [o.key for o in model.orders()]


def test_results_far_apart_repaint_their_own_rows_only(table, qtbot):
    model, proxy, _ = table
    listed = model.orders()
    spy = Spy(model)
    with qtbot.waitSignal(model.resultsChanged, timeout=2_000):  # one burst, flushed by the model's timer
        model.set_results([CancelOutcome(listed[2].ref, OutcomeState.CANCELLED),
                           CancelOutcome(listed[37].ref, OutcomeState.REJECTED)])
    assert spy.of("changed") == [("changed", 2, 2), ("changed", 37, 37)]
    spy.events.clear()
    with qtbot.waitSignal(model.resultsChanged, timeout=2_000):
        model.set_results([CancelOutcome(listed[20].ref, OutcomeState.CANCELLED)])
    assert spy.events == [("changed", 20, 20)]
    assert proxy.item(2, COLUMN["result"]).data(Qt.ItemDataRole.DisplayRole) == model.cell(2, COLUMN["result"], 0)


def test_a_new_order_goes_to_its_sorted_place_in_the_model_and_the_view(table):
    model, proxy, view = table
    spy, copy_spy = Spy(model), Spy(proxy)
    model.upsert_order(order(7), mark_changes=True)  # price 107: after 106 (row 3)
    model.sort(COLUMN["price"], Qt.SortOrder.DescendingOrder)
    spy.events.clear()
    copy_spy.events.clear()
    model.upsert_order(order(13))  # price 113; descending: after 178 ... 114 (33 rows)
    assert spy.events == [("inserted", 33, 33)] and copy_spy.of("inserted") == [("inserted", 33, 33)]
    assert prices(model) == sorted(prices(model), reverse=True)
    assert model.status_text(order(7).key) == "★ new" and model.status_text(order(13).key) == ""
    view.scrollTo(proxy.index(33, 0))
    proxy.fill_band()
    assert proxy.item(33, COLUMN["price"]).data(Qt.ItemDataRole.DisplayRole) == "113"


def test_a_filtered_out_new_order_stays_hidden_and_a_matching_one_shows_in_place(table):
    model, proxy, _ = table
    model.set_orders([*model.orders(), order(1, pair="ETH_USDT")])
    proxy.set_filter(pair="ETH_USDT")
    assert proxy.rowCount() == 1
    copy_spy = Spy(proxy)
    model.set_orders([*model.orders(), order(3, pair="BTC_USDT")])  # a refresh with one more, hidden
    assert copy_spy.events == [] and proxy.rowCount() == 1
    model.upsert_order(order(5, pair="BTC_USDT"))  # and one streamed, hidden
    assert copy_spy.events == [] and proxy.rowCount() == 1
    model.upsert_order(order(95, pair="ETH_USDT"))  # price 195: after the ETH order at 101
    model.set_orders([*model.orders(), order(99, pair="ETH_USDT", price="99")])  # price 99: first
    assert copy_spy.of("inserted") == [("inserted", 1, 1), ("inserted", 0, 0)] and not copy_spy.of("removed")
    assert [model.order_at(model.row_of(k)).price for k in proxy.visible_ids()] == [99, 101, 195]


def test_a_changed_order_repaints_its_row_and_a_removed_one_goes_with_its_row(table):
    model, proxy, _ = table
    listed = model.orders()
    model.set_checked([listed[4].key, listed[6].key], True)
    spy, copy_spy = Spy(model), Spy(proxy)
    model.upsert_order(order(8, left="0.25"))  # listed[4], partly filled: same place, new numbers
    assert spy.events == [("changed", 4, 4)] and listed[4].key in model.checked
    assert proxy.item(4, COLUMN["left"]).data(Qt.ItemDataRole.DisplayRole) == "0.25"
    spy.events.clear()
    assert model.remove_order(listed[6].key)
    assert spy.events == [("removed", 6, 6)] and copy_spy.of("removed") == [("removed", 6, 6)]
    assert model.checked == {listed[4].key} and model.row_of(listed[7].key) == 6
    assert not model.remove_order(listed[6].key)
    spy.events.clear()
    model.remove_ids({listed[1].key, listed[2].key, listed[30].key})
    assert spy.events == [("removed", 29, 29), ("removed", 1, 2)]
    assert proxy.visible_ids() == [o.key for o in model.orders()]


@pytest.mark.parametrize("direction", [Qt.SortOrder.AscendingOrder, Qt.SortOrder.DescendingOrder])
def test_a_burst_of_new_orders_lands_where_one_by_one_would_put_them_in_runs(table, qtbot, direction):
    model, proxy, _ = table
    model.sort(COLUMN["price"], direction)
    burst = [order(1001 + n, price=p) for n, p in enumerate(["179", "181", "180", "130", "181", "99", "130"])]
    alone = OrdersModel()
    alone.sort(COLUMN["price"], direction)
    alone.set_orders(model.orders())
    for o in burst:
        alone.upsert_order(o)
    spy, copy_spy = Spy(model), Spy(proxy)
    model.insert_orders([prepare_rows([o]) for o in burst], mark_changes=True)
    assert [o.key for o in model.orders()] == [o.key for o in alone.orders()]  # ties keep their arrival order
    assert len(spy.of("inserted")) == 3  # beyond the end (179, 180, 181, 181), at 130 (two), before the start
    assert spy.of("inserted") == copy_spy.of("inserted") and not spy.of("reset")
    assert proxy.visible_ids() == [o.key for o in model.orders()]
    assert all(model.status_text(o.key) == "★ new" for o in burst)
