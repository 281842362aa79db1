"""Gate's WebSocket order channels on the paper exchange (issue 20), on the HTTP port: '/ws/v4/' (spot:
spot.orders, spot.ping) and '/v4/ws/usdt', '/v4/ws/btc' (futures.orders, futures.ping). A subscription is
signed as Gate signs it and checked by paper/auth with the exchange's own code.

The hub listens to both books and pushes every change of an order to the sockets subscribed to it. A
book calls its listeners under its lock, so each order's changes go out in the order they happened; the
hub only queues them on each socket's pipe (which never waits), so a slow client never holds up a REST
request. Locks are taken in one order only: book, then hub, then the socket's."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from collections.abc import Callable, Iterator
from urllib.parse import urlsplit

from gatecancel_gui.paper.auth import ApiKey, ws_login
from gatecancel_gui.paper.book import PaperOrder
from gatecancel_gui.paper.errors import ApiError
from gatecancel_gui.paper.futures import FuturesOrder
from gatecancel_gui.paper.stats import Stats
from gatecancel_gui.paper.ws_channels import (
    ALL,
    AUTH_FAILED,
    INVALID_ARGUMENT,
    WsError,
    WsRequest,
    answer,
    family,
    notification,
    parse,
    scopes,
)
from gatecancel_gui.paper.ws_items import futures_item, spot_item
from gatecancel_gui.paper.ws_wire import Pipe, WireSocket

WS_PATH = "/ws/v4/"
PATHS = {WS_PATH: "spot", "/ws/v4": "spot", "/v4/ws/usdt": "usdt", "/v4/ws/btc": "btc"}
SIZE_DECIMAL_HEADER = "x-gate-size-decimal"
log = logging.getLogger(__name__)


class Peer:
    """One client's socket: its market, what it subscribed to, how many notifications it was sent."""

    def __init__(self, market: str, wire: WireSocket, size_decimal: bool) -> None:
        self.market, self.wire, self.size_decimal = market, wire, size_decimal
        self.scopes: set[str] = set()
        self.pushed = 0

    def wants(self, name: str) -> bool:
        return ALL in self.scopes or name in self.scopes


class SocketHub:
    """Every open socket, by market; `drop_after` is read at each push (the exchange's ws_drop_after)."""

    def __init__(self, keys: dict[str, ApiKey], server_now: Callable[[], float], stats: Stats,
                 drop_after: Callable[[], int | None], *, enabled: bool = True) -> None:
        self.keys, self.server_now, self.stats, self.drop_after = keys, server_now, stats, drop_after
        self.enabled = enabled
        self.lock = threading.Lock()
        self.peers: dict[str, set[Peer]] = {"spot": set(), "usdt": set(), "btc": set()}

    # -- what the transports call ------------------------------------------------------------------

    def accepts(self, path: str) -> bool:
        return self.enabled and urlsplit(path).path in PATHS

    def open(self, path: str, headers: list[tuple[str, str]], pipe: Pipe) -> WireSocket | None:
        market = PATHS.get(urlsplit(path).path)
        wire = WireSocket(pipe)
        if market is None or not self.enabled or not wire.accept(path, headers):
            return None
        size_decimal = any(k.lower() == SIZE_DECIMAL_HEADER and v.strip() == "1" for k, v in headers)
        peer = Peer(market, wire, size_decimal)
        wire.on_text = lambda text: self.received(peer, text)
        wire.on_closed = lambda: self.discard(peer)
        with self.lock:
            self.peers[market].add(peer)
            self.stats.sockets_opened += 1
        return wire

    def discard(self, peer: Peer) -> None:
        with self.lock:
            self.peers[peer.market].discard(peer)

    def drop_all(self) -> None:
        """Cut every open socket (after what each has queued): the clients see a network fault."""
        with self.lock:
            for peers in self.peers.values():
                for peer in list(peers):
                    self._drop(peer)

    # -- a client's requests -----------------------------------------------------------------------

    def received(self, peer: Peer, text: str) -> None:
        request: WsRequest | None = None
        now = self.server_now()
        try:
            request = parse(text)
            prefix = family(peer.market)
            if request.channel == f"{prefix}.ping":
                peer.wire.send_text(answer(request, now, channel=f"{prefix}.pong"))
                return
            if request.channel != f"{prefix}.orders":
                raise WsError(INVALID_ARGUMENT, f"invalid argument: unknown channel {request.channel}")
            if request.event not in ("subscribe", "unsubscribe"):
                raise WsError(INVALID_ARGUMENT, f"invalid argument: unknown event {request.event!r}")
            try:
                ws_login(self.keys, request.auth, request.channel, request.event, request.seconds, now)
            except ApiError as exc:
                said = json.dumps({"label": exc.label, "message": exc.message}, separators=(",", ":"))
                raise WsError(AUTH_FAILED, said) from None
            names = scopes(peer.market, request.payload)
            with self.lock:  # the answer goes out before any notification the subscription brings
                if request.event == "subscribe":
                    peer.scopes |= names
                    self.stats.ws_subscriptions += 1
                else:
                    peer.scopes -= names
                peer.wire.send_text(answer(request, now, result={"status": "success"}))
        except WsError as exc:
            peer.wire.send_text(answer(request, now, error=exc))

    # -- the books' listeners ----------------------------------------------------------------------

    def spot_changed(self, event: str, order: PaperOrder) -> None:
        with self.lock, _logged("spot", order.id):
            targets = [p for p in self.peers["spot"] if p.wants(order.currency_pair)]
            if targets:
                text = notification("spot.orders", [spot_item(event, order)], self.server_now())
                for peer in targets:
                    self._push(peer, text)

    def futures_changed(self, event: str, order: FuturesOrder) -> None:
        with self.lock, _logged(order.settle, str(order.id)):
            targets = [p for p in self.peers[order.settle] if p.wants(order.contract)]
            texts: dict[bool, str] = {}
            for peer in targets:
                if peer.size_decimal not in texts:
                    item = futures_item(order, peer.size_decimal)
                    texts[peer.size_decimal] = notification("futures.orders", [item], self.server_now())
                self._push(peer, texts[peer.size_decimal])

    def _push(self, peer: Peer, text: str) -> None:
        if not peer.wire.send_text(text):
            return
        peer.pushed += 1
        self.stats.ws_notifications += 1
        limit = self.drop_after()
        if limit is not None and peer.pushed >= limit:
            self._drop(peer)

    def _drop(self, peer: Peer) -> None:
        self.peers[peer.market].discard(peer)
        peer.wire.abort()


@contextlib.contextmanager
def _logged(market: str, order_id: str) -> Iterator[None]:
    """A push that fails is logged; it never fails the book's change (a REST cancel, a bot's fill)."""
    try:
        yield
    except Exception:
        log.exception("paper exchange: the change of %s order %s was not pushed", market, order_id)
