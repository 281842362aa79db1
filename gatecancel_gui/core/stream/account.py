"""An account's orders, live: one WebSocket per market family, each kept open and gap-free.

(Interface fixed first so that the window and the command line can be built against it; see events.)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.stream.events import OrderEvent, StreamStatus

EventsListener = Callable[[list[OrderEvent]], None]
StatusListener = Callable[[StreamStatus], None]


@dataclass(frozen=True)
class StreamSettings:
    ws_url: str = ""              # "" : derived from the client's base URL (see addresses); else the override
    ping_interval_s: float = 15.0  # Gate's application ping (spot.ping / futures.ping)
    poll_interval_s: float = 2.0   # the fallback's listing interval when no socket can be had
    backoff_s: tuple[float, ...] = (0.5, 1.0, 2.0, 4.0, 8.0, 15.0)  # between reconnect attempts, capped at the last
    open_timeout_s: float = 10.0


class AccountStream:
    """Follows the open orders of `markets` (spot, futures-usdt, futures-btc) for the client's account.

    `initial`: the orders the caller already shows (its last listing); the stream holds them and reports
    only what changes after. Listeners are called on the stream's own threads (one per market), never
    concurrently for one market: `on_events` with the events of one message or one re-listing, in order;
    `on_status` whenever a market's state changes. `start()` returns at once; `stop()` closes every socket
    and waits (bounded) for the threads."""

    def __init__(self, client: GateClient, markets: Iterable[Market], *, initial: Iterable[Order] = (),
                 on_events: EventsListener, on_status: StatusListener,
                 settings: StreamSettings | None = None) -> None:
        raise NotImplementedError

    def start(self) -> None:
        raise NotImplementedError

    def stop(self, timeout_s: float = 2.0) -> None:
        raise NotImplementedError

    def orders(self) -> list[Order]:
        """The open orders the stream holds now, every market."""
        raise NotImplementedError

    def statuses(self) -> dict[Market, StreamStatus]:
        raise NotImplementedError
