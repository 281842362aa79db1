"""The live stream in the window: Gate's pushed order events put into the open-orders table as they happen.

The orders feed starts it after each load that succeeds, seeded with what the load listed (the stream then
reports only what changes after), and it is stopped on a switch of account and on close. Stopping sets its
threads' stop and closes their sockets; they end on their own (daemon threads) in a few milliseconds. A
restart does not wait for them; a switch or a close, whose client is closed next, waits at most
STOP_BEFORE_CLOSE_S, so no thread is still using the client as it closes. Events come on the
stream's threads: each order's row is prepared there (prepare_rows, with the table's prices) and handed to
the GUI thread through the one bridge, a burst coalesced into one queued event; the GUI thread applies at
most SLICE orders at a time (new neighbours as one insert), so a bot's burst of hundreds leaves the window
answering between slices.

What an event does to a row (live_events): a put inserts it marked "★ new" (until the trader selects or
ticks it, or the next manual refresh); an update changes its numbers, its check and result kept; a finish
leaves it in sight with what happened, grey (filled, ioc …, or "● cancelled" elsewhere: only this window's
own confirmed cancel is green "✔ cancelled"), or marks it gone when Gate did not say how. Outcomes go
through the one merge rule, so a known one (our own cancel's ✔) is never replaced by a weaker word, and a
finished row is never revived. While our own cancel runs, the
stream's finishes for its orders wait for its report (`hold` / `release`): the row says what our cancel
did, and the stream's word only fills in where the cancel could not tell.
"""

from __future__ import annotations

import logging
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QTableView

from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.domain.markets import FUTURES, Market
from gatecancel_gui.core.domain.orders import Order, OrderKind
from gatecancel_gui.core.domain.outcomes import OutcomeState
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.stream.account import AccountStream, StreamSettings
from gatecancel_gui.core.stream.events import OrderEvent, StreamState, StreamStatus
from gatecancel_gui.ui.bridge import Burst
from gatecancel_gui.ui.jobs import JobController
from gatecancel_gui.ui.live_events import Change, LiveItem, finish_outcome, fold
from gatecancel_gui.ui.order_rows import prepare_rows
from gatecancel_gui.ui.orders_pane import OrdersPane
from gatecancel_gui.ui.status_line import StatusLine, stream_label, stream_news

log = logging.getLogger(__name__)

# Orders applied to the table per turn of the event loop; input and paints get their turn between slices.
# A burst of 300 new orders at 10,000 rows (tests/benchmarks/bench_live.py, longest GUI stall, median of 3):
# 19 ms in slices of 50 or 100, 37 ms of 200, 43 ms in one go (118 ms in one go when each new row was its
# own insert; neighbours now go in as one run, OrdersModel.insert_orders).
SLICE = 50
# How long a switch or a close waits for the stream's threads before its client is closed: 2-13 ms measured
# over loopback; the bound only matters for a thread still opening a socket (which ends alone after it).
STOP_BEFORE_CLOSE_S = 0.25
UNANSWERED = (OutcomeState.UNKNOWN, OutcomeState.IN_FLIGHT)  # our cancel sent, and no answer came back
StreamFactory = Callable[..., Any]  # AccountStream's signature; tests pass a scripted fake


def streamed_markets(orders: Iterable[Order], futures_error: str) -> list[Market]:
    """Spot always; a futures market if the load found orders there or could read it (a market that could
    not be read is named in the load's futures_error)."""
    found = {o.market for o in orders}
    return [Market.SPOT] + [m for m in FUTURES if m in found or m.display_name not in futures_error]


def ws_url_of(session: Any, profile: Any) -> str:
    """The profile's WebSocket address, if it sets one ("" : derived from the REST address)."""
    return str(getattr(session, "ws_url", "") or getattr(profile, "ws_url", "") or "")


