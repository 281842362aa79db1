"""The guard against the paper exchange over loopback, with bots placing orders in the guarded pair and
elsewhere: every guarded order is cancelled (or reported filled when it filled first), none outside the
scope is touched, the account's cancel budget is kept, a dropped stream is bridged by listings, and the
guard ends at its time, on stop() and when the stream stops by itself."""

import threading
import time
from decimal import Decimal

import pytest

from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.outcomes import FILLED_LABELS, OutcomeState
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.risk.deadman import countdown
from gatecancel_gui.core.risk.guard import (
    ArmedGuards,
    Guard,
    GuardState,
    GuardStatus,
    ended_as_reported,
    overlaps,
)
from gatecancel_gui.core.stream.settings import StreamSettings
from gatecancel_gui.paper import PaperExchange
from tests.conftest import client_for, wait_for

FAST = StreamSettings(backoff_s=(0.05, 0.1, 0.2), poll_interval_s=1.0, open_timeout_s=3.0)
GUARDED, OTHER = "GRD_USDT", "OTH_USDT"
QUIET = {"fill_share": 0.0, "partial_share": 0.0, "cancel_share": 0.0}


class Heard:
    def __init__(self):
        self.lock = threading.Lock()
        self.outcomes = []
        self.statuses: list[GuardStatus] = []

    def on_outcome(self, outcome):
        with self.lock:
            self.outcomes.append(outcome)

    def on_status(self, status):
        with self.lock:
            self.statuses.append(status)

    def last(self):
        with self.lock:
            return self.statuses[-1] if self.statuses else None


def guard_for(client, scope, heard, duration_s=30.0, **kwargs):
    kwargs.setdefault("stream_settings", FAST)
    return Guard(client, scope, duration_s, on_outcome=heard.on_outcome, on_status=heard.on_status, **kwargs)


def armed(guard):
    """Start the guard and wait until it says ARMED."""
    guard.start()
    wait_for(lambda: guard.status.state is GuardState.ARMED)
    return guard


def place(ex, pair, n, text="web", fills_on_cancel=False):
    return [ex.book.place(pair, "buy", Decimal("1.2"), Decimal("10"), text=f"{text}-{i}",
                          fills_on_cancel=fills_on_cancel).id for i in range(n)]


def open_in(ex, pair, prefix=""):
    with ex.book.lock:
        return [o for o in ex.book.orders.values()
                if o.currency_pair == pair and o.status == "open" and o.text.startswith(prefix)]


def check_truth(ex, heard):
    """Every outcome says what the book says: cancelled, or filled first and reported so."""
    with heard.lock:
        outcomes = list(heard.outcomes)
    assert outcomes
    for outcome in outcomes:
        if outcome.ref.market is not Market.SPOT:
            continue
        order = ex.book.orders[outcome.ref.id]
        assert ended_as_reported(outcome), outcome
        if outcome.state is OutcomeState.CANCELLED:
            assert order.finish_as == "cancelled", outcome
        else:
            assert outcome.label in FILLED_LABELS and order.finish_as == "filled", outcome
    return outcomes


def test_a_guard_keeps_its_pair_flat_and_touches_nothing_else():
    with PaperExchange(orders=40, pairs=4, fill_fraction=0.0) as ex, client_for(ex) as client:
        before = place(ex, GUARDED, 30) + place(ex, GUARDED, 5, "pre-fill", fills_on_cancel=True)
        heard = Heard()
        guard = guard_for(client, Scope(GUARDED), heard)
        armed(guard)
        assert all(ex.book.orders[i].status != "open" for i in before)
        bots = [ex.start_bot(f"{GUARDED}:40:1.5", fill_on_cancel_share=0.2, **QUIET),
                ex.start_bot(f"{OTHER}:40:1.5", **QUIET),
                ex.start_bot("usdt/BTC_USDT:20:1.5", **QUIET)]
        for bot in bots:
            assert bot.finished.wait(10)
        wait_for(lambda: not open_in(ex, GUARDED), 5)
        wait_for(lambda: guard.status.acted_on == len(before) + len(bots[0].placed), 5)
        guard.stop("Done.")
        guard.join(10)
        status = guard.status
        assert status.state is GuardState.STOPPED and status.reason == "Done."
        outcomes = check_truth(ex, heard)
        assert len({o.ref for o in outcomes}) == len(outcomes)  # once each
        filled = [o for o in outcomes if o.state is not OutcomeState.CANCELLED]
        assert len(filled) >= 5 and status.filled_first == len(filled)
        assert status.cancelled == len(outcomes) - len(filled)
        with ex.book.lock:
            outside = [o for o in ex.book.orders.values() if o.currency_pair != GUARDED]
        assert outside and all(o.cancel_requests == 0 for o in outside)
        assert len(open_in(ex, OTHER)) == len(bots[1].placed)
        assert ex.cancel_requests("/futures/usdt/batch_cancel_orders") == []
        assert all(0 < n <= 20 for n in ex.cancel_requests("/spot/cancel_batch_orders"))


