"""The paper exchange's HTTP server for its network shape: HTTP/2 (the h2 library) and HTTP/1.1 (h11)
chosen by ALPN, over TLS, on one asyncio loop, each request handed to the exchange's `handle`; an
HTTP/1.1 request to upgrade to a WebSocket the exchange serves turns its connection into one (ws_async).

Why not an ASGI server: hypercorn spent ~1.4 ms of this process's CPU on each request of a burst (a task,
queues and events per stream) and sent no answer until it had handled every request of the burst, so in
the benchmarks the paper exchange, not the network, set how long a 50-request cancel took. Here a burst's
requests are handled as their frames are read and each answer is written as soon as it is made, as
Gate's own servers (openresty) do; the connection's receive window is opened as nginx opens it.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
from collections.abc import Callable
from concurrent.futures import Executor
from http import HTTPStatus
from typing import Any

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions
import h2.settings
import h11

from gatecancel_gui.paper.loops import no_delay
from gatecancel_gui.paper.transport import Exchange, announced
from gatecancel_gui.paper.ws_async import SocketSpeaker, upgrade
from gatecancel_gui.paper.ws_wire import is_upgrade

log = logging.getLogger(__name__)

NGINX_WINDOW = 2**31 - 1  # what nginx (Gate answers as openresty) opens a connection's receive window to
SPEC_WINDOW = 65_535      # HTTP/2's initial window
MAX_STREAMS = 256


class _Headers(dict[str, str]):
    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


class PaperRequest:
    """A request as the exchange's `handle` takes it (transport.Request; the plain server's is http.server's)."""

    def __init__(self, method: str, path: str, headers: list[tuple[str, str]], body: bytes) -> None:
        self.method, self.path = method, path
        self.headers = _Headers({k.lower(): v for k, v in headers})
        self.headers["content-length"] = str(len(body))
        self.rfile = io.BytesIO(body)
        self.status, self.body, self.content_type = 500, b"", "application/json"
        self.extra_headers: dict[str, str] = {}
        self.dropped = False
        self.drip_s = 0.0  # > 0: the body leaves one byte every drip_s seconds
        self.announce = True  # say "the paper exchange" on the answer (transport.announced)

    def reply_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self.reply_raw(status, json.dumps(payload).encode(), "application/json", headers)

    def reply_raw(self, status: int, raw: bytes, content_type: str, headers: dict[str, str] | None = None) -> None:
        self.status, self.body, self.content_type = status, raw, content_type
        self.extra_headers = dict(headers or {})

    def drip(self, status: int, raw: bytes, interval_s: float) -> None:
        """Answer one byte every `interval_s` (see the plain server's drip)."""
        self.reply_raw(status, raw, "application/json")
        self.drip_s = interval_s

    def drop(self) -> None:
        """The exchange acted and then "lost" the connection: no answer (on HTTP/2 the stream is reset)."""
        self.dropped = True

    def response_headers(self) -> list[tuple[str, str]]:
        said = [(k.lower(), v) for k, v in announced(self.announce)]
        return [("content-type", self.content_type), ("content-length", str(len(self.body))), *said,
                *((k.lower(), v) for k, v in self.extra_headers.items())]


Respond = Callable[[PaperRequest], None]


class Dispatcher:
    """Hands requests to the exchange: on the loop when nothing may sleep (a few hundred microseconds of
    work), on a worker thread when injected latency or a fault schedule may."""

    def __init__(self, exchange: Exchange, executor: Executor, loop: asyncio.AbstractEventLoop) -> None:
        self.exchange, self.executor, self.loop = exchange, executor, loop

    def __call__(self, request: PaperRequest, respond: Respond) -> None:
        request.announce = self.exchange.announce
        if not self.exchange.may_wait():
            self._handle(request)
            respond(request)
            return
        future = self.loop.run_in_executor(self.executor, self._handle, request)
        future.add_done_callback(lambda _: respond(request))

    def _handle(self, request: PaperRequest) -> None:
        try:
            self.exchange.handle(request, request.method)
        except Exception:  # the exchange answers its own errors; anything else is a 500, never a hang
            log.exception("the paper exchange failed on %s %s", request.method, request.path)
            request.reply_json(500, {"label": "SERVER_ERROR", "message": "internal error"})


