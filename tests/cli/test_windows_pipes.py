"""Issue 22, item 9: on Windows a pipe whose reader has gone often fails a write or flush with
OSError(EINVAL) rather than BrokenPipeError. Simulated here with a stream that raises it: the command is
as quiet and keeps the same exit status as for a closed pipe, while other write failures still say so."""

import errno
import io
import os
from unittest import mock

from gatecancel_gui.cli import main
from gatecancel_gui.cli.output import reader_gone, reader_safe, write_failure
from gatecancel_gui.core.gate import pairs
from gatecancel_gui.paper import PaperExchange
from tests.cli.runner import key_env, run_main


class Failing(io.StringIO):
    """A stdout whose every write and flush fails with this errno."""

    def __init__(self, code: int) -> None:
        super().__init__()
        self.code = code

    def write(self, text):
        raise OSError(self.code, "simulated")

    def flush(self):
        raise OSError(self.code, "simulated")


def test_einval_on_write_is_a_reader_that_left():
    out = reader_safe(Failing(errno.EINVAL))
    assert out.write("a line\n") == len("a line\n")
    assert reader_gone(out) and write_failure(out) == ""
    out.write("more\n")
    out.flush()  # nothing more is tried, nothing is raised


def test_einval_on_flush_is_a_reader_that_left():
    class FlushFails(io.StringIO):
        def flush(self):
            raise OSError(errno.EINVAL, "simulated")

    out = reader_safe(FlushFails())
    out.write("a line\n")
    out.flush()
    assert reader_gone(out) and write_failure(out) == ""


def test_other_write_failures_still_surface():
    out = reader_safe(Failing(errno.ENOSPC))
    out.write("a line\n")
    assert write_failure(out) == "simulated"


def run_into(stream, ex, *args):
    """Run one command as run_main does, but with this stream as its stdout."""
    err = io.StringIO()
    pairs.forget()
    with mock.patch.dict(os.environ, key_env(ex.main_key)), mock.patch("sys.stdin", io.StringIO("")):
        code = main([*args, "--base-url", ex.base_url], stream, err)
    return code, err.getvalue()


def test_a_cancel_whose_reader_left_on_windows_is_quiet_and_keeps_its_exit_status():
    with PaperExchange(orders=20, pairs=2, fill_fraction=0.0) as ex:
        code, err = run_into(Failing(errno.EINVAL), ex, "cancel", "--all", "--yes", "--json")
        assert code == 0, err
        assert "could not be written" not in err and "Traceback" not in err
        assert "20 cancelled of 20" in err
        after = run_main("orders", "--base-url", ex.base_url, env=key_env(ex.main_key))
        assert "0 open orders" in after.stdout  # the cancel went on to the end


def test_output_that_cannot_be_written_for_another_reason_still_says_so():
    with PaperExchange(orders=5, pairs=1, fill_fraction=0.0) as ex:
        code, err = run_into(Failing(errno.ENOSPC), ex, "orders")
        assert code == 2
        assert "The output could not be written (simulated)" in err
