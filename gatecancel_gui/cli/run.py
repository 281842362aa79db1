"""Running a cancel from a terminal: off the main thread, so Ctrl+C stops sending but what was sent is
still reported."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TextIO, TypeVar

T = TypeVar("T")


def run_interruptibly(work: Callable[[], T], stop: Callable[[], None], err: TextIO) -> T:
    """Run `work` in a thread; Ctrl+C calls `stop` and still waits for (and returns) the result.

    Waits on an Event, not Thread.join: a join interrupted by Ctrl+C can later return too early."""
    holder: list[T] = []
    failure: list[BaseException] = []
    finished = threading.Event()

    def target() -> None:
        try:
            holder.append(work())
        except BaseException as exc:  # handed back to the main thread, which reports it
            failure.append(exc)
        finally:
            finished.set()

    worker = threading.Thread(target=target, name="cancel-main")
    try:
        worker.start()
        while not finished.wait(0.1):
            pass
    except KeyboardInterrupt:
        print("gatecancel: stopping: waiting for the requests in flight…", file=err, flush=True)
        stop()
        while not finished.wait(0.1):
            pass
    if failure:
        raise failure[0]
    return holder[0]
