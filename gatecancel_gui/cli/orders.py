"""`gatecancel orders` and `gatecancel cancel`: list open orders, cancel them in batches of 20."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import NoReturn, TextIO

from gatecancel_gui.cli import follow
from gatecancel_gui.cli.args import Commands, Parser, number, whole
from gatecancel_gui.cli.console_close import nothing_to_stop, on_console_close
from gatecancel_gui.cli.interrupt import run_interruptibly
from gatecancel_gui.cli.output import print_orders, print_outcomes
from gatecancel_gui.core.app.services import load_orders, prepare_cancel, scope_holds
from gatecancel_gui.core.app.session import asked_environment
from gatecancel_gui.core.cancel.run import CancelRun, CancelSettings
from gatecancel_gui.core.domain.environments import environment_of
from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.domain.ids import parse_order_ref
from gatecancel_gui.core.domain.markets import Market, parse_market
from gatecancel_gui.core.domain.orders import Order, OrderRef
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.domain.wording import cancel_question_parts
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.gate.contracts import check_contracts, check_instrument
from gatecancel_gui.core.gate.pairs import check_pairs
from gatecancel_gui.core.net.transport import MAX_IN_FLIGHT  # the sender threads and connections there are
from gatecancel_gui.core.store.journal import Journal

EXIT_OK, EXIT_NOT_ALL_CANCELLED = 0, 1
MIN_WATCH_S, MAX_WATCH_S = 2.0, 3600.0
MARKETS = [m.value for m in Market]


def add_commands(sub: Commands, common: Parser) -> None:
    orders = sub.add_parser("orders", parents=[common], help="list every open order of a market (default spot)")
    orders.add_argument("--market", default="spot", choices=[*MARKETS, "all"],
                        help="which orders: spot (default), futures-usdt, futures-btc, or all")
    orders.add_argument("--csv", metavar="FILE", help="also write them to a CSV file")
    live = orders.add_mutually_exclusive_group()  # both at once: one sentence, exit 2
    live.add_argument("--follow", action="store_true",
                      help="after the listing, print one line per change (put, update, finish) as it happens, "
                      "until Ctrl+C or SIGTERM; the stream's state goes to stderr")
    live.add_argument("--watch", metavar="SECONDS",
                      type=number(MIN_WATCH_S, MAX_WATCH_S, "seconds",
                                  f" (at least {MIN_WATCH_S:g} seconds between listings keeps within Gate's "
                                  "rate limits)"),
                      help="print new and gone orders as they happen, and list every SECONDS (at least "
                      f"{MIN_WATCH_S:g}) where no WebSocket can be had")

    cancel = sub.add_parser("cancel", parents=[common], help="cancel open orders in batches of 20")
    scope = cancel.add_mutually_exclusive_group(required=True)
    scope.add_argument("--all", action="store_true", help="every open order in every pair")
    scope.add_argument("--pair", help="every open order in one pair (futures: one contract), e.g. BTC_USDT")
    scope.add_argument("--ids", nargs="+", metavar="PAIR:ID", help="these orders (futures: CONTRACT:ID)")
    cancel.add_argument("--market", default="spot", choices=MARKETS,
                        help="which orders: spot (default), futures-usdt or futures-btc")
    cancel.add_argument("--side", choices=("buy", "sell"), help="with --pair: only this side")
    cancel.add_argument("--in-flight", type=whole(1, MAX_IN_FLIGHT, "requests"), default=MAX_IN_FLIGHT,
                        help=f"requests in flight at once (1 to {MAX_IN_FLIGHT})")
    cancel.add_argument("--yes", action="store_true",
                        help="with --all or --pair: do not ask (needed when not on a terminal)")


def run_orders(client: GateClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    markets = parse_market(args.market, allow_all=True)
    if args.follow:
        return follow.run_follow(client, args, markets, out, err)
    if args.watch is not None:
        return follow.run_watch(client, args, markets, out, err)
    print_orders(load_orders(client, markets), "open order", args, out)
    return EXIT_OK


def run_cancel(client: GateClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.side and not args.pair:
        raise ConfigError("--side needs --pair.")
    market = parse_market(args.market)[0]
    refs, orders = select_orders(client, args, err, market)
    if not refs:
        print("gatecancel: no open orders match; nothing was sent.", file=err)
        if args.json:
            out.write("[]\n")
        return EXIT_OK
    if not args.ids and not args.yes:
        side = f"{args.side} " if args.side else ""
        question, details = cancel_question_parts(orders, environment_of(client.base_url).value,
                                                  noun=f"open {side}orders")
        for line in details:
            print(f"  {line}", file=err)
        if not confirm(question, err):
            return declined(err)
    run = prepare_cancel(client, refs, journal=Journal(), settings=CancelSettings(max_in_flight=args.in_flight))
    return report_cancel(run, refs, args, out, err)


def can_ask() -> bool:
    """Whether a question can be answered: stdin is a terminal (not a pipe, a file, or closed)."""
    return sys.stdin is not None and sys.stdin.isatty()


def refuse_unasked(question: str) -> NoReturn:
    """A broad cancel off a terminal needs --yes: a script must say so, never cancel by default."""
    raise ConfigError(f"{question} Add --yes to confirm when not on a terminal.")


def confirm(question: str, err: TextIO) -> bool:
    """Ask on the terminal; only y or yes goes ahead (end of input is a no)."""
    print(f"{question} [y/N] ", end="", file=err, flush=True)
    try:
        answer = input()
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def declined(err: TextIO) -> int:
    """A declined question is not success: a script checking the status must not read it as done."""
    print("gatecancel: nothing was cancelled.", file=err)
    return EXIT_NOT_ALL_CANCELLED


def report_cancel(run: CancelRun, refs: list[OrderRef], args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """Run a cancel with Ctrl+C as Stop, print one line (or JSON object) per order and the summary."""
    unique = list(dict.fromkeys(refs))
    requests = run.method.requests_for(unique)
    print(f"gatecancel: cancelling {len(unique)} order{'s' if len(unique) != 1 else ''} in {requests} "
          f"request{'s' if requests != 1 else ''} "
          "(Ctrl+C stops sending; what was sent is still reported)", file=err, flush=True)
    with on_console_close(nothing_to_stop):  # a closing console (Windows) waits for the report too
        report = run_interruptibly(lambda: run.run(unique), run.stop, err, abandon=run.abandon,
                                   waiting_for=lambda: run.activity)
        print_outcomes([report.outcomes[r] for r in unique], args.json, out)
        if report.refused:
            print(f"gatecancel: {report.refused}", file=err)
        if report.internal_error:
            print(f"gatecancel: {report.internal_error}", file=err)
        where = environment_of(run.client.base_url).value.upper()  # known by now: the server has answered
        print(f"gatecancel: {report.summary()} on {where}", file=err)
    return EXIT_OK if report.all_cancelled else EXIT_NOT_ALL_CANCELLED


def select_orders(client: GateClient, args: argparse.Namespace, err: TextIO,
                  market: Market = Market.SPOT) -> tuple[list[OrderRef], list[Order]]:
    """What the cancel targets, and the orders as listed when it was a scope (--all, --pair; none for ids).
    Every id, pair and contract is checked first, so bad input sends nothing, and a broad cancel that
    cannot ask and has no --yes is refused before orders are read."""
    notice = notice_to(err)
    if args.ids:
        refs = [parse_order_ref(text, market) for text in args.ids]
        instruments = dict.fromkeys(r.instrument for r in refs)
        if market.is_futures:
            check_contracts(client, market, instruments, notice=notice)
        else:
            check_pairs(client, instruments, notice=notice)
        return refs, []
    pair = check_instrument(client, args.pair, market, notice=notice) if args.pair else None
    scope = Scope(pair, args.side, False, market)
    if not args.yes and not can_ask():
        refuse_unasked(f"Cancel {scope.describe()} on {asked_environment(client).value.upper()}?")
    orders, _ = scope_holds(client, scope)
    return [o.ref for o in orders], orders


def notice_to(err: TextIO) -> Callable[[str], None]:
    return lambda text: print(f"gatecancel: {text}", file=err, flush=True)
