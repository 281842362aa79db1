"""What the live stream tells its listeners: order events and the stream's own state, as plain data.

Gate pushes every change of an account's orders on its WebSocket (`spot.orders`, `futures.orders`): an
order was put, partly filled (update) or finished (filled, cancelled, ...). The stream turns each into an
`OrderEvent` carrying the order as it now is, and says how each market's socket is doing with a
`StreamStatus`. The window, the command line and (next) the guard listen to the same two things.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order


class EventKind(str, Enum):
    PUT = "put"          # the order appeared (or was first seen in a re-listing after a (re)connect)
    UPDATE = "update"    # still open, with other numbers (partly filled, amended)
    FINISH = "finish"    # closed for good: `finish_as` says how (filled, cancelled, ioc, stp, ...)


@dataclass(frozen=True, slots=True)
class OrderEvent:
    """One order as an event left it. `order.left`/`filled_amount` are the event's numbers; for a finish,
    `order.status` is "finished" and `finish_as` says how. `version` orders two events of the same order
    (spot: update_time_ms; futures: update_id, or update_time in ms): an event older than what is held is
    dropped, never applied. `listed`: this came from the REST listing that closes a (re)connect's gap,
    not from a pushed message (an order first seen there is reported once, as a put)."""

    kind: EventKind
    order: Order
    finish_as: str = "open"
    version: int = 0
    listed: bool = False
    received_at: float = field(default_factory=time.monotonic)  # when the message was read (latency figures)

    @property
    def market(self) -> Market:
        return self.order.market

    @property
    def key(self) -> str:
        return self.order.key

    @property
    def finished(self) -> bool:
        return self.kind is EventKind.FINISH


class StreamState(str, Enum):
    CONNECTING = "connecting"      # opening the socket for the first time
    LIVE = "live"                  # subscribed; the gap since the last connect has been listed
    RECONNECTING = "reconnecting"  # the socket dropped; trying again (attempt n, capped backoff)
    POLLING = "polling"            # no socket could be had: the orders are listed every few seconds instead
    STOPPED = "stopped"            # ended (by stop(), or an error that ends it: `reason` says which)


@dataclass(frozen=True, slots=True)
class StreamStatus:
    """How one market's stream is doing, for the status bar and the command line's stderr."""

    market: Market
    state: StreamState
    attempt: int = 0                  # RECONNECTING: which try this is
    reason: str = ""                  # one sentence: why it reconnects, polls or stopped ("" when live)
    last_event_at: float | None = None  # time.time() of the last order event (None: none yet)
