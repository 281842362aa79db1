"""A Gate APIv4 client over one httpx connection pool: signing, clock sync, errors sorted for people.

Why one module of ~480 lines: a request's life (sign, send, retry a read, sort the error, note the clock
and the paper header) is one path; the network below it is net/, the reads above it are their own modules."""

from __future__ import annotations

import concurrent.futures
import contextlib
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
import socksio

from gatecancel_gui.core.domain.environments import (
    PAPER_HEADER,
    is_loopback_host,
    normalise_base_url,
    note_answer,
    said_paper,
)
from gatecancel_gui.core.domain.errors import ErrorClass, GateError, Stopped
from gatecancel_gui.core.gate.ratelimit import AccountBudgets, budgets_for
from gatecancel_gui.core.gate.signing import signed_headers
from gatecancel_gui.core.net.proxies import proxy_for
from gatecancel_gui.core.net.senders import SenderPool
from gatecancel_gui.core.net.transport import MAX_IN_FLIGHT, HttpLoop, NetworkSettings, is_untrusted_certificate
from gatecancel_gui.core.store.credentials import Credentials

log = logging.getLogger(__name__)

Params = list[tuple[str, str]]
CLOSE_WAIT_S = 1.0
Notice = Callable[[str], None]


@dataclass(frozen=True)
class ReadRetry:
    """How a GET (idempotent, safe to repeat) rides out a busy exchange: capped exponential backoff."""

    tries: int = 5
    backoff_s: float = 0.25
    max_backoff_s: float = 2.0
    max_rate_wait_s: float = 10.0

    def delay(self, failures: int) -> float:
        return min(self.max_backoff_s, self.backoff_s * 2.0 ** (failures - 1))


class NoAnswer(GateError):
    """No usable answer: the request may or may not have been applied by the exchange."""

    def __init__(self, label: str, detail: str, status: int | None = None) -> None:
        super().__init__(status, label, detail, error_class=ErrorClass.NETWORK, detail=detail)


class NotSent(GateError):
    """The request never reached the exchange (no connection could be made)."""

    def __init__(self, detail: str, *, label: str = "CONNECT_FAILED") -> None:
        super().__init__(None, label, detail, error_class=ErrorClass.NETWORK, detail=detail)


@dataclass(frozen=True, slots=True)
class ApiResponse:
    status: int
    data: Any
    headers: httpx.Headers
    latency_s: float
    http_version: str = ""  # "HTTP/2" or "HTTP/1.1": what the connection negotiated


Request = tuple[str, str, Params | None, Any, bool]  # method, endpoint, params, body, signed
InFlight = tuple[concurrent.futures.Future[httpx.Response], float]  # the loop's future, when it was sent


class PendingAnswer:
    """A request already on its way; `result()` waits for the answer (or raises what sending it raised).

    A signed request Gate refuses with REQUEST_EXPIRED (this computer's clock is off) is sent again once,
    after the clock is re-synced: from the thread that waits, never from the one that started it."""

    def __init__(self, client: GateClient, request: Request, stop: threading.Event | None) -> None:
        self._client, self._request, self._stop = client, request, stop
        self._in_flight: InFlight | None = None
        self._error: BaseException | None = None
        try:
            self._in_flight = client._dispatch(request)
        except Exception as exc:
            self._error = exc

    def result(self, stop: threading.Event | None = None) -> ApiResponse:
        """Wait for the answer; `stop` (or the one given at the start) ends the wait within a quarter of a
        second: a read then raises Stopped, anything else NoAnswer (it may have been applied)."""
        if self._error is not None:
            raise self._error
        assert self._in_flight is not None
        client, (method, endpoint, _, _, signed) = self._client, self._request
        stop = stop or self._stop
        try:
            try:
                return client._receive(self._in_flight, stop)
            except GateError as exc:
                if not (signed and exc.label == "REQUEST_EXPIRED"):
                    raise
                log.info("REQUEST_EXPIRED on %s %s: re-syncing the clock and retrying once", method, endpoint)
                client.sync_clock(stop)
                return client._receive(client._dispatch(self._request), stop)
        except Stopped:
            if method == "GET":
                raise
            raise NoAnswer("STOPPED", "stopped before the answer came; the request may have been applied") \
                from None


