"""The command line's risk tools against the paper exchange: cancel-all scopes, stop orders, the dead-man
switch (fired by the exchange when renewals stop, disarmed by Ctrl+C), the journal and CSV export."""

import csv
import json
import os
import subprocess

import pytest

from gatecancel_gui.paper import PaperExchange
from tests.cli.runner import key_env, run_main
from tests.processes import catchable, interrupt, send
from tests.processes import start_cli as start_process


def cli_env(ex):
    return {**os.environ, **key_env(ex.main_key)}


def run_cli(ex, *args):
    """The CLI in this process, as a script runs it (stdin not a terminal)."""
    return run_main(*args, "--base-url", ex.base_url, env=key_env(ex.main_key))


def start_cli(ex, *args, **pipes):
    """The CLI as a running process (for commands that run until stopped, by a signal)."""
    return start_process(*args, "--base-url", ex.base_url, env=key_env(ex.main_key), text=True, **pipes)


@pytest.fixture
def risky():
    with PaperExchange(orders=200, pairs=6, price_orders=8, fill_fraction=0.05, countdown_scale=0.1) as ex:
        yield ex


def test_cancel_all_needs_a_confirmation_that_names_scope_and_environment(risky):
    result = run_cli(risky, "cancel-all")
    assert result.returncode == 2
    assert "Cancel all open spot orders in every pair on PAPER? Stop (price-triggered) orders are NOT included" \
        in result.stderr
    assert "--yes" in result.stderr and len(risky.book.open_orders()) == 200


def test_plain_cancel_all_leaves_stop_orders_the_scoped_one_takes_them(risky):
    result = run_cli(risky, "cancel-all", "--yes", "--json")
    rows = json.loads(result.stdout)
    assert len(rows) == 200 and risky.book.open_orders() == []
    for row in rows:
        assert row["state"] == {"cancelled": "cancelled", "closed": "rejected"}[risky.book.status_of(row["id"])]
    assert len(risky.price_orders.open()) == 8  # stop orders survive a plain cancel-all
    pair = risky.price_orders.open()[0].market
    result = run_cli(risky, "cancel-all", "--pair", pair, "--include-stop-orders", "--yes", "--json")
    assert result.returncode == 0, result.stderr
    assert all(o.market != pair for o in risky.price_orders.open())
    assert len(risky.price_orders.open()) < 8


def test_stop_orders_list_csv_and_cancel(risky, tmp_path):
    path = tmp_path / "stops.csv"
    listed = json.loads(run_cli(risky, "stop-orders", "--json", "--csv", str(path)).stdout)
    assert len(listed) == 8 and all(isinstance(r["id"], str) for r in listed)
    rows = list(csv.reader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == 9 and rows[0][:4] == ["market", "currency_pair", "contract", "id"]
    one = listed[0]["id"]
    result = run_cli(risky, "cancel-stop", "--ids", one, "--json")
    assert json.loads(result.stdout)[0]["state"] == "cancelled" and result.returncode == 0
    result = run_cli(risky, "cancel-stop", "--all", "--yes")
    assert result.returncode == 0 and risky.price_orders.open() == []


def test_deadman_fires_when_the_process_dies_without_disarming(risky):
    proc = start_cli(risky, "deadman", "--countdown", "5", stderr=subprocess.PIPE)
    try:
        assert "ARMED" in proc.stderr.readline()
        proc.kill()  # no disarm, no renewal: the exchange must fire
        proc.wait(10)
        assert risky.deadman.fired_event.wait(10)
        assert risky.book.open_orders() == []
    finally:
        proc.stderr.close()


def test_deadman_ctrl_c_disarms(risky):
    proc = start_cli(risky, "deadman", "--countdown", "60", stderr=subprocess.PIPE)
    try:
        assert "ARMED for every spot pair" in proc.stderr.readline()
        assert risky.deadman.timers
        interrupt(proc)
        # Defect: after Ctrl+C the line named the scope as Python's repr, Scope(pair=None, side=None, …)
        assert "dead-man switch disarmed for every spot pair." in proc.stderr.read()
        assert proc.wait(10) == 0
        assert risky.deadman.timers == {}
    finally:
        proc.stderr.close()


@pytest.mark.parametrize("name", catchable("SIGTERM", "SIGHUP"))
def test_deadman_sigterm_and_sighup_disarm_like_ctrl_c(name):
    """Defect: SIGTERM ended the process (143) without disarming, and the switch fired 5 s later."""
    with PaperExchange(orders=40, pairs=3) as ex:  # real time: the 5 s countdown cannot fire during the test
        proc = start_cli(ex, "deadman", "--countdown", "5", stderr=subprocess.PIPE)
        try:
            assert "ARMED" in proc.stderr.readline()
            assert ex.deadman.timers
            send(proc, name)
            rest = proc.stderr.read()
            assert proc.wait(10) == 0
            assert "disarmed" in rest and "Traceback" not in rest
            assert ex.deadman.timers == {} and not ex.deadman.fired_event.is_set()
            assert len(ex.book.open_orders()) == 40
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.stderr.close()


def test_orders_and_stop_orders_tables_name_their_columns(risky):
    """Defect: no header row, and the number shown (what is left of an order) could be read as its amount."""
    for command in ("orders", "stop-orders"):
        lines = run_cli(risky, command).stdout.splitlines()
        assert lines[0].split() == ["Pair", "Side", "Price", "Left", "Id", "Text"], command
        assert len(lines[1].split()) >= 5


def test_journal_lists_what_was_sent(risky):
    run_cli(risky, "cancel", "--all", "--yes")
    result = run_main("journal", "--json")
    records = json.loads(result.stdout)
    assert {"sent", "answer"} <= {r["event"] for r in records} <= {"sent", "answer", "settled"}
    text = run_main("journal", "--filter", "cancel_batch").stdout
    assert "sent" in text and "journal lines in" in text


@pytest.mark.slow
def test_orders_watch_prints_new_and_gone(risky):
    from decimal import Decimal

    proc = start_cli(risky, "orders", "--watch", "2", stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        assert "200 open orders" in proc.stdout.readline()
        gone = risky.book.open_orders()[0]
        risky.book.fill(gone.id)
        placed = risky.book.place("BTC_USDT", "buy", Decimal("50000"), Decimal("0.01"))
        lines = {proc.stdout.readline().split()[0] + proc.stdout.readline().split()[0]}
        assert lines in ({"+-"}, {"-+"})
    finally:
        interrupt(proc)
        proc.communicate(timeout=10)
    assert placed.id and gone.id


def test_orders_watch_refuses_a_too_short_interval(risky):
    result = run_cli(risky, "orders", "--watch", "0.5")
    assert result.returncode == 2 and "at least 2 seconds" in result.stderr


def test_journal_says_where_each_line_went_even_when_the_filter_hides_its_request(risky):
    """Defect: only the window showed the Environment column; the command line's journal did not say
    whether a line was paper or live, and an answer line names its environment only through its request."""
    run_cli(risky, "cancel", "--all", "--yes")
    answers = run_main("journal", "--filter", "latency_ms").stdout.splitlines()[:-1]  # answer lines only
    assert answers and all("  answer  " in line for line in answers)
    assert all(line.split("  ")[1] == "paper" for line in answers), answers
