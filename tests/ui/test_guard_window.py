"""The guard in the window (issue 21): arming asks (scope, environment, how many open orders it cancels now),
an overlapping guard is refused, the red banner follows the guard (count, last order, time left) and its
Stop stops it, closing the window and switching account stop it, a guard that stops by itself is said in red,
and its outcomes reach the rows through the merge rule.

The table-level tests drive a scripted guard (the window's `make_guard`, like LiveFeed's `make_stream`):
every step is the test's, so nothing races."""

import threading
import time
from decimal import Decimal
from typing import ClassVar

import pytest
from PySide6.QtCore import Qt

from gatecancel_gui.core.app.session import Session
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.outcomes import CancelOutcome, OutcomeState
from gatecancel_gui.core.risk.guard import GuardState, GuardStatus
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.paper import PaperExchange
from gatecancel_gui.ui.guard_dialog import GuardChoice, overlaps
from gatecancel_gui.ui.live_events import CANCELLED_LABEL, FILLED_LABEL
from gatecancel_gui.ui.main_window import MainWindow
from gatecancel_gui.ui.theme import ELSEWHERE, SEEN_ON_STREAM
from tests.conftest import client_for
from tests.ui.conftest import Answers, shut, text_of

WAIT_MS = 10_000


class FakeGuard:
    """A scripted guard: start says ARMED; the test sends its outcomes and statuses; stop says STOPPED."""

    made: ClassVar[list["FakeGuard"]] = []

    def __init__(self, client, scope, duration_s, *, journal=None, on_outcome, on_status, stream_settings=None):
        self.client, self.scope, self.duration_s = client, scope, duration_s
        self.on_outcome, self.on_status, self.stream_settings = on_outcome, on_status, stream_settings
        self.ends_at = time.time() + duration_s
        self.stopped: str | None = None
        self.cancelled = 0
        self.start_thread: threading.Thread | None = None
        FakeGuard.made.append(self)

    def start(self):
        self.start_thread = threading.current_thread()
        self.say(GuardState.ARMED)

    def say(self, state, *, cancelled=None, last=None, note="", reason=""):
        self.cancelled = self.cancelled if cancelled is None else cancelled
        self.on_status(GuardStatus(state, self.scope, self.ends_at, self.cancelled, self.cancelled, last, note, reason))

    def stop(self, reason="Stopped."):
        if self.stopped is None:
            self.stopped = reason
            self.say(GuardState.STOPPED, reason=reason)

    def join(self, timeout_s):
        pass

    @property
    def status(self):
        return GuardStatus(GuardState.STOPPED if self.stopped else GuardState.ARMED, self.scope, self.ends_at)


@pytest.fixture
def guarded(qtbot, paper, tmp_path):
    """A window on the paper exchange with a scripted guard and a chooser the test sets (`chosen`)."""
    FakeGuard.made = []
    state = {"chosen": None}
    answers = Answers()
    win = MainWindow(Session("test", client_for(paper)), confirm=answers, journal=Journal(tmp_path / "j.jsonl"),
                     choose_guard=lambda *args: state["chosen"], make_guard=FakeGuard, live=False)
    qtbot.addWidget(win, before_close_func=lambda w: shut(w, qtbot))
    win.show()
    with qtbot.waitSignal(win.loadFinished, timeout=WAIT_MS):
        win.refresh()
    win.answers, win.state = answers, state
    yield win
    for session in win.sessions.all():
        session.close()


def arm(win, qtbot, choice):
    win.state["chosen"] = choice
    win.guard()
    qtbot.waitUntil(lambda: win.guards.armed and win.guards.armed[-1].started, timeout=WAIT_MS)
    return win.guards.armed[-1]




def a_pair(win):
    return win.open_pane.model.order_at(0).instrument


