"""The paper exchange's spot risk endpoints: price-triggered (stop) orders and the dead-man switch
(countdown cancel-all), each with the state it keeps apart from the order book."""

from __future__ import annotations

import json
import random
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from gatecancel_gui.paper.account import USER_ID
from gatecancel_gui.paper.book import REFERENCE_PRICES, Book
from gatecancel_gui.paper.errors import ApiError
from gatecancel_gui.paper.routing import Call, Reply, Router

FIRST_PRICE_ORDER_ID = 18_014_398_509_481_985  # past 2**53 too


@dataclass
class PriceOrder:
    id: int
    market: str
    trigger_price: Decimal
    rule: str
    side: str
    price: Decimal
    amount: Decimal
    ctime: int
    status: str = "open"   # open / cancelled / finish

    def as_api(self) -> dict[str, Any]:
        return {"id": self.id, "user": USER_ID, "market": self.market, "ctime": self.ctime, "ftime": 0,
                "fired_order_id": 0, "status": self.status, "reason": "",
                "trigger": {"price": str(self.trigger_price), "rule": self.rule, "expiration": 86400},
                "put": {"type": "limit", "side": self.side, "price": str(self.price), "amount": str(self.amount),
                        "account": "normal", "time_in_force": "gtc"}}


class PriceOrderBook:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.orders: dict[int, PriceOrder] = {}
        self._next = FIRST_PRICE_ORDER_ID

    def seed(self, count: int, pairs: list[str], seed: int = 11) -> None:
        rng = random.Random(seed)
        now = int(time.time())
        for n in range(count):
            market = pairs[n % len(pairs)] if pairs else "BTC_USDT"
            ref = Decimal(REFERENCE_PRICES.get(market, "1.5"))
            side = rng.choice(("buy", "sell"))
            trigger = (ref * Decimal("0.9") if side == "sell" else ref * Decimal("1.1")).quantize(Decimal("0.0001"))
            self.place(market, trigger, "<=" if side == "sell" else ">=", side, trigger,
                       (Decimal(100) / trigger).quantize(Decimal("0.0001")), now - 3600 + n)

    def place(self, market: str, trigger: Decimal, rule: str, side: str, price: Decimal, amount: Decimal,
              ctime: int | None = None) -> PriceOrder:
        with self.lock:
            order = PriceOrder(self._next, market, trigger, rule, side, price, amount, ctime or int(time.time()))
            self.orders[order.id] = order
            self._next += 1
            return order

    def open(self, market: str | None = None) -> list[PriceOrder]:
        with self.lock:
            return [o for o in self.orders.values() if o.status == "open" and (not market or o.market == market)]

    def cancel(self, order_id: int) -> PriceOrder:
        with self.lock:
            order = self.orders.get(order_id)
            if order is None or order.status != "open":
                raise ApiError(404, "ORDER_NOT_FOUND", "Order not found")
            order.status = "cancelled"
            return order


class CountdownTimers:
    """POST /spot/countdown_cancel_all: one timer per scope (a pair, or "" for all pairs)."""

    def __init__(self, book: Book, time_scale: float = 1.0) -> None:
        self.book = book
        self.time_scale = time_scale  # tests shrink the countdown; the reported trigger time shrinks alike
        self.fired_event = threading.Event()
        self.timers: dict[str, threading.Timer] = {}
        self.trigger_ms: dict[str, int] = {}
        self.fired: list[tuple[str, int]] = []   # (scope, orders cancelled)
        self.lock = threading.Lock()

    def arm(self, timeout_s: int, pair: str) -> int:
        with self.lock:
            old = self.timers.pop(pair, None)
            if old is not None:
                old.cancel()
            self.trigger_ms.pop(pair, None)
            if timeout_s == 0:
                return 0
            timer = threading.Timer(timeout_s * self.time_scale, self._fire, args=(pair,))
            timer.daemon = True
            self.timers[pair] = timer
            trigger = int((time.time() + timeout_s * self.time_scale) * 1000)
            self.trigger_ms[pair] = trigger
            timer.start()
            return trigger

    def _fire(self, pair: str) -> None:
        with self.lock:
            self.timers.pop(pair, None)
            self.trigger_ms.pop(pair, None)
        targets = self.book.open_orders(pair or None)
        for order in targets:
            self.book.cancel(order.id, order.currency_pair)
        self.fired.append((pair, len(targets)))
        self.fired_event.set()

    def stop(self) -> None:
        with self.lock:
            for timer in self.timers.values():
                timer.cancel()
            self.timers.clear()


class RiskEndpoints:
    """/spot/price_orders… and /spot/countdown_cancel_all."""

    def __init__(self, price_orders: PriceOrderBook, deadman: CountdownTimers) -> None:
        self.price_orders, self.deadman = price_orders, deadman

    def add_routes(self, router: Router) -> None:
        router.add("GET", "/spot/price_orders", self.list_price_orders)
        router.add("GET", "/spot/price_orders/{id}", self.get_price_order)
        router.add("DELETE", "/spot/price_orders/{id}", self.cancel_price_order)
        router.add("POST", "/spot/countdown_cancel_all", self.countdown)

    def list_price_orders(self, call: Call) -> Reply:
        if call.query.get("status", "open") != "open":
            raise ApiError(400, "INVALID_PARAM_VALUE", "the paper exchange lists open price orders only")
        limit, offset = call.limit_offset(100)
        orders = sorted(self.price_orders.open(call.query.get("market")), key=lambda o: o.id)
        return 200, [o.as_api() for o in orders[offset: offset + limit]]

    def cancel_price_order(self, call: Call) -> Reply:
        try:
            key = int(call.params["id"])
        except ValueError:
            raise ApiError(400, "INVALID_PARAM_VALUE", "order id must be a number") from None
        return 200, self.price_orders.cancel(key).as_api()

    def get_price_order(self, call: Call) -> Reply:
        order_id = call.params["id"]
        with self.price_orders.lock:
            order = self.price_orders.orders.get(int(order_id)) if order_id.isdigit() else None
        if order is None:
            raise ApiError(404, "ORDER_NOT_FOUND", "Order not found")
        return 200, order.as_api()

    def countdown(self, call: Call) -> Reply:
        try:
            data = json.loads(call.body or b"{}")
            timeout = int(data["timeout"])
        except (ValueError, KeyError, TypeError):
            raise ApiError(400, "INVALID_REQUEST_BODY", "body needs an integer timeout") from None
        if timeout != 0 and timeout < 5:
            raise ApiError(400, "INVALID_PARAM_VALUE", "timeout must be 0 or at least 5 seconds")
        trigger = self.deadman.arm(timeout, str(data.get("currency_pair") or ""))
        return 200, {"triggerTime": str(trigger)}
