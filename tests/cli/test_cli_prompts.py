"""Questions on a terminal (the CLI runs under a pseudo-terminal): a broad cancel asks first, naming what is
at stake and the environment; `--yes` skips the question; declining is exit 1, never success."""

import os
import pty
import select
import subprocess
import sys

import pytest

from gatecancel_gui.paper import PaperExchange
from tests.cli.test_cli_risk import cli_env


def run_on_terminal(ex, *args, answer=None, quiet_s=60):
    """Run the CLI with a terminal for stdin, stdout and stderr; type `answer` at the first [y/N]."""
    master, slave = pty.openpty()
    proc = subprocess.Popen([sys.executable, "-m", "gatecancel_gui.cli", *args, "--base-url", ex.base_url],
                            stdin=slave, stdout=slave, stderr=slave, env=cli_env(ex), close_fds=True)
    os.close(slave)
    seen = b""
    try:
        while True:
            ready, _, _ = select.select([master], [], [], quiet_s)
            assert ready, f"the CLI went quiet: {seen!r}"
            try:
                chunk = os.read(master, 4096)
            except OSError:  # EIO: every end of the terminal is closed, the process has finished
                break
            if not chunk:
                break
            seen += chunk
            if answer is not None and b"[y/N]" in seen:
                os.write(master, answer.encode() + b"\n")
                answer = None
        return proc.wait(timeout=60), seen.decode(errors="replace").replace("\r\n", "\n")
    finally:
        os.close(master)
        if proc.poll() is None:
            proc.kill()
            proc.wait()


@pytest.fixture
def book():
    with PaperExchange(orders=200, pairs=6, fill_fraction=0.0, price_orders=4) as ex:
        yield ex


def test_cancel_all_on_a_terminal_asks_and_no_cancels_nothing(book):
    """Defect: `cancel --all` on a terminal cancelled everything without a question."""
    code, text = run_on_terminal(book, "cancel", "--all", answer="n")
    assert "Cancel 200 open orders in 6 pairs on PAPER? [y/N]" in text
    assert "gatecancel: nothing was cancelled." in text and code == 1
    assert len(book.book.open_orders()) == 200 and book.cancel_requests() == []


def test_cancel_all_on_a_terminal_yes_cancels(book):
    code, text = run_on_terminal(book, "cancel", "--all", answer="y")
    assert "[y/N]" in text and "200 cancelled of 200" in text and code == 0
    assert book.book.open_orders() == []


def test_cancel_pair_side_on_a_terminal_names_the_pair_and_side(book):
    pair = book.book.open_pairs()[0]
    buys = [o for o in book.book.open_orders(pair) if o.side == "buy"]
    code, text = run_on_terminal(book, "cancel", "--pair", pair, "--side", "buy", answer="n")
    assert f"Cancel {len(buys)} open buy orders in {pair} on PAPER? [y/N]" in text and code == 1
    assert len(book.book.open_orders()) == 200


def test_yes_skips_the_question_on_a_terminal(book):
    code, text = run_on_terminal(book, "cancel", "--all", "--yes")
    assert "[y/N]" not in text and code == 0 and book.book.open_orders() == []


def test_cancel_all_question_counts_the_scope_and_no_exits_1(book):
    """Defect: declining cancel-all exited 0, and the question did not say how many orders it covers."""
    code, text = run_on_terminal(book, "cancel-all", answer="n")
    assert ("Cancel all open orders in every pair on PAPER (200 open orders now)? Stop (price-triggered) "
            "orders are NOT included") in text
    assert "gatecancel: nothing was cancelled." in text and code == 1
    assert len(book.book.open_orders()) == 200


def test_scoped_cancel_all_with_stop_orders_counts_both_and_yes_cancels(book):
    pair = book.price_orders.open()[0].market
    open_in_pair = len(book.book.open_orders(pair))
    stops_in_pair = len(book.price_orders.open(pair))
    code, text = run_on_terminal(book, "cancel-all", "--pair", pair, "--include-stop-orders", answer="y")
    assert f"Cancel all open orders in {pair} on PAPER ({open_in_pair} open orders and {stops_in_pair} stop " \
           "order" in text
    assert code == 0, text
    assert book.book.open_orders(pair) == [] and book.price_orders.open(pair) == []
    assert len(book.book.open_orders()) == 200 - open_in_pair
