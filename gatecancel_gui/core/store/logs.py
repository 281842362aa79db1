"""Where the program's own log goes: a rotating file in the data directory, UTC timestamps, for the window
and the command line alike. Secrets are never passed to a logger (and redact strips any that slip)."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import time
from collections.abc import Iterator
from typing import TextIO

from gatecancel_gui.core.store import redact
from gatecancel_gui.core.store.paths import data_dir

LOG_NAME = "gatecancel.log"


def log_to_file() -> logging.Handler | None:
    """Everything from INFO up, with tracebacks, to the rotating log; returns its handler. A data directory
    that cannot be written leaves the program without its log file, never without its work."""
    redact.install()
    root = logging.getLogger()
    root.setLevel(logging.INFO)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
    try:
        path = data_dir() / LOG_NAME
        path.parent.mkdir(parents=True, exist_ok=True)
        handler = logging.handlers.RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    except OSError:
        return None
    formatter = logging.Formatter("%(asctime)sZ %(levelname)s %(name)s: %(message)s")
    formatter.converter = time.gmtime
    handler.setFormatter(formatter)
    root.addHandler(handler)
    return handler


class _OneLine(logging.Formatter):
    """A warning on a terminal is one line: its traceback, if any, is in the log file only."""

    def format(self, record: logging.LogRecord) -> str:
        return f"{record.levelname} {record.name}: {record.getMessage()}"


@contextlib.contextmanager
def command_line_logging(err: TextIO) -> Iterator[None]:
    """For one command: the log file, and warnings on its stderr one line each (no traceback on a
    terminal: it is in the file). Removed when the command ends (tests run many commands in one process)."""
    root = logging.getLogger()
    level = root.level
    file_handler = log_to_file()
    terminal = logging.StreamHandler(err)
    terminal.setLevel(logging.WARNING)
    terminal.setFormatter(_OneLine())
    root.addHandler(terminal)
    try:
        yield
    finally:
        for handler in (terminal, file_handler):
            if handler is not None:
                root.removeHandler(handler)
                handler.close()
        root.setLevel(level)
