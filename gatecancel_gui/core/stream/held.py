"""The open orders the stream holds for one market, and the one rule for a new word about one of them.

A socket delivers in order, but a (re)connect mixes two sources: the REST listing that closes the gap and
the messages pushed meanwhile. So every event, pushed or listed, goes through `judge`:
- a finish is final: an order finished once is never revived by a later put or update, and a second finish
  says nothing new (the keys of finished orders are remembered, a bounded number of them);
- a pushed event whose version is not newer than the one held is dropped (an older event never overwrites a
  newer state); a listed one is not compared, since the listing is newer than every message read before it;
- an event that says less was filled than the state held is older, whatever its version: a fill is never
  rolled back. (The listing carries no versions; messages pushed while it was read, and read after it, are
  ordered against it by what they say was filled);
- a put or update is reported as a put when the order was not held, as an update when it was, and not at
  all when it changes none of the order's numbers.
A finish is applied whatever its version: dropping one would leave an order shown open that is gone."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace

from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.stream.events import EventKind, OrderEvent

FINISHED_MEMORY = 10_000  # finished keys remembered: far more than arrive between two listings


@dataclass(frozen=True, slots=True)
class HeldOrder:
    order: Order
    version: int = 0  # the newest pushed version applied (0: none known, e.g. first seen in a listing)


def same_numbers(a: Order, b: Order) -> bool:
    """Whether two states of an order would show the same (what a listener would repaint)."""
    return (a.left, a.amount, a.price, a.filled_amount, a.status, a.instrument, a.side) == \
        (b.left, b.amount, b.price, b.filled_amount, b.status, b.instrument, b.side)


def judge(current: HeldOrder | None, finished: bool, event: OrderEvent) -> OrderEvent | None:
    """The one rule (see the module): the event as it is to be reported, or None when it is dropped.
    `current` is what is held for the event's key, `finished` whether that key finished before."""
    if finished:
        return None
    if event.kind is EventKind.FINISH:
        return event
    if current is None:
        return event if event.kind is EventKind.PUT else replace(event, kind=EventKind.PUT)
    if not event.listed and event.version and current.version and event.version <= current.version:
        return None
    if event.order.filled_amount < current.order.filled_amount:
        return None
    if same_numbers(current.order, event.order):
        return None
    return event if event.kind is EventKind.UPDATE else replace(event, kind=EventKind.UPDATE)


def relisting_diff(held: Mapping[str, HeldOrder], listed: Iterable[Order],
                   finish_as: Mapping[str, str | None],
                   recorded: Mapping[str, Order] | None = None) -> list[OrderEvent]:
    """What a listing says happened since the orders held were last seen, as listed events: an order listed
    and not held was put; one held and listed with other numbers was updated; one held and not listed
    finished, `finish_as` saying how when it was looked up ("" when not known: it finished while no socket
    was open), with the numbers of its record in `recorded` when it was read (else the numbers last held:
    no fill is claimed that nothing said). A key whose `finish_as` is None was found still open (a listing's
    pages can shift): it is kept. Every event still goes through `judge` when it is applied."""
    listed_by_key = {order.key: order for order in listed}
    events = [OrderEvent(EventKind.PUT if key not in held else EventKind.UPDATE, order, listed=True)
              for key, order in listed_by_key.items()
              if key not in held or not same_numbers(held[key].order, order)]
    for key, entry in held.items():
        if key in listed_by_key:
            continue
        how = finish_as.get(key, "")
        if how is None:
            continue
        last = (recorded or {}).get(key, entry.order)
        events.append(OrderEvent(EventKind.FINISH, replace(last, status="finished"), how, listed=True))
    return events


class HeldOrders:
    """The open orders of one market as the stream last knew them. Its own thread changes it; any thread
    may read it (`orders`), hence the lock."""

    def __init__(self, orders: Iterable[Order] = (), memory: int = FINISHED_MEMORY) -> None:
        self._lock = threading.Lock()
        self._held: dict[str, HeldOrder] = {o.key: HeldOrder(o) for o in orders}
        self._finished: OrderedDict[str, None] = OrderedDict()
        self._memory = memory

    def apply(self, events: Iterable[OrderEvent]) -> list[OrderEvent]:
        """Apply each event by the one rule; the events to report, in order."""
        reported: list[OrderEvent] = []
        with self._lock:
            for event in events:
                key = event.key
                current = self._held.get(key)
                verdict = judge(current, key in self._finished, event)
                if verdict is None:
                    if current is not None and event.version > current.version and not event.finished:
                        self._held[key] = replace(current, version=event.version)  # seen, changes nothing
                    continue
                if verdict.kind is EventKind.FINISH:
                    self._held.pop(key, None)
                    self._remember_finished(key)
                else:
                    version = max(event.version, current.version if current else 0)
                    self._held[key] = HeldOrder(verdict.order, version)
                reported.append(verdict)
        return reported

    def _remember_finished(self, key: str) -> None:
        self._finished[key] = None
        while len(self._finished) > self._memory:
            self._finished.popitem(last=False)

    def snapshot(self) -> dict[str, HeldOrder]:
        with self._lock:
            return dict(self._held)

    def orders(self) -> list[Order]:
        with self._lock:
            return [entry.order for entry in self._held.values()]

    def __len__(self) -> int:
        with self._lock:
            return len(self._held)
