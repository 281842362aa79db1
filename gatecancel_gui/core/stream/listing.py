"""The REST side of the stream: the one listing that closes a (re)connect's gap (or that replaces the socket
while it is polling), and how the orders that vanished meanwhile finished.

A listing only says an order is gone, not how it went: for a few of them (a look-up each, asked at once)
Gate's own record tells, with the numbers it finished with (what was left, what was filled): the finish is
reported with those, not with the numbers last held (an order filled in the gap is reported filled, left 0).
The rest are reported finished with `finish_as` "" (finished while no socket was open; their last numbers
held, no fill claimed). A record that says the order is still open keeps it: a listing's pages can shift
under it."""

from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from gatecancel_gui.core.domain.errors import GateError, Stopped
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.gate.client import GateClient, Params
from gatecancel_gui.core.gate.futures_orders import load_futures_orders
from gatecancel_gui.core.gate.spot_orders import load_open_orders
from gatecancel_gui.core.stream.events import OrderEvent
from gatecancel_gui.core.stream.held import HeldOrders, relisting_diff

log = logging.getLogger(__name__)
MAX_LOOKUPS = 20  # gone orders looked up per listing; more would cost the read budget a cancel may need


def list_market(client: GateClient, market: Market, stop: threading.Event | None = None) -> list[Order]:
    """Every open order of one market, read as the window's load reads it."""
    if market.is_futures:
        return load_futures_orders(client, market, stop=stop)
    return load_open_orders(client, stop=stop)


def look_up(client: GateClient, order: Order, stop: threading.Event | None = None) -> tuple[str | None, Order | None]:
    """How a vanished order finished, from its own record: Gate's `finish_as` ("" when the record does not
    say, or cannot be read), or None when the record says it is still open; and the order as the record
    left it (None when there is no record to read, or it carries no numbers)."""
    params: Params | None = None
    if order.market.is_futures:
        endpoint = order.market.spec.order(order.id)
    else:
        endpoint = f"/spot/orders/{order.id}"
        params = [("currency_pair", order.instrument)] + ([("account", client.account)] if client.account else [])
    try:
        record = client.request("GET", endpoint, params=params, stop=stop).data
    except (GateError, Stopped) as exc:
        log.info("look-up of %s %s failed: %s", order.market.value, order.id, getattr(exc, "label", "stopped"))
        return "", None
    if not isinstance(record, dict):
        return "", None
    if str(record.get("status") or "") == "open":
        return None, None
    how = str(record.get("finish_as") or "")
    return ("" if how == "open" else how), as_recorded(order, record)


def as_recorded(order: Order, record: dict[str, Any]) -> Order | None:
    """The order with the numbers its record gives (what was left, filled, the amount and price), its
    identity (market, instrument, id, kind) kept as held; None when the record has no `left` to go by."""
    if record.get("left") is None:
        return None
    try:
        raw = {**record, "id": order.id}
        read = Order.from_futures(raw, order.market) if order.market.is_futures else \
            Order.from_api(raw, order.instrument)
    except (ArithmeticError, KeyError, TypeError, ValueError):
        log.info("the record of %s %s could not be read", order.market.value, order.id)
        return None
    return replace(read, market=order.market, instrument=order.instrument, id=order.id, kind=order.kind)


def gap_events(client: GateClient, held: HeldOrders, market: Market,
               stop: threading.Event | None = None) -> list[OrderEvent]:
    """List the market, diff it against what is held, look up how (some of) the vanished orders finished;
    the listed events, not yet applied. Raises GateError or Stopped as the listing does."""
    listed = list_market(client, market, stop)
    before = held.snapshot()
    listed_keys = {order.key for order in listed}
    gone = [entry.order for key, entry in before.items() if key not in listed_keys]
    how: dict[str, str | None] = {}
    recorded: dict[str, Order] = {}
    if gone:
        asked = gone[:MAX_LOOKUPS]
        with ThreadPoolExecutor(max_workers=min(8, len(asked)), thread_name_prefix="stream-look-up") as pool:
            for order, (answer, record) in zip(asked, pool.map(lambda o: look_up(client, o, stop), asked),
                                               strict=True):
                how[order.key] = answer
                if record is not None:
                    recorded[order.key] = record
    return relisting_diff(before, listed, how, recorded)

