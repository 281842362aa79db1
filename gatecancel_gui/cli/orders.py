"""`gatecancel orders` and `gatecancel cancel`: list open orders, cancel them in batches of 20."""

from __future__ import annotations

import argparse
import threading
from typing import TextIO

from gatecancel_gui.cli.output import order_line, print_orders, print_outcomes
from gatecancel_gui.cli.run import run_interruptibly
from gatecancel_gui.core.cancel import CancelRun, CancelSettings, SpotBatch
from gatecancel_gui.core.client import GateClient
from gatecancel_gui.core.errors import ConfigError
from gatecancel_gui.core.journal import Journal
from gatecancel_gui.core.models import Order, OrderRef
from gatecancel_gui.core.orders import load_open_orders, load_pair_orders

EXIT_OK, EXIT_NOT_ALL_CANCELLED = 0, 1
MIN_WATCH_S = 2.0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser) -> None:
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


def run_orders(client: GateClient, args: argparse.Namespace, out: TextIO) -> int:
    if args.watch is not None:
        return watch_orders(client, args.watch, out)
    print_orders(load_open_orders(client), "open orders", args, out)
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
                out.write(f"+ new  {order_line(current[order_id])}\n")
            for order_id in known.keys() - current.keys():
                out.write(f"- gone {order_line(known[order_id])}\n")
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
    run = CancelRun(client, SpotBatch(), journal=Journal(),
                    settings=CancelSettings(max_in_flight=max(1, args.in_flight)))
    return report_cancel(run, refs, args, out, err)


def report_cancel(run: CancelRun, refs: list[OrderRef], args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run a cancel with Ctrl+C as Stop, print one line (or JSON object) per order and the summary."""
    unique = list(dict.fromkeys(refs))
    requests = run.method.requests_for(len(unique))
    print(f"gatecancel: cancelling {len(unique)} orders in {requests} request{'s' if requests != 1 else ''} "
          "(Ctrl+C stops sending; what was sent is still reported)", file=err, flush=True)
    report = run_interruptibly(lambda: run.run(unique), run.stop, err)
    print_outcomes([report.outcomes[r] for r in unique], args.json, out)
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
