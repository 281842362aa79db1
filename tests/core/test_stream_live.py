"""The live stream against the paper exchange over loopback: real sockets, real REST listings. An order put
on the book is a put; a fill, a cancel by someone else and a partial fill are pushed; futures too; a dropped
socket reconnects and reports everything that happened in the gap; a refused key stops the stream with one
sentence; a server without WebSocket is followed by polling."""

import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gatecancel_gui.core.app.services import load_orders
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.net.transport import NetworkSettings
from gatecancel_gui.core.stream.account import AccountStream, StreamSettings
from gatecancel_gui.core.stream.events import EventKind, StreamState
from gatecancel_gui.paper import NetworkShape, PaperExchange
from gatecancel_gui.paper.auth import ApiKey
from tests.conftest import client_for, wait_for

FAST = StreamSettings(backoff_s=(0.05, 0.1, 0.2), poll_interval_s=0.2, open_timeout_s=3.0)
PUT, UPDATE, FINISH = EventKind.PUT, EventKind.UPDATE, EventKind.FINISH


class Recorder:
    """What the listeners heard, from the stream's threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.events = []
        self.statuses = []
        self.threads = set()
        self.reporters = set()  # the stream threads that reported a state (stop() itself reports nothing)

    def on_events(self, events):
        with self.lock:
            self.events += events
            self.threads.add(threading.current_thread().name)

    def on_status(self, status):
        with self.lock:
            self.statuses.append(status)
            self.reporters.add(threading.current_thread())

    def wait_threads_ended(self, timeout_s=10.0):
        """Until every stream thread that reported has ended: from then on nothing can reach the exchange
        or this recorder (a negative check needs no sleep after it)."""
        with self.lock:
            reporters = list(self.reporters)
        wait_for(lambda: not any(thread.is_alive() for thread in reporters), timeout_s)

    def of(self, key):
        with self.lock:
            return [e for e in self.events if e.key == key]

    def state(self, market):
        with self.lock:
            states = [s for s in self.statuses if s.market is market]
        return states[-1] if states else None

    def wait_state(self, market, state, timeout_s=10.0):
        try:
            wait_for(lambda: (s := self.state(market)) is not None and s.state is state, timeout_s)
        except AssertionError:
            raise AssertionError(f"{market.value} never {state.value}: {self.statuses}") from None
        return self.state(market)

    def seen(self, market, state, since=0):
        with self.lock:
            return next((s for s in self.statuses[since:] if s.market is market and s.state is state), None)

    def wait_seen(self, market, state, since=0, timeout_s=10.0):
        wait_for(lambda: self.seen(market, state, since) is not None, timeout_s)
        return self.seen(market, state, since)

    def wait_event(self, key, kind, timeout_s=10.0):
        wait_for(lambda: any(e.kind is kind for e in self.of(key)), timeout_s)
        return next(e for e in self.of(key) if e.kind is kind)


def counted(client, endpoint):
    """A list that grows by one at each request the client starts to `endpoint`, answered or not."""
    started = []
    request = client.request

    def counting(method, path, **options):
        if path == endpoint:
            started.append(path)
        return request(method, path, **options)

    client.request = counting
    return started


@contextmanager
def running(stream):
    """The stream started for the block, and stopped (bounded) however the block ends."""
    stream.start()
    try:
        yield stream
    finally:
        stream.stop()


def stream_for(client, markets, recorder, *, initial=(), settings=FAST):
    return AccountStream(client, markets, initial=initial, on_events=recorder.on_events,
                         on_status=recorder.on_status, settings=settings)


@pytest.fixture
def live_spot():
    """A paper exchange, a client, and a spot stream already LIVE over what the client listed."""
    with PaperExchange(orders=30, pairs=4) as ex, client_for(ex) as client:
        recorder = Recorder()
        stream = stream_for(client, [Market.SPOT], recorder, initial=load_orders(client, [Market.SPOT]))
        with running(stream):
            recorder.wait_state(Market.SPOT, StreamState.LIVE)
            yield ex, client, stream, recorder


def test_spot_orders_live(live_spot):
    ex, client, stream, recorder = live_spot
    assert recorder.events == []  # the initial orders were the listing: nothing to say
    order = ex.book.place("BTC_USDT", "buy", Decimal("60000"), Decimal("2"))
    put = recorder.wait_event(order.id, PUT)
    assert not put.listed and put.order.amount == Decimal(2) and put.version == order.update_time_ms
    ex.book.fill(order.id, Decimal("0.5"))
    update = recorder.wait_event(order.id, UPDATE)
    assert update.order.left == Decimal("1.5") and update.order.filled_amount == Decimal("0.5")
    # someone else cancels it over REST
    client.request("DELETE", f"/spot/orders/{order.id}", params=[("currency_pair", "BTC_USDT")])
    finish = recorder.wait_event(order.id, FINISH)
    assert finish.finish_as == "cancelled" and finish.order.status == "finished"
    filled = ex.book.place("ETH_USDT", "sell", Decimal("3000"), Decimal("1"))
    ex.book.fill(filled.id)
    assert recorder.wait_event(filled.id, FINISH).finish_as == "filled"
    assert [e.kind for e in recorder.of(filled.id)] == [PUT, FINISH]
    wait_for(lambda: {o.id for o in stream.orders()} == {o.id for o in ex.book.open_orders()})
    assert recorder.threads == {"stream-spot"}
    assert stream.statuses()[Market.SPOT].last_event_at is not None


@pytest.mark.parametrize("market", [Market.FUTURES_USDT, Market.FUTURES_BTC])
def test_futures_orders_live(market):
    settle, contract = ("usdt", "BTC_USDT") if market is Market.FUTURES_USDT else ("btc", "BTC_USD")
    with PaperExchange(orders=0, futures_orders=20) as ex, client_for(ex) as client:
        recorder = Recorder()
        stream = stream_for(client, [market], recorder, initial=load_orders(client, [market]))
        with running(stream):
            recorder.wait_state(market, StreamState.LIVE)
            order = ex.futures.place(settle, contract, -10, Decimal("64000.5"))
            key = f"{market.value}:{order.id}"
            put = recorder.wait_event(key, PUT)
            assert put.order.side == "sell" and put.order.amount == 10 and put.order.price == Decimal("64000.5")
            ex.futures.fill(settle, order.id, 4)
            assert recorder.wait_event(key, UPDATE).order.left == 6
            ok, _, _ = ex.futures.cancel(settle, str(order.id))
            assert ok and recorder.wait_event(key, FINISH).finish_as == "cancelled"
            other = ex.futures.place(settle, contract, 3, Decimal("60000"))
            ex.futures.fill(settle, other.id)
            assert recorder.wait_event(f"{market.value}:{other.id}", FINISH).finish_as == "filled"
            wait_for(lambda: {o.id for o in stream.orders()} == {str(o.id) for o in ex.futures.open_orders(settle)})


def test_every_market_at_once_over_tls_with_the_profiles_ca_file():
    with PaperExchange(orders=10, futures_orders=10, network=NetworkShape(tls=True)) as ex, \
            client_for(ex, network=NetworkSettings(ca_file=ex.ca_file)) as client:
        recorder = Recorder()
        markets = [Market.SPOT, Market.FUTURES_USDT, Market.FUTURES_BTC]
        stream = stream_for(client, markets, recorder)
        assert stream.urls()[Market.SPOT] == f"wss://127.0.0.1:{ex.port}/ws/v4/"
        with running(stream):
            for market in markets:
                recorder.wait_state(market, StreamState.LIVE)
            # nothing was shown yet: the first listing reports every open order once, as listed puts
            expected = {o.key for o in load_orders(client, markets)}
            wait_for(lambda: {e.key for e in recorder.events} == expected)
            assert all(e.kind is PUT and e.listed for e in recorder.events)
            order = ex.book.place("BTC_USDT", "buy", Decimal("1"), Decimal("1"))
            assert not recorder.wait_event(order.id, PUT).listed
            assert recorder.threads == {f"stream-{m.value}" for m in markets}


def test_the_first_listing_corrects_what_the_caller_showed():
    """The caller's last listing is stale: an order it shows was cancelled since (looked up: cancelled),
    one it shows never existed (no record: finished while disconnected, ""), one it misses is put."""
    with PaperExchange(orders=5, pairs=2) as ex, client_for(ex) as client:
        shown = load_orders(client, [Market.SPOT])
        gone = shown[0]
        ex.book.cancel(gone.id, gone.instrument)
        phantom = replace(shown[1], id="42")
        new = ex.book.place("BTC_USDT", "buy", Decimal("1"), Decimal("1"))
        recorder = Recorder()
        stream = stream_for(client, [Market.SPOT], recorder, initial=[*shown, phantom])
        with running(stream):
            recorder.wait_state(Market.SPOT, StreamState.LIVE)
            finish = recorder.wait_event(gone.id, FINISH)
            assert finish.listed and finish.finish_as == "cancelled"
            assert recorder.wait_event("42", FINISH).finish_as == ""
            assert recorder.wait_event(new.id, PUT).listed
            assert {o.id for o in stream.orders()} == {o.id for o in ex.book.open_orders()}


def test_a_dropped_socket_reconnects_and_its_listing_reports_the_gap():
    """The socket drops and cannot be had again for a while: what happens meanwhile (a cancel, a fill, a new
    order) is reported by a listing, with how each order finished looked up, and the socket comes back."""
    with PaperExchange(orders=10, pairs=2) as ex, client_for(ex) as client:
        recorder = Recorder()
        settings = StreamSettings(backoff_s=(0.05,), poll_interval_s=30.0, socket_retry_s=0.5)
        stream = stream_for(client, [Market.SPOT], recorder, initial=load_orders(client, [Market.SPOT]),
                            settings=settings)
        with running(stream):
            recorder.wait_state(Market.SPOT, StreamState.LIVE)
            before = ex.stats.sockets_opened
            mark = len(recorder.statuses)
            ex.sockets.enabled = False
            ex.drop_sockets()
            recorder.wait_seen(Market.SPOT, StreamState.POLLING, mark)
            cancelled, filled = ex.book.open_orders()[:2]
            ex.book.cancel(cancelled.id, cancelled.currency_pair)
            ex.book.fill(filled.id)
            placed = ex.book.place("SOL_USDT", "buy", Decimal("100"), Decimal("5"))
            ex.sockets.enabled = True
            recorder.wait_seen(Market.SPOT, StreamState.LIVE, mark)
            for order, finish_as in ((cancelled, "cancelled"), (filled, "filled")):
                finish = recorder.wait_event(order.id, FINISH)
                assert finish.listed and finish.finish_as == finish_as
            assert recorder.wait_event(placed.id, PUT).listed
            assert ex.stats.sockets_opened == before + 1
            assert {o.id for o in stream.orders()} == {o.id for o in ex.book.open_orders()}


def test_a_drop_reconnects_at_once_and_nothing_is_lost(live_spot):
    ex, _, stream, recorder = live_spot
    shown = ex.book.open_orders()[:2]
    mark = len(recorder.statuses)
    ex.drop_sockets()
    gap = [ex.book.place("BTC_USDT", "buy", Decimal(i + 1), Decimal("1")) for i in range(3)]
    ex.book.cancel(shown[0].id, shown[0].currency_pair)
    ex.book.fill(shown[1].id)
    reconnecting = recorder.wait_seen(Market.SPOT, StreamState.RECONNECTING, mark)
    assert reconnecting.attempt == 1 and "dropped" in reconnecting.reason and "reconnecting in 0.05 s" in \
        reconnecting.reason
    recorder.wait_seen(Market.SPOT, StreamState.LIVE, mark)
    for order in gap:
        recorder.wait_event(order.id, PUT)
    assert recorder.wait_event(shown[0].id, FINISH).finish_as == "cancelled"
    assert recorder.wait_event(shown[1].id, FINISH).finish_as == "filled"
    wait_for(lambda: {o.id for o in stream.orders()} == {o.id for o in ex.book.open_orders()})


OPS = st.lists(st.sampled_from(["place", "part", "fill", "cancel"]), min_size=4, max_size=12)


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(drop_after=st.integers(min_value=1, max_value=5), ops=OPS, pause=st.sampled_from([0.0, 0.03]))
def test_whatever_the_drop_point_every_change_is_reported(drop_after, ops, pause):
    """The socket is cut after every `drop_after` notifications while orders are placed, partly filled,
    filled and cancelled: in the end the stream holds exactly the book's open orders (with the book's
    numbers), every finished order was reported finished once, and no order's fill ever went backwards."""
    with PaperExchange(orders=6, pairs=2) as ex, client_for(ex) as client:
        recorder = Recorder()
        initial = load_orders(client, [Market.SPOT])
        shown = {o.id for o in initial}
        stream = stream_for(client, [Market.SPOT], recorder, initial=initial)
        with running(stream):
            recorder.wait_state(Market.SPOT, StreamState.LIVE)
            ex.ws_drop_after = drop_after
            for i, op in enumerate(ops):
                open_now = ex.book.open_orders()
                if op == "place" or not open_now:
                    ex.book.place("BTC_USDT", "buy", Decimal(100 + i), Decimal("4"))
                elif op == "part":
                    ex.book.fill(open_now[i % len(open_now)].id, Decimal("1"))
                elif op == "fill":
                    ex.book.fill(open_now[i % len(open_now)].id)
                else:
                    target = open_now[i % len(open_now)]
                    ex.book.cancel(target.id, target.currency_pair)
                time.sleep(pause)  # reconnects land between the changes, not only after them

            def same_as_book():
                return {o.id: o.left for o in stream.orders()} == \
                    {o.id: o.amount - o.filled for o in ex.book.open_orders()}

            wait_for(same_as_book, 15.0)
            for order_id, order in ex.book.orders.items():
                kinds = [e.kind for e in recorder.of(order_id)]
                if order.status == "open":
                    assert FINISH not in kinds
                elif order_id in shown or kinds:  # seen open once: its finish was reported, once, last
                    assert kinds.count(FINISH) == 1 and kinds[-1] is FINISH, (order_id, kinds)
                fills = [e.order.filled_amount for e in recorder.of(order_id) if e.kind is not FINISH]
                assert fills == sorted(fills), (order_id, fills)  # never a fill rolled back


