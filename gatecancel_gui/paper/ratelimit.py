"""Middleware: Gate's rate limits on signed endpoints (one window for POST and DELETE, one per GET
endpoint), a 429 past them, and the X-Gate-RateLimit-* headers on every answer that passed."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

from gatecancel_gui.paper.errors import ApiError
from gatecancel_gui.paper.routing import Answer, Call, Next


class SlidingWindow:
    """Counts requests in a sliding window; answers whether one more is allowed and when it resets."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit, self.window_s = limit, window_s
        self.times: deque[float] = deque()
        self.lock = threading.Lock()
        self.peak = 0

    def take(self) -> tuple[bool, int, float]:
        with self.lock:
            now = time.time()
            while self.times and now - self.times[0] >= self.window_s:
                self.times.popleft()
            reset = (self.times[0] + self.window_s) if self.times else now + self.window_s
            if len(self.times) >= self.limit:
                return False, 0, reset
            self.times.append(now)
            self.peak = max(self.peak, len(self.times))
            return True, self.limit - len(self.times), reset


class RateLimits:
    def __init__(self, *, cancel_limit: int, cancel_window_s: float, get_limit: int, get_window_s: float,
                 reset_in_ms: bool, clock_offset_s: Callable[[], float]) -> None:
        self.cancel_window = SlidingWindow(cancel_limit, cancel_window_s)
        self.get_limit, self.get_window_s = get_limit, get_window_s
        self.get_windows: dict[str, SlidingWindow] = {}
        self.reset_in_ms = reset_in_ms
        self.clock_offset_s = clock_offset_s  # the reset is stamped in the server's (maybe skewed) time

    def __call__(self, call: Call, next_step: Next) -> Answer:
        if not call.route.public:
            call.reply_headers = self._take(call.method, call.route.template)
        return next_step(call)

    def _take(self, method: str, template: str) -> dict[str, str]:
        if method in ("POST", "DELETE"):
            window = self.cancel_window
        else:
            window = self.get_windows.setdefault(template, SlidingWindow(self.get_limit, self.get_window_s))
        allowed, remain, reset = window.take()
        headers = self.reset_headers(reset, remain, window.limit)
        if not allowed:
            raise ApiError(429, "TOO_MANY_REQUESTS", "Request Rate Limit Exceeded", headers)
        return headers

    def refused(self) -> ApiError:
        """The 429 a fault plan asks for: the cancel window is said to be full for another 0.2 s."""
        return ApiError(429, "TOO_MANY_REQUESTS", "Request Rate Limit Exceeded",
                        self.reset_headers(time.time() + 0.2, 0, self.cancel_window.limit))

    def reset_headers(self, reset: float, remain: int, limit: int) -> dict[str, str]:
        stamp = reset + self.clock_offset_s()
        return {
            "X-Gate-RateLimit-Requests-Remain": str(remain),
            "X-Gate-RateLimit-Limit": str(limit),
            "X-Gate-RateLimit-Reset-Timestamp": str(int(stamp * 1000)) if self.reset_in_ms else f"{stamp:.3f}",
        }
