"""Running a cancel from a terminal: off the main thread, so Ctrl+C stops sending but what was sent is
still reported. A panicking user presses Ctrl+C several times: each press after the first says what the
command still waits for, cuts the look-up of what was sent short, and the report still comes out whole."""

from __future__ import annotations

import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import TextIO, TypeVar

from gatecancel_gui.cli.console_close import on_console_close

T = TypeVar("T")

# A lock wait is not interrupted by Ctrl+C on Windows before Python 3.14: the handler only runs once the
# wait returns. Every long wait of the CLI is therefore made of waits this short.
WAIT_SLICE_S = 0.25


def wait_until(*events: threading.Event, timeout: float | None = None) -> bool:
    """Wait until one of `events` is set (True) or `timeout` seconds pass (False; None: no limit), in
    slices of at most WAIT_SLICE_S so that Ctrl+C's handler (or KeyboardInterrupt) runs between two."""
    if not events:
        raise ValueError("wait_until needs at least one event")
    first = events[0]
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        if any(event.is_set() for event in events):
            return True
        left = WAIT_SLICE_S if deadline is None else min(WAIT_SLICE_S, deadline - time.monotonic())
        if left <= 0:
            return False
        first.wait(left)


def signals_named(*names: str) -> tuple[int, ...]:
    """The signals of these names this platform has, in order: SIGBREAK (Ctrl+Break, Windows only),
    SIGTERM, SIGHUP… Looked up at each call, not at import."""
    found = (getattr(signal, name, None) for name in names)
    return tuple(signum for signum in found if signum is not None)


def interrupt_signals() -> tuple[int, ...]:
    """What a user presses to interrupt: Ctrl+C, and on Windows Ctrl+Break (SIGBREAK), taken the same way."""
    return signals_named("SIGINT", "SIGBREAK")


def run_interruptibly(work: Callable[[], T], stop: Callable[[], None], err: TextIO, *,
                      abandon: Callable[[], None] | None = None,
                      waiting_for: Callable[[], str] | None = None) -> T:
    """Run `work` in a thread and return its result. The first Ctrl+C calls `stop`; every later one calls
    `abandon` (end the look-up too) and says what is still awaited. The presses are taken by a signal
    handler, not as KeyboardInterrupt: an exception raised at an arbitrary point of the waiting thread
    could escape half-way through handling the previous press and lose the report. Closing the console
    (Windows) is a press too, and Windows is held off until the work has ended."""
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
    previous = {s: signal.signal(s, pressed) for s in interrupt_signals()} if in_main else {}
    try:
        with on_console_close(lambda: pressed(signal.SIGINT, None)):
            worker.start()
            wait_until(finished)  # an Event in slices, not Thread.join: the handler runs between the waits
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    if failure:
        raise failure[0]
    return holder[0]