def test_busy_bots_on_every_market_with_sockets_cut_every_few_pushes():
    """Three bots (spot, USDT and BTC futures) place, fill, part-fill and cancel at 100 orders a second
    while every socket is cut after 7 pushes: when they stop, the stream holds exactly the books' open
    orders with their numbers, and no order was reported finished twice or with its fill going back."""
    markets = [Market.SPOT, Market.FUTURES_USDT, Market.FUTURES_BTC]
    with PaperExchange(orders=0, futures_orders=0) as ex, client_for(ex) as client:
        recorder = Recorder()
        stream = stream_for(client, markets, recorder)
        with running(stream):
            for market in markets:
                recorder.wait_state(market, StreamState.LIVE)
            ex.ws_drop_after = 7
            options = {"fill_share": 0.2, "partial_share": 0.3, "cancel_share": 0.2}
            bots = [ex.start_bot(spec, **options) for spec in ("ETH_USDT:100:1", "usdt/ETH_USDT:100:1",
                                                                "btc/BTC_USD:100:1")]
            for bot in bots:
                assert bot.finished.wait(10)

            def book():
                spot = {o.id: o.amount - o.filled for o in ex.book.open_orders()}
                futures = {str(o.id): Decimal(abs(o.left)) for s in ("usdt", "btc") for o in ex.futures.open_orders(s)}
                return {**spot, **futures}

            wait_for(lambda: {o.id: o.left for o in stream.orders()} == book(), 15.0)
            assert ex.stats.sockets_opened > 3  # the sockets were cut, and came back
            keys = {e.key for e in recorder.events}
            for key in keys:
                events = recorder.of(key)
                assert [e.kind for e in events].count(FINISH) <= 1 and FINISH not in [e.kind for e in events[:-1]]
                fills = [e.order.filled_amount for e in events if e.kind is not FINISH]
                assert fills == sorted(fills), (key, fills)


