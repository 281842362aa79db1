"""Questions on a terminal (the CLI runs under a pseudo-terminal): a broad cancel asks first, naming what is
at stake and the environment; `--yes` skips the question; declining is exit 1, never success."""

import os
import select
import subprocess

import pytest

from gatecancel_gui.paper import PaperExchange
from tests.cli.runner import CLI, key_env, run_main
from tests.cli.test_cli_risk import cli_env


def run_on_terminal(ex, *args, answer=None, quiet_s=60):
    """Run the CLI with a terminal for stdin, stdout and stderr; type `answer` at the first [y/N]."""
    pty = pytest.importorskip("pty", reason="no pseudo-terminal module on Windows (it has ConPTY, not pty)")
    master, slave = pty.openpty()
    proc = subprocess.Popen([*CLI, *args, "--base-url", ex.base_url],
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
    assert f"Cancel {len(buys)} open buy orders in 1 pair on PAPER? [y/N]" in text and code == 1
    assert f"Pairs: {pair}" in text  # the window's question, details first on a terminal
    assert len(book.book.open_orders()) == 200


def test_yes_skips_the_question_on_a_terminal(book):
    code, text = run_on_terminal(book, "cancel", "--all", "--yes")
    assert "[y/N]" not in text and code == 0 and book.book.open_orders() == []


def test_cancel_all_question_counts_the_scope_and_no_exits_1(book):
    """Defect: declining cancel-all exited 0, and the question did not say how many orders it covers."""
    code, text = run_on_terminal(book, "cancel-all", answer="n")
    assert ("Cancel all open spot orders in every pair on PAPER (200 open orders now)? Stop (price-triggered) "
            "orders are NOT included") in text
    assert "gatecancel: nothing was cancelled." in text and code == 1
    assert len(book.book.open_orders()) == 200


def test_scoped_cancel_all_with_stop_orders_counts_both_and_yes_cancels(book):
    pair = book.price_orders.open()[0].market
    open_in_pair = len(book.book.open_orders(pair))
    stops_in_pair = len(book.price_orders.open(pair))
    code, text = run_on_terminal(book, "cancel-all", "--pair", pair, "--include-stop-orders", answer="y")
    assert f"Cancel all open spot orders in {pair} on PAPER ({open_in_pair} open orders and {stops_in_pair} stop " \
           "order" in text
    assert code == 0, text
    assert book.book.open_orders(pair) == [] and book.price_orders.open(pair) == []
    assert len(book.book.open_orders()) == 200 - open_in_pair


@pytest.mark.parametrize("args, scope", [
    (["cancel", "--all"], "Cancel all open spot orders in every pair on PAPER?"),
    (["cancel", "--pair", "btc_usdt", "--side", "sell"], "Cancel all open spot sell orders in BTC_USDT on PAPER?"),
    (["cancel", "--all", "--market", "futures-btc"],
     "Cancel all open BTC perpetual orders in every contract on PAPER?"),
    (["cancel", "--pair", "ETH_USDT", "--market", "futures-usdt"],
     "Cancel all open USDT perpetual orders in ETH_USDT on PAPER?"),
    (["cancel-all"], "Cancel all open spot orders in every pair on PAPER?"),
    (["cancel-stop", "--all"], "Cancel every open spot stop order on PAPER?"),  # it cancelled without a word
])
def test_a_broad_cancel_off_a_terminal_needs_yes_and_sends_nothing(args, scope):
    """Defect: `cancel --all` (or --pair) with stdin not a terminal cancelled at once, without --yes
    (`cancel --all --market futures-btc < /dev/null` cancelled 25 orders), while cancel-all refused."""
    with PaperExchange(orders=60, pairs=4, futures_orders=40, fill_fraction=0.0) as ex:
        result = run_main(*args, "--base-url", ex.base_url, env=key_env(ex.main_key))
        lines = result.stderr.strip().splitlines()
        assert result.returncode == 2 and len(lines) == 1, result.stderr
        assert lines[0].startswith(f"gatecancel: {scope}") and "Add --yes to confirm" in lines[0]
        assert ex.cancel_requests() == [] and [r for r in ex.requests if r[0] == "DELETE"] == []
        assert len(ex.book.open_orders()) == 60 and len(ex.futures.open_orders("btc")) == 10


def test_cancel_stop_all_on_a_terminal_asks_and_no_cancels_nothing(book):
    """Defect: `cancel-stop --all` cancelled every stop order without a question, on a terminal or not."""
    stops = len(book.price_orders.open())
    code, text = run_on_terminal(book, "cancel-stop", "--all", answer="n")
    assert f"Cancel {stops} open stop orders in " in text and "on PAPER? [y/N]" in text
    assert "gatecancel: nothing was cancelled." in text and code == 1
    assert len(book.price_orders.open()) == stops


def test_a_cancel_by_ids_off_a_terminal_goes_ahead_without_yes(book):
    order = book.book.open_orders()[0]
    result = run_main("cancel", "--ids", f"{order.currency_pair}:{order.id}", "--base-url", book.base_url,
                      env=key_env(book.main_key))
    assert result.returncode == 0, result.stderr
    assert book.book.status_of(order.id) == "cancelled"


def test_the_readme_synopsis_shows_yes_for_cancel():
    from pathlib import Path

    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    [synopsis] = [line for line in readme.splitlines() if line.startswith("gatecancel cancel ")]
    assert "[--yes]" in synopsis
