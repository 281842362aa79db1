"""The paper exchange's perpetual futures, settled in USDT or BTC, in Gate's shapes: integer ids (past
2**53), sizes as signed contract counts (negative sells), a batch cancel whose body is a list of id
strings, cancel-all per contract, a countdown per settlement, and price-triggered orders. Every change of
an order is told to the book's listeners (as the spot book does), for the WebSocket."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypeVar

from gatecancel_gui.paper.account import USER_ID
from gatecancel_gui.paper.errors import ApiError
from gatecancel_gui.paper.routing import Call, Reply, Router

T = TypeVar("T", "FuturesOrder", "FuturesPriceOrder")
SETTLES = ("usdt", "btc")
FIRST_FUTURES_ID = 58_546_000_000_000_001  # integers past 2**53: a float or a JS number would corrupt them
FIRST_FUTURES_PRICE_ID = 36_028_797_018_963_969
MAX_BATCH = 20
CONTRACTS = {
    "usdt": {"BTC_USDT": "64000", "ETH_USDT": "3100", "SOL_USDT": "145", "DOGE_USDT": "0.12", "XRP_USDT": "0.52",
             "ADA_USDT": "0.45", "LTC_USDT": "82", "LINK_USDT": "14.2"},
    "btc": {"BTC_USD": "64000", "ETH_USD": "3100"},
}
MULTIPLIERS = {"BTC_USDT": "0.0001", "ETH_USDT": "0.01", "SOL_USDT": "1", "DOGE_USDT": "10", "XRP_USDT": "10",
               "ADA_USDT": "10", "LTC_USDT": "0.1", "LINK_USDT": "1", "BTC_USD": "1", "ETH_USD": "1"}


@dataclass
class FuturesOrder:
    id: int
    settle: str
    contract: str
    size: int               # signed: negative sells
    price: Decimal
    create_time: float      # seconds
    text: str = "web"
    left: int = 0           # signed like size
    status: str = "open"    # open / finished
    finish_as: str = "_new"
    is_reduce_only: bool = False
    is_close: bool = False
    tif: str = "gtc"
    fills_on_cancel: bool = False
    finish_time: float = 0.0
    update_id: int = 1      # one more at every change
    update_time_ms: int = 0

    def as_api(self) -> dict[str, Any]:
        return {"id": self.id, "user": USER_ID, "contract": self.contract, "create_time": self.create_time,
                "finish_time": self.finish_time or None, "finish_as": self.finish_as if self.status != "open" else None,
                "status": self.status, "size": self.size, "iceberg": 0, "price": str(self.price),
                "close": self.is_close, "is_close": self.is_close, "reduce_only": self.is_reduce_only,
                "is_reduce_only": self.is_reduce_only, "is_liq": False, "tif": self.tif, "left": self.left,
                "fill_price": "0", "text": self.text, "tkfr": "0.0005", "mkfr": "0.0002", "refu": 0,
                "stp_act": "-", "amend_text": "-"}


@dataclass
class FuturesPriceOrder:
    """A price-triggered futures order: `initial` is the order placed when the trigger fires."""

    id: int
    settle: str
    contract: str
    size: int
    price: Decimal
    trigger: Decimal
    rule: int               # 1: price >= trigger, 2: price <= trigger
    create_time: float
    status: str = "open"    # open / finished
    finish_as: str = ""     # cancelled / succeeded (fired) …

    def as_api(self) -> dict[str, Any]:
        return {"id": self.id, "user": USER_ID, "status": self.status, "finish_as": self.finish_as or None,
                "reason": f"{self.finish_as} by the paper exchange" if self.finish_as else "",
                "create_time": self.create_time, "finish_time": None, "trade_id": 0, "order_type": "",
                "initial": {"contract": self.contract, "size": self.size, "price": str(self.price), "tif": "gtc",
                            "text": "web", "close": False, "reduce_only": False, "is_reduce_only": False,
                            "is_close": False, "iceberg": 0},
                "trigger": {"strategy_type": 0, "price_type": 0, "price": str(self.trigger), "rule": self.rule,
                            "expiration": 0}}


# (event, order) after every change, under the book's lock: "put", "update" (partly filled) or "finish"
FuturesListener = Callable[[str, FuturesOrder], None]


class FuturesBook:
    """Every futures order ever placed, both settlements, under one lock."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.listeners: list[FuturesListener] = []
        self.orders: dict[tuple[str, int], FuturesOrder] = {}
        self.price_orders: dict[tuple[str, int], FuturesPriceOrder] = {}
        self._next_id = FIRST_FUTURES_ID
        self._next_price_id = FIRST_FUTURES_PRICE_ID

    def place_price_order(self, settle: str, contract: str, size: int, price: Decimal, trigger: Decimal,
                          rule: int) -> FuturesPriceOrder:
        with self.lock:
            order = FuturesPriceOrder(self._next_price_id, settle, contract, size, price, trigger, rule, time.time())
            self._next_price_id += 1
            self.price_orders[(settle, order.id)] = order
            return order

    def open_price_orders(self, settle: str, contract: str | None = None) -> list[FuturesPriceOrder]:
        return self._open(self.price_orders, settle, contract)

    def price_order(self, settle: str, order_id: str) -> FuturesPriceOrder | None:
        return self._find(self.price_orders, settle, order_id)

    def _open(self, book: dict[tuple[str, int], T], settle: str, contract: str | None) -> list[T]:
        """The open ones of a settlement (one contract, or all), oldest id first."""
        with self.lock:
            return sorted((o for o in book.values() if o.settle == settle and o.status == "open"
                           and (contract is None or o.contract == contract)), key=lambda o: o.id)

    def _find(self, book: dict[tuple[str, int], T], settle: str, order_id: str) -> T | None:
        try:
            key = (settle, int(order_id))
        except ValueError:
            return None
        with self.lock:
            return book.get(key)

    def place(self, settle: str, contract: str, size: int, price: Decimal, *, text: str = "web",
              reduce_only: bool = False, fills_on_cancel: bool = False, left: int | None = None,
              create_time: float | None = None) -> FuturesOrder:
        with self.lock:
            created = create_time or time.time()
            order = FuturesOrder(self._next_id, settle, contract, size, price, created, text,
                                 size if left is None else left, is_reduce_only=reduce_only,
                                 fills_on_cancel=fills_on_cancel, update_time_ms=int(created * 1000))
            self._next_id += 1
            self.orders[(settle, order.id)] = order
            self._changed("put", order)
            return order

    def _changed(self, event: str, order: FuturesOrder) -> None:
        for listener in self.listeners:
            listener(event, order)

    def open_orders(self, settle: str, contract: str | None = None) -> list[FuturesOrder]:
        return self._open(self.orders, settle, contract)

    def get(self, settle: str, order_id: str) -> FuturesOrder | None:
        return self._find(self.orders, settle, order_id)

    def cancel(self, settle: str, order_id: str) -> tuple[bool, str, str]:
        """(succeeded, label, message) as Gate's futures batch answer says it."""
        with self.lock:
            order = self.get(settle, order_id)
            if order is None:
                return False, "ORDER_NOT_FOUND", "order not found"
            if order.status == "open" and order.fills_on_cancel:
                self._finish(order, "filled")
            if order.status != "open":
                return False, "ORDER_FINISHED", f"order finished as {order.finish_as}"
            self._finish(order, "cancelled")
            return True, "", ""

    def fill(self, settle: str, order_id: int, size: int | None = None) -> None:
        """Fill an open order: all of what is left, or `size` contracts of it (an update while some is left)."""
        with self.lock:
            order = self.orders[(settle, order_id)]
            if order.status != "open":
                return
            if size is None or abs(size) >= abs(order.left):
                self._finish(order, "filled")
                return
            order.left -= abs(size) if order.left > 0 else -abs(size)
            _touch(order)
            self._changed("update", order)

    def status_of(self, settle: str, order_id: str) -> tuple[str, str] | None:
        order = self.get(settle, order_id)
        return (order.status, order.finish_as) if order else None

    def _finish(self, order: FuturesOrder, finish_as: str) -> None:
        order.status, order.finish_as, order.finish_time = "finished", finish_as, time.time()
        if finish_as == "filled":
            order.left = 0
        _touch(order)
        self._changed("finish", order)