class HttpConnection(asyncio.Protocol):
    """One client connection: HTTP/2 when TLS agreed on it (ALPN), HTTP/1.1 otherwise."""

    def __init__(self, dispatch: Dispatcher, window: int, connections: set[HttpConnection]) -> None:
        self.dispatch, self.window, self.connections = dispatch, window, connections
        self.transport: asyncio.Transport | None = None
        self.speaker: _H2 | _H1 | SocketSpeaker | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        assert self.transport is not None
        self.connections.add(self)
        no_delay(transport)
        ssl_object = transport.get_extra_info("ssl_object")
        alpn = ssl_object.selected_alpn_protocol() if ssl_object is not None else None
        self.speaker = _H2(self) if alpn == "h2" else _H1(self)

    def data_received(self, data: bytes) -> None:
        if self.speaker is not None:
            self.speaker.data_received(data)

    def eof_received(self) -> bool:
        return False  # the client is done sending: close (answers in flight to a half-closed client are moot)

    def connection_lost(self, exc: Exception | None) -> None:
        self.connections.discard(self)
        if isinstance(self.speaker, SocketSpeaker):
            self.speaker.lost()
        self.speaker = None

    def write(self, data: bytes) -> None:
        if data and self.transport is not None and not self.transport.is_closing():
            self.transport.write(data)

    def close(self, *, abort: bool = False) -> None:
        if self.transport is not None:
            self.transport.abort() if abort else self.transport.close()


class _H2:
    def __init__(self, owner: HttpConnection) -> None:
        self.owner = owner
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding="utf-8"))
        self.conn.local_settings = h2.settings.Settings(
            client=False, initial_values={h2.settings.SettingCodes.MAX_CONCURRENT_STREAMS: MAX_STREAMS})
        self.conn.initiate_connection()
        if owner.window > SPEC_WINDOW:
            self.conn.increment_flow_control_window(owner.window - SPEC_WINDOW)
        self.requests: dict[int, tuple[list[tuple[str, str]], bytearray]] = {}
        self.unsent: dict[int, bytes] = {}  # answers' bytes waiting for the client's flow-control window
        self._flush()

    def _flush(self) -> None:
        self.owner.write(self.conn.data_to_send())

    def data_received(self, data: bytes) -> None:
        try:
            events = self.conn.receive_data(data)
        except h2.exceptions.ProtocolError:
            self._flush()
            self.owner.close()
            return
        for event in events:
            if isinstance(event, h2.events.RequestReceived):
                self.requests[event.stream_id] = (list(event.headers or []), bytearray())  # type: ignore[arg-type]
            elif isinstance(event, h2.events.DataReceived):
                if event.stream_id in self.requests:
                    self.requests[event.stream_id][1].extend(event.data or b"")
                self.conn.acknowledge_received_data(event.flow_controlled_length or 0, event.stream_id or 0)
            elif isinstance(event, h2.events.StreamEnded):
                self._received(event.stream_id or 0)
            elif isinstance(event, h2.events.StreamReset):
                self.requests.pop(event.stream_id or 0, None)
                self.unsent.pop(event.stream_id or 0, None)
            elif isinstance(event, (h2.events.WindowUpdated, h2.events.RemoteSettingsChanged)):
                self._send_unsent()
            elif isinstance(event, h2.events.ConnectionTerminated):
                self._flush()
                self.owner.close()
                return
        self._flush()

    def _received(self, stream_id: int) -> None:
        entry = self.requests.pop(stream_id, None)
        if entry is None:
            return
        headers, body = entry
        pseudo = {k: v for k, v in headers if k.startswith(":")}
        request = PaperRequest(pseudo.get(":method", "GET"), pseudo.get(":path", "/"),
                               [(k, v) for k, v in headers if not k.startswith(":")], bytes(body))
        self.owner.dispatch(request, lambda answered: self._answer(stream_id, answered))

    def _answer(self, stream_id: int, request: PaperRequest) -> None:
        if self.owner.speaker is not self:  # the connection went meanwhile
            return
        try:
            if request.dropped:
                self.conn.reset_stream(stream_id, h2.errors.ErrorCodes.INTERNAL_ERROR)
            else:
                self.conn.send_headers(stream_id, [(":status", str(request.status)), *request.response_headers()],
                                       end_stream=not request.body)
                if request.body and request.drip_s > 0:
                    self._drip(stream_id, request.body, request.drip_s)
                elif request.body:
                    self.unsent[stream_id] = request.body
                    self._send_unsent()
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
            self.unsent.pop(stream_id, None)  # the client reset the stream meanwhile
        self._flush()  # each answer leaves as soon as it is made

    def _drip(self, stream_id: int, rest: bytes, interval_s: float) -> None:
        if self.owner.speaker is not self or not rest:
            return
        try:
            self.conn.send_data(stream_id, rest[:1], end_stream=len(rest) == 1)
        except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError, h2.exceptions.FlowControlError):
            return  # the client reset the stream (its deadline): stop
        self._flush()
        asyncio.get_running_loop().call_later(interval_s, self._drip, stream_id, rest[1:], interval_s)

    def _send_unsent(self) -> None:
        for stream_id in list(self.unsent):
            data = self.unsent[stream_id]
            try:
                while data:
                    size = min(self.conn.local_flow_control_window(stream_id), self.conn.max_outbound_frame_size,
                               len(data))
                    if size <= 0:
                        break
                    self.conn.send_data(stream_id, data[:size])
                    data = data[size:]
                if data:
                    self.unsent[stream_id] = data
                else:
                    del self.unsent[stream_id]
                    self.conn.end_stream(stream_id)
            except (h2.exceptions.StreamClosedError, h2.exceptions.ProtocolError):
                self.unsent.pop(stream_id, None)


