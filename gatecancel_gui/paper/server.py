"""The paper exchange's HTTP server: Gate's endpoints, signatures, clock window, limits and faults."""

from __future__ import annotations

import json
import logging
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from gatecancel_gui.paper.auth import signature_matches
from gatecancel_gui.paper.book import Book, seed_book
from gatecancel_gui.paper.errors import ApiError
from gatecancel_gui.paper.faults import Fault, FaultPlan
from gatecancel_gui.paper.futures import FuturesBook, FuturesEndpoints, seed_futures
from gatecancel_gui.paper.network import NetworkServer, NetworkShape
from gatecancel_gui.paper.plain_server import PlainServer
from gatecancel_gui.paper.public import PublicEndpoints
from gatecancel_gui.paper.risk import CountdownTimers, PriceOrderBook, RiskEndpoints
from gatecancel_gui.paper.routing import PREFIX, Call, Router
from gatecancel_gui.paper.spot import SpotOrders
from gatecancel_gui.paper.transport import Request

log = logging.getLogger(__name__)

CLOCK_WINDOW_S = 60.0


@dataclass(frozen=True)
class ApiKey:
    key: str
    secret: str = field(repr=False)
    permission: str = "trade"   # trade / read_only / ip_forbidden / locked


class SlidingWindow:
    """Counts requests in a sliding window; answers whether one more is allowed and when it resets."""

    def __init__(self, limit: int, window_s: float) -> None:
        self.limit, self.window_s = limit, window_s
        self.times: deque[float] = deque()
        self.lock = threading.Lock()
        self.peak = 0

    def take(self) -> tuple[bool, int, float]:
        with self.lock:
            now = time.time()
            while self.times and now - self.times[0] >= self.window_s:
                self.times.popleft()
            reset = (self.times[0] + self.window_s) if self.times else now + self.window_s
            if len(self.times) >= self.limit:
                return False, 0, reset
            self.times.append(now)
            self.peak = max(self.peak, len(self.times))
            return True, self.limit - len(self.times), reset


