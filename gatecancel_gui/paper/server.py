"""The paper exchange as tests, benchmarks and the demo hold it: it builds its parts (the book, the
endpoints on a router, the middleware, the statistics), starts and stops its server, and keeps the knobs
a test turns as plain attributes. It serves nothing itself: a request's way is in dispatch."""

from __future__ import annotations

import secrets
import threading
import time
from typing import Any, Generic, TypeVar, cast

from gatecancel_gui.paper.auth import ApiKey, Authenticate
from gatecancel_gui.paper.book import Book, seed_book
from gatecancel_gui.paper.bot import Bot, BotSpec, FuturesBot, parse_bot
from gatecancel_gui.paper.dispatch import Dispatch
from gatecancel_gui.paper.faults import DeliverFaults, Fault, FaultPlan
from gatecancel_gui.paper.futures import FuturesBook, FuturesEndpoints, seed_futures
from gatecancel_gui.paper.network import NetworkServer, NetworkShape
from gatecancel_gui.paper.plain_server import PlainServer
from gatecancel_gui.paper.public import PublicEndpoints
from gatecancel_gui.paper.ratelimit import RateLimits, SlidingWindow
from gatecancel_gui.paper.risk import CountdownTimers, PriceOrderBook, RiskEndpoints
from gatecancel_gui.paper.routing import PREFIX, Router, Step
from gatecancel_gui.paper.spot import SpotOrders
from gatecancel_gui.paper.stats import Stats
from gatecancel_gui.paper.transport import Request
from gatecancel_gui.paper.websocket import SocketHub

T = TypeVar("T")


class _Stat(Generic[T]):
    """A statistic read on the exchange, where tests and benchmarks have always read it: `exchange.X` is
    `exchange.stats.X`."""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    def __get__(self, exchange: PaperExchange, owner: type | None = None) -> T:
        return cast(T, getattr(exchange.stats, self.name))


