"""`gatecancel orders --follow` (and `--watch` over the live stream): what each event prints as text and as
JSON, the stream's state as one sentence on stderr (never on stdout), only the markets asked for, and the
options that are refused before anything is sent."""

import argparse
import calendar
import contextlib
import io
import json
import queue
import threading
import time
from decimal import Decimal

import pytest

from gatecancel_gui.cli.follow import Printer, event_json, event_line, status_sentence, stream_settings, watch_line
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.store import credentials
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.core.store.profiles import Profile, ProfileStore
from gatecancel_gui.core.stream.events import EventKind, OrderEvent, StreamState, StreamStatus
from gatecancel_gui.paper import PaperExchange
from tests.cli.runner import key_env, piped_process, run_main
from tests.cli.test_cli_input import one_sentence, sent_nothing
from tests.cli.test_cli_risk import run_cli
from tests.processes import WINDOWS, send

AT = calendar.timegm((2024, 5, 6, 12, 34, 56, 0, 0, 0))  # 12:34:56 UTC


def order(market=Market.SPOT, left="0.5", status="open", **kw):
    instrument = "BTC_USDT" if market is Market.SPOT else "ETH_USD"
    return Order(id=kw.pop("id", "9007199254740993"), instrument=instrument, side=kw.pop("side", "buy"), type="limit",
                 price=Decimal("50000.1"), amount=Decimal("1"), left=Decimal(left),
                 filled_amount=Decimal(1) - Decimal(left), create_time_ms=1_700_000_000_000, text="t-bot",
                 status=status, market=market, **kw)


def event(kind, market=Market.SPOT, finish_as="open", listed=False, **kw):
    finished = kind is EventKind.FINISH
    return OrderEvent(kind, order(market, status="finished" if finished else "open", **kw), finish_as=finish_as,
                      listed=listed)


@pytest.mark.parametrize("ev, words", [
    (event(EventKind.PUT), ["12:34:56", "put", "spot", "BTC_USDT", "buy", "50000.1", "0.5", "9007199254740993"]),
    (event(EventKind.UPDATE, left="0.25"), ["update", "spot", "BTC_USDT", "0.25", "9007199254740993"]),
    (event(EventKind.FINISH, finish_as="filled", left="0"), ["finish", "spot", "BTC_USDT", "0", "filled"]),
    (event(EventKind.FINISH, finish_as="cancelled"), ["finish", "cancelled"]),
    (event(EventKind.FINISH, finish_as="", listed=True), ["finish", "finished while disconnected"]),
    (event(EventKind.PUT, listed=True), ["put", "(seen in a re-listing)"]),
    (event(EventKind.PUT, Market.FUTURES_USDT, side="sell"), ["put", "futures-usdt", "ETH_USD", "sell"]),
])
def test_a_text_line_says_when_what_where_and_how_it_finished(ev, words):
    line = event_line(ev, AT)
    assert "\n" not in line and line.startswith("12:34:56Z ")  # UTC, as the window shows times
    for word in words:
        assert word in line, (word, line)
    if not ev.finished:
        assert "filled" not in line and "cancelled" not in line


def test_text_lines_keep_the_listings_columns():
    """The columns after the market are the listing's (instrument, side, price, left, id), aligned."""
    put, finish = event_line(event(EventKind.PUT), AT), event_line(event(EventKind.FINISH, finish_as="ioc"), AT)
    assert put.index("BTC_USDT") == finish.index("BTC_USDT")
    assert put.index("9007199254740993") == finish.index("9007199254740993")
    assert put.split()[3:9] == ["BTC_USDT", "buy", "50000.1", "0.5", "9007199254740993", "t-bot"]


@pytest.mark.parametrize("ev, expected", [
    (event(EventKind.PUT), {"event": "put", "market": "spot", "currency_pair": "BTC_USDT", "status": "open",
                            "finish_as": "open", "listed": False, "side": "buy", "price": "50000.1", "left": "0.5"}),
    (event(EventKind.UPDATE, left="0.1"), {"event": "update", "status": "open", "left": "0.1"}),
    (event(EventKind.FINISH, finish_as="filled", left="0"), {"event": "finish", "status": "finished",
                                                             "finish_as": "filled", "left": "0"}),
    (event(EventKind.FINISH, finish_as="", listed=True), {"event": "finish", "finish_as": "", "listed": True}),
    (event(EventKind.PUT, listed=True), {"event": "put", "listed": True}),
    (event(EventKind.PUT, Market.FUTURES_BTC, reduce_only=True), {"market": "futures-btc", "contract": "ETH_USD",
                                                                  "reduce_only": True}),
])
def test_a_json_line_is_one_object_with_the_orders_fields_and_what_happened(ev, expected):
    line = event_json(ev, AT)
    assert "\n" not in line
    row = json.loads(line)
    for key, value in expected.items():
        assert row[key] == value, (key, row)
    assert row["id"] == "9007199254740993" and row["text"] == "t-bot" and row["time_ms"] == int(AT * 1000)
    assert ev.market.instrument_word in row
    assert ("currency_pair" in row) != ("contract" in row)


