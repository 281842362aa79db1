"""`gatecancel orders --follow` (and `--watch` over the live stream): what each event prints as text and as
JSON, the stream's state as one sentence on stderr (never on stdout), only the markets asked for, and the
options that are refused before anything is sent."""

import io
import json
import time
from decimal import Decimal

import pytest

from gatecancel_gui.cli.follow import Printer, event_json, event_line, status_sentence, watch_line
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.stream.events import EventKind, OrderEvent, StreamState, StreamStatus
from gatecancel_gui.paper import PaperExchange
from tests.cli.test_cli_input import one_sentence, sent_nothing
from tests.cli.test_cli_risk import run_cli

AT = time.mktime((2024, 5, 6, 12, 34, 56, 0, 0, -1))  # 12:34:56 local time


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
    assert "\n" not in line and line.startswith("12:34:56 ")
    for word in words:
        assert word in line, (word, line)
    if not ev.finished:
        assert "filled" not in line and "cancelled" not in line


def test_text_lines_keep_the_listings_columns():
    """The columns after the market are the listing's (instrument, side, price, left, id), aligned."""
    put, finish = event_line(event(EventKind.PUT), AT), event_line(event(EventKind.FINISH, finish_as="ioc"), AT)
    assert put.index("BTC_USDT") == finish.index("BTC_USDT")
    assert put.index("9007199254740993") == finish.index("9007199254740993")
    assert put.split()[3:8] == ["BTC_USDT", "buy", "50000.1", "0.5", "9007199254740993"]


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
