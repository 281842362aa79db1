"""Application wiring: settings names, Qt messages into logging, unexpected errors shown once,
the demo's in-process paper exchange, and the self-made screenshot."""

from __future__ import annotations

import argparse
import logging
import sys
from types import TracebackType
from typing import Any

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QMessageLogContext,
    QObject,
    QSettings,
    Qt,
    QTimer,
    QtMsgType,
    qInstallMessageHandler,
)
from PySide6.QtWidgets import QApplication

from gatecancel_gui.core.app.session import Session, open_profile
from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.core.store.profiles import ProfileStore
from gatecancel_gui.ui.dialogs import always_yes
from gatecancel_gui.ui.icon import app_icon
from gatecancel_gui.ui.main_window import MainWindow
from gatecancel_gui.ui.order_rows import COLUMN

log = logging.getLogger(__name__)
qt_log = logging.getLogger("qt")

_QT_LEVELS = {QtMsgType.QtDebugMsg: logging.DEBUG, QtMsgType.QtInfoMsg: logging.INFO,
              QtMsgType.QtWarningMsg: logging.WARNING, QtMsgType.QtCriticalMsg: logging.ERROR,
              QtMsgType.QtFatalMsg: logging.CRITICAL}


def route_qt_messages() -> None:
    def handler(kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        qt_log.log(_QT_LEVELS.get(kind, logging.WARNING), message)

    qInstallMessageHandler(handler)


def configure_app(app: QApplication) -> None:
    QCoreApplication.setOrganizationName("gatecancel")
    QCoreApplication.setApplicationName("gatecancel")
    app.setApplicationDisplayName("gatecancel")
    app.setDesktopFileName("gatecancel")
    app.setWindowIcon(app_icon())


class ErrorHook:
    """Unexpected exceptions on the GUI thread: logged with their traceback, shown once per kind as a sentence.
    Installed before anything can fail (a profile, its keyring, the demo's exchange): what fails before the
    window exists is shown in it once it does, never a crash at launch."""

    def __init__(self) -> None:
        self.shown: set[str] = set()
        self.pending: list[str] = []
        self.window: MainWindow | None = None

    def __call__(self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None) -> None:
        log.error("unexpected error", exc_info=(kind, exc, tb))
        if kind.__name__ not in self.shown:
            self.shown.add(kind.__name__)
            self.say(f"Unexpected error ({kind.__name__}); details are in the log.")

    def say(self, text: str) -> None:
        if self.window is None:
            self.pending.append(text)
        else:
            self.window.status.show_error(text)

    def show_in(self, window: MainWindow) -> None:
        self.window = window
        for text in self.pending:
            window.status.show_error(text)
        self.pending.clear()


def install_excepthook() -> ErrorHook:
    hook = ErrorHook()
    sys.excepthook = hook
    return hook


def demo_session(orders: int = 320, *, live: bool = False) -> tuple[Session, Any]:
    """`live`: a bot keeps placing, filling and cancelling orders on one pair, so the window visibly moves
    (not for screenshots, which must come out the same every time)."""
    from gatecancel_gui.paper import PaperExchange

    exchange = PaperExchange(orders=orders, pairs=12, fill_fraction=0.05, price_orders=8,
                             futures_orders=max(40, orders // 4)).start()
    if live:
        exchange.start_bot("SOL_USDT:0.5:86400", fill_share=0.15, partial_share=0.15, cancel_share=0.15,
                           max_open=40)
    key = exchange.main_key
    client = GateClient(exchange.base_url, Credentials(key.key, key.secret))
    return Session("demo (paper)", client), exchange


def startup_session(args: argparse.Namespace, window_errors: list[str]) -> Session | None:
    name = args.profile or QSettings().value("session/last_profile", "")
    if not name:
        return None
    profile = ProfileStore().get(str(name))
    if profile is None:
        if args.profile:
            window_errors.append(f"There is no profile named '{args.profile}'.")
        return None
    try:
        return open_profile(profile)
    except ConfigError as exc:
        window_errors.append(str(exc))
    except Exception as exc:  # e.g. an OS keyring's own error: the window still opens, and says so
        log.error("opening profile %r failed", profile.name, exc_info=True)
        window_errors.append(f"Profile '{profile.name}' could not be opened: unexpected error "
                             f"({type(exc).__name__}); details are in the log.")
    return None


def run(app: QApplication, args: argparse.Namespace) -> int:
    configure_app(app)
    route_qt_messages()
    hook = install_excepthook()  # before anything opens
    exchange = None
    errors: list[str] = []
    session: Session | None
    if args.demo or args.screenshot:
        session, exchange = demo_session(args.demo_orders, live=not args.screenshot)
    else:
        session = startup_session(args, errors)
    window = MainWindow(session, confirm=always_yes if args.screenshot else _confirm_default())
    window.show()
    for error in errors:
        window.status.show_error(error)
    hook.show_in(window)
    if args.screenshot:
        drive_screenshot(window, exchange, args.screenshot)
    if args.exit_when_shown:
        quit_when_painted(window, app)
    elif session is not None:
        window.refresh()
    try:
        return app.exec()
    finally:
        for session in window.sessions.all():
            session.close()
        if exchange is not None:
            exchange.stop()


class _FirstPaint(QObject):
    def __init__(self, app: QApplication) -> None:
        super().__init__()
        self.app = app

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Paint:
            QTimer.singleShot(0, self.app.quit)
        return False


def quit_when_painted(window: MainWindow, app: QApplication) -> None:
    """For start-up timing: the process ends right after the window first paints."""
    watcher = _FirstPaint(app)
    window.installEventFilter(watcher)
    watcher.setParent(window)  # keep it alive as long as the window


def _confirm_default() -> Any:
    from gatecancel_gui.ui.dialogs import ask

    return ask


def drive_screenshot(window: MainWindow, exchange: Any, path: str) -> None:
    """Load, cancel a mix of orders (some fill first, so they turn red), save the window, quit."""

    def loaded(result: Any) -> None:
        orders = window.open_pane.model.orders()
        spot = [o for o in orders if o.market is Market.SPOT]
        fills = [o for o in spot if exchange.book.orders[o.id].fills_on_cancel][:3]
        pair = spot[0].instrument if spot else ""
        futures = [o for o in orders if o.market.is_futures]  # one click over spot and futures
        chosen = [o for o in spot if o.instrument == pair][:10] + fills + futures[:4]
        window.open_pane.model.set_checked([o.key for o in chosen], True)
        window.cancel_checked()

    def cancelled(report: Any) -> None:
        window.open_pane.view.sortByColumn(COLUMN["result"], Qt.SortOrder.DescendingOrder)  # results on top
        window.open_pane.view.scrollToTop()
        window.grab().save(path)
        print(f"screenshot saved to {path}: {report.summary() if report else 'no report'}")
        window.close()

    window.resize(1280, 720)
    window.loadFinished.connect(loaded)
    window.cancelFinished.connect(cancelled)
