"""Load every open spot order: all pairs, all pages, ids as strings, amounts as Decimal."""

from __future__ import annotations

import threading
from typing import Any

from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.gate.paging import PAGE_LIMIT, Paging, Progress, Row, gate_reads, read_pages


def load_open_orders(client: GateClient, *, progress: Progress | None = None,
                     stop: threading.Event | None = None, account: str | None = None) -> list[Order]:
    """All open orders across every pair.

    GET /spot/open_orders pages per pair: `limit` applies to each pair, so the next page is asked for
    while any pair returned a full page. Orders are de-duplicated by id, since a page can shift while
    orders fill between two reads.

    Over the network a load costs its round trips, so the next page is always asked for with the current
    one: a book with a full page (a pair with 100 orders or more) loads in one round trip less, at the
    price of one read that may come back empty.
    """
    account = account or client.account
    client.ensure_clock(stop)
    paging = Paging[Order](
        path="/spot/open_orders", parse=_pair_orders, key=lambda order: order.id, after=_account(account),
        ahead=True, keep=_is_row, goes_on=_any_pair_full)
    return list(read_pages(paging, gate_reads(client, stop), stop=stop, progress=progress).values())


def load_pair_orders(client: GateClient, currency_pair: str, *, side: str | None = None,
                     account: str | None = None, stop: threading.Event | None = None) -> list[Order]:
    """Open orders of one pair via GET /spot/orders, paging until a short page comes back."""
    account = account or client.account
    client.ensure_clock(stop)
    paging = Paging[Order](
        path="/spot/orders", parse=lambda raw: [Order.from_api(raw, currency_pair)], key=lambda order: order.id,
        before=[("currency_pair", currency_pair), ("status", "open")], after=_account(account), keep=_is_row)
    orders = list(read_pages(paging, gate_reads(client, stop), stop=stop).values())
    return [o for o in orders if o.side == side] if side else orders


def find_finished(client: GateClient, currency_pair: str, ids: set[str], *, since_ms: int,
                  account: str | None = None, stop: threading.Event | None = None) -> dict[str, dict[str, Any]]:
    """Look orders up among the pair's recently finished ones (newest first, 100 a page): one request per
    100 orders instead of one per order. Stops when all are found or the pages reach back before
    `since_ms` (server time) less a minute. Returns id -> raw order (status `cancelled` or `closed`)."""
    account = account or client.account

    def goes_on(rows: list[Row]) -> bool:
        oldest = min((int(r.get("update_time_ms") or 0) for r in rows), default=0)
        return len(rows) >= PAGE_LIMIT and oldest >= since_ms - 60_000

    paging = Paging[Row](
        path="/spot/orders", parse=lambda raw: [raw] if _raw_id(raw) in ids else [], key=_raw_id,
        before=[("currency_pair", currency_pair), ("status", "finished")], after=_account(account),
        max_pages=len(ids) // PAGE_LIMIT + 19, keep=_is_row, goes_on=goes_on, wanted=len(ids))
    return read_pages(paging, gate_reads(client, stop), stop=stop)


def _account(account: str | None) -> list[tuple[str, str]]:
    return [("account", account)] if account else []


def _pair_orders(group: Row) -> list[Order]:
    pair = str(group.get("currency_pair", ""))
    return [Order.from_api(raw, pair) for raw in _as_list(group.get("orders"))]


def _any_pair_full(groups: list[Row]) -> bool:
    return any(len(_as_list(group.get("orders"))) >= PAGE_LIMIT for group in groups)


def _raw_id(raw: Row) -> str:
    return str(raw.get("id"))


def _is_row(item: Row) -> bool:
    return "id" in item or "orders" in item


def _as_list(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict) and _is_row(item)]
