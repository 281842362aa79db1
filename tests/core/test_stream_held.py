"""The one rule for applying an event to the orders held, as tables: out-of-order events never overwrite a
newer state, a finish is never revived, a put or update is reported only when it changes something, and a
re-listing becomes puts, updates and finishes."""

from dataclasses import replace
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.stream.events import EventKind
from gatecancel_gui.core.stream.events import OrderEvent as Event
from gatecancel_gui.core.stream.held import HeldOrder, HeldOrders, judge, relisting_diff

PUT, UPDATE, FINISH = EventKind.PUT, EventKind.UPDATE, EventKind.FINISH


def order(oid="1", left="10", market=Market.SPOT, **fields):
    return Order(id=oid, instrument="BTC_USDT", side="buy", type="limit", price=Decimal("100"), amount=Decimal("10"),
                 left=Decimal(left), filled_amount=Decimal(10) - Decimal(left), create_time_ms=1, market=market,
                 **fields)


def ev(kind, left="10", version=0, listed=False, oid="1", finish_as=None):
    o = order(oid, left, status="finished" if kind is FINISH else "open")
    return Event(kind, o, finish_as or ("filled" if kind is FINISH else "open"), version=version, listed=listed)


HELD = HeldOrder(order(left="6"), version=5)

# (what is held, finished before?, the event) -> what is reported (kind, left), or None: dropped
JUDGE_TABLE = [
    # nothing held: a put or an update is the order appearing
    (None, False, ev(PUT, "10", 1), (PUT, "10")),
    (None, False, ev(UPDATE, "7", 2), (PUT, "7")),
    (None, False, ev(FINISH, "0", 3), (FINISH, "0")),
    # held at version 5: older or equal versions are dropped, newer ones applied
    (HELD, False, ev(UPDATE, "8", 4), None),
    (HELD, False, ev(UPDATE, "8", 5), None),
    (HELD, False, ev(PUT, "10", 1), None),             # a late put never rolls a fill back
    (HELD, False, ev(UPDATE, "3", 6), (UPDATE, "3")),
    (HELD, False, ev(PUT, "3", 6), (UPDATE, "3")),     # held already: reported as an update
    (HELD, False, ev(UPDATE, "6", 7), None),           # newer, but nothing changed
    # a finish is applied whatever its version (dropping one would leave a phantom open order)
    (HELD, False, ev(FINISH, "6", 4), (FINISH, "6")),
    (HELD, False, ev(FINISH, "0", 9), (FINISH, "0")),
    # a finish is never revived, and a second finish says nothing new
    (None, True, ev(PUT, "10", 99), None),
    (None, True, ev(UPDATE, "1", 99), None),
    (None, True, ev(FINISH, "0", 99), None),
    # unknown versions (0) cannot be ordered: the numbers decide
    (HeldOrder(order(left="6")), False, ev(UPDATE, "2", 3), (UPDATE, "2")),
    (HELD, False, ev(UPDATE, "2", 0), (UPDATE, "2")),
    # what was filled is never rolled back, whatever the version (the listing carries none)
    (HeldOrder(order(left="6")), False, ev(UPDATE, "8", 3), None),
    (HELD, False, ev(UPDATE, "8", 9), None),
    (HELD, False, ev(UPDATE, "8", 0, listed=True), None),
    # a listed event is newer than every message read before it: never compared by version
    (HELD, False, ev(UPDATE, "2", 0, listed=True), (UPDATE, "2")),
    (HELD, False, ev(UPDATE, "6", 0, listed=True), None),
]


@pytest.mark.parametrize(("held", "finished", "event", "expected"), JUDGE_TABLE)
def test_judge(held, finished, event, expected):
    verdict = judge(held, finished, event)
    if expected is None:
        assert verdict is None
    else:
        assert (verdict.kind, str(verdict.order.left)) == expected
        assert verdict.listed == event.listed and verdict.version == event.version


# a sequence of events for one order -> what is reported, and what is held at the end (left, or None: gone)
SEQUENCES = [
    ([ev(PUT, "10", 1), ev(UPDATE, "7", 2), ev(FINISH, "0", 3)], [(PUT, "10"), (UPDATE, "7"), (FINISH, "0")], None),
    # out of order: the older update arrives after the newer one and is dropped
    ([ev(PUT, "10", 1), ev(UPDATE, "4", 3), ev(UPDATE, "7", 2)], [(PUT, "10"), (UPDATE, "4")], "4"),
    # a finish, then a late put and update: never revived
    ([ev(FINISH, "0", 3), ev(PUT, "10", 1), ev(UPDATE, "7", 2)], [(FINISH, "0")], None),
    ([ev(PUT, "10", 1), ev(FINISH, "10", 2), ev(PUT, "10", 5)], [(PUT, "10"), (FINISH, "10")], None),
    # the same message twice
    ([ev(PUT, "10", 1), ev(PUT, "10", 1)], [(PUT, "10")], "10"),
    # listed at a fill, then the buffered older put: dropped as unchanged, the version moves on
    ([ev(UPDATE, "4", 0, listed=True), ev(PUT, "4", 1), ev(UPDATE, "4", 2), ev(UPDATE, "1", 3)],
     [(PUT, "4"), (UPDATE, "1")], "1"),
    # listed after two fills read while it was listed: the buffered first fill is older, never shown
    ([ev(PUT, "10", 1), ev(UPDATE, "6", 0, listed=True), ev(UPDATE, "8", 2), ev(UPDATE, "6", 3)],
     [(PUT, "10"), (UPDATE, "6")], "6"),
]


