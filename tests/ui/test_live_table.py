"""The real window fed by a scripted stand-in for the live stream: each event and status is played on a
thread of its own, as the stream's threads call their listeners, and reaches the table through the bridge.
The loads and cancels go to the paper exchange over loopback; only the stream is scripted, so each rule
of the table (new marks, finishes, the merge with our own cancel, bursts, the status bar, the life of the
stream) is checked event by event, with no timing in it."""

import threading
from dataclasses import replace
from decimal import Decimal

import pytest
from PySide6.QtCore import Qt, QTimer

from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.outcomes import CancelOutcome, OutcomeState
from gatecancel_gui.core.stream.events import EventKind, OrderEvent, StreamState, StreamStatus
from gatecancel_gui.ui.order_rows import COLUMN, RESULT_COLUMN
from gatecancel_gui.ui.theme import state_background
from tests.ui.conftest import text_of

NEW_ID = 9_500_000_000_000_000


class FakeStream:
    """What AccountStream offers the window, scripted: `play` and `say` call the listeners on a thread."""

    def __init__(self, client, markets, *, initial, on_events, on_status, settings):
        self.markets, self.initial, self.settings = list(markets), list(initial), settings
        self.on_events, self.on_status = on_events, on_status
        self.started = self.stopped = False

    def start(self):
        self.started = True

    def stop(self, timeout_s=2.0):
        self.stopped = True

    def play(self, *events):
        self._on_thread(self.on_events, list(events))

    def say(self, market, state, **fields):
        self._on_thread(self.on_status, StreamStatus(market, state, **fields))

    @staticmethod
    def _on_thread(listener, arg):
        thread = threading.Thread(target=listener, args=(arg,))
        thread.start()
        thread.join()


class FakeStreams:
    def __init__(self):
        self.made: list[FakeStream] = []

    def __call__(self, *args, **kwargs):
        self.made.append(FakeStream(*args, **kwargs))
        return self.made[-1]

    @property
    def current(self) -> FakeStream:
        return self.made[-1]


@pytest.fixture
def live(make_window, qtbot):
    """A window whose stream is scripted, loaded once (so the stream has started)."""
    win = make_window()
    streams = FakeStreams()
    win.feed.live.make_stream = streams
    with qtbot.waitSignal(win.loadFinished, timeout=10_000):
        win.refresh()
    return win, streams




def put(order, **changes):
    return OrderEvent(EventKind.PUT, replace(order, **changes))


def a_new_order(win, n=0, **changes):
    base = win.open_pane.model.orders()[0]
    return replace(base, id=str(NEW_ID + n), **changes)


def test_the_stream_starts_after_the_first_load_seeded_with_its_listing(live):
    win, streams = live
    stream = streams.current
    assert stream.started and not stream.stopped
    assert {o.key for o in stream.initial} == {o.key for o in win.open_pane.model.orders()}
    assert stream.markets[0] is Market.SPOT  # the paper exchange reads futures too: they are streamed as well
    assert set(stream.markets) == set(Market)
    assert stream.settings.ws_url == ""  # derived from the REST address
    assert win.status.streams[Market.SPOT].text() == "Spot: connecting…"


def test_a_new_order_appears_marked_new_and_never_ticked_until_looked_at(live, qtbot):
    win, streams = live
    model, pane = win.open_pane.model, win.open_pane
    win.select_all()  # "tick all" done before: a row that appears later is still not ticked
    assert len(model.checked) == model.rowCount()
    first, second = a_new_order(win, 1, instrument="NEW_USDT"), a_new_order(win, 2)
    streams.current.play(put(first), put(second))
    qtbot.waitUntil(lambda: model.row_of(second.key) is not None)
    assert text_of(win, first.key) == "★ new" and text_of(win, second.key) == "★ new"
    assert first.key not in model.checked and second.key not in model.checked
    assert pane.pair_filter.findText("NEW_USDT") >= 0  # a pair the load never saw can be filtered on
    # looked at: selecting the row clears its mark; ticking one does too
    pane.view.selectRow(pane.filtered.visible_ids().index(first.key))
    assert text_of(win, first.key) == "" and text_of(win, second.key) == "★ new"
    model.setData(model.index(model.row_of(second.key), 0), Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole)
    assert text_of(win, second.key) == "" and second.key in model.checked


