"""How the client reaches Gate: TLS checked against the operating system's trust store (so company
proxies that inspect TLS with their own CA work), an extra CA file per profile, an HTTP or SOCKS5 proxy
(the one net/proxies chooses for the URL), and HTTP/2 whenever the server offers it: one connection then
carries every request of a cancel at once. With HTTP/1.1 the pool keeps enough connections for one
cancel's requests."""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import functools
import logging
import ssl
import sys
import threading
import weakref
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, unquote, urlsplit

import anyio._backends._asyncio  # noqa: F401  imported here, not lazily on the loop thread (see below)
import httpx
import truststore
import truststore._openssl as truststore_openssl  # the system store lookup (see _system_store_once)

from gatecancel_gui.core.domain.errors import ConfigError, Stopped
from gatecancel_gui.core.net import eager_http2
from gatecancel_gui.core.net.deadline import AnswerDeadline, ConnectDeadline, Deadline, Deadlines
from gatecancel_gui.core.store import redact

T = TypeVar("T")
MAX_IN_FLIGHT = 64  # requests a cancel has in flight at most: the sender threads, the HTTP/1.1 connections, the
                    # run's default and the command line's --in-flight bound follow this one number (a test
                    # checks that eager_http2.EARLY_STREAMS is not below it)
LOOP_CHECK_S = 0.25  # how often a thread waiting for an answer checks Stop and that the loop still runs
USABLE_PROXY_SCHEMES = ("http", "https", "socks5", "socks5h")
KEEPALIVE_S = 600.0  # the client keeps idle connections this long; the warmer keeps them in use meanwhile
eager_http2.install()  # a new HTTP/2 connection carries a cold load's reads at once (see eager_http2)


@dataclass(frozen=True)
class NetworkSettings:
    ca_file: str | None = None  # trusted in addition to the operating system's store (e.g. the paper CA)
    proxy: str | None = field(default=None, repr=False)  # may carry the login from the keyring: never shown
    http2: bool = True
    pool_size: int = MAX_IN_FLIGHT  # HTTP/1.1: one connection per request in flight

    def __repr__(self) -> str:
        proxy = redact_url(self.proxy) if self.proxy else None
        return f"NetworkSettings(ca_file={self.ca_file!r}, proxy={proxy!r}, http2={self.http2})"


@functools.cache
def tls_context(ca_file: str | None = None) -> ssl.SSLContext:
    """The operating system's trust store, plus the profile's CA file if it has one. Cached: building a
    context costs tens of milliseconds."""
    context = _system_store_once() if sys.platform.startswith("linux") else truststore.SSLContext(
        ssl.PROTOCOL_TLS_CLIENT)
    if ca_file:
        try:
            context.load_verify_locations(cafile=ca_file)
        except (OSError, ssl.SSLError):
            raise ConfigError(f"The CA file {ca_file} could not be read as PEM certificates.") from None
    return context


def _system_store_once() -> ssl.SSLContext:
    """On Linux truststore is OpenSSL's own verification against the system's CA files, but it loads those
    files again for every new connection: ~50 ms of CPU each on the loop's thread (measured here), so 50
    connections took 2 s to open. The same files, found the same way (truststore's own lookup), once."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    with truststore_openssl._configure_context(context):  # on Linux it configures on entry, undoes nothing
        pass
    return context


def network_settings(*, ca_file: str = "", proxy: str = "", http2: bool = True) -> NetworkSettings:
    """Checked settings: a CA file that exists, a proxy address the client can use."""
    if ca_file and not Path(ca_file).expanduser().is_file():
        raise ConfigError(f"The CA file {ca_file} does not exist.")
    return NetworkSettings(ca_file=str(Path(ca_file).expanduser()) if ca_file else None,
                           proxy=check_proxy(proxy) if proxy else None, http2=http2)


def with_login(proxy: str, user: str, password: str) -> str:
    """The proxy URL with its login, built in memory only (never shown: see redact_url)."""
    scheme, _, host = split_login(proxy)[0].partition("://")
    return f"{scheme}://{quote(user, safe='')}:{quote(password, safe='')}@{host}"


def split_login(url: str) -> tuple[str, str, str]:
    """`scheme://user:password@host:port` → (`scheme://host:port`, user, password): a login typed into the
    address is taken out of it, so the address can be saved and shown."""
    url = (url or "").strip()
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url, "", ""
    userinfo, _, host = rest.rpartition("@")
    user, _, password = userinfo.partition(":")
    redact.register("", password)
    redact.register("", unquote(password))
    return f"{scheme}://{host}", unquote(user), unquote(password)


def check_proxy(url: str) -> str:
    """A proxy URL the client can use, or a sentence saying why not."""
    url = (url or "").strip()
    split_login(url)  # a password typed into the URL: no log line may carry it from now on
    if not usable_proxy(url):
        raise ConfigError(f"'{redact_url(url)}' is not a proxy address: use http://host:port or socks5://host:port.")
    return url


def usable_proxy(url: str) -> bool:
    """Whether the client can connect through this proxy address: a scheme httpx speaks (not SOCKS4), a
    host, a valid port."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018  raises ValueError for a port out of range or not a number
        httpx.Proxy(url)
    except (ValueError, httpx.InvalidURL):
        return False
    return parts.scheme.lower() in USABLE_PROXY_SCHEMES and bool(parts.hostname)