@pytest.mark.parametrize("ev, prefix", [
    (event(EventKind.PUT), "+ new  BTC_USDT"),
    (event(EventKind.PUT, listed=True), "+ new  BTC_USDT"),
    (event(EventKind.FINISH, finish_as="filled"), "- gone BTC_USDT"),
    (event(EventKind.FINISH, finish_as=""), "- gone BTC_USDT"),
    (event(EventKind.UPDATE), None),
])
def test_watch_prints_the_lines_it_always_printed(ev, prefix):
    line = watch_line(ev, AT)
    assert line == prefix if prefix is None else line.startswith(prefix)


@pytest.mark.parametrize("status, expected", [
    (StreamStatus(Market.SPOT, StreamState.LIVE), "spot: live"),
    (StreamStatus(Market.SPOT, StreamState.CONNECTING), "spot: connecting"),
    (StreamStatus(Market.SPOT, StreamState.RECONNECTING, attempt=2, reason="The connection was closed."),
     "spot: reconnecting (attempt 2): The connection was closed."),
    (StreamStatus(Market.FUTURES_USDT, StreamState.POLLING),
     "futures-usdt: no WebSocket here — polling every 2 s instead"),
    (StreamStatus(Market.SPOT, StreamState.POLLING, reason="No WebSocket (HTTP 404): listed every 2 s instead."),
     "spot: polling: No WebSocket (HTTP 404): listed every 2 s instead."),
    (StreamStatus(Market.SPOT, StreamState.STOPPED, reason="Gate refused the key: invalid key."),
     "spot: Gate refused the key: invalid key."),
    (StreamStatus(Market.SPOT, StreamState.STOPPED), "spot: stopped"),
])
def test_the_streams_state_is_one_sentence(status, expected):
    assert status_sentence(status, 2.0) == expected


def printer(markets=(Market.SPOT,), line=event_line):
    out, err = io.StringIO(), io.StringIO()
    return Printer(markets, line, out, err, poll_s=2.0, clock=lambda: AT), out, err


def test_events_go_to_stdout_states_to_stderr_and_other_markets_are_not_printed():
    p, out, err = printer()
    p.on_status(StreamStatus(Market.SPOT, StreamState.CONNECTING))
    p.on_status(StreamStatus(Market.SPOT, StreamState.LIVE))
    p.on_status(StreamStatus(Market.SPOT, StreamState.LIVE))  # no change: said once
    p.on_status(StreamStatus(Market.FUTURES_USDT, StreamState.LIVE))  # not asked for
    p.on_events([event(EventKind.PUT), event(EventKind.PUT, Market.FUTURES_USDT), event(EventKind.UPDATE)])
    assert [line.split()[1] for line in out.getvalue().splitlines()] == ["put", "update"]
    assert err.getvalue().splitlines() == ["gatecancel: spot: connecting", "gatecancel: spot: live"]
    assert not p.done.is_set() and not p.failure


def test_a_reconnect_is_said_per_attempt():
    p, _, err = printer()
    for attempt in (1, 2, 2):
        p.on_status(StreamStatus(Market.SPOT, StreamState.RECONNECTING, attempt=attempt, reason="Closed."))
    assert err.getvalue().count("reconnecting") == 2


def test_a_stream_that_stops_on_its_own_ends_the_follow_with_its_sentence():
    p, out, err = printer()
    p.on_status(StreamStatus(Market.SPOT, StreamState.STOPPED, reason="Gate refused the key (code 4)."))
    assert p.done.is_set() and p.failure == "spot: Gate refused the key (code 4)."
    assert err.getvalue() == "gatecancel: spot: Gate refused the key (code 4).\n" and out.getvalue() == ""


def test_the_stopped_statuses_of_our_own_stop_are_not_a_failure():
    p, _, err = printer()
    p.end()
    p.on_status(StreamStatus(Market.SPOT, StreamState.STOPPED, reason="stopped"))
    assert not p.done.is_set() and not p.failure and err.getvalue() == ""


