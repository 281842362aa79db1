"""The `gatecancel` command line: list and cancel open orders, the risk tools, the journal and the paper
exchange. Thin over the core: every decision about what was cancelled is the core's.

One module per command group: orders.py (orders, cancel), risk.py (cancel-all, stop orders, dead-man
switch), journal.py, paper.py; args.py reads the command line (one sentence, exit 2, for bad input),
output.py prints (and survives a reader that leaves), run.py makes Ctrl+C a Stop."""

from __future__ import annotations

import argparse
import contextlib
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TextIO

from gatecancel_gui import __version__
from gatecancel_gui.cli import guard, journal, orders, paper, risk
from gatecancel_gui.cli.args import Parser, number, ws_url
from gatecancel_gui.cli.output import reader_safe, write_failure
from gatecancel_gui.core.app.session import profile_network
from gatecancel_gui.core.domain.environments import LIVE_URL
from gatecancel_gui.core.domain.errors import ConfigError, GateError, Stopped
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.net.transport import network_settings
from gatecancel_gui.core.store import credentials
from gatecancel_gui.core.store.journal import JOURNAL_NAME
from gatecancel_gui.core.store.logs import command_line_logging
from gatecancel_gui.core.store.paths import data_dir
from gatecancel_gui.core.store.profiles import ProfileStore

EXIT_OK, EXIT_NOT_ALL_CANCELLED, EXIT_ERROR, EXIT_INTERRUPTED = 0, 1, 2, 130
MIN_TIMEOUT_S, MAX_TIMEOUT_S = 0.5, 120.0


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="gatecancel", description="List and cancel open Gate orders: spot and perpetual futures.")
    parser.add_argument("--version", action="version", version=f"gatecancel {__version__}")
    parser.add_argument("--self-test", action=SelfTestAction,
                        help="check this installation end to end, as gatecancel-gui --self-test does (it opens the "
                        "window against an in-process paper exchange); exit 0 if sound")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    common = Parser(add_help=False)
    common.add_argument("--base-url", help=f"exchange API base URL (default: the profile's, else {LIVE_URL})")
    common.add_argument("--profile", help="read the key and secret of this profile from the OS keyring "
                        "(default: GATE_API_KEY / GATE_API_SECRET)")
    common.add_argument("--account", choices=("spot", "unified"), help="account type of the key")
    common.add_argument("--timeout", type=number(MIN_TIMEOUT_S, MAX_TIMEOUT_S, "seconds"), default=5.0,
                        help=f"seconds to wait for each answer ({MIN_TIMEOUT_S:g} to {MAX_TIMEOUT_S:g})")
    common.add_argument("--json", action="store_true", help="print JSON instead of a table")
    common.add_argument("--proxy", metavar="URL", help="an HTTP or SOCKS5 proxy: http://host:port or "
                        "socks5://host:port (default: the profile's, else the system's: HTTPS_PROXY / ALL_PROXY, or "
                        "the Windows/macOS proxy settings; never for this computer)")
    common.add_argument("--ca-file", metavar="PEM", help="also trust this certificate authority (a custom URL, a "
                        "TLS-inspecting company proxy); the OS trust store is always used")
    common.add_argument("--ws-url", metavar="URL", type=ws_url, help="the WebSocket address of the live stream "
                        "(orders --follow, --watch; default: the profile's, else derived from the base URL)")

    orders.add_commands(sub, common)
    risk.add_commands(sub, common)
    guard.add_commands(sub, common)
    journal.add_commands(sub)
    paper.add_commands(sub)
    return parser


class SelfTestWanted(Exception):
    """`--self-test` was given: the command line ends, and the window's self-test takes over."""


class SelfTestAction(argparse.Action):
    """`--self-test` ends reading the command line, as --version does (no COMMAND is needed with it)."""

    def __init__(self, option_strings: Sequence[str], dest: str, help: str | None = None) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS, help=help)

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: object,
                 option_string: str | None = None) -> None:
        raise SelfTestWanted


def self_test(out: TextIO, err: TextIO) -> int:
    """The same self-test as `gatecancel-gui --self-test`, its line on `out`: the console program runs it,
    so the result reaches a terminal or CI on Windows too (a windowed program has no stdout there). Qt is
    loaded here only: no other command needs it."""
    from gatecancel_gui.gui import main as window_main

    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        return window_main(["--self-test"])


