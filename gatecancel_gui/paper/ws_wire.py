"""One WebSocket connection on the wire, server side, the same for both transports: wsproto (sans-I/O)
answers the upgrade request the transport has already parsed, turns the bytes read into messages and the
messages sent into frames. The transport gives it a Pipe: writes that never wait (a slow client must never
hold up the thread that pushes an order's change), and an abort or a close that come after them."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Protocol

from wsproto import ConnectionType, WSConnection
from wsproto.connection import ConnectionState
from wsproto.events import AcceptConnection, CloseConnection, Ping, Request, TextMessage
from wsproto.utilities import ProtocolError

BAD_UPGRADE = b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"


class Pipe(Protocol):
    """What a transport gives a socket. Each call is thread-safe, returns at once, and takes effect after
    everything written before it."""

    def write(self, data: bytes) -> None: ...
    def abort(self) -> None: ...   # cut the TCP connection, no close frame (a network fault)
    def close(self) -> None: ...   # end the connection in order (after the close handshake)


class Sockets(Protocol):
    """The exchange's WebSocket side as a transport sees it (websocket.SocketHub)."""

    def accepts(self, path: str) -> bool: ...
    def open(self, path: str, headers: list[tuple[str, str]], pipe: Pipe) -> WireSocket | None: ...


def is_upgrade(headers: Iterable[tuple[str, str]]) -> bool:
    """Whether a request asks to become a WebSocket (`Upgrade: websocket`)."""
    return any(name.lower() == "upgrade" and "websocket" in value.lower() for name, value in headers)


class WireSocket:
    """The protocol of one connection. `on_text` gets each message the client sends, in order, on the
    transport's reading thread; `on_closed` once, when the connection has ended."""

    def __init__(self, pipe: Pipe) -> None:
        self.pipe = pipe
        self.ws = WSConnection(ConnectionType.SERVER)
        self.lock = threading.Lock()  # the frame encoder is shared by the reader and every pushing thread
        self.on_text: Callable[[str], None] = lambda text: None
        self.on_closed: Callable[[], None] = lambda: None
        self.ended = False            # nothing more is sent
        self._told = False
        self._parts: list[str] = []

    def accept(self, path: str, headers: list[tuple[str, str]]) -> bool:
        """Answer the upgrade request: 101 (True), or 400 and closed when it is not a proper one."""
        try:
            self.ws.initiate_upgrade_connection(
                [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers], path)
            if not any(isinstance(event, Request) for event in self.ws.events()):
                raise ProtocolError("no upgrade request")
            accepted = self.ws.send(AcceptConnection())
        except (ProtocolError, ValueError, UnicodeError):  # h11's and wsproto's refusals of a malformed request
            self.ended = True
            self.pipe.write(BAD_UPGRADE)
            self.pipe.close()
            return False
        self.pipe.write(accepted)
        return True

    def send_text(self, text: str) -> bool:
        """Queue one message; False when the socket is ending and nothing more goes out."""
        with self.lock:
            if self.ended or self.ws.state is not ConnectionState.OPEN:
                return False
            self.pipe.write(self.ws.send(TextMessage(data=text)))
            return True

    def abort(self) -> None:
        """Cut the connection after what is queued (no close frame: the client sees a network fault)."""
        with self.lock:
            self.ended = True
        self.pipe.abort()

    def feed(self, data: bytes | None) -> None:
        """Bytes the transport read; None when the connection has ended."""
        texts: list[str] = []
        closing = data is None
        with self.lock:
            try:
                self.ws.receive_data(data)
                events = list(self.ws.events())
            except ProtocolError:  # bytes after the connection closed
                events, closing = [], True
            for event in events:
                if isinstance(event, TextMessage):
                    self._parts.append(event.data)
                    if event.message_finished:
                        texts.append("".join(self._parts))
                        self._parts.clear()
                elif isinstance(event, Ping) and not self.ended:
                    self.pipe.write(self.ws.send(event.response()))
                elif isinstance(event, CloseConnection):
                    closing = True
                    self._close_handshake(event)
        for text in texts:
            self.on_text(text)
        if closing:
            self._end()

    def _close_handshake(self, event: CloseConnection) -> None:
        if self.ended:
            return
        self.ended = True
        if self.ws.state is ConnectionState.REMOTE_CLOSING:   # the client closed: answer in kind
            self.pipe.write(self.ws.send(event.response()))
        elif self.ws.state is ConnectionState.OPEN:           # a frame the protocol refuses: say why
            self.pipe.write(self.ws.send(CloseConnection(code=event.code, reason=event.reason)))
        self.pipe.close()

    def _end(self) -> None:
        with self.lock:
            self.ended = True
            told, self._told = self._told, True
        if not told:
            self.on_closed()
