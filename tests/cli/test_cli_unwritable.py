"""Output that cannot be written at all (stdout closed, `> /dev/full`): one sentence on stderr and exit 2,
never a traceback; a cancel still cancels, and its outcome is in the journal. (A reader that leaves a pipe
is another matter: silent, see test_cli_pipes.py.)"""

import io
import os
import subprocess
from unittest import mock

import pytest

from gatecancel_gui.cli import main
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.paper import PaperExchange
from tests.cli.runner import CLI, key_env


class FullDisk(io.StringIO):
    """A stream that refuses every write, as /dev/full does."""

    def write(self, text):
        raise OSError(28, "No space left on device")

    def flush(self):
        raise OSError(28, "No space left on device")


def one_sentence(text, *expected):
    lines = text.strip().splitlines()
    assert "Traceback" not in text and lines[-1].startswith("gatecancel: "), text
    for part in expected:
        assert part in lines[-1], lines[-1]


@pytest.mark.parametrize("stdout", [None, "full"])
def test_orders_into_an_unwritable_stdout_is_one_sentence_and_exit_2(stdout):
    """Defect: `orders >&-` was an AttributeError (sys.stdout is None), `orders > /dev/full` an OSError."""
    with PaperExchange(orders=30, pairs=3) as ex, mock.patch.dict(os.environ, key_env(ex.main_key)):
        err = io.StringIO()
        with mock.patch("sys.stdout", None if stdout is None else FullDisk()):
            code = main(["orders", "--base-url", ex.base_url], None, err)
        assert code == 2
        one_sentence(err.getvalue(), "could not be written")


def test_a_cancel_into_a_closed_stdout_cancels_says_so_and_points_at_the_journal():
    """Defect: `cancel --ids … >&-` cancelled, then lost its summary in a traceback."""
    with PaperExchange(orders=30, pairs=3, fill_fraction=0.0) as ex, mock.patch.dict(os.environ, key_env(ex.main_key)):
        order = ex.book.open_orders()[0]
        err = io.StringIO()
        with mock.patch("sys.stdout", None):
            code = main(["cancel", "--ids", f"{order.currency_pair}:{order.id}", "--base-url", ex.base_url], None, err)
        assert code == 2 and ex.book.status_of(order.id) == "cancelled"
        assert "1 cancelled of 1" in err.getvalue()
        one_sentence(err.getvalue(), "could not be written", str(Journal().path))
        assert any(r["event"] == "answer" for r in Journal().read())


def shell(*args, ex, redirect):
    """The CLI run by a shell with stdout redirected (`>&-`, `>/dev/full`), as a user would."""
    return subprocess.run(["sh", "-c", f'"$@" {redirect}', "sh", *CLI, *args, "--base-url", ex.base_url],
                          stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True, timeout=60,
                          env={**os.environ, **key_env(ex.main_key)})


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
def test_a_closed_and_a_full_stdout_as_real_processes():
    with PaperExchange(orders=30, pairs=3, fill_fraction=0.0) as ex:
        for redirect in (">&-", ">/dev/full"):
            result = shell("orders", "--json", ex=ex, redirect=redirect)
            assert result.returncode == 2 and "Exception ignored" not in result.stderr, result.stderr
            one_sentence(result.stderr, "could not be written")
        order = ex.book.open_orders()[0]
        result = shell("cancel", "--ids", f"{order.currency_pair}:{order.id}", ex=ex, redirect=">&-")
        assert result.returncode == 2 and ex.book.status_of(order.id) == "cancelled"
        one_sentence(result.stderr, "could not be written", "journal")
