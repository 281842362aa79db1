"""Opening one WebSocket the way the client reaches Gate (its CA file, its proxy), and sorting why one could
not be opened: worth trying again in a moment (a dropped network, a busy server), or not to be had here at
all (no WebSocket at this address, a proxy that will not carry one), when the stream lists orders instead.

The asyncio client of `websockets` is used, each market's loop on a thread of its own. Not its threaded
client: that one reads the socket on a thread of its own while the caller writes on another, and over TLS
both then use one OpenSSL connection at once, which OpenSSL does not allow (seen here: an opening that hung
for good in about one try in a hundred under load, and once a crash in libssl). An event loop reads and
writes from one thread; every wait there is bounded or cancelled by stop()."""

from __future__ import annotations

import errno
import functools
import logging
import re
import socket
import ssl
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import (
    ConnectionClosed,
    InvalidHandshake,
    InvalidProxy,
    InvalidProxyStatus,
    InvalidStatus,
    InvalidURI,
    ProxyError,
)

from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.net.proxies import proxy_for
from gatecancel_gui.core.net.transport import NetworkSettings, is_untrusted_certificate, tls_context
from gatecancel_gui.core.store.redact import redact

CLOSE_TIMEOUT_S = 1.0           # the closing handshake: never longer than this
MAX_MESSAGE = 16 * 2**20        # one notification may carry thousands of orders (a cancel-all)
MAX_QUEUE = 4096                # messages read ahead while a listing closes the gap
USER_AGENT = "gatecancel"
log = logging.getLogger(__name__)
# websockets logs every frame at DEBUG, the subscription's KEY and SIGN among them: never at this level
FRAMES_LOG = logging.getLogger(__name__ + ".frames")
FRAMES_LOG.setLevel(logging.INFO)


class CannotOpen(Exception):
    """No socket this time. `poll`: none is to be had here (list orders instead); else try again soon.
    `why` is a clause for a sentence, with no secret in it."""

    def __init__(self, why: str, *, poll: bool) -> None:
        super().__init__(why)
        self.why, self.poll = why, poll


async def open_socket(url: str, network: NetworkSettings, *, open_timeout_s: float,
                      ping_interval_s: float) -> ClientConnection:
    """An open WebSocket to `url`: TLS checked as the client checks it (the system store plus the profile's
    CA file), through the proxy the client takes (net/proxies: the profile's, else the environment's or the
    system's, never one to this computer). Raises CannotOpen; the whole opening is bounded by `open_timeout_s`."""
    try:
        proxy = proxy_for(url, network.proxy)
    except ConfigError as exc:  # a system proxy that cannot be used: the client says so when it is made
        log.info("WebSocket: %s", exc)
        raise CannotOpen("the system's proxy setting cannot carry a WebSocket", poll=True) from None
    options: dict[str, Any] = {}
    if url.startswith("wss:"):
        options["ssl"] = socket_tls(network.ca_file)
    if proxy and proxy.lower().startswith("https:"):
        options["proxy_ssl"] = socket_tls(network.ca_file)
    try:
        return await connect(url, proxy=proxy, open_timeout=open_timeout_s, ping_interval=ping_interval_s,
                             ping_timeout=ping_interval_s, close_timeout=CLOSE_TIMEOUT_S, max_size=MAX_MESSAGE,
                             max_queue=MAX_QUEUE, user_agent_header=USER_AGENT, logger=FRAMES_LOG, **options)
    except Exception as exc:
        raise sort_failure(exc) from None


@functools.cache
def socket_tls(ca_file: str | None) -> ssl.SSLContext:
    """The client's trust (the system store plus the profile's CA file: net/transport.tls_context, built the
    same way) in a context of the WebSocket's own. The client's context cannot be shared: httpcore sets ALPN
    on it before each connection ("h2" among them), and a server that picks h2 then answers the upgrade in
    HTTP/2, which no WebSocket client reads. Cached: building one costs tens of milliseconds."""
    context: ssl.SSLContext = tls_context.__wrapped__(ca_file)
    context.set_alpn_protocols(["http/1.1"])
    return context


def sort_failure(exc: BaseException) -> CannotOpen:
    """Why a socket could not be opened (or was lost), sorted: poll, or try again. The reason is in a
    trader's words; the exception itself (its class, its errno) goes to the log only."""
    sorted_ = _sorted(exc)
    log.info("WebSocket: %s (%s)", sorted_.why, describe(exc))
    return sorted_


def _sorted(exc: BaseException) -> CannotOpen:
    if isinstance(exc, ImportError) and "socks" in str(exc).lower():  # websockets needs python-socks for it
        return CannotOpen("the SOCKS proxy cannot carry a WebSocket in this build (it needs python-socks)",
                          poll=True)
    if isinstance(exc, ImportError):  # a module missing from a build: said as it is (the log names it)
        return CannotOpen("a part of the WebSocket client is missing from this build", poll=False)
    if isinstance(exc, InvalidProxyStatus):
        return CannotOpen(f"the proxy would not carry a WebSocket (HTTP {exc.response.status_code})", poll=True)
    if isinstance(exc, (ProxyError, InvalidProxy)):
        return CannotOpen("the proxy would not carry a WebSocket", poll=True)
    if isinstance(exc, InvalidStatus):
        status = exc.response.status_code
        if status == 429 or status >= 500:
            return CannotOpen(f"the WebSocket server is busy (HTTP {status})", poll=False)
        return CannotOpen(f"the server at this address has no WebSocket (HTTP {status})", poll=True)
    if isinstance(exc, InvalidURI):
        return CannotOpen("the WebSocket address is not one a WebSocket can be opened at", poll=True)
    if isinstance(exc, InvalidHandshake):
        return CannotOpen("the server did not answer as a WebSocket", poll=True)
    if isinstance(exc, ssl.SSLCertVerificationError) or is_untrusted_certificate(exc):
        return CannotOpen("the WebSocket's certificate is not trusted by this computer", poll=True)
    if isinstance(exc, ConnectionClosed):
        return CannotOpen("the WebSocket connection dropped", poll=False)
    if isinstance(exc, TimeoutError):
        return CannotOpen("the WebSocket did not answer in time", poll=False)
    if isinstance(exc, socket.gaierror):
        return CannotOpen("the WebSocket's host could not be found", poll=False)
    if isinstance(exc, ConnectionRefusedError):
        return CannotOpen("nothing answers at this address", poll=False)
    if isinstance(exc, (ConnectionResetError, ConnectionAbortedError, BrokenPipeError, EOFError)):
        return CannotOpen("the WebSocket connection dropped", poll=False)
    if isinstance(exc, ssl.SSLError):
        return CannotOpen("the WebSocket's secure connection failed", poll=False)
    if isinstance(exc, OSError) and exc.errno in (errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN):
        return CannotOpen("the network cannot reach the WebSocket's host", poll=False)
    if isinstance(exc, OSError):
        return CannotOpen("the WebSocket connection failed", poll=False)
    return CannotOpen("the WebSocket failed on an unexpected error (see the log)", poll=False)


_LOGIN_IN_URL = re.compile(r"//[^/@\s]+@")


def describe(exc: BaseException) -> str:
    """An exception in a few words, without a login from a URL or any secret the app holds."""
    text = str(exc).split("\n")[0][:160]
    text = redact(_LOGIN_IN_URL.sub("//***@", text))
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
