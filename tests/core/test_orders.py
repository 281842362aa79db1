from decimal import Decimal

from gatecancel_gui.core.gate.spot_orders import load_open_orders, load_pair_orders
from gatecancel_gui.paper import PaperExchange
from tests.conftest import client_for


def test_loads_every_pair_and_pages_past_100_in_one_pair():
    with PaperExchange(orders=700, pairs=12, heavy_pairs=2) as ex, client_for(ex) as c:
        pages = []
        orders = load_open_orders(c, progress=lambda page, n: pages.append((page, n)))
        truth = {o.id for o in ex.book.open_orders()}
        assert {o.id for o in orders} == truth and len(orders) == 700
        per_pair = {}
        for o in orders:
            per_pair[o.instrument] = per_pair.get(o.instrument, 0) + 1
        assert max(per_pair.values()) > 100  # paging was needed
        assert len(per_pair) == 12
        assert len(pages) >= 2 and pages[-1][1] == 700


def test_ids_stay_strings_and_amounts_are_decimal(exchange, client):
    orders = load_open_orders(client)
    big = max(orders, key=lambda o: int(o.id))
    assert isinstance(big.id, str) and int(big.id) > 2**53
    assert exchange.book.orders[big.id].price == big.price
    assert isinstance(big.amount, Decimal) and isinstance(big.left, Decimal)


def test_one_pair_all_pages_and_side(exchange, client):
    heavy = max(exchange.book.open_pairs(), key=lambda p: len(exchange.book.open_orders(p)))
    truth = exchange.book.open_orders(heavy)
    assert len(truth) > 100
    assert {o.id for o in load_pair_orders(client, heavy)} == {o.id for o in truth}
    sells = load_pair_orders(client, heavy, side="sell")
    assert {o.id for o in sells} == {o.id for o in truth if o.side == "sell"}


def test_account_parameter_is_sent_and_signed(exchange):
    with client_for(exchange, account="unified") as c:
        assert len(load_open_orders(c)) == 600


def test_empty_account_loads_nothing():
    with PaperExchange(orders=0) as ex, client_for(ex) as c:
        assert load_open_orders(c) == []