def test_a_computer_clock_minutes_off_still_subscribes():
    """Gate takes a subscription's time within 60 s of its own: the clock is synced before the first one."""
    with PaperExchange(orders=3) as ex, client_for(ex) as client:
        ex.clock_offset_s = 300.0
        recorder = Recorder()
        stream = stream_for(client, [Market.SPOT], recorder)
        with running(stream):
            recorder.wait_state(Market.SPOT, StreamState.LIVE)


def test_a_refused_key_stops_with_gates_label_and_does_not_hammer():
    with PaperExchange(orders=3) as ex:
        for key, words in [(ApiKey("paper" + "0" * 28, "f" * 64), "(INVALID_KEY): Invalid key provided"),
                           (ApiKey(ex.main_key.key, "e" * 64), "(INVALID_KEY): Signature mismatch")]:
            with client_for(ex, key=key) as client:
                recorder = Recorder()
                opened = ex.stats.sockets_opened
                stream = stream_for(client, [Market.SPOT], recorder)
                with running(stream):
                    stopped = recorder.wait_state(Market.SPOT, StreamState.STOPPED)
                    assert stopped.reason.startswith("Gate's WebSocket refused the API key " + words)
                    assert key.secret not in stopped.reason
                    recorder.wait_threads_ended()  # stopped for good: its thread ends, no retry can follow
                    assert ex.stats.sockets_opened == opened + 1 and recorder.events == []


