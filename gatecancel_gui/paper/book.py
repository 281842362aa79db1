"""The paper exchange's order book: its own record of every order, the truth tests compare against.
Every change of an order (placed, partly filled, finished) is told to the book's listeners, which is how
the WebSocket pushes it."""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

FIRST_ID = 9_007_199_254_740_993  # past 2**53: an id that a float or a JS number would corrupt

REFERENCE_PRICES = {
    "BTC_USDT": "64000", "ETH_USDT": "3100", "SOL_USDT": "145", "XRP_USDT": "0.52", "DOGE_USDT": "0.12",
    "ADA_USDT": "0.45", "GT_USDT": "8.4", "LTC_USDT": "82", "DOT_USDT": "6.9", "LINK_USDT": "14.2",
    "AVAX_USDT": "28.5", "TRX_USDT": "0.11", "ETH_BTC": "0.048", "SOL_ETH": "0.047", "ATOM_USDT": "7.8",
    "NEAR_USDT": "5.1", "UNI_USDT": "7.3", "BCH_USDT": "380", "ETC_USDT": "24", "FIL_USDT": "4.6",
}


@dataclass
class PaperOrder:
    id: str
    currency_pair: str
    side: str
    price: Decimal
    amount: Decimal
    create_time_ms: int
    text: str = "web"
    type: str = "limit"
    status: str = "open"        # open / cancelled / closed
    finish_as: str = "open"     # open / cancelled / filled
    fills_on_cancel: bool = False
    filled: Decimal = Decimal(0)
    update_time_ms: int = 0
    cancel_requests: int = field(default=0)

    def as_api(self) -> dict[str, Any]:
        left = Decimal(0) if self.status == "closed" else self.amount - self.filled
        filled = self.amount if self.status == "closed" else self.filled
        return {
            "id": self.id, "text": self.text, "amend_text": "-",
            "create_time": str(self.create_time_ms // 1000), "update_time": str(self.update_time_ms // 1000),
            "create_time_ms": self.create_time_ms, "update_time_ms": self.update_time_ms,
            "status": self.status, "currency_pair": self.currency_pair, "type": self.type,
            "account": "spot", "side": self.side, "amount": str(self.amount), "price": str(self.price),
            "time_in_force": "gtc", "iceberg": "0", "left": str(left), "filled_amount": str(filled),
            "fill_price": str(filled * self.price), "filled_total": str(filled * self.price),
            "fee": "0", "fee_currency": self.currency_pair.split("_")[1], "point_fee": "0",
            "gt_fee": "0", "gt_discount": False, "rebated_fee": "0", "rebated_fee_currency": "USDT",
            "finish_as": self.finish_as,
        }


# (event, order) after every change, called under the book's lock so that an order's changes are told in
# the order they happened: a listener must be quick and must never wait (it queues, see websocket).
# event is Gate's: "put" (placed), "update" (partly filled), "finish" (filled or cancelled).
Listener = Callable[[str, "PaperOrder"], None]


def now_ms() -> int:
    return int(time.time() * 1000)


class Book:
    """Every order ever placed, open or not; all access under one lock (the server is threaded)."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.orders: dict[str, PaperOrder] = {}
        self._next_id = FIRST_ID
        self.filled_label = "ORDER_CLOSED"
        self.refuse: set[str] = set()  # ids whose cancel fails with CANCEL_FAIL while they stay open
        self.listeners: list[Listener] = []

    def _changed(self, event: str, order: PaperOrder) -> None:
        for listener in self.listeners:
            listener(event, order)

    def place(self, currency_pair: str, side: str, price: Decimal, amount: Decimal, *,
              text: str = "web", fills_on_cancel: bool = False, filled: Decimal = Decimal(0),
              create_time_ms: int | None = None) -> PaperOrder:
        with self.lock:
            order_id = str(self._next_id)
            self._next_id += 1
            created = create_time_ms or now_ms()
            order = PaperOrder(order_id, currency_pair, side, price, amount, created, text=text,
                               fills_on_cancel=fills_on_cancel, filled=filled, update_time_ms=created)
            self.orders[order_id] = order
            self._changed("put", order)
            return order

    def open_orders(self, currency_pair: str | None = None) -> list[PaperOrder]:
        with self.lock:
            return [o for o in self.orders.values()
                    if o.status == "open" and (currency_pair is None or o.currency_pair == currency_pair)]

    def open_pairs(self) -> list[str]:
        with self.lock:
            return sorted({o.currency_pair for o in self.orders.values() if o.status == "open"})

    def cancel(self, order_id: str, currency_pair: str) -> tuple[bool, str, str]:
        """Cancel one order: (succeeded, label, message) as Gate reports it in a batch result."""
        with self.lock:
            order = self.orders.get(order_id)
            if order is None or order.currency_pair != currency_pair:
                return False, "ORDER_NOT_FOUND", "Order not found"
            order.cancel_requests += 1
            if order_id in self.refuse and order.status == "open":
                return False, "CANCEL_FAIL", "Order cannot be cancelled right now"
            if order.status == "open" and order.fills_on_cancel:
                self._finish(order, "closed", "filled")
                return False, self.filled_label, "Order has been filled"
            if order.status == "cancelled":
                return False, "ORDER_NOT_FOUND", "Order not found"
            if order.status == "closed":
                return False, self.filled_label, "Order has been filled"
            self._finish(order, "cancelled", "cancelled")
            return True, "", ""

    def fill(self, order_id: str, amount: Decimal | None = None) -> None:
        """Fill an open order: all of what is left, or `amount` of it (an update while some is left)."""
        with self.lock:
            order = self.orders[order_id]
            if order.status != "open":
                return
            if amount is None or order.filled + amount >= order.amount:
                self._finish(order, "closed", "filled")
                return
            order.filled += amount
            _touch(order)
            self._changed("update", order)

    def _finish(self, order: PaperOrder, status: str, finish_as: str) -> None:
        order.status = status
        order.finish_as = finish_as
        _touch(order)
        self._changed("finish", order)

    def status_of(self, order_id: str) -> str | None:
        with self.lock:
            order = self.orders.get(order_id)
            return order.status if order else None


def _touch(order: PaperOrder) -> None:
    """A change's time: now, and always later than the order's last one (a client orders events by it)."""
    order.update_time_ms = max(now_ms(), order.update_time_ms + 1)


def seed_book(book: Book, *, orders: int = 300, pairs: int = 12, heavy_pairs: int = 2,
              fill_fraction: float = 0.03, seed: int = 7) -> list[PaperOrder]:
    """A realistic book: orders spread over `pairs`, a few pairs much heavier, a few that fill on cancel.

    `heavy_pairs` pairs take half of all orders between them (hundreds each in a large book), so
    paging past 100 orders in a pair is exercised by default.
    """
    rng = random.Random(seed)
    names = list(REFERENCE_PRICES)
    pair_names = [names[i] if i < len(names) else f"P{i:03d}_USDT" for i in range(pairs)]
    heavy = pair_names[:heavy_pairs] if pairs > heavy_pairs else []
    placed = []
    base_ms = int(time.time() * 1000) - 6 * 3600 * 1000
    for n in range(orders):
        if heavy and n % 2 == 0:
            pair = rng.choice(heavy)
        else:
            pair = pair_names[(n // 2 if heavy else n) % len(pair_names)]
        ref = Decimal(REFERENCE_PRICES.get(pair, "1.5"))
        side = rng.choice(("buy", "sell"))
        offset = Decimal(str(round(rng.uniform(0.005, 0.08), 4)))
        price = ref * (1 - offset) if side == "buy" else ref * (1 + offset)
        price = price.quantize(Decimal("0.0001") if ref < 10 else Decimal("0.01"))
        notional = Decimal(str(round(rng.uniform(20, 5000), 2)))
        amount = (notional / price).quantize(Decimal("0.0001")) or Decimal("0.0001")
        filled = (amount * Decimal(str(round(rng.choice((0, 0, 0, 0.25, 0.5)), 2)))).quantize(Decimal("0.0001"))
        text = rng.choice(("web", "api", "t-grid-bot", "t-dca", "app"))
        placed.append(book.place(pair, side, price, amount, text=text, filled=filled,
                                 fills_on_cancel=rng.random() < fill_fraction,
                                 create_time_ms=base_ms + n * 997))
    return placed
