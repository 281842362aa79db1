"""The command line against the paper exchange over loopback (in this process, through main; the paper
command as a process of its own)."""

import json
import subprocess

import pytest

from gatecancel_gui.paper import PaperExchange
from tests.cli.runner import CLI, key_env, run_main


def run_cli(*args, env_extra=None, key=None):
    return run_main(*args, env={**(env_extra or {}), **(key_env(key) if key is not None else {})})


def test_orders_json_lists_every_open_order(exchange):
    result = run_cli("orders", "--json", "--base-url", exchange.base_url, key=exchange.main_key)
    assert result.returncode == 0, result.stderr
    rows = json.loads(result.stdout)
    assert {r["id"] for r in rows} == {o.id for o in exchange.book.open_orders()}
    assert all(isinstance(r["id"], str) for r in rows)


def test_cancel_pair_side_json_matches_the_exchange(exchange):
    pair = exchange.book.open_pairs()[0]
    result = run_cli("cancel", "--pair", pair, "--side", "buy", "--yes", "--json", "--base-url", exchange.base_url,
                     key=exchange.main_key)
    rows = json.loads(result.stdout)
    buys = [o for o in exchange.book.orders.values() if o.currency_pair == pair and o.side == "buy"]
    assert {r["id"] for r in rows} == {o.id for o in buys}
    for row in rows:
        assert set(row) == {"market", "currency_pair", "id", "succeeded", "label", "message", "state"}
        record = exchange.book.status_of(row["id"])
        assert row["state"] == {"cancelled": "cancelled", "closed": "rejected"}[record]
        assert row["succeeded"] is (record == "cancelled")
    assert result.returncode == (0 if all(r["succeeded"] for r in rows) else 1)
    assert all(o.status == "open" for o in exchange.book.open_orders(pair) if o.side == "sell")


def test_cancel_all_exits_zero_only_when_everything_was_cancelled():
    with PaperExchange(orders=90, fill_fraction=0.0) as ex:
        result = run_cli("cancel", "--all", "--yes", "--base-url", ex.base_url, key=ex.main_key)
        assert result.returncode == 0, result.stderr
        assert ex.book.open_orders() == []
        assert "90 cancelled of 90" in result.stderr


def test_cancel_ids_reports_rejections_and_exits_non_zero(exchange):
    order = exchange.book.open_orders()[0]
    result = run_cli("cancel", "--ids", f"{order.currency_pair}:{order.id}", "BTC_USDT:42", "--json",
                     "--base-url", exchange.base_url, key=exchange.main_key)
    rows = {r["id"]: r for r in json.loads(result.stdout)}
    assert rows["42"]["state"] == "rejected" and rows["42"]["label"] == "ORDER_NOT_FOUND"
    assert result.returncode == 1


@pytest.mark.parametrize("args, expected", [
    (["--base-url", "http://example.com/api/v4"], "only allowed to this computer"),
    (["--base-url", "nonsense"], "not a web address"),
    (["--base-url", "http://127.0.0.1:9/api/v4"], "Nothing answers at this address"),  # at once, not 5 tries
])
def test_bad_urls_give_one_line_and_no_traceback(args, expected, exchange):
    result = run_cli("orders", *args, key=exchange.main_key)
    assert result.returncode == 2
    assert expected in result.stderr and "Traceback" not in result.stderr
    assert exchange.main_key.secret not in result.stderr + result.stdout


def test_bad_credentials_give_one_line(exchange):
    result = run_cli("orders", "--base-url", exchange.base_url,
                     env_extra={"GATE_API_KEY": "zzzz-wrong", "GATE_API_SECRET": "wrong-secret-value"})
    assert result.returncode == 2
    assert "rejected the API key or secret" in result.stderr and "Traceback" not in result.stderr
    assert "wrong-secret-value" not in result.stderr


def test_no_credentials_says_how_to_give_them(exchange):
    result = run_cli("orders", "--base-url", exchange.base_url)
    assert result.returncode == 2 and "GATE_API_KEY" in result.stderr


def test_paper_command_prints_one_json_line_and_serves():
    proc = subprocess.Popen([*CLI, "paper", "--orders", "25"], stdout=subprocess.PIPE, text=True)
    try:
        info = json.loads(proc.stdout.readline())
        assert info["url"].startswith("http://127.0.0.1:") and info["key"] and info["secret"]
        key = type("K", (), {"key": info["key"], "secret": info["secret"]})
        result = run_cli("orders", "--json", "--base-url", info["url"], key=key)
        assert len(json.loads(result.stdout)) == 25
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_the_cancel_summary_names_the_environment(exchange):
    """A new user's trial: the command line named LIVE, PAPER or CUSTOM only in its confirmation."""
    order = exchange.book.open_orders()[0]
    result = run_cli("cancel", "--ids", f"{order.currency_pair}:{order.id}", "--base-url", exchange.base_url,
                     key=exchange.main_key)
    assert result.stderr.strip().splitlines()[-1].endswith("cancelled of 1 on PAPER")
