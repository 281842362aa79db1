"""Where the program's own log goes: a rotating file in the data directory, UTC timestamps, for the window
and the command line alike. Secrets are never passed to a logger (and redact strips any that slip)."""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from gatecancel_gui.core.store import redact
from gatecancel_gui.core.store.paths import data_dir

LOG_NAME = "gatecancel.log"


class SharedRotatingLog(logging.handlers.RotatingFileHandler):
    """A rotating log two processes can share (two windows, a window and the command line). On Windows a
    file open in another process cannot be renamed, so its rollover fails; Python's handler then loses the
    record and prints a traceback to stderr, again for every record after it. Here a failed rollover is
    noted once in the file and the record goes on into the same file; rotating is tried again only once it
    has grown by another maxBytes (by then the other process may have ended or rotated it). One file per
    process instead would scatter one session's story over files nobody knows to read."""

    def __init__(self, filename: Path, max_bytes: int, backup_count: int) -> None:
        super().__init__(filename, maxBytes=max_bytes, backupCount=backup_count, encoding="utf-8")
        self._retry_at = 0      # a size under which no rollover is tried after a failed one
        self._noted = False

    def shouldRollover(self, record: logging.LogRecord) -> bool:  # noqa: N802 (logging's name)
        if not super().shouldRollover(record):
            return False
        return self.stream.tell() >= self._retry_at

    def doRollover(self) -> None:  # noqa: N802 (logging's name)
        try:
            super().doRollover()
        except OSError as exc:
            if self.stream is None:
                self.stream = self._open()
            self.stream.seek(0, 2)
            self._retry_at = self.stream.tell() + self.maxBytes
            if not self._noted:
                self._noted = True
                note = logging.makeLogRecord({
                    "name": __name__, "levelno": logging.WARNING, "levelname": "WARNING",
                    "msg": f"the log could not be rotated ({exc.strerror or type(exc).__name__}; another "
                           "gatecancel may have it open): going on in this file"})
                self.stream.write(self.format(note) + self.terminator)
        else:
            self._retry_at = 0


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
        handler = SharedRotatingLog(path, max_bytes=1_000_000, backup_count=3)
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
