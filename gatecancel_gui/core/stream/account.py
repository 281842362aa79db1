"""An account's orders, live: one WebSocket per market family, each kept open and gap-free.

(Interface fixed first so that the window and the command line can be built against it; see events. Each
market's stream is a connection.MarketStream on its own thread; this object starts, reads and stops them.)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order, OrderKind
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.stream.addresses import socket_url
from gatecancel_gui.core.stream.connection import MarketStream
from gatecancel_gui.core.stream.events import OrderEvent, StreamStatus
from gatecancel_gui.core.stream.held import HeldOrders
from gatecancel_gui.core.stream.settings import StreamSettings

EventsListener = Callable[[list[OrderEvent]], None]
StatusListener = Callable[[StreamStatus], None]

__all__ = ["AccountStream", "EventsListener", "StatusListener", "StreamSettings"]


class AccountStream:
    """Follows the open orders of `markets` (spot, futures-usdt, futures-btc) for the client's account.

    `initial`: the orders the caller already shows (its last listing); the stream holds them and reports
    only what changes after. Listeners are called on the stream's own threads (one per market), never
    concurrently for one market: `on_events` with the events of one message or one re-listing, in order;
    `on_status` whenever a market's state changes. `start()` returns at once; `stop()` closes every socket
    and waits (bounded) for the threads.

    Raises ConfigError at once for what no retry can mend: a bad `settings.ws_url`, a client without an API
    key (the order channels are private)."""

    def __init__(self, client: GateClient, markets: Iterable[Market], *, initial: Iterable[Order] = (),
                 on_events: EventsListener, on_status: StatusListener,
                 settings: StreamSettings | None = None) -> None:
        self.client = client
        self.settings = settings or StreamSettings()
        if client.credentials is None:
            raise ConfigError("The live stream needs the profile's API key and secret.")
        chosen = list(dict.fromkeys(markets))
        urls = {market: socket_url(client.base_url, market, self.settings.ws_url) for market in chosen}
        held = [order for order in initial if order.kind is OrderKind.OPEN]
        self._streams = {
            market: MarketStream(client, market, HeldOrders(o for o in held if o.market is market), self.settings,
                                 urls[market], on_events=on_events, on_status=on_status)
            for market in chosen}
        self._started = False

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        for stream in self._streams.values():
            stream.start()

    def stop(self, timeout_s: float = 2.0) -> None:
        """Stop every market at once, then wait for their threads, `timeout_s` in all (a thread still opening
        a socket ends by itself within the open timeout, and then only says STOPPED)."""
        for stream in self._streams.values():
            stream.stop()
        deadline = time.monotonic() + timeout_s
        for stream in self._streams.values():
            stream.join(deadline - time.monotonic())

    def orders(self) -> list[Order]:
        """The open orders the stream holds now, every market."""
        return [order for stream in self._streams.values() for order in stream.held.orders()]

    def statuses(self) -> dict[Market, StreamStatus]:
        return {market: stream.status for market, stream in self._streams.items()}

    def urls(self) -> dict[Market, str]:
        """Each market's WebSocket address (for the log and the command line's --verbose)."""
        return {market: stream.url for market, stream in self._streams.items()}
