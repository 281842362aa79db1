"""On-demand benchmark of the network path (not a test: it asserts nothing).

    .venv/bin/python -m tests.benchmarks.bench_network [--runs 3] [--rtt-ms 150] [--idle-runs 1]

The paper exchange with TLS behind a proxy that delays every byte by half a round trip each way and every
new connection by a round trip; 1,000 orders in 10 pairs. It runs in a process of its own, as Gate is a
machine of its own: in this process its TLS and HTTP work would take the client's interpreter lock.
Prints seconds and round trips for: a cancel after load over HTTP/2 and over HTTP/1.1 (connections warmed
when the profile opens), the same with the settings before this work (HTTP/1.1, 16 in flight, no warming),
the floor (one round trip), a cold start to a loaded table, and a cancel after 90 s idle with connections
dropped after 60 s idle. The same for 1,000 perpetual futures orders in 10 contracts (both settlements,
one run) and for 500 spot + 500 futures orders cancelled in one click (`--only futures`).
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from multiprocessing.connection import Connection
from urllib.parse import urlsplit, urlunsplit

from gatecancel_gui.core.app.services import load_orders
from gatecancel_gui.core.cancel.by_market import batch_method_for
from gatecancel_gui.core.cancel.run import CancelRun, CancelSettings
from gatecancel_gui.core.domain.markets import FUTURES, Market
from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.domain.outcomes import OutcomeState
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.gate.warmth import ConnectionWarmer
from gatecancel_gui.core.net.transport import NetworkSettings
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.paper import NetworkShape, PaperExchange
from gatecancel_gui.paper.delay_proxy import DelayProxy

ORDERS, PAIRS = 1000, 10
IN_FLIGHT = CancelSettings().max_in_flight  # what the app uses
BOOKS = {"spot": (ORDERS, 0), "futures": (0, ORDERS), "mix": (ORDERS // 2, ORDERS // 2)}  # (spot, futures) orders
BOOK = ["spot"]  # which book the figures are for (--only futures switches it per figure)


def _serve(pipe: Connection, shape: NetworkShape, book: str) -> None:
    spot, futures = BOOKS[book]
    with PaperExchange(orders=spot, pairs=PAIRS, heavy_pairs=0, fill_fraction=0.0, futures_orders=futures,
                       network=shape) as ex:
        assert ex.network is not None
        pipe.send((ex.base_url, ex.network.upstream_port, ex.main_key.key, ex.main_key.secret, ex.ca_file))
        pipe.recv()


def _delay(pipe: Connection, upstream_port: int, rtt_ms: float, idle_close_s: float | None) -> None:
    proxy = DelayProxy(upstream_port, rtt_ms / 1000.0, idle_close_s).start()
    pipe.send(proxy.port)
    while pipe.recv() == "stats":
        pipe.send((proxy.connections_opened, proxy.connections_dropped_idle))
    proxy.stop()


class RemoteExchange:
    """The paper exchange in a child process, and the network in front of it in another: as Gate is a
    machine of its own and the network costs it nothing, neither takes this process's interpreter lock
    nor each other's. `connections_opened` / `connections_dropped_idle` ask the network."""

    def __init__(self, shape: NetworkShape) -> None:
        context = multiprocessing.get_context("spawn")
        self._shape = shape
        self._pipe, child = context.Pipe()
        self._net_pipe, net_child = context.Pipe()
        served = replace(shape, rtt_ms=0.0, idle_close_s=None)  # its own proxy stays out of the way
        self._process = context.Process(target=_serve, args=(child, served, BOOK[0]), daemon=True)
        self._net_child = net_child
        self._net: multiprocessing.process.BaseProcess | None = None
        self._context = context

    def __enter__(self) -> RemoteExchange:
        self._process.start()
        url, upstream_port, self.key, self.secret, self.ca_file = self._pipe.recv()
        self._net = self._context.Process(target=_delay, args=(self._net_child, upstream_port, self._shape.rtt_ms,
                                                               self._shape.idle_close_s), daemon=True)
        self._net.start()
        port = self._net_pipe.recv()
        parts = urlsplit(url)
        self.base_url = urlunsplit(parts._replace(netloc=f"{parts.hostname}:{port}"))
        return self

    def __exit__(self, *exc: object) -> None:
        self._net_pipe.send("stop")
        self._pipe.send("stop")
        if self._net is not None:
            self._net.join(10)
        self._process.join(10)

    def _stats(self) -> tuple[int, int]:
        self._net_pipe.send("stats")
        opened, dropped = self._net_pipe.recv()
        return opened, dropped

    @property
    def connections_opened(self) -> int:
        return self._stats()[0]

    @property
    def connections_dropped_idle(self) -> int:
        return self._stats()[1]


def exchange(rtt_ms: float, http2: bool, idle_close_s: float | None = None) -> RemoteExchange:
    return RemoteExchange(NetworkShape(tls=True, http2=http2, rtt_ms=rtt_ms, idle_close_s=idle_close_s))


def client_for(ex: RemoteExchange, http2: bool) -> GateClient:
    return GateClient(ex.base_url, Credentials(ex.key, ex.secret), timeout_s=10.0,
                      network=NetworkSettings(ca_file=ex.ca_file, http2=http2))


def load_book(client: GateClient) -> list[Order]:
    """What the window loads: spot, and both futures settlements when the book has futures (all at once)."""
    spot, futures = BOOKS[BOOK[0]]
    return load_orders(client, ([Market.SPOT] if spot else []) + (list(FUTURES) if futures else []))


