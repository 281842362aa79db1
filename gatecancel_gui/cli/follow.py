"""`gatecancel orders --follow` and `--watch`: after the listing, one line per change of the account's orders
as the live stream reports it, until Ctrl+C or SIGTERM (exit 0).

The stream (core/stream) reconnects, re-lists and falls back to polling by itself; this module only prints.
Events go to stdout, one line each, so a script reads them as they come; how the stream is doing goes to
stderr, one sentence per change, so stdout stays machine-readable."""

from __future__ import annotations

import argparse
import json
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from types import FrameType
from typing import TextIO

from gatecancel_gui.cli.console_close import on_console_close
from gatecancel_gui.cli.interrupt import interrupt_signals, signals_named, wait_until
from gatecancel_gui.cli.output import order_json, order_line, print_orders, reader_gone
from gatecancel_gui.core.app.services import load_orders
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.domain.wording import describe_instruments, plural
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.store.profiles import ProfileStore
from gatecancel_gui.core.stream.account import AccountStream, StreamSettings
from gatecancel_gui.core.stream.addresses import origin_of
from gatecancel_gui.core.stream.events import EventKind, OrderEvent, StreamState, StreamStatus

EXIT_OK, EXIT_ERROR = 0, 2
STOP_WAIT_S = 2.0  # how long the end waits for the stream's sockets and threads
UNKNOWN_FINISH = "finished while disconnected"  # finish_as "": it ended while no socket was open
Line = Callable[[OrderEvent, float], "str | None"]  # an event (and the time it is printed) -> its line, or none


# -- what is printed -------------------------------------------------------------------------------


def event_line(event: OrderEvent, at: float) -> str:
    """`--follow`: the time in UTC, marked Z as ISO 8601 does (the window shows times in UTC too, whatever the
    machine's zone; one word, so the columns stay where scripts split them),
    what happened, the market, then the columns of the listing above it (instrument, side, price, left, id,
    text), and how a finished order ended."""
    clock = time.strftime("%H:%M:%S", time.gmtime(at))
    tail = ""
    if event.finished:
        tail = f"  {event.finish_as or UNKNOWN_FINISH}"
    elif event.listed:
        tail = "  (seen in a re-listing)"
    text = f"  {event.order.text}" if event.order.text else ""
    return f"{clock}Z {event.kind.value:<6} {event.market.value:<13} {order_line(event.order)}{text}{tail}"


def event_json(event: OrderEvent, at: float) -> str:
    """`--follow --json`: one object per line, the listing's fields of the order (market, currency_pair or
    contract, id, side, price, left, text…) and what happened: event, status, finish_as ("" when it ended
    while no socket was open), listed (first seen in a re-listing), time_ms."""
    row: dict[str, object] = {"event": event.kind.value, "time_ms": int(at * 1000), **order_json(event.order),
                              "status": "finished" if event.finished else "open",
                              "finish_as": event.finish_as if event.finished else "open",
                              "listed": event.listed}
    return json.dumps(row)


def watch_line(event: OrderEvent, at: float) -> str | None:
    """`--watch`: the lines it has always printed, `+ new` and `- gone`; an order that changed is not one."""
    if event.kind is EventKind.PUT:
        return f"+ new  {order_line(event.order)}"
    if event.kind is EventKind.FINISH:
        return f"- gone {order_line(event.order)}"
    return None


def status_sentence(status: StreamStatus, poll_s: float) -> str:
    """How a market's stream is doing, as one sentence for stderr."""
    market, reason = status.market.value, status.reason.strip()
    state = status.state
    if state is StreamState.LIVE:
        return f"{market}: live"
    if state is StreamState.CONNECTING:
        return f"{market}: connecting"
    if state is StreamState.RECONNECTING:
        return f"{market}: reconnecting (attempt {status.attempt})" + (f": {reason}" if reason else "")
    if state is StreamState.POLLING:  # the core's reason says why, and how often it lists and retries
        return f"{market}: polling: {reason}" if reason else \
            f"{market}: no WebSocket here — polling every {poll_s:g} s instead"
    return f"{market}: {reason}" if reason else f"{market}: stopped"


# -- the stream, printed -----------------------------------------------------------------------------