def test_a_burst_shares_requests_and_the_budget_is_kept_with_a_bot_faster_than_it():
    with PaperExchange(orders=0, pairs=2, fill_fraction=0.0) as ex, client_for(ex) as client:
        heard = Heard()
        guard = guard_for(client, Scope(GUARDED), heard)
        armed(guard)
        bot = ex.start_bot(f"{GUARDED}:400:2", **QUIET)
        assert bot.finished.wait(10)
        wait_for(lambda: not open_in(ex, GUARDED), 5)
        wait_for(lambda: guard.status.acted_on == len(bot.placed), 5)
        guard.stop()
        guard.join(10)
        assert ex.cancel_window.peak <= 200
        sizes = ex.cancel_requests("/spot/cancel_batch_orders")
        assert all(0 < n <= 20 for n in sizes) and sum(sizes) == len(bot.placed)
        check_truth(ex, heard)


def test_a_text_prefix_leaves_other_texts_alone():
    with PaperExchange(orders=0, pairs=2, fill_fraction=0.0) as ex, client_for(ex) as client:
        mine = place(ex, GUARDED, 5, "t-bot1")
        theirs = place(ex, GUARDED, 5, "t-bot2")
        heard = Heard()
        guard = guard_for(client, Scope(GUARDED, text_prefix="t-bot1-"), heard)
        armed(guard)
        bots = [ex.start_bot(f"{GUARDED}:30:1", label="bot1", **QUIET),
                ex.start_bot(f"{GUARDED}:30:1", label="bot2", seed=2, **QUIET)]
        for bot in bots:
            assert bot.finished.wait(10)
        wait_for(lambda: not open_in(ex, GUARDED, "t-bot1-"), 5)
        guard.stop()
        guard.join(10)
        assert all(ex.book.orders[i].status != "open" for i in mine)
        assert all(ex.book.orders[i].cancel_requests == 0 for i in theirs + bots[1].placed)
        check_truth(ex, heard)


def test_every_market_scope_reaches_futures_too():
    with PaperExchange(orders=0, pairs=2, fill_fraction=0.0) as ex, client_for(ex) as client:
        heard = Heard()
        guard = guard_for(client, Scope(text_prefix="t-g-", all_markets=True), heard)
        armed(guard)
        spot = ex.start_bot(f"{GUARDED}:20:1", label="g", **QUIET)
        futures = ex.start_bot("usdt/BTC_USDT:20:1", label="g", **QUIET)
        other = ex.start_bot("usdt/ETH_USDT:20:1", **QUIET)
        for bot in (spot, futures, other):
            assert bot.finished.wait(10)

        def futures_open(prefix):
            with ex.futures.lock:
                return [o for o in ex.futures.orders.values() if o.status == "open" and o.text.startswith(prefix)]
        wait_for(lambda: not open_in(ex, GUARDED) and not futures_open("t-g-"), 5)
        guard.stop()
        guard.join(10)
        assert len(futures_open("t-bot-")) == len(other.placed)


