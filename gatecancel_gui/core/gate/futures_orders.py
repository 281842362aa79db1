"""Perpetual futures orders (USDT- or BTC-settled): listed with offset paging, cancelled in batches of ids
(POST /futures/{settle}/batch_cancel_orders, a JSON array of at most 20 id strings), looked up one by one.
A way of sending for the one run (run.py): the run's truth rules hold as they do for spot."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from gatecancel_gui.core.domain.errors import Stopped
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.gate.client import GateClient, Params
from gatecancel_gui.core.gate.spot_orders import MAX_PAGES, PAGE_LIMIT, Progress, load_open_orders

log = logging.getLogger(__name__)


FIRST_WAVE, MAX_WAVE = 4, 8  # pages read at once: 4, then 8 while every page comes back full


def load_futures_orders(client: GateClient, market: Market, *, contract: str | None = None,
                        progress: Progress | None = None, stop: threading.Event | None = None) -> list[Order]:
    """Every open order of one futures settlement (or one contract of it), in pages of 100 by offset.

    Offset paging has no count, and one page after another costs a round trip each (750 orders: 8 round
    trips). So pages are read in waves, 4 at once, then 8, until one comes back short: 750 orders take 2
    round trips, a book under 400 orders one, at the price of a few reads that come back empty (well
    inside Gate's 200 reads per 10 s, even under live refresh). Orders are de-duplicated by
    id, since a page can shift while orders fill between reads."""
    if not market.is_futures:
        raise ValueError(f"{market.value} is not a futures market")
    client.ensure_clock(stop)
    seen: dict[str, Order] = {}

    def read(page: int) -> list[dict[str, Any]]:
        params: Params = [("status", "open")]
        if contract:
            params.append(("contract", contract))
        params += [("limit", str(PAGE_LIMIT)), ("offset", str(page * PAGE_LIMIT))]
        return _rows(client.request("GET", market.spec.open_orders, params=params, stop=stop).data)

    page, wave, pages_read = 0, FIRST_WAVE, 0
    with ThreadPoolExecutor(max_workers=MAX_WAVE, thread_name_prefix="futures-page") as pool:
        while page < MAX_PAGES:
            if stop is not None and stop.is_set():
                raise Stopped()
            results = list(pool.map(read, range(page, page + wave)))
            short = False
            for rows in results:
                for raw in rows:
                    order = Order.from_futures(raw, market)
                    seen[order.id] = order
                short = short or len(rows) < PAGE_LIMIT
            pages_read += len(results)
            if progress is not None:
                progress(pages_read, len(seen))
            if short:
                break
            page, wave = page + wave, min(MAX_WAVE, wave * 2)
    return list(seen.values())


def load_markets(client: GateClient, markets: list[Market], *,
                 stop: threading.Event | None = None) -> list[Order]:
    """Every open order of these markets, all markets read at once (spot: every pair; futures: every
    contract of the settlement)."""
    def load(market: Market) -> list[Order]:
        if market is Market.SPOT:
            return load_open_orders(client, stop=stop)
        return load_futures_orders(client, market, stop=stop)

    if len(markets) == 1:
        return load(markets[0])
    with ThreadPoolExecutor(max_workers=len(markets), thread_name_prefix="market") as pool:
        return [order for orders in pool.map(load, markets) for order in orders]


def _rows(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict) and "id" in item]
