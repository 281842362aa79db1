"""On-demand benchmark of the window's worker path (not a test: it asserts nothing).

    .venv/bin/python -m tests.benchmarks.bench_window [--runs 3] [--tls --rtt-ms 150]

Loads 10,000 orders (100 pairs) into the window and cancels 1,000 through the window's own worker,
against the paper exchange run as its own process with 50 ms injected latency per request. A 5 ms
heartbeat timer on the GUI thread measures the longest stall during load and during cancel. Then sorts
and filters the 10,000 rows.
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
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication

from gatecancel_gui.core.app.session import Session
from gatecancel_gui.core.cancel.run import CancelSettings
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.net.transport import NetworkSettings
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.ui.dialogs import always_yes
from gatecancel_gui.ui.main_window import MainWindow
from gatecancel_gui.ui.orders_model import COLUMN


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


IN_FLIGHT = [CancelSettings().max_in_flight]  # requests the window's cancel keeps in flight (--in-flight)


def one_run(app: QApplication, latency_ms: int) -> dict[str, float]:
    with paper_process(latency_ms) as ex:
        client = GateClient(ex["url"], Credentials(ex["key"], ex["secret"]),
                            network=NetworkSettings(ca_file=ex.get("ca_file")))
        journal = Journal(Path(tempfile.mkdtemp()) / "journal.jsonl")
        settings = CancelSettings(max_in_flight=IN_FLIGHT[0])
        win = MainWindow(Session("bench", client), confirm=always_yes, journal=journal, cancel_settings=settings)
        win.show()
        beat = Heartbeat()
        figures: dict[str, float] = {}

        beat.start()
        started = time.perf_counter()
        win.refresh()
        wait_for(win.loadFinished)
        figures["load_s"] = time.perf_counter() - started
        figures["load_stall_ms"] = beat.stop() * 1000
        assert win.model.rowCount() == 10_000

        started = time.perf_counter()
        win.view.sortByColumn(COLUMN["price"], Qt.SortOrder.AscendingOrder)
        figures["sort_ms"] = (time.perf_counter() - started) * 1000
        started = time.perf_counter()
        win.text_filter.setText("9007199254741")
        figures["filter_text_ms"] = (time.perf_counter() - started) * 1000
        win.text_filter.setText("")
        started = time.perf_counter()
        win.pair_filter.setCurrentIndex(5)
        figures["filter_pair_ms"] = (time.perf_counter() - started) * 1000
        win.pair_filter.setCurrentIndex(0)

        ids = [o.id for o in win.model.orders()[:1000]]
        win.model.set_checked(ids, True)
        beat.start()
        started = time.perf_counter()
        win.cancel_checked()
        figures["cancel_click_ms"] = (time.perf_counter() - started) * 1000  # the click itself, on the GUI thread
        wait_for(win.cancelFinished)
        figures["cancel_s"] = time.perf_counter() - started
        figures["cancel_stall_ms"] = beat.stop() * 1000
        figures["cancelled"] = sum(1 for i in ids if win.model.result_of(i).succeeded)
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


if __name__ == "__main__":
    main()
