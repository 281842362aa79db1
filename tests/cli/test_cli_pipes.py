"""Output into a pipe whose reader leaves early (`gatecancel orders | head -1`): silent, and a cancel still
completes, journals and keeps its own exit status. Each test writes far more than a pipe holds (64 KiB),
so the command is certainly still writing when the reader closes."""

import subprocess

from gatecancel_gui.core.store.journal import Journal, unanswered
from gatecancel_gui.paper import PaperExchange
from tests.cli.runner import CLI
from tests.cli.test_cli_risk import cli_env


def read_one_line_and_leave(args, env=None):
    """Like `gatecancel ARGS | head -1`: read one line, close the pipe, wait for the command."""
    proc = subprocess.Popen([*CLI, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                            text=True, env=env)
    try:
        first = proc.stdout.readline()
        proc.stdout.close()
        err = proc.stderr.read()
        return first, proc.wait(timeout=60), err
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()


def assert_silent(err):
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err, err


def test_orders_into_a_closed_pipe_is_silent():
    """Defect: `gatecancel orders … | head -1` ended in a BrokenPipeError traceback."""
    with PaperExchange(orders=3000, pairs=12) as ex:
        first, code, err = read_one_line_and_leave(["orders", "--json", "--base-url", ex.base_url], cli_env(ex))
        assert first.startswith("[") and code == 0
        assert_silent(err)
        first, code, err = read_one_line_and_leave(["orders", "--base-url", ex.base_url], cli_env(ex))
        assert first.startswith("Pair") and code == 0
        assert_silent(err)


def test_journal_into_a_closed_pipe_is_silent():
    """Defect: `gatecancel journal | head -1` ended in a BrokenPipeError traceback."""
    journal = Journal()
    for n in range(3000):
        request = journal.sent("POST", "/spot/cancel_batch_orders", [("BTC_USDT", str(10**17 + n))] * 20)
        journal.answered(request, status=200, latency_ms=12.5, results=[])
    first, code, err = read_one_line_and_leave(["journal"])
    assert "sent" in first and code == 0
    assert_silent(err)


def test_a_cancel_whose_output_pipe_closes_completes_journals_and_keeps_its_exit_status():
    with PaperExchange(orders=2000, pairs=10, fill_fraction=0.0) as ex:
        first, code, err = read_one_line_and_leave(["cancel", "--all", "--yes", "--json", "--base-url", ex.base_url],
                                                   cli_env(ex))
        assert first.startswith("[")
        assert_silent(err)
        assert code == 0 and "2000 cancelled of 2000" in err
        assert ex.book.open_orders() == []
        records = Journal().read()
        assert records and unanswered(records) == set()

    with PaperExchange(orders=2000, pairs=10, fill_fraction=0.02) as ex:  # some fill first: exit status 1
        first, code, err = read_one_line_and_leave(["cancel", "--all", "--yes", "--json", "--base-url", ex.base_url],
                                                   cli_env(ex))
        assert code == 1 and "cancelled of 2000" in err
        assert_silent(err)
        assert ex.book.open_orders() == []
