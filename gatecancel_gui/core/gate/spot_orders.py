"""Load every open spot order: all pairs, all pages, ids as strings, amounts as Decimal."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from gatecancel_gui.core.domain.errors import Stopped
from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.gate.client import GateClient, Params

PAGE_LIMIT = 100
MAX_PAGES = 1000  # 100,000 orders in one pair: far past any real account, a guard against a loop

Progress = Callable[[int, int], None]  # (pages read, orders so far)


LoadStopped = Stopped  # the user stopped the load; nothing partial is returned


def load_open_orders(client: GateClient, *, progress: Progress | None = None,
                     stop: threading.Event | None = None, account: str | None = None) -> list[Order]:
    """All open orders across every pair.

    GET /spot/open_orders pages per pair: `limit` applies to each pair, so the next page is asked for
    while any pair returned a full page. Orders are de-duplicated by id, since a page can shift while
    orders fill between two reads.
    """
    account = account or client.account
    client.ensure_clock(stop)
    seen: dict[str, Order] = {}

    def read(page: int) -> object:
        params: Params = [("page", str(page)), ("limit", str(PAGE_LIMIT))]
        if account:
            params.append(("account", account))
        return client.request("GET", "/spot/open_orders", params=params, stop=stop).data

    # Over the network a load costs its round trips, so the next page is always asked for with the current
    # one: a book with a full page (a pair with 100 orders or more) loads in one round trip less, at the
    # price of one read that may come back empty.
    ahead = ThreadPoolExecutor(max_workers=1, thread_name_prefix="next-page")
    try:
        following = ahead.submit(read, 2)
        data = read(1)
        for page in range(1, MAX_PAGES + 1):
            if stop is not None and stop.is_set():
                raise Stopped()
            any_full = False
            for group in _as_list(data):
                pair = str(group.get("currency_pair", ""))
                orders = _as_list(group.get("orders"))
                any_full = any_full or len(orders) >= PAGE_LIMIT
                for raw in orders:
                    order = Order.from_api(raw, pair)
                    seen[order.id] = order
            if progress is not None:
                progress(page, len(seen))
            if not any_full:
                break
            data = following.result()
            following = ahead.submit(read, page + 2)
    finally:
        ahead.shutdown(wait=False, cancel_futures=True)  # a page asked for in advance and not needed: not awaited
    return list(seen.values())


def load_pair_orders(client: GateClient, currency_pair: str, *, side: str | None = None,
                     account: str | None = None, stop: threading.Event | None = None) -> list[Order]:
    """Open orders of one pair via GET /spot/orders, paging until a short page comes back."""
    account = account or client.account
    client.ensure_clock(stop)
    found: dict[str, Order] = {}
    for page in range(1, MAX_PAGES + 1):
        params: Params = [("currency_pair", currency_pair), ("status", "open"),
                          ("page", str(page)), ("limit", str(PAGE_LIMIT))]
        if account:
            params.append(("account", account))
        rows = _as_list(client.request("GET", "/spot/orders", params=params, stop=stop).data)
        for raw in rows:
            order = Order.from_api(raw, currency_pair)
            found[order.id] = order
        if len(rows) < PAGE_LIMIT:
            break
    orders = list(found.values())
    return [o for o in orders if o.side == side] if side else orders


def find_finished(client: GateClient, currency_pair: str, ids: set[str], *, since_ms: int,
                  account: str | None = None, stop: threading.Event | None = None) -> dict[str, dict[str, Any]]:
    """Look orders up among the pair's recently finished ones (newest first, 100 a page): one request per
    100 orders instead of one per order. Stops when all are found or the pages reach back before
    `since_ms` (server time) less a minute. Returns id -> raw order (status `cancelled` or `closed`)."""
    account = account or client.account
    missing = set(ids)
    found: dict[str, dict[str, Any]] = {}
    for page in range(1, len(ids) // PAGE_LIMIT + 20):
        params: Params = [("currency_pair", currency_pair), ("status", "finished"), ("page", str(page)),
                          ("limit", str(PAGE_LIMIT))]
        if account:
            params.append(("account", account))
        rows = list(_as_list(client.request("GET", "/spot/orders", params=params, stop=stop).data))
        for raw in rows:
            order_id = str(raw.get("id"))
            if order_id in missing:
                missing.discard(order_id)
                found[order_id] = raw
        oldest = min((int(r.get("update_time_ms") or 0) for r in rows), default=0)
        if not missing or len(rows) < PAGE_LIMIT or oldest < since_ms - 60_000:
            break
    return found


def _as_list(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict) and ("id" in item or "orders" in item)]