def test_an_update_changes_the_numbers_and_keeps_the_check_and_the_result(live, qtbot):
    win, streams = live
    model = win.open_pane.model
    order = model.orders()[3]
    model.set_checked([order.key], True)
    busy = CancelOutcome(order.ref, OutcomeState.REJECTED, "TOO_BUSY", "Gate is busy")
    model.settle([busy])
    model.set_checked([order.key], True)  # a red row a retry may still help stays ticked
    streams.current.play(OrderEvent(EventKind.UPDATE, replace(order, left=order.amount / 4), version=2))
    qtbot.waitUntil(lambda: model.order_at(model.row_of(order.key)).left == order.amount / 4)
    assert text_of(win, order.key, COLUMN["left"]) == format((order.amount / 4).normalize(), "f")
    assert order.key in model.checked and model.result_of(order.key) is busy
    assert text_of(win, order.key) == "✖ TOO_BUSY"


def test_finishes_stay_in_sight_with_what_happened_and_are_never_revived(live, qtbot):
    win, streams = live
    model = win.open_pane.model
    cancelled, filled, vanished, ioc = model.orders()[:4]
    model.set_checked([cancelled.key, filled.key, vanished.key], True)
    finished = {"status": "finished", "left": Decimal(0)}
    streams.current.play(
        OrderEvent(EventKind.FINISH, replace(cancelled, status="finished"), finish_as="cancelled"),
        OrderEvent(EventKind.FINISH, replace(filled, **finished), finish_as="filled"),
        OrderEvent(EventKind.FINISH, replace(vanished, status="finished"), finish_as=""),
        OrderEvent(EventKind.FINISH, replace(ioc, status="finished"), finish_as="ioc"))
    qtbot.waitUntil(lambda: text_of(win, ioc.key) == "● ioc")
    # cancelled by someone else reads like the other finishes seen on the stream: grey "● cancelled"
    assert text_of(win, cancelled.key) == "● cancelled"
    assert text_of(win, cancelled.key, RESULT_COLUMN, Qt.ItemDataRole.ToolTipRole) == \
        "cancelled elsewhere (seen on Gate's stream)"
    assert text_of(win, filled.key) == "● filled"
    assert text_of(win, filled.key, COLUMN["left"]) == "0"
    grey = state_background(OutcomeState.NOT_SENT, model.dark)  # like a gone row: no longer open, nothing failed
    assert text_of(win, filled.key, COLUMN["pair"], Qt.ItemDataRole.BackgroundRole) == grey
    assert text_of(win, cancelled.key, COLUMN["pair"], Qt.ItemDataRole.BackgroundRole) == grey
    assert text_of(win, vanished.key) == "– gone"
    assert not model.checked & {cancelled.key, filled.key, vanished.key}  # done for good: unticked
    assert all(model.is_settled(o.key) for o in (cancelled, filled, ioc))
    # neither this window's cancels nor failed ones
    filtered = win.open_pane.filtered
    for result in ("cancelled", "failed"):
        filtered.set_filter(result=result)
        assert not {cancelled.key, filled.key, ioc.key} & set(filtered.visible_ids())
    filtered.set_filter()
    # the CSV export says the same: a fill is no failed cancel, a cancel elsewhere is not ours
    header, rows = win.open_pane.export_rows()
    result = {row[header.index("Order id")]: row[header.index("Result")] for row in rows}
    assert (result[filled.id], result[ioc.id], result[cancelled.id]) == ("● filled", "● ioc", "● cancelled")
    # a late put or update never brings a finished row back
    streams.current.play(OrderEvent(EventKind.UPDATE, replace(filled, left=filled.amount), version=9),
                         put(vanished))
    marker = a_new_order(win, 7)
    streams.current.play(put(marker))  # played after them: once it is in, they have been seen
    qtbot.waitUntil(lambda: model.row_of(marker.key) is not None)
    assert text_of(win, filled.key) == "● filled" and text_of(win, filled.key, COLUMN["left"]) == "0"
    assert text_of(win, vanished.key) == "– gone"
    # the rows stay until the trader clears them: every finished one goes (green, grey, gone), the open ones stay
    win.tabs.setCurrentWidget(win.open_pane)
    assert win.commands["clear"].isEnabled()
    win.clear_cancelled()
    assert all(model.row_of(o.key) is None for o in (cancelled, filled, vanished, ioc))
    assert model.row_of(marker.key) is not None and model.row_of(model.orders()[0].key) is not None


