"""One request, from a transport to its answer: counted in flight, delayed by the injected latency, routed,
passed through the middleware steps to its endpoint, and written back; an ApiError becomes Gate's JSON
error, anything else a logged 500. The only place that knows all of a request's path."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from urllib.parse import parse_qsl, urlsplit

from gatecancel_gui.paper.errors import ApiError
from gatecancel_gui.paper.routing import PREFIX, Answer, Call, Router, Step, through
from gatecancel_gui.paper.stats import Stats
from gatecancel_gui.paper.transport import Request

log = logging.getLogger(__name__)


class Dispatch:
    def __init__(self, router: Router, steps: Sequence[Step], stats: Stats, latency_s: Callable[[], float]) -> None:
        self.router, self.stats, self.latency_s = router, stats, latency_s
        self._run = through(steps, self._endpoint)

    def handle(self, request: Request, method: str) -> None:
        parts = urlsplit(request.path)
        path, raw_query = parts.path, parts.query
        length = int(request.headers.get("Content-Length") or 0)
        body = request.rfile.read(length) if length else b""
        with self.stats.in_flight_while(cancel=method != "GET"):
            try:
                latency_s = self.latency_s()
                if latency_s:
                    time.sleep(latency_s)
                if not path.startswith(PREFIX + "/"):
                    raise ApiError(404, "NOT_FOUND", "Not Found")
                endpoint = path[len(PREFIX):]
                query = dict(parse_qsl(raw_query, keep_blank_values=True))
                found = self.router.match(method, endpoint)
                if found is None:
                    raise ApiError(404, "NOT_FOUND", f"{method} {endpoint} is not an endpoint here")
                route, params = found
                call = Call(method, request.path, path, raw_query, query, body, request.headers.get, route, params)
                write(request, self._run(call))
            except ApiError as exc:
                request.reply_json(exc.status, {"label": exc.label, "message": exc.message}, exc.headers)
            except Exception:  # a bug in the paper exchange should look like Gate's 500, and be logged
                log.exception("paper exchange error")
                request.reply_json(500, {"label": "SERVER_ERROR", "message": "internal error"})

    def _endpoint(self, call: Call) -> Answer:
        status, payload = call.route.handler(call)
        self.stats.record(call.method, call.endpoint, payload if call.route.batch else None)
        return Answer(status, payload, headers=call.reply_headers)


def write(request: Request, answer: Answer) -> None:
    if answer.dropped:
        request.drop()
        return
    raw = answer.raw if answer.raw is not None else json.dumps(answer.payload).encode()
    if answer.drip_s is not None:
        request.drip(answer.status, raw, answer.drip_s)
        return
    request.reply_raw(answer.status, raw, answer.content_type, answer.headers)
