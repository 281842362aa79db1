"""Windows: closing the console window, logging off or shutting down ends the process a few seconds later
(5 s for a closed window), whatever it is doing. Python's signal module is no help there: its C handler
returns at once and Windows ends the process before the Python handler runs, so an armed dead-man switch
was never disarmed (Gate then cancelled the whole scope) and a cancel in flight lost its last journal lines.

`on_console_close` registers a console control handler of its own (SetConsoleCtrlHandler, run by Windows
on a thread of its own): for close, logoff and shutdown it asks the main thread to end the way Ctrl+C
does, then holds Windows off until the block has ended (the switch disarmed, the cancel's report made) or
GRACE_S has passed. Ctrl+C and Ctrl+Break are left to Python's own handlers. Elsewhere it does nothing."""

from __future__ import annotations

import _thread
import ctypes
import logging
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

log = logging.getLogger(__name__)

CTRL_C_EVENT, CTRL_BREAK_EVENT = 0, 1
CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT = 2, 5, 6
ENDING_EVENTS = frozenset({CTRL_CLOSE_EVENT, CTRL_LOGOFF_EVENT, CTRL_SHUTDOWN_EVENT})
# Windows ends the process 5 s after a close event (logoff and shutdown may allow less): return just before
GRACE_S = 4.5

# BOOL WINAPI HandlerRoutine(DWORD dwCtrlType). WINFUNCTYPE exists only on Windows; CFUNCTYPE stands in
# elsewhere, where only a test calls the handler.
HANDLER_ROUTINE = getattr(ctypes, "WINFUNCTYPE", ctypes.CFUNCTYPE)(ctypes.c_int, ctypes.c_uint32)
_kept_alive: list[Any] = []  # a handler Windows may still be running must outlive its registration
_registered: list[ConsoleClose] = []  # the outermost block's, while one is open


def kernel32() -> Any | None:
    """The console API, or None where there is none (not Windows). Tests replace it with a fake."""
    if sys.platform != "win32":
        return None
    return ctypes.windll.kernel32  # type: ignore[attr-defined,unused-ignore]


class ConsoleClose:
    """What one console control event does: for close, logoff and shutdown, call the innermost block's
    `stop`, then wait (on the handler's thread) until `done` is set or `grace_s` passes, and say the event
    was handled (True)."""

    def __init__(self, stop: Callable[[], None], grace_s: float = GRACE_S) -> None:
        self.stops = [stop]
        self.grace_s = grace_s
        self.done = threading.Event()
        self.closing = threading.Event()

    def handle(self, event: int) -> bool:
        if event not in ENDING_EVENTS:
            return False  # Ctrl+C, Ctrl+Break: Python's own handlers take them
        first = not self.closing.is_set()
        self.closing.set()
        if first:
            log.warning("the console is closing (event %d): ending as Ctrl+C does", event)
            try:
                self.stops[-1]()
            except Exception:  # never let Windows see a failed handler: hold it off all the same
                log.exception("could not ask the command to end")
        if not self.done.wait(self.grace_s):
            log.warning("the console is closing: still ending after %.1f s", self.grace_s)
        return True


def interrupt_main(signum: signal.Signals = signal.SIGINT) -> None:
    """Ctrl+C (or the signal given) in the main thread: its handler runs (the default one for SIGINT
    raises KeyboardInterrupt) between two of its short waits. Nothing happens if it is ignored."""
    _thread.interrupt_main(signum)


def nothing_to_stop() -> None:
    """For a block that only has to finish (print a report): Windows just waits for it."""


@contextmanager
def on_console_close(stop: Callable[[], None] = interrupt_main, grace_s: float = GRACE_S) -> Iterator[ConsoleClose]:
    """For the block: when the console closes, `stop` (by default: as Ctrl+C), and Windows waits for the
    block to end, for at most `grace_s`. Open it after the block's signal handlers, so that it runs first
    (Windows calls the last registered handler first). A block inside another one is not registered
    again (a handler that returns ends the process): its `stop` is the one called while it is open, and
    Windows waits for the outermost block."""
    if _registered:
        outer = _registered[0]
        outer.stops.append(stop)
        try:
            yield outer
        finally:
            outer.stops.pop()
        return
    closing = ConsoleClose(stop, grace_s)
    api = kernel32()
    if api is None:
        yield closing
        return

    def routine(event: int) -> int:
        try:
            return 1 if closing.handle(event) else 0
        except Exception:  # an exception cannot cross into Windows: let the next handler decide
            return 0

    handler = HANDLER_ROUTINE(routine)
    _kept_alive.append(handler)
    if not api.SetConsoleCtrlHandler(handler, True):
        log.warning("could not register the console close handler: closing the window ends at once")
        yield closing
        return
    _registered.append(closing)
    try:
        yield closing
    finally:
        _registered.remove(closing)
        closing.done.set()  # a handler waiting now lets Windows go on and end the process
        api.SetConsoleCtrlHandler(handler, False)