def test_a_reader_that_leaves_ends_the_follow():
    from gatecancel_gui.cli.output import reader_safe

    class Closed(io.StringIO):
        def write(self, text):
            raise BrokenPipeError

    out = reader_safe(Closed())
    p = Printer([Market.SPOT], event_line, out, io.StringIO(), poll_s=2.0)
    p.on_events([event(EventKind.PUT)])
    assert p.done.is_set() and not p.failure


# -- options refused before anything is sent ---------------------------------------------------------


@pytest.fixture(scope="module")
def small():
    with PaperExchange(orders=10, pairs=2, fill_fraction=0.0) as ex:
        yield ex


def test_follow_and_watch_together_are_one_sentence(small):
    one_sentence(run_cli(small, "orders", "--follow", "--watch", "5"), "--watch", "--follow")
    assert sent_nothing(small)


@pytest.mark.parametrize("url", ["", "http://127.0.0.1:1", "ws://example.com/ws/v4/", "wss://", "wss://h:99999",
                                 "wss://user:pw@api.gateio.ws", "wss://api.gateio.ws/ws/v4/",
                                 "not a url"])
def test_a_bad_ws_url_is_one_sentence(small, url):
    result = run_cli(small, "orders", "--follow", "--ws-url", url)
    one_sentence(result, "--ws-url")
    assert result.stdout == ""


# -- as a real process against the paper exchange over loopback ----------------------------------------


class Lines:
    """A process's output read line by line on a thread, so that every wait for a line is bounded (a
    missing line fails the test, it never hangs it) and nothing sleeps."""

    def __init__(self, stream):
        self.seen: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, args=(stream,), daemon=True).start()

    def _read(self, stream):
        for line in stream:
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    def until(self, wanted, timeout_s=15.0):
        """The first line from here on that `wanted` accepts (a string: that the line contains it)."""
        test = (lambda line: wanted in line) if isinstance(wanted, str) else wanted
        deadline = time.monotonic() + timeout_s
        while True:
            try:
                line = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                raise AssertionError(f"no line for {wanted!r} in {timeout_s} s; seen: {self.seen[-20:]}") from None
            if line is None:
                raise AssertionError(f"the output ended before {wanted!r}; seen: {self.seen[-20:]}")
            self.seen.append(line)
            if test(line):
                return line

    def rest(self, timeout_s=15.0):
        """Every line left, once the process has ended (its output closes)."""
        with contextlib.suppress(AssertionError):
            self.until(lambda line: False, timeout_s)
        return self.seen


@contextlib.contextmanager
def following(ex, *args):
    """`gatecancel orders --follow ARGS` running against `ex`, its stdout and stderr read as lines; it has
    listed the orders and its stream is live (or polling) when the block starts."""
    with piped_process("orders", "--follow", *args, "--base-url", ex.base_url, env=key_env(ex.main_key)) as proc:
        out, err = Lines(proc.stdout), Lines(proc.stderr)
        out.until(lambda line: line.startswith("[") or " open order" in line)  # the listing's last line
        err.until(lambda line: ": live" in line or "polling" in line)
        yield proc, out, err


def ended(proc, name="SIGINT"):
    """Send the named signal (SIGINT: Ctrl+C, as tests/processes.py presses it on each OS); the exit status."""
    send(proc, name)
    return proc.wait(timeout=15)


def place(ex, amount="0.01"):
    return ex.book.place(ex.book.open_pairs()[0], "buy", Decimal("123.45"), Decimal(amount))


@pytest.fixture
def paper():
    with PaperExchange(orders=20, pairs=2, fill_fraction=0.0) as ex:
        yield ex


def test_orders_put_filled_and_cancelled_by_someone_else_are_printed_as_they_happen(paper):
    with following(paper) as (proc, out, err):
        placed = place(paper)
        line = out.until(placed.id)
        assert line.split()[1:3] == ["put", "spot"] and placed.currency_pair in line
        paper.book.fill(placed.id, Decimal("0.004"))
        assert out.until(placed.id).split()[1] == "update"
        paper.book.fill(placed.id)
        line = out.until(placed.id)
        assert line.split()[1] == "finish" and line.endswith("filled")
        victim = paper.book.open_orders()[0]
        cancelled = run_cli(paper, "cancel", "--ids", f"{victim.currency_pair}:{victim.id}", "--json")
        assert cancelled.returncode == 0, cancelled.stderr
        line = out.until(victim.id)
        assert line.split()[1] == "finish" and line.endswith("cancelled")
        assert ended(proc) == 0
        assert not [line for line in err.rest() if "Traceback" in line]


