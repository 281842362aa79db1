"""Edges a new user found: a base URL with an impossible port or a login in it, notices said once by
reads that run side by side, and a paper exchange that stays quiet when a client hangs up."""

import socket
import struct
import subprocess
import sys

import pytest

from gatecancel_gui.cli import one_line_each
from gatecancel_gui.core.domain.environments import normalise_base_url
from gatecancel_gui.core.domain.errors import ConfigError
from tests.cli.test_cli import run_cli

# struct linger {on, seconds} = {1, 0}: close resets the connection. Two ints on POSIX, two u_short on Windows.
LINGER_0 = struct.pack("HH" if sys.platform == "win32" else "ii", 1, 0)


@pytest.mark.parametrize("url", ["http://127.0.0.1:99999/api/v4", "http://127.0.0.1:abc/api/v4",
                                 "http://[::1]:99999/api/v4", "http://127.0.0.1:0/api/v4"])
def test_a_base_url_with_an_impossible_port_is_one_sentence_and_exit_2(url):
    with pytest.raises(ConfigError, match="no valid port"):
        normalise_base_url(url)
    result = run_cli("orders", "--base-url", url, env_extra={"GATE_API_KEY": "k", "GATE_API_SECRET": "s"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "no valid port" in result.stderr


def test_a_base_url_carrying_a_login_is_refused():
    with pytest.raises(ConfigError, match="must not carry a user or password"):
        normalise_base_url("http://user:pw@127.0.0.1:8080/api/v4")


def test_the_same_notice_from_reads_side_by_side_is_printed_once(capsys):
    import io

    err = io.StringIO()
    say = one_line_each(err)
    for text in ("Could not reach the exchange (open orders), retrying 2/5…",) * 2 + \
            ("Could not reach the exchange (open orders), retrying 3/5…",) * 2:
        say(text)
    assert err.getvalue().splitlines() == ["gatecancel: Could not reach the exchange (open orders), retrying 2/5…",
                                           "gatecancel: Could not reach the exchange (open orders), retrying 3/5…"]


def test_the_paper_exchange_says_nothing_on_stderr_when_a_client_hangs_up():
    script = ("import sys, json; from gatecancel_gui.paper import PaperExchange\n"
              "ex = PaperExchange(orders=5).start(); print(ex.port, flush=True); sys.stdin.readline(); ex.stop()")
    proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        port = int(proc.stdout.readline())
        for _ in range(3):  # send half a request, then reset the connection
            with socket.create_connection(("127.0.0.1", port)) as sock:
                sock.sendall(b"GET /api/v4/spot/time HTTP/1.1\r\nHost: x\r\n")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER_0)
        proc.stdin.write("\n")
        proc.stdin.flush()
        _out, err = proc.communicate(timeout=20)
    finally:
        proc.kill()
        proc.wait()
    assert "Traceback" not in err and "Exception occurred" not in err
