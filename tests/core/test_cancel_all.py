from gatecancel_gui.core.cancel_all import Scope, cancel_all
from gatecancel_gui.core.journal import Journal


def test_cancel_all_in_one_pair_side_is_confirmed_by_listing(exchange, client, tmp_path):
    pair = exchange.book.open_pairs()[0]
    buys = {o.id for o in exchange.book.open_orders(pair) if o.side == "buy"}
    result = cancel_all(client, Scope(pair, "buy"), journal=Journal(tmp_path / "j.jsonl"))
    assert result.requested and not result.still_open
    assert {o.id for o in result.gone} == buys
    assert all(exchange.book.status_of(i) in ("cancelled", "closed") for i in buys)
    assert any(o.side == "sell" for o in exchange.book.open_orders(pair))
