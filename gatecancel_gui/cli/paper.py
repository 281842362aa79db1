"""`gatecancel paper`: run the paper exchange on 127.0.0.1 until stopped."""

from __future__ import annotations

import argparse
import json
import signal
import threading
from typing import TextIO

from gatecancel_gui.cli.args import Commands, any_whole, number, whole
from gatecancel_gui.cli.interrupt import signals_named, wait_until
from gatecancel_gui.core.domain.errors import ConfigError

EXIT_OK = 0


def add_commands(sub: Commands) -> None:
    paper = sub.add_parser("paper", help="run the paper exchange on 127.0.0.1 until stopped")
    paper.add_argument("--port", type=whole(0, 65535), default=0, help="TCP port (0: any free one)")
    paper.add_argument("--orders", type=whole(0, 1_000_000, "orders"), default=300, help="open orders to seed")
    paper.add_argument("--pairs", type=whole(1, 1000, "pairs"), default=12, help="pairs to spread them over")
    paper.add_argument("--heavy-pairs", type=whole(0, 1000, "pairs"), default=2,
                       help="pairs that take half of the orders between them")
    paper.add_argument("--latency-ms", type=number(0, 60_000, "milliseconds"), default=0.0,
                       help="added to every answer")
    paper.add_argument("--fill-fraction", type=number(0, 1), default=0.03,
                       help="share of orders that fill just before their cancel lands")
    paper.add_argument("--seed", type=any_whole, default=7, help="the same seed gives the same book")
    paper.add_argument("--futures-orders", type=whole(0, 100_000, "orders"), default=0,
                       help="perpetual futures orders to seed over USDT and BTC contracts")
    paper.add_argument("--stop-orders", type=whole(0, 100_000, "orders"), default=0,
                       help="stop (price-triggered) orders to seed")
    live = paper.add_argument_group("live orders (Gate's WebSocket order channels, on the same port)")
    live.add_argument("--bot", action="append", default=[], metavar="PAIR:RATE:SECONDS",
                      help="run a simulated bot that places orders on PAIR (or usdt/CONTRACT for futures) RATE times "
                           "a second for SECONDS, and fills, partly fills or cancels some (repeatable)")
    live.add_argument("--ws-drop-after", type=whole(1, 1_000_000, "notifications"), default=None, metavar="N",
                      help="cut each WebSocket (a network fault) after it has pushed N order notifications")
    live.add_argument("--no-websocket", action="store_true",
                      help="serve no WebSocket (its upgrade answers 404), as a server a client must poll")
    net = paper.add_argument_group("network shape (as a real exchange is reached)")
    net.add_argument("--tls", action="store_true",
                     help="serve HTTPS with a throwaway certificate authority (its file is printed as ca_file)")
    net.add_argument("--http1-only", action="store_true", help="with --tls: offer HTTP/1.1 only, not HTTP/2")
    net.add_argument("--rtt-ms", type=number(0, 5_000, "milliseconds"), default=0.0,
                     help="round trip: every byte delayed by half of it each way, a new connection by all of it")
    net.add_argument("--idle-close-s", type=number(0.5, 3_600, "seconds"), default=None,
                     help="drop a connection idle this long, as servers and load balancers do")


def run_paper(args: argparse.Namespace, out: TextIO) -> int:
    from gatecancel_gui.paper import NetworkShape, PaperExchange
    from gatecancel_gui.paper.bot import parse_bot

    try:
        bots = [parse_bot(text) for text in args.bot]
    except ValueError as exc:
        raise ConfigError(f"--bot: {exc}") from None

    shaped = args.tls or args.rtt_ms or args.idle_close_s is not None
    if args.http1_only and not args.tls:
        raise ConfigError("--http1-only goes with --tls (HTTP/2 is only offered over TLS).")
    if shaped and args.port:
        raise ConfigError("--port cannot be chosen with --tls, --rtt-ms or --idle-close-s (a free port is used).")
    network = NetworkShape(tls=args.tls, http2=not args.http1_only, rtt_ms=args.rtt_ms,
                           idle_close_s=args.idle_close_s) if shaped else None
    try:
        exchange = PaperExchange(port=args.port, orders=args.orders, pairs=args.pairs,
                                 heavy_pairs=args.heavy_pairs, latency_s=args.latency_ms / 1000.0,
                                 fill_fraction=args.fill_fraction, seed=args.seed, price_orders=args.stop_orders,
                                 futures_orders=args.futures_orders,
                                 network=network, websocket=not args.no_websocket)
    except OSError as exc:  # the port is taken, or below 1024 without the right to it
        raise ConfigError(f"The paper exchange cannot listen on 127.0.0.1:{args.port}: "
                          f"{exc.strerror or exc}.") from None
    exchange.ws_drop_after = args.ws_drop_after
    exchange.start()  # listening before its address is printed (the network shape's port is known only then)
    for bot in bots:
        exchange.start_bot(bot)
    printed = {"url": exchange.base_url, "key": exchange.main_key.key, "secret": exchange.main_key.secret}
    if exchange.ca_file:
        printed["ca_file"] = exchange.ca_file
    out.write(json.dumps(printed) + "\n")
    out.flush()
    for signum in signals_named("SIGTERM", "SIGBREAK"):  # end as Ctrl+C does: the exchange is stopped
        signal.signal(signum, signal.default_int_handler)
    try:
        wait_until(threading.Event())  # for ever, in short waits: Ctrl+C is taken between two (Windows)
    except KeyboardInterrupt:
        pass
    finally:
        exchange.stop()
    return EXIT_OK