def test_arming_asks_naming_the_scope_the_environment_and_the_open_orders_it_cancels_now(guarded, qtbot):
    pair = a_pair(guarded)
    count = sum(1 for o in guarded.open_pane.model.orders() if o.instrument == pair and o.market is Market.SPOT)
    armed = arm(guarded, qtbot, GuardChoice(Market.SPOT, pair))
    question = guarded.answers.questions[-1]
    assert f"spot pair {pair}" in question and "on PAPER for 5 min" in question
    assert f"the {count} open orders the table shows there now" in question and "Gate may hold more" in question
    fake = FakeGuard.made[-1]
    assert fake.scope.pair == pair and fake.scope.market is Market.SPOT and fake.duration_s == 300
    assert fake.start_thread is not threading.main_thread()  # armed off the GUI thread
    assert guarded.guard_host.isVisible() and armed.banner.isVisible()
    assert armed.banner.styleSheet().count("#c62828")  # red


def test_answering_no_arms_nothing(guarded, qtbot):
    guarded.answers.answer = False
    guarded.state["chosen"] = GuardChoice(Market.SPOT, a_pair(guarded))
    guarded.guard()
    assert guarded.answers.questions and not FakeGuard.made and not guarded.guards.active
    assert not guarded.guard_host.isVisible()


def test_an_overlapping_guard_is_refused_with_a_sentence_another_one_arms(guarded, qtbot):
    pair = a_pair(guarded)
    arm(guarded, qtbot, GuardChoice(Market.SPOT, pair))
    asked = len(guarded.answers.questions)
    guarded.state["chosen"] = GuardChoice(None, side="buy")  # every market, buy side: overlaps
    guarded.guard()
    assert len(guarded.answers.questions) == asked and len(FakeGuard.made) == 1
    said = guarded.status.message.text()
    assert said.startswith(f"A guard on spot pair {pair} is already armed and overlaps every market, buy side")
    other = next(o.instrument for o in guarded.open_pane.model.orders() if o.instrument != pair)
    arm(guarded, qtbot, GuardChoice(Market.SPOT, other))
    assert len(guarded.guards.armed) == 2 and len(FakeGuard.made) == 2


def test_the_local_overlap_rule():
    spot = GuardChoice(Market.SPOT, "BTC_USDT")
    assert overlaps(spot, GuardChoice(Market.SPOT))
    assert overlaps(spot, GuardChoice(None))
    assert not overlaps(spot, GuardChoice(Market.SPOT, "ETH_USDT"))
    assert not overlaps(spot, GuardChoice(Market.FUTURES_USDT, "BTC_USDT"))
    assert not overlaps(GuardChoice(Market.SPOT, side="buy"), GuardChoice(Market.SPOT, side="sell"))
    assert not overlaps(GuardChoice(text_prefix="t-bot1-"), GuardChoice(text_prefix="t-bot2-"))
    assert overlaps(GuardChoice(text_prefix="t-bot"), GuardChoice(text_prefix="t-bot2-"))


def test_the_banner_shows_the_count_the_last_order_and_the_time_left_and_follows(guarded, qtbot):
    armed = arm(guarded, qtbot, GuardChoice(Market.SPOT, a_pair(guarded), duration_s=120))
    banner, fake = armed.banner, FakeGuard.made[-1]
    assert "GUARD ARMED" in banner.text() and "0 cancelled" in banner.text()
    first = banner.left.text()
    assert first in ("2:00 left", "1:59 left")
    order = guarded.open_pane.model.order_at(0)
    fake.say(GuardState.ARMED, cancelled=3, last=CancelOutcome(order.ref, OutcomeState.CANCELLED))
    qtbot.waitUntil(lambda: "3 cancelled" in banner.text(), timeout=WAIT_MS)
    assert f"last: {order.instrument} {order.id} ✔ cancelled · guard" in banner.text()
    fake.ends_at -= 30  # the guard's own clock: the banner follows its ends_at, every second
    fake.say(GuardState.ARMED, note="stream down: listing every 1 s")
    qtbot.waitUntil(lambda: banner.left.text() in ("1:30 left", "1:29 left", "1:28 left"), timeout=3_000)
    assert "stream down: listing every 1 s" in banner.text()
    shown = banner.left.text()
    qtbot.waitUntil(lambda: banner.left.text() != shown, timeout=3_000)  # ticking


