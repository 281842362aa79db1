"""Bad input on the command line (numbers out of range, a profile, a pair or an id that does not exist):
exit 2, one sentence starting `gatecancel: `, no traceback, and nothing sent to the exchange."""

import json

import pytest

from gatecancel_gui.paper import PaperExchange
from tests.cli.runner import run_main
from tests.cli.test_cli_risk import run_cli


def sent_nothing(ex):
    """No cancel, cancel-all or dead-man request reached the exchange."""
    return [r for r in ex.requests if r[0] in ("POST", "DELETE")] == []


def one_sentence(result, *expected):
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and lines[0].startswith("gatecancel: "), result.stderr
    assert "Traceback" not in result.stderr and "usage:" not in result.stderr
    for text in expected:
        assert text in lines[0], lines[0]


@pytest.mark.parametrize("args", [
    ["orders", "--timeout", "-1"],          # was a ValueError traceback
    ["orders", "--timeout", "0"],           # was blamed on the network
    ["orders", "--timeout", "nan"],
    ["orders", "--timeout", "1000"],
    ["orders", "--watch", "-2"],
    ["orders", "--watch", "1e9"],
    ["cancel", "--all", "--in-flight", "0"],    # was silently 1
    ["cancel", "--all", "--in-flight", "-3"],
    ["cancel", "--all", "--in-flight", "101"],  # had no upper bound
    ["cancel", "--all", "--in-flight", "65"],   # past the sender threads and connections (it allowed 100)
    ["cancel", "--all", "--in-flight", "2.5"],
    ["deadman", "--countdown", "4"],
    ["deadman", "--countdown", "3601"],
    ["deadman", "--countdown", "5.5"],
])
def test_numbers_out_of_range_are_one_sentence_and_send_nothing(args):
    with PaperExchange(orders=40, pairs=3, fill_fraction=0.0) as ex:
        result = run_cli(ex, *args)
        one_sentence(result, args[-2], f"'{args[-1]}'")
        assert sent_nothing(ex) and len(ex.book.open_orders()) == 40
        assert ex.deadman.timers == {}


@pytest.mark.parametrize("args", [
    ["--port", "-1"], ["--port", "65536"], ["--orders", "-5"], ["--pairs", "0"], ["--heavy-pairs", "-1"],
    ["--latency-ms", "-1"], ["--fill-fraction", "1.5"], ["--stop-orders", "-1"], ["--seed", "x"],
])
def test_paper_numbers_out_of_range_are_one_sentence(args):
    result = run_main("paper", *args)
    one_sentence(result, args[0])
    assert result.stdout == ""  # no URL was printed: no exchange was started


def test_a_watch_too_short_names_the_rate_limits():
    with PaperExchange(orders=10, pairs=2) as ex:
        one_sentence(run_cli(ex, "orders", "--watch", "0.5"), "at least 2 seconds")


def test_a_profile_that_does_not_exist_is_named_before_the_keyring_is_touched():
    """Defect: --profile nosuch said the keyring could not be read ("Is it locked?")."""
    with PaperExchange(orders=10, pairs=2) as ex:
        result = run_cli(ex, "orders", "--profile", "nosuch")
        one_sentence(result, "There is no profile named 'nosuch'.")
        assert "keyring" not in result.stderr.lower()


@pytest.mark.parametrize("args, expected", [
    (["cancel", "--pair", "BTCUSDT"], "There is no pair BTCUSDT on Gate; did you mean BTC_USDT?"),
    (["cancel", "--pair", "eth-usdt", "--side", "buy"], "There is no pair ETH-USDT on Gate; did you mean ETH_USDT?"),
    (["cancel", "--pair", "NOPE_USDT"], "There is no pair NOPE_USDT on Gate"),
    (["cancel", "--ids", "BTCUSDT:9007199254740993"], "There is no pair BTCUSDT on Gate; did you mean BTC_USDT?"),
    (["cancel-all", "--pair", "NOPE_USDT", "--yes"], "There is no pair NOPE_USDT on Gate"),
    (["cancel-all", "--pair", "SOLUSDT", "--yes"], "did you mean SOL_USDT?"),
    (["deadman", "--pair", "NOPE_USDT", "--countdown", "60"], "There is no pair NOPE_USDT on Gate"),
    (["deadman", "--pair", "NOPE_USDT", "--disarm"], "There is no pair NOPE_USDT on Gate"),
])
def test_a_pair_gate_does_not_list_is_refused_with_the_closest_real_one(args, expected):
    """Defect: such a pair read as "no open orders match" (exit 0), "0 cancelled of 0", or armed a
    dead-man switch on nothing."""
    with PaperExchange(orders=60, pairs=4, fill_fraction=0.0) as ex:
        result = run_cli(ex, *args)
        one_sentence(result, expected)
        assert sent_nothing(ex) and len(ex.book.open_orders()) == 60 and ex.deadman.timers == {}


def test_every_pair_the_paper_book_holds_is_a_real_pair_and_cancels():
    """The paper exchange names pairs beyond its reference prices (P020_USDT …): Gate's list must hold them."""
    with PaperExchange(orders=120, pairs=25, fill_fraction=0.0) as ex:
        pair = "P024_USDT"
        assert pair in ex.book.open_pairs()
        result = run_cli(ex, "cancel", "--pair", pair.lower(), "--yes", "--json")
        assert result.returncode == 0, result.stderr
        assert json.loads(result.stdout) and ex.book.open_orders(pair) == []


