"""The one merge rule for a new word about an order (the run, the table and the stream all use it)."""

from __future__ import annotations

import pytest

from gatecancel_gui.core.domain.orders import OrderRef
from gatecancel_gui.core.domain.outcomes import CancelOutcome, OutcomeState, merged

REF = OrderRef("1", "BTC_USDT")
S = OutcomeState


def outcome(state: OutcomeState, label: str = "", *, reconciled: bool = False) -> CancelOutcome:
    return CancelOutcome(REF, state, label, reconciled=reconciled)


CANCELLED = outcome(S.CANCELLED)
GONE = outcome(S.REJECTED, "ORDER_NOT_FOUND")
REFUSED = outcome(S.REJECTED, "BALANCE_NOT_ENOUGH")
UNKNOWN = outcome(S.UNKNOWN, "TIMEOUT")
NOT_SENT = outcome(S.NOT_SENT, "STOPPED")
RECORD_CANCELLED = outcome(S.CANCELLED, reconciled=True)
RECORD_FILLED = outcome(S.REJECTED, "ORDER_FILLED", reconciled=True)


@pytest.mark.parametrize(("current", "new", "across_runs", "kept"), [
    (None, UNKNOWN, False, "new"),
    (UNKNOWN, CANCELLED, False, "new"),               # an unknown is replaced by what is learnt
    (CANCELLED, GONE, False, "current"),              # a second cancel's ORDER_NOT_FOUND is weaker
    (CANCELLED, GONE, True, "current"),
    (GONE, UNKNOWN, True, "current"),
    (REFUSED, CANCELLED, False, "current"),           # within a run a final answer stays
    (REFUSED, CANCELLED, True, "new"),                # a new run may succeed where the last was refused
    (NOT_SENT, CANCELLED, True, "new"),
    (NOT_SENT, UNKNOWN, False, "current"),
    (REFUSED, RECORD_FILLED, False, "new"),           # the order's own record replaces the refusal
    (GONE, RECORD_CANCELLED, True, "new"),
    (CANCELLED, RECORD_FILLED, True, "current"),      # Gate said cancelled: that is known for good
    (RECORD_CANCELLED, GONE, True, "current"),
])
def test_what_is_known_stays_and_a_weaker_word_never_replaces_it(
        current: CancelOutcome | None, new: CancelOutcome, across_runs: bool, kept: str) -> None:
    result = merged(current, new, across_runs=across_runs)
    assert result is (new if kept == "new" else current)


def test_one_diff_of_two_listings_by_full_identity() -> None:
    """The command line's --watch and the table's refresh read changes the same way; the same id in spot
    and in a futures market is two orders."""
    from decimal import Decimal

    from gatecancel_gui.core.domain.markets import Market
    from gatecancel_gui.core.domain.orders import Order, order_changes

    def order(order_id: str, left: str = "1", market: Market = Market.SPOT) -> Order:
        return Order(id=order_id, instrument="BTC_USDT", side="buy", type="limit", price=Decimal(1),
                     amount=Decimal(1), left=Decimal(left), filled_amount=Decimal(0), create_time_ms=0,
                     market=market)

    before = [order("1"), order("2"), order("3")]
    after = [order("1"), order("2", left="0.5"), order("3", market=Market.FUTURES_USDT), order("4")]
    changes = order_changes(before, after)
    assert [o.id for o in changes.new] == ["3", "4"] and changes.new[0].market is Market.FUTURES_USDT
    assert [(o.id, o.market) for o in changes.gone] == [("3", Market.SPOT)]
    assert [(o.id, o.left) for o in changes.changed] == [("2", Decimal("0.5"))]
