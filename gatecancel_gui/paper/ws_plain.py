"""A WebSocket on the plain (threaded) server: the request's thread reads the socket for as long as it
is open, and a writer thread per socket sends what the queue holds, so the threads that push an order's
change only ever queue. A client that reads too slowly for the queue is cut, as a real server would."""

from __future__ import annotations

import contextlib
import queue
import socket
import struct
import threading
from io import BufferedIOBase

from gatecancel_gui.paper.ws_wire import Sockets

MAX_QUEUED = 10_000          # messages a socket may have waiting before it is cut
_ABORT, _CLOSE, _STOP = object(), object(), object()


class ThreadPipe:
    """A Pipe over a blocking socket."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.queue: queue.Queue[object] = queue.Queue(MAX_QUEUED)
        self.thread = threading.Thread(target=self._run, name="paper-ws-writer", daemon=True)
        self.thread.start()

    def write(self, data: bytes) -> None:
        self._put(data)

    def abort(self) -> None:
        self._put(_ABORT)

    def close(self) -> None:
        self._put(_CLOSE)

    def stop(self, timeout_s: float = 2.0) -> None:
        """The connection is over: the writer ends once it has sent what it holds."""
        self._put(_STOP)
        self.thread.join(timeout_s)

    def _put(self, item: object) -> None:
        try:
            self.queue.put_nowait(item)
        except queue.Full:
            self._cut()

    def _run(self) -> None:
        while True:
            item = self.queue.get()
            if isinstance(item, bytes):
                try:
                    self.sock.sendall(item)
                except OSError:
                    self._cut()
                    return
            elif item is _ABORT:
                self._cut()
                return
            else:  # _CLOSE or _STOP: no more to send
                with contextlib.suppress(OSError):
                    self.sock.shutdown(socket.SHUT_RDWR)
                return

    def _cut(self) -> None:
        """A reset, not a goodbye: linger 0 makes the close send RST; the shutdown wakes the reading thread."""
        with contextlib.suppress(OSError):
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.sock.shutdown(socket.SHUT_RDWR)


def serve_socket(sockets: Sockets, path: str, headers: list[tuple[str, str]], sock: socket.socket,
                 rfile: BufferedIOBase) -> None:
    """Serve one upgraded connection on this (the request's) thread until it ends."""
    pipe = ThreadPipe(sock)
    wire = sockets.open(path, headers, pipe)
    if wire is not None:
        while True:
            try:
                data = rfile.read1(65_536)  # what http.server's buffer already holds first
            except OSError:
                data = b""
            if not data:
                break
            wire.feed(data)
        wire.feed(None)
    pipe.stop()
