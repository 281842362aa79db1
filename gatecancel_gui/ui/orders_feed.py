"""What puts orders into the tables: a load on demand (Refresh), the auto-refresh every N s, and between
loads Gate's live stream (live_feed.py).

A load runs as a `LoadJob` over the Qt-free service `load_holdings`, which reads open orders and stop
orders page by page; its rows are formatted and sorted off the GUI thread and handed to the tables here.
A cancel comes first: it drops the load under way, whose rows are then never shown. No auto-refresh starts
while a question is open (`held`), so no load runs behind a confirmation.

Every load that succeeds (re)starts the live stream, seeded with what it listed, so the table and the
stream start from the same listing. While the stream keeps the open orders current (`LiveFeed.covers`) the
auto-refresh lists only the stop orders, which no stream carries, and says so once; when a market's stream
has stopped, the auto-refresh's whole load is the fallback.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from PySide6.QtCore import QObject, Signal

from gatecancel_gui.core.app.services import load_stop_orders
from gatecancel_gui.core.app.session import Session
from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.domain.markets import FUTURES, Market
from gatecancel_gui.core.domain.wording import by_market, describe_instruments, plural
from gatecancel_gui.ui.gc_policy import CollectorPolicy
from gatecancel_gui.ui.jobs import CallJob, JobController, JobResult, Loaded, LoadJob
from gatecancel_gui.ui.live_feed import LiveFeed, streamed_markets, ws_url_of
from gatecancel_gui.ui.order_rows import PreparedRows, prepare_rows
from gatecancel_gui.ui.orders_pane import OrdersPane
from gatecancel_gui.ui.session_controller import SessionController
from gatecancel_gui.ui.status_line import StatusLine


class OrdersFeed(QObject):
    started = Signal()                 # a load began (the actions follow)
    finished = Signal(object)          # JobResult: the load ended (stopped=True if it was dropped)
    instrumentsLoaded = Signal(list, dict)  # noqa: N815  spot pairs, {futures market: contracts}: the switch's scopes

    def __init__(self, jobs: JobController, sessions: SessionController, open_pane: OrdersPane,
                 stop_pane: OrdersPane, status: StatusLine, may_load: Callable[[], bool], *, live: bool = True,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.jobs, self.sessions, self.status = jobs, sessions, status
        self.open_pane, self.stop_pane = open_pane, stop_pane
        self._may_load = may_load  # False while the window is closing
        self.collector = CollectorPolicy()
        self.job: LoadJob | None = None
        self._held = 0  # questions open: no auto-refresh starts behind them
        self.live = LiveFeed(jobs, open_pane, status, enabled=live, parent=self)
        self._said_waiting = False  # "the auto-refresh lists stop orders only", said once each time
        self._stops: CallJob | None = None  # that listing, while it runs

    def refresh(self, auto: bool = False) -> None:
        session = self.sessions.session
        if session is None:
            self.status.show_error("No account: add a profile with Profiles…")
            return
        if self.jobs.busy or not self._may_load():
            return
        job = LoadJob(session.client, self.open_pane.model.sort_spec, auto=auto)
        if not auto:
            self.status.show_busy()
            self.status.say("Loading open orders…")
        self.collector.pause()  # no cycle collection while thousands of rows are built
        self.job = job
        self.jobs.start(job, lambda result: self._done(job, result), on_progress=self._progress)
        self.started.emit()

    def auto_refresh(self) -> None:
        """The auto-refresh timer's tick: a quiet load, unless something runs, a question is open or the live
        stream keeps the table current."""
        if self.live.covers:
            if not self._said_waiting:
                self._said_waiting = True
                self.status.say("Auto-refresh: the live stream keeps the open orders current; only the stop "
                                "orders are listed.")
            self._list_stop_orders()
            return
        self._said_waiting = False
        if not self.jobs.busy and not self._held and self.sessions.session is not None:
            self.refresh(auto=True)

    def _list_stop_orders(self) -> None:
        """Stop orders only (no stream carries them), off the GUI thread, quietly; never during a cancel or
        behind a question."""
        session = self.sessions.session
        if session is None or self._stops is not None or self.jobs.busy or self._held or not self._may_load():
            return
        model, markets = self.stop_pane.model, list(self.live.statuses)

        def listed() -> PreparedRows:
            return prepare_rows(load_stop_orders(session.client, markets, stop=job.stop_event), model.sort_spec,
                                model.prices)

        job = self._stops = CallJob(listed, session.client)
        self.jobs.start(job, lambda result: self._stop_orders_listed(job, session, result), exclusive=False)

    def _stop_orders_listed(self, job: CallJob, session: Session, result: JobResult) -> None:
        if job is not self._stops:
            return
        self._stops = None
        if self.jobs.busy or self.sessions.session is not session:  # a cancel or a load began meanwhile (its
            return  # word about the rows comes first), or another account is shown
        if result.ok:
            self.stop_pane.set_rows(result.value, auto=True)
        elif result.error:
            self.status.show_error(f"Stop orders could not be loaded: {result.error}")

    @contextmanager
    def held(self) -> Iterator[None]:
        """While a question is open: no auto-refresh starts (a load must not begin behind it)."""
        self._held += 1
        try:
            yield
        finally:
            self._held -= 1

    def drop(self) -> None:
        """A cancel comes first: a load under way is stopped and whatever it brings back is not shown."""
        if self.job is not None:
            self.job.stop()
            self.job = None

    def _progress(self, pages: int, orders: int) -> None:
        if self.job is not None and not self.job.auto:
            self.status.say(f"Loading open orders… {orders} so far ({pages} page{'s' if pages != 1 else ''})")

    def _done(self, job: LoadJob, result: JobResult) -> None:
        self.collector.resume()
        if job is not self.job:  # dropped for a cancel: the table stays as the cancel found it
            self.finished.emit(JobResult(stopped=True))
            return
        auto = job.auto
        self.job = None
        self.status.hide_progress()
        if result.ok:
            self._show(result.value, auto)
            self._follow_live(result.value)
        elif result.stopped:
            self.status.say("Loading stopped; the table was left as it was.")
        else:
            self.status.show_error(result.error)
        self.finished.emit(result)

    def _follow_live(self, loaded: Loaded) -> None:
        """The stream from this listing on (a manual Refresh re-seeds it; an auto-refresh runs only when the
        stream did not cover the table, and restarts it)."""
        session = self.sessions.session
        if session is None or not self._may_load():
            return
        markets = streamed_markets(loaded.orders, loaded.futures_error)
        self.live.start(session.client, list(loaded.orders), markets, self.ws_url(session))

    def ws_url(self, session: Session) -> str:
        """The stream's address for this account (its profile's override, or derived from the client's)."""
        return ws_url_of(session, self._profile(session))

    def _profile(self, session: Session) -> object:
        try:
            return self.sessions.profiles.get(session.name)
        except ConfigError:
            return None

    def _show(self, loaded: Loaded, auto: bool) -> None:
        self.open_pane.set_rows(loaded.rows, auto=auto)
        if loaded.stop_rows is not None:
            self.stop_pane.set_rows(loaded.stop_rows, auto=auto)
        self.collector.freeze_current()  # the rows now live as long as the table: out of the collector's way
        self.instrumentsLoaded.emit(
            sorted({o.instrument for o in loaded.orders if o.market is Market.SPOT}),
            {m: sorted({o.instrument for o in loaded.orders if o.market is m}) for m in FUTURES})
        where = describe_instruments(loaded.orders)  # counted and worded as the confirmation does
        stops = plural(self.stop_pane.model.rowCount(), "stop order")
        orders = plural(len(loaded.orders), "open order")
        if loaded.stop_error or loaded.futures_error:
            self.status.show_error(" ".join(e for e in (loaded.futures_error, loaded.stop_error) if e))
        elif auto:
            new, gone = len(self.open_pane.model.new_ids), len(self.open_pane.model.gone_ids)
            self.status.say(f"Auto-refresh: {orders} in {where}; {new} new, {gone} gone.")
        else:
            self.status.say(f"Loaded {orders}{by_market(loaded.orders)} in {where}, and {stops}.")