def test_only_this_windows_cancels_turn_green_when_others_cancel_meanwhile(live, paper, qtbot):
    win, streams = live
    model = win.open_pane.model
    plain = {o.id for o in paper.book.open_orders() if not o.fills_on_cancel}  # our cancel cancels these
    ours, theirs = [o for o in model.orders() if o.key in plain][:3], model.orders()[-1]
    model.set_checked([o.key for o in ours], True)
    with qtbot.waitSignal(win.cancelFinished, timeout=20_000) as done:
        win.commands["cancel"].trigger()
    assert done.args[0].summary() == "3 cancelled of 3"
    streams.current.play(*(OrderEvent(EventKind.FINISH, replace(o, status="finished"), finish_as="cancelled")
                           for o in [*ours, theirs]))  # the stream's word for ours too, and a cancel by a bot
    qtbot.waitUntil(lambda: text_of(win, theirs.key) == "● cancelled")
    green = state_background(OutcomeState.CANCELLED, model.dark)
    shown = {o.key: text_of(win, o.key, COLUMN["pair"], Qt.ItemDataRole.BackgroundRole) for o in model.orders()}
    assert {key for key, colour in shown.items() if colour == green} == {o.key for o in ours}  # 3 green, not 4
    assert all(text_of(win, o.key) == "✔ cancelled" for o in ours)  # our ✔ wins (the merge rule)


def test_a_cancel_the_stream_sees_for_an_order_our_cancel_sent_without_answer_is_ours(live, qtbot):
    win, streams = live
    model, feed = win.open_pane.model, win.feed.live
    order = model.orders()[0]
    feed.hold([order.key])  # our cancel of it runs: the stream's finish waits for its report
    streams.current.play(OrderEvent(EventKind.FINISH, replace(order, status="finished"), finish_as="cancelled"))
    qtbot.waitUntil(lambda: order.key in feed._finished)
    model.settle([CancelOutcome(order.ref, OutcomeState.UNKNOWN, "TIMEOUT", ended=True)])  # its report: no answer
    feed.release()
    assert text_of(win, order.key) == "✔ cancelled"  # the cancel we sent, confirmed by the stream
    assert model.result_of(order.key).message == "cancelled (seen on Gate's stream)"


def test_a_cancel_covers_what_was_ticked_at_the_click_while_events_arrive(live, paper, qtbot):
    win, streams = live
    model = win.open_pane.model
    win.select_all()
    ticked = set(model.checked)
    some = model.orders()[:3]
    paper.latency_s = 0.2  # the cancel is still running while the stream speaks
    with qtbot.waitSignal(win.cancelFinished, timeout=20_000) as done:
        win.commands["cancel"].trigger()
        assert win.cancels.job is not None
        newcomers = [a_new_order(win, 10 + i) for i in range(3)]
        streams.current.play(*(put(o) for o in newcomers),
                             OrderEvent(EventKind.FINISH, replace(some[0], status="finished"), finish_as="filled"),
                             OrderEvent(EventKind.UPDATE, replace(some[1], left=some[1].amount / 2), version=3))
        qtbot.waitUntil(lambda: model.row_of(newcomers[-1].key) is not None)
        assert win.cancels.job is not None  # the events came during the cancel
        assert text_of(win, some[0].key) != "● filled"  # our cancel's word comes first
    report = done.args[0]
    assert {ref.key for ref in report.outcomes} == ticked  # exactly what was ticked at the click
    for order in newcomers:  # the rows that appeared meanwhile: neither ticked nor sent
        assert order.key not in model.checked and model.result_of(order.key) is None
        assert text_of(win, order.key) == "★ new"
    # the stream's "filled" for an order our cancel cancelled does not turn our ✔ back
    ours = model.result_of(some[0].key)
    assert ours.state is OutcomeState.CANCELLED and "stream" not in ours.message
    assert text_of(win, some[0].key) == "✔ cancelled"


def test_orders_that_finish_while_the_question_is_open_are_not_sent_and_the_end_says_so(live, qtbot):
    win, streams = live
    model = win.open_pane.model
    ticked = model.orders()[:5]
    gone = ticked[:2]
    model.set_checked([o.key for o in ticked], True)
    questions = []

    def ask_while_the_stream_speaks(parent, title, text, yes_text=""):
        questions.append(text)
        streams.current.play(*(OrderEvent(EventKind.FINISH, replace(o, status="finished", left=Decimal(0)),
                                          finish_as="filled") for o in gone))
        qtbot.waitUntil(lambda: all(model.is_settled(o.key) for o in gone))
        return True

    win.confirm = ask_while_the_stream_speaks
    with qtbot.waitSignal(win.cancelFinished, timeout=20_000) as done:
        win.commands["cancel"].trigger()
    assert questions[0].startswith("Cancel 5 orders")
    report = done.args[0]
    assert {ref.key for ref in report.outcomes} == {o.key for o in ticked[2:]}  # never what is gone
    assert win.status.message.text() == (f"Done: {report.summary()}; 2 finished on their own while you decided "
                                         "(not sent).")
    assert report.summary().endswith("of 3")


