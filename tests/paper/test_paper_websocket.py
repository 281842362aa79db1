"""The paper exchange's WebSocket order channels, over real loopback sockets, read by a plain client
(websockets' own sync client, not the app's stream): subscriptions signed as Gate signs them, pings, and
every change of an order pushed in Gate's shapes, whoever made it."""

import contextlib
import hashlib
import hmac
import json
import socket
import ssl
import threading
import time
from decimal import Decimal

import httpx
import pytest
from websockets.exceptions import ConnectionClosedError, InvalidStatus
from websockets.sync.client import connect
from wsproto import ConnectionType, WSConnection
from wsproto.events import AcceptConnection, TextMessage
from wsproto.events import Request as WsOpen

from gatecancel_gui.core.gate.signing import signed_headers
from gatecancel_gui.paper import NetworkShape, PaperExchange, ws_plain
from gatecancel_gui.paper.account import USER_ID
from tests.paper.test_paper_exchange import call

WAIT_S = 5.0


def ws_sign(secret, channel, event, t):
    return hmac.new(secret.encode(), f"channel={channel}&event={event}&time={t}".encode(), hashlib.sha512).hexdigest()


def open_socket(ex, path="/ws/v4/", **kwargs):
    scheme = "wss" if ex.base_url.startswith("https") else "ws"
    if ex.ca_file:
        kwargs["ssl"] = ssl.create_default_context(cafile=ex.ca_file)
    kwargs.setdefault("max_queue", None)  # a client that reads no more still reads the close (no 1 s wait)
    return connect(f"{scheme}://127.0.0.1:{ex.port}{path}", open_timeout=WAIT_S, close_timeout=1, **kwargs)


def request(ws, channel, event="subscribe", payload=None, *, key=None, t=None, secret=None, rid=1):
    t = int(time.time()) if t is None else t
    message = {"time": t, "id": rid, "channel": channel, "event": event, "payload": payload or ["!all"]}
    if key is not None:
        message["auth"] = {"method": "api_key", "KEY": key.key,
                           "SIGN": ws_sign(secret or key.secret, channel, event, t)}
    ws.send(json.dumps(message))
    return receive(ws)


def receive(ws):
    return json.loads(ws.recv(timeout=WAIT_S))


def orders_of(ws):
    """The next notification's orders."""
    message = receive(ws)
    assert message["event"] == "update" and message["channel"].endswith(".orders"), message
    return message["result"]


@contextlib.contextmanager
def subscribed_spot(ex, payload=None):
    with open_socket(ex) as ws:
        answer = request(ws, "spot.orders", payload=payload, key=ex.main_key)
        assert answer["error"] is None and answer["result"] == {"status": "success"}, answer
        yield ws


def test_spot_subscribe_answers_success_and_echoes_the_id(exchange):
    with open_socket(exchange) as ws:
        answer = request(ws, "spot.orders", payload=["BTC_USDT"], key=exchange.main_key, rid=42)
        assert answer["id"] == 42 and answer["channel"] == "spot.orders" and answer["event"] == "subscribe"
        assert answer["error"] is None and answer["result"] == {"status": "success"}
        assert abs(answer["time"] - time.time()) < 5 and answer["time_ms"] // 1000 == answer["time"]
    assert exchange.sockets_opened == 1 and exchange.ws_subscriptions == 1


def test_ping_answers_pong_on_both_families(exchange):
    with open_socket(exchange) as ws:
        ws.send(json.dumps({"time": int(time.time()), "channel": "spot.ping"}))
        pong = receive(ws)
        assert pong["channel"] == "spot.pong" and pong["error"] is None
    with open_socket(exchange, "/v4/ws/usdt") as ws:
        ws.send(json.dumps({"time": int(time.time()), "channel": "futures.ping"}))
        assert receive(ws)["channel"] == "futures.pong"


def test_a_wrong_signature_or_an_unknown_key_is_refused_with_code_4(exchange):
    with open_socket(exchange) as ws:
        answer = request(ws, "spot.orders", key=exchange.main_key, secret="not-the-secret")
        assert answer["error"]["code"] == 4 and answer["result"] is None
        assert json.loads(answer["error"]["message"])["label"] == "INVALID_KEY"
        stranger = exchange.add_key()
        del exchange.keys[stranger.key]
        answer = request(ws, "spot.orders", key=stranger)
        assert answer["error"]["code"] == 4 and "INVALID_KEY" in answer["error"]["message"]
        ws.send(json.dumps({"time": int(time.time()), "channel": "spot.orders", "event": "subscribe",
                            "payload": ["!all"]}))
        assert receive(ws)["error"]["code"] == 4  # a private channel without auth
        exchange.book.place("BTC_USDT", "buy", Decimal(60000), Decimal(1))
        ws.send(json.dumps({"time": int(time.time()), "channel": "spot.ping"}))
        assert receive(ws)["channel"] == "spot.pong"  # nothing was pushed: no subscription was made


