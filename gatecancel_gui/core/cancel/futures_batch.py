"""Perpetual futures orders cancelled in batches of ids (POST /futures/{settle}/batch_cancel_orders, a JSON
array of at most 20 id strings), looked up one by one. A way of sending for the one run (run.py): the
run's truth rules hold as they do for spot."""

from __future__ import annotations

import threading
from typing import Any

from gatecancel_gui.core.cancel.method import (
    MAX_BATCH,
    Answer,
    CancelMethod,
    Found,
    Record,
    look_up_each,
    read_record,
    results_by_id,
)
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import OrderRef, to_decimal
from gatecancel_gui.core.gate.client import GateClient, PendingAnswer


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
