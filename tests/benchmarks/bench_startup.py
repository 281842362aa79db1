"""On-demand: whole-process start-to-window time of the built executables and of `python -m gatecancel_gui`.

    python3 resources/build.py && python3 resources/build.py --onefile
    .venv/bin/python -m tests.benchmarks.bench_startup [--runs 7]

Each run starts the program with --exit-when-shown (it quits as soon as its window first paints) and
times the whole process, start to exit, offscreen. Also prints the sizes of the builds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CANDIDATES = {
    "one-folder build": [str(ROOT / "dist" / "gatecancel" / "gatecancel-gui")],
    "one-file build": [str(ROOT / "dist" / "gatecancel-portable")],
    "python -m gatecancel_gui": [sys.executable, "-m", "gatecancel_gui"],
}


def size_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 1e6
    # symlinks (PyInstaller links some Qt libraries into _internal) are counted once, as du does
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def time_start(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    result = subprocess.run([*command, "--exit-when-shown"], env=env, capture_output=True, text=True, timeout=60)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed: {result.stderr[-500:]}")
    warnings = [line for line in result.stderr.splitlines() if "propagateSizeHints" not in line and line.strip()]
    if warnings:
        print(f"  note: {command[0]} printed: {warnings[:3]}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GATECANCEL_DATA_DIR": tempfile.mkdtemp(),
           "XDG_CONFIG_HOME": tempfile.mkdtemp()}
    for label, command in CANDIDATES.items():
        if not Path(command[0]).exists():
            print(f"{label}: not built")
            continue
        time_start(command, env)  # warm the page cache once
        times = [time_start(command, env) for _ in range(args.runs)]
        extra = ""
        if "build" in label:
            target = Path(command[0]).parent if label.startswith("one-folder") else Path(command[0])
            extra = f", size {size_mb(target):.0f} MB"
        print(f"{label}: start-to-window {statistics.median(times):.3f} s median of {args.runs}"
              f" (min {min(times):.3f}, max {max(times):.3f}){extra}")


if __name__ == "__main__":
    main()