def test_stop_stops_it_and_the_banner_goes(guarded, qtbot):
    armed = arm(guarded, qtbot, GuardChoice(Market.SPOT, a_pair(guarded)))
    qtbot.mouseClick(armed.banner.stop_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not guarded.guards.active, timeout=WAIT_MS)
    assert FakeGuard.made[-1].stopped == "Stop was pressed."
    assert not guarded.guard_host.isVisible()
    assert "stopped" in guarded.status.message.text() and "color: #d32f2f" not in guarded.status.message.styleSheet()


def test_a_guard_that_stops_by_itself_is_said_in_red(guarded, qtbot):
    arm(guarded, qtbot, GuardChoice(Market.SPOT, a_pair(guarded)))
    FakeGuard.made[-1].say(GuardState.STOPPED, cancelled=2, reason="Gate refused the key.")
    qtbot.waitUntil(lambda: not guarded.guards.active, timeout=WAIT_MS)
    said = guarded.status.message.text()
    assert "stopped by itself: Gate refused the key. 2 cancelled." in said
    assert "#d32f2f" in guarded.status.message.styleSheet() and not guarded.guard_host.isVisible()


def test_closing_the_window_stops_the_guard(guarded, qtbot):
    arm(guarded, qtbot, GuardChoice(Market.SPOT, a_pair(guarded)))
    fake = FakeGuard.made[-1]
    guarded.close()
    qtbot.waitUntil(lambda: not guarded.isVisible(), timeout=WAIT_MS)
    assert fake.stopped == "The window closed." and not guarded.guards.active


def test_switching_account_stops_the_guard(guarded, paper, qtbot):
    arm(guarded, qtbot, GuardChoice(Market.SPOT, a_pair(guarded)))
    fake = FakeGuard.made[-1]
    with qtbot.waitSignal(guarded.loadFinished, timeout=WAIT_MS):
        guarded.set_session(Session("other", client_for(paper)))
    qtbot.waitUntil(lambda: not guarded.guards.active, timeout=WAIT_MS)
    assert fake.stopped == "Another account was chosen."


def test_the_row_menu_guards_the_rows_pair_for_five_minutes(guarded, qtbot):
    order = guarded.open_pane.model.order_at(0)
    menu = guarded.open_pane.row_menu(order)
    action = next(a for a in menu.actions() if a.text() == "Guard this pair for 5 min")
    action.trigger()
    qtbot.waitUntil(lambda: guarded.guards.armed and guarded.guards.armed[-1].started, timeout=WAIT_MS)
    assert FakeGuard.made[-1].scope.pair == order.instrument and FakeGuard.made[-1].duration_s == 300
    assert f"spot pair {order.instrument}" in guarded.answers.questions[-1]
    assert not any(a.text().startswith("Guard") for a in guarded.stop_pane.row_menu(order).actions())


def test_outcomes_reach_the_rows_through_the_merge_rule(guarded, qtbot):
    pair = a_pair(guarded)
    arm(guarded, qtbot, GuardChoice(Market.SPOT, pair))
    fake, model = FakeGuard.made[-1], guarded.open_pane.model
    rows = [o for o in model.orders() if o.instrument == pair]
    cancelled, filled, seen, known = rows[:4]
    # the stream saw the guard's cancel first ("cancelled elsewhere") and a fill before it
    model.settle([CancelOutcome(seen.ref, OutcomeState.REJECTED, CANCELLED_LABEL,
                                f"cancelled {ELSEWHERE} {SEEN_ON_STREAM}", reconciled=True),
                  CancelOutcome(known.ref, OutcomeState.REJECTED, FILLED_LABEL, f"filled {SEEN_ON_STREAM}",
                                reconciled=True)])
    for ref, state, label in ((cancelled.ref, OutcomeState.CANCELLED, ""),
                              (filled.ref, OutcomeState.REJECTED, "ORDER_FILLED"),
                              (seen.ref, OutcomeState.CANCELLED, ""), (known.ref, OutcomeState.CANCELLED, "")):
        fake.on_outcome(CancelOutcome(ref, state, label))
    qtbot.waitUntil(lambda: text_of(guarded, cancelled.key) == "✔ cancelled · guard", timeout=WAIT_MS)
    assert text_of(guarded, cancelled.key, role=Qt.ItemDataRole.ToolTipRole) == "cancelled by the guard"
    assert text_of(guarded, filled.key) == "● filled · guard"  # found filled first: reads as filled, grey
    closed = rows[4]  # Gate's ORDER_CLOSED, the order's record saying it filled: filled too
    fake.on_outcome(CancelOutcome(closed.ref, OutcomeState.REJECTED, "ORDER_CLOSED",
                                  "The order filled before the cancel reached it.", reconciled=True))
    qtbot.waitUntil(lambda: text_of(guarded, closed.key) == "● filled · guard", timeout=WAIT_MS)
    assert text_of(guarded, seen.key) == "✔ cancelled · guard"  # the stream saw the guard's own cancel
    assert text_of(guarded, known.key) == "● filled"  # a known outcome is never turned back
    other = next(o for o in model.orders() if o.instrument != pair)
    assert model.result_of(other.key) is None


