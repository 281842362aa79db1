"""The paper exchange's plain transport: the standard library's threaded HTTP/1.1 server on 127.0.0.1,
one thread a request, every request handed to the exchange (see transport for the shape they share), or
to its WebSocket side when it asks for an upgrade the exchange serves (see ws_plain)."""

from __future__ import annotations

import json
import logging
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from gatecancel_gui.paper.listening import HOST, claim_address
from gatecancel_gui.paper.transport import Exchange, announced
from gatecancel_gui.paper.ws_plain import serve_socket
from gatecancel_gui.paper.ws_wire import is_upgrade

log = logging.getLogger(__name__)


class PlainServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256
    allow_reuse_address = False  # listening.claim_address sets what each OS needs (not SO_REUSEADDR on Windows)

    def __init__(self, port: int, exchange: Exchange) -> None:
        super().__init__((HOST, port), _Handler)
        self.exchange = exchange

    def server_bind(self) -> None:
        claim_address(self.socket)
        super().server_bind()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hangs up (a finished command, a dropped test connection) is routine: one debug
        line, not socketserver's traceback on stderr. Anything else is logged with its traceback."""
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionResetError, BrokenPipeError, ConnectionAbortedError)):
            log.debug("paper exchange: %s hung up (%s)", client_address, error)
        else:
            log.exception("paper exchange: error while serving %s", client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go out as separate writes: no 40 ms delayed-ACK stall
    server: PlainServer

    def do_GET(self) -> None:
        sockets = self.server.exchange.sockets
        headers = list(self.headers.items())
        if is_upgrade(headers) and sockets.accepts(self.path):
            self.close_connection = True
            serve_socket(sockets, self.path, headers, self.connection, self.rfile)
            return
        self.server.exchange.handle(self, "GET")

    def do_POST(self) -> None:
        self.server.exchange.handle(self, "POST")

    def do_DELETE(self) -> None:
        self.server.exchange.handle(self, "DELETE")

    def reply_json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        self.reply_raw(status, json.dumps(payload).encode(), "application/json", headers)

    def reply_raw(self, status: int, raw: bytes, content_type: str,
                  headers: dict[str, str] | None = None) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(raw)))
            for name, value in [*announced(self.server.exchange.announce), *(headers or {}).items()]:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def drip(self, status: int, raw: bytes, interval_s: float) -> None:
        """Answer one byte every `interval_s`, as a struggling server or a bad link can: every read of the
        client's gets something in time, so only a deadline for the whole answer ends the wait. Stops when
        the client hangs up or the exchange stops."""
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.flush()
            for byte in raw:
                if self.server.exchange.stopping.wait(interval_s):
                    break
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
        except OSError:
            pass
        self.close_connection = True

    def drop(self) -> None:
        """Close the connection without a word, as a network cut after the exchange acted would."""
        self.close_connection = True
        try:
            self.connection.shutdown(2)
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
        log.debug("paper: " + format, *args)
