"""`gatecancel paper`: run the paper exchange on 127.0.0.1 until stopped."""

from __future__ import annotations

import argparse
import json
import signal
from typing import TextIO

from gatecancel_gui.cli.args import Commands, any_whole, number, whole
from gatecancel_gui.core.errors import ConfigError

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
    paper.add_argument("--stop-orders", type=whole(0, 100_000, "orders"), default=0,
                       help="price-triggered orders to seed")


def run_paper(args: argparse.Namespace, out: TextIO) -> int:
    from gatecancel_gui.paper import PaperExchange

    try:
        exchange = PaperExchange(port=args.port, orders=args.orders, pairs=args.pairs,
                                 heavy_pairs=args.heavy_pairs, latency_s=args.latency_ms / 1000.0,
                                 fill_fraction=args.fill_fraction, seed=args.seed, price_orders=args.stop_orders)
    except OSError as exc:  # the port is taken, or below 1024 without the right to it
        raise ConfigError(f"The paper exchange cannot listen on 127.0.0.1:{args.port}: "
                          f"{exc.strerror or exc}.") from None
    out.write(json.dumps({"url": exchange.base_url, "key": exchange.main_key.key,
                          "secret": exchange.main_key.secret}) + "\n")
    out.flush()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        exchange.serve_forever()
    except KeyboardInterrupt:
        pass
    return EXIT_OK
