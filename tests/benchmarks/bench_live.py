"""On-demand benchmark of a burst of live order events in the window (not a test: it asserts nothing).

    .venv/bin/python -m tests.benchmarks.bench_live [--runs 3] [--burst 300]

The window loads 10,000 orders (100 pairs) from the paper exchange run as its own process, with the
stream off; then a thread plays the stream's part: it hands `--burst` new orders to the window's live feed
as the stream's listener does (each row prepared on that thread, put into the bridge's burst), all at once.
A 5 ms heartbeat on the GUI thread measures the longest stall until every row is in the table, for
several slice sizes (live_feed.SLICE: the orders applied per turn of the event loop), the whole burst in
one go among them. Then the same for a burst of updates (new numbers for existing rows) and of finishes.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import threading
import time
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from PySide6.QtWidgets import QApplication

import gatecancel_gui.ui.live_feed as live_feed
from gatecancel_gui.core.app.session import Session
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.net.transport import NetworkSettings
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.core.stream.events import EventKind, OrderEvent
from gatecancel_gui.ui.dialogs import always_yes
from gatecancel_gui.ui.live_events import LiveItem
from gatecancel_gui.ui.main_window import MainWindow
from gatecancel_gui.ui.order_rows import prepare_rows
from tests.benchmarks.bench_stream import spin, spin_until
from tests.benchmarks.bench_window import Heartbeat, paper_process

SLICES = (25, 50, 100, 200, 100_000)  # the last: the whole burst in one go


def burst(win: MainWindow, events: list[OrderEvent], done, slice_size: int) -> float:
    """The longest GUI stall (ms) while `events` go from a thread through the bridge into the table."""
    live = win.feed.live
    live_feed.SLICE = slice_size
    live._gen += 1  # a stream of the bench's own: deliveries carry this generation
    gen = live._gen
    sink = live.jobs.bridge.burst(lambda items: live._deliver(gen, items))
    prices = win.open_pane.model.prices

    def play() -> None:  # the stream's thread: rows prepared here, one put per event, as on_events does
        for event in events:
            sink.put(LiveItem(event, prepare_rows([event.order], prices=prices)))

    beat = Heartbeat()
    beat.start()
    thread = threading.Thread(target=play)
    thread.start()
    spin_until(done, 60)
    thread.join()
    spin(0.05)
    return beat.stop() * 1000


def one_run(app: QApplication, size: int) -> dict[str, float]:
    with paper_process(0) as ex:
        client = GateClient(ex["url"], Credentials(ex["key"], ex["secret"]),
                            network=NetworkSettings(ca_file=ex.get("ca_file") or None))
        win = MainWindow(Session("bench", client), confirm=always_yes, journal=Journal(Path(tempfile.mkdtemp()) / "j"),
                         live=False)
        win.show()
        loaded: list[bool] = []
        win.loadFinished.connect(lambda *_: loaded.append(True))
        win.refresh()
        spin_until(lambda: loaded, 120)
        model, live = win.open_pane.model, win.feed.live
        base = model.orders()
        figures: dict[str, float] = {"rows": float(model.rowCount())}
        next_id = 9_200_000_000_000_000
        for slice_size in SLICES:
            rows_before = model.rowCount()
            puts = [OrderEvent(EventKind.PUT, replace(base[i % len(base)], id=str(next_id + i),
                                                      create_time_ms=int(time.time() * 1000) + i)) for i in range(size)]
            next_id += size
            figures[f"put_{slice_size}_ms"] = burst(win, puts, lambda n=rows_before: model.rowCount() >= n + size,
                                                    slice_size)
            updates = [OrderEvent(EventKind.UPDATE, replace(e.order, left=e.order.left / 2), version=1) for e in puts]
            first = updates[0].order.key
            figures[f"update_{slice_size}_ms"] = burst(
                win, updates, lambda k=first, u=updates[0]: model.order_at(model.row_of(k)).left == u.order.left
                and not live._pending, slice_size)
            finishes = [OrderEvent(EventKind.FINISH, replace(e.order, left=Decimal(0), status="finished"),
                                   finish_as="filled", version=2) for e in puts]
            figures[f"finish_{slice_size}_ms"] = burst(
                win, finishes, lambda p=puts: all(model.is_settled(e.order.key) for e in p[-5:]) and not live._pending,
                slice_size)
        win.jobs.wait_all(10_000)
        win.close()
        client.close()
        return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--burst", type=int, default=300)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    runs = [one_run(app, args.burst) for _ in range(args.runs)]
    print(f"longest GUI stall (ms, median of {args.runs} runs) for a burst of {args.burst} events "
          f"at {runs[0]['rows']:.0f} rows, by orders applied per turn of the event loop:")
    print(f"{'slice':>8} {'puts':>8} {'updates':>8} {'finishes':>8}")
    for slice_size in SLICES:
        name = "all" if slice_size >= args.burst else str(slice_size)
        print(f"{name:>8} " + " ".join(f"{statistics.median(r[f'{kind}_{slice_size}_ms'] for r in runs):8.1f}"
                                       for kind in ("put", "update", "finish")))


if __name__ == "__main__":
    main()