def parse_reset_seconds(value: str | None, server_now: float) -> float | None:
    """Seconds to wait from a X-Gate-RateLimit-Reset-Timestamp (its unit is unconfirmed: s or ms)."""
    if not value:
        return None
    try:
        stamp = float(value)
    except ValueError:
        return None
    if stamp > 1e11:
        stamp /= 1000.0
    if stamp < 1e9:  # a small number reads as "seconds from now"
        return max(0.0, min(stamp, 10.0))
    return max(0.0, min(stamp - server_now, 10.0))


class ServerClock:
    """The offset between this computer's clock and Gate's, so a skewed clock still signs right."""

    def __init__(self, local_clock: Callable[[], float] = time.time) -> None:
        self.local_clock = local_clock
        self.offset_s = 0.0
        self.synced = False
        self.syncing = False
        self._lock = threading.Lock()

    def claim_sync(self) -> bool:
        """True for the one caller that should start a sync now (none is done or under way)."""
        with self._lock:
            if self.synced or self.syncing:
                return False
            self.syncing = True
            return True

    def release_sync(self) -> None:
        with self._lock:
            self.syncing = False

    def now(self) -> float:
        return self.local_clock() + self.offset_s

    def timestamp_header(self) -> str:
        return f"{self.now():.3f}"

    def update(self, server_ms: float, sent_at: float, received_at: float) -> None:
        with self._lock:
            self.offset_s = server_ms / 1000.0 - (sent_at + received_at) / 2.0
            self.synced = True


