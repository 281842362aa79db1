"""One counting and one wording of what a cancel puts at stake, for the confirmation and the status bar: an
instrument is a market and a name (a spot pair and its perpetual are two), counted as pairs and
contracts, and every one of them is named (the first few per market, then "+N more")."""

from decimal import Decimal

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.domain.wording import cancel_question, describe_instruments, name_instruments

ONE = Decimal(1)


def order(n, pair, market=Market.SPOT):
    return Order(str(n), pair, "buy", "limit", ONE, ONE, ONE, Decimal(0), 0, market=market)


def test_a_spot_pair_and_its_perpetual_are_a_pair_and_a_contract():
    orders = [order(1, "DOGE_USDT"), order(2, "DOGE_USDT"), order(3, "DOGE_USDT", Market.FUTURES_USDT),
              order(4, "BTC_USD", Market.FUTURES_BTC)]
    assert describe_instruments(orders) == "1 pair and 2 contracts"
    question = cancel_question(orders, "paper")
    assert question.startswith("Cancel 4 orders in 1 pair and 2 contracts on PAPER?")
    assert "Pairs: DOGE_USDT\n" in question
    assert "USDT perpetual contracts: DOGE_USDT\n" in question and question.endswith(
        "BTC perpetual contracts: BTC_USD")


def test_spot_alone_and_futures_alone_say_pairs_or_contracts():
    assert describe_instruments([order(1, "BTC_USDT"), order(2, "ETH_USDT")]) == "2 pairs"
    assert describe_instruments([order(1, "BTC_USDT", Market.FUTURES_USDT)]) == "1 contract"
    assert cancel_question([order(1, "BTC_USDT")], "live").startswith("Cancel 1 order in 1 pair on LIVE?")


def test_the_names_listed_add_up_to_the_count():
    """Defect: the dialog said '400 orders in 22 instruments' and listed 4 names '+10 more' (spot and
    perpetual of one name counted once), while the status bar said '14 pairs and contracts'."""
    spot = [order(n, f"C{n:02d}_USDT") for n in range(14)]
    perpetual = [order(100 + n, f"C{n:02d}_USDT", Market.FUTURES_USDT) for n in range(8)]
    orders = spot + perpetual
    assert describe_instruments(orders) == "14 pairs and 8 contracts"
    lines = name_instruments(orders)
    assert lines == ["Pairs: C00_USDT, C01_USDT, C02_USDT, C03_USDT +10 more",
                     "USDT perpetual contracts: C00_USDT, C01_USDT, C02_USDT, C03_USDT +4 more"]
    question = cancel_question(orders, "paper")
    assert "in 14 pairs and 8 contracts" in question and all(line in question for line in lines)