def test_a_refused_key_on_futures_stops_at_the_user_id_read():
    with PaperExchange(orders=0, futures_orders=3) as ex, \
            client_for(ex, key=ApiKey("paper" + "1" * 28, "f" * 64)) as client:
        recorder = Recorder()
        stream = stream_for(client, [Market.FUTURES_USDT], recorder)
        with running(stream):
            stopped = recorder.wait_state(Market.FUTURES_USDT, StreamState.STOPPED)
            assert "API key" in stopped.reason and stopped.reason.endswith("The live stream stopped.")
            assert ex.stats.sockets_opened == 0


def test_a_server_without_websocket_is_followed_by_polling():
    with PaperExchange(orders=8, pairs=2, websocket=False) as ex, client_for(ex) as client:
        recorder = Recorder()
        stream = stream_for(client, [Market.SPOT], recorder, initial=load_orders(client, [Market.SPOT]))
        with running(stream):
            polling = recorder.wait_state(Market.SPOT, StreamState.POLLING)
            assert "no WebSocket (HTTP 404)" in polling.reason and "listed every 0.2 s" in polling.reason
            order = ex.book.place("BTC_USDT", "buy", Decimal("1"), Decimal("1"))
            assert recorder.wait_event(order.id, PUT).listed
            ex.book.fill(order.id, Decimal("0.25"))
            assert recorder.wait_event(order.id, UPDATE).order.left == Decimal("0.75")
            ex.book.cancel(order.id, "BTC_USDT")
            assert recorder.wait_event(order.id, FINISH).finish_as == "cancelled"  # looked up
            assert stream.statuses()[Market.SPOT].state is StreamState.POLLING


