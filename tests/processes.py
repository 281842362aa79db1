"""Child processes that a test interrupts, the same way on every OS. On POSIX Ctrl+C is SIGINT, sent to
the child alone. On Windows a signal cannot be sent to one process: `send_signal(SIGINT)` fails, and
`CTRL_C_EVENT` goes to every process on the console (pytest too). What works is a child started in its own
process group (CREATE_NEW_PROCESS_GROUP), sent `CTRL_BREAK_EVENT`: the CLI takes Ctrl+Break (SIGBREAK)
as it takes Ctrl+C. SIGTERM on Windows is TerminateProcess, which no program can catch, and there is no
SIGHUP: tests of those are skipped there, with the reason."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from typing import Any

import pytest

WINDOWS = sys.platform == "win32"

# `python -m gatecancel_gui.cli`, with the default SIGINT handler put back before anything else runs: a
# shell that ignores SIGINT (`nohup`, a background job) hands that to its children, and Ctrl+C would do nothing
CLI = [sys.executable, "-c", "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
       "from gatecancel_gui.cli import main; sys.exit(main())"]


def interruptible(popen: dict[str, Any]) -> dict[str, Any]:
    """Popen's arguments for a child that `interrupt` can reach: on Windows, in its own process group."""
    if WINDOWS:
        popen = {**popen, "creationflags": popen.get("creationflags", 0) | subprocess.CREATE_NEW_PROCESS_GROUP}
    return popen


def start(command: list[str], **popen: Any) -> subprocess.Popen:
    """Any child process a test may interrupt later."""
    return subprocess.Popen(command, **interruptible(popen))


def start_cli(*args: str, env: dict[str, str] | None = None, **popen: Any) -> subprocess.Popen:
    """The command line as a running process (Ctrl+C, SIGTERM, a terminal, a pipe whose reader leaves)."""
    return start([*CLI, *args], env={**os.environ, **(env or {})}, **popen)


def interrupt(proc: subprocess.Popen) -> None:
    """Press Ctrl+C in the child: SIGINT on POSIX, Ctrl+Break on Windows (see the module's note)."""
    proc.send_signal(signal.CTRL_BREAK_EVENT if WINDOWS else signal.SIGINT)  # type: ignore[attr-defined]


def send(proc: subprocess.Popen, name: str) -> None:
    """Send the signal of this name ("SIGINT", "SIGTERM", "SIGHUP"): SIGINT as `interrupt` does it; the
    others as they are, on a platform where they can be caught (see `catchable`)."""
    if name == "SIGINT":
        interrupt(proc)
    else:
        proc.send_signal(getattr(signal, name))


def catchable(*names: str) -> list[Any]:
    """pytest parameters for a test that ends a child with each named signal and checks what the child
    did: skipped, with the reason, where the signal does not exist or cannot be caught."""
    params = []
    for name in names:
        missing = not hasattr(signal, name)
        uncatchable = WINDOWS and name == "SIGTERM"
        reason = (f"no {name} on this platform" if missing else
                  "on Windows send_signal(SIGTERM) is TerminateProcess, which nothing can catch")
        params.append(pytest.param(name, id=name, marks=pytest.mark.skipif(missing or uncatchable, reason=reason)))
    return params


def ini_settings(folder: os.PathLike[str] | str) -> str:
    """Python lines that make the child keep QSettings in an INI file under `folder`. Qt's native format
    is the registry on Windows and a plist in ~/Library on macOS, neither of which QSettings.setPath can
    move: a test must never write the user's real settings."""
    return ("from PySide6.QtCore import QSettings as S; S.setDefaultFormat(S.Format.IniFormat); "
            f"S.setPath(S.Format.IniFormat, S.Scope.UserScope, {os.fspath(folder)!r})\n")


def gui_command(settings: os.PathLike[str] | str) -> list[str]:
    """`python -m gatecancel_gui.gui` (add its arguments), keeping its settings under `settings`."""
    return [sys.executable, "-c", ini_settings(settings) + "import sys\nfrom gatecancel_gui.gui import main\n"
            "sys.exit(main())"]
