"""The paper exchange with a real network's shape, on by option: TLS with a throwaway CA, HTTP/2 and
HTTP/1.1 by ALPN (or HTTP/1.1 only), served by hypercorn, behind a proxy that adds round trips and drops
idle connections. The exchange's logic is the same object the plain server uses: requests reach
`PaperExchange.handle` through a small adapter that looks like the plain server's request handler."""

from __future__ import annotations

import asyncio
import io
import json
import logging
import socket
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import hypercorn.protocol
from hypercorn.asyncio import serve
from hypercorn.config import Config
from hypercorn.protocol.h2 import H2Protocol

from gatecancel_gui.paper.delay_proxy import DelayProxy
from gatecancel_gui.paper.tls import ThrowawayCA

if TYPE_CHECKING:
    from gatecancel_gui.paper.server import PaperExchange

log = logging.getLogger(__name__)


NGINX_WINDOW = 2**31 - 1  # what nginx (Gate answers as openresty) opens a connection's receive window to
SPEC_WINDOW = 65_535      # HTTP/2's initial window, which hypercorn keeps


@dataclass(frozen=True)
class NetworkShape:
    tls: bool = True
    http2: bool = True             # offer h2 by ALPN; False offers HTTP/1.1 only
    rtt_ms: float = 0.0            # every byte delayed rtt/2 each way, every new connection by rtt
    idle_close_s: float | None = None  # connections idle this long are dropped
    h2_window: int = NGINX_WINDOW  # the HTTP/2 connection window the server grants at the start


class WideWindowH2Protocol(H2Protocol):
    """hypercorn's HTTP/2, opening the connection's receive window as nginx does at the start (a
    WINDOW_UPDATE after its SETTINGS). hypercorn keeps the spec's 64 KB, so a client sending 50 cancel
    bodies at once (~65 KB on spot) waits a round trip for the window: true of hypercorn, not of Gate's
    openresty. `NetworkShape.h2_window = SPEC_WINDOW` keeps hypercorn's behaviour.

    It also writes a turn of the loop's frames at once, as nginx does: hypercorn writes each frame as it
    is made (a response's headers, its data, its end: three TLS records and three sends), which made the
    paper exchange, not the network, the slowest part of a 50-request cancel."""

    window = NGINX_WINDOW

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        start = self.connection.initiate_connection
        extra = self.window - SPEC_WINDOW

        def start_wide() -> None:
            start()
            if extra > 0:
                self.connection.increment_flow_control_window(extra)

        self.connection.initiate_connection = start_wide  # type: ignore[method-assign]
        self._flush_due = False

    async def _flush(self) -> None:
        if self._flush_due:
            return  # the flush already waiting for this turn of the loop sends these frames too
        self._flush_due = True
        try:
            await asyncio.sleep(0)  # the other streams ready in this turn add their frames first
        finally:
            self._flush_due = False
        await super()._flush()


class _Headers(dict[str, str]):
    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


class AsgiRequest:
    """What `PaperExchange.handle` needs of a request handler, filled from an ASGI request."""

    def __init__(self, scope: dict[str, Any], body: bytes) -> None:
        query = scope.get("query_string", b"").decode("latin-1")
        self.path = scope["raw_path"].decode("latin-1") + (f"?{query}" if query else "")
        self.headers = _Headers({k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]})
        self.headers["content-length"] = str(len(body))
        self.rfile = io.BytesIO(body)
        self.status, self.body, self.content_type = 500, b"", "application/json"
        self.extra_headers: dict[str, str] = {}
        self.dropped = False

    def reply_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self.reply_raw(status, json.dumps(payload).encode(), "application/json", headers)

    def reply_raw(self, status: int, raw: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.status, self.body, self.content_type = status, raw, content_type
        self.extra_headers = dict(headers or {})

    def drop(self) -> None:
        self.dropped = True


class _Dropped(Exception):
    """The exchange acted and then "lost" the connection: hypercorn answers 500 with no body, the
    nearest thing an ASGI app can do (the client treats both as maybe applied)."""


def asgi_app(exchange: PaperExchange, executor: ThreadPoolExecutor) -> Any:
    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        request = AsgiRequest(scope, body)
        handle = cast(Any, exchange.handle)  # AsgiRequest quacks like the plain server's request handler
        if exchange.may_wait():  # injected latency or a fault that sleeps: not on the loop
            await asyncio.get_running_loop().run_in_executor(executor, handle, request, scope["method"])
        else:  # a few hundred microseconds of work: on the loop, not through 50 threads contending for the GIL
            handle(request, scope["method"])
        if request.dropped:
            raise _Dropped()
        headers = [(b"content-type", request.content_type.encode()),
                   (b"content-length", str(len(request.body)).encode())]
        headers += [(k.lower().encode(), v.encode()) for k, v in request.extra_headers.items()]
        await send({"type": "http.response.start", "status": request.status, "headers": headers})
        await send({"type": "http.response.body", "body": request.body})

    return app


def quiet_loop_errors(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """Connections a client drops (a refused certificate, a test that ends) are routine for a paper
    exchange: one debug line, and no traceback formatted on this thread (on CPython 3.11, formatting one
    parses source, which races the main thread's own parsing)."""
    log.debug("paper exchange connection ended: %s", context.get("message") or context.get("exception"))


class NetworkServer:
    """hypercorn in its own thread and event loop, the delay proxy in front; `port` is the proxy's."""

    def __init__(self, exchange: PaperExchange, shape: NetworkShape) -> None:
        self.shape = shape
        self.ca = ThrowawayCA() if shape.tls else None
        self._executor = ThreadPoolExecutor(max_workers=256, thread_name_prefix="paper-h")
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind(("127.0.0.1", 0))
        self.upstream_port = listener.getsockname()[1]
        listener.listen(512)
        config = Config()
        config.bind = [f"fd://{listener.detach()}"]
        config.keep_alive_timeout = 24 * 3600  # idle connections are dropped by the proxy, on purpose
        config.h2_max_concurrent_streams = 256
        config.backlog = 512
        config.accesslog = None
        config.errorlog = None  # clients that hang up mid-handshake are routine here, not news
        config.alpn_protocols = ["h2", "http/1.1"] if shape.http2 else ["http/1.1"]
        if self.ca is not None:
            config.certfile, config.keyfile = str(self.ca.cert_file), str(self.ca.key_file)
        self._config = config
        self._app = asgi_app(exchange, self._executor)
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._started = threading.Event()
        self._thread = threading.Thread(target=self._run, name="paper-hypercorn", daemon=True)
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
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=5)
        self._executor.shutdown(wait=False, cancel_futures=True)
        if self.ca is not None:
            self.ca.cleanup()

    def _run(self) -> None:
        WideWindowH2Protocol.window = self.shape.h2_window
        setattr(hypercorn.protocol, "H2Protocol", WideWindowH2Protocol)  # noqa: B010  the paper server's process only
        asyncio.set_event_loop(self._loop)
        self._loop.set_exception_handler(quiet_loop_errors)
        self._stop = asyncio.Event()
        self._loop.call_soon(self._started.set)
        try:
            self._loop.run_until_complete(serve(self._app, self._config, shutdown_trigger=self._stop.wait))
        except Exception:  # a paper exchange that dies says so in the log
            log.exception("the paper exchange's TLS server stopped")
        finally:
            pending = asyncio.all_tasks(self._loop)  # connections still open: end them before the loop goes
            for task in pending:
                task.cancel()
            self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
            self._loop.close()