def timed_cancel(client: GateClient, in_flight: int) -> tuple[float, int]:
    refs = [o.ref for o in load_book(client)]
    started = time.perf_counter()
    report = CancelRun(client, batch_method_for(refs), settings=CancelSettings(max_in_flight=in_flight)).run(refs)
    elapsed = time.perf_counter() - started
    assert report.count(OutcomeState.CANCELLED) == ORDERS, report.summary()
    return elapsed, report.requests_sent


def cancel_after_load(rtt_ms: float, http2: bool, warm: bool, in_flight: int) -> dict[str, float]:
    with exchange(rtt_ms, http2) as ex, client_for(ex, http2) as client:
        if warm:
            ConnectionWarmer(client).warm()
        else:
            client.sync_clock()
        load_book(client)  # the table is loaded; the trader reads it, then cancels
        opened = ex.connections_opened
        seconds, requests = timed_cancel(client, in_flight)
        return {"s": seconds, "new_connections": ex.connections_opened - opened, "requests": requests}


def cold_load(rtt_ms: float, http2: bool) -> dict[str, float]:
    with exchange(rtt_ms, http2) as ex:
        started = time.perf_counter()
        with client_for(ex, http2) as client:
            orders = load_book(client)
            seconds = time.perf_counter() - started
        assert len(orders) == ORDERS
        return {"s": seconds, "new_connections": ex.connections_opened, "requests": 0}


def cancel_after_idle(rtt_ms: float, http2: bool, idle_s: float, idle_close_s: float) -> dict[str, float]:
    with exchange(rtt_ms, http2, idle_close_s) as ex, client_for(ex, http2) as client:
        warmer = ConnectionWarmer(client).start()
        warmer.warmed.wait(30)
        load_book(client)
        time.sleep(idle_s)  # the window sits open; the warmer keeps the connections in use
        opened, dropped = ex.connections_opened, ex.connections_dropped_idle
        seconds, requests = timed_cancel(client, IN_FLIGHT)
        warmer.stop()
        return {"s": seconds, "new_connections": ex.connections_opened - opened,
                "dropped_idle": dropped, "requests": requests}


def report(name: str, runs: list[dict[str, float]], rtt_s: float) -> None:
    seconds = statistics.median(r["s"] for r in runs)
    extra = ", ".join(f"{k} {statistics.median(r[k] for r in runs):g}" for k in runs[0] if k != "s")
    each = ", ".join(f"{r['s'] / rtt_s:.2f}" for r in runs)
    print(f"  {name:<46} {seconds:6.3f} s = {seconds / rtt_s:4.2f} round trips  ({extra}; runs: {each})")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rtt-ms", type=float, default=150.0)
    parser.add_argument("--idle-runs", type=int, default=1)
    parser.add_argument("--idle-s", type=float, default=90.0)
    parser.add_argument("--idle-close-s", type=float, default=60.0)
    parser.add_argument("--only", choices=("warm", "cold", "idle", "futures"), help="one group of figures")
    args = parser.parse_args()
    rtt_s = args.rtt_ms / 1000.0

    def repeat(fn: Callable[[], dict[str, float]], n: int) -> list[dict[str, float]]:
        return [fn() for _ in range(n)]

    print(f"paper exchange over TLS, {args.rtt_ms:g} ms round trip, {ORDERS:,} orders in {PAIRS} pairs "
          f"({ORDERS // 20} batch requests), median of {args.runs}:")
    wanted = {args.only} if args.only else {"warm", "cold", "idle"}
    if "warm" in wanted:
        warm_figures(args, rtt_s, repeat)
    if "cold" in wanted:
        report("cold start to a loaded table, HTTP/2", repeat(lambda: cold_load(args.rtt_ms, True), args.runs), rtt_s)
        report("cold start to a loaded table, HTTP/1.1", repeat(lambda: cold_load(args.rtt_ms, False), args.runs),
               rtt_s)
    if "idle" in wanted and args.idle_runs:
        label = f"cancel after {args.idle_s:g} s idle (dropped at {args.idle_close_s:g} s)"
        report(label + ", HTTP/2", repeat(lambda: cancel_after_idle(args.rtt_ms, True, args.idle_s,
                                                                    args.idle_close_s), args.idle_runs), rtt_s)
    if "futures" in wanted:
        for book, title in (("futures", "1,000 futures orders in 10 contracts (USDT and BTC settled)"),
                            ("mix", "500 spot + 500 futures orders, one click")):
            BOOK[0] = book
            print(f"{title}:")
            warm_figures(args, rtt_s, repeat)
            report("cold start to a loaded table, HTTP/2", repeat(lambda: cold_load(args.rtt_ms, True), args.runs),
                   rtt_s)
            if args.idle_runs and book == "futures":
                label = f"cancel after {args.idle_s:g} s idle (dropped at {args.idle_close_s:g} s)"
                report(label + ", HTTP/2", repeat(lambda: cancel_after_idle(args.rtt_ms, True, args.idle_s,
                                                                            args.idle_close_s), args.idle_runs), rtt_s)
        BOOK[0] = "spot"


def warm_figures(args: argparse.Namespace, rtt_s: float, repeat: Callable[..., list[dict[str, float]]]) -> None:
    report("cancel after load, HTTP/2, warmed", repeat(lambda: cancel_after_load(args.rtt_ms, True, True, IN_FLIGHT),
                                                       args.runs), rtt_s)
    report("cancel after load, HTTP/1.1, warmed", repeat(lambda: cancel_after_load(args.rtt_ms, False, True, IN_FLIGHT),
                                                         args.runs), rtt_s)
    report("cancel after load, before (HTTP/1.1, 16, cold)",
           repeat(lambda: cancel_after_load(args.rtt_ms, False, False, 16), args.runs), rtt_s)
    print(f"  {'floor (every request at once on open connections)':<46} {rtt_s:6.3f} s = 1.00 round trips")


if __name__ == "__main__":
    main()
