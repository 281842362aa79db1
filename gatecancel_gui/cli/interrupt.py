"""Running a cancel from a terminal: off the main thread, so Ctrl+C stops sending but what was sent is
still reported. A panicking user presses Ctrl+C several times: each press after the first says what the
command still waits for, cuts the look-up of what was sent short, and the report still comes out whole."""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import TextIO, TypeVar

T = TypeVar("T")


def run_interruptibly(work: Callable[[], T], stop: Callable[[], None], err: TextIO, *,
                      abandon: Callable[[], None] | None = None,
                      waiting_for: Callable[[], str] | None = None) -> T:
    """Run `work` in a thread and return its result. The first Ctrl+C calls `stop`; every later one calls
    `abandon` (end the look-up too) and says what is still awaited. The presses are taken by a signal
    handler, not as KeyboardInterrupt: an exception raised at an arbitrary point of the waiting thread
    could escape half-way through handling the previous press and lose the report."""
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

    presses = [0]

    def pressed(signum: int, frame: FrameType | None) -> None:
        presses[0] += 1
        if presses[0] == 1:
            print("gatecancel: stopping: no new request is sent; the answers in flight and a short look-up of "
                  "what was sent follow (Ctrl+C again to skip the look-up)…", file=err, flush=True)
            stop()
            return
        (abandon or stop)()
        what = waiting_for() if waiting_for else ""
        print(f"gatecancel: still stopping{': ' + what if what else ''}; the report follows…", file=err, flush=True)

    worker = threading.Thread(target=target, name="cancel-main")
    in_main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGINT, pressed) if in_main else None
    try:
        worker.start()
        while not finished.wait(0.1):  # an Event, not Thread.join: the handler runs between the waits
            pass
    finally:
        if in_main:
            signal.signal(signal.SIGINT, previous)
    if failure:
        raise failure[0]
    return holder[0]
