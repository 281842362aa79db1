"""Faults the paper exchange can inject into the requests of one endpoint, in a fixed schedule, and the
middleware that delivers them: refusals, HTML or empty pages, drops, drips, slow, cut-off or mangled answers."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable
from enum import Enum
from typing import Any, Protocol

from gatecancel_gui.paper.errors import ApiError
from gatecancel_gui.paper.routing import Answer, Call, Next


class Fault(str, Enum):
    NONE = "none"
    BUSY_503 = "busy_503"                  # 503 TOO_BUSY, nothing applied
    ERROR_500_AFTER_APPLY = "error_500"    # applied, then 500 SERVER_ERROR
    RATE_429 = "rate_429"                  # 429 with reset headers, nothing applied
    DROP_AFTER_APPLY = "drop"              # applied, then the connection is closed with no answer
    SLOW_AFTER_APPLY = "slow"              # applied, answered after the client has given up
    DRIP_AFTER_APPLY = "drip"              # applied, answered one byte every `drip_s` (each read is quick)
    HTML_200 = "html_200"                  # an HTML page with status 200, nothing applied
    EMPTY_200 = "empty_200"                # status 200 with an empty body, nothing applied
    TRUNCATED_AFTER_APPLY = "truncated"    # applied, JSON cut off half way
    MISSING_FIELDS = "missing_fields"      # applied, results without `succeeded`
    NUMERIC_IDS = "numeric_ids"            # applied, `id` as a JSON number
    EXTRA_IDS = "extra_ids"                # applied, plus results for ids nobody asked about
    DROP_RESULTS = "drop_results"          # applied, half the results missing


class FaultPlan:
    """A queue of faults for one endpoint: each request takes the next; an empty queue means none."""

    def __init__(self, faults: Iterable[Fault | str] = (), *, repeat: Fault | str | None = None) -> None:
        self._queue: deque[Fault] = deque(Fault(f) for f in faults)
        self._repeat = Fault(repeat) if repeat else None
        self._lock = threading.Lock()
        self.taken: list[Fault] = []

    def next(self) -> Fault:
        with self._lock:
            fault = self._queue.popleft() if self._queue else (self._repeat or Fault.NONE)
            self.taken.append(fault)
            return fault


class FaultKnobs(Protocol):
    """What the exchange lets a test turn for faults (plain attributes on PaperExchange)."""

    fault_plans: dict[str, FaultPlan]   # by 'METHOD /template' (see Route.fault_key)
    busy_first_get: bool                # answer 503 TOO_BUSY to the first attempt of every distinct GET
    slow_s: float                       # SLOW_AFTER_APPLY: how long the answer waits
    drip_s: float                       # DRIP_AFTER_APPLY: seconds between the bytes of an answer


class DeliverFaults:
    """Middleware, last before the endpoint: takes the endpoint's next fault. A fault that applies nothing
    answers instead of the endpoint; one that applies lets the endpoint act, then spoils its answer."""

    def __init__(self, knobs: FaultKnobs, refused: Callable[[], ApiError]) -> None:
        self.knobs = knobs
        self.refused = refused  # the 429 RATE_429 answers (the rate limits know its headers)
        self._gets_seen: set[str] = set()
        self._lock = threading.Lock()

    def __call__(self, call: Call, next_step: Next) -> Answer:
        plan = self.knobs.fault_plans.get(call.route.fault_key(call.params))
        fault = plan.next() if plan else Fault.NONE
        if call.method == "GET" and self.knobs.busy_first_get and self._first_time(call.target):
            fault = Fault.BUSY_503
        if fault is Fault.RATE_429:
            raise self.refused()
        if fault is Fault.BUSY_503:
            raise ApiError(503, "TOO_BUSY", "Server is too busy, please retry later")
        if fault is Fault.HTML_200:
            return Answer(200, raw=b"<html><body><h1>Maintenance</h1></body></html>", content_type="text/html")
        if fault is Fault.EMPTY_200:
            return Answer(200, raw=b"")
        return self._after_apply(fault, next_step(call))

    def _first_time(self, target: str) -> bool:
        with self._lock:
            if target in self._gets_seen:
                return False
            self._gets_seen.add(target)
            return True

    def _after_apply(self, fault: Fault, answer: Answer) -> Answer:
        if fault is Fault.DROP_AFTER_APPLY:
            return Answer(answer.status, dropped=True)
        if fault is Fault.ERROR_500_AFTER_APPLY:
            return Answer(500, {"label": "SERVER_ERROR", "message": "Internal server error"})
        if fault is Fault.SLOW_AFTER_APPLY:
            time.sleep(self.knobs.slow_s)
        payload = answer.payload
        if isinstance(payload, list) and payload and isinstance(payload[0], dict):
            payload = _mangle(fault, payload)
        if fault is Fault.DRIP_AFTER_APPLY:
            return Answer(answer.status, raw=json.dumps(payload).encode(), drip_s=self.knobs.drip_s)
        if fault is Fault.TRUNCATED_AFTER_APPLY:
            raw = json.dumps(payload).encode()
            return Answer(answer.status, raw=raw[: max(1, len(raw) // 2)], headers=answer.headers)
        return Answer(answer.status, payload, headers=answer.headers)


def _mangle(fault: Fault, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if fault is Fault.MISSING_FIELDS:
        return [{k: v for k, v in r.items() if k not in ("succeeded", "label")} for r in results]
    if fault is Fault.NUMERIC_IDS:
        return [{**r, "id": int(r["id"])} for r in results]
    if fault is Fault.EXTRA_IDS:
        return [*results, {**results[0], "id": str(int(results[0]["id"]) + 10_000_000), "succeeded": True}]
    if fault is Fault.DROP_RESULTS:
        return results[: len(results) // 2]
    return results