class GateClient:
    """Talks to one Gate-compatible base URL with one account's credentials.

    Thread-safe: the cancel engine calls it from several threads at once over one connection pool.
    """

    def __init__(self, base_url: str, credentials: Credentials | None = None, *,
                 timeout_s: float = 5.0, connect_timeout_s: float = 3.0, network: NetworkSettings | None = None,
                 expiry_s: float | None = None, account: str | None = None,
                 local_clock: Callable[[], float] = time.time, read_retry: ReadRetry | None = None) -> None:
        self.base_url = normalise_base_url(base_url)
        self._path_prefix = urlsplit(self.base_url).path.rstrip("/")
        self._loopback = is_loopback_host(urlsplit(self.base_url).hostname or "")  # might be the paper exchange
        self.credentials = credentials
        self.account = account
        self.expiry_s = expiry_s
        self.clock = ServerClock(local_clock)
        self.read_retry = read_retry or ReadRetry()
        self.budgets: AccountBudgets = budgets_for(self.base_url, credentials.key if credentials else "")
        self._answered = threading.Event()  # some request has been answered: the connection is up
        self._sync_wanted = False
        self._listeners: list[Notice] = []
        self._listeners_lock = threading.Lock()
        self.network = network or NetworkSettings()
        self.http_version = ""  # what the connection of the last answer negotiated (the warmer reads it)
        # decided before anything connects: a system proxy that cannot be used is a ConfigError, said at once
        self.proxy = proxy_for(self.base_url, self.network.proxy)  # never one for this computer (the paper exchange)
        self._http = HttpLoop(self.network, timeout_s, connect_timeout_s, self.proxy)
        self._proxied = self.proxy is not None
        self.senders = SenderPool(MAX_IN_FLIGHT)  # the threads a cancel sends on, kept between runs

    def close(self) -> None:
        self._http.close()
        self.senders.close()

    def __enter__(self) -> GateClient:
        return self

    def __exit__(self, *exc: object) -> None:
        """Close, and give the connections a moment to close (bounded; never used on the GUI thread): a
        process that ends right after (a command) otherwise drops the closing half-way, and Python warns
        of a coroutine never awaited."""
        self.close()
        self._http.join(CLOSE_WAIT_S)

    # -- notices -----------------------------------------------------------------------------------

    def add_listener(self, listener: Notice) -> None:
        """Hear what the client is doing that the user should know about: "Gate is busy (open orders),
        retrying 2/5…"."""
        with self._listeners_lock:
            self._listeners.append(listener)

    def remove_listener(self, listener: Notice) -> None:
        with self._listeners_lock:
            if listener in self._listeners:
                self._listeners.remove(listener)

    def notify(self, text: str) -> None:
        """Tell the listeners (the window's status bar, the command line's stderr) something the user should know."""
        with self._listeners_lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(text)
            except Exception:
                log.exception("a notice listener failed")

    # -- clock -------------------------------------------------------------------------------------

    def sync_clock(self, stop: threading.Event | None = None) -> float:
        """Read GET /spot/time and keep the offset; returns the offset in seconds."""
        sent = self.clock.local_clock()
        resp = self.request("GET", "/spot/time", signed=False, stop=stop)
        received = self.clock.local_clock()
        try:
            server_ms = float(resp.data["server_time"])
        except (TypeError, KeyError, ValueError):
            raise NoAnswer("BAD_RESPONSE", "its server time was unreadable", resp.status) from None
        self.clock.update(server_ms, sent, received)
        return self.clock.offset_s

    def ensure_clock(self, stop: threading.Event | None = None) -> None:
        """Have the clock synced, without ever waiting for it: requests are signed with the last known
        offset meanwhile (this computer's own clock at first), and a REQUEST_EXPIRED re-syncs and retries
        once. The sync starts once a first answer has come back: on a new HTTP/2 connection it would
        otherwise hold the connection for a round trip in front of the request that matters."""
        if self.clock.synced:
            return
        if self._answered.is_set():
            self._start_sync()
        else:
            self._sync_wanted = True

    def _start_sync(self) -> None:
        if self.clock.claim_sync():
            threading.Thread(target=self._background_sync, name="clock-sync", daemon=True).start()

    def _background_sync(self) -> None:
        try:
            self.sync_clock()
        except (GateError, Stopped) as exc:
            log.info("background clock sync failed: %s", exc)
        except RuntimeError:  # the client was closed under it (a short command line run): nothing to sync
            pass
        finally:
            self.clock.release_sync()

    # -- requests ----------------------------------------------------------------------------------

    def request(self, method: str, endpoint: str, *, params: Params | None = None, body: Any = None,
                signed: bool = True, stop: threading.Event | None = None) -> ApiResponse:
        """Send one request. A GET is idempotent, so it is retried through a busy exchange (5xx, TOO_BUSY,
        429 after the reset, network failures) under the account's read budget; anything else is sent
        once, because a cancel that may have been applied must be checked, never resent blindly.
        `stop` wakes every wait: the read then raises Stopped."""
        if method == "GET":
            return self._read(endpoint, params, signed, stop)
        return self.start(method, endpoint, params=params, body=body, signed=signed, stop=stop).result()

    def add_lanes(self, count: int) -> None:
        """Over HTTP/1.1, have the clients of `count` connections made before a cancel needs them."""
        self._http.add_lanes(count)

    def sending_together(self) -> contextlib.AbstractContextManager[None]:
        """Requests started inside the block leave together when it ends (see HttpLoop.together)."""
        return self._http.together()

    def start(self, method: str, endpoint: str, *, params: Params | None = None, body: Any = None,
              signed: bool = True, stop: threading.Event | None = None) -> PendingAnswer:
        """Put one request on the connection now and return at once; `result()` waits for its answer, as
        `request` would for anything but a GET (sent once; REQUEST_EXPIRED re-syncs and retries once).
        A cancel starts all its requests from one thread, so they leave together."""
        return PendingAnswer(self, (method, endpoint, params, body, signed), stop)

    def _read(self, endpoint: str, params: Params | None, signed: bool,
              stop: threading.Event | None) -> ApiResponse:
        policy = self.read_retry
        budget = self.budgets.read(endpoint) if signed else None
        waiter = stop or threading.Event()
        for attempt in range(1, policy.tries + 1):
            if waiter.is_set() or (budget is not None and not budget.acquire(stop)):
                raise Stopped()  # nothing is sent after Stop (its answer would not be waited for)
            try:
                return self._once("GET", endpoint, params, None, signed, stop)
            except GateError as exc:
                if exc.error_class not in (ErrorClass.SERVER, ErrorClass.NETWORK, ErrorClass.RATE) \
                        or exc.label in WILL_NOT_CHANGE:
                    raise
                if attempt == policy.tries:
                    exc.attempts = attempt
                    raise
                if exc.error_class is ErrorClass.RATE:
                    delay = min(policy.max_rate_wait_s, exc.retry_after_s if exc.retry_after_s is not None else 1.0)
                    if budget is not None:
                        budget.pause(delay)
                    why = "Gate is rate-limiting reads"
                elif exc.error_class is ErrorClass.SERVER:
                    delay, why = policy.delay(attempt), "Gate is busy"
                else:
                    delay, why = policy.delay(attempt), _NETWORK_WHY.get(exc.label, "No answer from Gate")
                log.info("GET %s failed (%s); retry %d/%d in %.2f s", endpoint, exc.label, attempt + 1,
                         policy.tries, delay)
                self.notify(f"{why} ({what_is_read(endpoint)}), retrying {attempt + 1}/{policy.tries}…")
                if waiter.wait(delay):
                    raise Stopped() from None
        raise AssertionError("unreachable")  # pragma: no cover

    def _once(self, method: str, endpoint: str, params: Params | None, body: Any,
              signed: bool, stop: threading.Event | None = None) -> ApiResponse:
        return PendingAnswer(self, (method, endpoint, params, body, signed), stop).result()

    def _dispatch(self, request: Request) -> InFlight:
        """Sign the request and hand it to the connection; the answer is waited for in `_receive`."""
        method, url, content, headers = self._prepare(*request)
        return self._http.submit(method, url, content, headers), time.perf_counter()

    def _receive(self, in_flight: InFlight, stop: threading.Event | None = None) -> ApiResponse:
        future, started = in_flight
        try:
            response = self._http.wait(future, stop)
        except httpx.TransportError as exc:
            raise _transport_failure(exc, proxied=self._proxied, loopback=self._loopback) from None
        except socksio.ProtocolError as exc:  # a SOCKS5 proxy that hung up on the handshake (httpx lets it through)
            raise NotSent(_describe(exc), label="PROXY_REFUSED") from None
        self._answered.set()
        self.http_version = response.http_version
        if self._sync_wanted:
            self._sync_wanted = False
            self._start_sync()
        return self._interpret(response, time.perf_counter() - started)

    def _prepare(self, method: str, endpoint: str, params: Params | None, body: Any,
                 signed: bool) -> tuple[str, str, bytes | None, dict[str, str]]:
        """Method, URL, body bytes and headers: serialised once, signed over exactly what is sent."""
        query = "&".join(f"{k}={v}" for k, v in (params or []))
        path = self._path_prefix + endpoint
        content = b"" if body is None else json.dumps(body, separators=(",", ":")).encode("utf-8")
        headers: dict[str, str] = {}
        if body is not None:
            headers["Content-Type"] = "application/json"
        if signed:
            if self.credentials is None:
                raise GateError(None, "MISSING_CREDENTIALS", "no API key configured",
                                error_class=ErrorClass.CREDENTIALS)
            headers.update(signed_headers(self.credentials.key, self.credentials.secret, method, path,
                                          query, content, self.clock.timestamp_header()))
            if self.expiry_s is not None:
                headers["x-gate-exptime"] = str(int((self.clock.now() + self.expiry_s) * 1000))
        url = self.base_url + endpoint + (f"?{query}" if query else "")
        return method, url, content or None, headers

    def _interpret(self, response: httpx.Response, latency: float) -> ApiResponse:
        if self._loopback:  # whether this is the paper exchange is its own word, on every answer (hosts.py)
            said = response.headers.get(PAPER_HEADER) == "1"
            if said != said_paper(self.base_url):  # noted only when it changes: it is read on every answer
                note_answer(self.base_url, "1" if said else None)
        status = response.status_code
        try:
            data = response.json()
        except (ValueError, UnicodeDecodeError):
            data = None
        if 200 <= status < 300:
            if data is None and response.content:
                if "html" in response.headers.get("content-type", ""):  # a web page: asking again changes nothing
                    raise NoAnswer("WEB_PAGE", "a web page, not JSON", status)
                raise NoAnswer("BAD_RESPONSE", "the answer was not JSON (an error page or a cut-off body)",
                               status)
            return ApiResponse(status, data, response.headers, latency, response.http_version)
        label, message = "", ""
        if isinstance(data, dict):
            label = str(data.get("label") or "")
            message = str(data.get("message") or data.get("detail") or "")
        if not label and status >= 500 and status not in NOT_GATE_STATUSES:
            label = "SERVER_ERROR"
        if not label and status == 429:
            label = "TOO_MANY_REQUESTS"
        if not label:  # not Gate's error shape: a proxy, a web page, or not Gate at all
            error = GateError(status, "UNEXPECTED_ANSWER", f"HTTP {status} {response.reason_phrase}".strip(),
                              error_class=ErrorClass.REQUEST)
            raise error
        error = GateError(status, label, message)
        if error.error_class is ErrorClass.RATE:
            error.retry_after_s = parse_reset_seconds(
                response.headers.get("X-Gate-RateLimit-Reset-Timestamp"), self.clock.now())
        raise error