def test_a_time_more_than_60_s_off_the_servers_clock_is_refused(exchange):
    with open_socket(exchange) as ws:
        answer = request(ws, "spot.orders", key=exchange.main_key, t=int(time.time()) - 61)
        assert answer["error"]["code"] == 4 and "REQUEST_EXPIRED" in answer["error"]["message"]
        assert request(ws, "spot.orders", key=exchange.main_key, t=int(time.time()) - 50)["error"] is None
        exchange.clock_offset_s = 120.0  # the server's clock, not this machine's, is what counts
        assert request(ws, "spot.orders", key=exchange.main_key)["error"]["code"] == 4
        assert request(ws, "spot.orders", key=exchange.main_key, t=int(time.time()) + 120)["error"] is None


def test_bad_bodies_and_bad_arguments_get_codes_1_and_2(exchange):
    with open_socket(exchange) as ws:
        ws.send("not json")
        assert receive(ws)["error"]["code"] == 1
        ws.send(json.dumps([1, 2]))
        assert receive(ws)["error"]["code"] == 1
        assert request(ws, "spot.orders", payload=["btc-usdt"], key=exchange.main_key)["error"]["code"] == 2
        assert request(ws, "futures.orders", payload=[USER_ID, "!all"], key=exchange.main_key)["error"]["code"] == 2
        assert request(ws, "spot.orders", event="explode", key=exchange.main_key)["error"]["code"] == 2


def test_placed_partly_filled_filled_and_cancelled_orders_are_pushed_in_gates_shape(exchange):
    book = exchange.book
    with subscribed_spot(exchange) as ws:
        first = book.place("BTC_USDT", "buy", Decimal("60000"), Decimal("0.01"), text="t-ws")
        (put,) = orders_of(ws)
        assert put["event"] == "put" and put["id"] == first.id and put["text"] == "t-ws"
        assert put["finish_as"] == "open" and put["left"] == "0.01" and "status" not in put
        assert put["currency_pair"] == "BTC_USDT" and put["side"] == "buy" and put["account"] == "spot"
        assert put["update_time_ms"] == str(first.update_time_ms) and put["create_time_ms"].isdigit()
        book.fill(first.id, Decimal("0.004"))
        (update,) = orders_of(ws)
        assert update["event"] == "update" and update["left"] == "0.006" and update["finish_as"] == "open"
        book.fill(first.id)
        (filled,) = orders_of(ws)
        assert filled["event"] == "finish" and filled["finish_as"] == "filled" and Decimal(filled["left"]) == 0
        times = [int(o["update_time_ms"]) for o in (put, update, filled)]
        assert times == sorted(set(times)), times  # strictly increasing, never equal


def test_a_rest_cancel_pushes_a_finish_cancelled(exchange):
    order = next(o for o in exchange.book.open_orders() if not o.fills_on_cancel)
    with subscribed_spot(exchange, payload=[order.currency_pair]) as ws:
        before = order.update_time_ms
        r = call(exchange, "POST", "/spot/cancel_batch_orders",
                 body=[{"currency_pair": order.currency_pair, "id": order.id}])
        assert r.json()[0]["succeeded"]
        (finished,) = orders_of(ws)
        assert (finished["id"], finished["event"], finished["finish_as"]) == (order.id, "finish", "cancelled")
        assert int(finished["update_time_ms"]) > before


def test_only_the_subscribed_pairs_are_pushed(exchange):
    with subscribed_spot(exchange, payload=["ETH_USDT"]) as ws:
        exchange.book.place("BTC_USDT", "buy", Decimal(60000), Decimal(1))
        eth = exchange.book.place("ETH_USDT", "sell", Decimal(3200), Decimal(1))
        assert [o["id"] for o in orders_of(ws)] == [eth.id]
        assert request(ws, "spot.orders", "unsubscribe", ["ETH_USDT"], key=exchange.main_key)["error"] is None
        exchange.book.place("ETH_USDT", "sell", Decimal(3200), Decimal(1))
        ws.send(json.dumps({"time": int(time.time()), "channel": "spot.ping"}))
        assert receive(ws)["channel"] == "spot.pong"


