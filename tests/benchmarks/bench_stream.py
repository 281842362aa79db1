"""On-demand benchmark of the live stream (not a test: it asserts nothing).

    .venv/bin/python -m tests.benchmarks.bench_stream [--runs 3] [--rtt-ms 150] [--orders 25]

The paper exchange runs as its own process over TLS with the given round trip (every byte delayed by half
of it each way), with a bot placing orders. Two figures, each a median over runs:

1. **Placement to sight.** A bot places `--orders` orders at 4 a second; for each, the time from its
   placement on the exchange (its create_time_ms, stamped by the exchange's book) to its row in the
   window's table (the model's rowsInserted) and to its line on `gatecancel orders --follow --json` (read
   from the process's stdout as it arrives). Median and worst, in ms and in round trips. Baseline in the
   same run: one REST listing of the bot's pair on a warm connection (what a poll costs before its
   interval is even counted).
2. **GUI stall.** A bot places 100 orders a second into a 10,000-row table for 8 s; a 5 ms heartbeat on
   the GUI thread measures the longest stall meanwhile. Baseline in the same run: the same window for 4 s
   once the bot has stopped (nothing arriving).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication

from gatecancel_gui.core.app.session import Session
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.gate.spot_orders import load_pair_orders
from gatecancel_gui.core.net.transport import NetworkSettings
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.ui.dialogs import always_yes
from gatecancel_gui.ui.main_window import MainWindow
from tests.benchmarks.bench_window import Heartbeat

BOT_PAIR = "ETH_USDT"


@contextmanager
def paper_process(rtt_ms: float, orders: int, pairs: int, bot: str):
    proc = subprocess.Popen([sys.executable, "-m", "gatecancel_gui.cli", "paper", "--tls", "--rtt-ms", str(rtt_ms),
                             "--orders", str(orders), "--pairs", str(pairs), "--heavy-pairs", "0",
                             "--fill-fraction", "0", "--bot", bot], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        yield json.loads(proc.stdout.readline())
    finally:
        proc.terminate()
        proc.wait(10)
        if proc.stdout:
            proc.stdout.close()


def spin(seconds: float) -> None:
    """Run the GUI's event loop for this long (the benchmark's own waits; the window never waits)."""
    loop = QEventLoop()
    QTimer.singleShot(int(seconds * 1000), loop.quit)
    loop.exec()


def spin_until(done, limit_s: float) -> bool:
    ends = time.monotonic() + limit_s
    while not done() and time.monotonic() < ends:
        spin(0.02)
    return done()


def open_window(ex: dict[str, str]) -> tuple[MainWindow, GateClient]:
    client = GateClient(ex["url"], Credentials(ex["key"], ex["secret"]), network=NetworkSettings(ca_file=ex["ca_file"]))
    journal = Journal(Path(tempfile.mkdtemp()) / "journal.jsonl")
    win = MainWindow(Session("bench", client), confirm=always_yes, journal=journal)
    win.show()
    loaded = []
    win.loadFinished.connect(lambda *_: loaded.append(True))
    win.refresh()
    spin_until(lambda: loaded, 60)
    return win, client


class RowClock:
    """Placement-to-row latency of the bot's orders, read as their rows are inserted into the model."""

    def __init__(self, win: MainWindow) -> None:
        self.model = win.open_pane.model
        self.since_ms = float("inf")  # only orders placed after this count (the stream is live by then)
        self.latencies: list[float] = []
        self.rows_seen = 0
        self.model.rowsInserted.connect(self._inserted)

    def _inserted(self, _parent, first: int, last: int) -> None:
        now_ms = time.time() * 1000
        for row in range(first, last + 1):
            order = self.model.order_at(row)
            if order.text.startswith("t-bot"):
                self.rows_seen += 1
                if order.create_time_ms >= self.since_ms:
                    self.latencies.append(now_ms - order.create_time_ms)


