"""What the command line prints: CSV that says each row's market and keeps contracts apart from coin
amounts, the cancel table's header, JSON where --json is given, and counts in singular or plural."""

import csv
import json

import pytest

from gatecancel_gui.paper import PaperExchange
from tests.cli.runner import key_env, piped_process, run_main
from tests.processes import interrupt


def run(ex, *args):
    return run_main(*args, "--base-url", ex.base_url, env=key_env(ex.main_key))


@pytest.fixture(scope="module")
def mixed():
    with PaperExchange(orders=12, pairs=2, futures_orders=12, price_orders=8, fill_fraction=0.0) as ex:
        yield ex


@pytest.mark.parametrize("command", ["orders", "stop-orders"])
def test_csv_of_every_market_says_each_rows_market_and_keeps_contracts_apart(mixed, tmp_path, command):
    """Defect: `--market all --csv` had no market column (a spot and a perpetual BTC_USDT row looked the
    same) and contract counts sat in the coin-amount column."""
    path = tmp_path / "out.csv"
    result = run(mixed, command, "--market", "all", "--csv", str(path), "--json")
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    rows = list(csv.DictReader(path.read_text(encoding="utf-8-sig").splitlines()))
    assert len(rows) == len(listed) and {r["market"] for r in rows} == {"spot", "futures-usdt", "futures-btc"}
    for row in rows:
        if row["market"] == "spot":
            assert row["currency_pair"] and row["amount"] and row["left"]
            assert row["contract"] == row["contracts"] == row["contracts_left"] == ""
        else:
            assert row["contract"] and row["contracts"] and row["contracts_left"]
            assert row["currency_pair"] == row["amount"] == row["left"] == ""
            assert int(row["contracts"]) > 0


def test_the_cancel_table_has_a_header_row(mixed):
    order = mixed.book.open_orders()[0]
    lines = run(mixed, "cancel", "--ids", f"{order.currency_pair}:{order.id}").stdout.splitlines()
    assert lines[0].split() == ["Pair", "Id", "Result", "Detail"]
    assert lines[1].split()[:3] == [order.currency_pair, order.id, "cancelled"]
    contract = mixed.futures.open_orders("usdt")[0]
    lines = run(mixed, "cancel", "--market", "futures-usdt", "--ids", f"{contract.contract}:{contract.id}").stdout
    assert lines.splitlines()[0].split() == ["Market", "Contract", "Id", "Result", "Detail"]


def test_cancel_stop_json_names_the_pair_of_a_spot_stop_order_given_by_id(mixed):
    """Defect: `cancel-stop --ids ID --json` printed an empty currency_pair for spot."""
    target = mixed.price_orders.open()[0]
    rows = json.loads(run(mixed, "cancel-stop", "--ids", str(target.id), "--json").stdout)
    assert rows[0]["currency_pair"] == target.market and rows[0]["state"] == "cancelled"
    rows = json.loads(run(mixed, "cancel-stop", "--ids", "123456789", "--json").stdout)  # no such stop order
    assert rows[0]["currency_pair"] is None and rows[0]["state"] != "cancelled"


def test_counts_of_one_are_singular():
    """Defect: "1 open stop orders in 1 instruments"."""
    with PaperExchange(orders=1, pairs=1, price_orders=1) as ex:
        assert run(ex, "stop-orders").stdout.splitlines()[-1] == "1 open stop order in 1 pair"
        assert run(ex, "orders").stdout.splitlines()[-1] == "1 open order in 1 pair"
        assert run(ex, "orders", "--market", "all").stdout.splitlines()[-1] == "1 open order in 1 pair"


def test_deadman_disarm_json_is_one_object(mixed):
    """Defect: `deadman --json` was accepted and ignored."""
    result = run(mixed, "deadman", "--market", "futures-usdt", "--pair", "BTC_USDT", "--disarm", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"event": "disarmed", "market": "futures-usdt", "contract": "BTC_USDT"}
    result = run(mixed, "deadman", "--disarm", "--json")
    assert json.loads(result.stdout) == {"event": "disarmed", "market": "spot", "currency_pair": None}


def test_deadman_json_prints_one_line_when_armed_and_one_when_disarmed():
    with PaperExchange(orders=5, pairs=1) as ex:
        with piped_process("deadman", "--countdown", "60", "--json", "--base-url", ex.base_url,
                           env=key_env(ex.main_key)) as proc:
            armed = json.loads(proc.stdout.readline())
            assert armed["event"] == "armed" and armed["countdown_s"] == 60 and armed["trigger_time_ms"] > 0
            assert armed["market"] == "spot" and armed["currency_pair"] is None
            interrupt(proc)
            out, _ = proc.communicate(timeout=20)
            assert json.loads(out) == {"event": "disarmed", "market": "spot", "currency_pair": None}
            assert proc.returncode == 0 and ex.deadman.timers == {}
