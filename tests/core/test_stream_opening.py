"""How a socket is opened (its TLS context, its proxy) and how a failure to open one is sorted: poll where
no socket is to be had, try again where one may come back. Sentences carry no secret."""

import asyncio
import errno
import logging
import socket
import ssl

import pytest
from websockets.datastructures import Headers
from websockets.exceptions import (
    ConnectionClosedError,
    InvalidMessage,
    InvalidProxy,
    InvalidProxyStatus,
    InvalidStatus,
)
from websockets.http11 import Response

from gatecancel_gui.core.net.transport import NetworkSettings, tls_context
from gatecancel_gui.core.store import redact
from gatecancel_gui.core.stream import opening
from gatecancel_gui.core.stream.opening import CannotOpen, open_socket, socket_tls, sort_failure


def opened_with(monkeypatch, url, network):
    seen = {}

    async def fake_connect(uri, **kwargs):
        seen.update(kwargs, uri=uri)
        return "socket"

    monkeypatch.setattr(opening, "connect", fake_connect)
    assert asyncio.run(open_socket(url, network, open_timeout_s=3, ping_interval_s=15)) == "socket"
    return seen


@pytest.mark.parametrize(("url", "network", "proxy"), [
    ("ws://127.0.0.1:8765/ws/v4/", NetworkSettings(proxy="http://proxy.example:3128"), None),  # never for loopback
    ("ws://localhost:8765/ws/v4/", NetworkSettings(), None),
    ("wss://api.gateio.ws/ws/v4/", NetworkSettings(proxy="http://proxy.example:3128"), "http://proxy.example:3128"),
    ("wss://api.gateio.ws/ws/v4/", NetworkSettings(), "http://corp.example:8080"),  # the system's, as the client's
])
def test_the_proxy_the_socket_takes(monkeypatch, url, network, proxy):
    # a system proxy as Windows' registry gives it (no bypass honoured): never for this computer
    monkeypatch.setattr("urllib.request.getproxies", lambda: {"https": "http://corp.example:8080"})
    monkeypatch.setattr("urllib.request.proxy_bypass", lambda host: False)
    seen = opened_with(monkeypatch, url, network)
    assert seen["proxy"] == proxy and seen["open_timeout"] == 3 and seen["uri"] == url


def test_tls_has_a_context_of_its_own_that_offers_http1_only(monkeypatch):
    seen = opened_with(monkeypatch, "wss://api.gateio.ws/ws/v4/", NetworkSettings(proxy="https://proxy.example:443"))
    assert seen["ssl"] is socket_tls(None) and seen["proxy_ssl"] is socket_tls(None)
    assert seen["ssl"] is not tls_context(None)  # httpcore sets ALPN (h2) on the client's own before each use
    assert "ssl" not in opened_with(monkeypatch, "ws://127.0.0.1:1/ws/v4/", NetworkSettings())


def test_a_socks_proxy_cannot_carry_the_socket_here_so_the_stream_polls():
    network = NetworkSettings(proxy="socks5://user:pw-7f3a9c1e@proxy.example:1080")
    with pytest.raises(CannotOpen) as caught:
        asyncio.run(open_socket("wss://api.gateio.ws/ws/v4/", network, open_timeout_s=1, ping_interval_s=15))
    assert caught.value.poll and "SOCKS" in caught.value.why and "pw-7f3a9c1e" not in caught.value.why


def response(status):
    return Response(status, "x", Headers())


@pytest.mark.parametrize(("exc", "poll", "words"), [
    (InvalidStatus(response(404)), True, "the server at this address has no WebSocket (HTTP 404)"),
    (InvalidStatus(response(400)), True, "the server at this address has no WebSocket (HTTP 400)"),
    (InvalidStatus(response(503)), False, "the WebSocket server is busy (HTTP 503)"),
    (InvalidStatus(response(429)), False, "the WebSocket server is busy (HTTP 429)"),
    (InvalidProxyStatus(response(403)), True, "the proxy would not carry a WebSocket (HTTP 403)"),
    (InvalidProxy("http://u:secret-pass-9@p:1", "bad"), True, "the proxy would not carry a WebSocket"),
    (InvalidMessage("did not receive a valid HTTP response"), True, "the server did not answer as a WebSocket"),
    (ssl.SSLCertVerificationError("certificate verify failed"), True,
     "the WebSocket's certificate is not trusted by this computer"),
    (ConnectionClosedError(None, None), False, "the WebSocket connection dropped"),
    (ConnectionResetError(104, "Connection reset by peer"), False, "the WebSocket connection dropped"),
    (ConnectionRefusedError(111, "Connection refused"), False, "nothing answers at this address"),
    (socket.gaierror(-2, "Name or service not known"), False, "the WebSocket's host could not be found"),
    (OSError(errno.ENETUNREACH, "Network is unreachable"), False, "the network cannot reach the WebSocket's host"),
    (OSError("something else"), False, "the WebSocket connection failed"),
    (TimeoutError(), False, "the WebSocket did not answer in time"),
    # a module missing from a build is that, not a SOCKS proxy: said as it is, and tried again
    (ImportError("cannot import name 'x' from 'websockets.asyncio'"), False,
     "a part of the WebSocket client is missing from this build"),
    (RuntimeError("boom"), False, "the WebSocket failed on an unexpected error (see the log)"),
])
def test_failures_are_sorted(exc, poll, words, caplog):
    """A trader's words: no exception class, no errno, no library's message; those go to the log."""
    caplog.set_level(logging.INFO, logger=opening.__name__)
    sorted_ = sort_failure(exc)
    assert sorted_.poll is poll and sorted_.why == words
    assert "secret-pass-9" not in sorted_.why
    assert type(exc).__name__ in caplog.text and "secret-pass-9" not in caplog.text


def test_a_secret_the_app_holds_never_reaches_a_sentence():
    redact.register("k" * 32, "held-secret-value-123")
    assert "held-secret-value-123" not in sort_failure(OSError("failed with held-secret-value-123")).why