@pytest.mark.parametrize(("events", "reported", "left_at_end"), SEQUENCES)
def test_sequences(events, reported, left_at_end):
    held = HeldOrders()
    out = held.apply(events)
    assert [(e.kind, str(e.order.left)) for e in out] == reported
    orders = held.orders()
    assert (str(orders[0].left) if orders else None) == left_at_end


def test_initial_orders_are_held_and_a_version_seen_is_remembered():
    held = HeldOrders([order(left="10")])
    assert held.apply([ev(UPDATE, "10", 5)]) == []           # the same numbers: nothing to say
    assert held.apply([ev(UPDATE, "9", 4)]) == []            # but version 5 was seen: 4 is older
    assert [e.kind for e in held.apply([ev(UPDATE, "9", 6)])] == [UPDATE]


def test_finished_memory_is_bounded_and_oldest_forgotten_first():
    held = HeldOrders(memory=3)
    held.apply([ev(FINISH, "0", 1, oid=str(i)) for i in range(5)])
    assert held.apply([ev(PUT, "10", 9, oid="0")]) != []     # forgotten: a new order of that id can be put
    assert held.apply([ev(PUT, "10", 9, oid="4")]) == []     # remembered


# -- re-listing --------------------------------------------------------------------------------------

def held_map(*orders):
    return {o.key: HeldOrder(o, 3) for o in orders}


@pytest.mark.parametrize(("held", "listed", "finish_as", "expected"), [
    # listed and not held: a put
    (held_map(), [order("1")], {}, [("1", PUT, "open")]),
    # held and listed, same numbers: nothing
    (held_map(order("1")), [order("1")], {}, []),
    # held and listed with other numbers: an update
    (held_map(order("1")), [order("1", left="4")], {}, [("1", UPDATE, "open")]),
    # held and not listed: finished while disconnected ("" when not looked up)
    (held_map(order("1")), [], {}, [("1", FINISH, "")]),
    (held_map(order("1"), order("2")), [order("2")], {"1": "cancelled"}, [("1", FINISH, "cancelled")]),
    # looked up and still open (the listing's pages shifted): kept
    (held_map(order("1")), [], {"1": None}, []),
    # all at once
    (held_map(order("1"), order("2"), order("3")), [order("2", left="1"), order("4")], {"3": "filled"},
     [("2", UPDATE, "open"), ("4", PUT, "open"), ("1", FINISH, ""), ("3", FINISH, "filled")]),
])
def test_relisting_diff(held, listed, finish_as, expected):
    events = relisting_diff(held, listed, finish_as)
    assert [(e.order.id, e.kind, e.finish_as) for e in events] == expected
    assert all(e.listed for e in events)
    assert all(e.order.status == "finished" for e in events if e.kind is FINISH)


def test_relisting_tells_markets_apart():
    spot, futures = order("1"), order("1", market=Market.FUTURES_USDT)
    events = relisting_diff(held_map(spot), [spot, futures], {})
    assert [(e.order.market, e.kind) for e in events] == [(Market.FUTURES_USDT, PUT)]


def test_a_relisting_applied_then_the_buffered_messages():
    """Reconnect: order 1 was held at version 3, filled to 4 during the gap (listed), and the socket's
    buffered messages then replay versions 3 and 5; order 2 finished in the gap and its late messages come."""
    held = HeldOrders()
    held.apply([ev(PUT, "10", 3, oid="1"), ev(PUT, "10", 1, oid="2")])
    gap = relisting_diff(held.snapshot(), [order("1", left="4")], {"2": "cancelled"})
    assert [(e.kind, e.order.id) for e in held.apply(gap)] == [(UPDATE, "1"), (FINISH, "2")]
    late = [ev(UPDATE, "10", 3, oid="1"), ev(UPDATE, "5", 2, oid="2"), ev(UPDATE, "2", 5, oid="1")]
    assert [(e.kind, e.order.id, str(e.order.left)) for e in held.apply(late)] == [(UPDATE, "1", "2")]
    assert [(o.id, str(o.left)) for o in held.orders()] == [("1", "2")]


@settings(max_examples=60, deadline=None)
@given(st.permutations(list(range(1, 8))))
def test_any_arrival_order_ends_at_the_newest_state(arrival):
    """Updates 1..6 then a finish at 7, delivered in any order: what is held in the end is never older than
    the newest update seen, and after the finish nothing is held."""
    events = {v: (ev(FINISH, "0", v) if v == 7 else ev(UPDATE, str(10 - v), v)) for v in range(1, 8)}
    held = HeldOrders([order(left="10")])
    newest = 0
    for v in arrival:
        reported = held.apply([events[v]])
        if v == 7:
            assert [e.kind for e in reported] == [FINISH]
            break
        if v <= newest:
            assert reported == []
        newest = max(newest, v)
        assert held.orders()[0].left == Decimal(10 - newest)
    assert held.orders() == []
    assert all(held.apply([replace(e, version=99)]) == [] for e in events.values())


def test_a_finish_read_from_its_record_carries_the_records_numbers():
    """An order that finished while no socket carried it: looked up, its finish has the record's numbers
    (filled in the gap: left 0); not looked up, the numbers last held, and no word on how it finished."""
    filled_record = order("1", left="0")
    events = relisting_diff(held_map(order("1"), order("2")), [], {"1": "filled"}, {"1": filled_record})
    finishes = {e.order.id: e for e in events}
    assert finishes["1"].finish_as == "filled" and finishes["1"].order.left == 0
    assert finishes["1"].order.filled_amount == 10 and finishes["1"].order.status == "finished"
    assert finishes["2"].finish_as == "" and finishes["2"].order.left == 10 and finishes["2"].order.filled_amount == 0
