"""The window is live: the real MainWindow, the real AccountStream and the paper exchange's WebSocket over
loopback. Orders placed, filled or cancelled on the exchange by someone else reach the table without a
refresh; our own cancel keeps its word; an exchange without a WebSocket is polled and the window says so;
a burst of 300 orders leaves the window answering. Every wait is on a condition, never a sleep."""

from decimal import Decimal

from PySide6.QtCore import Qt, QTimer

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.outcomes import OutcomeState
from gatecancel_gui.core.stream.events import StreamState
from gatecancel_gui.paper import PaperExchange
from gatecancel_gui.ui.order_rows import COLUMN, RESULT_COLUMN
from tests.ui.conftest import shut, text_of

WAIT_MS = 15_000




def live_window(make_window, qtbot, exchange=None):
    """A window loaded once, its stream started: wait until the spot stream is live."""
    win = make_window(exchange=exchange)
    with qtbot.waitSignal(win.loadFinished, timeout=WAIT_MS):
        win.refresh()
    return win


def wait_live(win, qtbot):
    qtbot.waitUntil(lambda: win.feed.live.statuses.get(Market.SPOT) is not None
                    and win.feed.live.statuses[Market.SPOT].state is StreamState.LIVE, timeout=WAIT_MS)


def test_an_order_placed_on_the_exchange_appears_without_a_refresh_marked_new(make_window, paper, qtbot):
    win = live_window(make_window, qtbot)
    wait_live(win, qtbot)
    assert win.status.streams[Market.SPOT].text().startswith("Spot: live")
    placed = paper.book.place("BTC_USDT", "buy", Decimal("50000"), Decimal("0.01"), text="t-someone")
    qtbot.waitUntil(lambda: text_of(win, placed.id) == "★ new", timeout=WAIT_MS)
    assert placed.id not in win.open_pane.model.checked
    assert text_of(win, placed.id, COLUMN["text"]) == "t-someone"
    assert win.status.streams[Market.SPOT].text().startswith("Spot: live · ")
    assert win.feed.job is None  # no load brought it


def test_a_fill_a_partial_fill_and_a_cancel_by_someone_else_update_their_rows(make_window, paper, qtbot):
    win = live_window(make_window, qtbot)
    wait_live(win, qtbot)
    model = win.open_pane.model
    filled, partly, cancelled = [o for o in paper.book.open_orders() if not o.fills_on_cancel][:3]
    model.set_checked([filled.id, cancelled.id], True)
    paper.book.fill(filled.id)
    paper.book.fill(partly.id, partly.amount / 4)
    assert paper.book.cancel(cancelled.id, cancelled.currency_pair)[0]
    qtbot.waitUntil(lambda: text_of(win, cancelled.id) == "● cancelled", timeout=WAIT_MS)  # grey: not ours
    qtbot.waitUntil(lambda: text_of(win, filled.id) == "● filled", timeout=WAIT_MS)
    assert text_of(win, cancelled.id, RESULT_COLUMN, Qt.ItemDataRole.ToolTipRole) == \
        "cancelled elsewhere (seen on Gate's stream)"
    assert text_of(win, filled.id, COLUMN["left"]) == "0"
    qtbot.waitUntil(lambda: model.order_at(model.row_of(partly.id)).left == partly.amount * 3 / 4, timeout=WAIT_MS)
    assert text_of(win, partly.id) == ""  # still open, no word about it
    assert not model.checked & {filled.id, cancelled.id}  # done for good: unticked
    assert model.is_settled(filled.id) and model.is_settled(cancelled.id)  # a cancel never sends them


def test_our_own_cancel_keeps_its_word_when_the_streams_finish_comes(make_window, paper, qtbot):
    win = live_window(make_window, qtbot)
    wait_live(win, qtbot)
    model = win.open_pane.model
    plain = [o.id for o in paper.book.open_orders() if not o.fills_on_cancel][:4]
    fills = [o.id for o in paper.book.open_orders() if o.fills_on_cancel][:2]  # our cancel finds them filled
    model.set_checked(plain + fills, True)
    with qtbot.waitSignal(win.cancelFinished, timeout=WAIT_MS) as done:
        win.commands["cancel"].trigger()
    assert done.args[0].count(OutcomeState.CANCELLED) == 4
    # the stream pushes a finish for each of them too: wait until it has been seen, then read the rows
    qtbot.waitUntil(lambda: set(plain + fills) <= win.feed.live._finished, timeout=WAIT_MS)
    for order_id in plain:
        outcome = model.result_of(order_id)
        assert outcome.state is OutcomeState.CANCELLED and "stream" not in outcome.message
        assert text_of(win, order_id) == "✔ cancelled"
    for order_id in fills:  # our cancel's word (the order had filled) stays: red, with Gate's label
        assert model.result_of(order_id).state is OutcomeState.REJECTED
        assert "stream" not in model.result_of(order_id).message


