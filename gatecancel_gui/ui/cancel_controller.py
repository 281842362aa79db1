"""Cancelling: the checked orders, one row, a retry of the red ones, or a whole scope on Gate's side.

The window's part that asks first, then hands the orders to the Qt-free services (`prepare_cancel` for
orders, `ScopeCancel` for a scope) and runs them as one `CancelJob` on the one job controller, which
routes each outcome to the table of its kind by full identity. Orders already known cancelled or gone are
never sent again; a load under way is dropped (a cancel comes first); the final report settles every row
and is said in one sentence, this computer's own trouble apart from Gate's answers.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from gatecancel_gui.core.app.services import ScopeCancel, prepare_cancel
from gatecancel_gui.core.cancel.run import CancelSettings
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.domain.outcomes import CancelReport
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.domain.wording import cancel_question
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.ui.jobs import CancelJob, JobController, JobResult
from gatecancel_gui.ui.orders_feed import OrdersFeed
from gatecancel_gui.ui.orders_pane import OrdersPane
from gatecancel_gui.ui.session_controller import SessionController
from gatecancel_gui.ui.status_line import StatusLine

ChooseScope = Callable[[QWidget, list[str], str, str | None, list[Order]], Scope | None]
Ask = Callable[[str, str, str], bool]  # title, question, the yes button's text


class CancelController(QObject):
    changed = Signal()            # a cancel began or ended (the actions follow)
    finished = Signal(object)     # CancelReport, or None if none came back

    def __init__(self, jobs: JobController, sessions: SessionController, feed: OrdersFeed,
                 panes: tuple[OrdersPane, OrdersPane], status: StatusLine, *, ask: Ask, choose_scope: ChooseScope,
                 journal: Callable[[], Journal], settings: CancelSettings, may_start: Callable[[], bool],
                 parent: QWidget) -> None:
        super().__init__(parent)
        self.jobs, self.sessions, self.feed, self.panes, self.status = jobs, sessions, feed, panes, status
        self._ask, self._choose_scope, self._journal = ask, choose_scope, journal
        self.settings = settings
        self._may_start = may_start  # False while the window is closing
        self._parent = parent
        self.job: CancelJob | None = None
        self._meanwhile = 0  # orders the stream saw finish while the question was open (not sent)

    def _blocked(self) -> bool:
        return self.sessions.session is None or self.job is not None or not self._may_start()

    def cancel(self, orders: list[Order], pane: OrdersPane, *, hidden: int = 0) -> None:
        """Confirm, then cancel these orders. Orders already known cancelled or gone are not sent again."""
        session = self.sessions.session
        if session is None or self._blocked():
            return
        if not orders:
            self.status.say(f"Nothing is checked: tick the {pane.noun} to cancel first.")
            return
        to_send = [o for o in orders if not pane.model.is_settled(o.key)]
        done = [o.key for o in orders if pane.model.is_settled(o.key)]
        skipped = len(done)
        if not to_send:
            pane.model.set_checked(done, False)  # done for good: a tick on them only sends "Cancel" in vain
            self.status.say(f"Nothing to send: {'that order is' if skipped == 1 else f'all {skipped} are'} "
                            "already cancelled or gone.")
            return
        orders = to_send
        question = cancel_question(orders, self.sessions.environment_label, noun=pane.noun, hidden=hidden,
                                   skipped=skipped)
        if not self._ask("Cancel orders", question, f"&Yes, cancel {len(orders)}"):
            self.status.say("Nothing was cancelled.")
            return
        # what was ticked at the click, less what the live stream saw finish while the question was open
        finished = [o.key for o in orders if pane.model.is_settled(o.key)]
        orders = [o for o in orders if not pane.model.is_settled(o.key)]
        done += finished
        if not orders:
            pane.model.set_checked(done, False)
            self.status.say("Nothing to send: every order asked about finished while the question was open.")
            return
        pane.model.set_checked(done, False)  # said in the question: not sent again, and unticked as sent ones are
        refs = [o.ref for o in orders]
        run = prepare_cancel(session.client, refs, journal=self._journal(), settings=self.settings)
        self._start(CancelJob(session.client, lambda emit: run.run(refs, emit), run.stop, refs),
                    f"Cancelling {len(refs)} {pane.noun}…", meanwhile=len(finished))

    def cancel_all(self, current: OrdersPane) -> None:
        """Gate's server-side cancel-all for a scope the trader chooses, confirmed by listing again."""
        session = self.sessions.session
        if session is None or self._blocked():
            return
        open_pane, stop_pane = self.panes
        pairs = sorted({o.instrument for o in open_pane.model.orders() if o.market is Market.SPOT} |
                       {o.instrument for o in stop_pane.model.orders() if o.market is Market.SPOT})
        loaded = [o for o in open_pane.model.orders() if not open_pane.model.is_settled(o.key)]
        stops = [o for o in stop_pane.model.orders() if not stop_pane.model.is_settled(o.key)]
        environment = self.sessions.environment
        scope = self._choose_scope(self._parent, pairs, environment, current.current_pair(), loaded + stops)
        if scope is None:
            return
        covered = [o for o in loaded if scope.matches(o)]
        covered_stops = [o for o in stops if scope.matches(o)] if scope.include_stop_orders else []
        question = f"{scope.question(environment)}\n\n{scope.covers(covered, covered_stops)}"
        if not self._ask("Cancel all", question, "&Yes, cancel all"):
            self.status.say("Nothing was cancelled.")
            return
        expected = [o.ref for o in covered + covered_stops]
        cancel = ScopeCancel(session.client, scope, journal=self._journal())
        self._start(CancelJob(session.client, lambda emit: cancel.run(emit).report, cancel.stop, expected),
                    f"Cancelling {scope.describe()}…")

    def retry_failed(self, pane: OrdersPane) -> None:
        model = pane.model
        retry = [o for o in model.orders()
                 if (r := model.result_of(o.key)) is not None and not r.succeeded and r.retryable]
        self.cancel(retry, pane)

    def _start(self, job: CancelJob, saying: str, meanwhile: int = 0) -> None:
        """`meanwhile`: how many orders asked about were dropped because the stream saw them finish while
        the question was open; the final sentence says so (the question counted them)."""
        if self.job is not None or not self._may_start():  # the question let something else begin
            self.status.say("Nothing was cancelled: the window is busy closing or cancelling.")
            return
        self._meanwhile = meanwhile
        self.feed.drop()
        # the stream's finishes for these orders wait for this cancel's report: the rows say what it did
        self.feed.live.hold(ref.key for ref in job.expected if ref.kind is self.feed.live.pane.kind)
        for pane in self.panes:
            pane.model.forget_results(ref.key for ref in job.expected if ref.kind is pane.kind)
        self.status.start_progress(len(job.expected))
        self.status.say(saying)
        self.job = job
        self.jobs.start(job, self._done)
        self.changed.emit()

    def _done(self, result: JobResult) -> None:
        self.job = None
        self.status.hide_progress()
        report: CancelReport | None = result.value
        if report is not None:
            for pane in self.panes:  # the final word for each order, in the table of its kind
                pane.model.settle(o for o in report.outcomes.values() if o.ref.kind is pane.kind)
            summary = report.summary() + meanwhile_note(self._meanwhile)
            local = " ".join(text for text in (report.internal_error, report.journal_error) if text)
            if report.refused:
                self.status.show_error(f"{report.refused} ({summary}) {local}".rstrip())
            elif local:  # this computer's trouble, said apart from Gate's answers, and kept in sight
                self.status.show_error(("Stopped: " if report.stopped else "Done: ") + f"{summary}. {local}")
            else:
                self.status.say(("Stopped: " if report.stopped else "Done: ") + summary + ".")
        elif result.stopped:
            self.status.say("Stopped before any cancel was sent.")
        else:
            self.status.show_error(result.error)
        self.feed.live.release()  # what the stream saw meanwhile, through the merge rule
        self.changed.emit()
        self.finished.emit(report)

    def stop_sending(self) -> None:
        """Stop: send nothing more; every job reports what it did and ends."""
        if self.jobs.busy:
            self.jobs.stop_all()
            self.status.say("Stopping: no new requests; the answers in flight, then a short look-up of what was "
                            "sent (a few seconds at most)…" if self.job is not None else "Stopping…")


def meanwhile_note(count: int) -> str:
    """The end of the final sentence when the question counted orders that were then not sent (the stream
    saw them finish while it was open): without it "Cancel 52" and "… of 50" disagree with no word."""
    if not count:
        return ""
    return (f"; {count} finished on {'its' if count == 1 else 'their'} own while you decided (not sent)")
