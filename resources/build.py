"""Build the gatecancel executables on Linux, Windows or macOS, from a fresh environment without the test
dependencies (PyInstaller builds for the OS it runs on: build on each OS you ship to).

    python3 resources/build.py             one folder (the default: starts fast)
    python3 resources/build.py --onefile   one file, dist/gatecancel-portable[.exe]: the window as one console
                                           program that unpacks itself on every start

The one-folder build gives two programs side by side, sharing one set of libraries:
    Linux, Windows:  dist/gatecancel/gatecancel[.exe]      the command line, and `--self-test` (console)
                     dist/gatecancel/gatecancel-gui[.exe]  the window (windowed: no console on Windows)
    macOS:           the same in dist/gatecancel/, and the app bundle dist/gatecancel.app, whose
                     Contents/MacOS holds gatecancel-gui (what a double-click starts) and gatecancel:
                     dist/gatecancel.app/Contents/MacOS/gatecancel --self-test
                     dist/gatecancel.app/Contents/MacOS/gatecancel-gui
Check a build with `gatecancel --self-test` (headless: QT_QPA_PLATFORM=offscreen).

Steps: a venv in .venv-build (made by the Python running this script), `.` and PyInstaller installed
into it, the icons drawn into build/icons (.ico for Windows, .icns for macOS: make_icon.py), then
PyInstaller with resources/gatecancel.spec. Linux needs binutils (objdump) to build; the target needs
libgl1 libegl1 fontconfig-config. Environment: STRIP=0 keeps the symbols.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYINSTALLER = "pyinstaller==6.22.3"
VENV = ROOT / ".venv-build"
ICONS = ROOT / "build" / "icons"


def venv_python(venv: Path, platform: str = sys.platform) -> Path:
    """The venv's interpreter: Scripts\\python.exe on Windows, bin/python elsewhere."""
    return venv / "Scripts" / "python.exe" if platform == "win32" else venv / "bin" / "python"


def commands(platform: str = sys.platform) -> list[list[str]]:
    """What the build runs, in order."""
    python = str(venv_python(VENV, platform))
    return [
        [sys.executable, "-m", "venv", str(VENV)],
        [python, "-m", "pip", "install", "-q", str(ROOT), PYINSTALLER],
        [python, str(ROOT / "resources" / "make_icon.py"), str(ICONS)],
        [python, "-m", "PyInstaller", "--noconfirm", "--clean", "--log-level", "WARN",
         "--distpath", str(ROOT / "dist"), "--workpath", str(ROOT / "build"),
         str(ROOT / "resources" / "gatecancel.spec")],
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="build.py", description="Build the gatecancel executables.")
    parser.add_argument("--onefile", action="store_true", help="one portable file instead of one folder")
    args = parser.parse_args(argv)
    env = {**os.environ, "ONEFILE": "1" if args.onefile else "0", "GATECANCEL_ICONS": str(ICONS)}
    started = time.monotonic()
    for command in commands():
        result = subprocess.run(command, cwd=ROOT, env=env, check=False)  # noqa: S603 (our own fixed commands)
        if result.returncode != 0:
            print(f"build.py: this step failed (exit {result.returncode}): {' '.join(command)}", file=sys.stderr)
            return 1
    print(f"build.py: built in {time.monotonic() - started:.0f} s into {ROOT / 'dist'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