def test_polling_returns_to_the_socket_when_it_can():
    with PaperExchange(orders=3, websocket=False) as ex, client_for(ex) as client:
        recorder = Recorder()
        stream = stream_for(client, [Market.SPOT], recorder, settings=StreamSettings(
            backoff_s=(0.05,), poll_interval_s=0.1, socket_retry_s=0.3))
        with running(stream):
            recorder.wait_state(Market.SPOT, StreamState.POLLING)
            ex.sockets.enabled = True
            recorder.wait_state(Market.SPOT, StreamState.LIVE)
            order = ex.book.place("BTC_USDT", "buy", Decimal("1"), Decimal("1"))
            assert not recorder.wait_event(order.id, PUT).listed


def test_while_reconnecting_the_orders_are_listed_every_poll_interval():
    """A socket that cannot be reached (nothing listens there) is retried with a capped backoff; once the
    orders have gone unwatched for a poll interval they are listed every poll interval meanwhile."""
    with PaperExchange(orders=3) as ex, client_for(ex) as client:
        recorder = Recorder()
        settings = StreamSettings(ws_url="ws://127.0.0.1:9", backoff_s=(0.05, 1.0), poll_interval_s=0.1)
        stream = stream_for(client, [Market.SPOT], recorder, initial=load_orders(client, [Market.SPOT]),
                            settings=settings)
        with running(stream):
            wait_for(lambda: (s := recorder.state(Market.SPOT)) is not None and s.attempt >= 2)
            status = recorder.state(Market.SPOT)
            assert status.state is StreamState.RECONNECTING and "reconnecting in 1 s" in status.reason
            order = ex.book.place("BTC_USDT", "buy", Decimal("1"), Decimal("1"))
            put = recorder.wait_event(order.id, PUT, timeout_s=0.9)  # well before the next attempt
            assert put.listed


def test_a_listener_that_raises_is_logged_and_the_stream_goes_on(live_spot, caplog):
    ex, _, stream, recorder = live_spot
    conn = stream._streams[Market.SPOT]
    calls = []

    def fragile(events):
        calls.append(events)
        if len(calls) == 1:
            raise RuntimeError("a listener bug")
        recorder.on_events(events)

    conn._on_events = fragile
    first = ex.book.place("BTC_USDT", "buy", Decimal("1"), Decimal("1"))
    wait_for(lambda: calls)
    second = ex.book.place("BTC_USDT", "buy", Decimal("2"), Decimal("1"))
    recorder.wait_event(second.id, PUT)
    assert recorder.of(first.id) == [] and stream.statuses()[Market.SPOT].state is StreamState.LIVE
    assert any("listener failed" in r.getMessage() for r in caplog.records)


