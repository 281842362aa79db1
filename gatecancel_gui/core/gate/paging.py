"""One paging loop for every list Gate hands out in pages (spot open orders, one pair's orders, finished
orders, futures orders, spot and futures stop orders). What differs between them is data, a `Paging`:
how a page is asked for (page number or offset), its size, the guard on the number of pages, how many
pages are asked for at once (waves) and whether the next wave is asked for while this one is read, what a
row is and how it is keyed. The loop itself is written once: it asks, reads, de-duplicates by key, reports
progress, stops at the first page that says the list ends, and honours Stop.

Over the network a load costs its round trips, so the schedule is the endpoint's to choose: one page at a
time (each waits for the one before), one page ahead (the next page is always on its way while this one
is read), or waves (4 pages at once, then 8, while every page comes back full)."""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from enum import Enum
from itertools import chain, repeat
from typing import Any, Generic, TypeVar

from gatecancel_gui.core.domain.errors import Stopped
from gatecancel_gui.core.gate.client import GateClient, Params

PAGE_LIMIT = 100
MAX_PAGES = 1000  # 100,000 orders in one list: far past any real account, a guard against a loop

Progress = Callable[[int, int], None]  # (pages read, items so far)
Row = dict[str, Any]  # one JSON object of a page: the JSON edge
Fetch = Callable[[str, Params], object]  # (path, query) -> the decoded JSON answer of one GET

T = TypeVar("T")


class By(Enum):
    """How a page is asked for."""

    PAGE = "page"  # page=1, 2, … then limit (spot)
    OFFSET = "offset"  # limit, then offset=0, limit, 2·limit, … (futures, stop orders)


def has_id(row: Row) -> bool:
    return "id" in row


@dataclass(frozen=True)
class Paging(Generic[T]):
    """How one list endpoint pages, and what its rows are.

    `parse` turns one row into the items it holds (an order; a spot pair's group into its orders; nothing,
    for a row the caller does not want); `key` is what items are de-duplicated by, since a page can shift
    while orders fill between two reads (the later copy wins, in the place of the first). `keep` says which
    rows of a page count (anything else is not Gate's data). `goes_on` says whether the list may go on past
    a page (default: the page is full); `wanted` ends the list once that many distinct items are found.

    `waves` are the numbers of pages asked for at once, in order, the last repeated: (1,) one page at a
    time, (4, 8) four, then eight. With `ahead`, the first two waves are asked for together, and each
    later one as soon as the wave before it has come back, so the next wave is on its way while one is
    read. A wave is asked for only while fewer than `max_pages` pages have been asked for (a wave is not
    cut short by the guard)."""

    path: str
    parse: Callable[[Row], Iterable[T]]
    key: Callable[[T], str]
    by: By = By.PAGE
    before: Sequence[tuple[str, str]] = ()  # the query before the paging parameters
    after: Sequence[tuple[str, str]] = ()  # and after them
    limit: int = PAGE_LIMIT
    max_pages: int = MAX_PAGES
    waves: tuple[int, ...] = (1,)
    ahead: bool = False
    keep: Callable[[Row], bool] = has_id
    goes_on: Callable[[list[Row]], bool] | None = None
    wanted: int | None = None

    def query(self, index: int) -> Params:
        """The query of the page at `index` (0 for the first), in the order the endpoint has always sent."""
        if self.by is By.PAGE:
            paging = [("page", str(index + 1)), ("limit", str(self.limit))]
        else:
            paging = [("limit", str(self.limit)), ("offset", str(index * self.limit))]
        return [*self.before, *paging, *self.after]

    def ends_at(self, rows: list[Row]) -> bool:
        return not (self.goes_on(rows) if self.goes_on is not None else len(rows) >= self.limit)


def gate_reads(client: GateClient, stop: threading.Event | None = None) -> Fetch:
    """The pages of a list, read from Gate (a GET: retried through a busy exchange; Stop wakes it)."""
    def fetch(path: str, params: Params) -> object:
        return client.request("GET", path, params=params, stop=stop).data
    return fetch


def read_pages(paging: Paging[T], fetch: Fetch, *, stop: threading.Event | None = None,
               progress: Progress | None = None) -> dict[str, T]:
    """Every item of the list, by key, in the order first seen.

    Stop is checked before each wave is asked for (reading ahead: as each wave comes back, before it is
    used; a read already on its way raises Stopped itself), and Stopped is raised: nothing partial is
    returned. `progress(pages read, items so far)` after each wave.
    A page asked for ahead and not needed is not waited for; the pages of a wave being read are."""
    def read(index: int) -> list[Row]:
        data = fetch(paging.path, paging.query(index))
        if not isinstance(data, list):
            return []
        return [row for row in data if isinstance(row, dict) and paging.keep(row)]

    seen: dict[str, T] = {}
    sizes = chain(paging.waves, repeat(paging.waves[-1]))
    together = paging.ahead or max(paging.waves) > 1
    pool = ThreadPoolExecutor(max_workers=max(paging.waves) * (2 if paging.ahead else 1),
                              thread_name_prefix="page") if together else None
    asked: deque[list[int]] = deque()  # waves asked for and not yet read: their pages' indexes
    futures: dict[int, Future[list[Row]]] = {}
    reading: list[int] = []
    next_index = 0

    def ask() -> None:
        nonlocal next_index
        if next_index >= paging.max_pages:
            return
        if stop is not None and stop.is_set():
            raise Stopped()
        wave = list(range(next_index, next_index + next(sizes)))
        next_index = wave[-1] + 1
        if pool is not None:
            futures.update((index, pool.submit(read, index)) for index in wave)
        asked.append(wave)

    def take() -> list[list[Row]] | None:
        """The next wave asked for, once all its pages are in (None when none was asked for)."""
        nonlocal reading
        if not asked:
            return None
        reading = asked.popleft()
        pages = [futures.pop(index).result() if pool is not None else read(index) for index in reading]
        reading = []
        return pages

    try:
        ask()
        if paging.ahead:
            ask()
        pages, pages_read = take(), 0
        while pages is not None:
            for rows in pages:
                for row in rows:
                    for item in paging.parse(row):
                        seen[paging.key(item)] = item
            pages_read += len(pages)
            if progress is not None:
                progress(pages_read, len(seen))
            if any(paging.ends_at(rows) for rows in pages) or (
                    paging.wanted is not None and len(seen) >= paging.wanted):
                break
            if paging.ahead:
                pages = take()  # it was on its way while the last one was read
                ask()  # and the one after it goes while this one is read
            else:
                ask()
                pages = take()
    finally:
        if pool is not None:
            wait([futures[index] for index in reading if index in futures])  # the rest of a failed wave
            pool.shutdown(wait=False, cancel_futures=True)  # a page asked for ahead and not needed
    return seen
