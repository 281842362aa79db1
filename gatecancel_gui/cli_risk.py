"""The command line's blunt tools: scoped cancel-all, stop orders, the dead-man switch, the journal and
CSV export. Registered by cli.py; every decision about what was cancelled stays in the core."""

from __future__ import annotations

import argparse
import json
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from gatecancel_gui.core.cancel_all import Scope, cancel_all
from gatecancel_gui.core.client import GateClient
from gatecancel_gui.core.deadman import DeadManSwitch
from gatecancel_gui.core.errors import ConfigError
from gatecancel_gui.core.export import write_csv
from gatecancel_gui.core.hosts import environment_of
from gatecancel_gui.core.journal import Journal, journal_rows
from gatecancel_gui.core.models import CancelOutcome, CancelReport, Order, OrderRef
from gatecancel_gui.core.price_orders import PriceOrderCanceller, load_price_orders

EXIT_OK, EXIT_NOT_ALL_CANCELLED = 0, 1
ORDER_FIELDS = ["currency_pair", "id", "side", "type", "price", "amount", "left", "create_time_ms", "text"]


def add_commands(sub: argparse._SubParsersAction, common: argparse.ArgumentParser) -> None:
    cancel_all_cmd = sub.add_parser("cancel-all", parents=[common],
                                    help="server-side cancel-all for a scope, confirmed by listing again")
    cancel_all_cmd.add_argument("--pair", help="only this pair (default: every pair)")
    cancel_all_cmd.add_argument("--side", choices=("buy", "sell"), help="only this side")
    cancel_all_cmd.add_argument("--include-stop-orders", action="store_true",
                                help="also cancel price-triggered orders in the scope (a plain cancel-all leaves them)")
    cancel_all_cmd.add_argument("--yes", action="store_true", help="do not ask (needed when not on a terminal)")

    stops = sub.add_parser("stop-orders", parents=[common], help="list open price-triggered (stop) orders")
    stops.add_argument("--csv", metavar="FILE", help="also write them to a CSV file")
    cancel_stops = sub.add_parser("cancel-stop", parents=[common], help="cancel price-triggered orders")
    which = cancel_stops.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every open stop order")
    which.add_argument("--ids", nargs="+", metavar="ID", help="these stop orders")

    deadman = sub.add_parser("deadman", parents=[common],
                             help="arm Gate's dead-man switch and keep renewing it until Ctrl+C (then disarm)")
    deadman.add_argument("--countdown", type=int, default=60, metavar="SECONDS",
                         help="seconds (at least 5) without a renewal before Gate cancels every order in scope")
    deadman.add_argument("--pair", help="only this pair's orders (default: all pairs)")
    deadman.add_argument("--disarm", action="store_true", help="just disarm (timeout 0) and exit")

    journal = sub.add_parser("journal", help="show the cancel journal (every cancel request and its answer)")
    journal.add_argument("--json", action="store_true")
    journal.add_argument("--filter", default="", help="only lines containing this text (an id, a pair, a label)")


def run(client: GateClient, args: argparse.Namespace, out: TextIO, err: TextIO,
        run_interruptibly: Callable[..., CancelReport]) -> int:
    if args.command == "cancel-all":
        return run_cancel_all(client, args, out, err)
    if args.command == "stop-orders":
        return run_stop_orders(client, args, out)
    if args.command == "cancel-stop":
        return run_cancel_stop(client, args, out, err, run_interruptibly)
    return run_deadman(client, args, out, err)