def test_the_status_bar_follows_each_market_and_says_each_fallback_once(live, paper, qtbot):
    win, streams = live
    stream, labels = streams.current, win.status.streams
    stream.say(Market.SPOT, StreamState.LIVE, last_event_at=1_700_000_000.0)
    stream.say(Market.FUTURES_USDT, StreamState.RECONNECTING, attempt=2, reason="The socket closed.")
    stream.say(Market.FUTURES_BTC, StreamState.POLLING, reason="No WebSocket here")
    qtbot.waitUntil(lambda: labels[Market.FUTURES_BTC].text() == "BTC perpetual: polling")
    assert "No WebSocket here" in labels[Market.FUTURES_BTC].toolTip()
    assert labels[Market.SPOT].text() == "Spot: live · 22:13:20"
    assert labels[Market.FUTURES_USDT].text() == "USDT perpetual: reconnecting (try 2)"
    assert "BTC perpetual: no live stream (No WebSocket here)" in win.status.message.text()
    assert win.status.message.toolTip() == win.status.message.text()  # whole, if a narrow bar cuts it
    win.status.say("something else")
    stream.say(Market.FUTURES_BTC, StreamState.POLLING, reason="No WebSocket here", last_event_at=1.0)
    stream.play(put(a_new_order(win, 20)))  # an event: its time shows on its market's label
    qtbot.waitUntil(lambda: win.open_pane.model.row_of(a_new_order(win, 20).key) is not None)
    assert win.status.message.text() == "something else"  # said once
    assert labels[Market.SPOT].text().startswith("Spot: live · ")
    assert labels[Market.SPOT].text() != "Spot: live · 22:13:20"
    # while every market is covered, the auto-refresh lists only the stop orders (no stream carries them)
    assert win.feed.live.covers and win.stop_pane.model.rowCount() == 0
    paper.price_orders.place("BTC_USDT", Decimal("99000"), ">=", "buy", Decimal("99000"), Decimal("0.01"))
    win.feed.auto_refresh()
    assert win.feed.job is None and "only the stop orders are listed" in win.status.message.text()
    qtbot.waitUntil(lambda: win.stop_pane.model.rowCount() == 1)
    assert win.tabs.tabText(1) == "Stop orders (1)" and win.feed.job is None
    # a stopped market: said once; the auto-refresh is the fallback, and its load re-seeds the stream
    stream.say(Market.FUTURES_USDT, StreamState.STOPPED, reason="The key was refused.")
    qtbot.waitUntil(lambda: labels[Market.FUTURES_USDT].text() == "USDT perpetual: stopped")
    assert "The key was refused." in labels[Market.FUTURES_USDT].toolTip()
    assert "the live stream stopped (The key was refused.)" in win.status.message.text()
    assert not win.feed.live.covers
    with qtbot.waitSignal(win.loadFinished, timeout=10_000):
        win.feed.auto_refresh()
    assert stream.stopped and len(streams.made) == 2 and streams.current.started


def test_refresh_restarts_switching_and_closing_stop_the_stream(live, qtbot):
    win, streams = live
    first = streams.current
    with qtbot.waitSignal(win.loadFinished, timeout=10_000):
        win.refresh()
    assert first.stopped and len(streams.made) == 2
    assert {o.key for o in streams.current.initial} == {o.key for o in win.open_pane.model.orders()}
    first.play(put(a_new_order(win, 30)))  # the old stream's events on their way: dropped
    streams.current.play(put(a_new_order(win, 31)))
    qtbot.waitUntil(lambda: win.open_pane.model.row_of(a_new_order(win, 31).key) is not None)
    assert win.open_pane.model.row_of(a_new_order(win, 30).key) is None
    second = streams.current
    win.set_session(None)  # another account (none): the stream stops, no label claims one
    assert second.stopped and not win.feed.live.running
    assert not any(label.isVisible() for label in win.status.streams.values())


