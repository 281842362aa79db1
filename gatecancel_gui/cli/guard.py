"""`gatecancel guard`: keep a scope flat for a while, cancelling every new order in it as it appears (the
core's Guard does the work; this asks first, prints each order it acted on and ends on time or a signal)."""

from __future__ import annotations

import argparse
import json
import threading
import time
from typing import TextIO

from gatecancel_gui.cli.args import Commands, Parser, number
from gatecancel_gui.cli.console_close import on_console_close
from gatecancel_gui.cli.follow import ending_on_signals, stream_settings
from gatecancel_gui.cli.interrupt import wait_until
from gatecancel_gui.cli.orders import can_ask, confirm, declined, notice_to, refuse_unasked
from gatecancel_gui.core.app.services import guard_holds
from gatecancel_gui.core.app.session import asked_environment
from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.outcomes import CancelOutcome
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.domain.wording import plural
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.gate.contracts import check_instrument
from gatecancel_gui.core.risk.guard import GUARD_POLL_INTERVAL_S, Guard, GuardState, GuardStatus
from gatecancel_gui.core.store.journal import Journal

EXIT_OK, EXIT_NOT_ALL_ENDED, EXIT_ERROR = 0, 1, 2
MAX_GUARD_S = 7 * 24 * 3600.0
JOIN_S = 15.0  # the guard's own stop is bounded (a run's look-up after Stop, the stream's close)
TIME_UP = "Its time is up"


def add_commands(sub: Commands, common: Parser) -> None:
    cmd = sub.add_parser("guard", parents=[common],
                         help="keep a scope flat for a while: cancel what is open, then every new order as it appears")
    cmd.add_argument("--market", default="spot", choices=[*(m.value for m in Market), "all"],
                     help="spot (default), futures-usdt, futures-btc or all (every market)")
    which = cmd.add_mutually_exclusive_group()
    which.add_argument("--pair", help="only this spot pair (default: every pair)")
    which.add_argument("--contract", help="only this futures contract (default: every contract)")
    cmd.add_argument("--side", choices=("buy", "sell"), help="only this side")
    cmd.add_argument("--text-prefix", default=None, metavar="TEXT",
                     help="only orders whose text starts with this, e.g. one bot's t-bot1-")
    cmd.add_argument("--for", dest="seconds", required=True, metavar="SECONDS",
                     type=number(0.1, MAX_GUARD_S, "seconds"), help="how long it stays armed")
    cmd.add_argument("--yes", action="store_true", help="do not ask (needed when not on a terminal)")


def guard_scope(client: GateClient, args: argparse.Namespace, err: TextIO) -> Scope:
    every = args.market == "all"
    market = Market.SPOT if every else Market(args.market)
    if args.contract and not every and not market.is_futures:
        raise ConfigError("--contract is for a futures market: add --market futures-usdt or futures-btc.")
    if args.pair and not every and market.is_futures:
        raise ConfigError("--pair is for spot: a futures market takes --contract.")
    prefix = args.text_prefix
    if prefix is not None and not prefix.strip():  # "$BOT" left empty must not guard every bot's orders
        raise ConfigError("--text-prefix is empty: give the start of the orders' text (e.g. t-bot1-), or leave "
                          "the option out to guard every order in the scope.")
    if prefix is not None and prefix != prefix.strip():
        raise ConfigError(f"--text-prefix '{prefix}' starts or ends with a space: an order's text never does.")
    instrument = args.pair or args.contract
    if instrument and not every:
        instrument = check_instrument(client, instrument, market, notice=notice_to(err))
    elif instrument:
        instrument = instrument.strip().upper()
    return Scope(instrument or None, args.side, False, market, text_prefix=prefix or "", all_markets=every)


class Printer:
    """One line (or JSON object) per order the guard acted on; the guard's state and notes on stderr."""

    def __init__(self, as_json: bool, out: TextIO, err: TextIO) -> None:
        self.as_json, self.out, self.err = as_json, out, err
        self.lock = threading.Lock()
        self.done = threading.Event()
        self.outcomes: list[CancelOutcome] = []
        self._note = ""
        self._state: GuardState | None = None

    def on_outcome(self, outcome: CancelOutcome) -> None:
        with self.lock:
            self.outcomes.append(outcome)
            if self.as_json:
                ref = outcome.ref
                line = json.dumps({"id": ref.id, "market": ref.market.value, ref.market.instrument_word: ref.instrument,
                                   "state": outcome.state.value, "succeeded": outcome.succeeded,
                                   "label": outcome.label, "message": outcome.message})
            else:
                detail = f"{outcome.label} {outcome.message}".strip()
                line = (f"{outcome.ref.market.value:<13} {outcome.ref.instrument:<12} {outcome.ref.id:>20}  "
                        f"{outcome.state.value:<10} {detail}").rstrip()
            print(line, file=self.out, flush=True)

    def on_status(self, status: GuardStatus) -> None:
        with self.lock:
            if status.state is not self._state:
                self._state = status.state
                if status.state is GuardState.ARMED:
                    left = max(0.0, status.ends_at - time.time())
                    print(f"gatecancel: guard ARMED for {status.scope.where()} for {left:.0f} s more: every new order "
                          "there is cancelled as it appears (Ctrl+C ends it).", file=self.err, flush=True)
                elif status.state is GuardState.STOPPED:
                    self.done.set()
            if status.note != self._note:
                self._note = status.note
                if status.note:
                    print(f"gatecancel: guard: {status.note}", file=self.err, flush=True)


def run_guard(client: GateClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    scope = guard_scope(client, args, err)
    environment = asked_environment(client).value.upper()
    question = f"Guard {scope.where()} on {environment} for {args.seconds:g} s, cancelling every order there"
    if not args.yes:
        if not can_ask():
            refuse_unasked(f"{question}?")
        count = plural(len(guard_holds(client, scope)), "open order")
        if not confirm(f"{question}: {count} now, then each new one as it appears?", err):
            return declined(err)
    printer = Printer(args.json, out, err)
    guard = Guard(client, scope, args.seconds, journal=Journal(), on_outcome=printer.on_outcome,
                  on_status=printer.on_status, stream_settings=stream_settings(args, GUARD_POLL_INTERVAL_S))
    signalled = threading.Event()
    with ending_on_signals(signalled), on_console_close(signalled.set):  # the console closing (Windows) too
        guard.start()
        try:
            wait_until(printer.done, signalled)  # in short waits: the handler runs between two
        finally:
            guard.stop("Ended on request (Ctrl+C or SIGTERM)." if signalled.is_set() else "Ended.")
            guard.join(JOIN_S)
    status = guard.status
    print(f"gatecancel: guard for {scope.where()} ended: {status.reason} It acted on "
          f"{plural(status.acted_on, 'order')}: {status.cancelled} cancelled, {status.filled_first} filled (or "
          f"closed) before the cancel reached them, {status.failed} not ended as reported.", file=err, flush=True)
    ended_well = signalled.is_set() or status.reason.startswith(TIME_UP)
    return EXIT_OK if ended_well and status.failed == 0 else EXIT_NOT_ALL_ENDED
