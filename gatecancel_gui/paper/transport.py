"""What a transport (the plain HTTP/1.1 server, the network-shaped HTTP/2 one) and the exchange need of
each other, as small Protocols: the transports never import the exchange, so nothing imports in a circle.
Also the one header that says "this is the paper exchange", the only thing paper/ takes from the app."""

from __future__ import annotations

import threading
from typing import Any, Protocol

from gatecancel_gui.core.domain.environments import PAPER_HEADER
from gatecancel_gui.paper.ws_wire import Sockets


class Headers(Protocol):
    def get(self, name: str, /) -> Any: ...


class Body(Protocol):
    def read(self, size: int, /) -> bytes: ...


class Request(Protocol):
    """One request as the exchange reads and answers it (http.server's request handler has this shape)."""

    @property
    def path(self) -> str: ...            # with the query string
    @property
    def headers(self) -> Headers: ...
    @property
    def rfile(self) -> Body: ...         # the body: Content-Length bytes

    def reply_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None: ...
    def reply_raw(self, status: int, raw: bytes, content_type: str,
                  headers: dict[str, str] | None = None) -> None: ...
    def drip(self, status: int, raw: bytes, interval_s: float) -> None: ...
    def drop(self) -> None: ...


class Exchange(Protocol):
    """The exchange as a transport sees it."""

    announce: bool               # say PAPER_HEADER on every answer
    stopping: threading.Event    # set when the exchange stops: a dripping answer ends

    @property
    def sockets(self) -> Sockets: ...  # its WebSocket side: an upgrade request for a path it accepts goes there

    def may_wait(self) -> bool: ...
    def handle(self, request: Request, method: str) -> None: ...


def announced(on: bool) -> list[tuple[str, str]]:
    """The header that says "the paper exchange" (only it is called PAPER), when the exchange says so."""
    return [(PAPER_HEADER, "1")] if on else []
