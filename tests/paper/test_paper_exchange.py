"""The paper exchange behaves like Gate where the app depends on it (raw HTTP, signed by the client's signer)."""

import json
import time

import httpx
import pytest

from gatecancel_gui.core.gate.signing import signed_headers
from gatecancel_gui.paper import Fault, PaperExchange


def call(ex, method, endpoint, query="", body=None, *, key=None, timestamp=None, extra=None):
    key = key or ex.main_key
    content = b"" if body is None else json.dumps(body).encode()
    path = "/api/v4" + endpoint
    stamp = timestamp or f"{time.time():.3f}"
    headers = signed_headers(key.key, key.secret, method, path, query, content, stamp)
    headers.update(extra or {})
    url = f"http://127.0.0.1:{ex.port}{path}" + (f"?{query}" if query else "")
    return httpx.request(method, url, content=content or None, headers=headers, timeout=5)


def test_missing_headers_and_bad_signatures_get_gates_labels(exchange):
    r = httpx.get(f"{exchange.base_url}/spot/open_orders")
    assert (r.status_code, r.json()["label"]) == (401, "MISSING_REQUIRED_HEADER")
    r = call(exchange, "GET", "/spot/open_orders", "page=1&limit=5", extra={"SIGN": "0" * 128})
    assert (r.status_code, r.json()["label"]) == (401, "INVALID_SIGNATURE")


def test_sixty_second_window_and_exptime(exchange):
    r = call(exchange, "GET", "/spot/open_orders", timestamp=f"{time.time() - 61:.3f}")
    assert (r.status_code, r.json()["label"]) == (401, "REQUEST_EXPIRED")
    assert "exceeds 60" in r.json()["message"]
    r = call(exchange, "GET", "/spot/open_orders", timestamp=f"{time.time() - 50:.3f}")
    assert r.status_code == 200
    r = call(exchange, "GET", "/spot/open_orders", extra={"x-gate-exptime": str(int(time.time() * 1000) - 1)})
    assert (r.status_code, r.json()["label"]) == (401, "REQUEST_EXPIRED")


def test_batch_limit_rate_headers_and_per_order_labels(exchange):
    orders = exchange.book.open_orders()
    body = [{"currency_pair": o.currency_pair, "id": o.id} for o in orders[:21]]
    r = call(exchange, "POST", "/spot/cancel_batch_orders", body=body)
    assert r.status_code == 400 and all(o.status == "open" for o in orders[:21])
    r = call(exchange, "POST", "/spot/cancel_batch_orders", body=[*body[:2], {"currency_pair": "BTC_USDT", "id": "7"}])
    results = r.json()
    expected = [not o.fills_on_cancel for o in orders[:2]]
    assert [x["succeeded"] for x in results[:2]] == expected
    assert results[2]["label"] == "ORDER_NOT_FOUND"
    for header in ("X-Gate-RateLimit-Requests-Remain", "X-Gate-RateLimit-Limit", "X-Gate-RateLimit-Reset-Timestamp"):
        assert header in r.headers  # httpx headers are case-insensitive


def test_cancel_rate_limit_answers_429_with_a_reset():
    with PaperExchange(orders=50, cancel_limit=2, cancel_window_s=1.0) as ex:
        body = [{"currency_pair": "BTC_USDT", "id": "1"}]
        statuses = [call(ex, "POST", "/spot/cancel_batch_orders", body=body) for _ in range(3)]
        assert [r.status_code for r in statuses] == [200, 200, 429]
        assert statuses[2].json()["label"] == "TOO_MANY_REQUESTS"
        assert float(statuses[2].headers["X-Gate-RateLimit-Reset-Timestamp"]) > time.time()


def test_open_orders_page_per_pair():
    with PaperExchange(orders=400, pairs=4, heavy_pairs=1) as ex:
        page1 = call(ex, "GET", "/spot/open_orders", "page=1&limit=100").json()
        page2 = call(ex, "GET", "/spot/open_orders", "page=2&limit=100").json()
        assert max(len(g["orders"]) for g in page1) == 100
        assert page2 and all(len(g["orders"]) <= 100 for g in page2)
        ids = [o["id"] for page in (page1, page2) for g in page for o in g["orders"]]
        assert len(ids) == len(set(ids))


def test_dropped_connection_still_applies_the_cancel(exchange):
    ex = exchange
    ex.plan("POST /spot/cancel_batch_orders", [Fault.DROP_AFTER_APPLY])
    order = next(o for o in ex.book.open_orders() if not o.fills_on_cancel)
    with pytest.raises(httpx.TransportError):
        call(ex, "POST", "/spot/cancel_batch_orders", body=[{"currency_pair": order.currency_pair, "id": order.id}])
    assert ex.book.status_of(order.id) == "cancelled"
