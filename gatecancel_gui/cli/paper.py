"""`gatecancel paper`: run the paper exchange on 127.0.0.1 until stopped."""

from __future__ import annotations

import argparse
import json
import signal
from typing import TextIO

EXIT_OK = 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    paper = sub.add_parser("paper", help="run the paper exchange on 127.0.0.1 until stopped")
    paper.add_argument("--port", type=int, default=0)
    paper.add_argument("--orders", type=int, default=300)
    paper.add_argument("--pairs", type=int, default=12)
    paper.add_argument("--heavy-pairs", type=int, default=2)
    paper.add_argument("--latency-ms", type=float, default=0.0)
    paper.add_argument("--fill-fraction", type=float, default=0.03)
    paper.add_argument("--seed", type=int, default=7)
    paper.add_argument("--stop-orders", type=int, default=0, help="price-triggered orders to seed")


def run_paper(args: argparse.Namespace, out: TextIO) -> int:
    from gatecancel_gui.paper import PaperExchange

    exchange = PaperExchange(port=args.port, orders=args.orders, pairs=args.pairs,
                             heavy_pairs=args.heavy_pairs, latency_s=args.latency_ms / 1000.0,
                             fill_fraction=args.fill_fraction, seed=args.seed, price_orders=args.stop_orders)
    out.write(json.dumps({"url": exchange.base_url, "key": exchange.main_key.key,
                          "secret": exchange.main_key.secret}) + "\n")
    out.flush()
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    try:
        exchange.serve_forever()
    except KeyboardInterrupt:
        pass
    return EXIT_OK
