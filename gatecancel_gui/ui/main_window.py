"""The main window: open orders and stop orders in checkable tables, cancel the checked ones (or a whole
scope), colour each row by its result; live refresh, the dead-man switch, export and the journal."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QSettings, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QTabWidget,
    QToolBar,
    QWidget,
)

from gatecancel_gui import __version__
from gatecancel_gui.core.app.services import ScopeCancel, prepare_cancel
from gatecancel_gui.core.app.session import Session, open_profile
from gatecancel_gui.core.cancel.run import CancelSettings
from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.domain.markets import FUTURES, Market
from gatecancel_gui.core.domain.orders import Order, OrderKind
from gatecancel_gui.core.domain.outcomes import CancelReport
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.domain.wording import by_market, cancel_question, describe_instruments, plural
from gatecancel_gui.core.gate.warmth import WARM_EVERY_S, ConnectionWarmer
from gatecancel_gui.core.store.export import write_csv
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.core.store.paths import data_dir
from gatecancel_gui.core.store.profiles import ProfileStore
from gatecancel_gui.ui.actions import ActionState, build_actions, place_actions, shortcuts_html, update_enabled
from gatecancel_gui.ui.cancel_all_dialog import choose_scope
from gatecancel_gui.ui.dialogs import Confirm, ask
from gatecancel_gui.ui.gc_policy import CollectorPolicy
from gatecancel_gui.ui.jobs import CallJob, CancelJob, JobController, JobResult, LoadJob
from gatecancel_gui.ui.orders_model import COLUMNS
from gatecancel_gui.ui.orders_pane import OrdersPane
from gatecancel_gui.ui.risk_toolbar import RiskToolbar
from gatecancel_gui.ui.theme import ENVIRONMENT_BADGES, is_dark

log = logging.getLogger(__name__)

# The table header's saved widths and order belong to one column layout: a new layout starts fresh rather
# than inheriting widths meant for other columns.
HEADER_KEY = "window/header/" + "-".join(c.key for c in COLUMNS)
COUNTS_EVERY_MS = 250  # the counts line during a cancel (see _counts_changed)
PROGRESS_EVERY_MS = 100  # the cancel's progress bar (see _cancel_progress)
ChooseScope = Callable[[QWidget, list[str], str, str | None, list[Order]], Scope | None]
ChoosePath = Callable[[QWidget, str], str]


def _ask_save_path(parent: QWidget, suggested: str) -> str:
    path, _ = QFileDialog.getSaveFileName(parent, "Export to CSV", suggested, "CSV files (*.csv)")
    return path


def suggested_export_path(noun: str) -> str:
    """In the user's documents folder, named with what and when (UTC, like every time the app shows)."""
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation) or str(Path.home())
    stamp = time.strftime("%Y-%m-%d_%H%M%S", time.gmtime())
    return str(Path(folder) / f"gatecancel-{noun.replace(' ', '-')}-{stamp}Z.csv")


