"""asyncio helpers shared by the paper exchange's two event loops (its HTTP server's and its delay
proxy's), kept here so that neither module has to import the other for them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from typing import Any

log = logging.getLogger(__name__)


def quiet_loop_errors(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Connections a client drops (a refused certificate, a test that ends) are routine for a paper
    exchange: one debug line, and no traceback formatted on this thread (on CPython 3.11, formatting one
    parses source, which races the main thread's own parsing)."""
    log.debug("paper exchange connection ended: %s", context.get("message") or context.get("exception"))


def no_delay(transport: asyncio.BaseTransport) -> None:
    """Small writes go at once. asyncio sets this only when the socket says it is TCP, and a socket made as
    socket(AF_INET, SOCK_STREAM) says protocol 0: answers then waited on Nagle's algorithm for the
    peer's delayed ACK, 40 ms (measured: the last answers of a 50-request burst came 40 ms late)."""
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
