"""Start the window: `gatecancel-gui [--demo] [--profile NAME]` (also `python -m gatecancel_gui`)."""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from gatecancel_gui import __version__
from gatecancel_gui.core.store.logs import log_to_file
from gatecancel_gui.display import display_problem

log = logging.getLogger("gatecancel")
# Windows groups taskbar buttons and picks their icon by this id; without one set, a window started by
# python.exe (or pythonw.exe) is grouped, and iconed, as Python. Company.Product, no spaces.
WINDOWS_APP_ID = "gatecancel.gatecancel"


def identify_on_taskbar() -> None:
    """Windows only, before any window exists: set the process's AppUserModelID so the taskbar shows
    gatecancel's icon and name. A failure (an old Windows, no shell32) leaves Windows' own choice."""
    if sys.platform != "win32":
        return
    try:
        import ctypes

        ctypes.windll.shell32.SetCurrentProcessExplicitAppUserModelID(WINDOWS_APP_ID)
    except Exception:  # noqa: S110 - only the taskbar's grouping is at stake
        pass


def setup_logging() -> None:
    """A rotating log in the data directory, UTC timestamps. Secrets are never passed to a logger."""
    log_to_file()


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="gatecancel-gui",
                                     description="Cancel open Gate orders: spot and perpetual futures.")
    parser.add_argument("--version", action="version", version=f"gatecancel {__version__}")
    parser.add_argument("--demo", action="store_true",
                        help="start a paper exchange in this process and connect to it (no keys, no network)")
    parser.add_argument("--demo-orders", type=int, default=320, help=argparse.SUPPRESS)
    parser.add_argument("--profile", help="connect to this saved profile at start")
    parser.add_argument("--screenshot", metavar="PNG",
                        help="with --demo: load, cancel some orders, save a picture of the window, and exit")
    parser.add_argument("--self-test", action="store_true",
                        help="check this installation end to end against an in-process paper exchange; exit 0 if sound")
    parser.add_argument("--exit-when-shown", action="store_true", help=argparse.SUPPRESS)  # start-up timing
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    identify_on_taskbar()
    setup_logging()
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    problem = None if existing is not None else display_problem()
    if problem:  # Qt would abort the process (exit 134) with a message about one library
        log.error("cannot show the window: %s", problem)
        print(f"gatecancel-gui: {problem}", file=sys.stderr)
        return 2

    from gatecancel_gui.ui.application import run

    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    if args.self_test:
        from gatecancel_gui.ui.application import configure_app
        from gatecancel_gui.ui.selftest import SelfTest

        configure_app(app)
        code = SelfTest(app).run()
    else:
        code = run(app, args)
    if existing is None:  # this process is the app's own: end it now, not after the interpreter's teardown
        leave(code)
    return code


def leave(code: int) -> NoReturn:
    """End the process once the window has closed. Python's and Qt's teardown of the window's objects (a
    garbage collection over every Qt wrapper, then each C++ object's destructor) took 0.3 s here and
    1.4-2 s on a busy machine after the window had gone, with nothing left to do: by now the jobs have
    ended, the dead-man switch is disarmed, the journal's lines are written as they happen and the
    sessions are closed. What is still buffered (settings, logs, the terminal) is written first."""
    from PySide6.QtCore import QSettings

    QSettings().sync()
    logging.shutdown()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):  # a closed or unwritable stream: nothing to keep
            stream.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
