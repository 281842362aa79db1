"""What the live stream's events do to the table, as plain logic: a finish in the table's words, a burst
folded to one change per order, the one merge rule between the stream's word and our own cancel's, and
the status bar's few words per market. No window, no network."""

from dataclasses import replace
from decimal import Decimal

import pytest

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.outcomes import CancelOutcome, OutcomeState, merged
from gatecancel_gui.core.stream.events import EventKind, OrderEvent, StreamState, StreamStatus
from gatecancel_gui.ui.live_events import LiveItem, finish_outcome, fold
from gatecancel_gui.ui.live_feed import streamed_markets, ws_url_of
from gatecancel_gui.ui.order_rows import prepare_rows
from gatecancel_gui.ui.orders_filter import RESULT_FILTERS
from gatecancel_gui.ui.status_line import stream_label, stream_news
from gatecancel_gui.ui.theme import finished_on_its_own, outcome_text
from tests.ui.test_table_rows import order


def event(kind, n=1, finish_as="open", **changes):
    return OrderEvent(EventKind(kind), replace(order(n), **changes), finish_as=finish_as)


def item(kind, n=1, finish_as="open", **changes):
    e = event(kind, n, finish_as, **changes)
    return LiveItem(e, prepare_rows([e.order]))


@pytest.mark.parametrize("finish_as, label, text, tip", [
    ("cancelled", "ORDER_CANCELLED", "● cancelled", "cancelled elsewhere (seen on Gate's stream)"),
    ("filled", "ORDER_FILLED", "● filled", "filled (seen on Gate's stream)"),
    ("ioc", "ORDER_FINISHED", "● ioc", "ioc (seen on Gate's stream)"),
    ("position_closed", "ORDER_FINISHED", "● position closed", "position closed (seen on Gate's stream)"),
])
def test_a_finish_reads_as_what_happened_grey_and_is_settled(finish_as, label, text, tip):
    outcome = finish_outcome(event("finish", finish_as=finish_as, left=Decimal(0), status="finished"))
    assert outcome.reconciled and outcome.settled  # a cancel never sends it again
    assert outcome.state is OutcomeState.REJECTED and outcome.label == label
    assert outcome_text(outcome) == text and outcome.message == tip
    assert outcome.left == 0
    # ended by itself or elsewhere: grey, neither a failed cancel (red) nor this window's cancel (green ✔)
    assert finished_on_its_own(outcome) and "✔" not in outcome_text(outcome) and not outcome.succeeded
    assert not RESULT_FILTERS["failed"](outcome) and not RESULT_FILTERS["cancelled"](outcome)


def test_a_cancel_our_own_cancel_sent_without_an_answer_is_ours_confirmed_by_the_stream():
    outcome = finish_outcome(event("finish", finish_as="cancelled", status="finished"), ours=True)
    assert outcome.state is OutcomeState.CANCELLED and outcome.settled and outcome.reconciled
    assert outcome_text(outcome) == "✔ cancelled" and outcome.message == "cancelled (seen on Gate's stream)"
    assert RESULT_FILTERS["cancelled"](outcome)
    filled = finish_outcome(event("finish", finish_as="filled", status="finished"), ours=True)
    assert outcome_text(filled) == "● filled"  # a fill is never a cancel, ours or not


@pytest.mark.parametrize("finish_as", ["", "open"])
def test_a_finish_gate_did_not_explain_has_no_outcome(finish_as):
    assert finish_outcome(event("finish", finish_as=finish_as)) is None  # the row is marked gone instead


