"""Request budgets: never more than N requests in any window of W seconds, shared by every thread and
every engine that works for one account (Gate counts per account, not per connection)."""

from __future__ import annotations

import re
import threading
import time
from collections import deque
from dataclasses import dataclass, field

CANCELS_PER_SECOND = 200      # batch, single and cancel-all share it
READS_PER_WINDOW = 180        # Gate allows 200 per 10 s per endpoint; a margin for clock and jitter
READ_WINDOW_S = 10.0


class RequestBudget:
    """Sliding-window limiter. `acquire` blocks until a request may go; a 429 can pause everyone."""

    def __init__(self, max_requests: int = CANCELS_PER_SECOND, window_s: float = 1.0) -> None:
        if max_requests < 1 or window_s <= 0:
            raise ValueError("a budget needs at least one request per positive window")
        self.max_requests = max_requests
        self.window_s = window_s
        self._sent: deque[float] = deque()
        self._paused_until = 0.0
        self._cond = threading.Condition()

    def acquire(self, stop: threading.Event | None = None) -> bool:
        """Take a slot, waiting for one if needed; returns False if it would have to wait after `stop`
        was set (a free slot is still taken: a read after Stop may go, but nothing waits)."""
        with self._cond:
            while (wait := self._take()) > 0:
                if stop is not None and stop.is_set():
                    return False
                self._cond.wait(timeout=min(max(wait, 0.001), 0.05))
            return True

    def try_acquire(self) -> bool:
        """Take a slot only if one is free now."""
        with self._cond:
            return self._take() <= 0

    def would_wait(self, requests: int) -> bool:
        """Whether `requests` more would have to wait now (a look: nothing is taken), e.g. to say so first."""
        with self._cond:
            now = time.monotonic()
            recent = sum(1 for at in self._sent if now - at < self.window_s)
            return self._paused_until > now or recent + requests > self.max_requests

    def _take(self) -> float:
        """Take a slot if one is free (returns 0), else how long until one may be (under the lock)."""
        now = time.monotonic()
        while self._sent and now - self._sent[0] >= self.window_s:
            self._sent.popleft()
        wait = self._paused_until - now
        if wait <= 0 and len(self._sent) < self.max_requests:
            self._sent.append(now)
            return 0.0
        return wait if wait > 0 else max(self.window_s - (now - self._sent[0]), 1e-6)

    def pause(self, seconds: float) -> None:
        """Hold every sender back (a 429 said when the window resets)."""
        with self._cond:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)
            self._cond.notify_all()


@dataclass
class AccountBudgets:
    """One account's budgets: one for every cancel endpoint together, one per read endpoint."""

    cancel: RequestBudget = field(default_factory=RequestBudget)
    _reads: dict[str, RequestBudget] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def read(self, endpoint: str) -> RequestBudget:
        template = endpoint_template(endpoint)
        with self._lock:
            budget = self._reads.get(template)
            if budget is None:
                budget = self._reads[template] = RequestBudget(READS_PER_WINDOW, READ_WINDOW_S)
            return budget


_ID_SEGMENT = re.compile(r"/(orders|price_orders)/[^/]+$")
_registry: dict[tuple[str, str], AccountBudgets] = {}
_registry_lock = threading.Lock()


def endpoint_template(endpoint: str) -> str:
    """Gate limits reads per endpoint, not per URL: /spot/orders/123 counts as /spot/orders/{id}."""
    return _ID_SEGMENT.sub(r"/\1/{id}", endpoint)


def budgets_for(base_url: str, api_key: str) -> AccountBudgets:
    """The budgets of one account on one exchange, shared by every client and engine that uses it."""
    with _registry_lock:
        budgets = _registry.get((base_url, api_key))
        if budgets is None:
            budgets = _registry[(base_url, api_key)] = AccountBudgets()
        return budgets
