"""CSV export of an order table with its results (shared by the window and the command line)."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    """Write the rows; returns how many were written. Values are written as shown, ids as text."""
    count = 0
    with Path(path).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if value is None else str(value) for value in row])
            count += 1
    return count