def test_stop_is_bounded_in_every_state():
    with PaperExchange(orders=3, websocket=False) as ex, client_for(ex) as client:
        recorder = Recorder()
        stream = stream_for(client, [Market.SPOT, Market.FUTURES_USDT], recorder)
        stream.start()
        recorder.wait_state(Market.SPOT, StreamState.POLLING)
        started = time.monotonic()
        stream.stop(timeout_s=2.0)
        assert time.monotonic() - started < 1.0
        assert {s.state for s in stream.statuses().values()} == {StreamState.STOPPED}
        assert not any(t.name.startswith("stream-") and t.is_alive() for t in threading.enumerate())
        counts = len(recorder.statuses), len(recorder.events)
        ex.book.place("BTC_USDT", "buy", Decimal("1"), Decimal("1"))
        time.sleep(0.3)
        assert (len(recorder.statuses), len(recorder.events)) == counts


def test_no_secret_reaches_a_log_line(caplog):
    caplog.set_level(logging.DEBUG)
    with PaperExchange(orders=3) as ex, client_for(ex) as client:
        recorder = Recorder()
        stream = stream_for(client, [Market.SPOT, Market.FUTURES_USDT], recorder)
        with running(stream):
            recorder.wait_state(Market.SPOT, StreamState.LIVE)
            recorder.wait_state(Market.FUTURES_USDT, StreamState.LIVE)
            ex.drop_sockets()
            recorder.wait_state(Market.SPOT, StreamState.RECONNECTING)
            recorder.wait_state(Market.SPOT, StreamState.LIVE)
        text = "\n".join(r.getMessage() for r in caplog.records)
        assert ex.main_key.secret not in text and ex.main_key.key not in text and '"SIGN"' not in text
        assert all(ex.main_key.secret not in s.reason for s in recorder.statuses)


# -- what finished while no socket carried it, and a dead exchange while polling -----------------------------


def assert_finished_with_the_records_numbers(recorder, filled, part_cancelled):
    finish = recorder.wait_event(filled.id, FINISH)
    assert finish.listed and finish.finish_as == "filled"
    assert finish.order.left == 0 and finish.order.filled_amount == filled.amount
    assert finish.order.id == filled.id and finish.order.instrument == filled.currency_pair
    finish = recorder.wait_event(part_cancelled.id, FINISH)
    assert finish.listed and finish.finish_as == "cancelled"
    assert finish.order.left == Decimal("3") and finish.order.filled_amount == Decimal("1")


def test_polling_reports_a_finish_with_the_numbers_of_its_record():
    """No WebSocket: an order filled between two listings is reported filled with left 0 and all of it
    filled (its record's numbers), not with the numbers it was last listed with; one partly filled and
    then cancelled, with what its record says was left."""
    with PaperExchange(orders=0, websocket=False) as ex, client_for(ex) as client:
        recorder = Recorder()
        stream = stream_for(client, [Market.SPOT], recorder)
        with running(stream):
            recorder.wait_state(Market.SPOT, StreamState.POLLING)
            filled = ex.book.place("BTC_USDT", "buy", Decimal("60000"), Decimal("3.1266"))
            part = ex.book.place("ETH_USDT", "sell", Decimal("3000"), Decimal("4"))
            recorder.wait_event(filled.id, PUT)
            recorder.wait_event(part.id, PUT)
            with ex.book.lock:  # both within one gap between listings
                ex.book.fill(filled.id)
                ex.book.fill(part.id, Decimal("1"))
                ex.book.cancel(part.id, "ETH_USDT")
            assert_finished_with_the_records_numbers(recorder, filled, part)


