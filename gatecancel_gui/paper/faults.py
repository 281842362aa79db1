"""Faults the paper exchange can inject into the requests of one endpoint, in a fixed schedule."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterable
from enum import Enum


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
