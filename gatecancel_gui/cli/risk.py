"""The command line's blunt tools: scoped cancel-all, stop orders and the dead-man switch. Every decision
about what was cancelled stays in the core."""

from __future__ import annotations

import argparse
import json
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any, TextIO

from gatecancel_gui.cli.args import Commands, Parser, whole
from gatecancel_gui.cli.console_close import interrupt_main, nothing_to_stop, on_console_close
from gatecancel_gui.cli.interrupt import run_interruptibly, signals_named, wait_until
from gatecancel_gui.cli.orders import can_ask, confirm, declined, notice_to, refuse_unasked, report_cancel
from gatecancel_gui.cli.output import print_orders, print_outcomes
from gatecancel_gui.core.app.services import ScopeCancel, load_stop_orders, prepare_cancel, scope_holds
from gatecancel_gui.core.app.session import asked_environment
from gatecancel_gui.core.domain.environments import environment_of
from gatecancel_gui.core.domain.errors import NOT_GATE_LABELS, GateError
from gatecancel_gui.core.domain.ids import stop_order_ref
from gatecancel_gui.core.domain.markets import Market, parse_market
from gatecancel_gui.core.domain.orders import OrderRef
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.domain.wording import cancel_question_parts, plural
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.gate.contracts import check_instrument
from gatecancel_gui.core.risk.deadman import MIN_TIMEOUT_S, DeadManSwitch, countdown
from gatecancel_gui.core.store.journal import Journal

log = logging.getLogger(__name__)

EXIT_OK, EXIT_NOT_ALL_CANCELLED = 0, 1
MARKETS = [m.value for m in Market]
MAX_COUNTDOWN_S = 3600


def add_commands(sub: Commands, common: Parser) -> None:
    cancel_all_cmd = sub.add_parser("cancel-all", parents=[common],
                                    help="server-side cancel-all for a scope, confirmed by listing again")
    cancel_all_cmd.add_argument("--market", default="spot", choices=MARKETS,
                                help="spot (default), futures-usdt or futures-btc")
    cancel_all_cmd.add_argument("--pair", help="only this pair (futures: contract; default: every pair or "
                                "every contract with open orders)")
    cancel_all_cmd.add_argument("--side", choices=("buy", "sell"), help="only this side")
    cancel_all_cmd.add_argument("--include-stop-orders", action="store_true",
                                help="also cancel stop orders in the scope (a plain cancel-all leaves them)")
    cancel_all_cmd.add_argument("--yes", action="store_true", help="do not ask (needed when not on a terminal)")

    stops = sub.add_parser("stop-orders", parents=[common], help="list open price-triggered (stop) orders")
    stops.add_argument("--csv", metavar="FILE", help="also write them to a CSV file")
    stops.add_argument("--market", default="spot", choices=[*MARKETS, "all"],
                       help="spot (default), futures-usdt, futures-btc or all")
    cancel_stops = sub.add_parser("cancel-stop", parents=[common], help="cancel stop (price-triggered) orders")
    cancel_stops.add_argument("--market", default="spot", choices=MARKETS,
                              help="spot (default), futures-usdt or futures-btc")
    which = cancel_stops.add_mutually_exclusive_group(required=True)
    which.add_argument("--all", action="store_true", help="every open stop order")
    which.add_argument("--ids", nargs="+", metavar="ID", help="these stop orders")
    cancel_stops.add_argument("--yes", action="store_true",
                              help="with --all: do not ask (needed when not on a terminal)")

    deadman = sub.add_parser("deadman", parents=[common],
                             help="arm Gate's dead-man switch and keep renewing it until Ctrl+C (then disarm)")
    deadman.add_argument("--countdown", type=whole(MIN_TIMEOUT_S, MAX_COUNTDOWN_S, "seconds"), default=60,
                         metavar="SECONDS", help=f"seconds ({MIN_TIMEOUT_S} to {MAX_COUNTDOWN_S}) without a renewal "
                         "before Gate cancels every order in scope")
    deadman.add_argument("--market", default="spot", choices=MARKETS,
                         help="spot (default), futures-usdt or futures-btc: each market has its own switch")
    deadman.add_argument("--pair", help="only this pair's orders (futures: contract; default: all of the market)")
    deadman.add_argument("--disarm", action="store_true", help="just disarm (timeout 0) and exit")