def test_json_lines_parse_and_carry_the_fields_and_sigterm_ends_it(paper):
    with following(paper, "--json") as (proc, out, err):
        listing = json.loads(out.seen[0])
        assert len(listing) == 20 and {"market", "currency_pair", "id"} <= set(listing[0])
        placed = place(paper)
        row = json.loads(out.until(placed.id))
        assert row["event"] == "put" and row["status"] == "open" and row["market"] == "spot"
        assert row["currency_pair"] == placed.currency_pair and row["id"] == placed.id and row["listed"] is False
        assert row["side"] == "buy" and row["price"] == "123.45" and row["left"] == "0.01" and "text" in row
        paper.book.cancel(placed.id, placed.currency_pair)
        row = json.loads(out.until(placed.id))
        assert row["event"] == "finish" and row["status"] == "finished" and row["finish_as"] == "cancelled"
        assert ended(proc, "SIGINT" if WINDOWS else "SIGTERM") == 0  # Windows: SIGTERM is a kill
        assert all(line.startswith("gatecancel: ") for line in err.rest())  # the stream's state: stderr only
        assert all(line.startswith(("[", "{")) for line in out.rest())  # stdout: JSON values only


def test_without_a_websocket_it_says_so_and_polls():
    with PaperExchange(orders=5, pairs=1, fill_fraction=0.0, websocket=False) as ex:
        with following(ex) as (proc, out, err):
            assert err.seen[-1].startswith("gatecancel: spot: polling: ") and "every 2 s" in err.seen[-1]
            placed = place(ex)
            assert out.until(placed.id).split()[1] == "put"
            assert ended(proc) == 0


def test_after_the_sockets_drop_it_reconnects_and_an_order_placed_in_the_gap_is_printed_once(paper):
    with following(paper) as (proc, out, err):
        paper.drop_sockets()
        err.until("reconnecting")
        in_gap = place(paper)
        err.until("spot: live")
        out.until(in_gap.id)
        marker = place(paper)  # pushed after the re-listing: every line about the first is out by then
        out.until(marker.id)
        assert sum(in_gap.id in line for line in out.seen) == 1
        assert ended(proc) == 0


def test_only_the_market_asked_for_is_followed():
    with PaperExchange(orders=5, pairs=1, futures_orders=5, fill_fraction=0.0) as ex:
        with following(ex, "--market", "futures-usdt") as (proc, out, err):
            place(ex)  # spot: not followed
            contract = ex.futures.open_orders("usdt")[0].contract
            placed = ex.futures.place("usdt", contract, 3, Decimal("100"))
            line = out.until(str(placed.id))
            assert line.split()[1:3] == ["put", "futures-usdt"]
            assert not any(" spot " in line for line in out.seen)
            assert not any(line.startswith("gatecancel: spot") for line in err.seen)
            assert ended(proc) == 0


def test_a_key_the_websocket_refuses_is_one_sentence_and_exit_2():
    with PaperExchange(orders=5, pairs=1, fill_fraction=0.0) as ex:
        ex.sockets.keys = {}  # the REST listing takes the key, the WebSocket's login (code 4) does not
        with piped_process("orders", "--follow", "--base-url", ex.base_url, env=key_env(ex.main_key)) as proc:
            out, err = proc.communicate(timeout=30)
    assert proc.returncode == 2 and "5 open orders" in out
    refusal = [line for line in err.splitlines() if "refused" in line]
    assert len(refusal) == 1 and refusal[0].startswith("gatecancel: spot: Gate's WebSocket refused the API key")
    assert "Traceback" not in err


def test_a_key_the_listing_refuses_is_the_commands_usual_sentence():
    with PaperExchange(orders=5, pairs=1) as ex:
        result = run_main("orders", "--follow", "--base-url", ex.base_url,
                          env={"GATE_API_KEY": "paper-nope", "GATE_API_SECRET": "nope"})
        one_sentence(result)
        assert result.stdout == ""