def test_a_dropped_stream_is_bridged_by_listings_and_said_in_the_note():
    with PaperExchange(orders=0, pairs=2, fill_fraction=0.0) as ex, client_for(ex) as client:
        heard = Heard()
        guard = guard_for(client, Scope(GUARDED), heard)
        armed(guard)
        ex.ws_drop_after = 5
        bot = ex.start_bot(f"{GUARDED}:30:2", **QUIET)
        threading.Timer(0.5, ex.drop_sockets).start()
        assert bot.finished.wait(10)
        wait_for(lambda: not open_in(ex, GUARDED), 6)
        guard.stop()
        guard.join(10)
        with heard.lock:
            notes = [s.note for s in heard.statuses]
        assert "stream down: listing every 1 s" in notes
        check_truth(ex, heard)


def test_it_ends_at_its_duration():
    with PaperExchange(orders=0, pairs=2) as ex, client_for(ex) as client:
        heard = Heard()
        guard = guard_for(client, Scope(GUARDED), heard, duration_s=0.8)
        started = time.monotonic()
        guard.start()
        guard.join(10)
        assert time.monotonic() - started < 6
        assert guard.status.state is GuardState.STOPPED and "time is up" in guard.status.reason
        assert heard.last().state is GuardState.STOPPED


def test_it_stops_with_a_sentence_when_the_stream_stops_by_itself():
    with PaperExchange(orders=0, pairs=2) as ex, client_for(ex) as client:
        heard = Heard()
        guard = guard_for(client, Scope(GUARDED), heard)
        armed(guard)
        ex.keys.pop(ex.main_key.key)
        ex.drop_sockets()
        guard.join(10)
        status = guard.status
        assert status.state is GuardState.STOPPED
        assert status.reason and status.reason.endswith(".") and "stream" in status.reason.lower()


def test_a_refused_key_stops_it_while_arming():
    with PaperExchange(orders=0, pairs=2) as ex, client_for(ex) as client:
        ex.keys.pop(ex.main_key.key)
        heard = Heard()
        guard = guard_for(client, Scope(GUARDED), heard)
        guard.start()
        guard.join(10)
        assert guard.status.state is GuardState.STOPPED
        assert guard.status.reason.startswith("The guard could not list")


def test_a_listener_that_raises_is_logged_not_fatal():
    with PaperExchange(orders=0, pairs=2) as ex, client_for(ex) as client:
        place(ex, GUARDED, 3)

        def boom(_):
            raise RuntimeError("listener bug")
        guard = Guard(client, Scope(GUARDED), 30, on_outcome=boom, on_status=boom, stream_settings=FAST)
        guard.start()
        wait_for(lambda: guard.status.state is GuardState.ARMED and guard.status.cancelled == 3)
        guard.stop()
        guard.join(10)
        assert guard.status.state is GuardState.STOPPED


def test_overlaps_and_the_registry():
    assert overlaps(Scope("A_B"), Scope())
    assert not overlaps(Scope("A_B"), Scope("C_D"))
    assert not overlaps(Scope(side="buy"), Scope(side="sell"))
    assert not overlaps(Scope(), Scope(market=Market.FUTURES_USDT))
    assert overlaps(Scope(all_markets=True), Scope(market=Market.FUTURES_USDT))
    assert overlaps(Scope(text_prefix="t-bot"), Scope(text_prefix="t-bot1-"))
    assert not overlaps(Scope(text_prefix="t-bot1-"), Scope(text_prefix="t-bot2-"))
    with PaperExchange(orders=0, pairs=2) as ex, client_for(ex) as client:
        heard = Heard()
        registry = ArmedGuards()
        first = guard_for(client, Scope(GUARDED), heard)
        registry.claim(first)
        with pytest.raises(ConfigError, match="already armed"):
            registry.claim(guard_for(client, Scope(), heard))
        second = guard_for(client, Scope(OTHER), heard)
        registry.claim(second)
        first.stop()
        second.stop()
        registry.claim(guard_for(client, Scope(), heard))  # stopped ones no longer count


def test_server_side_tools_refuse_what_they_cannot_do(client):
    from gatecancel_gui.core.cancel.cancel_all import cancel_all
    with pytest.raises(ConfigError, match="every market"):
        countdown(client, 30, Scope(all_markets=True))
    with pytest.raises(ConfigError, match="text"):
        cancel_all(client, Scope(text_prefix="t-"))
    assert "t-bot1-" in Scope("A_B", text_prefix="t-bot1-").describe()
    assert Scope(all_markets=True).where() == "every market"
