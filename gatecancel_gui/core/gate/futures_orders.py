"""Perpetual futures orders (USDT- or BTC-settled): listed with offset paging, cancelled in batches of ids
(POST /futures/{settle}/batch_cancel_orders, a JSON array of at most 20 id strings), looked up one by one.
A way of sending for the one run (run.py): the run's truth rules hold as they do for spot."""

from __future__ import annotations

import logging
import threading

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.gate.paging import By, Paging, Progress, gate_reads, read_pages

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
    paging = Paging[Order](
        path=market.spec.open_orders, parse=lambda raw: [Order.from_futures(raw, market)], key=lambda order: order.id,
        by=By.OFFSET, before=[("status", "open"), *([("contract", contract)] if contract else [])],
        waves=(FIRST_WAVE, MAX_WAVE))
    return list(read_pages(paging, gate_reads(client, stop), stop=stop, progress=progress).values())