class _H1:
    def _drip(self, rest: bytes, interval_s: float) -> None:
        """One byte now, the next later; the connection closes after a dripped answer."""
        if self.owner.speaker is not self:
            return
        if not rest:
            self.owner.write(self.conn.send(h11.EndOfMessage()) or b"")
            self.owner.close()
            return
        self.owner.write(self.conn.send(h11.Data(data=rest[:1])) or b"")
        asyncio.get_running_loop().call_later(interval_s, self._drip, rest[1:], interval_s)

    def __init__(self, owner: HttpConnection) -> None:
        self.owner = owner
        self.conn = h11.Connection(h11.SERVER)
        self.answering = False
        self.request: h11.Request | None = None
        self.body = bytearray()

    def data_received(self, data: bytes) -> None:
        self.conn.receive_data(data)
        self._next()

    def _next(self) -> None:
        while not self.answering:
            try:
                event = self.conn.next_event()
            except h11.RemoteProtocolError:
                self.owner.close()
                return
            if event is h11.NEED_DATA or event is h11.PAUSED:
                return
            if isinstance(event, h11.Request):
                self.request, self.body = event, bytearray()
            elif isinstance(event, h11.Data):
                self.body.extend(event.data)
            elif isinstance(event, h11.EndOfMessage) and self.request is not None:
                self.answering = True
                request = PaperRequest(self.request.method.decode(), self.request.target.decode("latin-1"),
                                       [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self.request.headers],
                                       bytes(self.body))
                if self._upgraded(request.method, request.path):
                    return
                self.owner.dispatch(request, self._answer)
            elif isinstance(event, h11.ConnectionClosed):
                self.owner.close()
                return

    def _upgraded(self, method: str, path: str) -> bool:
        """An upgrade to a WebSocket the exchange serves: the connection is the socket's from here on."""
        assert self.request is not None and self.owner.transport is not None
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in self.request.headers]
        sockets = self.owner.dispatch.exchange.sockets
        if method != "GET" or not is_upgrade(headers) or not sockets.accepts(path):
            return False
        self.owner.speaker = upgrade(sockets, path, headers, self.owner.transport, self.conn.trailing_data[0])
        return True

    def _answer(self, request: PaperRequest) -> None:
        if self.owner.speaker is not self:
            return
        if request.dropped:
            self.owner.close(abort=True)
            return
        try:
            phrase = HTTPStatus(request.status).phrase.encode()
        except ValueError:
            phrase = b""
        self.owner.write(self.conn.send(h11.Response(status_code=request.status, reason=phrase,
                                                     headers=request.response_headers())) or b"")
        if request.drip_s > 0:
            self._drip(request.body, request.drip_s)
            return
        self.owner.write(self.conn.send(h11.Data(data=request.body)) or b"")
        self.owner.write(self.conn.send(h11.EndOfMessage()) or b"")
        if self.conn.our_state is not h11.DONE or self.conn.their_state is not h11.DONE:
            self.owner.close()
            return
        self.conn.start_next_cycle()
        self.answering = False
        self._next()  # a request already read behind this one