class PaperExchange:
    """A Gate-compatible exchange on 127.0.0.1. Use as a context manager, or `start()` / `stop()`.

    Everything the tests steer is a plain attribute: `latency_s`, `fault_plans[endpoint]`,
    `clock_offset_s`, `busy_first_get`, `ws_drop_after` …; `book` holds the record of every order, `stats`
    what reached it. `drop_sockets()` cuts every WebSocket; `start_bot()` makes the book move by itself.
    """

    def __init__(self, *, port: int = 0, orders: int = 300, pairs: int = 12, heavy_pairs: int = 2,
                 fill_fraction: float = 0.03, latency_s: float = 0.0, seed: int = 7,
                 cancel_limit: int = 200, cancel_window_s: float = 1.0, get_limit: int = 200,
                 get_window_s: float = 10.0, slow_s: float = 3.0, reset_in_ms: bool = False,
                 cancel_all_delay_s: float = 0.05, price_orders: int = 0, countdown_scale: float = 1.0,
                 futures_orders: int = 0, network: NetworkShape | None = None, websocket: bool = True) -> None:
        self.book = Book()
        seed_book(self.book, orders=orders, pairs=pairs, heavy_pairs=heavy_pairs,
                  fill_fraction=fill_fraction, seed=seed)
        self.price_orders = PriceOrderBook()
        self.price_orders.seed(price_orders, self.book.open_pairs()[:4])
        self.deadman = CountdownTimers(self.book, countdown_scale)
        self.futures = FuturesBook()
        seed_futures(self.futures, orders=futures_orders, fill_fraction=fill_fraction,
                     price_orders=price_orders // 2 if futures_orders else 0)
        self.keys: dict[str, ApiKey] = {}
        self.main_key = self.add_key("trade")
        # knobs, read as each request arrives
        self.latency_s = latency_s
        self.slow_s = slow_s
        self.drip_s = 0.8  # DRIP_AFTER_APPLY: seconds between the bytes of an answer
        self.clock_offset_s = 0.0
        self.announce = True  # every answer says "the paper exchange" (transport.announced): only it is PAPER
        self.fault_plans: dict[str, FaultPlan] = {}
        self.busy_first_get = False  # answer 503 TOO_BUSY to the first attempt of every distinct GET
        self.ws_drop_after: int | None = None  # cut each WebSocket after it has pushed this many notifications
        self.stopping = threading.Event()  # set by stop(): ends a dripping answer

        self.stats = Stats()
        self.spot = SpotOrders(self.book, cancel_all_delay_s)
        self.risk = RiskEndpoints(self.price_orders, self.deadman)
        self.futures_endpoints = FuturesEndpoints(self.futures, countdown_scale)
        self.futures_countdowns = self.futures_endpoints.countdowns
        self.router = Router()
        for endpoints in (PublicEndpoints(self.book, self.server_now), self.spot, self.risk, self.futures_endpoints):
            endpoints.add_routes(self.router)
        # Gate's WebSocket order channels, on the same port; websocket=False: a server without them (404)
        self.sockets = SocketHub(self.keys, self.server_now, self.stats, lambda: self.ws_drop_after,
                                 enabled=websocket)
        self.book.listeners.append(self.sockets.spot_changed)
        self.futures.listeners.append(self.sockets.futures_changed)
        self.limits = RateLimits(cancel_limit=cancel_limit, cancel_window_s=cancel_window_s, get_limit=get_limit,
                                 get_window_s=get_window_s, reset_in_ms=reset_in_ms,
                                 clock_offset_s=lambda: self.clock_offset_s)
        steps: list[Step] = [Authenticate(self.keys, self.server_now, self.stats.signatures_seen), self.limits,
                 DeliverFaults(self, self.limits.refused)]
        self.dispatch = Dispatch(self.router, steps, self.stats, lambda: self.latency_s)

        self.network = NetworkServer(self, network) if network is not None else None
        self._server = PlainServer(0 if network else port, self)
        self._thread: threading.Thread | None = None
        self.bots: list[Bot | FuturesBot] = []

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
        for bot in self.bots:
            bot.stop()
        self.sockets.drop_all()
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

    def start_bot(self, spec: BotSpec | str, **options: Any) -> Bot | FuturesBot:
        """Start a simulated bot ('ETH_USDT:0.5:600', 'usdt/BTC_USDT:1:60', or a BotSpec); `options` go to
        the bot (fill_share, partial_share, cancel_share, max_open, seed, fill_on_cancel_share, label). It
        stops with the exchange."""
        spec = parse_bot(spec) if isinstance(spec, str) else spec
        bot: Bot | FuturesBot
        if spec.settle:
            bot = FuturesBot(self.futures, spec.settle, spec.instrument, spec.rate_per_s, spec.seconds, **options)
        else:
            bot = Bot(self.book, spec.instrument, spec.rate_per_s, spec.seconds, **options)
        self.bots.append(bot)
        bot.start()
        return bot

    def drop_sockets(self) -> None:
        """Cut every open WebSocket now (after what each has queued), as a network fault would."""
        self.sockets.drop_all()

    def server_now(self) -> float:
        return time.time() + self.clock_offset_s

    # -- what the transports call ------------------------------------------------------------------

    def may_wait(self) -> bool:
        """Whether a request may sleep here (injected latency, a slow answer, any fault schedule)."""
        return bool(self.latency_s or self.fault_plans)

    def handle(self, request: Request, method: str) -> None:
        self.dispatch.handle(request, method)

    # -- statistics, read by tests and benchmarks (see stats) --------------------------------------

    def cancel_requests(self, endpoint: str = "/spot/cancel_batch_orders") -> list[int]:
        """Batch sizes of every batch-cancel request to `endpoint` that reached the exchange."""
        return self.stats.cancel_requests(endpoint)

    requests = _Stat[list[tuple[str, str, int]]]()   # (method, endpoint, batch size or 0)
    signatures_seen = _Stat[list[str]]()
    cancel_seen = _Stat[threading.Event]()
    in_flight = _Stat[int]()
    peak_in_flight = _Stat[int]()
    peak_cancels_in_flight = _Stat[int]()
    sockets_opened = _Stat[int]()
    ws_subscriptions = _Stat[int]()
    ws_notifications = _Stat[int]()

    @property
    def cancel_window(self) -> SlidingWindow:
        return self.limits.cancel_window
