"""`gatecancel journal`: every cancel request sent and what came back."""

from __future__ import annotations

import argparse
import json
from typing import TextIO

from gatecancel_gui.cli.args import Commands
from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.store.journal import Journal, journal_rows

EXIT_OK = 0


def add_commands(sub: Commands) -> None:
    journal = sub.add_parser("journal", help="show the cancel journal (every cancel request and its answer)")
    journal.add_argument("--json", action="store_true")
    journal.add_argument("--filter", default="", help="only lines containing this text (an id, a pair, a label)")


def run_journal(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    journal = Journal()
    try:
        contents = journal.contents()
    except OSError as exc:
        raise ConfigError(f"The journal {journal.path} could not be read: {exc.strerror or exc}.") from None
    if contents.damaged:  # a line cut short by a crash, or edited by hand: the rest is still worth reading
        n = contents.damaged
        print(f"gatecancel: {n} damaged line{'s' if n != 1 else ''} of {journal.path} {'were' if n != 1 else 'was'} "
              "skipped (cut short or not a journal record).", file=err)
    wanted = [args.filter.lower() in json.dumps(r).lower() for r in contents.records]
    records = [r for r, keep in zip(contents.records, wanted, strict=True) if keep]
    if args.json:
        json.dump(records, out, indent=1)
        out.write("\n")
        return EXIT_OK
    rows = journal_rows(contents.records)  # all of them: an answer line's environment is its request's
    for row in (row for row, keep in zip(rows, wanted, strict=True) if keep):
        out.write("  ".join(cell for cell in row if cell) + "\n")
    out.write(f"{len(records)} journal line{'s' if len(records) != 1 else ''} in {journal.path}\n")
    return EXIT_OK
