"""The main window: open orders in a checkable table, cancel the checked ones, colour each row by its result."""

from __future__ import annotations

import logging
from collections import defaultdict
from decimal import Decimal
from typing import Any

from PySide6.QtCore import QEvent, QItemSelectionModel, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QTableView,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from gatecancel_gui.core.errors import ConfigError
from gatecancel_gui.core.journal import Journal
from gatecancel_gui.core.models import CancelReport, OrderRef
from gatecancel_gui.core.profiles import ProfileStore
from gatecancel_gui.ui.dialogs import Confirm, ask
from gatecancel_gui.ui.orders_model import COLUMN, OrdersFilter, OrdersModel
from gatecancel_gui.ui.session import Session, open_profile
from gatecancel_gui.ui.theme import ENVIRONMENT_BADGES, is_dark
from gatecancel_gui.ui.workers import CancelJob, Job, JobResult, LoadJob

log = logging.getLogger(__name__)

ALL = "All pairs"


class MainWindow(QMainWindow):
    loadFinished = Signal(object)    # noqa: N815  JobResult
    cancelFinished = Signal(object)  # noqa: N815  CancelReport or None
    errorShown = Signal(str)         # noqa: N815

    def __init__(self, session: Session | None = None, *, confirm: Confirm = ask,
                 journal: Journal | None = None, profiles: ProfileStore | None = None) -> None:
        super().__init__()
        self.session = session
        self.confirm = confirm
        self.journal = journal
        self.profiles = profiles or ProfileStore()
        self.load_job: LoadJob | None = None
        self.cancel_job: CancelJob | None = None
        self._close_when_idle = False
        self._cancel_ids: list[str] = []
        self.model = OrdersModel(self)
        self.proxy = OrdersFilter(self)
        self.proxy.setSourceModel(self.model)
        self._build()
        self._connect()
        self._restore_state()
        self._show_session()

    # -- layout ------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.setWindowTitle("gatecancel")
        self.resize(1180, 680)
        bar = QToolBar("Main", self)
        bar.setObjectName("main-toolbar")
        bar.setMovable(False)
        self.addToolBar(bar)
        self.profile_box = QComboBox(self)
        self.profile_box.setMinimumWidth(160)
        self.profile_box.setToolTip("Which account to work on")
        bar.addWidget(self.profile_box)
        self.act_profiles = self._action(bar, "Profiles…", None, "Add, edit or remove API key profiles")
        bar.addSeparator()
        self.act_refresh = self._action(bar, "Refresh", [QKeySequence(Qt.Key.Key_F5), QKeySequence("Ctrl+R")],
                                        "Load every open order (F5)")
        self.act_select_all = self._action(bar, "Select all", [QKeySequence("Ctrl+A")],
                                           "Check every visible row (Ctrl+A)")
        self.act_select_none = self._action(bar, "Select none", [QKeySequence("Ctrl+Shift+A")],
                                            "Uncheck every visible row")
        bar.addSeparator()
        self.act_cancel = self._action(bar, "Cancel checked", [QKeySequence(Qt.Key.Key_Delete)],
                                       "Cancel the checked orders, after a confirmation (Delete)")
        self.act_stop = self._action(bar, "Stop", [QKeySequence(Qt.Key.Key_Escape)],
                                     "Send no more requests; what is in flight is still reported (Esc)")
        self.act_retry = self._action(bar, "Retry failed", None,
                                      "Cancel again the red rows that can still be cancelled")
        self.act_clear = self._action(bar, "Clear cancelled", None, "Remove the green rows from the table")
        spacer = QWidget(self)
        spacer.setSizePolicy(spacer.sizePolicy().horizontalPolicy().Expanding,
                             spacer.sizePolicy().verticalPolicy().Preferred)
        bar.addWidget(spacer)
        self.badge = QLabel(self)
        self.badge.setObjectName("environment-badge")
        self.badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.badge.setMinimumWidth(90)
        bar.addWidget(self.badge)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(6, 6, 6, 0)
        filters = QHBoxLayout()
        filters.addWidget(QLabel("Pair:", self))
        self.pair_filter = QComboBox(self)
        self.pair_filter.setMinimumWidth(130)
        self.pair_filter.addItem(ALL)
        filters.addWidget(self.pair_filter)
        filters.addWidget(QLabel("Side:", self))
        self.side_filter = QComboBox(self)
        self.side_filter.addItems(["Both", "buy", "sell"])
        filters.addWidget(self.side_filter)
        self.text_filter = QLineEdit(self)
        self.text_filter.setPlaceholderText("Filter by id, text or pair…")
        self.text_filter.setClearButtonEnabled(True)
        filters.addWidget(self.text_filter, 1)
        layout.addLayout(filters)

        self.view = QTableView(self)
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(COLUMN["created"], Qt.SortOrder.DescendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setAlternatingRowColors(False)
        self.view.verticalHeader().setVisible(False)
        self.view.verticalHeader().setDefaultSectionSize(22)
        self.view.setWordWrap(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setStretchLastSection(True)
        for key, width in (("check", 28), ("pair", 95), ("side", 45), ("type", 50), ("price", 95), ("amount", 95),
                           ("left", 95), ("filled", 65), ("created", 140), ("id", 150), ("text", 90)):
            self.view.setColumnWidth(COLUMN[key], width)
        layout.addWidget(self.view, 1)
        self.setCentralWidget(central)

        self.message = QLabel(self)
        self.counts = QLabel(self)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(220)
        self.progress.setFormat("%v / %m")
        self.progress.hide()
        self.statusBar().addWidget(self.message, 1)
        self.statusBar().addPermanentWidget(self.progress)
        self.statusBar().addPermanentWidget(self.counts)
        QShortcut(QKeySequence(Qt.Key.Key_Space), self.view, self.toggle_current,
                  context=Qt.ShortcutContext.WidgetShortcut)

    def _action(self, bar: QToolBar, text: str, keys: list[QKeySequence] | None, tip: str) -> QAction:
        action = QAction(text, self)
        action.setToolTip(tip)
        if keys:
            action.setShortcuts(keys)
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        bar.addAction(action)
        return action

    def _connect(self) -> None:
        self.act_refresh.triggered.connect(self.refresh)
        self.act_select_all.triggered.connect(lambda: self.check_visible(True))
        self.act_select_none.triggered.connect(lambda: self.check_visible(False))
        self.act_cancel.triggered.connect(self.cancel_checked)
        self.act_stop.triggered.connect(self.stop)
        self.act_retry.triggered.connect(self.retry_failed)
        self.act_clear.triggered.connect(self.clear_cancelled)
        self.act_profiles.triggered.connect(self.edit_profiles)
        self.profile_box.activated.connect(self._profile_chosen)
        self.pair_filter.currentIndexChanged.connect(self._apply_filter)
        self.side_filter.currentIndexChanged.connect(self._apply_filter)
        self.text_filter.textChanged.connect(self._apply_filter)
        self.model.checkedChanged.connect(self._update_counts)
        self.model.resultsChanged.connect(self._update_actions)
        self.model.resultsChanged.connect(self._cancel_progress)
        self.model.modelReset.connect(self._update_counts)
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
        if self.session is not None and self.session.name not in names:
            names.insert(0, self.session.name)
        self.profile_box.addItems(names or ["(no profile)"])
        if self.session is not None:
            self.profile_box.setCurrentText(self.session.name)
        self.profile_box.blockSignals(False)
        env = self.session.environment if self.session else ""
        text, bg, fg = ENVIRONMENT_BADGES.get(env, ("NOT CONNECTED", "#757575", "#ffffff"))
        self.badge.setText(f" {text} ")
        self.badge.setStyleSheet(f"QLabel {{ background: {bg}; color: {fg}; font-weight: bold; "
                                 "padding: 3px 8px; border-radius: 3px; }")
        name = self.session.name if self.session else "no account"
        self.setWindowTitle(f"gatecancel — {name} [{text}]")
        self._update_actions()

    def set_session(self, session: Session | None) -> None:
        if self.busy:
            self.show_error("Wait for the running job to finish (or stop it) before switching account.")
            return
        if self.session is not None and self.session is not session:
            self.session.close()
        self.session = session
        self.model.set_orders([])
        self.model.clear_results()
        self._show_session()
        if session is not None:
            self.refresh()

    def _profile_chosen(self, index: int) -> None:
        name = self.profile_box.itemText(index)
        if self.session is not None and name == self.session.name:
            return
        profile = self.profiles.get(name)
        if profile is None:
            return
        try:
            self.set_session(open_profile(profile))
        except ConfigError as exc:
            self.show_error(str(exc))
            self._show_session()

    def edit_profiles(self) -> None:
        from gatecancel_gui.ui.profiles_dialog import ProfilesDialog

        dialog = ProfilesDialog(self.profiles, self)
        dialog.sessionChosen.connect(self.set_session)
        dialog.finished.connect(lambda _: self._show_session())
        dialog.open()

    # -- loading -----------------------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return any(job is not None and job.isRunning() for job in (self.load_job, self.cancel_job))

    def refresh(self) -> None:
        if self.session is None:
            self.show_error("No account: add a profile with Profiles…")
            return
        if self.busy:
            return
        self.load_job = LoadJob(self.session.client, self.model.sort_spec, self)
        self.load_job.progress.connect(self._load_progress)
        self.load_job.done.connect(self._load_done)
        self.progress.setRange(0, 0)
        self.progress.show()
        self.say("Loading open orders…")
        self.load_job.start()
        self._update_actions()

    def _load_progress(self, pages: int, orders: int) -> None:
        self.say(f"Loading open orders… {orders} so far ({pages} page{'s' if pages != 1 else ''})")

    def _load_done(self, result: JobResult) -> None:
        self.progress.hide()
        self._finish_job(self.load_job)
        self.load_job = None
        if result.ok:
            self.model.set_orders(result.value)
            self._refill_pairs()
            orders = result.value.orders
            pairs = len({o.currency_pair for o in orders})
            self.say(f"Loaded {len(orders)} open orders in {pairs} pairs.")
        elif result.stopped:
            self.say("Loading stopped; the table was left as it was.")
        else:
            self.show_error(result.error)
        self._update_actions()
        self.loadFinished.emit(result)

    def _refill_pairs(self) -> None:
        current = self.pair_filter.currentText()
        pairs = sorted({o.currency_pair for o in self.model.orders()})
        self.pair_filter.blockSignals(True)
        self.pair_filter.clear()
        self.pair_filter.addItems([ALL, *pairs])
        self.pair_filter.setCurrentText(current if current in pairs else ALL)
        self.pair_filter.blockSignals(False)
        if current != self.pair_filter.currentText():  # the filtered pair is gone: show all
            self._apply_filter()

    # -- filter and checks -------------------------------------------------------------------------

    def _apply_filter(self) -> None:
        pair = self.pair_filter.currentText()
        side = self.side_filter.currentText()
        self.proxy.set_filter("" if pair == ALL else pair, "" if side == "Both" else side,
                              self.text_filter.text())
        self._update_counts()
        if self.model.rowCount() and not self.proxy.rowCount():
            self.say("No order matches the filter.")

    def check_visible(self, checked: bool) -> None:
        self.model.set_checked(self.proxy.visible_ids(), checked)

    def toggle_current(self) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            return
        source = self.proxy.mapToSource(index)
        order = self.model.order_at(source.row())
        self.model.set_checked([order.id], order.id not in self.model.checked)
        self.view.selectionModel().setCurrentIndex(index, QItemSelectionModel.SelectionFlag.NoUpdate)

    def _update_counts(self) -> None:
        checked = self.model.checked_orders()
        totals: dict[str, Decimal] = defaultdict(Decimal)
        for order in checked:
            totals[order.quote_currency] += order.quote_value
        value = " + ".join(f"{v:,.2f} {q}" for q, v in sorted(totals.items(), key=lambda kv: -kv[1]))
        shown = self.proxy.rowCount()
        total = self.model.rowCount()
        text = f"{total} orders" + (f" ({shown} shown)" if shown != total else "")
        text += f" · {len(checked)} checked" + (f" · {value}" if value else "")
        self.counts.setText(text)
        self._update_actions()

    # -- cancelling --------------------------------------------------------------------------------

    def cancel_checked(self) -> None:
        self.start_cancel(self.model.checked_orders())

    def start_cancel(self, orders: list[Any]) -> None:
        if self.session is None or self.busy:
            return
        if not orders:
            self.say("Nothing is checked: tick the orders to cancel first.")
            return
        pairs = len({o.currency_pair for o in orders})
        env = ENVIRONMENT_BADGES.get(self.session.environment, ("?",))[0]
        question = (f"Cancel {len(orders)} order{'s' if len(orders) != 1 else ''} in {pairs} "
                    f"pair{'s' if pairs != 1 else ''} on {env}?")
        if not self.confirm(self, "Cancel orders", question, f"&Yes, cancel {len(orders)}"):
            self.say("Nothing was cancelled.")
            return
        refs: list[OrderRef] = [o.ref for o in orders]
        for ref in refs:
            self.model.results.pop(ref.id, None)
        self.cancel_job = CancelJob(self.session.client, refs, self.journal or _default_journal(), self)
        job = self.cancel_job
        job.outcomesReady.connect(lambda: self.model.set_results(job.take_outcomes()))
        self.cancel_job.done.connect(self._cancel_done)
        self._cancel_ids = [ref.id for ref in refs]
        self.progress.setRange(0, len(refs))
        self.progress.setValue(0)
        self.progress.show()
        self.say(f"Cancelling {len(refs)} orders…")
        self.cancel_job.start()
        self._update_actions()

    def _cancel_progress(self) -> None:
        """Orders done / total, once per coalesced burst of results (not once per order)."""
        if self.cancel_job is None:
            return
        results = self.model.results
        done = sum(1 for i in self._cancel_ids if (r := results.get(i)) is not None and r.final)
        self.progress.setValue(done)

    def _cancel_done(self, result: JobResult) -> None:
        self._finish_job(self.cancel_job)
        self.cancel_job = None
        self.progress.hide()
        report: CancelReport | None = result.value
        if report is not None:
            self.model.set_results(report.outcomes.values())  # the final word for each order
            self.model.flush_now()
            # rows that are gone (cancelled, filled) are unchecked; the ones that can be retried stay checked
            self.model.checked -= {ref.id for ref, o in report.outcomes.items() if o.succeeded or not o.retryable}
            self.model.checkedChanged.emit()
            summary = report.summary()
            if report.fatal_error:
                self.show_error(f"{report.fatal_error} ({summary})")
            else:
                self.say(("Stopped: " if report.stopped else "Done: ") + summary + ".")
        else:
            self.show_error(result.error)
        self._update_actions()
        self.cancelFinished.emit(report)
        if self._close_when_idle:
            self.close()

    def retry_failed(self) -> None:
        retry = [o for o in self.model.orders()
                 if (r := self.model.result_of(o.id)) is not None and not r.succeeded and r.retryable]
        self.start_cancel(retry)

    def clear_cancelled(self) -> None:
        self.model.remove_ids({i for i, r in self.model.results.items() if r.succeeded})

    def stop(self) -> None:
        for job in (self.load_job, self.cancel_job):
            if job is not None and job.isRunning():
                job.stop()
                self.say("Stopping: no new requests; waiting for the ones in flight…")

    # -- shared ------------------------------------------------------------------------------------

    def _finish_job(self, job: Job | None) -> None:
        if job is not None:
            job.wait(10_000)
            job.deleteLater()

    def _update_actions(self) -> None:
        busy = self.busy
        connected = self.session is not None
        has_checked = bool(self.model.checked)
        results = self.model.results.values()
        self.act_refresh.setEnabled(connected and not busy)
        self.act_cancel.setEnabled(connected and not busy and has_checked)
        self.act_stop.setEnabled(busy)
        self.act_retry.setEnabled(not busy and any(not r.succeeded and r.retryable and r.final
                                                   for r in results))
        self.act_clear.setEnabled(not busy and any(r.succeeded for r in results))
        self.profile_box.setEnabled(not busy)

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
            self.model.dark = is_dark()
            self.view.viewport().update()
        super().changeEvent(event)

    # -- state and closing -------------------------------------------------------------------------

    def _restore_state(self) -> None:
        settings = QSettings()
        geometry = settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        header = settings.value("window/header")
        if header is not None:
            self.view.horizontalHeader().restoreState(header)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.cancel_job is not None and self.cancel_job.isRunning():
            if not self._close_when_idle and not self.confirm(
                    self, "A cancel is running",
                    "A cancel is running. Stop sending, wait for the requests in flight and close?",
                    "&Stop and close"):
                event.ignore()
                return
            self._close_when_idle = True
            self.cancel_job.stop()
            self.say("Closing after the requests in flight are answered…")
            event.ignore()
            return
        if self.load_job is not None and self.load_job.isRunning():
            self.load_job.stop()
            self.load_job.wait(10_000)
        settings = QSettings()
        settings.setValue("window/geometry", self.saveGeometry())
        settings.setValue("window/header", self.view.horizontalHeader().saveState())
        if self.session is not None:
            settings.setValue("session/last_profile", self.session.name)
        event.accept()


def _default_journal() -> Journal:
    return Journal()
