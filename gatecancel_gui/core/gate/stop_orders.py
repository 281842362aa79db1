"""Price-triggered (stop) orders: Gate keeps them apart from open orders, and a plain cancel-all leaves
them alive. Loading them, and the way of cancelling them: one DELETE per order (all Gate offers), with
the run's outcome rules."""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order, OrderKind, to_decimal
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.gate.paging import By, Paging, gate_reads, read_pages

PAGE = 100
MAX_STOP_PAGES = 10_000  # offsets below 1,000,000: a guard against a loop
STOP_PREFIX = "stop"


def order_from_spot_stop_order(raw: dict[str, Any]) -> Order:
    """Show a stop order in the same table as open orders: type says the trigger, price is the put price."""
    trigger = raw.get("trigger") or {}
    put = raw.get("put") or {}
    rule, trigger_price = str(trigger.get("rule", "")), to_decimal(trigger.get("price"))
    amount = to_decimal(put.get("amount"))
    return Order(
        id=str(raw["id"]), instrument=str(raw.get("market", "")), side=str(put.get("side", "")),
        type=f"{STOP_PREFIX} {rule}{format(trigger_price.normalize(), 'f')}", price=to_decimal(put.get("price")),
        amount=amount, left=amount, filled_amount=Decimal(0), create_time_ms=int(raw.get("ctime") or 0) * 1000,
        text=f"trigger {rule} {format(trigger_price.normalize(), 'f')}", status=str(raw.get("status", "open")),
        kind=OrderKind.STOP,
    )


def order_from_futures_stop_order(raw: dict[str, Any], market: Market) -> Order:
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
        id=str(raw["id"]), instrument=str(initial.get("contract", "")), side="sell" if size < 0 else "buy",
        type=f"{STOP_PREFIX} {rule}{format(trigger_price.normalize(), 'f')}", price=to_decimal(initial.get("price")),
        amount=amount, left=amount, filled_amount=Decimal(0), create_time_ms=created_ms,
        text=f"trigger {rule} {format(trigger_price.normalize(), 'f')}", status=str(raw.get("status", "open")),
        kind=OrderKind.STOP, market=market, reduce_only=bool(initial.get("is_reduce_only")),
        is_close=bool(initial.get("is_close")),
    )


def load_futures_stop_orders(client: GateClient, market: Market, contract: str | None = None,
                              stop: threading.Event | None = None) -> list[Order]:
    """Every open stop order of one futures settlement (limit and offset pages)."""
    client.ensure_clock(stop)
    paging = Paging[Order](
        path=market.spec.price_orders, parse=lambda raw: [order_from_futures_stop_order(raw, market)],
        key=lambda order: order.id, by=By.OFFSET,
        before=[("status", "open"), *([("contract", contract)] if contract else [])], limit=PAGE,
        max_pages=MAX_STOP_PAGES)
    return list(read_pages(paging, gate_reads(client, stop), stop=stop).values())


def load_spot_stop_orders(client: GateClient, market: str | None = None,
                      stop: threading.Event | None = None) -> list[Order]:
    """Every open price-triggered order (GET /spot/price_orders pages by limit and offset)."""
    client.ensure_clock(stop)
    paging = Paging[Order](
        path="/spot/price_orders", parse=lambda raw: [order_from_spot_stop_order(raw)], key=lambda order: order.id,
        by=By.OFFSET, before=[("status", "open")], after=[("market", market)] if market else [], limit=PAGE,
        max_pages=MAX_STOP_PAGES)
    return list(read_pages(paging, gate_reads(client, stop), stop=stop).values())


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


def futures_stop_status(data: dict[str, Any]) -> str:
    """A futures stop order's record in spot's words: open, cancelled, finished (fired or failed), or ""
    when it finished without saying how (then it is not known: it stays unknown, never counted cancelled)."""
    status = str(data.get("status") or "")
    if status != "finished":
        return status
    finish = futures_finish(data)
    if not finish:
        return ""
    return "cancelled" if finish in CANCELLED_WORDS else "finished"
