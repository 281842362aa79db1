"""The paper exchange with a real network's shape, on by option: TLS with a throwaway CA, HTTP/2 and
HTTP/1.1 by ALPN (or HTTP/1.1 only), behind a proxy that adds round trips and drops idle connections.
The exchange's logic is the same object the plain server uses: requests reach its `handle` through a
request object shaped like the plain server's request handler (see transport and http_server)."""

from __future__ import annotations

import asyncio
import logging
import ssl
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from gatecancel_gui.paper.delay_proxy import DelayProxy
from gatecancel_gui.paper.http_server import NGINX_WINDOW, Dispatcher, HttpConnection
from gatecancel_gui.paper.listening import listening_socket
from gatecancel_gui.paper.loops import quiet_loop_errors
from gatecancel_gui.paper.tls import ThrowawayCA
from gatecancel_gui.paper.transport import Exchange

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class NetworkShape:
    tls: bool = True
    http2: bool = True             # offer h2 by ALPN; False offers HTTP/1.1 only
    rtt_ms: float = 0.0            # every byte delayed rtt/2 each way, every new connection by rtt
    idle_close_s: float | None = None  # connections idle this long are dropped
    h2_window: int = NGINX_WINDOW  # the HTTP/2 connection window the server grants at the start (SPEC_WINDOW:
                                   # the spec's 64 KB, as a server that never widens it)


def server_tls(ca: ThrowawayCA, http2: bool) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2  # HTTP/2 needs 1.2 or later
    context.options |= ssl.OP_NO_COMPRESSION
    context.load_cert_chain(str(ca.cert_file), str(ca.key_file))
    context.set_alpn_protocols(["h2", "http/1.1"] if http2 else ["http/1.1"])
    return context


class NetworkServer:
    """The HTTP server in its own thread and event loop, the delay proxy in front; `port` is the proxy's."""

    def __init__(self, exchange: Exchange, shape: NetworkShape) -> None:
        self.shape = shape
        self.ca = ThrowawayCA() if shape.tls else None
        self._exchange = exchange
        self._executor = ThreadPoolExecutor(max_workers=256, thread_name_prefix="paper-h")
        self._listener = listening_socket(0)
        self.upstream_port = self._listener.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        self._connections: set[HttpConnection] = set()
        self._server: asyncio.AbstractServer | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="paper-http", daemon=True)
        self.proxy = DelayProxy(self.upstream_port, shape.rtt_ms / 1000.0, shape.idle_close_s)

    @property
    def port(self) -> int:
        return self.proxy.port

    @property
    def scheme(self) -> str:
        return "https" if self.shape.tls else "http"

    @property
    def ca_file(self) -> Path | None:
        return self.ca.ca_file if self.ca else None

    def start(self) -> None:
        self._thread.start()
        self._started.wait(10)
        self.proxy.start()

    def stop(self) -> None:
        self.proxy.stop()
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self.ca is not None:
            self.ca.cleanup()

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.set_exception_handler(quiet_loop_errors)
        dispatch = Dispatcher(self._exchange, self._executor, self._loop)
        tls = server_tls(self.ca, self.shape.http2) if self.ca is not None else None
        try:
            self._server = self._loop.run_until_complete(self._loop.create_server(
                lambda: HttpConnection(dispatch, self.shape.h2_window, self._connections),
                sock=self._listener, ssl=tls, backlog=512))
        except Exception:  # a paper exchange that cannot start says so in the log
            log.exception("the paper exchange's HTTP server did not start")
            self._started.set()
            return
        self._started.set()
        try:
            self._loop.run_forever()
        finally:
            self._server.close()
            for connection in list(self._connections):  # connections still open: end them before the loop goes
                connection.close(abort=True)
            self._loop.run_until_complete(asyncio.sleep(0))
            pending = asyncio.all_tasks(self._loop)
            for task in pending:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.close()
