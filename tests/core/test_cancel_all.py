from gatecancel_gui.core.cancel.cancel_all import cancel_all
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.store.journal import COLUMNS, Journal, journal_rows


def test_cancel_all_in_one_pair_side_is_confirmed_by_listing(exchange, client, tmp_path):
    pair = exchange.book.open_pairs()[0]
    buys = {o.id for o in exchange.book.open_orders(pair) if o.side == "buy"}
    result = cancel_all(client, Scope(pair, "buy"), journal=Journal(tmp_path / "j.jsonl"))
    assert result.requested and not result.still_open
    assert {o.id for o in result.gone} == buys
    assert all(exchange.book.status_of(i) in ("cancelled", "closed") for i in buys)
    assert any(o.side == "sell" for o in exchange.book.open_orders(pair))


def test_the_journal_carries_each_order_outcome_found_by_the_confirmation(exchange, client, tmp_path):
    """A cancel-all's answer says only "accepted": the journal must also say what became of each order."""
    pair = exchange.book.open_pairs()[0]
    targets = {o.id for o in exchange.book.open_orders(pair)}
    journal = Journal(tmp_path / "j.jsonl")
    result = cancel_all(client, Scope(pair), journal=journal)
    [settled] = [r for r in journal.read() if r["event"] == "settled"]
    assert settled["endpoint"] == "DELETE /spot/orders" and settled["environment"] == "paper"
    by_id = {r["id"]: r for r in settled["results"]}
    assert set(by_id) == targets
    for order_id, row in by_id.items():
        assert row["succeeded"] is (exchange.book.status_of(order_id) == "cancelled")
        assert row["succeeded"] is result.report.outcomes[next(r for r in result.report.outcomes
                                                              if r.id == order_id)].succeeded
    rows = journal_rows(journal.read())
    event, orders, result = (COLUMNS.index(name) for name in ("Event", "Orders", "Result"))
    assert rows[-1][event] == "settled" and f"{len(targets)}:" in rows[-1][orders] and "cancelled" in rows[-1][result]
