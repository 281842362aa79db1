"""Every listening socket of the paper exchange is made here, the right way for the OS.

On Windows SO_REUSEADDR lets a second socket bind a port another program already listens on (and take
its connections), so `paper --port N` on a port in use would start as if all were well: there the socket
gets SO_EXCLUSIVEADDRUSE and never SO_REUSEADDR, and binding a port in use fails as it should. Elsewhere
SO_REUSEADDR only lets a restart right after a stop bind again (instead of waiting out TIME_WAIT); two
listeners still cannot share a port."""

from __future__ import annotations

import socket
import sys
from typing import Protocol

HOST = "127.0.0.1"


class _Settable(Protocol):
    def setsockopt(self, level: int, option: int, value: int, /) -> None: ...


def claim_address(sock: _Settable) -> None:
    """Set a listening socket's address options, before it binds."""
    if sys.platform == "win32":
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_EXCLUSIVEADDRUSE, 1)
    else:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)


def listening_socket(port: int = 0, backlog: int = 512) -> socket.socket:
    """A TCP socket listening on 127.0.0.1:`port` (0: a free one) that no other socket can share. Raises
    OSError when the port is in use (or not allowed)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        claim_address(sock)
        sock.bind((HOST, port))
        sock.listen(backlog)
    except BaseException:
        sock.close()
        raise
    return sock
