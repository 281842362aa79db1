"""Two gatecancel processes share one rotating log; on Windows the second one's rollover fails (the file is
open in the other) and Python's handler then printed a traceback to stderr and lost every record
(issue 22, item 13). Simulated: renaming the log file is refused as Windows refuses it."""

import errno
import logging
import os

import pytest

from gatecancel_gui.core.store import logs
from gatecancel_gui.core.store.paths import data_dir

REAL_RENAME = os.rename


@pytest.fixture
def log_file():
    """The program's log, already at its size limit, and a switch that makes renaming it fail."""
    path = data_dir() / logs.LOG_NAME
    path.write_text("x" * 1_000_000 + "\n", encoding="utf-8")
    refused = {"on": True}

    def rename(source, dest, *args, **kwargs):
        if refused["on"] and os.path.abspath(source) == str(path):
            raise PermissionError(errno.EACCES, "The process cannot access the file because it is being used by "
                                                "another process", str(source))
        return REAL_RENAME(source, dest, *args, **kwargs)

    root = logging.getLogger()
    level = root.level
    handler = None
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(os, "rename", rename)
        handler = logs.log_to_file()
        try:
            yield path, refused
        finally:
            root.removeHandler(handler)
            handler.close()
            root.setLevel(level)


def test_a_refused_rollover_keeps_every_record_and_prints_nothing(log_file, capsys):
    path, _ = log_file
    for n in range(5):
        logging.getLogger("gatecancel.test").info("record %d", n)
    text = path.read_text(encoding="utf-8")
    assert capsys.readouterr().err == ""
    assert all(f"record {n}" in text for n in range(5))
    assert text.count("the log could not be rotated") == 1
    assert not (path.parent / (logs.LOG_NAME + ".1")).exists()


def test_rotation_is_tried_again_once_the_file_has_grown_by_another_limit(log_file, capsys):
    path, refused = log_file
    logging.getLogger("gatecancel.test").info("first")  # refused: goes on in this file
    refused["on"] = False
    logging.getLogger("gatecancel.test").info("second")  # not yet tried again: the same file
    assert not (path.parent / (logs.LOG_NAME + ".1")).exists()
    logging.getLogger("gatecancel.test").info("%s", "y" * 1_000_000)  # another limit's worth: rotated now
    logging.getLogger("gatecancel.test").info("after")
    assert (path.parent / (logs.LOG_NAME + ".1")).exists()
    assert "after" in path.read_text(encoding="utf-8") and capsys.readouterr().err == ""