def redact_url(url: str) -> str:
    """A URL with any password replaced, for messages and logs."""
    scheme, sep, rest = url.partition("://")
    if sep and "@" in rest:
        userinfo, _, host = rest.rpartition("@")
        user = userinfo.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}" if ":" in userinfo else f"{scheme}://{user}@{host}"
    return url


DEFAULT_HEADERS = {"Accept": "application/json", "User-Agent": "gatecancel"}


def make_http_client(settings: NetworkSettings, timeout_s: float, connect_timeout_s: float,
                     proxy: str | None = None) -> httpx.AsyncClient:
    """A client through `proxy` (decided by net/proxies.proxy_for), or direct. httpx's own reading of the
    environment and the system settings is off (trust_env): it ignores the system's exceptions for this
    computer, and a setting it cannot use raised a ValueError from here."""
    return httpx.AsyncClient(
        verify=tls_context(settings.ca_file),
        http2=settings.http2,
        proxy=proxy,
        trust_env=False,
        timeout=httpx.Timeout(timeout_s, connect=connect_timeout_s),
        limits=httpx.Limits(max_connections=settings.pool_size, max_keepalive_connections=settings.pool_size,
                            keepalive_expiry=KEEPALIVE_S),
        headers=DEFAULT_HEADERS,
        follow_redirects=False,
    )


@functools.lru_cache(maxsize=512)
def parsed_url(url: str) -> httpx.URL:
    """httpx parses a URL string in Python on every request (~15 µs here, more while threads contend):
    a cancel's requests all go to the same one."""
    return httpx.URL(url)


async def send_within(deadlines: Deadlines, client: httpx.AsyncClient, method: str, url: str,
                      content: bytes | None, headers: dict[str, str], answer_s: float,
                      connect_s: float) -> httpx.Response:
    """`send_direct` under a deadline for the whole request (see Deadline)."""
    task = asyncio.current_task()
    assert task is not None
    deadline = Deadline(deadlines, task, answer_s)
    deadlines.start(task, connect_s + answer_s)
    try:
        return await send_direct(client, method, url, content, headers, deadline=deadline)
    except asyncio.CancelledError:
        if not deadlines.expired(task):
            raise
        task.uncancel()
        if deadline.sending:
            raise AnswerDeadline(f"no whole answer within {answer_s:g} s of sending") from None
        raise ConnectDeadline(f"not sent within {connect_s + answer_s:g} s") from None
    finally:
        deadlines.end(task)


async def send_direct(client: httpx.AsyncClient, method: str, url: str, content: bytes | None,
                      headers: dict[str, str], deadline: Deadline | None = None) -> httpx.Response:
    """One request on the client's transport (the proxy's, when one is set), its body read.

    What AsyncClient.request adds around the transport is of no use here (cookies, auth, redirects, event
    hooks, a log line), and in a profile of the loop's thread during a 50-request cancel it was about a
    third of each request's time. The timeout goes with the request as httpx's own client sends it."""
    request = httpx.Request(method, parsed_url(url), headers={**DEFAULT_HEADERS, **headers}, content=content,
                            extensions={"timeout": client.timeout.as_dict()})
    if deadline is not None:
        deadline.watch(request.extensions)  # httpcore's request shares this dict
    response = await client._transport_for_url(request.url).handle_async_request(request)
    response.request = request
    try:
        await response.aread()
    finally:
        await response.aclose()
    return response


def is_untrusted_certificate(exc: BaseException) -> bool:
    """Whether the failure is a certificate this computer does not trust.

    httpx and httpcore wrap the ssl module's error, so its causes are walked for an SSLCertVerificationError:
    on Windows and macOS truststore raises one worded by the OS (and in its language), so OpenSSL's English
    wording, still matched as a fallback, is not enough."""
    seen: BaseException | None = exc
    for _ in range(8):
        if seen is None:
            break
        if isinstance(seen, ssl.SSLCertVerificationError):
            return True
        text = str(seen)
        if "CERTIFICATE_VERIFY_FAILED" in text or "certificate verify failed" in text:
            return True
        seen = seen.__cause__ or seen.__context__
    return False