def test_an_outcome_before_its_row_lands_on_the_row_when_it_comes(guarded, qtbot, paper):
    arm(guarded, qtbot, GuardChoice(Market.SPOT, a_pair(guarded)))
    model = guarded.open_pane.model
    gone = model.order_at(0)
    model.remove_order(gone.key)
    FakeGuard.made[-1].on_outcome(CancelOutcome(gone.ref, OutcomeState.CANCELLED))
    qtbot.waitUntil(lambda: gone.key in guarded.guards._claimed, timeout=WAIT_MS)
    model.upsert_order(gone)  # the stream's put arrives after the guard's word
    qtbot.waitUntil(lambda: model.row_of(gone.key) is not None
                    and text_of(guarded, gone.key) == "✔ cancelled · guard", timeout=WAIT_MS)


# -- the real guard against the paper exchange over loopback ------------------------------------------------

GUARDED, OTHER = "GRD_USDT", "OTH_USDT"
QUIET = {"fill_share": 0.0, "partial_share": 0.0, "cancel_share": 0.0}


def test_the_real_guard_turns_its_pairs_rows_green_and_leaves_other_pairs_alone(make_window, answers, qtbot):
    with PaperExchange(orders=40, pairs=4, fill_fraction=0.0) as ex:
        before = [ex.book.place(GUARDED, "buy", Decimal("1.2"), Decimal("10"), text=f"web-{i}").id for i in range(8)]
        win = make_window(exchange=ex)
        with qtbot.waitSignal(win.loadFinished, timeout=WAIT_MS):
            win.refresh()
        assert win.arm_guard(GuardChoice(Market.SPOT, GUARDED, duration_s=60))
        assert "the 8 open orders the table shows there now" in answers.questions[-1]
        armed = win.guards.armed[-1]
        qtbot.waitUntil(lambda: armed.status is not None and armed.status.state is GuardState.ARMED, timeout=WAIT_MS)
        bots = [ex.start_bot(f"{GUARDED}:20:1", fill_on_cancel_share=0.2, **QUIET),
                ex.start_bot(f"{OTHER}:20:1", **QUIET)]
        for bot in bots:
            assert bot.finished.wait(10)
        qtbot.waitUntil(lambda: not [o for o in ex.book.open_orders() if o.currency_pair == GUARDED],
                        timeout=WAIT_MS)
        for order_id in before:
            qtbot.waitUntil(lambda order_id=order_id: text_of(win, order_id) == "✔ cancelled · guard",
                            timeout=WAIT_MS)
            colour = text_of(win, order_id, role=Qt.ItemDataRole.BackgroundRole)
            assert colour is not None and colour.green() > colour.red()  # green
        model = win.open_pane.model

        def bot_rows_done() -> bool:
            rows = [o for o in model.orders() if o.instrument == GUARDED and o.id in bots[0].placed]
            return bool(rows) and all(text_of(win, o.key) in ("✔ cancelled · guard", "● filled · guard", "● filled")
                                      for o in rows)

        qtbot.waitUntil(bot_rows_done, timeout=WAIT_MS)  # one the guard found filled first reads as filled
        assert any(text_of(win, o.key) == "✔ cancelled · guard" for o in model.orders() if o.id in bots[0].placed)
        untouched = [o for o in model.orders() if o.instrument != GUARDED]
        assert untouched and all("guard" not in (text_of(win, o.key) or "") for o in untouched)
        with ex.book.lock:
            assert all(o.cancel_requests == 0 for o in ex.book.orders.values() if o.currency_pair != GUARDED)
        assert "0 cancelled" not in armed.banner.text() and GUARDED in armed.banner.text()
        qtbot.mouseClick(armed.banner.stop_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: not win.guards.active, timeout=WAIT_MS)
        shut(win, qtbot)