def test_futures_orders_for_the_accounts_user_id(exchange):
    r = call(exchange, "GET", "/futures/usdt/accounts")
    assert r.status_code == 200 and r.json()["user"] == USER_ID and r.json()["currency"] == "USDT"
    futures = exchange.futures
    with open_socket(exchange, "/v4/ws/usdt") as ws:
        wrong = request(ws, "futures.orders", payload=[USER_ID + 1, "!all"], key=exchange.main_key)
        assert wrong["error"]["code"] == 2
        unknown = request(ws, "futures.orders", payload=[str(USER_ID), "NOPE_USDT"], key=exchange.main_key)
        assert unknown["error"]["code"] == 2 and "NOPE_USDT" in unknown["error"]["message"]
        ok = request(ws, "futures.orders", payload=[str(USER_ID), "BTC_USDT"], key=exchange.main_key)
        assert ok["error"] is None and ok["result"] == {"status": "success"}
        futures.place("usdt", "ETH_USDT", 5, Decimal(3000))  # another contract: not pushed
        futures.place("btc", "BTC_USD", 5, Decimal(60000))   # another settlement: not pushed
        order = futures.place("usdt", "BTC_USDT", -10, Decimal("65000.5"), text="t-fut")
        (put,) = orders_of(ws)
        assert put["id"] == order.id and isinstance(put["id"], int) and put["size"] == -10 and put["left"] == -10
        assert put["price"] == 65000.5 and put["status"] == "open" and put["finish_as"] == "open"
        assert put["finish_time"] == 0 and put["text"] == "t-fut" and put["is_reduce_only"] is False
        futures.fill("usdt", order.id, 4)
        (update,) = orders_of(ws)
        assert update["left"] == -6 and update["status"] == "open"
        r = call(exchange, "DELETE", f"/futures/usdt/orders/{order.id}")
        assert r.status_code == 200
        (finished,) = orders_of(ws)
        assert finished["status"] == "finished" and finished["finish_as"] == "cancelled" and finished["finish_time"]
        assert [put["update_id"], update["update_id"], finished["update_id"]] == [1, 2, 3]
        assert put["update_time"] < update["update_time"] < finished["update_time"]


def test_futures_sizes_are_strings_on_a_socket_opened_with_size_decimal(exchange):
    with open_socket(exchange, "/v4/ws/btc", additional_headers={"X-Gate-Size-Decimal": "1"}) as ws:
        assert request(ws, "futures.orders", payload=[USER_ID, "!all"], key=exchange.main_key)["error"] is None
        exchange.futures.place("btc", "BTC_USD", -3, Decimal(61000))
        (put,) = orders_of(ws)
        assert (put["size"], put["left"]) == ("-3", "-3")


def test_a_cancel_all_and_a_dead_man_switch_push_each_order_they_cancel():
    with PaperExchange(orders=0, countdown_scale=0.01) as ex:
        placed = [ex.book.place("SOL_USDT", "buy", Decimal(140), Decimal(1)) for _ in range(3)]
        with subscribed_spot(ex) as ws:
            r = call(ex, "DELETE", "/spot/orders", "currency_pair=SOL_USDT")
            assert r.status_code == 200
            finished = [orders_of(ws)[0] for _ in placed]
            assert sorted(o["id"] for o in finished) == sorted(o.id for o in placed)
            assert {o["finish_as"] for o in finished} == {"cancelled"}
            late = ex.book.place("SOL_USDT", "buy", Decimal(140), Decimal(1))
            assert orders_of(ws)[0]["event"] == "put"
            r = call(ex, "POST", "/spot/countdown_cancel_all", body={"timeout": 5, "currency_pair": "SOL_USDT"})
            assert r.status_code == 200
            (fired,) = orders_of(ws)
            assert (fired["id"], fired["finish_as"]) == (late.id, "cancelled")


def test_ws_drop_after_cuts_each_socket_after_n_notifications(exchange):
    exchange.ws_drop_after = 2
    with subscribed_spot(exchange) as ws:
        for _ in range(3):
            exchange.book.place("BTC_USDT", "buy", Decimal(60000), Decimal(1))
        assert len(orders_of(ws)) == 1 and len(orders_of(ws)) == 1
        with pytest.raises(ConnectionClosedError):
            ws.recv(timeout=WAIT_S)
    exchange.ws_drop_after = None
    with subscribed_spot(exchange) as ws:  # a new socket counts afresh, and a knob turned off is off
        for _ in range(3):
            exchange.book.place("BTC_USDT", "buy", Decimal(60000), Decimal(1))
        assert [len(orders_of(ws)) for _ in range(3)] == [1, 1, 1]


def test_drop_sockets_cuts_every_open_socket(exchange):
    with subscribed_spot(exchange) as spot, open_socket(exchange, "/v4/ws/usdt") as futures:
        assert request(futures, "futures.orders", payload=[USER_ID, "!all"], key=exchange.main_key)["error"] is None
        order = exchange.book.place("BTC_USDT", "buy", Decimal(60000), Decimal(1))
        exchange.drop_sockets()
        assert orders_of(spot)[0]["id"] == order.id  # what was pushed before the drop still arrives
        for ws in (spot, futures):
            with pytest.raises(ConnectionClosedError):
                ws.recv(timeout=WAIT_S)
    with subscribed_spot(exchange) as again:  # the exchange takes new sockets after a drop
        exchange.book.place("BTC_USDT", "buy", Decimal(60000), Decimal(1))
        assert orders_of(again)[0]["event"] == "put"


