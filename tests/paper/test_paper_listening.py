"""The paper exchange's listening sockets (issue 22, item 13): on Windows SO_REUSEADDR lets a second socket
bind a port already in use, so there they get SO_EXCLUSIVEADDRUSE and never SO_REUSEADDR (simulated here:
sys.platform is "win32", the socket module gets Windows' option, and setsockopt records what is set);
elsewhere SO_REUSEADDR stays, so a restart right after a stop binds again; and `paper --port N` on a port
in use says so in one sentence, exit 2."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from gatecancel_gui.paper import PaperExchange
from gatecancel_gui.paper.delay_proxy import DelayProxy
from gatecancel_gui.paper.listening import claim_address, listening_socket
from gatecancel_gui.paper.plain_server import PlainServer
from tests.cli.runner import CLI

WINDOWS_EXCLUSIVEADDRUSE = ~socket.SO_REUSEADDR  # how Windows defines it (-5 there), unused by Linux


class Recorder:
    def __init__(self) -> None:
        self.calls: list[tuple[int, int, int]] = []

    def setsockopt(self, level: int, option: int, value: int) -> None:
        self.calls.append((level, option, value))


@pytest.fixture
def windows(monkeypatch):
    """sys.platform says Windows, the socket module has SO_EXCLUSIVEADDRUSE, and every socket's setsockopt
    is recorded (Windows' own option is not passed to Linux, which has none)."""
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setattr(socket, "SO_EXCLUSIVEADDRUSE", WINDOWS_EXCLUSIVEADDRUSE, raising=False)
    calls: list[tuple[int, int, int]] = []
    real = socket.socket.setsockopt

    def recorded(self, level, option, value, *rest):
        calls.append((level, option, value))
        if option != WINDOWS_EXCLUSIVEADDRUSE:
            real(self, level, option, value, *rest)

    monkeypatch.setattr(socket.socket, "setsockopt", recorded)
    return calls


def address_options(calls):
    return [(level, option, value) for level, option, value in calls
            if option in (socket.SO_REUSEADDR, WINDOWS_EXCLUSIVEADDRUSE)]


def test_on_windows_a_socket_is_claimed_exclusively(windows):
    sock = Recorder()
    claim_address(sock)
    assert sock.calls == [(socket.SOL_SOCKET, WINDOWS_EXCLUSIVEADDRUSE, 1)]


def test_elsewhere_the_address_may_be_reused_after_a_stop():
    sock = Recorder()
    claim_address(sock)
    assert sock.calls == [(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)]


def test_on_windows_the_plain_server_never_sets_reuseaddr(windows):
    server = PlainServer(0, exchange=None)
    server.server_close()
    assert address_options(windows) == [(socket.SOL_SOCKET, WINDOWS_EXCLUSIVEADDRUSE, 1)]


def test_on_windows_the_network_shapes_listeners_never_set_reuseaddr(windows):
    listening_socket(0).close()  # the HTTP/2 and TLS server's own socket
    proxy = DelayProxy(upstream_port=9, rtt_s=0.0).start()  # the port a shaped exchange is reached at
    proxy.stop()
    assert address_options(windows) == [(socket.SOL_SOCKET, WINDOWS_EXCLUSIVEADDRUSE, 1)] * 2


def test_on_linux_the_plain_server_keeps_reuseaddr_so_a_restart_binds_at_once():
    with PaperExchange(orders=5, pairs=1) as first:
        port = first.port
        assert first._server.socket.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR)
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall(b"GET /api/v4/spot/time HTTP/1.1\r\nHost: paper\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := client.recv(4096):  # to the end: the server has closed its side first
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200")
    with PaperExchange(orders=5, pairs=1, port=port) as second:  # its side of the connection is in TIME_WAIT
        assert second.port == port


def test_paper_on_a_port_in_use_says_so_in_one_sentence_exit_2():
    taken = listening_socket(0)
    port = taken.getsockname()[1]
    try:
        done = subprocess.run([*CLI, "paper", "--port", str(port), "--orders", "5"], capture_output=True, text=True,
                              timeout=30)
    finally:
        taken.close()
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(f"gatecancel: The paper exchange cannot listen on 127.0.0.1:{port}: ")
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