_READS = (("/spot/time", "server time"), ("/spot/open_orders", "open orders"), ("/spot/price_orders", "stop orders"),
          ("/spot/tickers", "market prices"), ("/spot/currency_pairs", "the pair list"), ("/spot/orders/", "an order"),
          ("/spot/orders", "orders"))


# 501 Not Implemented (a web server's answer to a method it does not serve) and 505: never a busy Gate.
NOT_GATE_STATUSES = frozenset({501, 505})
# Failures that asking again a moment later does not change: a certificate, a proxy login, a host name that
# does not resolve, nothing listening on a port of this computer, a web page where Gate's JSON should be.
WILL_NOT_CHANGE = {"TLS_UNTRUSTED", "PROXY_REFUSED", "HOST_UNKNOWN", "WEB_PAGE", "NOTHING_LISTENING"}
_NETWORK_WHY = {"CONNECT_FAILED": "Could not reach the exchange", "PROXY_UNREACHABLE": "Could not reach the proxy"}


_FUTURES_READS = (("/orders/", "a {} order"), ("/orders", "{} orders"), ("/price_orders", "{} stop orders"),
                  ("/tickers", "{} prices"), ("/contracts", "the {} contract list"))


def what_is_read(endpoint: str) -> str:
    """A read in the user's words, so "retrying 2/5" says what is being retried."""
    if endpoint.startswith("/futures/"):
        settle, _, rest = endpoint.removeprefix("/futures/").partition("/")
        market = f"{settle.upper()} perpetual"
        return next((words.format(market) for prefix, words in _FUTURES_READS if ("/" + rest).startswith(prefix)),
                    endpoint)
    return next((words for prefix, words in _READS if endpoint.startswith(prefix)), endpoint)


