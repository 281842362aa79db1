"""What reached the paper exchange, for the tests and benchmarks that read it: every routed request
(method, endpoint, batch size), the signatures seen, how many requests were in flight at the peak, and the
WebSockets opened, subscribed and pushed to. Kept apart so counting never mixes with answering."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


class Stats:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str, int]] = []   # (method, endpoint, batch size or 0)
        self.signatures_seen: list[str] = []              # so tests can look for them where they must never be
        self.cancel_seen = threading.Event()              # set when the first batch cancel has been applied
        self.in_flight = 0
        self.peak_in_flight = 0
        self.cancels_in_flight = 0                        # POST and DELETE only: what a cancel engine's bound is about
        self.peak_cancels_in_flight = 0
        self.sockets_opened = 0                           # WebSockets (counted under the socket hub's lock)
        self.ws_subscriptions = 0
        self.ws_notifications = 0                         # order notifications pushed, every socket
        self._lock = threading.Lock()

    @contextmanager
    def in_flight_while(self, cancel: bool) -> Iterator[None]:
        """Counts a request as in flight (and a POST or DELETE as a cancel in flight) while it is handled."""
        with self._lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            self.cancels_in_flight += cancel
            self.peak_cancels_in_flight = max(self.peak_cancels_in_flight, self.cancels_in_flight)
        try:
            yield
        finally:
            with self._lock:
                self.in_flight -= 1
                self.cancels_in_flight -= cancel

    def record(self, method: str, endpoint: str, results: Any) -> None:
        """A request an endpoint handled; `results` is a batch's answer (one result an order), else None."""
        size = len(results) if results is not None else 0
        with self._lock:
            self.requests.append((method, endpoint, size))
        if size:
            self.cancel_seen.set()

    def cancel_requests(self, endpoint: str) -> list[int]:
        return [n for _method, seen, n in self.requests if seen == endpoint]
