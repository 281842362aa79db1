"""What goes over Gate's WebSocket, as a table: signed requests out; spot and futures notifications,
acknowledgements and refusals in. The signature is checked against an HMAC computed here, independently."""

import hashlib
import hmac
import json
from decimal import Decimal

import pytest

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.gate.signing import channel_sign
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.core.stream.events import EventKind
from gatecancel_gui.core.stream.messages import ReplyKind, ping_request, read_message, subscribe_request

CREDS = Credentials("k" * 32, "s" * 64)
BIG_FUTURES_ID = 58_546_000_000_000_001  # past 2**53: a float would corrupt it


def expected_sign(secret: str, channel: str, event: str, t: int) -> str:
    message = f"channel={channel}&event={event}&time={t}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha512).hexdigest()


@pytest.mark.parametrize(("market", "channel", "payload"), [
    (Market.SPOT, "spot.orders", ["!all"]),
    (Market.FUTURES_USDT, "futures.orders", ["123456", "!all"]),
    (Market.FUTURES_BTC, "futures.orders", ["123456", "!all"]),
])
def test_subscribe_request_is_signed_over_channel_event_and_time(market, channel, payload):
    request = subscribe_request(market, CREDS, 1_700_000_000, 7, user_id="123456")
    assert request == {"time": 1_700_000_000, "id": 7, "channel": channel, "event": "subscribe", "payload": payload,
                       "auth": {"method": "api_key", "KEY": CREDS.key,
                                "SIGN": expected_sign(CREDS.secret, channel, "subscribe", 1_700_000_000)}}
    assert CREDS.secret not in json.dumps(request)


def test_channel_sign_matches_an_independent_hmac():
    assert channel_sign("secret", "spot.orders", "subscribe", 1) == expected_sign("secret", "spot.orders",
                                                                                  "subscribe", 1)
    assert channel_sign("secret", "spot.orders", "subscribe", 1) != channel_sign("secret", "spot.orders",
                                                                                 "subscribe", 2)


@pytest.mark.parametrize(("market", "channel"), [(Market.SPOT, "spot.ping"), (Market.FUTURES_USDT, "futures.ping")])
def test_ping(market, channel):
    assert ping_request(market, 5) == {"time": 5, "channel": channel}


def spot_item(**fields):
    item = {"id": "399123456", "text": "t-x", "create_time": "1694655225", "update_time": "1694655225",
            "currency_pair": "BTC_USDT", "type": "limit", "account": "spot", "side": "sell", "amount": "0.5",
            "price": "26253.3", "left": "0.5", "filled_total": "0", "create_time_ms": "1694655225315",
            "update_time_ms": "1694655225315", "event": "put", "finish_as": "open"}
    item.update(fields)
    return item


def notification(channel, *items):
    return json.dumps({"time": 1, "time_ms": 1000, "channel": channel, "event": "update", "result": list(items)})


@pytest.mark.parametrize(("fields", "kind", "finish_as", "left", "filled", "status"), [
    ({}, EventKind.PUT, "open", "0.5", "0", "open"),
    ({"event": "update", "left": "0.2", "update_time_ms": "1694655226000"}, EventKind.UPDATE, "open", "0.2", "0.3",
     "open"),
    ({"event": "finish", "left": "0", "finish_as": "filled"}, EventKind.FINISH, "filled", "0", "0.5", "finished"),
    ({"event": "finish", "finish_as": "cancelled"}, EventKind.FINISH, "cancelled", "0.5", "0", "finished"),
    ({"event": "finish", "finish_as": "stp"}, EventKind.FINISH, "stp", "0.5", "0", "finished"),
    ({"event": "", "finish_as": "ioc"}, EventKind.FINISH, "ioc", "0.5", "0", "finished"),  # no word: finish_as says
    ({"event": "update", "left": "0.1", "filled_amount": "0.4"}, EventKind.UPDATE, "open", "0.1", "0.4", "open"),
])
def test_spot_items(fields, kind, finish_as, left, filled, status):
    reply = read_message(notification("spot.orders", spot_item(**fields)), Market.SPOT)
    assert reply.kind is ReplyKind.ORDERS
    (event,) = reply.events
    assert (event.kind, event.finish_as) == (kind, finish_as)
    order = event.order
    assert (order.id, order.instrument, order.side, order.market) == ("399123456", "BTC_USDT", "sell", Market.SPOT)
    assert (order.left, order.filled_amount, order.status) == (Decimal(left), Decimal(filled), status)
    assert order.amount == Decimal("0.5") and order.price == Decimal("26253.3")
    assert event.version == int(fields.get("update_time_ms", "1694655225315")) and not event.listed
    assert order.create_time_ms == 1694655225315


def test_a_spot_notification_carries_several_orders_in_order():
    reply = read_message(notification("spot.orders", spot_item(id="1"), spot_item(id="2", event="finish",
                                                                                   finish_as="cancelled")),
                         Market.SPOT)
    assert [(e.order.id, e.kind) for e in reply.events] == [("1", EventKind.PUT), ("2", EventKind.FINISH)]


def futures_item(**fields):
    item = {"contract": "BTC_USDT", "create_time": 1628736847, "create_time_ms": 1628736847325, "fill_price": 0,
            "finish_as": "open", "finish_time": 0, "iceberg": 0, "id": BIG_FUTURES_ID, "is_close": False,
            "is_liq": False, "is_reduce_only": False, "left": -10, "mkfr": -0.00025, "price": 40000.4, "size": -10,
            "status": "open", "text": "-", "tif": "gtc", "tkfr": 0.0005, "user": "110", "update_id": 1,
            "update_time": 1628736847325}
    item.update(fields)
    return item


