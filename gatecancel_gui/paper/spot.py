"""The paper exchange's spot order endpoints on its book: list (open, per pair, finished), get one,
cancel one, a batch, or all. What a cancel does to an order is the book's business, not theirs."""

from __future__ import annotations

import json
import threading
from typing import Any

from gatecancel_gui.paper.book import Book, PaperOrder
from gatecancel_gui.paper.errors import ApiError
from gatecancel_gui.paper.routing import Call, Reply, Router

MAX_BATCH = 20


class SpotOrders:
    def __init__(self, book: Book, cancel_all_delay_s: float) -> None:
        self.book = book
        self.cancel_all_delay_s = cancel_all_delay_s
        self.timers: list[threading.Timer] = []  # cancel-alls still to apply

    def add_routes(self, router: Router) -> None:
        router.add("GET", "/spot/open_orders", self.open_orders)
        router.add("GET", "/spot/orders", self.list_orders)
        router.add("GET", "/spot/orders/{id}", self.get_order)
        router.add("DELETE", "/spot/orders", self.cancel_all)
        router.add("DELETE", "/spot/orders/{id}", self.cancel_one)
        router.add("POST", "/spot/cancel_batch_orders", self.cancel_batch, batch=True)

    def stop(self) -> None:
        for timer in self.timers:
            timer.cancel()

    def open_orders(self, call: Call) -> Reply:
        page, limit = _paging(call.query)
        groups = []
        for pair in self.book.open_pairs():
            orders = _page_of(self.book.open_orders(pair), page, limit)
            if orders:
                groups.append({"currency_pair": pair, "total": len(orders),
                               "orders": [o.as_api() for o in orders]})
        return 200, groups

    def list_orders(self, call: Call) -> Reply:
        pair = call.query.get("currency_pair")
        if not pair:
            raise ApiError(400, "MISSING_REQUIRED_PARAM", "currency_pair is required when status is open")
        page, limit = _paging(call.query)
        status = call.query.get("status", "open")
        if status == "finished":
            return 200, self._finished_orders(pair, page, limit)
        if status != "open":
            raise ApiError(400, "INVALID_PARAM_VALUE", "status must be open or finished")
        return 200, [o.as_api() for o in _page_of(self.book.open_orders(pair), page, limit)]

    def _finished_orders(self, pair: str, page: int, limit: int) -> list[dict[str, Any]]:
        """Newest first: how a server-side cancel-all is confirmed."""
        with self.book.lock:
            done = [o for o in self.book.orders.values() if o.currency_pair == pair and o.status != "open"]
        done.sort(key=lambda o: (o.update_time_ms, int(o.id)), reverse=True)
        return [o.as_api() for o in done[(page - 1) * limit: page * limit]]

    def get_order(self, call: Call) -> Reply:
        pair = _pair_of(call)
        with self.book.lock:
            order = self.book.orders.get(call.params["id"])
            if order is None or order.currency_pair != pair:
                raise ApiError(404, "ORDER_NOT_FOUND", "Order not found")
            return 200, order.as_api()

    def cancel_one(self, call: Call) -> Reply:
        pair, order_id = _pair_of(call), call.params["id"]
        ok, label, message = self.book.cancel(order_id, pair)
        if not ok:
            raise ApiError(400 if label != "ORDER_NOT_FOUND" else 404, label, message)
        return 200, self.book.orders[order_id].as_api()

    def cancel_all(self, call: Call) -> Reply:
        pair, side = call.query.get("currency_pair"), call.query.get("side")
        if side not in (None, "", "buy", "sell"):
            raise ApiError(400, "INVALID_PARAM_VALUE", "side must be buy or sell")
        targets = [o for o in self.book.open_orders(pair or None) if not side or o.side == side]

        def apply() -> None:
            for order in targets:
                self.book.cancel(order.id, order.currency_pair)

        timer = threading.Timer(self.cancel_all_delay_s, apply)  # Gate answers before it is done
        timer.daemon = True
        self.timers.append(timer)
        timer.start()
        return 200, [o.as_api() for o in targets]

    def cancel_batch(self, call: Call) -> Reply:
        try:
            items = json.loads(call.body or b"null")
        except ValueError:
            raise ApiError(400, "INVALID_REQUEST_BODY", "request body is not valid JSON") from None
        if not isinstance(items, list) or not items:
            raise ApiError(400, "INVALID_REQUEST_BODY", "body must be a non-empty array")
        if len(items) > MAX_BATCH:
            raise ApiError(400, "INVALID_PARAM_VALUE", f"at most {MAX_BATCH} orders per request")
        results = []
        for item in items:
            if not isinstance(item, dict) or not item.get("id") or not item.get("currency_pair"):
                raise ApiError(400, "INVALID_PARAM_VALUE", "each item needs currency_pair and id")
            order_id, pair = str(item["id"]), str(item["currency_pair"])
            ok, label, message = self.book.cancel(order_id, pair)
            order = self.book.orders.get(order_id)
            results.append({"currency_pair": pair, "id": order_id, "text": order.text if order else "",
                            "succeeded": ok, "label": label, "message": message, "account": ""})
        return 200, results


def _pair_of(call: Call) -> str:
    pair = call.query.get("currency_pair")
    if not pair:
        raise ApiError(400, "MISSING_REQUIRED_PARAM", "currency_pair is required")
    return pair


def _paging(query: dict[str, str]) -> tuple[int, int]:
    try:
        page = int(query.get("page", "1"))
        limit = int(query.get("limit", "100"))
    except ValueError:
        raise ApiError(400, "INVALID_PARAM_VALUE", "page and limit must be integers") from None
    if page < 1 or not 1 <= limit <= 100:
        raise ApiError(400, "INVALID_PARAM_VALUE", "page must be >= 1 and limit 1..100")
    return page, limit


def _page_of(orders: list[PaperOrder], page: int, limit: int) -> list[PaperOrder]:
    orders = sorted(orders, key=lambda o: (o.create_time_ms, int(o.id)))
    return orders[(page - 1) * limit: page * limit]