def test_a_reconnects_listing_reports_a_finish_with_the_numbers_of_its_record():
    with PaperExchange(orders=0) as ex, client_for(ex) as client:
        recorder = Recorder()
        settings = StreamSettings(backoff_s=(0.05,), poll_interval_s=30.0, socket_retry_s=0.5)
        stream = stream_for(client, [Market.SPOT], recorder, settings=settings)
        with running(stream):
            recorder.wait_state(Market.SPOT, StreamState.LIVE)
            filled = ex.book.place("BTC_USDT", "buy", Decimal("60000"), Decimal("3.1266"))
            part = ex.book.place("ETH_USDT", "sell", Decimal("3000"), Decimal("4"))
            recorder.wait_event(filled.id, PUT)
            recorder.wait_event(part.id, PUT)
            mark = len(recorder.statuses)
            ex.sockets.enabled = False
            ex.drop_sockets()
            recorder.wait_seen(Market.SPOT, StreamState.POLLING, mark)
            ex.book.fill(filled.id)
            ex.book.fill(part.id, Decimal("1"))
            ex.book.cancel(part.id, "ETH_USDT")
            ex.sockets.enabled = True
            recorder.wait_seen(Market.SPOT, StreamState.LIVE, mark)
            assert_finished_with_the_records_numbers(recorder, filled, part)
            assert [e.kind for e in recorder.of(filled.id)] == [PUT, FINISH]


def test_polling_says_at_once_when_the_orders_cannot_be_listed():
    """The exchange stops while the stream polls: the next listing's failure is said at once (not at the
    socket's next try a minute later), in the client's words, still polling and still saying why. (The
    asyncio server, not the threaded one: stopping it also ends the connections the client keeps open.)"""
    ex = PaperExchange(orders=3, websocket=False, network=NetworkShape(tls=False)).start()
    stopped = False
    try:
        with client_for(ex) as client:
            listings = counted(client, "/spot/open_orders")
            recorder = Recorder()
            stream = stream_for(client, [Market.SPOT], recorder, settings=StreamSettings(
                backoff_s=(0.05,), poll_interval_s=0.1, socket_retry_s=60.0))
            with running(stream):
                polling = recorder.wait_state(Market.SPOT, StreamState.POLLING)
                assert polling.reason.startswith("The server at this address has no WebSocket (HTTP 404): ")
                mark = len(recorder.statuses)
                ex.stop()
                stopped = True
                failing = recorder.wait_seen(Market.SPOT, StreamState.POLLING, mark, timeout_s=3.0)
                assert failing.reason.startswith("The orders could not be listed: Nothing answers at this address")
                assert failing.reason.endswith(polling.reason)  # still polling, and still saying why
                assert "Errno" not in failing.reason and "Error" not in failing.reason
                # said once, not at every failed listing: three more listings fail meanwhile
                tried = len(listings)
                wait_for(lambda: len(listings) >= tried + 3, timeout_s=10.0)
                assert sum(s.reason == failing.reason for s in recorder.statuses) == 1
    finally:
        if not stopped:
            ex.stop()


def test_a_listing_that_fails_then_works_again_while_polling_says_so():
    """The reason goes back once the orders can be listed again (an injected run of failures here)."""
    with PaperExchange(orders=3, websocket=False) as ex, client_for(ex) as client:
        recorder = Recorder()
        stream = stream_for(client, [Market.SPOT], recorder, settings=StreamSettings(
            backoff_s=(0.05,), poll_interval_s=0.1, socket_retry_s=60.0))
        with running(stream):
            polling = recorder.wait_state(Market.SPOT, StreamState.POLLING)
            mark = len(recorder.statuses)
            ex.plan("GET /spot/open_orders", repeat="busy_503")
            failing = recorder.wait_seen(Market.SPOT, StreamState.POLLING, mark, timeout_s=5.0)
            assert failing.reason.startswith("The orders could not be listed: ")
            ex.fault_plans.clear()
            mark = len(recorder.statuses)
            back = recorder.wait_seen(Market.SPOT, StreamState.POLLING, mark, timeout_s=5.0)
            assert back.reason == polling.reason


def test_polling_reports_a_futures_finish_with_the_numbers_of_its_record():
    with PaperExchange(orders=0, futures_orders=0, websocket=False) as ex, client_for(ex) as client:
        recorder = Recorder()
        stream = stream_for(client, [Market.FUTURES_USDT], recorder)
        with running(stream):
            recorder.wait_state(Market.FUTURES_USDT, StreamState.POLLING)
            filled = ex.futures.place("usdt", "BTC_USDT", -10, Decimal("64000.5"))
            key = f"{Market.FUTURES_USDT.value}:{filled.id}"
            recorder.wait_event(key, PUT)
            ex.futures.fill("usdt", filled.id)
            finish = recorder.wait_event(key, FINISH)
            assert finish.finish_as == "filled" and finish.order.left == 0 and finish.order.filled_amount == 10
            assert finish.order.market is Market.FUTURES_USDT and finish.order.side == "sell"
