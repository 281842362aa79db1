"""One market's live stream on its own thread: open the socket, subscribe to every order of the account,
close the gap with one listing, then read; when the socket drops, reconnect with a capped backoff; when no
socket is to be had here, list the orders every few seconds instead and try the socket again now and then.

The thread runs an event loop of its own (see opening: why not websockets' threaded client). REST reads
(the listing, the futures user id) go to a worker thread and are awaited, so the socket is served while
they run; listeners are always called from the market's thread. stop() sets an event that every REST wait
watches and cancels the loop's task: every wait ends at once. Nothing raised here reaches a listener (a
listener's own exception is logged and the stream goes on); no secret reaches a log line or a reason."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

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
from gatecancel_gui.core.stream.opening import CLOSE_TIMEOUT_S, CannotOpen, open_socket, sort_failure
from gatecancel_gui.core.stream.settings import StreamSettings

log = logging.getLogger(__name__)
SILENT_PINGS = 3  # pings unanswered (nothing at all heard) before the socket counts as dead
T = TypeVar("T")


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
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread = threading.Thread(target=self._run, name=f"stream-{market.value}", daemon=True)
        self._status = StreamStatus(market, StreamState.CONNECTING)
        self._last_event_at: float | None = None
        self._user_id = ""
        self._request_id = 0
        self._lost_at = time.monotonic()  # since when no socket has carried the orders (for listing meanwhile)
        self._listed_at = 0.0
        self._went_live = False  # the last session got as far as LIVE
        # while no socket carries the orders: the status said (state, attempt, reason), and why the last
        # listing failed ("" when it worked), said before that reason until a listing works again
        self._waiting: tuple[StreamState, int, str] | None = None
        self._listing_failure = ""

    @property
    def status(self) -> StreamStatus:
        """The market's state now, with the time of its last order event (which changes no state)."""
        return dataclasses.replace(self._status, last_event_at=self._last_event_at)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """End the stream from any thread: REST waits see the event, the loop's task is cancelled."""
        self._stop.set()
        loop, task = self._loop, self._task
        if loop is not None and task is not None:
            with contextlib.suppress(RuntimeError):  # the loop has ended already
                loop.call_soon_threadsafe(task.cancel)
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
            asyncio.run(self._main())
        except Refused as exc:
            reason = exc.sentence
        except Exception:
            log.exception("the %s live stream failed", self.market.value)
            reason = "The live stream stopped on an unexpected error (see the log)."
        self._set_status(StreamState.STOPPED, reason=reason)

    async def _main(self) -> None:
        self._task = asyncio.current_task()
        self._loop = asyncio.get_running_loop()
        if self._stop.is_set():
            return
        try:
            await self._follow()
        except (asyncio.CancelledError, Stopped):
            if not self._stop.is_set():
                raise

    async def _follow(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                await self._session()
            except CannotOpen as exc:
                if exc.poll:
                    await self._poll(exc.why)
                    failures = 0
                    continue
                why = exc.why
            except (ConnectionClosed, OSError, TimeoutError) as exc:
                why = sort_failure(exc).why
            if self._stop.is_set():
                return
            if self._went_live:
                failures, self._lost_at = 0, time.monotonic()
            failures += 1
            delay = self.settings.backoff_s[min(failures, len(self.settings.backoff_s)) - 1]
            self._set_waiting(StreamState.RECONNECTING, failures, joined(why, f"reconnecting in {delay:g} s"))
            await self._wait_listing(delay)

    async def _session(self) -> None:
        """One socket's life: open, subscribe, close the gap, read until it ends. Raises CannotOpen,
        ConnectionClosed, OSError or Refused; `_went_live` says whether it got as far as LIVE (a drop after
        that starts the backoff again from its first step)."""
        self._went_live = False
        await self._prepare()
        ws = await open_socket(self.url, self.client.network, open_timeout_s=self.settings.open_timeout_s,
                               ping_interval_s=self.settings.ping_interval_s)
        try:
            early = await self._subscribe(ws)
            await self._close_gap()
            self._went_live = True
            self._waiting, self._listing_failure = None, ""
            self._set_status(StreamState.LIVE)
            self._deliver(self.held.apply(early))
            await self._read(ws)
        finally:
            with contextlib.suppress(Exception):  # bounded; a socket that will not close politely is let go
                await asyncio.wait_for(ws.close(), CLOSE_TIMEOUT_S + 0.5)

    async def _prepare(self) -> None:
        """What a subscription needs before a socket is opened: a synced clock (Gate takes a signature's time
        within 60 s of its own) and, on futures, the account's user id (read once)."""
        if self.client.credentials is None:
            raise Refused("The live stream needs the profile's API key and secret.")
        if not self.client.clock.synced:
            try:
                await self._off_loop(self.client.sync_clock, self._stop)
            except GateError as exc:
                log.info("clock sync before the %s stream failed: %s", self.market.value, exc.label)
        if self.market.is_futures and not self._user_id:
            try:
                self._user_id = await self._off_loop(futures_user_id, self.client, self.market, stop=self._stop)
            except GateError as exc:
                if exc.refuses_every_request:
                    raise Refused(f"{exc.user_message} The live stream stopped.") from None
                if exc.label in NOT_GATE_LABELS:
                    raise CannotOpen("the server did not give the futures user id its WebSocket needs",
                                     poll=True) from None
                raise CannotOpen(f"the futures user id could not be read: {exc.user_message}", poll=False) from None

    async def _subscribe(self, ws: ClientConnection) -> list[OrderEvent]:
        """Send the signed subscription and wait (bounded) for its answer; the order events read before it
        are returned, to be applied after the gap's listing."""
        assert self.client.credentials is not None
        self._request_id += 1
        request = subscribe_request(self.market, self.client.credentials, int(self.client.clock.now()),
                                    self._request_id, self._user_id)
        await ws.send(json.dumps(request))
        deadline = time.monotonic() + self.settings.open_timeout_s
        early: list[OrderEvent] = []
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise CannotOpen(f"no answer to the subscription within {self.settings.open_timeout_s:g} s",
                                 poll=False)
            reply = await self._receive(ws, left)
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

    async def _receive(self, ws: ClientConnection, timeout_s: float) -> Reply | None:
        """The next message, read (None when none came within the timeout)."""
        try:
            raw = await asyncio.wait_for(ws.recv(), timeout_s)
        except TimeoutError:
            return None
        return read_message(raw, self.market, received_at=time.monotonic())

    async def _read(self, ws: ClientConnection) -> None:
        """Read until the socket ends: each notification's events applied and delivered; Gate's application
        ping every ping interval; a socket silent for several pings counts as dead."""
        interval = self.settings.ping_interval_s
        heard = time.monotonic()
        next_ping = heard + interval
        while True:
            now = time.monotonic()
            if now >= next_ping:
                await ws.send(json.dumps(ping_request(self.market, int(self.client.clock.now()))))
                next_ping = now + interval
            if now - heard > SILENT_PINGS * interval:
                raise CannotOpen(f"nothing was heard on the WebSocket for {SILENT_PINGS * interval:g} s",
                                 poll=False)
            reply = await self._receive(ws, max(0.0, next_ping - now))
            if reply is None:
                continue
            heard = time.monotonic()
            if reply.kind is ReplyKind.ORDERS:
                self._deliver(self.held.apply(reply.events))
            elif reply.kind is ReplyKind.REFUSED:
                self._refused(reply, subscribing=False)

    # -- listing -----------------------------------------------------------------------------------

    async def _close_gap(self) -> None:
        """One listing, diffed against what is held, delivered as listed events. Raises Refused when Gate
        refuses the account, CannotOpen (try again) when the listing fails otherwise."""
        self._listed_at = time.monotonic()
        try:
            events = await self._off_loop(gap_events, self.client, self.held, self.market, self._stop)
        except GateError as exc:
            if exc.refuses_every_request:
                raise Refused(f"{exc.user_message} The live stream stopped.") from None
            raise CannotOpen(f"the orders could not be listed: {exc.user_message}", poll=False) from None
        self._deliver(self.held.apply(events))

    async def _poll(self, why: str) -> None:
        """No socket here: list every poll interval, and try the socket again every socket_retry_s."""
        settings = self.settings
        self._set_waiting(StreamState.POLLING, 0, joined(
            why, f"the orders are listed every {settings.poll_interval_s:g} s instead, and the WebSocket is "
                 f"tried again every {settings.socket_retry_s:g} s", colon=True))
        retry_at = time.monotonic() + settings.socket_retry_s
        while not self._stop.is_set() and time.monotonic() < retry_at:
            await self._list_quietly()
            await asyncio.sleep(max(0.0, min(settings.poll_interval_s, retry_at - time.monotonic())))

    async def _wait_listing(self, delay_s: float) -> None:
        """Wait out a backoff step; once the orders have gone unwatched for a poll interval, list them every
        poll interval meanwhile, so nothing waits on the backoff."""
        end = time.monotonic() + delay_s
        poll = self.settings.poll_interval_s
        while (now := time.monotonic()) < end:
            if now - self._lost_at >= poll and now - self._listed_at >= poll:
                await self._list_quietly()
                continue
            due = max(self._lost_at, self._listed_at) + poll
            await asyncio.sleep(max(0.01, min(end, due) - now))

    async def _list_quietly(self) -> None:
        """A listing while no socket carries the orders (polling, or between reconnects): its failure is said
        at once in the status (the state kept, the reason saying the orders could not be listed and why) and
        the stream goes on (the next one may work); once one works the reason goes back. A refusal of the
        account ends the stream."""
        try:
            await self._close_gap()
        except CannotOpen as exc:
            failure = sentence(exc.why)
            if failure != self._listing_failure:  # logged once, not at every listing while it lasts
                log.info("%s stream: %s", self.market.value, exc.why)
            self._listing_failure = failure
        else:
            self._listing_failure = ""
        self._show_waiting()

    async def _off_loop(self, call: Callable[..., T], *args: object, **kwargs: object) -> T:
        """A blocking REST call on a worker thread, awaited (the loop meanwhile serves the socket)."""
        return await asyncio.to_thread(call, *args, **kwargs)

    # -- listeners ---------------------------------------------------------------------------------

    def _deliver(self, events: list[OrderEvent]) -> None:
        if not events or self._stop.is_set():
            return
        self._last_event_at = time.time()
        try:
            self._on_events(events)
        except Exception:
            log.exception("a live stream listener failed on %d %s events", len(events), self.market.value)

    def _set_waiting(self, state: StreamState, attempt: int, reason: str) -> None:
        """A state without a socket (POLLING, RECONNECTING), said with the last listing's failure if any."""
        self._waiting = (state, attempt, reason)
        self._show_waiting()

    def _show_waiting(self) -> None:
        if self._waiting is None:
            return
        state, attempt, reason = self._waiting
        failure = self._listing_failure
        if failure and failure not in reason:
            reason = f"{failure} {reason}"
        self._set_status(state, attempt=attempt, reason=reason)

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


def sentence(clause: str) -> str:
    """A clause as a sentence of its own: capitalised, ended with a full stop."""
    text = clause.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if _ends_sentence(text) else f"{text}."


def joined(why: str, then: str, *, colon: bool = False) -> str:
    """Why, then what the stream does about it, as one reason: "Why; then." (or "Why: then."), or, when
    `why` is already a sentence (a client's own words end with a full stop), "Why. Then."."""
    why = why.strip()
    why = why[0].upper() + why[1:] if why else why
    if _ends_sentence(why):
        return f"{why} {then[0].upper()}{then[1:]}."
    return f"{why}{':' if colon else ';'} {then}."


def _ends_sentence(text: str) -> bool:
    return text.rstrip(")").endswith((".", "!", "?"))
