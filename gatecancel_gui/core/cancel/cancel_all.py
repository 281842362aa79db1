"""Server-side cancel-all (DELETE /spot/orders) for a scope: every pair, one pair, optionally one side,
optionally with the price-triggered (stop) orders that a plain cancel-all leaves alive.

Gate answers before it has finished, so "requested" is all the answer means: the orders are listed
again until the targeted ones are gone, and each one that vanished is looked up among the finished
orders to say whether it was cancelled or filled first. Nothing is reported cancelled on a guess."""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from gatecancel_gui.core.cancel.futures_batch import futures_record, look_up_futures_order
from gatecancel_gui.core.cancel.method import Answer, CancelMethod, Found, Record, look_up_each
from gatecancel_gui.core.cancel.run import CancelRun, CancelSettings, OnOutcome
from gatecancel_gui.core.cancel.spot_batch import look_up_one, spot_record
from gatecancel_gui.core.cancel.stop_orders_each import StopOrderEach
from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order, OrderRef
from gatecancel_gui.core.domain.outcomes import CancelReport
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.gate.client import GateClient, Params, PendingAnswer
from gatecancel_gui.core.gate.futures_orders import load_futures_orders
from gatecancel_gui.core.gate.spot_orders import find_finished, load_open_orders, load_pair_orders
from gatecancel_gui.core.gate.stop_orders import load_futures_stop_orders, load_spot_stop_orders
from gatecancel_gui.core.store.journal import Journal


@dataclass
class CancelAllResult:
    scope: Scope
    requested: bool
    before: list[Order] = field(default_factory=list)
    report: CancelReport = field(default_factory=CancelReport)
    stop_orders: list[Order] = field(default_factory=list)

    @property
    def still_open(self) -> list[Order]:
        return [o for o in self.before if (r := self.report.outcomes.get(o.ref)) is not None
                and r.label == "STILL_OPEN"]

    @property
    def gone(self) -> list[Order]:
        still_open = {o.ref for o in self.still_open}  # by identity: the same id can exist in two markets
        return [o for o in self.before if o.ref not in still_open]


def list_scope(client: GateClient, scope: Scope, stop: threading.Event | None = None) -> list[Order]:
    if scope.market.is_futures:
        orders = load_futures_orders(client, scope.market, contract=scope.pair, stop=stop)
    elif scope.pair:
        orders = load_pair_orders(client, scope.pair, side=scope.side, stop=stop)
    else:
        orders = load_open_orders(client, stop=stop)
    return [o for o in orders if scope.matches(o)]


def still_listed(client: GateClient, scope: Scope, refs: list[OrderRef], timeout_s: float, poll_s: float,
                 stop: threading.Event) -> dict[OrderRef, Record]:
    """List the scope again until none of the orders is there or the timeout passes (a cancel-all is
    answered before it is done); the ones still listed are open."""
    wanted = {ref.id for ref in refs}
    deadline = time.monotonic() + timeout_s
    while True:
        open_ids = {o.id for o in list_scope(client, scope, stop)} & wanted
        if not open_ids or time.monotonic() >= deadline or stop.wait(poll_s):
            break
    return {ref: Record(Found.OPEN) for ref in refs if ref.id in open_ids}


class SpotCancelAll(CancelMethod):
    """One DELETE /spot/orders for the whole scope. Gate answers before it has finished, so the answer
    only means "requested": every targeted order is confirmed by listing again and looked up among the
    finished orders. An order still open is reported, never cancelled again behind the user's back."""

    endpoint = "DELETE /spot/orders"
    resend_open = False
    still_open_message = "Still open after the cancel-all: Gate has not removed it."

    def __init__(self, scope: Scope, *, confirm_timeout_s: float = 5.0, poll_s: float = 0.25) -> None:
        self.scope, self.confirm_timeout_s, self.poll_s = scope, confirm_timeout_s, poll_s

    def groups(self, refs: list[OrderRef], size: int) -> list[list[OrderRef]]:
        return [refs]  # one request, even when nothing was listed: a bot may have placed one since


    def journal_orders(self, group: list[OrderRef]) -> list[tuple[str, str]]:
        return [(self.scope.pair or "*", f"* {self.scope.side or 'both'}")]

    def journal_results(self, group: list[OrderRef], answers: dict[OrderRef, Answer]) -> list[dict[str, Any]]:
        return [{"currency_pair": self.scope.pair or "*", "id": "*", "succeeded": True, "label": "",
                 "message": "accepted; confirmed by listing again"}]

    def start(self, client: GateClient, group: list[OrderRef]) -> PendingAnswer:
        params: Params = []
        if self.scope.pair:
            params.append(("currency_pair", self.scope.pair))
        if self.scope.side:
            params.append(("side", self.scope.side))
        if client.account:
            params.append(("account", client.account))
        return client.start("DELETE", "/spot/orders", params=params)

    def read_answer(self, group: list[OrderRef], data: Any) -> dict[OrderRef, Answer]:
        return {ref: Answer(None, "CONFIRMING", "Cancel-all accepted; confirming by listing again.") for ref in group}

    def look_up(self, client: GateClient, refs: list[OrderRef], *, since_ms: int, stop: threading.Event,
                in_flight: int) -> dict[OrderRef, Record]:
        records = still_listed(client, self.scope, refs, self.confirm_timeout_s, self.poll_s, stop)
        by_pair: dict[str, list[OrderRef]] = defaultdict(list)
        for ref in refs:
            if ref not in records:
                by_pair[ref.instrument].append(ref)
        missing: list[OrderRef] = []
        for pair, gone in by_pair.items():
            finished = find_finished(client, pair, {r.id for r in gone}, since_ms=since_ms, stop=stop)
            for ref in gone:
                record = spot_record(finished.get(ref.id), "The order filled before the cancel-all.")
                if record is None:
                    missing.append(ref)  # not listed: ask the order itself
                else:
                    records[ref] = record
        for ref in missing:
            record = look_up_one(client, ref, stop)
            if record is not None:
                records[ref] = record
        return records


