"""The window with spot and both futures markets in one table: a Market column and filter, one click that
cancels spot and futures orders together (one confirmation naming the markets), every row as true as the
exchange's record, and futures that cannot be read leaving the spot table whole."""

from PySide6.QtCore import Qt

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.outcomes import OutcomeState
from gatecancel_gui.paper import Fault, PaperExchange
from gatecancel_gui.ui.order_rows import COLUMN
from tests.ui.test_window import run_cancel


def load(win, qtbot):
    with qtbot.waitSignal(win.loadFinished, timeout=10_000):
        win.refresh()


def test_the_table_holds_spot_and_both_futures_markets_and_the_market_filter_narrows_it(make_window, qtbot):
    with PaperExchange(orders=60, pairs=4, futures_orders=80) as ex:
        win = make_window(exchange=ex)
        load(win, qtbot)
        markets = [win.open_pane.model.order_at(r).market for r in range(win.open_pane.model.rowCount())]
        assert markets.count(Market.SPOT) == 60 and markets.count(Market.FUTURES_USDT) == 60
        assert markets.count(Market.FUTURES_BTC) == 20
        shown = {win.open_pane.model.data(win.open_pane.model.index(r, COLUMN["market"]))
                 for r in range(win.open_pane.model.rowCount())}
        assert shown == {"Spot", "USDT perpetual", "BTC perpetual"}
        assert "Loaded 140 open orders (Spot 60, USDT perpetual 60, BTC perpetual 20)" in win.status.message.text()
        win.open_pane.market_filter.setCurrentIndex(win.open_pane.market_filter.findData(Market.FUTURES_BTC.value))
        assert win.open_pane.filtered.rowCount() == 20
        visible = set(win.open_pane.filtered.visible_ids())
        assert len(visible) == 20 and all(key.startswith("futures-btc:") for key in visible)
        contracts = [win.open_pane.pair_filter.itemText(i) for i in range(win.open_pane.pair_filter.count())]
        assert "BTC_USD" in contracts and "ETH_USDT" not in contracts  # the market's contracts only


def test_one_click_cancels_spot_and_futures_and_every_row_is_the_exchanges_record(make_window, answers, qtbot):
    with PaperExchange(orders=60, pairs=4, futures_orders=80, fill_fraction=0.1) as ex:
        win = make_window(exchange=ex)
        load(win, qtbot)
        orders = win.open_pane.model.orders()
        chosen = [o for o in orders if o.market is Market.SPOT][:25] + \
            [o for o in orders if o.market is Market.FUTURES_USDT][:25] + \
            [o for o in orders if o.market is Market.FUTURES_BTC][:10]
        win.open_pane.model.set_checked([o.key for o in chosen], True)
        run_cancel(win, qtbot)
        assert "Markets: Spot 25, USDT perpetual 25, BTC perpetual 10" in answers.questions[-1]
        for order in chosen:
            result = win.open_pane.model.result_of(order.key)
            if order.market is Market.SPOT:
                record = ex.book.status_of(order.id)
                expected = {"cancelled": OutcomeState.CANCELLED, "closed": OutcomeState.REJECTED}[record]
            else:
                status, finish_as = ex.futures.status_of(order.market.value.split("-")[1], order.id)
                expected = OutcomeState.CANCELLED if finish_as == "cancelled" else OutcomeState.REJECTED
                assert status == "finished"
            assert result.state is expected, (order.market, order.id, result)
        unchecked = [o for o in orders if o not in chosen]
        assert all(win.open_pane.model.result_of(o.key) is None for o in unchecked)
        assert max(ex.cancel_requests("/futures/usdt/batch_cancel_orders")) <= 20
        filled = [o for o in chosen
                  if o.market.is_futures and win.open_pane.model.result_of(o.key).label == "ORDER_FINISHED"]
        for order in filled:  # red, with Gate's word, and the record's own numbers
            assert win.open_pane.model.result_of(order.key).state is OutcomeState.REJECTED
            row = win.open_pane.model.row_of(order.key)
            assert win.open_pane.model.data(win.open_pane.model.index(row, COLUMN["result"]),
                                            Qt.ItemDataRole.ToolTipRole)


def test_futures_that_cannot_be_read_leave_the_spot_table_whole_and_say_so(make_window, qtbot):
    with PaperExchange(orders=40, pairs=4, futures_orders=40) as ex:
        ex.plan("GET /futures/btc/orders", repeat=Fault.HTML_200)
        win = make_window(exchange=ex)
        load(win, qtbot)
        markets = {win.open_pane.model.order_at(r).market for r in range(win.open_pane.model.rowCount())}
        assert Market.SPOT in markets and Market.FUTURES_BTC not in markets
        assert "Futures orders could not be loaded (BTC perpetual" in win.status.message.text()


