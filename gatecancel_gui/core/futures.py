"""Perpetual futures orders (USDT- or BTC-settled): listed with offset paging, cancelled in batches of ids
(POST /futures/{settle}/batch_cancel_orders, a JSON array of at most 20 id strings), looked up one by one.
A way of sending for the one run (run.py): the run's truth rules hold as they do for spot."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from gatecancel_gui.core.client import GateClient, Params, PendingAnswer
from gatecancel_gui.core.errors import Stopped
from gatecancel_gui.core.markets import Market
from gatecancel_gui.core.method import (
    MAX_BATCH,
    Answer,
    CancelMethod,
    Found,
    Record,
    look_up_each,
    read_record,
    results_by_id,
)
from gatecancel_gui.core.models import Order, OrderRef, to_decimal
from gatecancel_gui.core.orders import MAX_PAGES, PAGE_LIMIT, Progress, load_open_orders

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


def futures_record(raw: object) -> Record | None:
    """A futures order's record: open; finished as cancelled; or finished some other way first (filled,
    liquidated, reduce-only, position closed …: Gate's `finish_as` says which)."""
    record = raw if isinstance(raw, dict) else {}
    status = str(record.get("status") or "")
    left = record.get("left")
    left_contracts = abs(to_decimal(left)) if isinstance(left, (int, str)) and not isinstance(left, bool) else None
    text = str(record.get("text") or "")
    if status == "open":
        return Record(Found.OPEN, text, left=left_contracts)
    if status != "finished":
        return None
    finish_as = str(record.get("finish_as") or "")
    if finish_as == "cancelled":
        return Record(Found.CANCELLED, text, left=left_contracts)
    if not finish_as:
        return None
    detail = ("The order filled before the cancel reached it." if finish_as == "filled"
              else f"The order had already finished ({finish_as.replace('_', ' ')}) before the cancel reached it.")
    return Record(Found.FILLED, text, detail, left=left_contracts, label="ORDER_FINISHED")


class FuturesBatch(CancelMethod):
    """Up to 20 orders of one settlement a request; results matched by id."""

    group_size = MAX_BATCH

    def __init__(self, market: Market) -> None:
        if not market.is_futures:
            raise ValueError(f"{market.value} is not a futures market")
        self.market = market
        self.endpoint = "POST " + market.spec.batch_cancel

    def start(self, client: GateClient, group: list[OrderRef]) -> PendingAnswer:
        return client.start("POST", self.market.spec.batch_cancel, body=[ref.id for ref in group])

    def read_answer(self, group: list[OrderRef], data: Any) -> dict[OrderRef, Answer]:
        by_id = results_by_id(data)
        answers: dict[OrderRef, Answer] = {}
        for ref in group:
            item = by_id.get(ref.id)
            if item is None:
                continue
            succeeded = item.get("succeeded")
            message = str(item.get("message") or "")
            label = str(item.get("label") or "") or _label_in(message)
            answers[ref] = Answer(succeeded if isinstance(succeeded, bool) else None, label, message,
                                  str(item.get("text") or ""))
        return answers

    def look_up(self, client: GateClient, refs: list[OrderRef], *, since_ms: int, stop: threading.Event,
                in_flight: int) -> dict[OrderRef, Record]:
        return look_up_each(refs, lambda ref: look_up_futures_order(client, ref, stop), in_flight)


def look_up_futures_order(client: GateClient, ref: OrderRef, stop: threading.Event) -> Record | None:
    """GET /futures/{settle}/orders/{id}: the order's own record, or None when Gate would not say."""
    return read_record(ref, lambda: client.request("GET", ref.market.spec.order(ref.id), stop=stop).data,
                       futures_record)


def _label_in(message: str) -> str:
    """Gate's futures batch answer may carry the label in `message` alone (e.g. "ORDER_NOT_FOUND")."""
    word = message.strip().split(" ")[0] if message else ""
    return word if word.isupper() and "_" in word else ""


def _rows(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict) and "id" in item]
