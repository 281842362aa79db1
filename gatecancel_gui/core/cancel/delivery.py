"""Handing a run's outcomes to a consumer (the window, the command line, a stream) outside the run's lock.

A consumer may be slow; while it works, the threads that send must not wait for it. Items are queued in the
order they were recorded, under the lock that recorded them, and handed over afterwards by one thread at a
time (whichever found the queue idle), so each order's outcomes arrive in the order they happened."""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")
log = logging.getLogger(__name__)


class InOrder(Generic[T]):
    def __init__(self, callback: Callable[[T], None]) -> None:
        self._callback = callback
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._queue: deque[T] = deque()
        self._handing = False

    def add(self, item: T) -> bool:
        """Queue an item; call it under the lock that ordered it. True: the caller hands the queue over
        (`hand_over()`), after releasing that lock."""
        with self._lock:
            self._queue.append(item)
            if self._handing:
                return False
            self._handing = True
            return True

    def hand_over(self) -> None:
        """Give the consumer every queued item, until none is left (a failing consumer is logged, not fatal)."""
        while True:
            with self._lock:
                if not self._queue:
                    self._handing = False
                    self._idle.notify_all()
                    return
                item = self._queue.popleft()
            try:
                self._callback(item)
            except Exception:
                log.exception("an outcome consumer failed")

    def wait_until_handed_over(self) -> None:
        """Return once every item queued so far has been given to the consumer."""
        with self._idle:
            self._idle.wait_for(lambda: not self._handing and not self._queue)