class LiveFeed(QObject):
    """The window's one live stream (of the open-orders table), its events applied and its state shown."""

    def __init__(self, jobs: JobController, pane: OrdersPane, status: StatusLine, *,
                 make_stream: StreamFactory = AccountStream, enabled: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs, self.pane, self.status = jobs, pane, status
        self.make_stream = make_stream
        self.enabled = enabled  # False: the table follows loads only (a window made without the stream)
        self.stream: AccountStream | None = None
        self._gen = 0  # which stream the callbacks on their way belong to: an old stream's are dropped
        self._let_go: deque[AccountStream] = deque(maxlen=8)  # the last streams stopped, for join_stopped
        self._open: list[bool] = [False]  # read on the stream's threads: False once that stream is let go
        self.statuses: dict[Market, StreamStatus] = {}
        self._last_event: dict[Market, float] = {}
        self._pending: deque[LiveItem] = deque()
        self._finished: set[str] = set()    # orders this stream saw finish: never revived
        self._holding: frozenset[str] = frozenset()  # orders our running cancel covers
        self._held: list[LiveItem] = []     # the stream's finishes for them, until the cancel's report
        self._told: set[tuple[Market, StreamState]] = set()  # each fallback is said once per account
        self._next_slice = QTimer(self, singleShot=True, interval=0)
        self._next_slice.timeout.connect(self._apply_slice)

    # -- life --------------------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self.stream is not None

    @property
    def covers(self) -> bool:
        """The stream keeps the table current (live, connecting, reconnecting with the gap listed after, or
        listing every few seconds itself): an auto-refresh would only list the same orders again."""
        return self.running and all(s.state is not StreamState.STOPPED for s in self.statuses.values())

    def start(self, client: GateClient, orders: list[Order], markets: list[Market], ws_url: str = "") -> None:
        """A stream of these markets, seeded with the table's listing (any stream before it is stopped)."""
        self.stop()
        if not self.enabled:
            return
        gen, is_open = self._gen, [True]
        burst: Burst[LiveItem] = self.jobs.bridge.burst(lambda items: self._deliver(gen, items))
        on_status = self.jobs.bridge.call(lambda status: self._status_changed(gen, status))
        prices = self.pane.model.prices  # a load's dict, never changed in place; each load starts a new stream

        def on_events(events: list[OrderEvent]) -> None:  # on the stream's thread
            if not is_open[0]:
                return
            try:
                for event in events:
                    if event.order.kind is OrderKind.OPEN:
                        burst.put(LiveItem(event, prepare_rows([event.order], prices=prices)))
            except RuntimeError:  # the window went while the stream was being stopped: nothing to show
                log.debug("order events after the window closed", exc_info=True)

        def on_status_changed(status: StreamStatus) -> None:  # on the stream's thread
            if is_open[0]:
                try:
                    on_status(status)
                except RuntimeError:
                    log.debug("stream status after the window closed", exc_info=True)

        try:
            stream = self.make_stream(client, markets, initial=orders, on_events=on_events,
                                      on_status=on_status_changed, settings=StreamSettings(ws_url=ws_url))
            stream.start()
        except ConfigError as exc:  # expected (a bad ws_url, no key): one sentence, no traceback
            self.status.show_error(f"{exc} Refresh or the auto-refresh keeps the table current.")
            return
        except Exception as exc:
            log.exception("the live stream could not be started")
            self.status.show_error(f"The live stream could not be started ({type(exc).__name__}); Refresh or the "
                                   "auto-refresh keeps the table current.")
            return
        self.stream, self._open = stream, is_open
        for market in markets:
            self._status_changed(gen, StreamStatus(market, StreamState.CONNECTING))

    def stop(self, wait_s: float = 0.0) -> bool:
        """Let the stream go: its callbacks on their way are dropped, its threads told to end and its sockets
        closed; its threads waited for at most `wait_s`. True if one was running."""
        stream, self.stream = self.stream, None
        self._open[0] = False
        self._gen += 1
        self._pending.clear()
        self._next_slice.stop()
        self._finished.clear()
        self._held.clear()
        self.statuses.clear()
        self._last_event.clear()
        self.status.clear_streams()
        if stream is None:
            return False
        try:
            stream.stop(wait_s)
        except Exception:  # its threads are told to end whatever this says; the window goes on
            log.exception("stopping the live stream")
        self._let_go.append(stream)
        return True

    def join_stopped(self, timeout_s: float) -> None:
        """For test teardown and the self-test only, never the window: wait for the stopped streams' threads."""
        while self._let_go:
            self._let_go.popleft().stop(timeout_s)

    def forget(self) -> None:
        """Another account: stop (before the old client is closed), and say fallbacks again when they happen."""
        self.stop(STOP_BEFORE_CLOSE_S)
        self._told.clear()

    # -- our own cancel first ------------------------------------------------------------------------

    def hold(self, keys: Iterable[str]) -> None:
        """Our cancel of these orders starts: the stream's finishes for them wait for its report."""
        self._holding = frozenset(keys)

    def release(self) -> None:
        """Our cancel's report has settled its rows: the finishes held meanwhile go through the merge rule
        (they fill in only where the cancel could not tell, e.g. an order still unknown)."""
        held, self._held, self._holding = self._held, [], frozenset()
        model = self.pane.model
        sent = {item.key for item in held  # sent by our cancel, no answer: a "cancelled" is most likely ours
                if (r := model.result_of(item.key)) is not None and r.state in UNANSWERED}
        self._finish(held, ours=sent)

    # -- events and statuses, on the GUI thread --------------------------------------------------

    def _deliver(self, gen: int, items: list[LiveItem]) -> None:
        if gen != self._gen:
            return
        now = time.time()
        for market in {item.event.market for item in items}:
            self._last_event[market] = now
            self._show_status(market)
        self._pending.extend(items)
        if not self._next_slice.isActive():
            self._apply_slice()

    def _apply_slice(self) -> None:
        """At most SLICE orders now; the rest after the event loop's next turn (input, paints)."""
        taken = [self._pending.popleft() for _ in range(min(SLICE, len(self._pending)))]
        if taken:
            self.apply(fold(taken))
        if self._pending:
            self._next_slice.start()

    def apply(self, changes: list[Change]) -> None:
        """Puts and updates as upserts (never onto a finished or settled row), then the finishes."""
        model = self.pane.model
        finishes: list[LiveItem] = []
        new: list[LiveItem] = []
        for change in changes:
            if change.key in self._finished:
                continue
            if change.upsert is not None and not model.is_settled(change.key):
                if model.row_of(change.key) is None:
                    new.append(change.upsert)
                else:
                    model.upsert_order(change.upsert.rows, mark_changes=True)
            if change.finish is not None:
                self._finished.add(change.key)
                (self._held if change.key in self._holding else finishes).append(change.finish)
        model.insert_orders([item.rows for item in new], mark_changes=True)  # neighbours as one run
        self._finish(finishes)
        if any(self.pane.pair_filter.findText(item.event.order.instrument) < 0 for item in new):
            self.pane.refill_pairs()  # a pair the load never saw can be filtered on

    def _finish(self, items: list[LiveItem], ours: Iterable[str] = ()) -> None:
        """The finishes' outcomes through the merge rule; `ours`: orders our cancel sent with no answer (a
        "cancelled" for one of them is that cancel's)."""
        model, ours = self.pane.model, set(ours)
        outcomes = []
        for item in items:
            outcome = finish_outcome(item.event, ours=item.key in ours)
            if outcome is not None:
                outcomes.append(outcome)
            elif not model.is_settled(item.key):  # finished while the socket was down: how, Gate did not say
                model.remove_order(item.key, mark_changes=True)
        if outcomes:
            model.settle(outcomes)  # the merge rule, and the ticks of orders done for good cleared

    def _status_changed(self, gen: int, status: StreamStatus) -> None:
        if gen != self._gen:
            return
        self.statuses[status.market] = status
        self._show_status(status.market)
        fallback = (status.market, status.state)
        if status.state in (StreamState.POLLING, StreamState.STOPPED) and fallback not in self._told:
            self._told.add(fallback)
            self.status.say(stream_news(status))

    def _show_status(self, market: Market) -> None:
        status = self.statuses.get(market)
        if status is not None:
            self.status.show_stream(market, *stream_label(status, self._last_event.get(market)))


def clear_new_marks_when_selected(pane: OrdersPane) -> None:
    """Selecting a row is looking at it: its "★ new" mark goes (ticking it does too, in the model)."""
    view: QTableView = pane.view

    def selected(chosen: Any, _deselected: Any) -> None:
        rows = {index.row() for index in chosen.indexes()}
        if rows and pane.model.new_ids:
            pane.model.mark_seen(pane.filtered.key_at(row) for row in rows)

    view.selectionModel().selectionChanged.connect(selected)

