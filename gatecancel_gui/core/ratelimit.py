"""A request budget: never more than N requests in any window of W seconds, shared by threads."""

from __future__ import annotations

import threading
import time
from collections import deque


class RequestBudget:
    """Sliding-window limiter. `acquire` blocks until a request may go; a 429 can pause everyone."""

    def __init__(self, max_requests: int = 200, window_s: float = 1.0) -> None:
        if max_requests < 1 or window_s <= 0:
            raise ValueError("a budget needs at least one request per positive window")
        self.max_requests = max_requests
        self.window_s = window_s
        self._sent: deque[float] = deque()
        self._paused_until = 0.0
        self._cond = threading.Condition()

    def acquire(self, stop: threading.Event | None = None) -> bool:
        """Wait for a slot and take it; returns False if `stop` was set while waiting."""
        with self._cond:
            while True:
                if stop is not None and stop.is_set():
                    return False
                now = time.monotonic()
                while self._sent and now - self._sent[0] >= self.window_s:
                    self._sent.popleft()
                wait = self._paused_until - now
                if wait <= 0 and len(self._sent) < self.max_requests:
                    self._sent.append(now)
                    return True
                if wait <= 0:
                    wait = self.window_s - (now - self._sent[0])
                self._cond.wait(timeout=min(max(wait, 0.001), 0.05))

    def pause(self, seconds: float) -> None:
        """Hold every sender back (a 429 said when the window resets)."""
        with self._cond:
            self._paused_until = max(self._paused_until, time.monotonic() + seconds)
            self._cond.notify_all()
