"""The `gatecancel` command line: list and cancel open orders, or run the paper exchange.

Thin over the core: every decision about what was cancelled is the core's.
"""

from __future__ import annotations

import argparse
import json
import logging
import signal
import sys
import threading
from collections.abc import Sequence
from typing import TextIO

from gatecancel_gui import __version__, cli_risk
from gatecancel_gui.core import credentials, redact
from gatecancel_gui.core.cancel import BatchCanceller, CancelSettings
from gatecancel_gui.core.client import GateClient
from gatecancel_gui.core.errors import ConfigError, GateError
from gatecancel_gui.core.hosts import LIVE_URL
from gatecancel_gui.core.journal import Journal
from gatecancel_gui.core.models import CancelReport, Order, OrderRef
from gatecancel_gui.core.orders import load_open_orders, load_pair_orders
from gatecancel_gui.core.price_orders import PriceOrderCanceller
from gatecancel_gui.core.profiles import ProfileStore

EXIT_OK, EXIT_NOT_ALL_CANCELLED, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
MIN_WATCH_S = 2.0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="gatecancel", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"gatecancel {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--base-url", help=f"exchange API base URL (default: the profile's, else {LIVE_URL})")
    common.add_argument("--profile", help="read the key and secret of this profile from the OS keyring "
                        "(default: GATE_API_KEY / GATE_API_SECRET)")
    common.add_argument("--account", choices=("spot", "unified"), help="account type of the key")
    common.add_argument("--timeout", type=float, default=5.0, help="seconds to wait for each answer")
    common.add_argument("--json", action="store_true", help="print JSON instead of a table")

    orders = sub.add_parser("orders", parents=[common], help="list every open spot order")
    orders.add_argument("--csv", metavar="FILE", help="also write them to a CSV file")
    orders.add_argument("--watch", type=float, metavar="SECONDS",
                        help=f"keep listing every SECONDS (at least {MIN_WATCH_S:g}) and print new and gone orders")

    cancel = sub.add_parser("cancel", parents=[common], help="cancel open orders in batches of 20")
    scope = cancel.add_mutually_exclusive_group(required=True)
    scope.add_argument("--all", action="store_true", help="every open order in every pair")
    scope.add_argument("--pair", help="every open order in one pair, e.g. BTC_USDT")
    scope.add_argument("--ids", nargs="+", metavar="PAIR:ID", help="these orders")
    cancel.add_argument("--side", choices=("buy", "sell"), help="with --pair: only this side")
    cancel.add_argument("--in-flight", type=int, default=16, help="requests in flight at once")

    cli_risk.add_commands(sub, common)

    paper = sub.add_parser("paper", help="run the paper exchange on 127.0.0.1 until stopped")
    paper.add_argument("--port", type=int, default=0)
    paper.add_argument("--orders", type=int, default=300)
    paper.add_argument("--pairs", type=int, default=12)
    paper.add_argument("--heavy-pairs", type=int, default=2)
    paper.add_argument("--latency-ms", type=float, default=0.0)
    paper.add_argument("--fill-fraction", type=float, default=0.03)
    paper.add_argument("--seed", type=int, default=7)
    paper.add_argument("--stop-orders", type=int, default=0, help="price-triggered orders to seed")
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    redact.install()
    args = build_parser().parse_args(argv)
    try:
        if args.command == "paper":
            return run_paper(args, out)
        if args.command == "journal":
            return cli_risk.run_journal(args, out)
        with make_client(args) as client:
            if args.command == "orders":
                return run_orders(client, args, out)
            if args.command == "cancel":
                return run_cancel(client, args, out, err)
            return cli_risk.run(client, args, out, err, _run_interruptibly)
    except (ConfigError, GateError) as exc:
        print(f"gatecancel: {exc}", file=err)
        return EXIT_ERROR
    except KeyboardInterrupt:
        print("gatecancel: interrupted", file=err)
        return EXIT_INTERRUPTED


def make_client(args: argparse.Namespace) -> GateClient:
    base_url = args.base_url
    creds = None
    if args.profile:
        profile = ProfileStore().get(args.profile)
        base_url = base_url or (profile.base_url if profile else None)
        creds = credentials.load(args.profile)
        if creds is None:
            raise ConfigError(f"No key is stored in the OS keyring for profile '{args.profile}'.")
    else:
        creds = credentials.from_environment()
    if creds is None:
        raise ConfigError("No credentials: use --profile NAME, or set GATE_API_KEY and GATE_API_SECRET.")
    account = "unified" if args.account == "unified" else None
    return GateClient(base_url or LIVE_URL, creds, timeout_s=args.timeout, account=account)