@pytest.mark.parametrize("path", ["/ws/v4/", "/v4/ws/usdt"])
def test_a_server_without_websocket_answers_404_to_the_upgrade(path):
    with PaperExchange(orders=5, websocket=False) as ex:
        with pytest.raises(InvalidStatus) as refused:
            with open_socket(ex, path):
                pass
        assert refused.value.response.status_code == 404
        assert call(ex, "GET", "/spot/open_orders").status_code == 200  # HTTP as before


def test_an_unknown_websocket_path_answers_404(exchange):
    with pytest.raises(InvalidStatus) as refused:
        with open_socket(exchange, "/ws/v3/"):
            pass
    assert refused.value.response.status_code == 404


@pytest.mark.parametrize("shape", [NetworkShape(tls=True), NetworkShape(tls=True, http2=False, rtt_ms=30),
                                   NetworkShape(tls=False, rtt_ms=10)], ids=["tls", "tls-http1-rtt", "plain-rtt"])
def test_the_network_shape_serves_the_same_sockets(shape):
    with PaperExchange(orders=10, futures_orders=4, network=shape) as ex:
        with subscribed_spot(ex) as ws:
            order = ex.book.place("BTC_USDT", "buy", Decimal(60000), Decimal(1))
            assert orders_of(ws)[0]["id"] == order.id
            r = httpx_cancel(ex, order)
            assert r.status_code == 200
            assert orders_of(ws)[0]["finish_as"] == "cancelled"
            ex.ws_drop_after = 1
            ex.book.place("BTC_USDT", "buy", Decimal(60000), Decimal(1))
            assert orders_of(ws)[0]["event"] == "put"
            with pytest.raises(ConnectionClosedError):
                ws.recv(timeout=WAIT_S)
        with pytest.raises(InvalidStatus):
            with open_socket(ex, "/nowhere"):
                pass


def httpx_cancel(ex, order):
    """A signed REST cancel over the exchange's own scheme (its CA trusted)."""
    path = "/api/v4/spot/cancel_batch_orders"
    body = json.dumps([{"currency_pair": order.currency_pair, "id": order.id}]).encode()
    key = ex.main_key
    headers = signed_headers(key.key, key.secret, "POST", path, "", body, f"{time.time():.3f}")
    base = ex.base_url.removesuffix("/api/v4")
    with httpx.Client(verify=ssl.create_default_context(cafile=ex.ca_file) if ex.ca_file else True) as client:
        return client.post(base + path, content=body, headers=headers, timeout=WAIT_S)


def test_a_client_that_stops_reading_is_cut_and_never_holds_up_the_book(monkeypatch):
    """Its socket's buffers fill, then its queue: the socket is cut, and every change meanwhile went on."""
    monkeypatch.setattr(ws_plain, "MAX_QUEUED", 200)
    with PaperExchange(orders=0) as ex:
        client = WSConnection(ConnectionType.CLIENT)
        with socket.socket() as raw:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window, read by nobody
            raw.connect(("127.0.0.1", ex.port))
            raw.settimeout(WAIT_S)
            raw.sendall(client.send(WsOpen(host="127.0.0.1", target="/ws/v4/")))
            while not any(isinstance(e, AcceptConnection) for e in client.events()):
                client.receive_data(raw.recv(4096))
            t = int(time.time())
            subscribe = {"time": t, "channel": "spot.orders", "event": "subscribe", "payload": ["!all"],
                         "auth": {"method": "api_key", "KEY": ex.main_key.key,
                                  "SIGN": ws_sign(ex.main_key.secret, "spot.orders", "subscribe", t)}}
            raw.sendall(client.send(TextMessage(json.dumps(subscribe))))
            assert wait_until(lambda: ex.ws_subscriptions == 1)
            placed = 0
            while ex.sockets.peers["spot"] and placed < 60_000:
                ex.book.place("BTC_USDT", "buy", Decimal(60000), Decimal(1))
                placed += 1
            assert not ex.sockets.peers["spot"], "the socket that reads nothing was never cut"
            assert len(ex.book.open_orders()) == placed


def wait_until(condition):
    """A bounded wait on a condition another thread makes true."""
    tick = threading.Event()
    for _ in range(int(WAIT_S / 0.01)):
        if condition():
            return True
        tick.wait(0.01)
    return condition()
