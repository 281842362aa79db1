"""The threads that send a cancel's requests, kept between runs and started before the first click.

A run used to start a thread per request in flight: on a 1,000-order cancel that was 50 thread starts on
the critical path, each waiting for the interpreter lock while the HTTP loop's thread works (measured
here: ~50 ms a run, so the last request left ~50 ms after the first). The pool lives as long as the
client, and the connection warmer starts its threads when a profile is opened."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

T = TypeVar("T")
PREFIX = "sender"
PRESTART_WAIT_S = 5.0


class SenderPool:
    """A shared pool with a per-call limit on how many of that call's items run at once."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._executor = ThreadPoolExecutor(max_workers=size, thread_name_prefix=PREFIX,
                                            initializer=self._mark_thread)
        self._closed = False
        self.threads: set[int] = set()  # idents of the pool's threads (a call from one of them runs apart)

    def _mark_thread(self) -> None:
        self.threads.add(threading.get_ident())

    def run_all(self, fn: Callable[[T], None], items: Iterable[T], limit: int) -> None:
        """`fn(item)` for every item, at most `limit` at a time; returns when all have returned (the first
        exception is raised after all have finished)."""
        work = list(items)
        gate = threading.BoundedSemaphore(max(1, limit))

        def limited(item: T) -> None:
            with gate:
                fn(item)

        futures: list[Future[None]] = []
        if threading.get_ident() not in self.threads:  # waiting on the pool from inside it could wait forever:
            try:                                          # such a call gets a pool of its own
                for item in work:
                    futures.append(self._executor.submit(limited, item))
            except RuntimeError:  # closed meanwhile: the rest gets a pool of its own
                pass
        rest = work[len(futures):]
        if rest:
            with ThreadPoolExecutor(max_workers=max(1, min(limit, len(rest))), thread_name_prefix="send") as own:
                futures += [own.submit(limited, item) for item in rest]
        errors = [f.exception() for f in futures]
        first = next((e for e in errors if e is not None), None)
        if first is not None:
            raise first

    def prestart(self, count: int) -> None:
        """Have `count` threads running (idle threads are reused, so this costs nothing the second time)."""
        count = min(count, self.size)
        if self._closed or count < 1:
            return
        barrier = threading.Barrier(count)

        def meet() -> None:
            try:
                barrier.wait(PRESTART_WAIT_S)
            except threading.BrokenBarrierError:
                pass

        futures: list[Future[None]] = []
        try:
            for _ in range(count):
                futures.append(self._executor.submit(meet))
        except RuntimeError:  # closed meanwhile (the session ended while the warmer ran): nothing to start
            barrier.abort()
        for future in futures:
            future.result()

    def close(self) -> None:
        """Take no new work; what was handed over still runs (a run in progress then meets the closed client
        and says so per order), and the threads end once idle. Never waits: safe from the GUI thread."""
        self._closed = True
        self._executor.shutdown(wait=False)
