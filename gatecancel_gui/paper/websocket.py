"""Where Gate's WebSocket API v4 plugs into the paper exchange (issue 20): '/ws/v4/', spot channels such
as 'spot.orders', pushed to subscribers as the book changes. Nothing is served yet; this is the hook.

How it will plug in: an endpoint module adds its channels here as it adds its HTTP routes to the Router
(`channels.add('spot.orders', handler)`); a transport that reads an upgrade request for a path this hook
`accepts` hands it the connection's messages instead of calling the exchange's `handle`. A private
channel's login is signed as Gate signs it (HMAC-SHA512 over the channel, event and time) and is checked
by paper/auth with the exchange's own code, its key and permission checks the same as for HTTP. While no
channel is added, `accepts` is false and '/ws/v4/' answers 404 like any path outside the HTTP API."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

WS_PATH = "/ws/v4/"
Channel = Callable[[dict[str, Any]], list[dict[str, Any]]]  # a client's message -> the messages to send back


class WebSocketChannels:
    """The routing hook: channel name -> handler, and whether the channel needs a signed login."""

    def __init__(self) -> None:
        self.channels: dict[str, tuple[Channel, bool]] = {}

    def add(self, name: str, handler: Channel, *, private: bool = True) -> None:
        self.channels[name] = (handler, private)

    def accepts(self, path: str) -> bool:
        return path == WS_PATH and bool(self.channels)
