"""Price-triggered (stop) orders: Gate keeps them apart from open orders, and a plain cancel-all leaves
them alive. Loading them, and the way of cancelling them: one DELETE per order (all Gate offers), with
the run's outcome rules."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

from gatecancel_gui.core.client import ApiResponse, GateClient, Params
from gatecancel_gui.core.errors import GateError, Stopped
from gatecancel_gui.core.method import Answer, CancelMethod, Found, Record, look_up_each, status_record
from gatecancel_gui.core.models import Order, OrderKind, OrderRef, to_decimal

PAGE = 100
STOP_PREFIX = "stop"


def order_from_price_order(raw: dict[str, Any]) -> Order:
    """Show a stop order in the same table as open orders: type says the trigger, price is the put price."""
    trigger = raw.get("trigger") or {}
    put = raw.get("put") or {}
    rule, trigger_price = str(trigger.get("rule", "")), to_decimal(trigger.get("price"))
    amount = to_decimal(put.get("amount"))
    return Order(
        id=str(raw["id"]), currency_pair=str(raw.get("market", "")), side=str(put.get("side", "")),
        type=f"{STOP_PREFIX} {rule}{format(trigger_price.normalize(), 'f')}", price=to_decimal(put.get("price")),
        amount=amount, left=amount, filled_amount=Decimal(0), create_time_ms=int(raw.get("ctime") or 0) * 1000,
        text=f"trigger {rule} {format(trigger_price.normalize(), 'f')}", status=str(raw.get("status", "open")),
        kind=OrderKind.STOP,
    )


def load_price_orders(client: GateClient, market: str | None = None,
                      stop: threading.Event | None = None) -> list[Order]:
    """Every open price-triggered order (GET /spot/price_orders pages by limit and offset)."""
    client.ensure_clock(stop)
    found: dict[str, Order] = {}
    for offset in range(0, 100 * PAGE * 100, PAGE):
        params: Params = [("status", "open"), ("limit", str(PAGE)), ("offset", str(offset))]
        if market:
            params.append(("market", market))
        rows = client.request("GET", "/spot/price_orders", params=params, stop=stop).data
        rows = [r for r in rows if isinstance(r, dict) and "id" in r] if isinstance(rows, list) else []
        for raw in rows:
            order = order_from_price_order(raw)
            found[order.id] = order
        if len(rows) < PAGE:
            break
    return list(found.values())


class StopOrderEach(CancelMethod):
    """One DELETE /spot/price_orders/{id} per stop order. Gate answers with the order itself: that answer,
    naming the order, is Gate's word that it was cancelled; an empty or foreign 200 is not, and the order
    is looked up instead."""

    endpoint = "DELETE /spot/price_orders/{id}"
    group_size = 1

    def send(self, client: GateClient, group: list[OrderRef]) -> ApiResponse:
        return client.request("DELETE", f"/spot/price_orders/{group[0].id}")

    def read_answer(self, group: list[OrderRef], data: Any) -> dict[OrderRef, Answer]:
        ref = group[0]
        if not isinstance(data, dict) or str(data.get("id", "")) != ref.id:
            return {ref: Answer(None, "NO_RESULT", "Gate's answer did not name this stop order.")}
        if str(data.get("status", "cancelled")) not in ("cancelled", "canceled"):
            return {ref: Answer(None, "NO_RESULT", f"Gate's answer says the stop order is {data.get('status')}.")}
        return {ref: Answer(True)}

    def look_up(self, client: GateClient, refs: list[OrderRef], *, since_ms: int, stop: threading.Event,
                in_flight: int) -> dict[OrderRef, Record]:
        def one(ref: OrderRef) -> Record | None:
            try:
                data = client.request("GET", f"/spot/price_orders/{ref.id}", stop=stop).data
            except GateError as exc:
                return Record(Found.NOT_FOUND, detail="Gate has no such stop order now.") \
                    if exc.label == "ORDER_NOT_FOUND" else None
            except Stopped:
                return None
            status = data.get("status") if isinstance(data, dict) else None
            return status_record(status, filled_as=("finished", "closed", "triggered", "failed", "expired"),
                                 detail=f"The stop order is {status}, not cancelled.")

        return look_up_each(refs, one, in_flight)
