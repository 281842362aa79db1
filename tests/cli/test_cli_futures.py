"""The command line with --market: futures orders listed, cancelled by id or all of a settlement, rows
that say their market and contract, and bad input refused before anything is sent."""

import json

import pytest

from gatecancel_gui.paper import PaperExchange
from tests.cli.runner import key_env, run_main
from tests.cli.test_cli import run_cli


def test_orders_market_all_lists_spot_and_both_futures_settlements_with_their_identity():
    with PaperExchange(orders=30, pairs=3, futures_orders=120) as ex:
        result = run_cli("orders", "--market", "all", "--json", "--base-url", ex.base_url, key=ex.main_key)
        assert result.returncode == 0, result.stderr
        rows = json.loads(result.stdout)
        by_market = {m: [r for r in rows if r["market"] == m] for m in ("spot", "futures-usdt", "futures-btc")}
        assert len(by_market["spot"]) == 30 and len(by_market["futures-usdt"]) == 90
        assert len(by_market["futures-btc"]) == 30
        assert all("currency_pair" in r and "contract" not in r for r in by_market["spot"])
        futures = by_market["futures-usdt"] + by_market["futures-btc"]
        assert all("contract" in r and "currency_pair" not in r and isinstance(r["id"], str) for r in futures)
        assert {r["id"] for r in by_market["futures-usdt"]} == {str(o.id) for o in ex.futures.open_orders("usdt")}
        table = run_cli("orders", "--market", "futures-btc", "--base-url", ex.base_url, key=ex.main_key)
        assert table.returncode == 0 and "futures-btc" in table.stdout and "30 open orders" in table.stdout


def test_cancel_futures_ids_reports_each_order_by_contract():
    with PaperExchange(orders=10, futures_orders=40, fill_fraction=0.0) as ex:
        first, second = ex.futures.open_orders("usdt")[:2]
        result = run_cli("cancel", "--market", "futures-usdt", "--ids", f"{first.contract}:{first.id}",
                         f"{second.contract}:{second.id}", "BTC_USDT:42", "--json", "--base-url", ex.base_url,
                         key=ex.main_key)
        rows = {r["id"]: r for r in json.loads(result.stdout)}
        assert rows[str(first.id)]["state"] == "cancelled" and rows[str(first.id)]["contract"] == first.contract
        assert rows[str(first.id)]["market"] == "futures-usdt"
        assert rows["42"]["state"] == "rejected" and rows["42"]["label"] == "ORDER_NOT_FOUND"
        assert result.returncode == 1
        assert ex.futures.status_of("usdt", str(second.id)) == ("finished", "cancelled")


def test_cancel_all_of_one_settlement_leaves_the_other_and_spot_alone():
    with PaperExchange(orders=20, futures_orders=80, fill_fraction=0.0) as ex:
        result = run_cli("cancel", "--market", "futures-btc", "--all", "--yes", "--base-url", ex.base_url,
                         key=ex.main_key)
        assert result.returncode == 0, result.stderr
        assert ex.futures.open_orders("btc") == []
        assert len(ex.futures.open_orders("usdt")) == 60 and len(ex.book.open_orders()) == 20


def test_bad_market_or_contract_is_one_sentence_and_exit_2_with_nothing_sent():
    with PaperExchange(orders=10, futures_orders=10) as ex:
        bad_market = run_cli("cancel", "--market", "futures-eth", "--all", "--base-url", ex.base_url,
                             key=ex.main_key)
        assert bad_market.returncode == 2 and "Traceback" not in bad_market.stderr
        assert "futures-eth" in bad_market.stderr and len(bad_market.stderr.strip().splitlines()) == 1
        bad_id = run_cli("cancel", "--market", "futures-usdt", "--ids", "BTC USDT:1", "--base-url", ex.base_url,
                         key=ex.main_key)
        assert bad_id.returncode == 2 and "is not a contract" in bad_id.stderr and "Traceback" not in bad_id.stderr
        assert ex.cancel_requests("/futures/usdt/batch_cancel_orders") == []


def test_cancel_all_of_one_contract_confirmed_and_reported_per_order():
    with PaperExchange(orders=10, futures_orders=100, fill_fraction=0.0) as ex:
        before = {str(o.id) for o in ex.futures.open_orders("usdt", "SOL_USDT")}
        result = run_cli("cancel-all", "--market", "futures-usdt", "--pair", "sol_usdt", "--yes", "--json",
                         "--base-url", ex.base_url, key=ex.main_key)
        assert result.returncode == 0, result.stderr
        rows = json.loads(result.stdout)
        assert {r["id"] for r in rows} == before and all(r["contract"] == "SOL_USDT" for r in rows)
        assert all(r["state"] == "cancelled" for r in rows)
        assert ex.futures.open_orders("usdt", "SOL_USDT") == [] and ex.futures.open_orders("usdt", "BTC_USDT")


def test_stop_orders_of_every_market_listed_and_a_futures_one_cancelled():
    with PaperExchange(orders=20, futures_orders=20, price_orders=8) as ex:
        listed = run_cli("stop-orders", "--market", "all", "--json", "--base-url", ex.base_url, key=ex.main_key)
        rows = json.loads(listed.stdout)
        assert {r["market"] for r in rows} == {"spot", "futures-usdt", "futures-btc"}
        target = ex.futures.open_price_orders("usdt")[0]
        result = run_cli("cancel-stop", "--market", "futures-usdt", "--ids", str(target.id), "--json",
                         "--base-url", ex.base_url, key=ex.main_key)
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout)[0]["state"] == "cancelled"
        assert ex.futures.price_order("usdt", str(target.id)).status == "finished"


