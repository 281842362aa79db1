"""CSV export of an order table with its results (shared by the window and the command line)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write the rows; returns how many were written. Values are written as shown, ids as text.

    UTF-8 with a byte order mark: without one Excel (on Windows above all) reads the file in the system's
    code page and shows ✔ ✖ – … as mojibake; csv readers open it with encoding="utf-8-sig"."""
    count = 0
    with Path(path).open("w", newline="", encoding="utf-8-sig") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if value is None else str(value) for value in row])
            count += 1
    return count
