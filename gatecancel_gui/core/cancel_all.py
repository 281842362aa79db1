"""Server-side cancel-all for one pair (DELETE /spot/orders), confirmed by listing again.

Gate answers before it has finished, so "requested" is all the answer means: what is gone is what a
fresh listing no longer shows.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from gatecancel_gui.core.client import GateClient, Params
from gatecancel_gui.core.journal import Journal
from gatecancel_gui.core.models import Order
from gatecancel_gui.core.orders import load_pair_orders


@dataclass
class CancelAllResult:
    currency_pair: str
    side: str | None
    requested: bool
    before: list[Order] = field(default_factory=list)
    still_open: list[Order] = field(default_factory=list)

    @property
    def gone(self) -> list[Order]:
        open_ids = {o.id for o in self.still_open}
        return [o for o in self.before if o.id not in open_ids]


def cancel_all_in_pair(client: GateClient, currency_pair: str, side: str | None = None, *,
                       journal: Journal | None = None, confirm_timeout_s: float = 5.0,
                       poll_s: float = 0.25, stop: threading.Event | None = None) -> CancelAllResult:
    """Ask Gate to cancel every open order of one pair (optionally one side), then list until gone."""
    if side not in (None, "buy", "sell"):
        raise ValueError("side must be buy, sell or None")
    before = load_pair_orders(client, currency_pair, side=side)
    params: Params = [("currency_pair", currency_pair)]
    if side:
        params.append(("side", side))
    if client.account:
        params.append(("account", client.account))
    request_id = journal.sent("DELETE", "/spot/orders", [(currency_pair, f"*{side or ''}")]) if journal else ""
    started = time.perf_counter()
    try:
        response = client.request("DELETE", "/spot/orders", params=params)
    except Exception as exc:
        if journal:
            journal.answered(request_id, status=getattr(exc, "status", None),
                             latency_ms=(time.perf_counter() - started) * 1000,
                             error=f"{getattr(exc, 'label', type(exc).__name__)}")
        raise
    if journal:
        journal.answered(request_id, status=response.status, latency_ms=response.latency_s * 1000,
                         results=[{"currency_pair": currency_pair, "id": "*", "succeeded": True,
                                   "label": "", "message": "requested"}])
    deadline = time.monotonic() + confirm_timeout_s
    wait = stop.wait if stop is not None else time.sleep
    while True:
        still_open = load_pair_orders(client, currency_pair, side=side)
        before_ids = {o.id for o in before}
        still_open = [o for o in still_open if o.id in before_ids]
        if not still_open or time.monotonic() >= deadline or (stop is not None and stop.is_set()):
            return CancelAllResult(currency_pair, side, True, before, still_open)
        wait(poll_s)
