"""On-demand benchmark of the guard (not a test: it asserts nothing).

    .venv/bin/python -m tests.benchmarks.bench_guard [--runs 3] [--rtt-ms 150] [--orders 60]

The paper exchange runs as its own process over TLS with the given round trip (every byte delayed by half
of it each way), with a bot placing orders in ETH_USDT at 20 a second and another in BTC_USDT (outside the
scope). `gatecancel guard --pair ETH_USDT --json --yes` runs as its own process. For each of the bot's
orders the guard acted on (every one placed from 2 s after the guard's first answer), two times from its
placement on the exchange (its create_time_ms, stamped by the exchange's book):

- to the exchange applying its cancel (the order's own record: update_time_ms when it finished), and
- to the guard hearing the exchange's answer (its JSON line read from the process's stdout).

Then the window: the same shape with 2,000 open orders loaded, a guard armed from the window on the pair
while the bot places 20 orders a second; a 5 ms heartbeat on the GUI thread measures the longest stall for
8 s, against the same window for 4 s once the guard has ended (nothing arriving).

Median and worst, in ms and in round trips. Some of the bot's orders are filled or cancelled by the bot
itself first; the guard then reads their record (a round trip more) and reports them as they ended.
Baseline in the same run: one warm REST listing of the pair (a poll's cost before its interval). Also
shown: how many BTC_USDT orders (outside the scope) are still open after the run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time

from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.gate.spot_orders import load_pair_orders
from gatecancel_gui.core.net.transport import NetworkSettings
from gatecancel_gui.core.store.credentials import Credentials

GUARDED, OTHER = "ETH_USDT", "BTC_USDT"
SETTLE_MS = 2000  # orders placed this long after the guard's first answer are timed (its stream is live by then)


def paper(rtt_ms: float, seconds: float) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "gatecancel_gui.cli", "paper", "--tls", "--rtt-ms", str(rtt_ms),
                             "--orders", "200", "--pairs", "10", "--heavy-pairs", "0", "--fill-fraction", "0",
                             "--bot", f"{GUARDED}:20:{seconds:g}", "--bot", f"{OTHER}:5:{seconds:g}"],
                            stdout=subprocess.PIPE, text=True)


def one_run(rtt_ms: float, wanted: int) -> dict[str, float]:
    seconds = wanted / 20 + 6  # at 20 a second, `wanted` orders after the first SETTLE_MS and more
    proc = paper(rtt_ms, seconds + 20)
    try:
        assert proc.stdout is not None
        ex = json.loads(proc.stdout.readline())
        env = {**os.environ, "GATE_API_KEY": ex["key"], "GATE_API_SECRET": ex["secret"]}
        guard = subprocess.Popen([sys.executable, "-m", "gatecancel_gui.cli", "guard", "--base-url", ex["url"],
                                  "--ca-file", ex["ca_file"], "--pair", GUARDED, "--for", f"{seconds:g}", "--json",
                                  "--yes"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
        heard: dict[str, float] = {}

        def read() -> None:
            assert guard.stdout is not None
            for line in guard.stdout:
                at = time.time() * 1000
                try:
                    row = json.loads(line)
                except ValueError:
                    continue
                if isinstance(row, dict) and "id" in row:
                    heard.setdefault(str(row["id"]), at)

        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        guard.wait(seconds + 30)
        reader.join(5)
        network = NetworkSettings(ca_file=ex["ca_file"])
        with GateClient(ex["url"], Credentials(ex["key"], ex["secret"]), network=network) as client:
            listing = []
            for _ in range(4):
                started = time.perf_counter()
                load_pair_orders(client, OTHER)
                listing.append((time.perf_counter() - started) * 1000)
            applied, answered = [], []
            armed_at = min(heard.values()) if heard else 0.0
            for order_id, at in heard.items():
                record = client.request("GET", f"/spot/orders/{order_id}", params=[("currency_pair", GUARDED)]).data
                created = int(record.get("create_time_ms") or 0)
                if record.get("text", "").startswith("t-bot") and created > armed_at + SETTLE_MS:  # while armed
                    applied.append(int(record.get("update_time_ms") or 0) - created)
                    answered.append(at - created)
            other_open = len(load_pair_orders(client, OTHER))
        return {"applied_median_ms": statistics.median(applied), "applied_worst_ms": max(applied),
                "answered_median_ms": statistics.median(answered), "answered_worst_ms": max(answered),
                "listing_ms": statistics.median(listing[1:]), "timed": float(len(applied)),
                "other_open": float(other_open)}
    finally:
        proc.terminate()
        proc.wait(10)


def window_run(rtt_ms: float) -> dict[str, float]:
    """The GUI thread's longest stall while a guard armed in the window cancels a bot's orders."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import tempfile
    from pathlib import Path

    from PySide6.QtWidgets import QApplication

    from gatecancel_gui.core.app.session import Session
    from gatecancel_gui.core.store.journal import Journal
    from gatecancel_gui.ui.dialogs import always_yes
    from gatecancel_gui.ui.guard_dialog import GuardChoice
    from gatecancel_gui.ui.main_window import MainWindow
    from tests.benchmarks.bench_stream import spin, spin_until
    from tests.benchmarks.bench_window import Heartbeat

    QApplication.instance() or QApplication([])
    busy_s, quiet_s, guard_s = 8.0, 4.0, 10.0
    proc = subprocess.Popen([sys.executable, "-m", "gatecancel_gui.cli", "paper", "--tls", "--rtt-ms", str(rtt_ms),
                             "--orders", "2000", "--pairs", "20", "--heavy-pairs", "0", "--fill-fraction", "0",
                             "--bot", f"{GUARDED}:20:60", "--bot", f"{OTHER}:5:60"], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        ex = json.loads(proc.stdout.readline())
        client = GateClient(ex["url"], Credentials(ex["key"], ex["secret"]),
                            network=NetworkSettings(ca_file=ex["ca_file"]))
        win = MainWindow(Session("bench", client), confirm=always_yes,
                         journal=Journal(Path(tempfile.mkdtemp()) / "journal.jsonl"))
        win.show()
        loaded: list[bool] = []
        win.loadFinished.connect(lambda *_: loaded.append(True))
        win.refresh()
        spin_until(lambda: loaded, 60)
        armed = win.guards.arm(client, GuardChoice(pair=GUARDED, duration_s=guard_s))
        spin_until(lambda: armed is not None and armed.guard.status.state.value == "armed", 20)
        beat = Heartbeat()
        beat.start()
        spin(busy_s)
        busy = beat.stop() * 1000
        spin_until(lambda: not win.guards.active, guard_s + 10)
        beat.start()
        spin(quiet_s)
        quiet = beat.stop() * 1000
        win.close()
        spin(0.5)
        client.close()
        return {"stall_armed_ms": busy, "stall_quiet_ms": quiet}
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--rtt-ms", type=float, default=150.0)
    parser.add_argument("--orders", type=int, default=60, help="at least this many guarded orders timed a run")
    args = parser.parse_args()
    runs = [one_run(args.rtt_ms, args.orders) for _ in range(args.runs)]
    windows = [window_run(args.rtt_ms) for _ in range(args.runs)]
    rtt = args.rtt_ms
    print(f"paper exchange in its own process over TLS, {rtt:g} ms round trip; a bot at 20 orders/s in {GUARDED} "
          f"(guarded) and one at 5/s in {OTHER}; median of {args.runs} runs")
    for key, what in (("applied_median_ms", "median, placement to the exchange applying the cancel"),
                      ("applied_worst_ms", "worst, placement to the exchange applying the cancel"),
                      ("answered_median_ms", "median, placement to the guard hearing the answer"),
                      ("answered_worst_ms", "worst, placement to the guard hearing the answer"),
                      ("listing_ms", "baseline: one warm REST listing of a pair (a poll, before its interval)")):
        values = [r[key] for r in runs]
        middle = statistics.median(values)
        print(f"  {middle:8.1f} ms = {middle / rtt:4.2f} round trips  {what}   "
              f"(runs: {', '.join(f'{v:.1f}' for v in values)})")
    for key, what in (("stall_armed_ms", "longest GUI stall, 8 s with a guard armed in the window (bot at 20/s)"),
                      ("stall_quiet_ms", "longest GUI stall, baseline: 4 s once the guard has ended")):
        values = [w[key] for w in windows]
        print(f"  {statistics.median(values):8.1f} ms  {what}   (runs: {', '.join(f'{v:.1f}' for v in values)})")
    timed = ", ".join(f"{r['timed']:.0f}" for r in runs)
    untouched = ", ".join(f"{r['other_open']:.0f}" for r in runs)
    print(f"  orders timed a run: {timed}; {OTHER} orders still open after each run (untouched): {untouched}")


if __name__ == "__main__":
    main()
