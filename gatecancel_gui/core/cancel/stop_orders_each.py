"""Stop orders cancelled one DELETE per order (all Gate offers), with the run's outcome rules."""

from __future__ import annotations

import threading
from typing import Any

from gatecancel_gui.core.cancel.method import Answer, CancelMethod, Found, Record, look_up_each, status_record
from gatecancel_gui.core.domain.errors import GateError, Stopped
from gatecancel_gui.core.domain.orders import OrderRef
from gatecancel_gui.core.gate.client import GateClient, PendingAnswer
from gatecancel_gui.core.gate.stop_orders import CANCELLED_WORDS, futures_finish, futures_stop_status


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
                status = futures_stop_status(data)
            return status_record(status, filled_as=("finished", "closed", "triggered", "failed", "expired"),
                                 detail=f"The stop order is {status}, not cancelled.")

        return look_up_each(refs, one, in_flight)