@pytest.mark.parametrize("websocket", [True, False])
def test_watch_prints_new_and_gone_live_or_by_listing_every_seconds(websocket):
    with PaperExchange(orders=6, pairs=1, fill_fraction=0.0, websocket=websocket) as ex:
        with piped_process("orders", "--watch", "3", "--base-url", ex.base_url, env=key_env(ex.main_key)) as proc:
            out, err = Lines(proc.stdout), Lines(proc.stderr)
            assert "6 open orders" in out.until("watching")
            assert "every 3 s" in err.until(lambda line: ": live" in line or "polling" in line) or websocket
            placed = place(ex)
            assert out.until(placed.id).startswith("+ new  ")
            ex.book.fill(placed.id, Decimal("0.001"))  # changed, still open: not a line
            ex.book.cancel(placed.id, placed.currency_pair)
            assert out.until(placed.id).startswith("- gone ")
            assert ended(proc) == 0
        assert sum(placed.id in line for line in out.seen) == 2


def test_a_reader_that_leaves_ends_the_follow_quietly(paper):
    """`gatecancel orders --follow | head -1`: the next event finds nobody reading; exit 0, nothing said."""
    with piped_process("orders", "--follow", "--base-url", paper.base_url, env=key_env(paper.main_key)) as proc:
        err = Lines(proc.stderr)
        assert proc.stdout.readline().startswith("Pair")
        err.until("spot: live")  # the listing is out: the next line is an event's
        proc.stdout.close()
        place(paper)
        assert proc.wait(timeout=15) == 0
        assert not [line for line in err.rest() if "Traceback" in line or "Broken" in line or "Exception" in line]


# -- where the WebSocket is: --ws-url, else the profile's ---------------------------------------------


def args_for(ws_url=None, profile=None):
    return argparse.Namespace(ws_url=ws_url, profile=profile)


def test_the_profiles_ws_url_is_used_unless_the_option_gives_one():
    ProfileStore().put(Profile("relay", ws_url="wss://relay.example.com:9443"))
    ProfileStore().put(Profile("plain"))
    assert stream_settings(args_for(profile="relay")).ws_url == "wss://relay.example.com:9443"
    assert stream_settings(args_for("wss://other.example.com", "relay")).ws_url == "wss://other.example.com"
    assert stream_settings(args_for(profile="plain")).ws_url == ""
    assert stream_settings(args_for()).ws_url == ""
    watch = stream_settings(args_for(profile="relay"), 7.0)
    assert watch.poll_interval_s == 7.0 and watch.ws_url == "wss://relay.example.com:9443"


def test_a_bad_ws_url_in_the_profile_is_one_sentence_before_anything_is_listed(mem_keyring, small):
    ProfileStore().put(Profile("relay", environment="custom", custom_url=small.base_url,
                               ws_url="ws://relay.example.com"))
    credentials.save("relay", Credentials(small.main_key.key, small.main_key.secret))
    result = run_main("orders", "--follow", "--profile", "relay")
    one_sentence(result, "Plain ws:// is only allowed to this computer")
    assert result.stdout == ""


@pytest.mark.slow
def test_a_busy_bot_through_repeated_drops_prints_each_order_once_and_how_it_ended():
    """A bot placing, filling and cancelling 40 orders a second while every socket is cut after 15 pushes:
    every order still open at the end was printed once as put and never as finished; every order printed
    as put and finished since was printed finished once, as the book says it ended (an order born and gone
    within one gap is never seen by anyone, Gate's own clients included)."""
    with PaperExchange(orders=5, pairs=1, fill_fraction=0.0) as ex:
        ex.ws_drop_after = 15
        with following(ex, "--json") as (proc, out, err):
            bot = ex.start_bot("ETH_USDT:40:2", fill_share=0.25, partial_share=0.2, cancel_share=0.25, seed=3)
            assert bot.finished.wait(15)
            ex.ws_drop_after = None
            for _ in range(2):  # the second is placed after the first is printed: every line before it is out
                marker = place(ex)
                out.until(marker.id)
            assert ended(proc) == 0
            assert sum("reconnecting" in line for line in err.rest()) >= 2
        rows = [json.loads(line) for line in out.seen[1:]]
        for order_id in bot.placed:
            mine = [r for r in rows if r["id"] == order_id]
            puts = [r for r in mine if r["event"] == "put"]
            finishes = [r for r in mine if r["event"] == "finish"]
            record = ex.book.orders[order_id]
            assert len(puts) <= 1 and len(finishes) <= 1, mine
            if record.status == "open":
                assert len(puts) == 1 and not finishes, mine
            elif puts:
                assert len(finishes) == 1 and finishes[0]["finish_as"] in (record.finish_as, ""), (mine, record)
