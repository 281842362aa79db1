"""A web server on loopback that is not Gate, as a user may point the app at by mistake: either Python's
own file server (404 pages for GET, 501 for POST and DELETE), or one that answers every path 200 with an
HTML page (a single-page site, a captive portal)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, SimpleHTTPRequestHandler, ThreadingHTTPServer


class Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


class HtmlForEverything(BaseHTTPRequestHandler):
    def _page(self) -> None:
        body = b"<!doctype html><html><body>Welcome</body></html>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = do_DELETE = _page  # noqa: N815  (http.server's names)

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def not_gate(kind: str, directory: str) -> Iterator[str]:
    """The base URL of a running server of this kind ("files" or "html")."""
    handler = HtmlForEverything if kind == "html" else \
        (lambda *a, **k: Quiet(*a, directory=directory, **k))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/api/v4"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