def test_a_stream_that_cannot_start_leaves_the_loads_and_says_why(make_window, qtbot):
    win = make_window()

    def refused(*args, **kwargs):
        raise ConfigError("The live stream needs the profile's API key and secret.")

    win.feed.live.make_stream = refused
    with qtbot.waitSignal(win.loadFinished, timeout=10_000):
        win.refresh()
    assert not win.feed.live.running and not win.feed.live.covers
    assert win.status.message.text() == ("The live stream needs the profile's API key and secret. Refresh or the "
                                         "auto-refresh keeps the table current.")


def test_a_burst_of_300_orders_is_applied_in_slices_with_the_window_answering_between(live, qtbot):
    win, streams = live
    model, feed = win.open_pane.model, win.feed.live
    before = model.rowCount()
    burst = [put(a_new_order(win, 100 + i)) for i in range(300)]
    seen_pending: list[int] = []
    heartbeat = QTimer(win, interval=0)  # runs whenever the event loop gets a turn
    heartbeat.timeout.connect(lambda: seen_pending.append(len(feed._pending)))
    heartbeat.start()
    streams.current.play(*burst)  # one message of 300 orders, as a bot's burst arrives
    qtbot.waitUntil(lambda: model.rowCount() == before + 300)
    heartbeat.stop()
    assert any(0 < n < 300 for n in seen_pending)  # the loop turned while some of the burst was still to come
    assert all(text_of(win, e.order.key) == "★ new" for e in burst[::50])


def test_rows_inserted_above_the_first_visible_row_leave_the_visible_rows_where_they_are(live, qtbot):
    win, streams = live
    model, pane = win.open_pane.model, win.open_pane
    view, bar = pane.view, pane.view.verticalScrollBar()
    win.tabs.setCurrentWidget(pane)
    pane.view.sortByColumn(COLUMN["created"], Qt.SortOrder.DescendingOrder)  # new orders land at the top
    latest = max(o.create_time_ms for o in model.orders())
    view.scrollTo(pane.filtered.index(20, 0), view.ScrollHint.PositionAtTop)
    assert view.rowAt(0) == 20
    under_pointer = pane.filtered.key_at(view.rowAt(0))
    position = view.visualRect(pane.filtered.index(view.rowAt(0) + 3, 0)).top()  # a checkbox aimed at
    aimed = pane.filtered.key_at(view.rowAt(position + 1))
    news = [a_new_order(win, 300 + i, create_time_ms=latest + 1_000 + i) for i in range(3)]
    streams.current.play(*(put(o) for o in news))
    qtbot.waitUntil(lambda: all(model.row_of(o.key) is not None for o in news))
    assert model.row_of(news[-1].key) == 0  # above the first visible row
    assert pane.filtered.key_at(view.rowAt(0)) == under_pointer  # the rows in sight stayed where they were
    assert pane.filtered.key_at(view.rowAt(position + 1)) == aimed
    # a burst landing in several places above it (several runs) as well
    shown = model.orders()
    between = [a_new_order(win, 330 + i, create_time_ms=shown[row].create_time_ms) for i, row in enumerate((2, 9, 15))]
    streams.current.play(*(put(o) for o in between))
    qtbot.waitUntil(lambda: all(model.row_of(o.key) is not None for o in between))
    assert all(model.row_of(o.key) < model.row_of(under_pointer) for o in between)
    assert pane.filtered.key_at(view.rowAt(0)) == under_pointer
    # at the very top, new rows push down: they are what the trader wants to see
    bar.setValue(0)
    top = [a_new_order(win, 310 + i, create_time_ms=latest + 2_000 + i) for i in range(2)]
    streams.current.play(*(put(o) for o in top))
    qtbot.waitUntil(lambda: all(model.row_of(o.key) is not None for o in top))
    assert view.rowAt(0) == 0 and pane.filtered.key_at(0) == top[-1].key
    # rows inserted below the first visible row move nothing above them
    view.scrollTo(pane.filtered.index(20, 0), view.ScrollHint.PositionAtTop)
    shown = pane.filtered.key_at(view.rowAt(0))
    older = a_new_order(win, 320, create_time_ms=0)  # sorts to the bottom
    streams.current.play(put(older))
    qtbot.waitUntil(lambda: model.row_of(older.key) is not None)
    assert pane.filtered.key_at(view.rowAt(0)) == shown