class SlowStartGuard(FakeGuard):
    """A guard whose start takes a while (the first listing of a big account)."""

    go = threading.Event()

    def start(self):
        SlowStartGuard.go.wait(10)
        super().start()


def test_closing_while_a_guard_is_arming_stops_it_and_closes_after(qtbot, paper, tmp_path):
    FakeGuard.made = []
    SlowStartGuard.go = threading.Event()
    win = MainWindow(Session("test", client_for(paper)), confirm=Answers(), journal=Journal(tmp_path / "j.jsonl"),
                     make_guard=SlowStartGuard, live=False)
    qtbot.addWidget(win, before_close_func=lambda w: shut(w, qtbot))
    win.show()
    with qtbot.waitSignal(win.loadFinished, timeout=WAIT_MS):
        win.refresh()
    assert win.arm_guard(GuardChoice(Market.SPOT, win.open_pane.model.order_at(0).instrument))
    win.close()
    assert win.isVisible() and win.shutdown.closing  # never waited on the GUI thread
    assert FakeGuard.made[-1].stopped == "The window closed."
    assert not win.commands["guard"].isEnabled()
    SlowStartGuard.go.set()
    qtbot.waitUntil(lambda: not win.isVisible(), timeout=WAIT_MS)
    assert not win.guards.active
    win.sessions.session.close()


def test_the_dialog_offers_every_market_a_prefix_and_five_minutes(qtbot):
    from gatecancel_gui.ui.guard_dialog import EVERY_MARKET, GuardDialog

    dialog = GuardDialog(["BTC_USDT", "ETH_USDT"], [], GuardChoice(Market.SPOT, "ETH_USDT"))
    qtbot.addWidget(dialog)
    assert dialog.choice() == GuardChoice(Market.SPOT, "ETH_USDT", duration_s=300)
    dialog.market.setCurrentText(EVERY_MARKET)
    dialog.side.setCurrentText("sell")
    dialog.prefix.setText(" t-bot1- ")
    dialog.minutes.setValue(2)
    choice = dialog.choice()
    assert choice == GuardChoice(None, None, "sell", "t-bot1-", 120) and not dialog.pair.isEnabled()
    scope = choice.scope()
    assert scope.all_markets and scope.text_prefix == "t-bot1-" and scope.side == "sell"
    assert "every market" in dialog.summary.text() and "t-bot1-" in dialog.summary.text()


def test_the_real_guard_ends_at_its_time_and_the_window_says_so_calmly(make_window, qtbot):
    with PaperExchange(orders=20, pairs=3, fill_fraction=0.0) as ex:
        win = make_window(exchange=ex)
        with qtbot.waitSignal(win.loadFinished, timeout=WAIT_MS):
            win.refresh()
        assert win.arm_guard(GuardChoice(Market.SPOT, GUARDED, duration_s=1.5))
        qtbot.waitUntil(lambda: not win.guards.active, timeout=WAIT_MS)
        said = win.status.message.text()
        assert said.startswith(f"Guard on spot pair {GUARDED} ended:"), said
        assert "#d32f2f" not in win.status.message.styleSheet()
        assert not win.guard_host.isVisible()
        shut(win, qtbot)