def run_risk_command(client: GateClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    if args.command == "cancel-all":
        return run_cancel_all(client, args, out, err)
    if args.command == "stop-orders":
        return run_stop_orders(client, args, out)
    if args.command == "cancel-stop":
        return run_cancel_stop(client, args, out, err)
    return run_deadman(client, args, out, err)


def run_cancel_all(client: GateClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    market = Market(args.market)
    pair = checked_instrument(client, args.pair, market, err)
    scope = Scope(pair, args.side, args.include_stop_orders, market)
    environment = asked_environment(client).value.upper()  # PAPER only if the server says so
    if not args.yes:
        if not can_ask():
            refuse_unasked(scope.question(environment))
        if not confirm(f"Cancel {scope.describe()} on {environment} ({count_scope(client, scope)})? "
                       f"{scope.stop_orders_note()}", err):
            return declined(err)
    cancel = ScopeCancel(client, scope, journal=Journal())
    with on_console_close(nothing_to_stop):  # a closing console (Windows) waits for the report too
        result = run_interruptibly(cancel.run, cancel.stop, err)
        outcomes = list(result.report.outcomes.values())
        print_outcomes(outcomes, args.json, out)
        print(f"gatecancel: {scope.describe()}: {result.report.summary()}", file=err)
        if result.report.refused:
            print(f"gatecancel: {result.report.refused}", file=err)
        if result.report.internal_error:
            print(f"gatecancel: {result.report.internal_error}", file=err)
    return EXIT_OK if all(o.succeeded for o in outcomes) else EXIT_NOT_ALL_CANCELLED


def count_scope(client: GateClient, scope: Scope) -> str:
    """What the scope holds right now, for the question: "37 open orders now"."""
    orders, stops = scope_holds(client, scope)
    text = plural(len(orders), "open order")
    if scope.include_stop_orders:
        text += f" and {plural(len(stops), 'stop order')}"
    return text + " now"


def checked_instrument(client: GateClient, text: str | None, market: Market, err: TextIO) -> str | None:
    """A pair or a contract checked against what Gate lists in the market (None: the whole market)."""
    return None if text is None else check_instrument(client, text, market, notice=notice_to(err))


def run_stop_orders(client: GateClient, args: argparse.Namespace, out: TextIO) -> int:
    orders = load_stop_orders(client, parse_market(args.market, allow_all=True))
    print_orders(orders, "open stop order", args, out)
    return EXIT_OK


def run_cancel_stop(client: GateClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    market = Market(args.market)
    if args.all:
        if not args.yes and not can_ask():  # a broad cancel from a script must say so, as cancel --all must
            refuse_unasked(f"Cancel every open {market.display_name if market.is_futures else 'spot'} stop order on "
                           f"{asked_environment(client).value.upper()}?")
        orders = load_stop_orders(client, [market])
        refs = [o.ref for o in orders]
        if refs and not args.yes:
            question, details = cancel_question_parts(orders, environment_of(client.base_url).value,
                                                      noun="open stop orders")
            for line in details:
                print(f"  {line}", file=err)
            if not confirm(question, err):
                return declined(err)
    else:
        refs = named_stop_orders(client, market, [stop_order_ref(order_id, market) for order_id in args.ids])
    if not refs:
        print("gatecancel: no open stop orders; nothing was sent.", file=err)
        return EXIT_OK
    return report_cancel(prepare_cancel(client, refs, journal=Journal()), refs, args, out, err)


def named_stop_orders(client: GateClient, market: Market, refs: list[OrderRef]) -> list[OrderRef]:
    """Stop orders given by id, with the pair (or contract) Gate lists them in, so every line and JSON row
    says where the order was; one listing, and an id not listed (or a listing that fails) stays unnamed."""
    try:
        listed = {o.id: o.ref for o in load_stop_orders(client, [market])}
    except GateError as exc:
        if exc.label in NOT_GATE_LABELS:  # not Gate at all: the cancel would meet the same answer
            raise
        log.info("stop orders not listed before cancelling by id: %s", exc.label)
        return refs
    return [listed.get(ref.id, ref) for ref in refs]


def deadman_event(out: TextIO, event: str, market: Market, pair: str | None, **extra: object) -> None:
    """`deadman --json`: one JSON line for each change of the switch (armed, a failed renewal, disarmed)."""
    out.write(json.dumps({"event": event, "market": market.value, market.instrument_word: pair, **extra}) + "\n")
    out.flush()


def run_deadman(client: GateClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    market = Market(args.market)
    pair = checked_instrument(client, args.pair, market, err)
    scope = Scope(pair, market=market)
    if args.disarm:
        countdown(client, 0, scope)
        print(f"gatecancel: dead-man switch disarmed for {scope.where()}.", file=err)
        if args.json:
            deadman_event(out, "disarmed", market, pair)
        return EXIT_OK
    failed = threading.Event()

    def renewal_failed(message: str) -> None:
        print(f"gatecancel: {message}", file=err, flush=True)
        if args.json:
            deadman_event(out, "renewal_failed", market, pair, message=message)
        failed.set()

    switch = DeadManSwitch(client, args.countdown, scope,
                           on_renewed=lambda armed: print(f"gatecancel: renewed; fires in {args.countdown} s unless "
                                                          "renewed again", file=err, flush=True),
                           on_failed=renewal_failed)
    interrupted = False
    # a closing console (Windows) ends it as SIGTERM does (its handler is set just above, even if Ctrl+C is
    # ignored), and is held off until the switch is disarmed
    ends = ending_signals()
    stop_as = signal.SIGTERM if signal.SIGTERM in ends else signal.SIGINT
    with signals_handled(ends, raise_interrupt), on_console_close(lambda: interrupt_main(stop_as)):
        try:  # from arming on, any way out (Ctrl+C, SIGTERM, SIGHUP, the console closing) disarms
            armed = switch.arm()
            if args.json:
                deadman_event(out, "armed", market, pair, countdown_s=args.countdown, trigger_time_ms=armed.trigger_ms)
            print(f"gatecancel: dead-man switch ARMED for {scope.where()}: Gate cancels every open order there if this "
                  f"process stops renewing for {args.countdown} s. Renewing every {switch.interval_s:.1f} s; "
                  "Ctrl+C (or SIGTERM, SIGHUP) disarms.", file=err, flush=True)
            wait_until(threading.Event())  # for ever, in short waits: Ctrl+C is taken between two (Windows)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            if switch.last is not None or interrupted:  # interrupted while arming: Gate may have armed it
                with signals_handled((signal.SIGINT, *ending_signals()), signal.SIG_IGN):  # let the disarm finish
                    switch.disarm()
                print(f"gatecancel: dead-man switch disarmed for {scope.where()}.", file=err)
                if args.json:
                    deadman_event(out, "disarmed", market, pair)
    return EXIT_NOT_ALL_CANCELLED if failed.is_set() else EXIT_OK


def ending_signals() -> tuple[int, ...]:
    """Ways a process is told to end that can be caught, besides Ctrl+C: Ctrl+Break (Windows), SIGTERM,
    SIGHUP. While the switch is armed each one disarms it first. (kill -9 cannot be caught: the switch then
    fires when the countdown runs out, the safe side.)"""
    return signals_named("SIGBREAK", "SIGTERM", "SIGHUP")


def raise_interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM and SIGHUP end the process the way Ctrl+C does: through the code that disarms."""
    raise KeyboardInterrupt


Handler = Callable[[int, FrameType | None], Any] | int | signal.Handlers | None


@contextmanager
def signals_handled(signums: tuple[int, ...], handler: Handler) -> Iterator[None]:
    """Give these signals this handler for the block, then put the previous handlers back."""
    previous = {signum: signal.signal(signum, handler) for signum in signums}
    try:
        yield
    finally:
        for signum, old in previous.items():
            signal.signal(signum, old)