def run_orders(client: GateClient, args: argparse.Namespace, out: TextIO) -> int:
    if args.watch is not None:
        return watch_orders(client, args.watch, out)
    cli_risk.print_orders(load_open_orders(client), "open orders", args, out)
    return EXIT_OK


def watch_orders(client: GateClient, interval_s: float, out: TextIO) -> int:
    """Live refresh for a terminal: one line per order that appears (+) or vanishes (-), until Ctrl+C."""
    if interval_s < MIN_WATCH_S:
        raise ConfigError(f"--watch needs at least {MIN_WATCH_S:g} seconds between listings (Gate's rate limits).")
    known: dict[str, Order] = {}
    first = True
    pause = threading.Event()
    while True:
        current = {o.id: o for o in load_open_orders(client)}
        if first:
            out.write(f"{len(current)} open orders in {len({o.currency_pair for o in current.values()})} pairs; "
                      f"watching every {interval_s:g} s (Ctrl+C stops)\n")
        else:
            for order_id in current.keys() - known.keys():
                out.write(f"+ new  {cli_risk.order_line(current[order_id])}\n")
            for order_id in known.keys() - current.keys():
                out.write(f"- gone {cli_risk.order_line(known[order_id])}\n")
        out.flush()
        known, first = current, False
        pause.wait(interval_s)


def run_cancel(client: GateClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.side and not args.pair:
        raise ConfigError("--side needs --pair.")
    refs = select_orders(client, args)
    if not refs:
        print("gatecancel: no open orders match; nothing was sent.", file=err)
        if args.json:
            out.write("[]\n")
        return EXIT_OK
    canceller = BatchCanceller(client, journal=Journal(),
                               settings=CancelSettings(max_in_flight=max(1, args.in_flight)))
    report = _run_interruptibly(canceller, refs, err)
    cli_risk.print_outcomes([report.outcomes[r] for r in dict.fromkeys(refs)], args.json, out)
    if report.fatal_error:
        print(f"gatecancel: {report.fatal_error}", file=err)
    print(f"gatecancel: {report.summary()}", file=err)
    return EXIT_OK if report.all_cancelled else EXIT_NOT_ALL_CANCELLED


def select_orders(client: GateClient, args: argparse.Namespace) -> list[OrderRef]:
    if args.ids:
        return [parse_ref(text) for text in args.ids]
    if args.pair:
        return [o.ref for o in load_pair_orders(client, args.pair.strip().upper(), side=args.side)]
    return [o.ref for o in load_open_orders(client)]


def parse_ref(text: str) -> OrderRef:
    pair, sep, order_id = text.strip().partition(":")
    if not sep or not pair or not order_id.strip():
        raise ConfigError(f"'{text}' is not PAIR:ID (for example BTC_USDT:123456789).")
    return OrderRef(pair.upper(), order_id.strip())


def _run_interruptibly(canceller: BatchCanceller | PriceOrderCanceller, refs: list[OrderRef],
                       err: TextIO) -> CancelReport:
    """Run the cancel off the main thread so Ctrl+C stops new requests but still reports the sent ones.

    Waits on an Event, not Thread.join: a join interrupted by Ctrl+C can later return too early."""
    holder: dict[str, CancelReport] = {}
    finished = threading.Event()

    def work() -> None:
        try:
            holder["report"] = canceller.run(refs)
        finally:
            finished.set()

    unique = len(dict.fromkeys(refs))
    worker = threading.Thread(target=work, name="cancel-main")
    try:
        worker.start()
        print(f"gatecancel: cancelling {unique} orders in {-(-unique // 20)} requests "
              "(Ctrl+C stops sending; what was sent is still reported)", file=err, flush=True)
        while not finished.wait(0.1):
            pass
    except KeyboardInterrupt:
        print("gatecancel: stopping: waiting for the requests in flight…", file=err, flush=True)
        canceller.stop()
        while not finished.wait(0.1):
            pass
    return holder["report"]


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


if __name__ == "__main__":
    sys.exit(main())