def _touch(order: FuturesOrder) -> None:
    """A change: the next update id, and a time later than the order's last (a client orders events by them)."""
    order.update_id += 1
    order.update_time_ms = max(int(time.time() * 1000), order.update_time_ms + 1)


def seed_futures(book: FuturesBook, *, orders: int, fill_fraction: float = 0.03, seed: int = 11,
                 price_orders: int = 0) -> None:
    """`orders` open orders over every contract of both settlements, three in four on USDT, and
    `price_orders` price-triggered ones."""
    rng = random.Random(seed)
    for n in range(price_orders):
        settle = "btc" if n % 4 == 3 else "usdt"
        contract = list(CONTRACTS[settle])[n % len(CONTRACTS[settle])]
        ref = Decimal(CONTRACTS[settle][contract])
        size = rng.choice((1, 5, 10)) * rng.choice((1, -1))
        trigger = (ref * (Decimal("1.1") if size > 0 else Decimal("0.9"))).quantize(Decimal("0.01"))
        book.place_price_order(settle, contract, size, trigger, trigger, 1 if size > 0 else 2)
    usdt, btc = list(CONTRACTS["usdt"]), list(CONTRACTS["btc"])
    base = time.time() - 3 * 3600
    placed = {"usdt": 0, "btc": 0}
    for n in range(orders):
        settle = "btc" if n % 4 == 3 else "usdt"
        names = btc if settle == "btc" else usdt
        contract = names[placed[settle] % len(names)]  # round robin over the settlement's contracts
        placed[settle] += 1
        ref = Decimal(CONTRACTS[settle][contract])
        size = rng.choice((1, 2, 5, 10, 25, 100)) * rng.choice((1, -1))
        offset = Decimal(str(round(rng.uniform(0.005, 0.06), 4)))
        price = ref * (1 - offset) if size > 0 else ref * (1 + offset)
        price = price.quantize(Decimal("0.0001") if ref < 10 else Decimal("0.1"))
        book.place(settle, contract, size, price, text=rng.choice(("web", "api", "t-grid", "t-hedge")),
                   reduce_only=rng.random() < 0.1, fills_on_cancel=rng.random() < fill_fraction,
                   create_time=round(base + n * 1.3, 3))