class PaperExchange:
    """A Gate-compatible exchange on 127.0.0.1. Use as a context manager, or `start()` / `stop()`.

    Everything the tests steer is a plain attribute: `latency_s`, `fault_plans[endpoint]`,
    `clock_offset_s`, `cancel_limit` …; `book` holds the record of every order.
    """

    def __init__(self, *, port: int = 0, orders: int = 300, pairs: int = 12, heavy_pairs: int = 2,
                 fill_fraction: float = 0.03, latency_s: float = 0.0, seed: int = 7,
                 cancel_limit: int = 200, cancel_window_s: float = 1.0, get_limit: int = 200,
                 get_window_s: float = 10.0, slow_s: float = 3.0, reset_in_ms: bool = False,
                 cancel_all_delay_s: float = 0.05, price_orders: int = 0, countdown_scale: float = 1.0,
                 futures_orders: int = 0, network: NetworkShape | None = None) -> None:
        self.book = Book()
        seed_book(self.book, orders=orders, pairs=pairs, heavy_pairs=heavy_pairs,
                  fill_fraction=fill_fraction, seed=seed)
        self.price_orders = PriceOrderBook()
        self.price_orders.seed(price_orders, self.book.open_pairs()[:4])
        self.deadman = CountdownTimers(self.book, countdown_scale)
        self.futures = FuturesBook()
        seed_futures(self.futures, orders=futures_orders, fill_fraction=fill_fraction,
                     price_orders=price_orders // 2 if futures_orders else 0)
        self.spot = SpotOrders(self.book, cancel_all_delay_s)
        self.risk = RiskEndpoints(self.price_orders, self.deadman)
        self.futures_endpoints = FuturesEndpoints(self.futures, countdown_scale)
        self.futures_countdowns = self.futures_endpoints.countdowns
        self.router = Router()
        for endpoints in (PublicEndpoints(self.book, self.server_now), self.spot, self.risk, self.futures_endpoints):
            endpoints.add_routes(self.router)
        self.keys: dict[str, ApiKey] = {}
        self.main_key = self.add_key("trade")
        self.latency_s = latency_s
        self.slow_s = slow_s
        self.drip_s = 0.8  # DRIP_AFTER_APPLY: seconds between the bytes of an answer
        self.clock_offset_s = 0.0
        self.reset_in_ms = reset_in_ms
        self.announce = True  # every answer says "the paper exchange" (transport.announced): only it is PAPER
        self.fault_plans: dict[str, FaultPlan] = {}
        self.busy_first_get = False  # answer 503 TOO_BUSY to the first attempt of every distinct GET
        self._gets_seen: set[str] = set()
        self.cancel_window = SlidingWindow(cancel_limit, cancel_window_s)
        self.get_limit, self.get_window_s = get_limit, get_window_s
        self.get_windows: dict[str, SlidingWindow] = {}
        self.requests: list[tuple[str, str, int]] = []   # (method, endpoint, batch size or 0)
        self.signatures_seen: list[str] = []
        self.cancel_seen = threading.Event()  # set when the first batch cancel has been applied
        self.in_flight = 0
        self.peak_in_flight = 0
        self.cancels_in_flight = 0  # POST and DELETE only: what a cancel engine's bound is about
        self.peak_cancels_in_flight = 0
        self._stats_lock = threading.Lock()
        self.network = NetworkServer(self, network) if network is not None else None
        self._server = PlainServer(0 if network else port, self)
        self._thread: threading.Thread | None = None
        self.stopping = threading.Event()  # set by stop(): ends a dripping answer

    # -- life --------------------------------------------------------------------------------------

    @property
    def port(self) -> int:
        return self.network.port if self.network else self._server.server_address[1]

    @property
    def base_url(self) -> str:
        scheme = self.network.scheme if self.network else "http"
        return f"{scheme}://127.0.0.1:{self.port}{PREFIX}"

    @property
    def ca_file(self) -> str | None:
        """The throwaway CA a client must trust (TLS shape only)."""
        ca = self.network.ca_file if self.network else None
        return str(ca) if ca else None

    def start(self) -> PaperExchange:
        if self.network is not None:
            self.network.start()
            return self
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="paper-exchange", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.stopping.set()
        self.spot.stop()
        self.futures_endpoints.stop()
        self.deadman.stop()
        if self.network is not None:
            self.network.stop()
        elif self._thread is not None:
            self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> PaperExchange:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- knobs -------------------------------------------------------------------------------------

    def add_key(self, permission: str = "trade") -> ApiKey:
        key = ApiKey("paper" + secrets.token_hex(14), secrets.token_hex(32), permission)
        self.keys[key.key] = key
        return key

    def plan(self, endpoint: str, faults: list[Fault | str] | None = None, *,
             repeat: Fault | str | None = None) -> FaultPlan:
        """Schedule faults for an endpoint such as 'POST /spot/cancel_batch_orders'."""
        plan = FaultPlan(faults or [], repeat=repeat)
        self.fault_plans[endpoint] = plan
        return plan

    def server_now(self) -> float:
        return time.time() + self.clock_offset_s

    def cancel_requests(self, endpoint: str = "/spot/cancel_batch_orders") -> list[int]:
        """Batch sizes of every batch-cancel request to `endpoint` that reached the exchange."""
        return [n for _method, seen, n in self.requests if seen == endpoint]

    # -- dispatch ----------------------------------------------------------------------------------

    def may_wait(self) -> bool:
        """Whether a request may sleep here (injected latency, a slow answer, any fault schedule)."""
        return bool(self.latency_s or self.fault_plans)

    def handle(self, handler: Request, method: str) -> None:
        parts = urlsplit(handler.path)
        path, raw_query = parts.path, parts.query
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        cancel = method != "GET"
        with self._stats_lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)
            self.cancels_in_flight += cancel
            self.peak_cancels_in_flight = max(self.peak_cancels_in_flight, self.cancels_in_flight)
        try:
            if self.latency_s:
                time.sleep(self.latency_s)
            if not path.startswith(PREFIX + "/"):
                raise ApiError(404, "NOT_FOUND", "Not Found")
            endpoint = path[len(PREFIX):]
            query = dict(parse_qsl(raw_query, keep_blank_values=True))
            found = self.router.match(method, endpoint)
            if found is None:
                raise ApiError(404, "NOT_FOUND", f"{method} {endpoint} is not an endpoint here")
            route, params = found
            call = Call(method, handler.path, path, raw_query, query, body, handler.headers.get, route, params)
            headers: dict[str, str] = {}
            if not route.public:
                self._authenticate(handler, method, path, raw_query, body)
                headers = self._rate_limit(method, endpoint, route.template)
            plan = self.fault_plans.get(route.fault_key(params))
            fault = plan.next() if plan else Fault.NONE
            if method == "GET" and self.busy_first_get and self._first_time(handler.path):
                fault = Fault.BUSY_503
            if fault is Fault.RATE_429:
                raise ApiError(429, "TOO_MANY_REQUESTS", "Request Rate Limit Exceeded",
                               self._reset_headers(time.time() + 0.2, 0, self.cancel_window.limit))
            if fault is Fault.BUSY_503:
                raise ApiError(503, "TOO_BUSY", "Server is too busy, please retry later")
            if fault is Fault.HTML_200:
                handler.reply_raw(200, b"<html><body><h1>Maintenance</h1></body></html>", "text/html")
                return
            if fault is Fault.EMPTY_200:
                handler.reply_raw(200, b"", "application/json")
                return
            status, payload = route.handler(call)
            self._record(method, endpoint, payload if route.batch else None)
            self._deliver(handler, fault, status, payload, headers)
        except ApiError as exc:
            handler.reply_json(exc.status, {"label": exc.label, "message": exc.message}, exc.headers)
        except Exception:  # a bug in the paper exchange should look like Gate's 500, and be logged
            log.exception("paper exchange error")
            handler.reply_json(500, {"label": "SERVER_ERROR", "message": "internal error"})
        finally:
            with self._stats_lock:
                self.in_flight -= 1
                self.cancels_in_flight -= cancel

    def _first_time(self, path: str) -> bool:
        with self._stats_lock:
            if path in self._gets_seen:
                return False
            self._gets_seen.add(path)
            return True

    def _record(self, method: str, endpoint: str, results: Any) -> None:
        size = len(results) if results is not None else 0  # one result per order asked for
        with self._stats_lock:
            self.requests.append((method, endpoint, size))
        if size:
            self.cancel_seen.set()

    def _deliver(self, handler: Request, fault: Fault, status: int, payload: Any,
                 headers: dict[str, str]) -> None:
        if fault is Fault.DROP_AFTER_APPLY:
            handler.drop()
            return
        if fault is Fault.ERROR_500_AFTER_APPLY:
            handler.reply_json(500, {"label": "SERVER_ERROR", "message": "Internal server error"})
            return
        if fault is Fault.SLOW_AFTER_APPLY:
            time.sleep(self.slow_s)
        if isinstance(payload, list) and payload and isinstance(payload[0], dict):
            payload = _mangle(fault, payload)
        if fault is Fault.DRIP_AFTER_APPLY:
            handler.drip(status, json.dumps(payload).encode(), self.drip_s)
            return
        if fault is Fault.TRUNCATED_AFTER_APPLY:
            raw = json.dumps(payload).encode()
            handler.reply_raw(status, raw[: max(1, len(raw) // 2)], "application/json", headers)
            return
        handler.reply_json(status, payload, headers)

    # -- checks ------------------------------------------------------------------------------------

    def _authenticate(self, handler: Request, method: str, path: str, raw_query: str, body: bytes) -> ApiKey:
        key_id = handler.headers.get("KEY")
        timestamp = handler.headers.get("Timestamp")
        sign = handler.headers.get("SIGN")
        if not key_id or not timestamp or not sign:
            raise ApiError(401, "MISSING_REQUIRED_HEADER", "Missing required header: KEY, Timestamp or SIGN")
        self.signatures_seen.append(sign)  # so tests can look for them where they must never be
        try:
            stamp = float(timestamp)
        except ValueError:
            raise ApiError(401, "INVALID_CREDENTIALS", "Timestamp is not a number") from None
        if abs(stamp - self.server_now()) > CLOCK_WINDOW_S:
            raise ApiError(401, "REQUEST_EXPIRED", "gap between request Timestamp and server time exceeds 60")
        exptime = handler.headers.get("x-gate-exptime")
        if exptime:
            try:
                expired = self.server_now() * 1000 > float(exptime)
            except ValueError:
                raise ApiError(400, "INVALID_PARAM_VALUE", "x-gate-exptime is not a number") from None
            if expired:
                raise ApiError(401, "REQUEST_EXPIRED", "request arrived after x-gate-exptime")
        api_key = self.keys.get(key_id)
        if api_key is None:
            raise ApiError(401, "INVALID_KEY", "Invalid key provided")
        if not signature_matches(api_key.secret, method, path, raw_query, body, timestamp, sign):
            raise ApiError(401, "INVALID_SIGNATURE", "Signature mismatch")
        if api_key.permission == "ip_forbidden":
            raise ApiError(403, "IP_FORBIDDEN", "Your IP is not in the whitelist of this API key")
        if api_key.permission == "locked":
            raise ApiError(403, "ACCOUNT_LOCKED", "Account is locked")
        if api_key.permission == "read_only" and method in ("POST", "DELETE"):
            raise ApiError(403, "READ_ONLY", "API key is read-only")
        return api_key

    def _rate_limit(self, method: str, endpoint: str, route: str) -> dict[str, str]:
        if method in ("POST", "DELETE"):
            window = self.cancel_window
        else:
            window = self.get_windows.setdefault(route, SlidingWindow(self.get_limit, self.get_window_s))
        allowed, remain, reset = window.take()
        headers = self._reset_headers(reset, remain, window.limit)
        if not allowed:
            raise ApiError(429, "TOO_MANY_REQUESTS", "Request Rate Limit Exceeded", headers)
        return headers

    def _reset_headers(self, reset: float, remain: int, limit: int) -> dict[str, str]:
        stamp = reset + self.clock_offset_s
        return {
            "X-Gate-RateLimit-Requests-Remain": str(remain),
            "X-Gate-RateLimit-Limit": str(limit),
            "X-Gate-RateLimit-Reset-Timestamp": str(int(stamp * 1000)) if self.reset_in_ms else f"{stamp:.3f}",
        }


def _mangle(fault: Fault, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if fault is Fault.MISSING_FIELDS:
        return [{k: v for k, v in r.items() if k not in ("succeeded", "label")} for r in results]
    if fault is Fault.NUMERIC_IDS:
        return [{**r, "id": int(r["id"])} for r in results]
    if fault is Fault.EXTRA_IDS:
        return [*results, {**results[0], "id": str(int(results[0]["id"]) + 10_000_000), "succeeded": True}]
    if fault is Fault.DROP_RESULTS:
        return results[: len(results) // 2]
    return results