def test_a_cancel_while_a_bot_trades_covers_what_was_ticked_and_ticks_no_newcomer(make_window, paper, qtbot):
    win = live_window(make_window, qtbot)
    wait_live(win, qtbot)
    model = win.open_pane.model
    win.select_all()  # tick all, then new orders keep coming
    before = {o.key for o in model.orders()}
    paper.latency_s = 0.2  # the cancel takes a while: the bot's orders arrive during it
    bot = paper.start_bot("ETH_USDT:40:30", fill_share=0.2, cancel_share=0.2)
    qtbot.waitUntil(lambda: any(o.key not in before for o in model.orders()), timeout=WAIT_MS)
    at_click = set(model.checked)
    assert at_click == before
    with qtbot.waitSignal(win.cancelFinished, timeout=30_000) as done:
        win.commands["cancel"].trigger()
    bot.stop()
    newcomers = {o.key for o in model.orders()} - before
    assert {ref.key for ref in done.args[0].outcomes} == at_click  # exactly what was ticked at the click
    assert newcomers and not model.checked & newcomers  # never ticked automatically, even after "tick all"
    assert all(model.result_of(key) is None or "stream" in model.result_of(key).message for key in newcomers)


def test_an_exchange_without_websocket_is_polled_and_the_window_says_so(make_window, qtbot):
    with PaperExchange(orders=60, pairs=4, websocket=False) as bare:
        win = live_window(make_window, qtbot, exchange=bare)
        qtbot.waitUntil(lambda: win.status.streams[Market.SPOT].text() == "Spot: polling", timeout=WAIT_MS)
        # said once per market (the last to fall back speaks last); the label's tip has the whole reason
        assert "no live stream" in win.status.message.text()
        assert "listed every" in win.status.streams[Market.SPOT].toolTip()
        placed = bare.book.place("BTC_USDT", "sell", Decimal("90000"), Decimal("0.02"))
        qtbot.waitUntil(lambda: text_of(win, placed.id) == "★ new", timeout=WAIT_MS)  # the stream's own listing
        assert win.feed.live.covers  # the auto-refresh waits: the stream lists the orders itself
        shut(win, qtbot)  # before the exchange of this test stops


def test_a_burst_of_300_orders_placed_at_once_arrives_with_the_window_answering(make_window, paper, qtbot):
    win = live_window(make_window, qtbot)
    wait_live(win, qtbot)
    model = win.open_pane.model
    before = model.rowCount()
    counts: list[int] = []
    heartbeat = QTimer(win, interval=0)  # runs whenever the event loop gets a turn
    heartbeat.timeout.connect(lambda: counts.append(model.rowCount()))
    heartbeat.start()
    placed = [paper.book.place("ETH_USDT", "buy", Decimal("1000") + i, Decimal("0.1"), text=f"t-burst-{i}").id
              for i in range(300)]
    qtbot.waitUntil(lambda: model.rowCount() == before + 300, timeout=30_000)
    heartbeat.stop()
    assert any(before < n < before + 300 for n in counts)  # the window answered while the burst came in
    assert all(text_of(win, order_id) == "★ new" for order_id in placed[::25])


def test_closing_the_window_closes_its_sockets(make_window, paper, qtbot):
    win = live_window(make_window, qtbot)
    wait_live(win, qtbot)
    assert any(paper.sockets.peers.values())
    win.close()
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=WAIT_MS)
    assert not win.feed.live.running
    qtbot.waitUntil(lambda: not any(paper.sockets.peers.values()), timeout=WAIT_MS)


def test_futures_orders_come_live_in_their_own_market(make_window, qtbot):
    with PaperExchange(orders=40, pairs=3, futures_orders=20) as ex:
        win = live_window(make_window, qtbot, exchange=ex)
        qtbot.waitUntil(lambda: all(s.state is StreamState.LIVE for s in win.feed.live.statuses.values()),
                        timeout=WAIT_MS)
        assert set(win.feed.live.statuses) == set(Market)
        placed = ex.futures.place("usdt", "BTC_USDT", 3, Decimal("60000"), text="t-futures")
        key = f"{Market.FUTURES_USDT.value}:{placed.id}"
        qtbot.waitUntil(lambda: text_of(win, key) == "★ new", timeout=WAIT_MS)
        assert text_of(win, key, COLUMN["market"]) == "USDT perpetual"
        ex.futures.fill("usdt", placed.id)
        qtbot.waitUntil(lambda: text_of(win, key) == "● filled", timeout=WAIT_MS)
        assert win.status.streams[Market.FUTURES_USDT].text().startswith("USDT perpetual: live · ")
        shut(win, qtbot)  # before the exchange of this test stops


def test_a_dropped_socket_says_reconnecting_and_the_order_placed_meanwhile_comes_once(make_window, paper, qtbot):
    win = live_window(make_window, qtbot)
    wait_live(win, qtbot)
    shown: list[str] = []
    show = win.status.show_stream
    win.status.show_stream = lambda market, text, tip: (shown.append(text), show(market, text, tip))
    paper.drop_sockets()
    placed = paper.book.place("BTC_USDT", "buy", Decimal("51000"), Decimal("0.01"))  # in the gap, maybe
    qtbot.waitUntil(lambda: text_of(win, placed.id) == "★ new", timeout=WAIT_MS)
    qtbot.waitUntil(lambda: any(t.startswith("Spot: reconnecting (try 1)") for t in shown), timeout=WAIT_MS)
    wait_live(win, qtbot)
    assert [o.key for o in win.open_pane.model.orders()].count(placed.id) == 1
