"""Server-side cancel-all (DELETE /spot/orders) for a scope: every pair, one pair, optionally one side,
optionally with the price-triggered (stop) orders that a plain cancel-all leaves alive.

Gate answers before it has finished, so "requested" is all the answer means: the orders are listed
again until the targeted ones are gone, and each one that vanished is looked up among the finished
orders to say whether it was cancelled or filled first. Nothing is reported cancelled on a guess."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from gatecancel_gui.core.cancel import outcome_from_record
from gatecancel_gui.core.client import GateClient, Params
from gatecancel_gui.core.errors import GateError
from gatecancel_gui.core.journal import Journal
from gatecancel_gui.core.models import CancelOutcome, CancelReport, Order, OrderRef, OutcomeState
from gatecancel_gui.core.orders import find_finished, load_open_orders, load_pair_orders
from gatecancel_gui.core.price_orders import PriceOrderCanceller, load_price_orders

OnOutcome = Callable[[CancelOutcome], None]


@dataclass(frozen=True)
class Scope:
    pair: str | None = None          # None: every pair
    side: str | None = None          # None: both sides
    include_stop_orders: bool = False

    def __post_init__(self) -> None:
        if self.side not in (None, "buy", "sell"):
            raise ValueError("side must be buy, sell or None")

    def describe(self) -> str:
        where = f"in {self.pair}" if self.pair else "in every pair"
        side = f"{self.side} " if self.side else ""
        return f"all open {side}orders {where}"

    def stop_orders_note(self) -> str:
        if self.include_stop_orders:
            return "Stop (price-triggered) orders in this scope are included."
        return "Stop (price-triggered) orders are NOT included: a plain cancel-all leaves them alive."

    def question(self, environment: str) -> str:
        """The confirmation, naming the scope and the environment."""
        return f"Cancel {self.describe()} on {environment.upper()}? {self.stop_orders_note()}"

    def matches(self, order: Order) -> bool:
        return (not self.pair or order.currency_pair == self.pair) and (not self.side or order.side == self.side)


@dataclass
class CancelAllResult:
    scope: Scope
    requested: bool
    before: list[Order] = field(default_factory=list)
    still_open: list[Order] = field(default_factory=list)
    report: CancelReport = field(default_factory=CancelReport)
    stop_orders: list[Order] = field(default_factory=list)

    @property
    def gone(self) -> list[Order]:
        open_ids = {o.id for o in self.still_open}
        return [o for o in self.before if o.id not in open_ids]


def list_scope(client: GateClient, scope: Scope) -> list[Order]:
    orders = load_pair_orders(client, scope.pair, side=scope.side) if scope.pair else load_open_orders(client)
    return [o for o in orders if scope.matches(o)]


def cancel_all(client: GateClient, scope: Scope, *, journal: Journal | None = None,
               on_outcome: OnOutcome | None = None, confirm_timeout_s: float = 5.0, poll_s: float = 0.25,
               stop: threading.Event | None = None) -> CancelAllResult:
    """Cancel everything in the scope server-side, then confirm and classify by listing again."""
    emit = on_outcome or (lambda outcome: None)
    before = list_scope(client, scope)
    stop_orders = [o for o in load_price_orders(client, scope.pair) if scope.matches(o)] \
        if scope.include_stop_orders else []
    result = CancelAllResult(scope, False, before, stop_orders=stop_orders)
    for order in before:
        emit(CancelOutcome(order.ref, OutcomeState.IN_FLIGHT))
    started_ms = int(client.clock.now() * 1000)
    _request_cancel_all(client, scope, journal)
    result.requested = True

    deadline = time.monotonic() + confirm_timeout_s
    wanted = {o.id for o in before}
    while True:
        still_open = [o for o in list_scope(client, scope) if o.id in wanted]
        if not still_open or time.monotonic() >= deadline or (stop is not None and stop.is_set()):
            break
        (stop.wait if stop is not None else time.sleep)(poll_s)
    result.still_open = still_open
    for order in still_open:
        _record(result, emit, CancelOutcome(order.ref, OutcomeState.REJECTED, "STILL_OPEN",
                                            "Still open after the cancel-all: Gate has not removed it."))
    _classify_gone(client, result, emit, started_ms)
    if stop_orders:
        stop_report = PriceOrderCanceller(client, journal=journal).run([o.ref for o in stop_orders], emit)
        for ref, outcome in stop_report.outcomes.items():
            result.report.outcomes[ref] = outcome
        result.report.fatal_error = result.report.fatal_error or stop_report.fatal_error
    return result


def _request_cancel_all(client: GateClient, scope: Scope, journal: Journal | None) -> None:
    params: Params = []
    if scope.pair:
        params.append(("currency_pair", scope.pair))
    if scope.side:
        params.append(("side", scope.side))
    if client.account:
        params.append(("account", client.account))
    target = [(scope.pair or "*", f"* {scope.side or 'both'}")]
    request_id = journal.sent("DELETE", "/spot/orders", target) if journal else ""
    started = time.perf_counter()
    try:
        response = client.request("DELETE", "/spot/orders", params=params)
    except GateError as exc:
        if journal:
            journal.answered(request_id, status=exc.status, latency_ms=(time.perf_counter() - started) * 1000,
                             error=f"{exc.label}: {exc.message}")
        raise
    if journal:
        journal.answered(request_id, status=response.status, latency_ms=response.latency_s * 1000,
                         results=[{"currency_pair": scope.pair or "*", "id": "*", "succeeded": True,
                                   "label": "", "message": "accepted; confirmed by listing again"}])


def _classify_gone(client: GateClient, result: CancelAllResult, emit: OnOutcome, started_ms: int) -> None:
    """Look each vanished order up among the pair's finished orders: cancelled, or filled first."""
    by_pair: dict[str, set[str]] = defaultdict(set)
    for order in result.gone:
        by_pair[order.currency_pair].add(order.id)
    for pair, missing in by_pair.items():
        for order_id, raw in find_finished(client, pair, missing, since_ms=started_ms).items():
            missing.discard(order_id)
            _record(result, emit, _outcome_from_status(OrderRef(pair, order_id), raw))
        for order_id in missing:  # not listed: ask the order itself
            ref = OrderRef(pair, order_id)
            try:
                raw = client.request("GET", f"/spot/orders/{order_id}", params=[("currency_pair", pair)]).data
                outcome = _outcome_from_status(ref, raw)
            except GateError as exc:
                outcome = CancelOutcome(ref, OutcomeState.UNKNOWN, exc.label,
                                        "Gone from the open orders, but Gate would not say how: check it on Gate.")
            _record(result, emit, outcome)


def _outcome_from_status(ref: OrderRef, raw: object) -> CancelOutcome:
    record = raw if isinstance(raw, dict) else {}
    outcome = outcome_from_record(ref, record, "The order filled before the cancel-all.")
    if outcome is not None:
        return outcome
    if record.get("status") == "open":
        return CancelOutcome(ref, OutcomeState.REJECTED, "STILL_OPEN", "Still open after the cancel-all.")
    return CancelOutcome(ref, OutcomeState.UNKNOWN, "NO_STATUS", "Gate did not say what became of this order.")


def _record(result: CancelAllResult, emit: OnOutcome, outcome: CancelOutcome) -> None:
    result.report.outcomes[outcome.ref] = outcome
    emit(outcome)