def test_our_own_cancel_outcome_is_never_turned_back_by_the_stream():
    ours = CancelOutcome(order(1).ref, OutcomeState.CANCELLED, text="t-1")
    filled = finish_outcome(event("finish", finish_as="filled"))
    cancelled = finish_outcome(event("finish", finish_as="cancelled"))
    assert merged(ours, filled, across_runs=True) is ours
    assert merged(ours, cancelled, across_runs=True) is ours
    # …but the stream's record fills in where our cancel could not tell, or was only told "not found"
    unknown = CancelOutcome(order(1).ref, OutcomeState.UNKNOWN, "TIMEOUT", ended=True)
    assert merged(unknown, filled, across_runs=True) is filled
    not_found = CancelOutcome(order(1).ref, OutcomeState.REJECTED, "ORDER_NOT_FOUND")
    assert merged(not_found, filled, across_runs=True) is filled
    # the stream's word stays once known
    assert merged(filled, CancelOutcome(order(1).ref, OutcomeState.REJECTED, "ORDER_NOT_FOUND"),
                  across_runs=True) is filled


def test_a_burst_folds_to_one_change_per_order_in_first_seen_order():
    items = [item("put", 1), item("update", 2, left=Decimal("0.5")), item("update", 1, left=Decimal("0.7")),
             item("update", 1, left=Decimal("0.4")), item("finish", 2, "filled"), item("update", 2),
             item("put", 3)]
    changes = fold(items)
    assert [c.key for c in changes] == [order(1).key, order(2).key, order(3).key]
    one, two, three = changes
    assert one.put and one.upsert is items[3] and one.finish is None  # the last numbers, still a new order
    assert not two.put and two.upsert is items[1] and two.finish is items[4]  # the update after its finish: dropped
    assert three.put and three.upsert is items[6]


def test_the_markets_streamed_are_spot_and_the_futures_the_load_could_read():
    futures_order = replace(order(1), market=Market.FUTURES_BTC)
    assert streamed_markets([], "") == list(Market)
    unreadable = "Futures orders could not be loaded (USDT perpetual: no account; BTC perpetual: no account)."
    assert streamed_markets([], unreadable) == [Market.SPOT]
    assert streamed_markets([futures_order], unreadable) == [Market.SPOT, Market.FUTURES_BTC]


def test_the_ws_url_is_the_profiles_when_it_has_one():
    class Profile:
        ws_url = "wss://example.test:8443"

    assert ws_url_of(object(), Profile()) == "wss://example.test:8443"
    assert ws_url_of(object(), None) == ""  # no such field yet, or no saved profile: derived from the REST URL


def test_a_stream_label_says_state_time_attempt_and_reason_in_a_few_words():
    at = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC
    live = StreamStatus(Market.SPOT, StreamState.LIVE, last_event_at=at)
    assert stream_label(live)[0] == "Spot: live · 22:13:20"
    own_clock = stream_label(StreamStatus(Market.SPOT, StreamState.LIVE), at + 5)[0]  # the window's own event time
    assert own_clock == "Spot: live · 22:13:25"
    assert stream_label(StreamStatus(Market.SPOT, StreamState.LIVE))[0] == "Spot: live"  # no event yet
    again = StreamStatus(Market.FUTURES_USDT, StreamState.RECONNECTING, attempt=2, reason="The socket closed.")
    text, tip = stream_label(again)
    assert text == "USDT perpetual: reconnecting (try 2)" and "The socket closed." in tip
    # a fallback's label is a few words, never a reason the status bar cuts mid-word with no "…" (a trial saw
    # "Spot: polling — The server at this address has no "): the reason is in its tooltip and its one sentence
    long_reason = "The server at this address has no WebSocket here (HTTP 404) " * 3
    polling = StreamStatus(Market.SPOT, StreamState.POLLING, reason=long_reason)
    text, tip = stream_label(polling)
    assert text == "Spot: polling"
    assert long_reason in tip
    assert long_reason in stream_news(polling) and "listed every few seconds" in stream_news(polling)
    stopped = StreamStatus(Market.SPOT, StreamState.STOPPED, reason="The key was refused.")
    assert stream_label(stopped) == ("Spot: stopped", "Spot: the live stream has ended (The key was refused.); "
                                     "Refresh or the auto-refresh keeps the table current.")
    assert stream_label(StreamStatus(Market.FUTURES_BTC, StreamState.POLLING))[0] == "BTC perpetual: polling"
    assert "The key was refused." in stream_news(stopped) and "Refresh" in stream_news(stopped)
    assert stream_news(live) == ""