class FuturesCancelAll(CancelMethod):
    """DELETE /futures/{settle}/orders per contract (Gate's futures cancel-all needs one). Gate answers with
    the orders it cancelled: each one it names as cancelled is its word for that order; the rest are
    confirmed by listing the contract again and asking each order's record. An order still open is
    reported, never cancelled again behind the user's back."""

    resend_open = False
    still_open_message = "Still open after the cancel-all: Gate has not removed it."

    def __init__(self, scope: Scope, *, confirm_timeout_s: float = 5.0, poll_s: float = 0.25) -> None:
        self.scope, self.confirm_timeout_s, self.poll_s = scope, confirm_timeout_s, poll_s
        self.endpoint = "DELETE " + scope.market.spec.cancel_all

    def groups(self, refs: list[OrderRef], size: int) -> list[list[OrderRef]]:
        """One request per contract; one for the scope's contract even when nothing was listed in it."""
        if self.scope.pair:
            return [refs]
        by_contract: dict[str, list[OrderRef]] = defaultdict(list)
        for ref in refs:
            by_contract[ref.instrument].append(ref)
        return list(by_contract.values())


    def _contract(self, group: list[OrderRef]) -> str:
        return self.scope.pair or group[0].instrument

    def journal_orders(self, group: list[OrderRef]) -> list[tuple[str, str]]:
        return [(self._contract(group), f"* {self.scope.side or 'both'}")]

    def journal_results(self, group: list[OrderRef], answers: dict[OrderRef, Answer]) -> list[dict[str, Any]]:
        return [{"contract": self._contract(group), "id": ref.id, "succeeded": a.succeeded, "label": a.label,
                 "message": a.message} for ref, a in answers.items()]

    def start(self, client: GateClient, group: list[OrderRef]) -> PendingAnswer:
        params: Params = [("contract", self._contract(group))]
        if self.scope.side:
            params.append(("side", "bid" if self.scope.side == "buy" else "ask"))
        return client.start("DELETE", self.scope.market.spec.cancel_all, params=params)

    def read_answer(self, group: list[OrderRef], data: Any) -> dict[OrderRef, Answer]:
        named = {str(o.get("id")): o for o in data if isinstance(o, dict)} if isinstance(data, list) else {}
        answers: dict[OrderRef, Answer] = {}
        for ref in group:
            record = futures_record(named.get(ref.id))
            if record is not None and record.found is Found.CANCELLED:
                answers[ref] = Answer(True, text=record.text)
            else:
                answers[ref] = Answer(None, "CONFIRMING", "Cancel-all accepted; confirming by listing again.")
        return answers

    def look_up(self, client: GateClient, refs: list[OrderRef], *, since_ms: int, stop: threading.Event,
                in_flight: int) -> dict[OrderRef, Record]:
        records = still_listed(client, self.scope, refs, self.confirm_timeout_s, self.poll_s, stop)
        gone = [ref for ref in refs if ref not in records]
        records.update(look_up_each(gone, lambda ref: look_up_futures_order(client, ref, stop), in_flight))
        return records


def load_scope_stop_orders(client: GateClient, scope: Scope, stop: threading.Event | None = None) -> list[Order]:
    if scope.market.is_futures:
        return load_futures_stop_orders(client, scope.market, scope.pair, stop)
    return load_spot_stop_orders(client, scope.pair, stop)


def cancel_all(client: GateClient, scope: Scope, *, journal: Journal | None = None,
               on_outcome: OnOutcome | None = None, confirm_timeout_s: float = 5.0, poll_s: float = 0.25,
               stop: threading.Event | None = None, settings: CancelSettings | None = None) -> CancelAllResult:
    """Cancel everything in the scope server-side, confirm by listing again, then (if asked) the scope's
    stop orders one by one. Both phases are runs sharing one Stop."""
    if refusal := scope.server_side_refusal("A cancel-all"):
        raise ConfigError(refusal)
    stop = stop or threading.Event()
    before = list_scope(client, scope, stop)
    stop_orders = [o for o in load_scope_stop_orders(client, scope, stop) if scope.matches(o)] \
        if scope.include_stop_orders else []
    method: CancelMethod = SpotCancelAll(scope, confirm_timeout_s=confirm_timeout_s, poll_s=poll_s) \
        if scope.market is Market.SPOT else FuturesCancelAll(scope, confirm_timeout_s=confirm_timeout_s, poll_s=poll_s)
    scope_run = CancelRun(client, method, journal=journal, settings=settings, stop=stop)
    report = scope_run.run([o.ref for o in before], on_outcome)
    requested = report.requests_sent > 0 and not report.refused
    if stop_orders:
        stop_report = CancelRun(client, StopOrderEach(), journal=journal, settings=settings, stop=stop,
                                refused=scope_run.refused).run([o.ref for o in stop_orders], on_outcome)
        report.outcomes.update(stop_report.outcomes)
        report.requests_sent += stop_report.requests_sent
        report.refused = report.refused or stop_report.refused
        report.stopped = (report.stopped or stop_report.stopped) and not report.refused
    return CancelAllResult(scope, requested, before, report, stop_orders)
