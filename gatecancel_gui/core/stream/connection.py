"""One market's live stream on its own thread: open the socket, subscribe to every order of the account,
close the gap with one listing, then read; when the socket drops, reconnect with a capped backoff; when no
socket is to be had here, list the orders every few seconds instead and try the socket again now and then.

Every wait is bounded and wakes on stop(); nothing raised here reaches a listener (a listener's own
exception is logged and the stream goes on); no secret reaches a log line or a reason sentence."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable

from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection

from gatecancel_gui.core.domain.errors import NOT_GATE_LABELS, GateError, Stopped
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.gate.accounts import futures_user_id
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.stream.events import OrderEvent, StreamState, StreamStatus
from gatecancel_gui.core.stream.held import HeldOrders
from gatecancel_gui.core.stream.listing import gap_events
from gatecancel_gui.core.stream.messages import (
    AUTH_FAILED,
    Reply,
    ReplyKind,
    ping_request,
    read_message,
    subscribe_request,
)
from gatecancel_gui.core.stream.opening import CannotOpen, open_socket, sort_failure
from gatecancel_gui.core.stream.settings import StreamSettings

log = logging.getLogger(__name__)
RECV_SLICE_S = 0.5  # a wait on the socket wakes this often (stop() also closes the socket under it)
SILENT_PINGS = 3    # pings unanswered (nothing at all heard) before the socket counts as dead


class Refused(Exception):
    """Gate refused the account (its key, its permissions): the stream stops, `sentence` says why."""

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence


class MarketStream:
    """The stream of one market. `start()` starts its thread, `stop()` may come from any thread."""

    def __init__(self, client: GateClient, market: Market, held: HeldOrders, settings: StreamSettings, url: str, *,
                 on_events: Callable[[list[OrderEvent]], None], on_status: Callable[[StreamStatus], None]) -> None:
        self.client, self.market, self.held, self.settings, self.url = client, market, held, settings, url
        self._on_events, self._on_status = on_events, on_status
        self._stop = threading.Event()
        self._ws: ClientConnection | None = None
        self._ws_lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, name=f"stream-{market.value}", daemon=True)
        self._status = StreamStatus(market, StreamState.CONNECTING)
        self._last_event_at: float | None = None
        self._user_id = ""
        self._request_id = 0
        self._lost_at = time.monotonic()  # since when no socket has carried the orders (for listing meanwhile)
        self._listed_at = 0.0
        self._went_live = False  # the last session got as far as LIVE

    @property
    def status(self) -> StreamStatus:
        return self._status

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread: wake every wait, close the socket under a read (no closing handshake waited for)."""
        self._stop.set()
        with self._ws_lock:
            ws = self._ws
        if ws is not None:
            ws.close_socket()
        if self._status.state is not StreamState.STOPPED:
            self._status = StreamStatus(self.market, StreamState.STOPPED, reason="The live stream was stopped.",
                                        last_event_at=self._last_event_at)

    def join(self, timeout_s: float) -> None:
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join(max(0.0, timeout_s))

    # -- the thread --------------------------------------------------------------------------------

    def _run(self) -> None:
        reason = "The live stream was stopped."
        self._notify_status(self._status)
        try:
            self._loop()
        except Refused as exc:
            reason = exc.sentence
        except Exception:
            log.exception("the %s live stream failed", self.market.value)
            reason = "The live stream stopped on an unexpected error (see the log)."
        self._set_status(StreamState.STOPPED, reason=reason)

    def _loop(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                self._session()
            except CannotOpen as exc:
                if exc.poll:
                    self._poll(exc.why)
                    failures = 0
                    continue
                why = exc.why
            except (ConnectionClosed, OSError, TimeoutError) as exc:
                why = sort_failure(exc).why
            except Stopped:
                return
            else:
                return  # stopped
            if self._stop.is_set():
                return
            if self._went_live:
                failures, self._lost_at = 0, time.monotonic()
            failures += 1
            delay = self.settings.backoff_s[min(failures, len(self.settings.backoff_s)) - 1]
            self._set_status(StreamState.RECONNECTING, attempt=failures,
                             reason=f"{why[0].upper()}{why[1:]}; reconnecting in {delay:g} s.")
            self._wait_listing(delay)

    def _session(self) -> None:
        """One socket's life: open, subscribe, close the gap, read until it ends. Returns normally only when
        stopped; raises CannotOpen, ConnectionClosed, OSError or Refused. `_went_live` says whether it got as
        far as LIVE (a drop after that starts the backoff again from its first step)."""
        self._went_live = False
        self._prepare()
        ws = open_socket(self.url, self.client.network, open_timeout_s=self.settings.open_timeout_s,
                         ping_interval_s=self.settings.ping_interval_s)
        with self._ws_lock:
            if self._stop.is_set():
                ws.close_socket()
                return
            self._ws = ws
        try:
            early = self._subscribe(ws)
            self._close_gap()
            self._went_live = True
            self._set_status(StreamState.LIVE)
            self._deliver(self.held.apply(early))
            self._read(ws)
        except Stopped:
            return
        finally:
            with self._ws_lock:
                self._ws = None
            with contextlib.suppress(OSError, RuntimeError, ConnectionClosed):  # closing is bounded; a failure is moot
                ws.close()

    def _prepare(self) -> None:
        """What a subscription needs before a socket is opened: a synced clock (Gate takes a signature's time
        within 60 s of its own) and, on futures, the account's user id (read once)."""
        if self.client.credentials is None:
            raise Refused("The live stream needs the profile's API key and secret.")
        if not self.client.clock.synced:
            try:
                self.client.sync_clock(self._stop)
            except (GateError, Stopped) as exc:
                log.info("clock sync before the %s stream failed: %s", self.market.value, exc)
        if self.market.is_futures and not self._user_id:
            try:
                self._user_id = futures_user_id(self.client, self.market, stop=self._stop)
            except GateError as exc:
                if exc.refuses_every_request:
                    raise Refused(f"{exc.user_message} The live stream stopped.") from None
                if exc.label in NOT_GATE_LABELS:
                    raise CannotOpen("the server did not give the futures user id its WebSocket needs",
                                     poll=True) from None
                raise CannotOpen(f"the futures user id could not be read ({exc.label})", poll=False) from None

    def _subscribe(self, ws: ClientConnection) -> list[OrderEvent]:
        """Send the signed subscription and wait (bounded) for its answer; the order events read before it
        are returned, to be applied after the gap's listing."""
        assert self.client.credentials is not None
        self._request_id += 1
        request = subscribe_request(self.market, self.client.credentials, int(self.client.clock.now()),
                                    self._request_id, self._user_id)
        ws.send(json.dumps(request))
        deadline = time.monotonic() + self.settings.open_timeout_s
        early: list[OrderEvent] = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CannotOpen(f"no answer to the subscription within {self.settings.open_timeout_s:g} s",
                                 poll=False)
            reply = self._receive(ws, min(left, RECV_SLICE_S))
            if reply is None:
                continue
            if reply.kind is ReplyKind.REFUSED:
                self._refused(reply, subscribing=True)
            elif reply.kind is ReplyKind.SUBSCRIBED:
                return early
            elif reply.kind is ReplyKind.ORDERS:
                early += reply.events

    def _refused(self, reply: Reply, *, subscribing: bool) -> None:
        if reply.code == AUTH_FAILED:
            raise Refused(reply.sentence)
        if subscribing:  # a bad request or argument will not change by asking again (3: Gate's own trouble)
            raise CannotOpen(reply.sentence.rstrip("."), poll=reply.code != 3)
        log.info("%s stream: %s", self.market.value, reply.sentence)

    def _receive(self, ws: ClientConnection, timeout_s: float) -> Reply | None:
        """The next message, read (None when none came within the timeout); raises Stopped once stopped."""
        if self._stop.is_set():
            raise Stopped()
        try:
            raw = ws.recv(timeout=timeout_s)
        except TimeoutError:
            return None
        except ConnectionClosed:
            if self._stop.is_set():
                raise Stopped() from None
            raise
        return read_message(raw, self.market, received_at=time.monotonic())

    def _read(self, ws: ClientConnection) -> None:
        """Read until the socket ends: each notification's events applied and delivered; Gate's application
        ping every ping interval; a socket silent for several pings counts as dead."""
        interval = self.settings.ping_interval_s
        next_ping = heard = time.monotonic()
        next_ping += interval
        while True:
            now = time.monotonic()
            if now >= next_ping:
                ws.send(json.dumps(ping_request(self.market, int(self.client.clock.now()))))
                next_ping = now + interval
            if now - heard > SILENT_PINGS * interval:
                raise CannotOpen(f"nothing was heard on the WebSocket for {SILENT_PINGS * interval:g} s", poll=False)
            reply = self._receive(ws, max(0.0, min(next_ping - now, RECV_SLICE_S)))
            if reply is None:
                continue
            heard = time.monotonic()
            if reply.kind is ReplyKind.ORDERS:
                self._deliver(self.held.apply(reply.events))
            elif reply.kind is ReplyKind.REFUSED:
                self._refused(reply, subscribing=False)

    # -- listing -----------------------------------------------------------------------------------

    def _close_gap(self) -> None:
        """One listing, diffed against what is held, delivered as listed events. Raises Refused when Gate
        refuses the account, CannotOpen (try again) when the listing fails otherwise, Stopped."""
        self._listed_at = time.monotonic()
        try:
            events = gap_events(self.client, self.held, self.market, self._stop)
        except GateError as exc:
            if exc.refuses_every_request:
                raise Refused(f"{exc.user_message} The live stream stopped.") from None
            raise CannotOpen(f"the orders could not be listed ({exc.label})", poll=False) from None
        self._deliver(self.held.apply(events))

    def _poll(self, why: str) -> None:
        """No socket here: list every poll interval, and try the socket again every socket_retry_s."""
        settings = self.settings
        self._set_status(StreamState.POLLING, reason=f"{why[0].upper()}{why[1:]}: the orders are listed every "
                         f"{settings.poll_interval_s:g} s instead, and the WebSocket is tried again every "
                         f"{settings.socket_retry_s:g} s.")
        retry_at = time.monotonic() + settings.socket_retry_s
        while not self._stop.is_set() and time.monotonic() < retry_at:
            self._list_quietly()
            self._stop.wait(max(0.0, min(settings.poll_interval_s, retry_at - time.monotonic())))

    def _wait_listing(self, delay_s: float) -> None:
        """Wait out a backoff step; once the orders have gone unwatched for a poll interval, list them every
        poll interval meanwhile, so nothing waits on the backoff."""
        end = time.monotonic() + delay_s
        poll = self.settings.poll_interval_s
        while not self._stop.is_set():
            now = time.monotonic()
            if now >= end:
                return
            if now - self._lost_at >= poll and now - self._listed_at >= poll:
                self._list_quietly()
                continue
            due = max(self._lost_at, self._listed_at) + poll
            self._stop.wait(max(0.01, min(end, due) - now))

    def _list_quietly(self) -> None:
        """A listing while no socket carries the orders: its failure is logged (the next one may work), a
        refusal of the account ends the stream."""
        try:
            self._close_gap()
        except CannotOpen as exc:
            log.info("%s stream: %s", self.market.value, exc.why)
        except Stopped:
            pass

    # -- listeners ---------------------------------------------------------------------------------

    def _deliver(self, events: list[OrderEvent]) -> None:
        if not events or self._stop.is_set():
            return
        self._last_event_at = time.time()
        try:
            self._on_events(events)
        except Exception:
            log.exception("a live stream listener failed on %d %s events", len(events), self.market.value)

    def _set_status(self, state: StreamState, *, attempt: int = 0, reason: str = "") -> None:
        if self._stop.is_set() and state is not StreamState.STOPPED:
            return
        previous = self._status
        status = StreamStatus(self.market, state, attempt, reason, self._last_event_at)
        self._status = status
        if (previous.state, previous.attempt, previous.reason) == (state, attempt, reason) and \
                state is not StreamState.STOPPED:
            return
        self._notify_status(status)

    def _notify_status(self, status: StreamStatus) -> None:
        try:
            self._on_status(status)
        except Exception:
            log.exception("a live stream status listener failed")