class HttpLoop:
    """One asyncio loop on its own thread owns the connections; any thread sends through it and waits.

    (Every module the loop needs is imported before it starts: on CPython 3.11 a module compiled on one
    thread while another parses source fails with "AST constructor recursion depth mismatch".)

    httpcore's synchronous HTTP/2 breaks when threads share a connection (the server sees a protocol error
    and drops it under 50 concurrent streams, measured here), while its asyncio HTTP/2 multiplexes cleanly.
    So every request runs on this loop, and the cancel engine's threads simply wait for their answer.

    Over HTTP/2 one connection carries every request. Over HTTP/1.1 each request in flight needs a
    connection of its own, and httpcore's pool checks every connection it holds on every request and every
    answer: with 50 connections in one pool that costs ~10 ms of CPU per request (measured here), so a
    50-request cancel went out one by one. So HTTP/1.1 uses lanes: small clients of one connection each,
    opened as concurrency needs them, each request on the least busy."""

    def __init__(self, settings: NetworkSettings, timeout_s: float, connect_timeout_s: float,
                 proxy: str | None = None) -> None:
        self._settings, self._timeouts, self._proxy = settings, (timeout_s, connect_timeout_s), proxy
        self._loop = asyncio.new_event_loop()
        self._deadlines = Deadlines(self._loop)
        self._held = threading.local()  # requests held back by together() on the thread that holds them
        self._thread = threading.Thread(target=_run_until_stopped, args=(self._loop,), name="http-loop", daemon=True)
        self._thread.start()
        self.client = self.result_of(self._make(settings))
        self._lanes = [self.client]  # HTTP/1.1: the first client is lane 0; touched on the loop's thread only
        self._busy = [0]             # requests in flight per lane
        self._http1 = False          # the server chose HTTP/1.1: spread requests over lanes
        self._closed = False
        self._shutting: asyncio.Task[None] | None = None
        self._tasks: set[asyncio.Task[Any]] = set()  # requests started from a together() block, held until done
        # a client dropped without close() must not leave its loop thread running forever
        weakref.finalize(self, _stop_soon, self._loop)

    async def _make(self, settings: NetworkSettings) -> httpx.AsyncClient:
        return make_http_client(settings, *self._timeouts, self._proxy)

    def result_of(self, coroutine: Coroutine[Any, Any, T]) -> T:
        """The coroutine's result."""
        return self.wait(asyncio.run_coroutine_threadsafe(coroutine, self._loop))

    def wait(self, future: concurrent.futures.Future[T], stop: threading.Event | None = None) -> T:
        """The future's result. Raises Stopped within LOOP_CHECK_S of `stop` being set (the request itself
        ends at its deadline). A loop that ends (the client closed) with the future in flight never answers:
        the wait checks for that, so the waiting thread ends instead of waiting forever. Waiting inside a
        `together()` block on the thread that holds it first lets the held requests go: they would
        otherwise leave only after the wait, which would then never end."""
        held = getattr(self._held, "requests", None)
        if held:
            self._release(held[:])
            held.clear()
        while True:
            try:
                return future.result(timeout=LOOP_CHECK_S)
            except TimeoutError:
                if future.done():  # the request's own error (none is a TimeoutError today, but never loop on one)
                    raise
                if not self._thread.is_alive():
                    raise RuntimeError("the client is closed") from None
                if stop is not None and stop.is_set():
                    raise Stopped() from None

    def submit(self, method: str, url: str, content: bytes | None,
               headers: dict[str, str]) -> concurrent.futures.Future[httpx.Response]:
        """Hand a request to the loop and return at once: a cancel's requests all go to the connection
        from one thread, not each from a thread of its own taking turns for the interpreter lock."""
        if self._closed:
            raise RuntimeError("the client is closed")
        held = getattr(self._held, "requests", None)
        if held is None:
            return asyncio.run_coroutine_threadsafe(self._request(method, url, content, headers), self._loop)
        future: concurrent.futures.Future[httpx.Response] = concurrent.futures.Future()
        held.append(((method, url, content, headers), future))
        return future

    @contextlib.contextmanager
    def together(self) -> Iterator[None]:
        """Requests submitted from this thread inside the block reach the loop at once, when it ends: one
        wake-up of the loop instead of one each, and the loop's thread does not take the interpreter lock
        between them while the rest are still being signed."""
        if getattr(self._held, "requests", None) is not None:  # nested: the outer block releases them
            yield
            return
        held: list[tuple[tuple[str, str, bytes | None, dict[str, str]], concurrent.futures.Future[Any]]] = []
        self._held.requests = held
        try:
            yield
        finally:
            self._held.requests = None
            if held:
                self._release(held)

    def _release(self, held: list[tuple[tuple[str, str, bytes | None, dict[str, str]],
                                      concurrent.futures.Future[Any]]]) -> None:
        try:
            self._loop.call_soon_threadsafe(self._start_held, held)
        except RuntimeError as exc:  # the loop is closed: nothing will answer them
            for _, future in held:
                future.set_exception(exc)

    def _start_held(self, held: list[tuple[tuple[str, str, bytes | None, dict[str, str]],
                                          concurrent.futures.Future[Any]]]) -> None:
        for request, future in held:
            if not future.set_running_or_notify_cancel():
                continue
            task = self._loop.create_task(self._request(*request))
            self._tasks.add(task)
            task.add_done_callback(functools.partial(self._settle, future))

    def _settle(self, future: concurrent.futures.Future[Any], task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            future.set_exception(concurrent.futures.CancelledError())
        elif (error := task.exception()) is not None:
            future.set_exception(error)
        else:
            future.set_result(task.result())

    async def _request(self, method: str, url: str, content: bytes | None, headers: dict[str, str]) -> httpx.Response:
        answer_s, connect_s = self._timeouts
        if not self._http1:
            response = await send_within(self._deadlines, self.client, method, url, content, headers, answer_s,
                                         connect_s)
            if response.http_version == "HTTP/1.1":
                self._http1 = True
            return response
        lane = self._least_busy()
        self._busy[lane] += 1
        try:
            return await send_within(self._deadlines, self._lanes[lane], method, url, content, headers, answer_s,
                                     connect_s)
        finally:
            self._busy[lane] -= 1

    def add_lanes(self, count: int) -> None:
        """HTTP/1.1: have `count` lanes ready (their clients made; each connects on its first request), so a
        cancel's burst does not build them on the loop's thread (~0.5 ms each) while its requests wait."""
        async def add() -> None:
            while len(self._lanes) < min(count, self._settings.pool_size):
                self._new_lane()

        if self._http1 and not self._closed:
            self.result_of(add())

    def _least_busy(self) -> int:
        """An idle lane, a new one while fewer than the pool size exist, else the least busy."""
        lane = min(range(len(self._lanes)), key=self._busy.__getitem__)
        if self._busy[lane] == 0 or len(self._lanes) >= self._settings.pool_size:
            return lane
        return self._new_lane()

    def _new_lane(self) -> int:
        """A client of one HTTP/1.1 connection (it connects on its first request); its lane number."""
        self._lanes.append(make_http_client(replace(self._settings, http2=False, pool_size=1), *self._timeouts,
                                            self._proxy))
        self._busy.append(0)
        return len(self._lanes) - 1

    def join(self, timeout_s: float) -> None:
        """Wait, at most `timeout_s`, for the loop to end after `close()`."""
        if threading.current_thread() is not self._thread:
            self._thread.join(timeout_s)

    def close(self) -> None:
        """Close the connections and end the loop, without waiting for either (safe from the GUI thread)."""
        if self._closed:
            return
        self._closed = True

        async def shut() -> None:
            try:
                for client in self._lanes:
                    await client.aclose()
            finally:
                _stop_soon(self._loop)

        # the coroutine is made on the loop's thread: a loop that never runs again (the process is ending)
        # leaves no coroutine behind that was never awaited
        def start_shut() -> None:
            self._shutting = self._loop.create_task(shut())  # held: a task nobody holds may vanish mid-way

        with contextlib.suppress(RuntimeError):  # the loop is closed already
            self._loop.call_soon_threadsafe(start_shut)


def _run_until_stopped(loop: asyncio.AbstractEventLoop) -> None:
    loop.set_exception_handler(_quiet)
    try:
        loop.run_forever()
    finally:
        loop.close()


def _quiet(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
    """A connection the server dropped while idle is routine: logged in a line, never as a traceback
    formatted on the loop's thread (on CPython 3.11 that parses source and can race the main thread)."""
    logging.getLogger(__name__).debug("http loop: %s", context.get("message") or context.get("exception"))


def _stop_soon(loop: asyncio.AbstractEventLoop) -> None:
    if not loop.is_closed():
        with contextlib.suppress(RuntimeError):  # closed meanwhile
            loop.call_soon_threadsafe(loop.stop)