def run_cancel_all(client: GateClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    scope = Scope(args.pair.strip().upper() if args.pair else None, args.side, args.include_stop_orders)
    question = scope.question(environment_of(client.base_url).value)
    if not args.yes:
        if not sys.stdin.isatty():
            raise ConfigError(f"{question} Add --yes to confirm when not on a terminal.")
        print(f"{question} [y/N] ", end="", file=err, flush=True)
        if input().strip().lower() not in ("y", "yes"):
            print("gatecancel: nothing was cancelled.", file=err)
            return EXIT_OK
    result = cancel_all(client, scope, journal=Journal())
    outcomes = list(result.report.outcomes.values())
    print_outcomes(outcomes, args.json, out)
    print(f"gatecancel: {scope.describe()}: {result.report.summary()}", file=err)
    if result.report.fatal_error:
        print(f"gatecancel: {result.report.fatal_error}", file=err)
    return EXIT_OK if all(o.succeeded for o in outcomes) else EXIT_NOT_ALL_CANCELLED


def run_stop_orders(client: GateClient, args: argparse.Namespace, out: TextIO) -> int:
    print_orders(load_price_orders(client), "open stop orders", args, out)
    return EXIT_OK


def run_cancel_stop(client: GateClient, args: argparse.Namespace, out: TextIO, err: TextIO,
                    run_interruptibly: Callable[..., CancelReport]) -> int:
    if args.all:
        refs = [o.ref for o in load_price_orders(client)]
    else:
        refs = [OrderRef("", order_id.strip()) for order_id in args.ids]
    if not refs:
        print("gatecancel: no open stop orders; nothing was sent.", file=err)
        return EXIT_OK
    report = run_interruptibly(PriceOrderCanceller(client, journal=Journal()), refs, err)
    print_outcomes(list(report.outcomes.values()), args.json, out)
    print(f"gatecancel: {report.summary()}", file=err)
    return EXIT_OK if report.all_cancelled else EXIT_NOT_ALL_CANCELLED


def run_deadman(client: GateClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    scope = f"pair {args.pair}" if args.pair else "all pairs"
    if args.disarm:
        from gatecancel_gui.core.deadman import countdown

        countdown(client, 0, args.pair)
        print(f"gatecancel: dead-man switch disarmed for {scope}.", file=err)
        return EXIT_OK
    failed = threading.Event()
    switch = DeadManSwitch(client, args.countdown, args.pair,
                           on_renewed=lambda armed: print(f"gatecancel: renewed; fires in {args.countdown} s unless "
                                                          "renewed again", file=err, flush=True),
                           on_failed=lambda message: (print(f"gatecancel: {message}", file=err, flush=True),
                                                      failed.set()))
    try:  # from arming on, any way out (Ctrl+C included, even a moment after arming) disarms
        switch.arm()
        print(f"gatecancel: dead-man switch ARMED for {scope}: Gate cancels every open order there if this "
              f"process stops renewing for {args.countdown} s. Renewing every {switch.interval_s:.1f} s; "
              "Ctrl+C disarms.", file=err, flush=True)
        while True:
            threading.Event().wait(3600)
    except KeyboardInterrupt:
        pass
    finally:
        if switch.last is not None:
            switch.disarm()
            print(f"gatecancel: dead-man switch disarmed for {scope}.", file=err)
    return EXIT_NOT_ALL_CANCELLED if failed.is_set() else EXIT_OK


def run_journal(args: argparse.Namespace, out: TextIO) -> int:
    journal = Journal()
    records = [r for r in journal.read() if args.filter.lower() in json.dumps(r).lower()]
    if args.json:
        json.dump(records, out, indent=1)
        out.write("\n")
        return EXIT_OK
    for row in journal_rows(records):
        out.write("  ".join(cell for cell in row if cell) + "\n")
    out.write(f"{len(records)} journal lines in {journal.path}\n")
    return EXIT_OK


def order_json(o: Order) -> dict[str, object]:
    """Numbers as strings (as Gate sends them), ids as strings, times as integers."""
    return {k: (v if isinstance(v, int) else str(v)) for k, v in zip(ORDER_FIELDS, order_row(o), strict=True)}


def order_row(o: Order) -> list[object]:
    return [o.currency_pair, o.id, o.side, o.type, o.price, o.amount, o.left, o.create_time_ms, o.text]


def print_orders(orders: list[Order], noun: str, args: argparse.Namespace, out: TextIO) -> None:
    """Orders (open or stop) as a table or JSON, and to a CSV file when asked."""
    orders = sorted(orders, key=lambda o: (o.currency_pair, o.create_time_ms))
    if args.csv:
        write_csv(Path(args.csv), ORDER_FIELDS, (order_row(o) for o in orders))
    if args.json:
        json.dump([order_json(o) for o in orders], out, indent=1)
        out.write("\n")
        return
    for o in orders:
        out.write(order_line(o) + f"  {o.text}\n")
    out.write(f"{len(orders)} {noun} in {len({o.currency_pair for o in orders})} pairs\n")


def order_line(o: Order) -> str:
    return f"{o.currency_pair:<12} {o.side:<4} {o.price:>14} {o.left:>16} {o.id:>20}"


def print_outcomes(outcomes: list[CancelOutcome], as_json: bool, out: TextIO) -> None:
    if as_json:
        json.dump([o.as_json() for o in outcomes], out, indent=1)
        out.write("\n")
        return
    for o in outcomes:
        detail = f"{o.label} {o.message}".strip()
        out.write(f"{o.ref.currency_pair:<12} {o.ref.id:>20}  {o.state.value:<10} {detail}\n")
