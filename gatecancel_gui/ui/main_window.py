"""The main window: open orders and stop orders in checkable tables, cancel the checked ones (or a whole
scope), colour each row by its result; auto-refresh, the dead-man switch, export and the journal.

The window is the composition of its parts, each a module with one job:
  actions.py             every command declared once: toolbar, menus, keys and the keyboard help
  session_controller.py  which account: profiles, switching, keeping connections warm
  orders_feed.py         what puts orders into the tables: Refresh, the auto-refresh, the live stream
  cancel_controller.py   asking, then cancelling through the services, outcomes to the right table
  guard_controller.py    the guards: arming (asks first), their red banners, their outcomes on the rows
  shutdown.py            closing without waiting: jobs stopped, the dead-man switch disarmed
  status_line.py         the status bar's sentence, progress and counts
  jobs.py, bridge.py     the one job controller, and the one way from a worker thread to this one
Here the widgets are built and the parts wired; the few methods left are what the toolbar does.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QStandardPaths, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenuBar,
    QMessageBox,
    QTabWidget,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from gatecancel_gui import __version__
from gatecancel_gui.core.app.session import Session
from gatecancel_gui.core.cancel.run import CancelSettings
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order, OrderKind
from gatecancel_gui.core.gate.warmth import WARM_EVERY_S
from gatecancel_gui.core.risk.guard import Guard
from gatecancel_gui.core.store.export import write_csv
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.core.store.paths import data_dir
from gatecancel_gui.core.store.profiles import ProfileStore
from gatecancel_gui.core.stream.settings import StreamSettings
from gatecancel_gui.ui.actions import ActionState, build_actions, place_actions, shortcuts_html, update_enabled
from gatecancel_gui.ui.cancel_all_dialog import choose_scope
from gatecancel_gui.ui.cancel_controller import CancelController, ChooseScope
from gatecancel_gui.ui.dialogs import Confirm, ask
from gatecancel_gui.ui.guard_controller import GuardController, MakeGuard
from gatecancel_gui.ui.guard_dialog import GuardChoice, choose_guard
from gatecancel_gui.ui.jobs import JobController
from gatecancel_gui.ui.live_feed import STOP_BEFORE_CLOSE_S, clear_new_marks_when_selected
from gatecancel_gui.ui.orders_feed import OrdersFeed
from gatecancel_gui.ui.orders_pane import OrdersPane
from gatecancel_gui.ui.risk_toolbar import RiskToolbar
from gatecancel_gui.ui.session_controller import SessionController
from gatecancel_gui.ui.shutdown import Shutdown, restore_state
from gatecancel_gui.ui.status_line import StatusLine
from gatecancel_gui.ui.theme import ENVIRONMENT_BADGES, is_dark

COUNTS_EVERY_MS = 250  # the counts line during a cancel (see _counts_changed)
ChoosePath = Callable[[QWidget, str], str]
ChooseGuard = Callable[[QWidget, list[str], list[Order], GuardChoice | None], GuardChoice | None]


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

    def __init__(self, session: Session | None = None, *, confirm: Confirm = ask,
                 journal: Journal | None = None, profiles: ProfileStore | None = None,
                 choose_scope: ChooseScope = choose_scope, choose_path: ChoosePath = _ask_save_path,
                 warm_every_s: float = WARM_EVERY_S, cancel_settings: CancelSettings | None = None,
                 live: bool = True, choose_guard: ChooseGuard = choose_guard,
                 make_guard: MakeGuard = Guard) -> None:
        super().__init__()
        self.confirm = confirm
        self.choose_guard = choose_guard
        self.choose_path = choose_path
        self._journal = journal
        self._profiles_dialog: Any = None
        self.jobs = JobController(self)
        self.sessions = SessionController(session, profiles or ProfileStore(), self.jobs,
                                          warm_every_s=warm_every_s, parent=self)
        self.open_pane = OrdersPane("orders", OrderKind.OPEN, self)
        self.stop_pane = OrdersPane("stop orders", OrderKind.STOP, self)
        self._build()
        self.feed = OrdersFeed(self.jobs, self.sessions, self.open_pane, self.stop_pane, self.status,
                               may_load=lambda: not self.shutdown.closing, live=live, parent=self)
        self.cancels = CancelController(self.jobs, self.sessions, self.feed, self.panes, self.status, ask=self.ask,
                                        choose_scope=choose_scope, journal=lambda: self.journal,
                                        settings=cancel_settings or CancelSettings(),
                                        may_start=lambda: not self.shutdown.closing, parent=self)
        self.guards = GuardController(self.jobs, self.guard_host, {p.kind: p.model for p in self.panes},
                                      make_guard=make_guard, journal=lambda: self.journal, parent=self)
        self.shutdown = Shutdown(self, self.open_pane.view, self.jobs, self.risk, self.status, guards=self.guards,
                                 cancelling=lambda: self.cancels.job is not None, ask=self.ask,
                                 last_profile=lambda: self.sessions.session.name if self.sessions.session else None,
                                 release=self._release)
        self._counts_later = QTimer(self, singleShot=True, interval=COUNTS_EVERY_MS)
        self._counts_later.timeout.connect(self._update_counts)
        self._connect()
        restore_state(self, self.open_pane.view)
        self._show_session()

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

    # -- layout and wiring -------------------------------------------------------------------------

    def _build(self) -> None:
        self.resize(1180, 700)
        bar = QToolBar("Main", self)
        bar.setObjectName("main-toolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.badge = QLabel(self)
        self.badge.setObjectName("environment-badge")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.badge.setMinimumWidth(90)
        menus = self.menuBar()
        self._place_badge(bar, menus)
        self.profile_box = QComboBox(self)
        self.profile_box.setMinimumWidth(160)
        self.profile_box.setToolTip("Which account to work on; switching reloads")
        bar.addWidget(self.profile_box)
        self.commands = build_actions(self, self)
        place_actions(self.commands, bar, menus)
        self.addToolBarBreak()
        self.risk = RiskToolbar(self.jobs, self)
        self.addToolBar(self.risk)
        self.tabs = QTabWidget(self)
        self.tabs.addTab(self.open_pane, "Open orders")
        self.tabs.addTab(self.stop_pane, "Stop orders")
        self.tabs.setDocumentMode(True)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        self.guard_host = QWidget(central)  # the guards' red banners, under the toolbars, while one is armed
        self.guard_host.setObjectName("guard-banners")
        layout.addWidget(self.guard_host)
        layout.addWidget(self.tabs, 1)
        self.setCentralWidget(central)
        self.status = StatusLine(self.statusBar())

    def _place_badge(self, bar: QToolBar, menus: QMenuBar) -> None:
        """The environment always in sight: in the menu bar's corner, which never overflows (a toolbar's right
        end does). A native menu bar (macOS: the menus are in the screen's top bar) shows no corner widget:
        there the badge leads the toolbar, whose left end never overflows, and that toolbar cannot be hidden."""
        if menus.isNativeMenuBar():
            bar.addWidget(self.badge)
            bar.toggleViewAction().setVisible(False)  # not in the toolbars' right-click menu: it holds the badge
        else:
            menus.setCornerWidget(self.badge, Qt.Corner.TopRightCorner)

    def _connect(self) -> None:
        say, show_error = self.status.say, self.status.show_error
        self.profile_box.activated.connect(self._profile_chosen)
        self.tabs.currentChanged.connect(self._update_counts)
        self.sessions.opened.connect(self.set_session)
        self.sessions.openFailed.connect(self._open_failed)
        self.sessions.errorRaised.connect(show_error)
        self.feed.started.connect(self._update_actions)
        self.feed.finished.connect(self._loaded)
        self.feed.instrumentsLoaded.connect(self.risk.set_pairs)
        self.stop_pane.countsChanged.connect(self._update_tabs)  # also after a listing of stop orders alone
        self.cancels.changed.connect(self._update_actions)
        self.cancels.finished.connect(self.cancelFinished)
        self.shutdown.changed.connect(self._update_actions)
        self.shutdown.readyToClose.connect(self.close)
        self.risk.refreshDue.connect(self.feed.auto_refresh)
        self.risk.armedChanged.connect(self._update_actions)
        self.risk.message.connect(say)
        self.risk.errorRaised.connect(show_error)
        self.jobs.notice.connect(say)
        self.guards.changed.connect(self._update_actions)
        self.guards.message.connect(say)
        self.guards.errorRaised.connect(show_error)
        self.open_pane.guardRequested.connect(
            lambda order: self.arm_guard(GuardChoice(order.market, order.instrument)))
        self.jobs.cancelProgress.connect(self.status.follow_progress)
        for pane in self.panes:
            self.jobs.route(pane.kind, pane.model.set_results)
            pane.countsChanged.connect(self._counts_changed)
            pane.message.connect(say)
            pane.messageWithdrawn.connect(self.status.withdraw)
            pane.cancelRequested.connect(lambda orders, pane=pane: self.cancels.cancel(orders, pane))
            pane.journalRequested.connect(self.show_journal)
            pane.model.resultsChanged.connect(self._update_actions)
            clear_new_marks_when_selected(pane)
        self._update_actions()

    def ask(self, title: str, question: str, yes_text: str) -> bool:
        """Ask, holding the auto-refresh back meanwhile (a load must not start behind the question)."""
        with self.feed.held():
            self._show_environment()  # the question names the environment: the badge says the same
            return self.confirm(self, title, question, yes_text)

    # -- the account -------------------------------------------------------------------------------

    def _show_session(self) -> None:
        session = self.sessions.session
        self.profile_box.blockSignals(True)
        self.profile_box.clear()
        self.profile_box.addItems(self.sessions.names() or ["(no profile)"])
        if session is not None:
            self.profile_box.setCurrentText(session.name)
        self.profile_box.blockSignals(False)
        self._show_environment()
        self.risk.set_client(session.client if session else None)
        self._update_actions()

    def _show_environment(self) -> None:
        """The badge and the title: what the server has said it is (a loopback server is CUSTOM until it
        says it is the paper exchange, so this follows each load). Qt appends the application's name to
        the title itself."""
        text, bg, fg = ENVIRONMENT_BADGES.get(self.sessions.environment, ("NOT CONNECTED", "#757575", "#ffffff"))
        self.badge.setText(f" {text} ")
        self.badge.setStyleSheet(f"QLabel {{ background: {bg}; color: {fg}; font-weight: bold; "
                                 "padding: 3px 8px; border-radius: 3px; }")
        name = self.sessions.session.name if self.sessions.session else "no account"
        self.setWindowTitle(f"{name} [{text}]")

    def set_session(self, session: Session | None) -> None:
        if self.jobs.busy or self.risk.armed:
            self.status.show_error("Finish or stop the running job, and disarm the dead-man switch, before "
                                   "switching account.")
            self._show_session()
            return
        self.guards.stop_all("Another account was chosen.")  # a guard acts on its own account only
        self.feed.live.forget()  # the old account's stream, stopped before its client is closed
        self.sessions.switch(session)
        for pane in self.panes:
            pane.model.set_orders([])
            pane.model.clear_results()
        self._update_tabs()
        self._show_session()
        if session is not None:
            self.refresh()

    def _profile_chosen(self, index: int) -> None:
        name = self.profile_box.itemText(index)
        if self.sessions.open(name):
            self.profile_box.setEnabled(False)
            self.status.say(f"Opening profile '{name}'…")

    def _open_failed(self, error: str) -> None:
        self.status.show_error(error)
        self._show_session()

    def edit_profiles(self) -> Any:
        """Open the one Profiles dialog (made on first use, kept, reused)."""
        from gatecancel_gui.ui.profiles_dialog import ProfilesDialog

        if self._profiles_dialog is None:
            self._profiles_dialog = ProfilesDialog(self.sessions.profiles, self.jobs, self)
            self._profiles_dialog.sessionChosen.connect(self.set_session)
            self._profiles_dialog.finished.connect(lambda _: self._show_session())
        self._profiles_dialog.reload()
        self._profiles_dialog.open()
        return self._profiles_dialog

    # -- what the toolbar does ---------------------------------------------------------------------

    def refresh(self) -> None:
        self.feed.refresh()

    def _loaded(self, result: Any) -> None:
        self._show_environment()  # the server has answered: it has said whether it is the paper exchange
        self._update_tabs()
        self._update_actions()
        self.loadFinished.emit(result)

    def _update_tabs(self) -> None:
        self.tabs.setTabText(1, f"Stop orders ({self.stop_pane.model.rowCount()})")

    def select_all(self) -> None:
        self.pane.check_visible(True)

    def select_none(self) -> None:
        self.pane.check_visible(False)

    def cancel_checked(self) -> None:
        self.cancels.cancel(self.pane.model.checked_orders(), self.pane, hidden=self.pane.hidden_checked())

    def start_cancel(self, orders: list[Order]) -> None:
        """Confirm, then cancel these open orders (the self-test and tests pick them)."""
        self.cancels.cancel(orders, self.open_pane)

    def cancel_all(self) -> None:
        self.cancels.cancel_all(self.pane)

    def retry_failed(self) -> None:
        self.cancels.retry_failed(self.pane)

    def clear_cancelled(self) -> None:
        model = self.pane.model
        model.remove_ids(model.done_ids())

    def guard(self) -> None:
        """Choose a guard's scope and duration, then arm it (asks first)."""
        orders = self.open_pane.model.orders()
        pairs = sorted({o.instrument for o in orders if o.market is Market.SPOT})
        choice = self.choose_guard(self, pairs, orders, GuardChoice(pair=self.open_pane.current_pair()))
        if choice is not None:
            self.arm_guard(choice)

    def arm_guard(self, choice: GuardChoice) -> bool:
        """Arm a guard on this account after asking, naming the scope, the environment and how many open orders
        the table shows there now; refused if it overlaps an armed guard. True if it is arming."""
        session = self.sessions.session
        if session is None or self.shutdown.closing:
            return False
        refusal = self.guards.refusal(choice)
        if refusal:
            self.status.show_error(refusal)
            return False
        model = self.open_pane.model
        count = sum(1 for o in model.orders() if choice.matches(o) and not model.is_settled(o.key))
        minutes = f"{choice.duration_s / 60:g} min"
        question = (f"Guard {choice.where()} on {self.sessions.environment_label} for {minutes}?\n\n"
                    f"It cancels the {count} open order{'s' if count != 1 else ''} the table shows there now (Gate "
                    "may hold more: they are cancelled too), then every new order there as it appears, until the "
                    "time is up or you press Stop.")
        if not self.ask("Arm the guard", question, "&Yes, arm"):
            return False
        settings = StreamSettings(ws_url=self.feed.ws_url(session))
        return self.guards.arm(session.client, choice, settings) is not None

    def stop_sending(self) -> None:
        self.cancels.stop_sending()

    def export_csv(self) -> Path | None:
        pane = self.pane
        path = self.choose_path(self, suggested_export_path(pane.noun))
        if not path:
            return None
        header, rows = pane.export_rows()
        try:
            count = write_csv(Path(path), header, rows)
        except OSError as exc:
            self.status.show_error(f"Could not write {path}: {exc.strerror or type(exc).__name__}.")
            return None
        self.status.say(f"Exported {count} {pane.noun} to {path}.")
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

    # -- counts and actions ------------------------------------------------------------------------

    def _counts_changed(self) -> None:
        """While a cancel streams its results the counts line follows at most every COUNTS_EVERY_MS: worked
        out for every burst (the value of every checked order) it took the interpreter from the cancel and
        the window stalled. Otherwise, and as soon as the cancel ends, at once."""
        if self.cancels.job is None:
            self._counts_later.stop()
            self._update_counts()
        elif not self._counts_later.isActive():
            self._counts_later.start()

    def _update_counts(self) -> None:
        self.status.counts.setText(self.pane.counts_text())
        self._update_actions()

    def _update_actions(self) -> None:
        busy = self.jobs.busy
        model = self.pane.model
        clearable, retryable = model.result_summary()
        closing = self.shutdown.closing
        cancelling = self.cancels.job is not None or closing  # a load never holds a cancel back
        update_enabled(self.commands, ActionState(self.sessions.session is not None, busy, cancelling,
                                                  bool(model.checked), retryable, clearable or bool(model.gone_ids),
                                                  closing))
        self.profile_box.setEnabled(not busy and not self.risk.armed and not closing)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() == QEvent.Type.PaletteChange:
            for pane in self.panes:
                pane.model.dark = is_dark()
                pane.filtered.refill()
        super().changeEvent(event)

    # -- closing -----------------------------------------------------------------------------------

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        self.shutdown.close_event(event)

    def _release(self) -> None:
        """The window's last moment: the collector as it was found, the warmer and the live stream stopped
        (the stream's threads waited for a few ms at most: the session's client is closed next)."""
        self.guards.release()
        self.feed.live.stop(STOP_BEFORE_CLOSE_S)
        self.feed.collector.release()
        self.sessions.stop_warming()
