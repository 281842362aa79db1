"""On-demand benchmark of the window's worker path (not a test: it asserts nothing).

    .venv/bin/python -m tests.benchmarks.bench_window [--runs 3] [--tls --rtt-ms 150]

Loads 10,000 orders (100 pairs) into the window and cancels 1,000 through the window's own worker,
against the paper exchange run as its own process with 50 ms injected latency per request. A 5 ms
heartbeat timer on the GUI thread measures the longest stall during load and during cancel. Then sorts
and filters the 10,000 rows.

Then, at 10,000 rows, the GUI thread's cost of single-row events (what a stream of order events and a
cancel's single outcomes cost): one result (set_results + flush), one new order inserted, one removed, one
changed, and a refresh that differs by one new and one gone order; each timed from the model call through
the painting copy's work to a synchronous repaint of the view's viewport (the paint the event loop would
do next), median of REPEATS per run, against the old way, a full reset of the model with the same rows
(set_orders forced down its reset path), in the same run. A new or changed order arrives with its row's
text prepared off the GUI thread (prepare_rows, as the load and the stream do), so only the table's work is
timed.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication

from gatecancel_gui.core.app.session import Session
from gatecancel_gui.core.cancel.run import CancelSettings
from gatecancel_gui.core.domain.outcomes import CancelOutcome, OutcomeState
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.net.transport import NetworkSettings
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.ui.dialogs import always_yes
from gatecancel_gui.ui.main_window import MainWindow
from gatecancel_gui.ui.order_rows import COLUMN, prepare_rows
from gatecancel_gui.ui.table_rows import RefreshPlan


class Heartbeat:
    """Ticks every 5 ms on the GUI thread; the longest gap between ticks is the longest stall."""

    def __init__(self) -> None:
        self.timer = QTimer()
        self.timer.setInterval(5)
        self.timer.timeout.connect(self._tick)
        self.last = 0.0
        self.longest = 0.0

    def _tick(self) -> None:
        now = time.perf_counter()
        self.longest = max(self.longest, now - self.last)
        self.last = now

    def start(self) -> None:
        self.longest = 0.0
        self.last = time.perf_counter()
        self.timer.start()

    def stop(self) -> float:
        self.timer.stop()
        return self.longest


def wait_for(signal) -> None:
    loop = QEventLoop()
    signal.connect(loop.quit)
    loop.exec()
    signal.disconnect(loop.quit)


NETWORK: list[str] = []  # extra `paper` options: the network shape (--tls --rtt-ms N)


@contextmanager
def paper_process(latency_ms: int):
    """The exchange in its own process, as a real one would be: its JSON work does not hold this GIL."""
    proc = subprocess.Popen([sys.executable, "-m", "gatecancel_gui.cli", "paper", "--orders", "10000",
                             "--pairs", "100", "--heavy-pairs", "0", "--fill-fraction", "0.02",
                             "--latency-ms", str(latency_ms), *NETWORK], stdout=subprocess.PIPE, text=True)
    try:
        yield json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()


REPEATS = 15  # of each single-row event per run


@contextmanager
def full_resets():
    """The old way: every change of the order set resets the model (set_orders' reset path)."""
    saved = RefreshPlan.worth_a_reset
    RefreshPlan.worth_a_reset = property(lambda self: True)  # type: ignore[method-assign,assignment]
    try:
        yield
    finally:
        RefreshPlan.worth_a_reset = saved  # type: ignore[method-assign]


def timed(action, view) -> tuple[float, float]:
    """ms on the GUI thread: the action (the model's and the painting copy's work), and that plus the
    view's viewport painted at once."""
    started = time.perf_counter()
    action()
    worked = time.perf_counter()
    view.viewport().repaint()
    return (worked - started) * 1000, (time.perf_counter() - started) * 1000


def row_events(win: MainWindow) -> dict[str, float]:
    """Single-row events at 10,000 rows, row by row and the old way (a reset), ms each (median of REPEATS)."""
    model, view = win.open_pane.model, win.open_pane.view
    model.clear_results()
    view.scrollToTop()
    base = model.orders()
    prices = {o.price_key: p for o in base if (p := model.market_price(o.price_key)) is not None}

    def rows(orders):  # prepared as the load worker does, off the timing
        return prepare_rows(orders, model.sort_spec, prices)

    lowest = min(o.price for o in base)
    new = [replace(base[0], id=str(9_100_000_000_000_000 + i), price=lowest - Decimal("0.000001"))
           for i in range(REPEATS)]  # each lands at the top row (the most rows below it move)
    changed = [replace(o, left=o.left / 2) for o in base[:REPEATS]]
    one = {o.key: rows([o]) for o in [*new, *changed]}  # each row prepared off the GUI thread (the stream)
    base_rows = rows(base)
    times: dict[str, list[float]] = {}

    def note(key, ms):
        times.setdefault(key + "_work", []).append(ms[0])
        times.setdefault(key, []).append(ms[1])

    for i in range(REPEATS):
        outcome = CancelOutcome(base[i].ref, OutcomeState.CANCELLED)
        note("result", timed(lambda o=outcome: (model.set_results([o]), model.flush_now()), view))
        note("insert", timed(lambda o=new[i]: model.upsert_order(one[o.key]), view))
        note("remove", timed(lambda o=new[i]: model.remove_order(o.key), view))
        note("change", timed(lambda o=changed[i]: model.upsert_order(one[o.key]), view))
    plus_minus = rows([*base[1:], new[0]])
    note("refresh", timed(lambda: model.set_orders(plus_minus), view))
    model.set_orders(base_rows)
    listings = {"insert": [rows([*base, o]) for o in new], "change": [rows([c, *base[1:]]) for c in changed]}
    with full_resets():
        for i in range(REPEATS):
            note("result_reset", timed(lambda: model.set_orders(base_rows), view))
            note("insert_reset", timed(lambda r=listings["insert"][i]: model.set_orders(r), view))
            note("remove_reset", timed(lambda: model.set_orders(base_rows), view))
            note("change_reset", timed(lambda r=listings["change"][i]: model.set_orders(r), view))
        note("refresh_reset", timed(lambda: model.set_orders(plus_minus), view))
        model.set_orders(base_rows)
    figures = {f"row_{key}_ms": statistics.median(values) for key, values in times.items()}
    return {**figures, "rows": float(model.rowCount())}


IN_FLIGHT = [CancelSettings().max_in_flight]  # requests the window's cancel keeps in flight (--in-flight)


def one_run(app: QApplication, latency_ms: int) -> dict[str, float]:
    with paper_process(latency_ms) as ex:
        client = GateClient(ex["url"], Credentials(ex["key"], ex["secret"]),
                            network=NetworkSettings(ca_file=ex.get("ca_file")))
        journal = Journal(Path(tempfile.mkdtemp()) / "journal.jsonl")
        settings = CancelSettings(max_in_flight=IN_FLIGHT[0])
        # without the live stream: its first listing (10,000 orders parsed on its thread right after the load)
        # would share the interpreter with the GUI thread during the figures below; bench_stream measures it
        win = MainWindow(Session("bench", client), confirm=always_yes, journal=journal, cancel_settings=settings,
                         live=False)
        win.show()
        beat = Heartbeat()
        figures: dict[str, float] = {}

        beat.start()
        started = time.perf_counter()
        win.refresh()
        wait_for(win.loadFinished)
        figures["load_s"] = time.perf_counter() - started
        figures["load_stall_ms"] = beat.stop() * 1000
        assert win.open_pane.model.rowCount() == 10_000

        started = time.perf_counter()
        win.open_pane.view.sortByColumn(COLUMN["price"], Qt.SortOrder.AscendingOrder)
        figures["sort_ms"] = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        win.open_pane.text_filter.setText("9007199254741")
        figures["filter_text_ms"] = (time.perf_counter() - started) * 1000
        win.open_pane.text_filter.setText("")
        started = time.perf_counter()
        win.open_pane.pair_filter.setCurrentIndex(5)
        figures["filter_pair_ms"] = (time.perf_counter() - started) * 1000
        win.open_pane.pair_filter.setCurrentIndex(0)

        ids = [o.id for o in win.open_pane.model.orders()[:1000]]
        win.open_pane.model.set_checked(ids, True)
        beat.start()
        started = time.perf_counter()
        win.cancel_checked()
        figures["cancel_click_ms"] = (time.perf_counter() - started) * 1000  # the click itself, on the GUI thread
        wait_for(win.cancelFinished)
        figures["cancel_s"] = time.perf_counter() - started
        figures["cancel_stall_ms"] = beat.stop() * 1000
        figures["cancelled"] = sum(1 for i in ids if win.open_pane.model.result_of(i).succeeded)
        figures.update(row_events(win))
        win.close()
        client.close()
        win.deleteLater()
        return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--latency-ms", type=int, default=50)
    parser.add_argument("--in-flight", type=int, default=CancelSettings().max_in_flight)
    parser.add_argument("--tls", action="store_true", help="the paper exchange over TLS (HTTP/2 offered)")
    parser.add_argument("--rtt-ms", type=int, default=0, help="with --tls: the network's round trip")
    args = parser.parse_args()
    IN_FLIGHT[0] = args.in_flight
    if args.tls:
        NETWORK[:] = ["--tls", "--rtt-ms", str(args.rtt_ms)]
    app = QApplication.instance() or QApplication([])
    runs = [one_run(app, args.latency_ms) for _ in range(args.runs)]
    shape = f" over TLS with a {args.rtt_ms} ms round trip," if args.tls else ""
    print(f"window worker path, paper exchange in its own process with {args.latency_ms} ms latency per request,{shape}"
          f" 10,000 orders / 100 pairs, cancel 1,000; median of {args.runs}:")
    for key, unit in (("load_s", "s to a filled table"), ("load_stall_ms", "ms longest GUI stall during load"),
                      ("cancel_s", "s to cancel 1,000"), ("cancel_click_ms", "ms the click to cancel (GUI thread)"),
                      ("cancel_stall_ms", "ms longest GUI stall during cancel"),
                      ("sort_ms", "ms to sort 10,000 rows by price"), ("filter_text_ms", "ms free-text filter"),
                      ("filter_pair_ms", "ms pair filter"), ("cancelled", "orders cancelled (green)")):
        values = [r[key] for r in runs]
        print(f"  {statistics.median(values):9.1f} {unit}   (runs: {', '.join(f'{v:.1f}' for v in values)})")
    print(f"single-row events at {runs[0]['rows']:,.0f} rows, GUI thread incl. a repaint of the viewport, ms, median of"
          f" {REPEATS} a run, median of {args.runs} runs: row by row vs the old way (a full reset):")
    for key, what in (("result", "one result (set_results + flush)"), ("insert", "one new order inserted"),
                      ("remove", "one order removed"), ("change", "one order changed"),
                      ("refresh", "a refresh: 1 new, 1 gone")):
        for part, label in (("_work", "model + copy"), ("", "+ repaint")):
            new = statistics.median(r[f"row_{key}{part}_ms"] for r in runs)
            old = statistics.median(r[f"row_{key}_reset{part}_ms"] for r in runs)
            each = ", ".join(f"{r[f'row_{key}{part}_ms']:.3f}" for r in runs)
            ratio = f"x{old / new:,.0f} faster" if new <= old else f"x{new / old:,.2f} slower"
            print(f"  {what:34} {label:12} {new:8.3f} vs {old:8.3f}   {ratio}   (runs: {each})")


if __name__ == "__main__":
    main()