def _transport_failure(exc: httpx.TransportError, *, proxied: bool = False, loopback: bool = False) -> GateError:
    """Sort a failure to talk: never sent (safe to resend) versus sent with no usable answer."""
    if isinstance(exc, httpx.ConnectError) and is_untrusted_certificate(exc):
        return NotSent(_describe(exc), label="TLS_UNTRUSTED")
    if isinstance(exc, httpx.ConnectError) and not proxied and _caused_by(exc, socket.gaierror):
        return NotSent(_describe(exc), label="HOST_UNKNOWN")
    if isinstance(exc, httpx.ConnectError) and not proxied and loopback and _caused_by(exc, ConnectionRefusedError):
        return NotSent(_describe(exc), label="NOTHING_LISTENING")
    if isinstance(exc, httpx.ProxyError):  # the proxy said no before anything reached Gate
        return NotSent(_describe(exc), label="PROXY_REFUSED")
    if isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)):
        return NotSent(_describe(exc), label="PROXY_UNREACHABLE" if proxied else "CONNECT_FAILED")
    if isinstance(exc, httpx.TimeoutException):
        return NoAnswer("TIMEOUT", f"no answer within the timeout ({type(exc).__name__})")
    return NoAnswer("CONNECTION_LOST", f"the connection broke ({type(exc).__name__})")


def _caused_by(exc: BaseException, kind: type[BaseException]) -> bool:
    """Whether `kind` is among the failure's causes (httpx and httpcore wrap the OS's error)."""
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            return False
        if isinstance(seen, kind):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _describe(exc: Exception) -> str:
    """Name the failure without echoing a URL's credentials or any header."""
    text = str(exc).split("\n")[0][:160]
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
