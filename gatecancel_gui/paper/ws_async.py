"""A WebSocket on the network shape's asyncio server: after the h11 side has read an upgrade request, the
connection's bytes go to a WireSocket instead. Writes from any thread are handed to the loop, in order;
a client whose unread bytes pile up past a bound is cut, as a real server would."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct
from collections.abc import Callable
from typing import Any

from gatecancel_gui.paper.ws_wire import Sockets, WireSocket

MAX_BUFFERED = 16 * 1024 * 1024  # bytes a socket may have waiting in the loop before it is cut
DRAIN_WAIT_S = 2.0               # an abort waits this long at most for what was written to leave


class LoopPipe:
    """A Pipe over an asyncio transport: every call is run on the loop, in the order made."""

    def __init__(self, transport: asyncio.Transport, loop: asyncio.AbstractEventLoop) -> None:
        self.transport, self.loop = transport, loop

    def write(self, data: bytes) -> None:
        self._soon(self._write, data)

    def abort(self) -> None:
        self._soon(self._abort_when_sent, self.loop.time() + DRAIN_WAIT_S)

    def close(self) -> None:
        self._soon(self.transport.close)

    def _soon(self, call: Callable[..., None], *args: Any) -> None:
        with contextlib.suppress(RuntimeError):  # the loop has closed: the exchange has stopped
            self.loop.call_soon_threadsafe(call, *args)

    def _write(self, data: bytes) -> None:
        if self.transport.is_closing():
            return
        if self.transport.get_write_buffer_size() > MAX_BUFFERED:
            self._cut()
        else:
            self.transport.write(data)

    def _abort_when_sent(self, deadline: float) -> None:
        """Cut once what was written has left (an abort drops what is still buffered)."""
        if self.transport.get_write_buffer_size() and self.loop.time() < deadline:
            self.loop.call_later(0.005, self._abort_when_sent, deadline)
        else:
            self._cut()

    def _cut(self) -> None:
        sock = self.transport.get_extra_info("socket")
        if sock is not None:  # linger 0: the close sends a reset, not a goodbye
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()


class SocketSpeaker:
    """What a connection's HTTP/1.1 speaker becomes after an accepted upgrade."""

    def __init__(self, wire: WireSocket) -> None:
        self.wire = wire

    def data_received(self, data: bytes) -> None:
        self.wire.feed(data)

    def lost(self) -> None:
        self.wire.feed(None)


def upgrade(sockets: Sockets, path: str, headers: list[tuple[str, str]], transport: asyncio.Transport,
            trailing: bytes) -> SocketSpeaker | None:
    """Answer the upgrade (on the loop) and feed the socket what was read past the request; None when the
    request was refused (the 400 is on its way and the connection closes)."""
    wire = sockets.open(path, headers, LoopPipe(transport, asyncio.get_running_loop()))
    if wire is None:
        return None
    speaker = SocketSpeaker(wire)
    if trailing:
        speaker.data_received(trailing)
    return speaker