class FollowClock:
    """`gatecancel orders --follow --json` as its own process; each put line's arrival time."""

    def __init__(self, ex: dict[str, str]) -> None:
        env = {**os.environ, "GATE_API_KEY": ex["key"], "GATE_API_SECRET": ex["secret"]}
        self.proc = subprocess.Popen([sys.executable, "-m", "gatecancel_gui.cli", "orders", "--base-url", ex["url"],
                                      "--ca-file", ex["ca_file"], "--follow", "--json"],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.since_ms = float("inf")
        self.latencies: list[float] = []
        self.lines = 0
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            now_ms = time.time() * 1000
            try:
                row = json.loads(line)
            except ValueError:
                continue  # the listing's header and rows come first, as text
            if not isinstance(row, dict) or "event" not in row:
                continue
            self.lines += 1
            if row["event"] == "put" and not row.get("listed") and str(row.get("text", "")).startswith("t-bot") \
                    and int(row["create_time_ms"]) >= self.since_ms:
                self.latencies.append(now_ms - int(row["create_time_ms"]))

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def latency_run(rtt_ms: float, wanted: int) -> dict[str, float]:
    rate = 4
    with paper_process(rtt_ms, 2000, 20, f"{BOT_PAIR}:{rate}:{wanted / rate + 60:g}") as ex:
        follow = FollowClock(ex)
        win, client = open_window(ex)
        rows = RowClock(win)
        spin_until(lambda: rows.rows_seen > 0 and follow.lines > 0, 30)  # both streams deliver: live
        start_ms = time.time() * 1000 + 300  # orders placed from here on are timed
        rows.since_ms = follow.since_ms = start_ms
        spin_until(lambda: len(rows.latencies) >= wanted and len(follow.latencies) >= wanted, wanted / rate + 30)
        listing = []
        for _ in range(5):  # the baseline: one listing of the pair on the warm connection
            started = time.perf_counter()
            load_pair_orders(client, BOT_PAIR)
            listing.append((time.perf_counter() - started) * 1000)
        follow.close()
        win.close()
        client.close()
        win.deleteLater()
    return {"window_median_ms": statistics.median(rows.latencies[:wanted]),
            "window_worst_ms": max(rows.latencies[:wanted]),
            "follow_median_ms": statistics.median(follow.latencies[:wanted]),
            "follow_worst_ms": max(follow.latencies[:wanted]),
            "listing_ms": statistics.median(listing[1:]),
            "timed": float(min(len(rows.latencies), len(follow.latencies), wanted))}


def stall_run(rtt_ms: float) -> dict[str, float]:
    busy_s, quiet_s = 8.0, 4.0
    with paper_process(rtt_ms, 10_000, 100, f"BTC_USDT:100:{busy_s + 20:g}") as ex:
        started = time.monotonic()
        win, client = open_window(ex)
        rows = RowClock(win)
        spin_until(lambda: rows.rows_seen > 0, 30)
        beat = Heartbeat()
        beat.start()
        before = win.open_pane.model.rowCount()
        spin(busy_s)
        busy = beat.stop() * 1000
        arrived = win.open_pane.model.rowCount() - before
        spin(max(0.0, started + busy_s + 22 - time.monotonic()))  # the bot has stopped
        beat.start()
        spin(quiet_s)
        quiet = beat.stop() * 1000
        figures = {"stall_busy_ms": busy, "stall_quiet_ms": quiet, "rows_per_s": arrived / busy_s,
                   "rows": float(win.open_pane.model.rowCount())}
        win.close()
        client.close()
        win.deleteLater()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rtt-ms", type=float, default=150.0)
    parser.add_argument("--orders", type=int, default=25, help="orders timed in each latency run")
    args = parser.parse_args()
    app = QApplication.instance() or QApplication([])
    latency = [latency_run(args.rtt_ms, args.orders) for _ in range(args.runs)]
    stalls = [stall_run(args.rtt_ms) for _ in range(args.runs)]
    app.processEvents()
    rtt = args.rtt_ms

    def show(runs: list[dict[str, float]], key: str, unit: str, in_rtt: bool = False) -> None:
        values = [r[key] for r in runs]
        middle = statistics.median(values)
        trips = f" = {middle / rtt:4.2f} round trips" if in_rtt else ""
        print(f"  {middle:9.1f} {unit}{trips}   (runs: {', '.join(f'{v:.1f}' for v in values)})")

    print(f"paper exchange in its own process over TLS, {rtt:g} ms round trip; median of {args.runs} runs")
    print(f"placement on the exchange to sight, a bot at 4 orders/s, {args.orders} orders a run:")
    show(latency, "window_median_ms", "ms median to the row in the window", True)
    show(latency, "window_worst_ms", "ms worst to the row in the window", True)
    show(latency, "follow_median_ms", "ms median to the line on orders --follow", True)
    show(latency, "follow_worst_ms", "ms worst to the line on orders --follow", True)
    show(latency, "listing_ms", "ms baseline: one REST listing of the pair, warm (a poll, before its interval)", True)
    ratio = statistics.median(r["window_median_ms"] / r["listing_ms"] for r in latency)
    print(f"  window median / one listing: x{ratio:.2f}")
    print("GUI thread while a bot places 100 orders/s into a 10,000-row table (5 ms heartbeat):")
    show(stalls, "stall_busy_ms", "ms longest stall, 8 s of the bot")
    show(stalls, "stall_quiet_ms", "ms longest stall, baseline: 4 s with nothing arriving")
    show(stalls, "rows_per_s", "rows inserted a second meanwhile")


if __name__ == "__main__":
    main()