def test_deadman_disarm_on_a_futures_contract():
    with PaperExchange(orders=5, futures_orders=10) as ex:
        result = run_cli("deadman", "--market", "futures-btc", "--pair", "BTC_USD", "--disarm",
                         "--base-url", ex.base_url, key=ex.main_key)
        assert result.returncode == 0, result.stderr
        assert "disarmed for BTC perpetual contract BTC_USD" in result.stderr


def sent_nothing(ex):
    return [r for r in ex.requests if r[0] in ("POST", "DELETE")] == []


@pytest.mark.parametrize("args, expected", [
    (["cancel", "--market", "futures-usdt", "--pair", "BTC_USTD", "--yes"],
     "There is no USDT perpetual contract BTC_USTD on Gate; did you mean BTC_USDT?"),
    (["cancel", "--market", "futures-usdt", "--ids", "BTC_USTD:58546000000000001"],
     "There is no USDT perpetual contract BTC_USTD on Gate; did you mean BTC_USDT?"),
    (["cancel", "--market", "futures-btc", "--pair", "BTC_USDT", "--yes"],
     "There is no BTC perpetual contract BTC_USDT on Gate; did you mean BTC_USD?"),
    (["cancel-all", "--market", "futures-usdt", "--pair", "BTC_USTD", "--yes"],
     "There is no USDT perpetual contract BTC_USTD on Gate; did you mean BTC_USDT?"),
    (["cancel-all", "--market", "futures-btc", "--pair", "BTC_USDT", "--yes"], "did you mean BTC_USD?"),
    (["deadman", "--market", "futures-usdt", "--pair", "BTC_USTD", "--disarm"], "did you mean BTC_USDT?"),
    (["deadman", "--market", "futures-usdt", "--pair", "BTC_USTD"], "did you mean BTC_USDT?"),
    (["deadman", "--market", "futures-usdt", "--pair", "NOPE_USDT"], "There is no USDT perpetual contract NOPE_USDT"),
])
def test_a_contract_the_settlement_does_not_list_is_refused_with_the_closest_real_one(args, expected):
    """Defect: a mistyped contract (or one of the other settlement) read as "no open orders match" (exit 0),
    "0 cancelled of 0", or armed a dead-man switch on a contract that does not exist."""
    with PaperExchange(orders=10, futures_orders=40, fill_fraction=0.0) as ex:
        result = run_main(*args, "--base-url", ex.base_url, env=key_env(ex.main_key))
        assert result.returncode == 2, result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("gatecancel: "), result.stderr
        assert expected in result.stderr
        assert sent_nothing(ex) and ex.deadman.timers == {}
        assert len(ex.futures.open_orders("usdt")) == 30 and len(ex.futures.open_orders("btc")) == 10


@pytest.mark.parametrize("command", [["orders"], ["stop-orders"], ["cancel-stop", "--all"]])
def test_commands_without_a_pair_refuse_one(command):
    with PaperExchange(orders=5, futures_orders=5) as ex:
        result = run_main(*command, "--market", "futures-usdt", "--pair", "BTC_USTD", "--base-url", ex.base_url,
                          env=key_env(ex.main_key))
        assert result.returncode == 2 and "--pair" in result.stderr and "Traceback" not in result.stderr
        assert sent_nothing(ex)


def test_a_real_contract_is_checked_once_per_settlement_and_cancels():
    with PaperExchange(orders=5, futures_orders=40, fill_fraction=0.0) as ex:
        result = run_main("cancel", "--market", "futures-usdt", "--pair", "eth-usdt", "--yes", "--json",
                          "--base-url", ex.base_url, env=key_env(ex.main_key))
        assert result.returncode == 0, result.stderr
        assert ex.futures.open_orders("usdt", "ETH_USDT") == [] and ex.futures.open_orders("usdt", "BTC_USDT")
        reads = [r for r in ex.requests if r[:2] == ("GET", "/futures/usdt/contracts")]
        assert len(reads) == 1


@pytest.mark.slow
def test_an_unreadable_contract_list_lets_the_cancel_through_and_says_so():
    from gatecancel_gui.paper.faults import Fault

    with PaperExchange(orders=5, futures_orders=40, fill_fraction=0.0) as ex:
        ex.plan("GET /futures/usdt/contracts", repeat=Fault.BUSY_503)
        result = run_main("cancel", "--market", "futures-usdt", "--pair", "SOL_USDT", "--yes",
                          "--base-url", ex.base_url, env=key_env(ex.main_key))
        assert result.returncode == 0, result.stderr
        assert "USDT perpetual contract list could not be read" in result.stderr
        assert ex.futures.open_orders("usdt", "SOL_USDT") == []


def test_the_paper_exchange_lists_every_contract_it_holds_orders_in():
    import httpx

    with PaperExchange(orders=5, futures_orders=200) as ex:
        for settle in ("usdt", "btc"):
            listed = {c["name"] for c in httpx.get(f"{ex.base_url}/futures/{settle}/contracts").json()}
            assert {o.contract for o in ex.futures.open_orders(settle)} <= listed
