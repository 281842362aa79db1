"""Spot open orders, cancelled in batches: POST /spot/cancel_batch_orders with at most 20 orders a
request, several requests in flight (the run does the rest), and unknown orders looked up in bulk."""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
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
    status_record,
)
from gatecancel_gui.core.domain.errors import GateError, Stopped
from gatecancel_gui.core.domain.orders import OrderRef, to_decimal
from gatecancel_gui.core.gate.client import GateClient, Params, PendingAnswer
from gatecancel_gui.core.gate.spot_orders import find_finished, load_pair_orders

log = logging.getLogger(__name__)

BATCH_ENDPOINT = "/spot/cancel_batch_orders"
BULK_RECONCILE_FROM = 8  # unknown orders in one pair from which listing beats asking one by one



def spot_record(raw: object, detail: str = "") -> Record | None:
    """A spot order's record: open, cancelled, or closed (filled) first."""
    record = raw if isinstance(raw, dict) else {}
    left = to_decimal(record["left"]) if record.get("left") not in (None, "") else None
    return status_record(record.get("status"), record.get("text"), detail=detail, left=left)


class SpotBatch(CancelMethod):
    """Up to 20 open orders a request, pairs mixed; results matched by id and pair."""

    endpoint = "POST " + BATCH_ENDPOINT
    group_size = MAX_BATCH

    def start(self, client: GateClient, group: list[OrderRef]) -> PendingAnswer:
        body = []
        for ref in group:
            item = {"currency_pair": ref.instrument, "id": ref.id}
            if client.account:
                item["account"] = client.account
            body.append(item)
        return client.start("POST", BATCH_ENDPOINT, body=body)

    def read_answer(self, group: list[OrderRef], data: Any) -> dict[OrderRef, Answer]:
        by_id = results_by_id(data)
        answers: dict[OrderRef, Answer] = {}
        for ref in group:
            item = by_id.get(ref.id)
            pair = item.get("currency_pair") if item else None
            if item is None or (pair and pair != ref.instrument):
                continue
            succeeded = item.get("succeeded")
            answers[ref] = Answer(succeeded if isinstance(succeeded, bool) else None,
                                  str(item.get("label") or ""), str(item.get("message") or ""),
                                  str(item.get("text") or ""))
        return answers

    def look_up(self, client: GateClient, refs: list[OrderRef], *, since_ms: int, stop: threading.Event,
                in_flight: int) -> dict[OrderRef, Record]:
        """Many unknown orders in one pair (a dropped answer carries 20) are looked up in bulk: the pair's
        open orders and its recently finished ones, 100 a request, instead of one GET each against a limit
        of 200 per 10 s. Whatever the bulk pass cannot place is asked one by one."""
        records: dict[OrderRef, Record] = {}
        by_pair: dict[str, list[OrderRef]] = defaultdict(list)
        for ref in refs:
            by_pair[ref.instrument].append(ref)
        one_by_one: list[OrderRef] = []
        for pair, pair_refs in by_pair.items():
            if len(pair_refs) >= BULK_RECONCILE_FROM:
                records.update(_look_up_pair(client, pair, pair_refs, since_ms, stop))
            one_by_one += [ref for ref in pair_refs if ref not in records]
        records.update(look_up_each(one_by_one, lambda ref: look_up_one(client, ref, stop), in_flight))
        return records


def _look_up_pair(client: GateClient, pair: str, refs: list[OrderRef], since_ms: int,
                  stop: threading.Event) -> dict[OrderRef, Record]:
    records: dict[OrderRef, Record] = {}
    try:
        open_ids = {o.id for o in load_pair_orders(client, pair, stop=stop)}
        records.update({ref: Record(Found.OPEN) for ref in refs if ref.id in open_ids})
        wanted = {ref.id for ref in refs if ref not in records}
        finished = find_finished(client, pair, wanted, since_ms=since_ms, stop=stop) if wanted else {}
    except (GateError, Stopped) as exc:
        log.info("bulk look-up of %s failed (%s); asking order by order", pair, exc)
        return records
    for ref in refs:
        record = spot_record(finished.get(ref.id))
        if record is not None:
            records[ref] = record
    return records


def look_up_one(client: GateClient, ref: OrderRef, stop: threading.Event) -> Record | None:
    """GET /spot/orders/{id}: the order's own record, or None when Gate would not say."""
    params: Params = [("currency_pair", ref.instrument)]
    if client.account:
        params.append(("account", client.account))
    return read_record(ref, lambda: client.request("GET", f"/spot/orders/{ref.id}", params=params, stop=stop).data,
                       spot_record)
