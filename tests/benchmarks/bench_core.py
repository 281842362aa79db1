"""On-demand benchmark of the core over real loopback HTTP (not a test: it asserts nothing).

    .venv/bin/python -m tests.benchmarks.bench_core [--runs 5]

Cancel 1,000 orders across 10 pairs with 50 ms injected latency per request: the engine as shipped,
the same engine one request at a time, and the floor. Then load 10,000 open orders across 100 pairs.
"""

from __future__ import annotations

import argparse
import statistics
import time

from gatecancel_gui.core.cancel.run import CancelRun, CancelSettings
from gatecancel_gui.core.cancel.spot_batch import SpotBatch
from gatecancel_gui.core.domain.outcomes import OutcomeState
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.gate.spot_orders import load_open_orders
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.paper import PaperExchange

LATENCY_S = 0.05


def time_cancel(max_in_flight: int) -> tuple[float, int, int]:
    with PaperExchange(orders=1000, pairs=10, heavy_pairs=0, fill_fraction=0.0) as ex:
        with GateClient(ex.base_url, Credentials(ex.main_key.key, ex.main_key.secret)) as client:
            refs = [o.ref for o in load_open_orders(client)]
            client.sync_clock()
            ex.latency_s = LATENCY_S
            canceller = CancelRun(client, SpotBatch(), settings=CancelSettings(max_in_flight=max_in_flight))
            started = time.perf_counter()
            report = canceller.run(refs)
            elapsed = time.perf_counter() - started
            assert report.count(OutcomeState.CANCELLED) == 1000, report.summary()
            return elapsed, len(ex.cancel_requests()), ex.peak_in_flight


def time_load() -> tuple[float, int]:
    with PaperExchange(orders=10_000, pairs=100, heavy_pairs=0) as ex:
        with GateClient(ex.base_url, Credentials(ex.main_key.key, ex.main_key.secret)) as client:
            client.sync_clock()
            started = time.perf_counter()
            orders = load_open_orders(client)
            return time.perf_counter() - started, len(orders)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--in-flight", type=int, default=CancelSettings().max_in_flight)
    args = parser.parse_args()
    engine = [time_cancel(args.in_flight) for _ in range(args.runs)]
    serial = [time_cancel(1) for _ in range(max(1, args.runs // 2))]
    loads = [time_load() for _ in range(args.runs)]
    e = statistics.median(t for t, _, _ in engine)
    s = statistics.median(t for t, _, _ in serial)
    requests = engine[0][1]
    floor = LATENCY_S  # the 200/s budget lets all 50 requests go within its first second
    print(f"cancel 1,000 orders / 10 pairs / {LATENCY_S * 1000:.0f} ms latency, {requests} requests, "
          f"median of {args.runs}:")
    print(f"  engine ({args.in_flight} in flight, peak seen {engine[0][2]}): {e:.3f} s  "
          f"(runs: {', '.join(f'{t:.3f}' for t, _, _ in engine)})")
    print(f"  one request at a time:           {s:.3f} s  -> engine is {s / e:.1f}x faster")
    print(f"  floor (one latency):             {floor:.3f} s  -> engine is {e / floor:.1f}x the floor")
    lt = statistics.median(t for t, _ in loads)
    print(f"load 10,000 open orders / 100 pairs: {lt:.3f} s median ({loads[0][1]} orders; "
          f"runs: {', '.join(f'{t:.3f}' for t, _ in loads)})")


if __name__ == "__main__":
    main()
