"""`gatecancel journal`: every cancel request sent and what came back."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from gatecancel_gui.cli.args import Commands
from gatecancel_gui.core.errors import ConfigError
from gatecancel_gui.core.journal import Journal, journal_rows

EXIT_OK = 0


def add_commands(sub: Commands) -> None:
    journal = sub.add_parser("journal", help="show the cancel journal (every cancel request and its answer)")
    journal.add_argument("--json", action="store_true")
    journal.add_argument("--filter", default="", help="only lines containing this text (an id, a pair, a label)")


def run_journal(args: argparse.Namespace, out: TextIO) -> int:
    journal = Journal()
    try:
        lines = journal.read()
    except ValueError:  # a line cut short (a crash mid-write) or edited by hand
        raise ConfigError(f"The journal {journal.path} has a damaged line: open it in an editor to read it.") from None
    except OSError as exc:
        raise ConfigError(f"The journal {journal.path} could not be read: {exc.strerror or exc}.") from None
    records = [r for r in lines if args.filter.lower() in json.dumps(r).lower()]
    if args.json:
        json.dump(records, out, indent=1)
        out.write("\n")
        return EXIT_OK
    for row in journal_rows(records):
        out.write("  ".join(cell for cell in row if cell) + "\n")
    out.write(f"{len(records)} journal lines in {journal.path}\n")
    return EXIT_OK