def settle_of(settle: str) -> str:
    if settle not in SETTLES:
        raise ApiError(400, "INVALID_PARAM_VALUE", f"settle must be usdt or btc, not {settle}")
    return settle


class FuturesEndpoints:
    """The signed /futures/{settle}/… routes; `countdowns` holds each armed dead-man switch."""

    def __init__(self, futures: FuturesBook, countdown_scale: float) -> None:
        self.futures = futures
        self.countdown_scale = countdown_scale
        self.countdowns: dict[tuple[str, str], threading.Timer] = {}

    def add_routes(self, router: Router) -> None:
        router.add("GET", "/futures/{settle}/orders", self.list_orders)
        router.add("GET", "/futures/{settle}/orders/{id}", self.get_order)
        router.add("DELETE", "/futures/{settle}/orders", self.cancel_all)
        router.add("DELETE", "/futures/{settle}/orders/{id}", self.cancel_one)
        router.add("POST", "/futures/{settle}/batch_cancel_orders", self.cancel_batch, batch=True)
        router.add("POST", "/futures/{settle}/countdown_cancel_all", self.countdown)
        router.add("GET", "/futures/{settle}/price_orders", self.list_price_orders)
        router.add("GET", "/futures/{settle}/price_orders/{id}", self.get_price_order)
        router.add("DELETE", "/futures/{settle}/price_orders/{id}", self.cancel_price_order)

    def stop(self) -> None:
        for timer in list(self.countdowns.values()):
            timer.cancel()

    def list_orders(self, call: Call) -> Reply:
        return _open_page(call, 1000, self.futures.open_orders)

    def get_order(self, call: Call) -> Reply:
        return _one(call, self.futures.get)

    def cancel_one(self, call: Call) -> Reply:
        settle, order_id = settle_of(call.params["settle"]), call.params["id"]
        ok, label, message = self.futures.cancel(settle, order_id)
        if not ok:
            raise ApiError(404 if label == "ORDER_NOT_FOUND" else 400, label, message)
        order = self.futures.get(settle, order_id)
        assert order is not None
        return 200, order.as_api()

    def cancel_batch(self, call: Call) -> Reply:
        settle = settle_of(call.params["settle"])
        try:
            ids = json.loads(call.body or b"null")
        except ValueError:
            raise ApiError(400, "INVALID_REQUEST_BODY", "request body is not valid JSON") from None
        if not isinstance(ids, list) or not ids or not all(isinstance(i, str) and i for i in ids):
            raise ApiError(400, "INVALID_REQUEST_BODY", "body must be a non-empty array of order id strings")
        if len(ids) > MAX_BATCH:
            raise ApiError(400, "INVALID_PARAM_VALUE", f"at most {MAX_BATCH} orders per request")
        results = []
        for order_id in ids:
            ok, label, message = self.futures.cancel(settle, order_id)
            result: dict[str, Any] = {"id": order_id, "user_id": USER_ID, "succeeded": ok, "message": message}
            if label:
                result["label"] = label
            results.append(result)
        return 200, results

    def cancel_all(self, call: Call) -> Reply:
        settle = settle_of(call.params["settle"])
        contract, side = call.query.get("contract"), call.query.get("side")
        if not contract:
            raise ApiError(400, "MISSING_REQUIRED_PARAM", "contract is required")
        if side not in (None, "", "bid", "ask"):
            raise ApiError(400, "INVALID_PARAM_VALUE", "side must be bid or ask")
        cancelled = []
        for order in self.futures.open_orders(settle, contract):
            if (side == "bid" and order.size < 0) or (side == "ask" and order.size > 0):
                continue
            ok, _label, _message = self.futures.cancel(settle, str(order.id))
            if ok:
                cancelled.append(order.as_api())
        return 200, cancelled

    def countdown(self, call: Call) -> Reply:
        settle = settle_of(call.params["settle"])
        try:
            payload = json.loads(call.body or b"null")
            timeout = int(payload["timeout"])
        except (ValueError, TypeError, KeyError):
            raise ApiError(400, "INVALID_REQUEST_BODY", "body must be {timeout: seconds}") from None
        if timeout != 0 and timeout < 5:
            raise ApiError(400, "INVALID_PARAM_VALUE", "timeout must be 0 or at least 5")
        contract = str(payload.get("contract") or "")
        key = (settle, contract)
        with self.futures.lock:
            old = self.countdowns.pop(key, None)
            if old is not None:
                old.cancel()
            if timeout == 0:
                return 200, {"triggerTime": "0"}
            timer = threading.Timer(timeout * self.countdown_scale, self._fire_countdown, (settle, contract))
            timer.daemon = True
            self.countdowns[key] = timer
            timer.start()
        return 200, {"triggerTime": str(int((time.time() + timeout) * 1000))}

    def _fire_countdown(self, settle: str, contract: str) -> None:
        """The switch was not renewed in time: every open order in its scope is cancelled."""
        with self.futures.lock:
            self.countdowns.pop((settle, contract), None)
            for order in self.futures.open_orders(settle, contract or None):
                self.futures.cancel(settle, str(order.id))

    def list_price_orders(self, call: Call) -> Reply:
        return _open_page(call, None, self.futures.open_price_orders)

    def get_price_order(self, call: Call) -> Reply:
        return _one(call, self.futures.price_order)

    def cancel_price_order(self, call: Call) -> Reply:
        with self.futures.lock:
            order = self.futures.price_order(settle_of(call.params["settle"]), call.params["id"])
            if order is None or order.status != "open":
                raise ApiError(404, "ORDER_NOT_FOUND", "order not found")
            order.status, order.finish_as = "finished", "cancelled"
            return 200, order.as_api()


def _open_page(call: Call, most: int | None, open_of: Callable[[str, str | None], list[T]]) -> Reply:
    """A page of a settlement's open orders or price orders (of one contract, or all), oldest first."""
    settle = settle_of(call.params["settle"])
    if call.query.get("status") != "open":
        raise ApiError(400, "INVALID_PARAM_VALUE", "status must be open here")
    limit, offset = call.limit_offset(most)
    orders = open_of(settle, call.query.get("contract") or None)
    return 200, [o.as_api() for o in orders[offset:offset + limit]]


def _one(call: Call, find: Callable[[str, str], T | None]) -> Reply:
    order = find(settle_of(call.params["settle"]), call.params["id"])
    if order is None:
        raise ApiError(404, "ORDER_NOT_FOUND", "order not found")
    return 200, order.as_api()
