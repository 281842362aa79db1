"""The one way from a core callback to the GUI thread (Electrum's `qt_event_listener`, in one small class).

The core calls back on whatever thread it runs on: a job's worker, a run's sending threads, the dead-man
switch's renewal thread, the client's retry loop. Qt widgets may only be touched on the GUI thread, so
every such callback goes through a `Bridge`: `bridge.call(f)` is a callable safe on any thread that runs
`f(*args)` later on the GUI thread, as a queued event, in the order the calls were made. `bridge.burst(f)`
does the same for a stream of items, coalesced: however many arrive while one delivery is pending, the GUI
thread gets one event and `f(items)` once (a cancel's thousands of outcomes are one event, not thousands).

Every job, the risk toolbar and the client's notices reach the window this way and no other: one place to
look when asking "on which thread does this run?".
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QObject, Qt, Signal, Slot

T = TypeVar("T")


class Bridge(QObject):
    """Lives on the GUI thread; its queued signal carries a call from any thread to it."""

    _posted = Signal(object)  # a callable taking no argument, run on the GUI thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        # queued even when posted on the GUI thread itself: a callback never runs inside its caller
        self._posted.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def post(self, call: Callable[[], Any]) -> None:
        """Run `call()` on the GUI thread, after what was posted before it."""
        self._posted.emit(call)

    def call(self, target: Callable[..., Any]) -> Callable[..., None]:
        """A callback for the core: each call, from any thread, becomes `target(*args)` on the GUI thread."""
        def posted(*args: Any) -> None:
            self._posted.emit(lambda: target(*args))
        return posted

    def burst(self, deliver: Callable[[list[T]], Any]) -> Burst[T]:
        """A coalescing callback: items put from any thread reach `deliver` in lists, one event per burst."""
        return Burst(self, deliver)

    @Slot(object)
    def _run(self, call: Callable[[], Any]) -> None:
        call()


class Burst(Generic[T]):
    """Items put from any thread, delivered on the GUI thread with at most one queued event pending."""

    def __init__(self, bridge: Bridge, deliver: Callable[[list[T]], Any]) -> None:
        self._bridge, self._deliver = bridge, deliver
        self._items: list[T] = []
        self._announced = False
        self._lock = threading.Lock()

    def put(self, item: T) -> None:
        with self._lock:
            self._items.append(item)
            if self._announced:
                return
            self._announced = True
        self._bridge.post(self.flush)

    def flush(self) -> None:
        """Deliver what has arrived (on the GUI thread; also called directly to drain before a final word)."""
        with self._lock:
            taken, self._items = self._items, []
            self._announced = False
        if taken:
            self._deliver(taken)
