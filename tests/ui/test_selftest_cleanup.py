"""`--self-test` ends by deleting its temporary folder; Windows refuses to delete a file that is still open,
and the window's journal file was (issue 22, item 4). Simulated here: while the self-test runs, deleting a
file this process has open raises PermissionError, as on Windows."""

import errno
import os
import shutil
from pathlib import Path

import pytest

from gatecancel_gui.ui import selftest

REAL_UNLINK = os.unlink


def open_here() -> set[str]:
    """Every file this process holds open, by path (Linux: /proc/self/fd)."""
    paths = set()
    for fd in os.listdir("/proc/self/fd"):
        try:
            paths.add(os.readlink(f"/proc/self/fd/{fd}"))
        except OSError:
            continue
    return paths


def refuse_if_open(path, *, dir_fd=None):
    """os.unlink as Windows does it: a file still open somewhere cannot be deleted."""
    full = os.path.join(os.readlink(f"/proc/self/fd/{dir_fd}"), path) if dir_fd is not None else os.path.abspath(path)
    if os.path.realpath(full) in open_here():
        raise PermissionError(errno.EACCES, "The process cannot access the file because it is being used by "
                                            "another process", str(path))
    return REAL_UNLINK(path, dir_fd=dir_fd)


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to see which files are open")
def test_the_self_test_deletes_its_folder_where_open_files_cannot_be_deleted(qapp, monkeypatch, capsys):
    assert shutil.rmtree.avoids_symlink_attacks  # it deletes through os.unlink(name, dir_fd=...)
    made = []
    real_init = selftest.tempfile.TemporaryDirectory.__init__

    def remembered(self, *args, **kwargs):
        real_init(self, *args, **kwargs)
        made.append(Path(self.name))

    monkeypatch.setattr(selftest.tempfile.TemporaryDirectory, "__init__", remembered)
    monkeypatch.setattr(os, "unlink", refuse_if_open)
    monkeypatch.setattr(os, "remove", refuse_if_open)

    code = selftest.SelfTest(qapp).run()

    out = capsys.readouterr().out
    assert code == 0 and out.startswith("self-test OK"), out
    journal_folder = next(p for p in made if p.name.startswith("gatecancel-selftest-"))
    assert not journal_folder.exists()
