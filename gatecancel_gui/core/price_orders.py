"""Price-triggered (stop) orders: Gate keeps them apart from open orders, and a plain cancel-all leaves
them alive. Loading them, and the way of cancelling them: one DELETE per order (all Gate offers), with
the run's outcome rules."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

from gatecancel_gui.core.client import GateClient, Params, PendingAnswer
from gatecancel_gui.core.errors import GateError, Stopped
from gatecancel_gui.core.markets import Market
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


def order_from_futures_price_order(raw: dict[str, Any], market: Market) -> Order:
    """A futures stop order: the signed size of the order it would place, shown as side + contracts."""
    trigger, initial = raw.get("trigger") or {}, raw.get("initial") or {}
    rule = {1: ">=", 2: "<="}.get(int(trigger.get("rule") or 0), "") if str(trigger.get("rule") or 0).isdigit() else ""
    trigger_price = to_decimal(trigger.get("price"))
    size = to_decimal(initial.get("size"))
    amount = abs(size)
    try:
        created_ms = int(Decimal(str(raw.get("create_time") or 0)) * 1000)
    except ArithmeticError:
        created_ms = 0
    return Order(
        id=str(raw["id"]), currency_pair=str(initial.get("contract", "")), side="sell" if size < 0 else "buy",
        type=f"{STOP_PREFIX} {rule}{format(trigger_price.normalize(), 'f')}", price=to_decimal(initial.get("price")),
        amount=amount, left=amount, filled_amount=Decimal(0), create_time_ms=created_ms,
        text=f"trigger {rule} {format(trigger_price.normalize(), 'f')}", status=str(raw.get("status", "open")),
        kind=OrderKind.STOP, market=market, reduce_only=bool(initial.get("is_reduce_only")),
        is_close=bool(initial.get("is_close")),
    )


def load_futures_price_orders(client: GateClient, market: Market, contract: str | None = None,
                              stop: threading.Event | None = None) -> list[Order]:
    """Every open price-triggered order of one futures settlement (limit and offset pages)."""
    client.ensure_clock(stop)
    found: dict[str, Order] = {}
    for offset in range(0, 100 * PAGE * 100, PAGE):
        params: Params = [("status", "open")]
        if contract:
            params.append(("contract", contract))
        params += [("limit", str(PAGE)), ("offset", str(offset))]
        rows = client.request("GET", market.spec.price_orders, params=params, stop=stop).data
        rows = [r for r in rows if isinstance(r, dict) and "id" in r] if isinstance(rows, list) else []
        for raw in rows:
            order = order_from_futures_price_order(raw, market)
            found[order.id] = order
        if len(rows) < PAGE:
            break
    return list(found.values())


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
    """One DELETE {market}/price_orders/{id} per stop order (spot or futures, by each order's market). Gate
    answers with the order itself: that answer, naming the order as cancelled, is Gate's word that it was;
    an empty or foreign 200 is not, and the order is looked up instead."""

    endpoint = "DELETE /spot/price_orders/{id}"
    group_size = 1

    def endpoint_of(self, group: list[OrderRef]) -> str:
        return f"DELETE {group[0].market.spec.price_orders}/{{id}}"

    def start(self, client: GateClient, group: list[OrderRef]) -> PendingAnswer:
        return client.start("DELETE", f"{group[0].market.spec.price_orders}/{group[0].id}")

    def read_answer(self, group: list[OrderRef], data: Any) -> dict[OrderRef, Answer]:
        """Cancelled only when the answer says so: a missing status (spot) or a `finished` without its
        `finish_as` (futures) is no word at all, and the order is asked instead."""
        ref = group[0]
        if not isinstance(data, dict) or str(data.get("id", "")) != ref.id:
            return {ref: Answer(None, "NO_RESULT", "Gate's answer did not name this stop order.")}
        status = str(data.get("status") or "")
        if ref.market.is_futures:  # futures: finished, and how (finish_as)
            finish = futures_finish(data)
            if status == "finished" and finish in CANCELLED_WORDS:
                return {ref: Answer(True)}
            said = f"{status} {finish}".strip() or "nothing"
            return {ref: Answer(None, "NO_RESULT", f"Gate's answer says the stop order is {said}.")}
        if status in CANCELLED_WORDS:
            return {ref: Answer(True)}
        if not status:
            return {ref: Answer(None, "NO_RESULT", "Gate's answer did not say what became of the stop order.")}
        return {ref: Answer(None, "NO_RESULT", f"Gate's answer says the stop order is {status}.")}

    def look_up(self, client: GateClient, refs: list[OrderRef], *, since_ms: int, stop: threading.Event,
                in_flight: int) -> dict[OrderRef, Record]:
        def one(ref: OrderRef) -> Record | None:
            try:
                data = client.request("GET", f"{ref.market.spec.price_orders}/{ref.id}", stop=stop).data
            except GateError as exc:
                return Record(Found.NOT_FOUND, detail="Gate has no such stop order now.") \
                    if exc.label == "ORDER_NOT_FOUND" else None
            except Stopped:
                return None
            status = data.get("status") if isinstance(data, dict) else None
            if ref.market.is_futures and isinstance(data, dict):
                status = _futures_stop_status(data)
            return status_record(status, filled_as=("finished", "closed", "triggered", "failed", "expired"),
                                 detail=f"The stop order is {status}, not cancelled.")

        return look_up_each(refs, one, in_flight)


CANCELLED_WORDS = ("cancelled", "canceled")
FINISH_WORDS = frozenset({*CANCELLED_WORDS, "succeeded", "failed", "expired"})


def futures_finish(data: dict[str, Any]) -> str:
    """How a futures stop order finished: Gate's `finish_as`; an answer without it counts only when its
    free-text `reason` is exactly one of finish_as's words. "" when Gate did not say."""
    finish = str(data.get("finish_as") or "")
    if finish:
        return finish
    reason = str(data.get("reason") or "")
    return reason if reason in FINISH_WORDS else ""


def _futures_stop_status(data: dict[str, Any]) -> str:
    """A futures stop order's record in spot's words: open, cancelled, finished (fired or failed), or ""
    when it finished without saying how (then it is not known: it stays unknown, never counted cancelled)."""
    status = str(data.get("status") or "")
    if status != "finished":
        return status
    finish = futures_finish(data)
    if not finish:
        return ""
    return "cancelled" if finish in CANCELLED_WORDS else "finished"
