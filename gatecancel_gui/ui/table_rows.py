"""Row arithmetic for the orders table's row-by-row updates, in plain Python (no Qt): runs of rows, the
place a row takes in a sorted table, and a row index that stays right through inserts and removals
without re-numbering 10,000 rows each time.

Why: a live stream changes one order at a time; the table must insert, repaint or remove that one row,
not reset (and repaint) them all, and each step here must stay far below a millisecond at 10,000 rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import pairwise
from typing import Any, TypeVar

T = TypeVar("T")

# A row index entry may be this many rows off before the whole index is rebuilt: an insert or a removal
# moves the rows below it, and re-numbering 10,000 of them takes ~0.6 ms (bench_window), while finding a
# row within +/- DRIFT of its noted place takes a few microseconds (list.index, in C).
MAX_DRIFT = 128


def runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Rows as contiguous (first, last) runs, in ascending order."""
    out: list[tuple[int, int]] = []
    for row in sorted(rows):
        if out and row == out[-1][1] + 1:
            out[-1] = (out[-1][0], row)
        elif not out or row != out[-1][1]:
            out.append((row, row))
    return out


def sorted_place(items: Sequence[T], key: Callable[[T], Any], value: Any, descending: bool) -> int:
    """Where an item whose sort key is `value` goes among `items`, stably sorted by `key`: after the items
    that sort equal to it, as a stable sort of the table with it appended would put it. log2(rows) keys."""
    lo, hi = 0, len(items)
    while lo < hi:
        mid = (lo + hi) // 2
        here = key(items[mid])
        if (here < value) if descending else (value < here):
            hi = mid
        else:
            lo = mid + 1
    return lo


def in_place(items: Sequence[T], row: int, key: Callable[[T], Any], descending: bool) -> bool:
    """Whether the item at `row` still sorts between its neighbours (after its sort key may have changed)."""
    value = key(items[row])
    if row > 0:
        before = key(items[row - 1])
        if (before < value) if descending else (value < before):
            return False
    if row + 1 < len(items):
        after = key(items[row + 1])
        if (value < after) if descending else (after < value):
            return False
    return True


class RowIndex:
    """Each key's row in a list of keys that rows are inserted into and removed from.

    The noted row of a key may be up to `drift` rows off (the rows inserted or removed since the whole
    index was last built); a look-up checks the noted row and otherwise finds the key within that window,
    and notes the row found. The whole index is rebuilt once the drift passes MAX_DRIFT."""

    def __init__(self, keys: list[str]) -> None:
        self.keys = keys
        self._row: dict[str, int] = {}
        self._drift = 0
        self.rebuild()

    def rebuild(self) -> None:
        self._row = {key: row for row, key in enumerate(self.keys)}
        self._drift = 0

    def __contains__(self, key: str) -> bool:
        return key in self._row

    def __len__(self) -> int:
        return len(self._row)

    def get(self, key: str) -> int | None:
        row = self._row.get(key)
        if row is None:
            return None
        keys = self.keys
        if row < len(keys) and keys[row] == key:
            return row
        try:
            row = keys.index(key, max(0, row - self._drift), row + self._drift + 1)
        except ValueError:  # cannot happen while every change goes through insert/remove; be safe anyway
            self.rebuild()
            return self._row.get(key)
        self._row[key] = row
        return row

    def inserted(self, first: int, keys: Sequence[str]) -> None:
        """`keys` were inserted into the key list at `first`."""
        self._row.update(zip(keys, range(first, first + len(keys)), strict=True))
        self._moved(len(keys))

    def removed(self, keys: Iterable[str]) -> None:
        """`keys` were removed from the key list (one contiguous run)."""
        count = 0
        for key in keys:
            del self._row[key]
            count += 1
        self._moved(count)

    def _moved(self, rows: int) -> None:
        self._drift += rows
        if self._drift > MAX_DRIFT:
            self.rebuild()


# A refresh (or a removal) that changes more than this fraction of the rows, or the rows in more than
# MAX_RUNS separate places, resets the table instead of moving rows: each insert or removal run shifts
# every row below it (in the model, the painting copy and the view), so past a few dozen runs one reset
# is cheaper; and a table that changed that much (a profile switch, half the book cancelled elsewhere) is a
# new table to the trader anyway. A burst of results spread over more than MAX_RUNS runs repaints one span.
RESET_FRACTION = 0.25
MAX_RUNS = 64


class RefreshPlan:
    """How one listing of rows becomes the next: the old rows that go, the new rows that come, and the
    rows that stay (old row, new row). A row stays when its key is in both (a key names one order of one
    market, and a table holds one kind of order)."""

    def __init__(self, old_keys: Sequence[str], new_keys: Sequence[str]) -> None:
        old_at = dict(zip(old_keys, range(len(old_keys)), strict=True))
        self.staying: list[tuple[int, int]] = [
            (old_row, new_row) for new_row, key in enumerate(new_keys)
            if (old_row := old_at.get(key)) is not None]
        old_rows = [old for old, _ in self.staying]
        # set differences run in C: at 10,000 rows a Python loop over every row costs milliseconds
        self.removed = runs(set(range(len(old_keys))).difference(old_rows))
        self.inserted = runs(set(range(len(new_keys))).difference(new for _, new in self.staying))
        self.order_kept = all(a < b for a, b in pairwise(old_rows))
        self.changed_rows = len(old_keys) + len(new_keys) - 2 * len(self.staying)
        self._size = max(len(old_keys), len(new_keys))

    @property
    def worth_a_reset(self) -> bool:
        """Nothing stays (a first fill, a profile switch), or too much moves (see RESET_FRACTION; a small
        table moves up to MAX_RUNS rows one by one)."""
        return (not self.staying or self.changed_rows > max(MAX_RUNS, RESET_FRACTION * self._size)
                or len(self.removed) + len(self.inserted) > MAX_RUNS)
