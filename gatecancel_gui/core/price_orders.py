"""Price-triggered (stop) orders: Gate keeps them apart from open orders, and a plain cancel-all leaves
them alive. Loading them, and cancelling them one request per order (all Gate offers), with the same
outcome rules as the batch engine: `cancelled` only on Gate's word or the order's own status."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

from gatecancel_gui.core.client import GateClient, NoAnswer, NotSent, Params
from gatecancel_gui.core.errors import ErrorClass, GateError
from gatecancel_gui.core.journal import Journal
from gatecancel_gui.core.models import CancelOutcome, CancelReport, Order, OrderRef, OutcomeState, to_decimal
from gatecancel_gui.core.ratelimit import RequestBudget

log = logging.getLogger(__name__)
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
    )


def load_price_orders(client: GateClient, market: str | None = None) -> list[Order]:
    """Every open price-triggered order (GET /spot/price_orders pages by limit and offset)."""
    client.ensure_clock()
    found: dict[str, Order] = {}
    for offset in range(0, 100 * PAGE * 100, PAGE):
        params: Params = [("status", "open"), ("limit", str(PAGE)), ("offset", str(offset))]
        if market:
            params.append(("market", market))
        rows = client.request("GET", "/spot/price_orders", params=params).data
        rows = [r for r in rows if isinstance(r, dict) and "id" in r] if isinstance(rows, list) else []
        for raw in rows:
            order = order_from_price_order(raw)
            found[order.id] = order
        if len(rows) < PAGE:
            break
    return list(found.values())


class PriceOrderCanceller:
    """Cancels stop orders concurrently, one DELETE each, under the shared 200/s cancel budget."""

    def __init__(self, client: GateClient, *, journal: Journal | None = None, max_in_flight: int = 16,
                 budget: RequestBudget | None = None, retries: int = 3, backoff_s: float = 0.1) -> None:
        self.client, self.journal = client, journal
        self.max_in_flight, self.retries, self.backoff_s = max_in_flight, retries, backoff_s
        self.budget = budget or RequestBudget(200, 1.0)
        self._stop = threading.Event()
        self._fatal: GateError | None = None
        self._lock = threading.Lock()
        self._report = CancelReport()
        self._on_outcome: Callable[[CancelOutcome], None] | None = None

    def stop(self) -> None:
        self._stop.set()

    def run(self, refs: Iterable[OrderRef], on_outcome: Callable[[CancelOutcome], None] | None = None) -> CancelReport:
        self._on_outcome = on_outcome
        refs = list(dict.fromkeys(refs))
        if refs:
            with ThreadPoolExecutor(max_workers=min(self.max_in_flight, len(refs)), thread_name_prefix="stop") as pool:
                list(pool.map(self._cancel_one, refs))
        self._report.stopped = self._stop.is_set() and self._fatal is None
        self._report.fatal_error = self._fatal.user_message if self._fatal else ""
        return self._report

    def _cancel_one(self, ref: OrderRef) -> None:
        maybe_applied = False
        for attempt in range(1, self.retries + 2):
            if self._stop.is_set() or self._fatal is not None or not self.budget.acquire(self._stop):
                reason = self._fatal.user_message if self._fatal else "the cancel was stopped."
                self._emit(CancelOutcome(ref, OutcomeState.NOT_SENT, self._fatal.label if self._fatal else "STOPPED",
                                         "Not sent: " + reason))
                return
            self._emit(CancelOutcome(ref, OutcomeState.IN_FLIGHT))
            request_id = self.journal.sent("DELETE", "/spot/price_orders/{id}", [(ref.currency_pair, ref.id)],
                                           attempt) if self.journal else ""
            started = time.perf_counter()
            try:
                self.client.request("DELETE", f"/spot/price_orders/{ref.id}")
            except NotSent as exc:
                self._answered(request_id, None, started, f"not sent: {exc.label}")
                time.sleep(self.backoff_s * attempt)
                continue
            except NoAnswer as exc:
                self._answered(request_id, exc.status, started, f"no answer: {exc.label}")
                maybe_applied = True
                if self._settle(ref):
                    return
                continue
            except GateError as exc:
                self._answered(request_id, exc.status, started, f"{exc.label}: {exc.message}")
                if exc.error_class is ErrorClass.RATE:
                    self.budget.pause(exc.retry_after_s or 1.0)
                    continue
                if exc.error_class is ErrorClass.SERVER:
                    maybe_applied = maybe_applied or exc.label != "TOO_BUSY"
                    time.sleep(self.backoff_s * attempt)
                    continue
                if exc.stops_everything:
                    with self._lock:
                        self._fatal = self._fatal or exc
                if maybe_applied and self._settle(ref):
                    return
                self._emit(CancelOutcome(ref, OutcomeState.REJECTED, exc.label, exc.message or exc.user_message))
                return
            self._answered(request_id, 200, started, "", ref)
            self._emit(CancelOutcome(ref, OutcomeState.CANCELLED))
            return
        if not (maybe_applied and self._settle(ref)):
            self._emit(CancelOutcome(ref, OutcomeState.UNKNOWN, "NO_ANSWER",
                                     "No usable answer from Gate: look at this stop order on Gate."))

    def _settle(self, ref: OrderRef) -> bool:
        """Read the order itself after an unanswered cancel; True when that settled its outcome."""
        try:
            data = self.client.request("GET", f"/spot/price_orders/{ref.id}").data
        except GateError as exc:
            if exc.label == "ORDER_NOT_FOUND":
                self._emit(CancelOutcome(ref, OutcomeState.REJECTED, exc.label, "Gate has no such stop order now.",
                                         reconciled=True))
                return True
            return False
        status = str(data.get("status", "")) if isinstance(data, dict) else ""
        if status == "cancelled":
            self._emit(CancelOutcome(ref, OutcomeState.CANCELLED, reconciled=True))
            return True
        if status and status != "open":
            self._emit(CancelOutcome(ref, OutcomeState.REJECTED, "ORDER_CLOSED",
                                     f"The stop order is {status}, not cancelled.", reconciled=True))
            return True
        return False  # still open: send the cancel again

    def _emit(self, outcome: CancelOutcome) -> None:
        with self._lock:
            if outcome.state is not OutcomeState.IN_FLIGHT:
                self._report.outcomes[outcome.ref] = outcome
            else:
                self._report.requests_sent += 1
            if self._on_outcome is not None:
                try:
                    self._on_outcome(outcome)
                except Exception:
                    log.exception("outcome callback failed")

    def _answered(self, request_id: str, status: int | None, started: float, error: str,
                  ref: OrderRef | None = None) -> None:
        if self.journal is None or not request_id:
            return
        results = None
        if ref is not None:
            results = [{"currency_pair": ref.currency_pair, "id": ref.id, "succeeded": True, "label": "",
                        "message": ""}]
        self.journal.answered(request_id, status=status, latency_ms=(time.perf_counter() - started) * 1000,
                              results=results, error=error)
