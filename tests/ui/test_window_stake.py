"""The confirmation and the status bar count the same instruments in the same words; plurals agree."""

from gatecancel_gui.core.domain.wording import describe_instruments
from gatecancel_gui.paper import PaperExchange
from tests.ui.test_window_futures import load


def test_the_status_bar_and_the_confirmation_agree_on_pairs_and_contracts(make_window, answers, qtbot):
    """Defect: '400 orders in 22 instruments' in the dialog, '14 pairs and contracts' in the status bar."""
    with PaperExchange(orders=60, pairs=4, futures_orders=80) as ex:
        win = make_window(exchange=ex)
        load(win, qtbot)
        orders = win.open_pane.model.orders()
        words = describe_instruments(orders)
        assert "contracts" in words and words in win.status.message.text()
        win.open_pane.check_visible(True)
        answers.answer = False
        win.cancel_checked()
        assert f"Cancel {len(orders)} orders in {words} on PAPER?" in answers.questions[-1]
        assert "USDT perpetual contracts: " in answers.questions[-1]
        assert "BTC perpetual contracts: " in answers.questions[-1]


def test_one_stop_order_is_singular(make_window, qtbot):
    """Defect: '1 open stop orders in 1 instruments'."""
    with PaperExchange(orders=5, pairs=1, heavy_pairs=0, price_orders=1) as ex:
        win = make_window(exchange=ex)
        load(win, qtbot)
        assert win.stop_pane.model.rowCount() == 1
        win.tabs.setCurrentWidget(win.stop_pane)
        assert win.status.counts.text().startswith("1 stop order ·"), win.status.counts.text()
        assert win.status.message.text() == "Loaded 5 open orders in 1 pair, and 1 stop order."