@pytest.mark.parametrize(("fields", "kind", "finish_as", "left", "filled", "version"), [
    ({}, EventKind.PUT, "open", 10, 0, 1),
    ({"left": -4, "update_id": 2}, EventKind.UPDATE, "open", 4, 6, 2),
    ({"size": "-10", "left": "-4", "update_id": 3}, EventKind.UPDATE, "open", 4, 6, 3),       # sizes as strings
    ({"size": "-10.5", "left": "-10.5"}, EventKind.PUT, "open", Decimal("10.5"), 0, 1),     # decimal sizes
    ({"status": "finished", "finish_as": "filled", "left": 0, "update_id": 4}, EventKind.FINISH, "filled", 0, 10, 4),
    ({"status": "finished", "finish_as": "cancelled", "update_id": 5}, EventKind.FINISH, "cancelled", 10, 0, 5),
    ({"status": "finished", "finish_as": "reduce_only"}, EventKind.FINISH, "reduce_only", 10, 0, 1),
    ({"update_id": None}, EventKind.PUT, "open", 10, 0, 1628736847325),   # no update_id: update_time
    ({"update_id": None, "update_time": None}, EventKind.PUT, "open", 10, 0, 0),
])
def test_futures_items(fields, kind, finish_as, left, filled, version):
    reply = read_message(notification("futures.orders", futures_item(**fields)), Market.FUTURES_USDT)
    (event,) = reply.events
    order = event.order
    assert (event.kind, event.finish_as, event.version) == (kind, finish_as, version)
    assert order.id == str(BIG_FUTURES_ID) and order.market is Market.FUTURES_USDT and order.side == "sell"
    assert (order.left, order.filled_amount) == (Decimal(left), Decimal(filled))
    assert order.price == Decimal("40000.4")  # exact: the JSON number is never a float
    assert order.status == ("finished" if kind is EventKind.FINISH else "open")
    assert order.key == f"futures-usdt:{BIG_FUTURES_ID}"


def test_a_futures_buy_and_the_btc_settlement():
    reply = read_message(notification("futures.orders", futures_item(size=3, left=3, contract="BTC_USD")),
                         Market.FUTURES_BTC)
    (event,) = reply.events
    assert (event.order.side, event.order.amount, event.order.market) == ("buy", 3, Market.FUTURES_BTC)


def test_subscribe_answers():
    ok = {"time": 1, "id": 7, "channel": "spot.orders", "event": "subscribe", "error": None,
          "result": {"status": "success"}}
    reply = read_message(json.dumps(ok), Market.SPOT)
    assert (reply.kind, reply.request_id) == (ReplyKind.SUBSCRIBED, 7)


@pytest.mark.parametrize(("error", "code", "words"), [
    ({"code": 4, "message": '{"label":"INVALID_KEY","message":"Invalid key provided"}'}, 4,
     "Gate's WebSocket refused the API key (INVALID_KEY): Invalid key provided"),
    ({"code": 4, "message": "Signature mismatch"}, 4, "Gate's WebSocket refused the API key: Signature mismatch"),
    ({"code": 4, "message": ""}, 4, "Gate's WebSocket refused the API key: check the key and the secret"),
    ({"code": 2, "message": "unknown contract FOO"}, 2,
     "Gate's WebSocket refused the subscription (error 2): unknown contract FOO"),
])
def test_refusals_are_one_sentence(error, code, words):
    answer = {"time": 1, "id": 7, "channel": "spot.orders", "event": "subscribe", "error": error, "result": None}
    reply = read_message(json.dumps(answer), Market.SPOT)
    assert (reply.kind, reply.code) == (ReplyKind.REFUSED, code)
    assert reply.sentence.startswith(words) and reply.sentence.endswith(".") and "\n" not in reply.sentence


def test_a_refusal_never_repeats_a_signature():
    sign = "ab" * 64
    answer = {"channel": "spot.orders", "event": "subscribe", "error": {"code": 4, "message": f"bad SIGN {sign}"}}
    assert sign not in read_message(json.dumps(answer), Market.SPOT).sentence


@pytest.mark.parametrize("text", [
    '{"time": 1, "channel": "spot.pong", "event": "", "result": null}',
    '{"time": 1, "channel": "futures.pong", "event": "", "result": null}',
])
def test_pong(text):
    assert read_message(text, Market.SPOT).kind is ReplyKind.PONG


@pytest.mark.parametrize(("text", "market"), [
    ("not json", Market.SPOT),
    ("[1, 2]", Market.SPOT),
    (notification("spot.trades", {"id": 1}), Market.SPOT),
    (notification("spot.orders", spot_item()), Market.FUTURES_USDT),  # another market's channel
    (json.dumps({"channel": "spot.orders", "event": "update", "result": {"id": "1"}}), Market.SPOT),
    (json.dumps({"channel": "spot.orders", "event": "unsubscribe", "result": {"status": "success"}}), Market.SPOT),
])
def test_anything_else_is_other(text, market):
    reply = read_message(text, market)
    assert reply.kind is ReplyKind.OTHER and reply.events == []


def test_items_without_an_id_are_skipped():
    reply = read_message(notification("spot.orders", {"event": "put"}, spot_item(), "junk"), Market.SPOT)
    assert [e.order.id for e in reply.events] == ["399123456"]