@pytest.mark.parametrize("args, expected", [
    (["cancel", "--ids", "BTC_USDT:abc"], "'abc' is not an order id"),
    (["cancel", "--ids", "BTC_USDT:123", "BTC_USDT:12e3"], "'12e3' is not an order id"),
    (["cancel", "--ids", "BTC_USDT:t-"], "'t-' is not an order id"),
    (["cancel", "--ids", "BTC_USDT:t-has space"], "is not an order id"),
    (["cancel", "--ids", "BTC_USDT"], "'BTC_USDT' is not PAIR:ID"),
    (["cancel-stop", "--ids", "t-abc"], "'t-abc' is not a stop order id"),
    (["cancel-stop", "--ids", "123", "-5"], "not a stop order id"),
])
def test_an_id_that_is_not_an_id_is_refused_before_anything_is_sent(args, expected):
    """Defect: `--ids BTC_USDT:abc` was sent to the exchange (and came back ORDER_NOT_FOUND, exit 1)."""
    with PaperExchange(orders=30, pairs=3, price_orders=3) as ex:
        result = run_cli(ex, *args)
        one_sentence(result, expected)
        assert sent_nothing(ex) and len(ex.price_orders.open()) == 3


def test_a_custom_text_id_is_an_id():
    with PaperExchange(orders=30, pairs=3) as ex:
        result = run_cli(ex, "cancel", "--ids", "BTC_USDT:t-grid-bot.1", "--json")
        assert result.returncode == 1, result.stderr  # sent; the paper book has no such order
        assert json.loads(result.stdout)[0]["id"] == "t-grid-bot.1"


def cached_pairs(ex, pairs, age_s=0.0):
    """Put a pair list for this exchange in the cache file, as an earlier run would have left it."""
    import time

    from gatecancel_gui.core.store.paths import data_dir

    path = data_dir() / "currency-pairs.json"
    path.write_text(json.dumps({ex.base_url: {"fetched_at": time.time() - age_s, "pairs": pairs}}), encoding="utf-8")
    return path


def pair_list_reads(ex):
    return [r for r in ex.requests if r[:2] == ("GET", "/spot/currency_pairs")]


def test_a_fresh_cached_pair_list_says_yes_without_asking_gate():
    with PaperExchange(orders=30, pairs=3) as ex:
        cached_pairs(ex, ["BTC_USDT", "ZZZ_USDT"])
        result = run_cli(ex, "cancel", "--pair", "ZZZ_USDT", "--yes")
        assert result.returncode == 0 and "no open orders match" in result.stderr
        assert pair_list_reads(ex) == []


@pytest.mark.parametrize("age_s", [0.0, 3 * 24 * 3600.0])
def test_a_cached_no_is_asked_again_before_a_pair_is_refused(age_s):
    """Gate lists new pairs every week: a pair missing from a cached list may be new, not mistyped."""
    with PaperExchange(orders=60, pairs=3, fill_fraction=0.0) as ex:
        pair = ex.book.open_pairs()[0]
        path = cached_pairs(ex, ["ZZZ_USDT"], age_s)
        result = run_cli(ex, "cancel", "--pair", pair, "--yes", "--json")
        assert result.returncode == 0, result.stderr
        assert ex.book.open_orders(pair) == [] and len(pair_list_reads(ex)) == 1
        assert pair in json.loads(path.read_text(encoding="utf-8"))[ex.base_url]["pairs"]


@pytest.mark.slow
def test_an_unreadable_pair_list_lets_the_cancel_through_and_says_so():
    """A cancel never waits on a public list: when Gate will not give it, the pair goes unchecked."""
    from gatecancel_gui.paper.faults import Fault

    with PaperExchange(orders=60, pairs=3, fill_fraction=0.0) as ex:
        ex.plan("GET /spot/currency_pairs", repeat=Fault.BUSY_503)
        pair = ex.book.open_pairs()[0]
        result = run_cli(ex, "cancel", "--pair", pair, "--yes")
        assert result.returncode == 0, result.stderr
        assert "pair list could not be read" in result.stderr and ex.book.open_orders(pair) == []


def test_damaged_journal_lines_are_skipped_counted_and_the_rest_shown():
    """Defect: one line cut short by a crash made `gatecancel journal` refuse the whole journal, and a line
    that was JSON but not an object was a traceback."""
    from gatecancel_gui.core.store.journal import Journal

    Journal().path.parent.mkdir(parents=True, exist_ok=True)
    Journal().path.write_text('{"event": "sent", "request": "a"}\n[1]\n{"event": "answer", "request": "a"}\n'
                              '{"event": "answ', encoding="utf-8")  # cut short by a crash
    for args in (["journal"], ["journal", "--json"]):
        result = run_main(*args)
        assert result.returncode == 0 and "Traceback" not in result.stderr
        assert result.stderr.strip().splitlines() == [
            f"gatecancel: 2 damaged lines of {Journal().path} were skipped (cut short or not a journal record)."]
    assert [r["event"] for r in json.loads(result.stdout)] == ["sent", "answer"]
    assert "2 journal lines in" in run_main("journal").stdout


def test_a_command_that_does_not_exist_is_one_sentence():
    result = run_main("cancle")
    one_sentence(result, "'cancle' is not a command (choose from 'orders', 'cancel'")