def one_line_each(err: TextIO) -> Callable[[str], None]:
    """Print each notice once: reads that run side by side (a look-ahead page, several markets) meet the
    same trouble at the same moment and would say so each, and from several threads at once."""
    lock = threading.Lock()
    last = [""]

    def say(text: str) -> None:
        with lock:
            if text == last[0]:
                return
            last[0] = text
            print(f"gatecancel: {text}", file=err, flush=True)

    return say


def main(argv: Sequence[str] | None = None, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run one command; the exit status is 0 done, 1 not everything cancelled (or a question declined),
    2 bad input or output that could not be written, 130 interrupted. A reader that leaves (`| head`)
    changes neither the work nor the status. Every message goes to `out` and `err` (argparse's too), so a
    test runs a command in its own process."""
    out = reader_safe(out if out is not None else sys.stdout)
    err = reader_safe(err if err is not None else sys.stderr)
    try:
        return run_line(argv, out, err)
    except SelfTestWanted:
        return self_test(out, err)


def run_line(argv: Sequence[str] | None, out: TextIO, err: TextIO) -> int:
    # the log file, and one-line warnings on stderr (never a traceback)
    with command_line_logging(err):
        try:
            try:
                with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):  # --help, --version
                    args = build_parser().parse_args(argv)
            except SystemExit as exc:
                return exc.code if isinstance(exc.code, int) else EXIT_ERROR
            code = run_command(args, out, err)
            out.flush()
            failure = write_failure(out)
            if failure:
                print(f"gatecancel: The output could not be written ({failure}){after_unwritten(args)}.",
                      file=err)
                return EXIT_ERROR
            return code
        finally:
            out.flush()
            err.flush()


def after_unwritten(args: argparse.Namespace) -> str:
    """What a user whose output was lost can still read: a cancel's outcome is in the journal."""
    if args.command in ("cancel", "cancel-all", "cancel-stop", "guard"):
        return f"; what was sent and its outcome are in the journal, {data_dir() / JOURNAL_NAME} (gatecancel journal)"
    return ""


def run_command(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    try:
        if args.command == "paper":
            return paper.run_paper(args, out)
        if args.command == "journal":
            return journal.run_journal(args, out, err)
        with make_client(args) as client:
            client.add_listener(one_line_each(err))
            if args.command == "orders":
                return orders.run_orders(client, args, out, err)
            if args.command == "cancel":
                return orders.run_cancel(client, args, out, err)
            if args.command == "guard":
                return guard.run_guard(client, args, out, err)
            return risk.run_risk_command(client, args, out, err)
    except (ConfigError, GateError) as exc:
        print(f"gatecancel: {exc}", file=err)
        return EXIT_ERROR
    except (KeyboardInterrupt, Stopped):
        print("gatecancel: interrupted", file=err)
        return EXIT_INTERRUPTED


def make_client(args: argparse.Namespace) -> GateClient:
    """A client for the profile's (or the environment's) key. A profile is looked up before the keyring:
    a mistyped name must say so, not send the user off to unlock a keyring."""
    base_url = args.base_url
    if base_url is not None and not base_url.strip():  # an empty value must never mean live Gate
        raise ConfigError(f"--base-url is empty: give the exchange's address, or leave the option out for live Gate "
                          f"({LIVE_URL}).")
    account = args.account
    creds = None
    network = network_settings(ca_file=args.ca_file or "", proxy=args.proxy or "")
    if args.profile:
        store = ProfileStore()
        profile = store.get(args.profile)
        if profile is None:
            saved = ", ".join(p.name for p in store.all())
            raise ConfigError(f"There is no profile named '{args.profile}'" + (f" (saved: {saved})." if saved else "."))
        base_url = base_url or profile.base_url
        account = account or profile.account
        ca_file = args.ca_file or profile.ca_file  # an option given replaces the profile's own, the rest stays
        network = (network_settings(ca_file=ca_file, proxy=args.proxy) if args.proxy
                   else profile_network(replace(profile, ca_file=ca_file)))  # its proxy, login from the keyring
        creds = credentials.load(args.profile)
        if creds is None:
            raise ConfigError(f"No key is stored in the OS keyring for profile '{args.profile}'.")
    else:
        creds = credentials.from_environment()
    if creds is None:
        raise ConfigError("No credentials: use --profile NAME, or set GATE_API_KEY and GATE_API_SECRET.")
    return GateClient(base_url or LIVE_URL, creds, timeout_s=args.timeout,
                      account="unified" if account == "unified" else None, network=network)


if __name__ == "__main__":
    sys.exit(main())
