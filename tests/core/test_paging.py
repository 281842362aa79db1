"""The one paging loop (core/gate/paging.py): table-driven against a scripted page source (no network), and
once over real HTTP against the paper exchange, counting the requests that reach it."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import pytest

from gatecancel_gui.core.domain.errors import Stopped
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.gate.futures_orders import load_futures_orders
from gatecancel_gui.core.gate.paging import By, Paging, read_pages
from gatecancel_gui.core.gate.spot_orders import load_open_orders, load_pair_orders
from gatecancel_gui.core.gate.stop_orders import load_spot_stop_orders
from gatecancel_gui.paper import PaperExchange
from tests.conftest import client_for

FULL = 10  # the page size of the scripted cases


@dataclass
class Script:
    """Pages as lists of ids (a page past the script is empty). Every request is logged with the number of
    waves read when it was asked for (the progress calls so far), so the log shows which pages went
    together. With `ahead_to`, reading a page waits until the next one (up to that page) has been sent, so a
    page asked for ahead is logged before the page before it has been read, however late its thread starts."""

    pages: list[list[str]]
    log: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    waves_read: int = 0
    ahead_to: int = 0
    sent: dict[int, threading.Event] = field(default_factory=dict)
    lock: threading.RLock = field(default_factory=threading.RLock)

    def fetch(self, path: str, params: list[tuple[str, str]]) -> object:
        query = dict(params)
        index = int(query["page"]) - 1 if "page" in query else int(query["offset"]) // int(query["limit"])
        with self.lock:
            self.log.append((self.waves_read, query))
            self.page_sent(index + 1).set()
        page = self.pages[index] if index < len(self.pages) else []
        return [{"id": i} for i in page] + ["not a row", {"no": "id"}]

    def page_sent(self, number: int) -> threading.Event:
        with self.lock:
            return self.sent.setdefault(number, threading.Event())

    def progress(self, pages: int, items: int) -> None:
        if pages < self.ahead_to:
            assert self.page_sent(pages + 1).wait(5), f"page {pages + 1} was not asked for ahead"
        self.waves_read += 1

    def waves(self, by: By) -> list[list[int]]:
        """The page numbers (1 for the first) asked for, grouped by the wave they were asked in."""
        grouped: dict[int, list[int]] = {}
        for wave, query in self.log:
            number = int(query["page"]) if by is By.PAGE else int(query["offset"]) // FULL + 1
            grouped.setdefault(wave, []).append(number)
        return [sorted(pages) for _, pages in sorted(grouped.items())]


def ids(start: int, count: int) -> list[str]:
    return [str(n) for n in range(start, start + count)]


def full_pages(count: int) -> list[list[str]]:
    return [ids(n * FULL, FULL) for n in range(count)]


def paging(**kwargs: object) -> Paging[str]:
    base: dict[str, object] = {"path": "/list", "parse": lambda row: [str(row["id"])], "key": lambda item: item,
                               "limit": FULL}
    return Paging[str](**{**base, **kwargs})  # type: ignore[arg-type]


# name, paging, pages, the page numbers asked for in each wave (the progress calls before), items found
CASES = [
    ("one short page ends the list", {}, [ids(0, 3)], [[1]], 3),
    ("an empty first page", {}, [], [[1]], 0),
    ("pages until a short one", {}, [*full_pages(2), ids(20, 4)], [[1], [2], [3]], 24),
    ("a full last page costs one empty read", {}, full_pages(2), [[1], [2], [3]], 20),
    ("rows that shift between pages are kept once", {},
     [ids(0, 10), ids(9, 10), ids(18, 5)], [[1], [2], [3]], 23),
    ("the page guard stops an endless list", {"max_pages": 3}, full_pages(50), [[1], [2], [3]], 30),
    ("offsets, one page at a time", {"by": By.OFFSET}, [*full_pages(1), ids(10, 1)], [[1], [2]], 11),
    ("waves of 4 then 8 while every page is full", {"by": By.OFFSET, "waves": (4, 8)},
     [*full_pages(7), ids(70, 5)], [[1, 2, 3, 4], [5, 6, 7, 8, 9, 10, 11, 12]], 75),
    ("a wave of 8 repeats", {"by": By.OFFSET, "waves": (4, 8)},
     [*full_pages(12), ids(120, 1)], [[1, 2, 3, 4], list(range(5, 13)), list(range(13, 21))], 121),
    ("a short page inside a wave ends the list after the wave", {"waves": (4, 8)},
     [ids(0, 10), ids(10, 2), ids(20, 10), ids(30, 10), ids(40, 10)], [[1, 2, 3, 4]], 32),
    ("a wave starts below the guard and is not cut by it", {"by": By.OFFSET, "waves": (4, 8), "max_pages": 6},
     full_pages(50), [[1, 2, 3, 4], list(range(5, 13))], 120),
    ("one page ahead: the next is always on its way", {"ahead": True},
     [*full_pages(3), ids(30, 2)], [[1, 2], [3], [4], [5]], 32),
    ("one page ahead, one page", {"ahead": True}, [ids(0, 2)], [[1, 2]], 2),
    ("one page ahead under the guard asks nothing past it", {"ahead": True, "max_pages": 3},
     full_pages(50), [[1, 2], [3]], 30),
    ("the list may say it ends before a short page", {"goes_on": lambda rows: rows[0]["id"] != "10"},
     full_pages(5), [[1], [2]], 20),
    ("enough once every wanted item is found", {"wanted": 15}, full_pages(5), [[1], [2]], 20),
]


@pytest.mark.parametrize(("spec", "pages", "waves", "found"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_loop_asks_for_these_pages(spec, pages, waves, found):
    how = paging(**spec)
    script = Script(pages, ahead_to=max(waves[-1]) if how.ahead else 0)
    items = read_pages(how, script.fetch, progress=script.progress)
    assert len(items) == found and list(items) == sorted(items, key=int) and set(items) == set(items.values())
    assert script.waves(how.by) == waves


def test_the_query_keeps_each_endpoints_order():
    spot = paging(before=[("currency_pair", "BTC_USDT"), ("status", "open")], after=[("account", "unified")])
    assert spot.query(2) == [("currency_pair", "BTC_USDT"), ("status", "open"), ("page", "3"), ("limit", "10"),
                             ("account", "unified")]
    futures = paging(by=By.OFFSET, before=[("status", "open"), ("contract", "BTC_USDT")])
    assert futures.query(2) == [("status", "open"), ("contract", "BTC_USDT"), ("limit", "10"), ("offset", "20")]


def test_the_later_copy_of_a_row_wins_in_the_place_of_the_first():
    pages = [[{"id": "a", "v": 1}, *({"id": f"x{n}", "v": 0} for n in range(9))], [{"id": "a", "v": 2}]]
    how = Paging[dict](path="/list", parse=lambda row: [row], key=lambda row: str(row["id"]), limit=FULL)
    items = read_pages(how, lambda path, params: pages[int(dict(params)["page"]) - 1])
    assert next(iter(items)) == "a" and items["a"]["v"] == 2 and len(items) == 10


@pytest.mark.parametrize("spec", [{}, {"waves": (4, 8)}, {"ahead": True}], ids=["one by one", "waves", "ahead"])
def test_stop_before_the_first_page_asks_nothing(spec):
    script, stop = Script(full_pages(50)), threading.Event()
    stop.set()
    with pytest.raises(Stopped):
        read_pages(paging(**spec), script.fetch, stop=stop)
    assert script.log == []


@pytest.mark.parametrize(("spec", "asked"), [({}, 1), ({"waves": (4, 8)}, 4), ({"ahead": True}, 2)],
                         ids=["one by one", "waves", "ahead"])
def test_stop_between_waves_raises_and_asks_no_further(spec, asked):
    script, stop = Script(full_pages(50)), threading.Event()
    with pytest.raises(Stopped):
        read_pages(paging(**spec), script.fetch, stop=stop, progress=lambda pages, items: stop.set())
    assert len(script.log) == asked  # nothing partial is returned, and nothing more is asked for


def test_a_failed_page_raises_after_the_rest_of_its_wave():
    done: list[int] = []

    def fetch(path, params):
        offset = int(dict(params)["offset"])
        if offset == 0:
            raise RuntimeError("refused")
        threading.Event().wait(0.05)
        done.append(offset)
        return [{"id": f"{offset}-{n}"} for n in range(FULL)]

    with pytest.raises(RuntimeError):
        read_pages(paging(by=By.OFFSET, waves=(4, 8)), fetch)
    assert sorted(done) == [10, 20, 30]  # the wave's other pages were waited for, as before


# Over real HTTP: the paper exchange counts what reaches it.

def reads_of(ex: PaperExchange, endpoint: str) -> int:
    return sum(1 for method, seen, _ in ex.requests if method == "GET" and seen == endpoint)


def test_loading_orders_across_pages_costs_the_expected_requests():
    with PaperExchange(orders=700, pairs=12, heavy_pairs=2, price_orders=250, futures_orders=1000) as ex, \
            client_for(ex) as c:
        heavy = max(ex.book.open_pairs(), key=lambda p: len(ex.book.open_orders(p)))
        in_heavy = len(ex.book.open_orders(heavy))
        assert in_heavy > 200
        assert len(load_pair_orders(c, heavy)) == in_heavy
        assert reads_of(ex, "/spot/orders") == in_heavy // 100 + 1  # pages until a short one, one at a time

        assert len(load_spot_stop_orders(c)) == len(ex.price_orders.open()) == 250
        assert reads_of(ex, "/spot/price_orders") == 3  # 100, 100, 50

        usdt = load_futures_orders(c, Market.FUTURES_USDT)
        assert len(usdt) == len(ex.futures.open_orders("usdt")) == 750
        assert reads_of(ex, "/futures/usdt/orders") == 4 + 8  # a wave of 4 full pages, then one of 8

        assert len(load_open_orders(c)) == len(ex.book.open_orders())
        needed = in_heavy // 100 + 1  # the heaviest pair's pages, the last short
        assert needed <= reads_of(ex, "/spot/open_orders") <= needed + 1  # plus the page asked for ahead