class MainWindow(QMainWindow):
    loadFinished = Signal(object)    # noqa: N815  JobResult
    cancelFinished = Signal(object)  # noqa: N815  CancelReport or None
    errorShown = Signal(str)         # noqa: N815

    def __init__(self, session: Session | None = None, *, confirm: Confirm = ask,
                 journal: Journal | None = None, profiles: ProfileStore | None = None,
                 choose_scope: ChooseScope = choose_scope, choose_path: ChoosePath = _ask_save_path,
                 warm_every_s: float = WARM_EVERY_S, cancel_settings: CancelSettings | None = None) -> None:
        super().__init__()
        self.session = session
        self.confirm = confirm
        self.choose_scope = choose_scope
        self.choose_path = choose_path
        self._journal = journal
        self.profiles = profiles or ProfileStore()
        self.jobs = JobController(self)
        self.collector = CollectorPolicy()
        self.load_job: LoadJob | None = None
        self.cancel_job: CancelJob | None = None
        self._close_when_idle = False
        self._may_close = False
        self._profiles_dialog: Any = None
        self._kept: dict[str, Session] = {}  # sessions with no saved profile (the demo): switch back to them
        self._asking = False  # a question is open: no live refresh starts behind it
        self._warm_every_s = warm_every_s
        self._counts_later = QTimer(self, singleShot=True, interval=COUNTS_EVERY_MS)
        self._counts_later.timeout.connect(self._update_counts)
        self._progress_value = 0
        self._progress_later = QTimer(self, singleShot=True, interval=PROGRESS_EVERY_MS)
        self._progress_later.timeout.connect(self._show_progress)
        self.cancel_settings = cancel_settings or CancelSettings()
        self._warmer: ConnectionWarmer | None = None
        self._disarm_tried = False
        self.open_pane = OrdersPane("orders", OrderKind.OPEN, self)
        self.stop_pane = OrdersPane("stop orders", OrderKind.STOP, self)
        self._build()
        self._connect()
        self._restore_state()
        self._show_session()
        self._keep_warm()

    # the open-orders table, by its old names (tests and the benchmark drive it directly)
    model = property(lambda self: self.open_pane.model)
    proxy = property(lambda self: self.open_pane.proxy)
    view = property(lambda self: self.open_pane.view)
    pair_filter = property(lambda self: self.open_pane.pair_filter)
    side_filter = property(lambda self: self.open_pane.side_filter)
    text_filter = property(lambda self: self.open_pane.text_filter)

    @property
    def journal(self) -> Journal:
        if self._journal is None:
            self._journal = Journal()
        return self._journal

    @property
    def pane(self) -> OrdersPane:
        """The table the toolbar acts on: the tab in front."""
        return self.stop_pane if self.tabs.currentWidget() is self.stop_pane else self.open_pane

    @property
    def panes(self) -> tuple[OrdersPane, OrdersPane]:
        return self.open_pane, self.stop_pane

    # -- layout ------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.resize(1180, 700)
        bar = QToolBar("Main", self)
        bar.setObjectName("main-toolbar")
        bar.setMovable(False)
        self.addToolBar(bar)

        self.profile_box = QComboBox(self)
        self.profile_box.setMinimumWidth(160)
        self.profile_box.setToolTip("Which account to work on; switching reloads")
        bar.addWidget(self.profile_box)
        self.commands = build_actions(self, self)
        menus = self.menuBar()
        place_actions(self.commands, bar, menus)
        # the environment is always in sight: the menu bar's corner never overflows, a toolbar does
        self.badge = QLabel(self)
        self.badge.setObjectName("environment-badge")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.badge.setMinimumWidth(90)
        menus.setCornerWidget(self.badge, Qt.Corner.TopRightCorner)
        self.addToolBarBreak()
        self.risk = RiskToolbar(self.jobs, self)
        self.addToolBar(self.risk)

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.open_pane, "Open orders")
        self.tabs.addTab(self.stop_pane, "Stop orders")
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)

        self.message = QLabel(self)
        self.counts = QLabel(self)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(220)
        self.progress.setFormat("%v / %m")
        self.progress.hide()
        self.statusBar().addWidget(self.message, 1)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.counts)

    def select_all(self) -> None:
        self.pane.check_visible(True)

    def select_none(self) -> None:
        self.pane.check_visible(False)

    def _connect(self) -> None:
        self.profile_box.activated.connect(self._profile_chosen)
        self.tabs.currentChanged.connect(self._update_counts)
        self.risk.liveTick.connect(self._live_refresh)
        self.risk.armedChanged.connect(self._update_actions)
        self.risk.message.connect(self.say)
        self.risk.errorRaised.connect(self.show_error)
        self.jobs.notice.connect(self.say)
        self.jobs.cancelProgress.connect(self._cancel_progress)
        self.jobs.idle.connect(self._idle)
        for pane in self.panes:
            self.jobs.route(pane.kind, pane.model.set_results)
            pane.countsChanged.connect(self._counts_changed)
            pane.message.connect(self.say)
            pane.messageWithdrawn.connect(self._withdraw)
            pane.cancelRequested.connect(lambda orders, pane=pane: self.start_cancel(orders, pane))
            pane.journalRequested.connect(self.show_journal)
            pane.model.resultsChanged.connect(self._update_actions)
        self._update_actions()

    # -- session -----------------------------------------------------------------------------------

    def _show_session(self) -> None:
        self.profile_box.blockSignals(True)
        self.profile_box.clear()
        names = []
        try:
            names = [p.name for p in self.profiles.all()]
        except ConfigError as exc:
            self.show_error(str(exc))
        names = [n for n in self._kept if n not in names] + names
        if self.session is not None and self.session.name not in names:
            names.insert(0, self.session.name)
        self.profile_box.addItems(names or ["(no profile)"])
        if self.session is not None:
            self.profile_box.setCurrentText(self.session.name)
        self.profile_box.blockSignals(False)
        self._show_environment()
        self.risk.set_client(self.session.client if self.session else None)
        self._update_actions()

    def _show_environment(self) -> None:
        """The badge and the title: what the server has said it is (a loopback server is CUSTOM until it
        says it is the paper exchange, so this follows each load). Qt appends the application's name to
        the title itself."""
        text, bg, fg = ENVIRONMENT_BADGES.get(self.environment, ("NOT CONNECTED", "#757575", "#ffffff"))
        self.badge.setText(f" {text} ")
        self.badge.setStyleSheet(f"QLabel {{ background: {bg}; color: {fg}; font-weight: bold; "
                                 "padding: 3px 8px; border-radius: 3px; }")
        name = self.session.name if self.session else "no account"
        self.setWindowTitle(f"{name} [{text}]")

    @property
    def environment(self) -> str:
        return self.session.environment if self.session else ""

    @property
    def environment_label(self) -> str:
        return ENVIRONMENT_BADGES.get(self.environment, ("?",))[0]

    def set_session(self, session: Session | None) -> None:
        if self.busy or self.risk.armed:
            self.show_error("Finish or stop the running job, and disarm the dead-man switch, before switching "
                            "account.")
            self._show_session()
            return
        if self.session is not None and self.session is not session:
            if self._has_profile(self.session.name):
                self.session.close()
            else:
                self._kept[self.session.name] = self.session  # e.g. the demo: it stays one click away
        self.session = session
        for pane in self.panes:
            pane.model.set_orders([])
            pane.model.clear_results()
        self._update_tabs()
        self._show_session()
        self._keep_warm()
        if session is not None:
            self.refresh()

    def _keep_warm(self) -> None:
        """The session's connections are opened now, not at the first click, and kept warm while the
        window shows it (a background thread; stopping it never waits)."""
        if self._warmer is not None:
            self._warmer.stop()
            self._warmer = None
        if self.session is not None:
            self._warmer = ConnectionWarmer(self.session.client, interval_s=self._warm_every_s).start()

    def _has_profile(self, name: str) -> bool:
        try:
            return self.profiles.get(name) is not None
        except ConfigError:
            return False

    def all_sessions(self) -> list[Session]:
        """The current session and the kept ones (to close at exit)."""
        return ([self.session] if self.session else []) + [s for s in self._kept.values() if s is not self.session]

    def _profile_chosen(self, index: int) -> None:
        name = self.profile_box.itemText(index)
        if self.session is not None and name == self.session.name:
            return
        if name in self._kept:
            self.set_session(self._kept.pop(name))
            return
        try:
            profile = self.profiles.get(name)
        except ConfigError as exc:
            self.show_error(str(exc))
            self._show_session()
            return
        if profile is None:
            return

        def opened(result: JobResult) -> None:  # the keyring is read off the GUI thread: a locked one may wait
            if result.ok:
                self.set_session(result.value)
            else:
                self.show_error(result.error or "Switching account was stopped.")
                self._show_session()

        self.profile_box.setEnabled(False)
        self.say(f"Opening profile '{name}'…")
        self.jobs.start(CallJob(lambda: open_profile(profile)), opened, exclusive=False)

    def edit_profiles(self) -> Any:
        """Open the one Profiles dialog (made on first use, kept, reused)."""
        from gatecancel_gui.ui.profiles_dialog import ProfilesDialog

        if self._profiles_dialog is None:
            self._profiles_dialog = ProfilesDialog(self.profiles, self.jobs, self)
            self._profiles_dialog.sessionChosen.connect(self.set_session)
            self._profiles_dialog.finished.connect(lambda _: self._show_session())
        self._profiles_dialog.reload()
        self._profiles_dialog.open()
        return self._profiles_dialog

    # -- loading -----------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self.jobs.busy

    def refresh(self, live: bool = False) -> None:
        if self.session is None:
            self.show_error("No account: add a profile with Profiles…")
            return
        if self.busy or self._close_when_idle:
            return
        job = LoadJob(self.session.client, self.model.sort_spec, live=live)
        if not live:
            self.progress.setRange(0, 0)
            self.progress.show()
            self.say("Loading open orders…")
        self.collector.pause()  # no cycle collection while thousands of rows are built
        self.load_job = job
        self.jobs.start(job, lambda result: self._load_done(job, result), on_progress=self._load_progress)
        self._update_actions()

    def _live_refresh(self) -> None:
        if not self.busy and not self._asking and self.session is not None:
            self.refresh(live=True)

    def _drop_load(self) -> None:
        """A cancel comes first: a load under way is stopped and whatever it brings back is not shown."""
        if self.load_job is not None:
            self.load_job.stop()
            self.load_job = None

    def _load_progress(self, pages: int, orders: int) -> None:
        if self.load_job is not None and not self.load_job.live:
            self.say(f"Loading open orders… {orders} so far ({pages} page{'s' if pages != 1 else ''})")

    def _load_done(self, job: LoadJob, result: JobResult) -> None:
        self.collector.resume()
        if job is not self.load_job:  # dropped for a cancel: the table stays as the cancel found it
            self.loadFinished.emit(JobResult(stopped=True))
            return
        live = job.live
        self.load_job = None
        self.progress.hide()
        self._show_environment()  # the server has answered: it has said whether it is the paper exchange
        if result.ok:
            loaded = result.value
            self.open_pane.set_rows(loaded.rows, live=live)
            if loaded.stop_rows is not None:
                self.stop_pane.set_rows(loaded.stop_rows, live=live)
            self.collector.freeze_current()  # the rows now live as long as the table: out of the collector's way
            self.risk.set_pairs(sorted({o.currency_pair for o in loaded.orders if o.market is Market.SPOT}),
                                {m: sorted({o.currency_pair for o in loaded.orders if o.market is m}) for m in FUTURES})
            where = describe_instruments(loaded.orders)  # counted and worded as the confirmation does
            stops = plural(self.stop_pane.model.rowCount(), "stop order")
            orders = plural(len(loaded.orders), "open order")
            if loaded.stop_error or loaded.futures_error:
                self.show_error(" ".join(e for e in (loaded.futures_error, loaded.stop_error) if e))
            elif live:
                new, gone = len(self.model.new_ids), len(self.model.gone_ids)
                self.say(f"Live: {orders} in {where}; {new} new, {gone} gone.")
            else:
                self.say(f"Loaded {orders}{by_market(loaded.orders)} in {where}, and {stops}.")
        elif result.stopped:
            self.say("Loading stopped; the table was left as it was.")
        else:
            self.show_error(result.error)
        self._update_tabs()
        self._update_actions()
        self.loadFinished.emit(result)

    def _update_tabs(self) -> None:
        self.tabs.setTabText(1, f"Stop orders ({self.stop_pane.model.rowCount()})")

    # -- cancelling --------------------------------------------------------------------------------

    def cancel_checked(self) -> None:
        self.start_cancel(self.pane.model.checked_orders(), self.pane, hidden=self.pane.hidden_checked())

    def start_cancel(self, orders: list[Order], pane: OrdersPane | None = None, *, hidden: int = 0) -> None:
        """Confirm, then cancel these orders. Orders already known cancelled or gone are not sent again."""
        pane = pane or self.open_pane
        if self.session is None or self.cancel_job is not None or self._close_when_idle:
            return
        if not orders:
            self.say(f"Nothing is checked: tick the {pane.noun} to cancel first.")
            return
        to_send = [o for o in orders if not pane.model.is_settled(o.key)]
        done = [o.key for o in orders if pane.model.is_settled(o.key)]
        skipped = len(done)
        if not to_send:
            pane.model.set_checked(done, False)  # done for good: a tick on them only sends "Cancel" in vain
            self.say(f"Nothing to send: {'that order is' if skipped == 1 else f'all {skipped} are'} already "
                     "cancelled or gone.")
            return
        orders = to_send
        question = cancel_question(orders, self.environment_label, noun=pane.noun, hidden=hidden, skipped=skipped)
        if not self._ask("Cancel orders", question, f"&Yes, cancel {len(orders)}"):
            self.say("Nothing was cancelled.")
            return
        pane.model.set_checked(done, False)  # said in the question: not sent again, and unticked as sent ones are
        refs = [o.ref for o in orders]
        run = prepare_cancel(self.session.client, refs, journal=self.journal, settings=self.cancel_settings)
        self._start_cancel(CancelJob(self.session.client, lambda emit: run.run(refs, emit), run.stop, refs),
                           f"Cancelling {len(refs)} {pane.noun}…")

    def cancel_all(self) -> None:
        if self.session is None or self.cancel_job is not None or self._close_when_idle:
            return
        pairs = sorted({o.currency_pair for o in self.model.orders() if o.market is Market.SPOT} |
                       {o.currency_pair for o in self.stop_pane.model.orders() if o.market is Market.SPOT})
        loaded = [o for o in self.model.orders() if not self.model.is_settled(o.key)]
        stops = [o for o in self.stop_pane.model.orders() if not self.stop_pane.model.is_settled(o.key)]
        scope = self.choose_scope(self, pairs, self.environment, self.pane.current_pair(), loaded + stops)
        if scope is None:
            return
        covered = [o for o in loaded if scope.matches(o)]
        covered_stops = [o for o in stops if scope.matches(o)] if scope.include_stop_orders else []
        question = f"{scope.question(self.environment)}\n\n{scope.covers(covered, covered_stops)}"
        if not self._ask("Cancel all", question, "&Yes, cancel all"):
            self.say("Nothing was cancelled.")
            return
        expected = [o.ref for o in covered + covered_stops]
        cancel = ScopeCancel(self.session.client, scope, journal=self.journal)
        self._start_cancel(CancelJob(self.session.client, lambda emit: cancel.run(emit).report, cancel.stop, expected),
                           f"Cancelling {scope.describe()}…")

    def _ask(self, title: str, question: str, yes_text: str) -> bool:
        """Ask, holding live refresh back meanwhile (a load must not start behind the question)."""
        self._asking = True
        self._show_environment()  # the question names the environment: the badge says the same
        try:
            return self.confirm(self, title, question, yes_text)
        finally:
            self._asking = False

    def _start_cancel(self, job: CancelJob, saying: str) -> None:
        if self.cancel_job is not None or self._close_when_idle:  # the question let something else begin
            self.say("Nothing was cancelled: the window is busy closing or cancelling.")
            return
        self._drop_load()
        for pane in self.panes:
            pane.model.forget_results(ref.key for ref in job.expected if ref.kind is pane.kind)
        self.progress.setRange(0, max(1, len(job.expected)))
        self.progress.setValue(0)
        self.progress.show()
        self.say(saying)
        self.cancel_job = job
        self.jobs.start(job, self._cancel_done)
        self._update_actions()

    def _cancel_progress(self, settled: int, expected: int) -> None:
        """Orders settled / expected. QProgressBar.setValue repaints at once, and with it every widget
        waiting to be painted (the whole table): once per burst of results that held the GUI thread for
        most of a cancel. So the bar follows at most every PROGRESS_EVERY_MS."""
        self._progress_value = min(settled, expected)
        if not self._progress_later.isActive():
            self._progress_later.start()

    def _show_progress(self) -> None:
        self.progress.setValue(self._progress_value)

    def _cancel_done(self, result: JobResult) -> None:
        self.cancel_job = None
        self.progress.hide()
        report: CancelReport | None = result.value
        if report is not None:
            for pane in self.panes:  # the final word for each order, in the table of its kind
                pane.model.settle(o for o in report.outcomes.values() if o.ref.kind is pane.kind)
            summary = report.summary()
            local = " ".join(text for text in (report.internal_error, report.journal_error) if text)
            if report.refused:
                self.show_error(f"{report.refused} ({summary}) {local}".rstrip())
            elif local:  # this computer's trouble, said apart from Gate's answers, and kept in sight
                self.show_error(("Stopped: " if report.stopped else "Done: ") + f"{summary}. {local}")
            else:
                self.say(("Stopped: " if report.stopped else "Done: ") + summary + ".")
        elif result.stopped:
            self.say("Stopped before any cancel was sent.")
        else:
            self.show_error(result.error)
        self._update_actions()
        self.cancelFinished.emit(report)

    def retry_failed(self) -> None:
        model = self.pane.model
        retry = [o for o in model.orders()
                 if (r := model.result_of(o.key)) is not None and not r.succeeded and r.retryable]
        self.start_cancel(retry, self.pane)

    def clear_cancelled(self) -> None:
        model = self.pane.model
        model.remove_ids({i for i, r in model.results.items() if r.succeeded} | model.gone_ids)

    def stop(self) -> None:
        if self.jobs.busy:
            self.jobs.stop_all()
            self.say("Stopping: no new requests; the answers in flight, then a short look-up of what was sent "
                     "(a few seconds at most)…" if self.cancel_job is not None else "Stopping…")

    # -- export and journal ------------------------------------------------------------------------

    def export_csv(self) -> Path | None:
        pane = self.pane
        path = self.choose_path(self, suggested_export_path(pane.noun))
        if not path:
            return None
        header, rows = pane.export_rows()
        try:
            count = write_csv(Path(path), header, rows)
        except OSError as exc:
            self.show_error(f"Could not write {path}: {exc.strerror or type(exc).__name__}.")
            return None
        self.say(f"Exported {count} {pane.noun} to {path}.")
        return Path(path)

    def show_journal(self, filter_text: str = "") -> Any:
        from gatecancel_gui.ui.journal_dialog import JournalDialog

        dialog = JournalDialog(self.journal, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if filter_text:
            dialog.filter.setText(filter_text)
        dialog.open()
        return dialog

    def show_shortcuts(self) -> QMessageBox:
        return self._inform("Keyboard shortcuts", shortcuts_html())

    def show_about(self) -> QMessageBox:
        return self._inform("About gatecancel", f"<b>gatecancel {__version__}</b><p>See every open Gate order, "
                            "cancel the ones you pick, and know what became of each.</p><p>Credentials stay in the "
                            f"OS keyring. The cancel journal and the log are in {data_dir()}.</p>")

    def _inform(self, title: str, html: str) -> QMessageBox:
        box = QMessageBox(QMessageBox.Icon.Information, title, html, QMessageBox.StandardButton.Close, self)
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # never a blocking exec()
        return box

    # -- shared ------------------------------------------------------------------------------------

    def _counts_changed(self) -> None:
        """While a cancel streams its results the counts line follows at most every COUNTS_EVERY_MS: worked
        out for every burst (the value of every checked order) it took the interpreter from the cancel and
        the window stalled. Otherwise, and as soon as the cancel ends, at once."""
        if self.cancel_job is None:
            self._counts_later.stop()
            self._update_counts()
        elif not self._counts_later.isActive():
            self._counts_later.start()

    def _update_counts(self) -> None:
        self.counts.setText(self.pane.counts_text())
        self._update_actions()

    def _update_actions(self) -> None:
        busy = self.busy
        connected = self.session is not None
        model = self.pane.model
        retryable = succeeded = False
        for r in model.results.values():  # one pass (this follows every burst of results)
            succeeded = succeeded or r.succeeded
            retryable = retryable or (not r.succeeded and r.retryable and r.final)
            if succeeded and retryable:
                break
        cancelling = self.cancel_job is not None or self._close_when_idle  # a load never holds a cancel back
        update_enabled(self.commands, ActionState(connected, busy, cancelling, bool(model.checked), retryable,
                                                 succeeded or bool(model.gone_ids)))
        self.profile_box.setEnabled(not busy and not self.risk.armed and not self._close_when_idle)

    def _withdraw(self, text: str) -> None:
        if self.message.text() == text:
            self.message.clear()

    def say(self, text: str) -> None:
        self.message.setStyleSheet("")
        self.message.setText(text)

    def show_error(self, text: str) -> None:
        """Errors are one sentence in the status bar, in red: never a traceback, never a blocking box."""
        log.warning("shown to user: %s", text)
        self.message.setStyleSheet("QLabel { color: #d32f2f; font-weight: bold; }")
        self.message.setText(text)
        self.errorShown.emit(text)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.PaletteChange:
            for pane in self.panes:
                pane.model.dark = is_dark()
                pane.proxy.refill()
        super().changeEvent(event)

    # -- state and closing -------------------------------------------------------------------------

    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        header = settings.value(HEADER_KEY)  # saved under the column layout it belongs to
        if header is not None:
            self.view.horizontalHeader().restoreState(header)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        """Never wait here: stop the jobs (and disarm the dead-man switch) in the background, and close
        when the last of them has ended (`_idle`)."""
        if not self._may_close and (self.jobs.alive or self.risk.armed):
            if self.cancel_job is not None and not self._close_when_idle and not self._ask(
                    "A cancel is running",
                    "A cancel is running. Stop sending, wait for the requests in flight and close?",
                    "&Stop and close"):
                event.ignore()
                return
            self._close_when_idle = True
            self.jobs.stop_all()
            self._disarm_before_closing()
            if self.jobs.alive:  # (the question may have let everything end meanwhile: then close now)
                self.say("Closing after the requests in flight are answered"
                         + (" and the dead-man switch is disarmed…" if self.risk.armed else "…"))
                self._update_actions()
                event.ignore()
                return
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue(HEADER_KEY, self.view.horizontalHeader().saveState())
        if self.session is not None:
            settings.setValue("session/last_profile", self.session.name)
        self.collector.release()
        if self._warmer is not None:
            self._warmer.stop()
        event.accept()

    def _disarm_before_closing(self) -> None:
        if self.risk.armed and self.risk.pending is None and not self._disarm_tried:
            self._disarm_tried = True
            self.risk.disarm()  # a clean exit never leaves Gate counting down

    def _idle(self) -> None:
        if not self._close_when_idle:
            return
        self._disarm_before_closing()  # armed while the close waited (an arm that was under way)
        if self.jobs.alive:
            return
        if self.risk.armed:  # the disarm failed (its error is shown): Gate fires, cancelling the scope
            log.warning("closing with the dead-man switch still armed: it will fire")
            self.risk.abandon()
        self._may_close = True
        self.close()
