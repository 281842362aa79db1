"""Rewriting a file whole: the new text goes to a temporary file beside it, which then replaces it in one
step, so a reader (another gatecancel, a crash mid-write) sees the old file or the new one, never half.

On Windows that replace fails with PermissionError while another program (an antivirus, the search
indexer, a backup tool) has the file open for a moment: it is tried again a few times, briefly, then said
in one sentence."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

from gatecancel_gui.core.domain.errors import ConfigError

RETRY_DELAYS_S = (0.02, 0.05, 0.1, 0.2, 0.3)  # 0.67 s in all at most: a click that saves waits no longer


def write_text(path: Path, text: str, what: str) -> None:
    """Replace `path` with `text` (UTF-8); ConfigError naming `what` ("The profile list") when it cannot."""
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # two processes may write at once
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        raise ConfigError(f"{what} {path} could not be saved ({exc.strerror or type(exc).__name__}); if another "
                          "program has it open (an antivirus, a backup), try again in a moment.") from None


def replace(source: Path, target: Path) -> None:
    """os.replace, tried again while Windows says the target is in use; the last PermissionError is raised."""
    for delay in (*RETRY_DELAYS_S, None):
        try:
            os.replace(source, target)
            return
        except PermissionError:
            if delay is None:
                raise
            time.sleep(delay)