def test_futures_cancel_all_dead_man_switch_and_stop_orders_in_the_window(qtbot, tmp_path):
    from gatecancel_gui.core.app.session import Session
    from gatecancel_gui.core.domain.scope import Scope
    from gatecancel_gui.core.store.journal import Journal
    from gatecancel_gui.ui.main_window import MainWindow
    from tests.conftest import client_for
    from tests.ui.conftest import Answers, shut

    with PaperExchange(orders=40, pairs=4, futures_orders=80, price_orders=8, fill_fraction=0.0) as ex:
        scope = Scope("ETH_USDT", None, include_stop_orders=True, market=Market.FUTURES_USDT)
        win = MainWindow(Session("futures desk", client_for(ex)), confirm=Answers(),
                         journal=Journal(tmp_path / "journal.jsonl"), choose_scope=lambda *args: scope)
        qtbot.addWidget(win, before_close_func=lambda w: shut(w, qtbot))
        win.show()
        load(win, qtbot)
        stop_markets = {o.market for o in win.stop_pane.model.orders()}
        assert stop_markets == set(Market)  # stop orders of every market in the stop-orders tab
        eth = [o for o in win.open_pane.model.orders()
               if o.market is Market.FUTURES_USDT and o.instrument == "ETH_USDT"]
        run_cancel(win, qtbot, win.cancel_all)
        assert ex.futures.open_orders("usdt", "ETH_USDT") == [] and ex.futures.open_orders("usdt", "BTC_USDT")
        assert ex.futures.open_price_orders("usdt", "ETH_USDT") == []
        assert all(win.open_pane.model.result_of(o.key).state is OutcomeState.CANCELLED for o in eth)
        spot_and_others = [o for o in win.open_pane.model.orders() if o not in eth]
        assert all(win.open_pane.model.result_of(o.key) is None for o in spot_and_others)

        box = win.risk.switch_scope
        box.setCurrentIndex(box.findText("USDT perpetual BTC_USDT"))
        win.risk.switch_timeout.setValue(5)
        with qtbot.waitSignal(win.risk.armedChanged, timeout=10_000) as armed:
            win.risk.arm_box.click()
        assert armed.args == [True] and ("usdt", "BTC_USDT") in ex.futures_countdowns
        with qtbot.waitSignal(win.risk.armedChanged, timeout=10_000) as disarmed:
            win.risk.arm_box.click()
        assert disarmed.args == [False] and ex.futures_countdowns == {}
        journal = (tmp_path / "journal.jsonl").read_text(encoding="utf-8")
        assert "/futures/usdt/orders" in journal and "ETH_USDT" in journal  # the journal covers futures
        shut(win, qtbot)
        win.sessions.session.close()


def test_a_rows_menu_keeps_its_pair_inside_the_orders_market(make_window, qtbot):
    with PaperExchange(orders=60, pairs=2, futures_orders=40) as ex:  # spot BTC_USDT and contract BTC_USDT
        win = make_window(exchange=ex)
        load(win, qtbot)
        btc = [o for o in win.open_pane.model.orders() if o.instrument == "BTC_USDT"]
        in_contract = [o for o in btc if o.market is Market.FUTURES_USDT]
        assert in_contract and any(o.market is Market.SPOT for o in btc)  # the same name in both markets
        menu = win.open_pane.row_menu(in_contract[0])
        texts = [a.text() for a in menu.actions()]
        assert f"Cancel all {len(in_contract)} in USDT perpetual BTC_USDT" in texts
        menu.deleteLater()


def test_csv_export_carries_each_rows_market_and_contract(make_window, qtbot):
    with PaperExchange(orders=20, pairs=2, futures_orders=20) as ex:
        win = make_window(exchange=ex)
        load(win, qtbot)
        header, rows = win.open_pane.export_rows()
        market, instrument, order_id = (header.index(t) for t in ("Market", "Pair / contract", "Order id"))
        futures = [r for r in rows if r[market] == "BTC perpetual"]
        assert len(futures) == 5 and {r[instrument] for r in futures} == {"BTC_USD", "ETH_USD"}
        assert {r[order_id] for r in futures} == {str(o.id) for o in ex.futures.open_orders("btc")}


def test_no_money_value_is_claimed_for_futures_rows(make_window, qtbot):
    with PaperExchange(orders=20, pairs=2, futures_orders=20) as ex:
        win = make_window(exchange=ex)
        load(win, qtbot)
        futures = [o for o in win.open_pane.model.orders() if o.market.is_futures]
        values = {win.open_pane.model.data(win.open_pane.model.index(win.open_pane.model.row_of(o.key),
                                                                     COLUMN["value"])) for o in futures}
        assert values == {""}  # contracts are not money: never "0 USDT"
        win.open_pane.model.set_checked([o.key for o in futures], True)
        assert "USDT" not in win.open_pane.counts_text() and "BTC" not in win.open_pane.counts_text()


def test_a_reduce_only_futures_order_says_so_in_its_type(make_window, qtbot):
    with PaperExchange(orders=10, pairs=2, futures_orders=60) as ex:
        reduce_only = next(o for o in ex.futures.open_orders("usdt") if o.is_reduce_only)
        win = make_window(exchange=ex)
        load(win, qtbot)
        row = win.open_pane.model.row_of(f"futures-usdt:{reduce_only.id}")
        assert win.open_pane.model.data(win.open_pane.model.index(row, COLUMN["type"])) == "limit · reduce-only"