class Printer:
    """The stream's two listeners. They are called on the stream's threads (one per market), so one lock
    keeps each line whole. It ends the wait (`done`) when nobody reads stdout any more, or when a market's
    stream stops on its own (a refused key): `failure` then holds the sentence already printed."""

    def __init__(self, markets: Iterable[Market], line: Line, out: TextIO, err: TextIO, *, poll_s: float,
                 clock: Callable[[], float] = time.time) -> None:
        self.markets = frozenset(markets)
        self.line, self.out, self.err = line, out, err
        self.poll_s, self.clock = poll_s, clock
        self.done = threading.Event()
        self.failure = ""
        self.ending = False  # set before stop(): the STOPPED statuses that follow are ours
        self._lock = threading.Lock()
        self._said: dict[Market, tuple[StreamState, int, str]] = {}

    def on_events(self, events: list[OrderEvent]) -> None:
        with self._lock:
            for event in events:
                if event.market not in self.markets:
                    continue
                text = self.line(event, self.clock())
                if text is not None:
                    self.out.write(text + "\n")
            self.out.flush()
            if reader_gone(self.out):
                self.done.set()

    def on_status(self, status: StreamStatus) -> None:
        with self._lock:
            if self.ending or status.market not in self.markets:
                return
            said = (status.state, status.attempt, status.reason)
            if self._said.get(status.market) == said:
                return
            self._said[status.market] = said
            sentence = status_sentence(status, self.poll_s)
            print(f"gatecancel: {sentence}", file=self.err, flush=True)
            if status.state is StreamState.STOPPED:
                self.failure = sentence
                self.done.set()

    def end(self) -> None:
        with self._lock:
            self.ending = True


def run_follow(client: GateClient, args: argparse.Namespace, markets: list[Market], out: TextIO,
               err: TextIO) -> int:
    """`orders --follow`: the listing as `orders` prints it (its JSON on one line, so that every line of
    stdout is one JSON value), then every change."""
    settings = stream_settings(args)  # first: a bad stored address is said before anything is listed
    orders = load_orders(client, markets)
    print_orders(orders, "open order", args, out, one_line=True)
    out.flush()
    if reader_gone(out):
        return EXIT_OK
    names = ", ".join(m.value for m in markets)
    print(f"gatecancel: following {names} orders as they change (Ctrl+C stops)", file=err, flush=True)
    printer = Printer(markets, event_json if args.json else event_line, out, err, poll_s=settings.poll_interval_s)
    return follow(client, markets, orders, printer, settings)


def run_watch(client: GateClient, args: argparse.Namespace, markets: list[Market], out: TextIO,
              err: TextIO) -> int:
    """`orders --watch SECONDS`: its count line, then `+ new` and `- gone` lines; live where a socket can be
    had, listed every SECONDS where it cannot."""
    settings = stream_settings(args, args.watch)
    orders = load_orders(client, markets)
    out.write(f"{plural(len(orders), 'open order')} in {describe_instruments(orders)}; watching live, or every "
              f"{args.watch:g} s where no WebSocket can be had (Ctrl+C stops)\n")
    out.flush()
    if reader_gone(out):
        return EXIT_OK
    printer = Printer(markets, watch_line, out, err, poll_s=args.watch)
    return follow(client, markets, orders, printer, settings)


def follow(client: GateClient, markets: list[Market], initial: list[Order], printer: Printer,
           settings: StreamSettings) -> int:
    """Follow until Ctrl+C, SIGTERM, a reader that leaves (exit 0) or a stream that stops on its own
    (exit 2, its sentence already said); the stream is stopped, bounded, whichever it was."""
    stream = AccountStream(client, markets, initial=initial, on_events=printer.on_events,
                           on_status=printer.on_status, settings=settings)
    with ending_on_signals(printer.done), on_console_close(printer.done.set):  # the console closing too
        stream.start()
        try:
            wait_until(printer.done)  # in short waits: the signal handler runs between two
        finally:
            printer.end()
            stream.stop(STOP_WAIT_S)
    return EXIT_ERROR if printer.failure else EXIT_OK


def ending_signals() -> tuple[int, ...]:
    """Ctrl+C, Ctrl+Break (Windows) and SIGTERM where the platform has them."""
    return (*interrupt_signals(), *signals_named("SIGTERM"))


@contextmanager
def ending_on_signals(done: threading.Event) -> Iterator[None]:
    """Ctrl+C (Ctrl+Break on Windows) and SIGTERM end the follow by setting `done` (a handler, not
    KeyboardInterrupt: the stream is then stopped in order, and the exit status is 0, as for any command
    asked to end)."""
    def end(signum: int, frame: FrameType | None) -> None:
        done.set()

    in_main = threading.current_thread() is threading.main_thread()
    previous = {s: signal.signal(s, end) for s in ending_signals()} if in_main else {}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def stream_settings(args: argparse.Namespace, poll_s: float | None = None) -> StreamSettings:
    """--ws-url, else the profile's stored WebSocket address, else the one derived from the base URL."""
    settings = StreamSettings(ws_url=args.ws_url or profile_ws_url(args.profile))
    return settings if poll_s is None else replace(settings, poll_interval_s=poll_s)


def profile_ws_url(name: str | None) -> str:
    """The profile's stored WebSocket address, checked as --ws-url is ("" when none is stored)."""
    if not name:
        return ""
    profile = ProfileStore().get(name)
    stored = profile.ws_url if profile is not None else ""
    return origin_of(stored) if stored.strip() else ""
