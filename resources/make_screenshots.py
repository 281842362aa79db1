"""Saves a picture of each view, headless, against the demo's paper exchange:
    .venv/bin/python resources/make_screenshots.py
(the main window's own picture is made by the app: gatecancel-gui --screenshot resources/screenshot.png)."""

import os
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GATECANCEL_DATA_DIR", tempfile.mkdtemp())

from PySide6.QtCore import QEventLoop, QPoint, Qt
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtWidgets import QApplication, QWidget

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.risk.guard import GuardState
from gatecancel_gui.core.stream.events import StreamState
from gatecancel_gui.ui.application import configure_app, demo_session
from gatecancel_gui.ui.cancel_all_dialog import CancelAllDialog
from gatecancel_gui.ui.dialogs import always_yes, question_box
from gatecancel_gui.ui.guard_dialog import GuardChoice
from gatecancel_gui.ui.main_window import MainWindow
from gatecancel_gui.ui.order_rows import COLUMN

HERE = Path(__file__).parent


def wait(signal) -> list:
    loop, got = QEventLoop(), []
    signal.connect(lambda *args: (got.extend(args), loop.quit()))
    loop.exec()
    return got


def with_popup(window: QWidget, popup: QWidget, at: QPoint) -> QPixmap:
    """The window with a popup (a question, a menu) drawn where the trader sees it."""
    picture = window.grab()
    painter = QPainter(picture)
    painter.drawPixmap(at, popup.grab())
    painter.end()
    return picture


def confirmation_and_menu(app: QApplication, window: MainWindow, suffix: str) -> None:
    """The confirmation of a cancel of checked rows (some hidden by the filter), and a row's menu."""
    model = window.open_pane.model
    pairs = sorted({o.instrument for o in model.orders()})
    checked = [o for o in model.orders() if o.instrument in pairs[:6]][:40]
    model.set_checked(list(model.checked), False)
    model.set_checked([o.key for o in checked], True)
    window.open_pane.pair_filter.setCurrentText(pairs[0])
    app.processEvents()
    asked: list[tuple[str, str]] = []  # the window's own question, answered No
    window.confirm = lambda parent, title, text, yes="": bool(asked.append((text, yes)))
    window.cancel_checked()
    window.confirm = always_yes
    box = question_box(window, "Cancel orders", *asked[0])
    box.show()  # laid out as on a screen
    app.processEvents()
    at = QPoint((window.width() - box.width()) // 2, (window.height() - box.height()) // 3)
    with_popup(window, box, at).save(str(HERE / f"screenshot-confirm{suffix}.png"))
    box.close()
    box.deleteLater()
    window.open_pane.pair_filter.setCurrentIndex(0)
    model.set_checked([o.key for o in checked], False)

    view = window.open_pane.view
    row = 4
    order = model.order_at(window.open_pane.filtered.mapToSource(window.open_pane.filtered.index(row, 0)).row())
    view.selectRow(row)
    menu = window.open_pane.row_menu(order)
    menu.adjustSize()
    cell = view.visualRect(window.open_pane.filtered.index(row, COLUMN["pair"])).center()
    at = view.viewport().mapTo(window, cell)
    with_popup(window, menu, at).save(str(HERE / f"screenshot-row-menu{suffix}.png"))
    menu.deleteLater()


def spin_until(app: QApplication, done) -> None:
    while not done():
        app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 50)


def live_demo_window(app: QApplication) -> tuple[Any, Any, MainWindow]:
    """A demo exchange of its own and a window on it, loaded, with every market's stream live."""
    session, exchange = demo_session()
    window = MainWindow(session, confirm=always_yes)
    window.resize(1280, 720)
    window.show()
    window.refresh()
    wait(window.loadFinished)
    statuses = window.feed.live.statuses
    spin_until(app, lambda: statuses and all(s.state is StreamState.LIVE for s in statuses.values()))
    return session, exchange, window


def close_demo(app: QApplication, window: MainWindow, session: Any, exchange: Any) -> None:
    window.close()
    if window.isVisible():
        wait(window.jobs.idle)
    app.processEvents()
    session.close()
    exchange.stop()


def live_orders(app: QApplication) -> None:
    """The table following the account: a bot's new orders arrive marked new, one order fills and one is
    cancelled by someone else, all without a refresh (the status bar says each market's stream is live)."""
    session, exchange, window = live_demo_window(app)
    pane, model = window.open_pane, window.open_pane.model
    pane.market_filter.setCurrentText(Market.SPOT.display_name)
    pane.view.sortByColumn(COLUMN["created"], Qt.SortOrder.DescendingOrder)
    shown = [o for o in model.orders() if o.market is Market.SPOT and not exchange.book.orders[o.id].fills_on_cancel]
    newest = max(o.create_time_ms for o in shown)
    placed = [exchange.book.place("SOL_USDT", side, Decimal(price), Decimal("3.5"), text="t-bot-7",
                                  create_time_ms=newest + 1000 * (i + 1))
              for i, (side, price) in enumerate((("buy", "141.2"), ("sell", "149.8"), ("buy", "140.6"),
                                                 ("sell", "150.4")))]
    exchange.book.fill(shown[0].id)
    exchange.book.cancel(shown[1].id, shown[1].instrument)
    spin_until(app, lambda: all(model.row_of(o.id) is not None for o in placed)
               and model.result_of(shown[0].key) is not None and model.result_of(shown[1].key) is not None)
    pane.view.scrollToTop()
    app.processEvents()
    window.grab().save(str(HERE / "screenshot-live.png"))
    close_demo(app, window, session, exchange)


def guard_banner(app: QApplication) -> None:
    """A guard armed on one pair while a bot places orders there: the red banner (scope, count, the last
    order, time left, Stop) and the pair's rows, each cancelled by the guard (or found filled first)."""
    session, exchange, window = live_demo_window(app)
    pane = window.open_pane
    window.arm_guard(GuardChoice(Market.SPOT, "SOL_USDT"))
    armed = window.guards.armed[-1]
    spin_until(app, lambda: armed.status is not None and armed.status.state is GuardState.ARMED)
    bot = exchange.start_bot("SOL_USDT:12:1.5", fill_share=0.0, partial_share=0.0, cancel_share=0.0,
                             fill_on_cancel_share=0.15, label="bot1", seed=3)
    spin_until(app, bot.finished.is_set)
    mine = set(bot.placed)
    spin_until(app, lambda: armed.status is not None and armed.status.acted_on >= len(mine) and all(
        pane.model.result_of(o.key) is not None for o in pane.model.orders() if o.id in mine))
    pane.market_filter.setCurrentText(Market.SPOT.display_name)
    pane.pair_filter.setCurrentText("SOL_USDT")
    pane.view.sortByColumn(COLUMN["created"], Qt.SortOrder.DescendingOrder)
    pane.view.scrollToTop()
    window.guards._show_left()
    app.processEvents()
    window.grab().save(str(HERE / "screenshot-guard.png"))
    close_demo(app, window, session, exchange)  # stops the guard in the background, then closes


def main() -> None:
    app = QApplication(sys.argv[:1])
    configure_app(app)
    live_orders(app)
    guard_banner(app)
    session, exchange = demo_session()
    pair = exchange.price_orders.open()[0].market
    window = MainWindow(session, confirm=always_yes, choose_scope=lambda *a: Scope(pair, None, True))
    window.resize(1280, 720)
    window.show()
    window.refresh()
    wait(window.loadFinished)

    # a cancel with a few orders that fill first, results on top: the risk columns in use
    spot = [o for o in window.open_pane.model.orders() if o.market is Market.SPOT]
    futures = [o.key for o in window.open_pane.model.orders() if o.market.is_futures]
    fills = [o.id for o in spot if exchange.book.orders[o.id].fills_on_cancel][:3]
    window.open_pane.model.set_checked([o.id for o in spot[:9]] + fills + futures[:5], True)
    window.cancel_checked()
    wait(window.cancelFinished)
    window.open_pane.view.sortByColumn(COLUMN["result"], Qt.SortOrder.DescendingOrder)
    window.open_pane.view.scrollToTop()
    confirmation_and_menu(app, window, "")
    window.resize(900, 620)
    app.processEvents()
    window.grab().save(str(HERE / "screenshot-900.png"))
    confirmation_and_menu(app, window, "-900")
    window.resize(1280, 720)
    app.processEvents()

    # the scope chooser, as a trader sees it before confirming
    loaded = [o for pane in window.panes for o in pane.model.orders() if not pane.model.is_settled(o.key)]
    pairs = sorted({o.instrument for o in window.open_pane.model.orders()})
    dialog = CancelAllDialog(pairs, "live", pair, window, loaded)
    dialog.include_stops.setChecked(True)
    dialog.show()
    app.processEvents()
    dialog.grab().save(str(HERE / "screenshot-cancel-all.png"))
    dialog.close()

    # stop orders: cancel two of them one by one
    window.tabs.setCurrentWidget(window.stop_pane)
    window.stop_pane.model.set_checked([o.key for o in window.stop_pane.model.orders()[:2]], True)
    window.cancel_checked()
    wait(window.cancelFinished)
    window.stop_pane.view.sortByColumn(COLUMN["result"], Qt.SortOrder.DescendingOrder)
    window.grab().save(str(HERE / "screenshot-stop-orders.png"))

    # a scoped cancel-all (one pair, stop orders included) with the dead-man switch armed
    window.tabs.setCurrentWidget(window.open_pane)
    window.risk.switch_timeout.setValue(60)
    window.risk.arm_box.click()
    wait(window.risk.armedChanged)
    window.risk.auto_refresh.setChecked(True)
    window.commands["cancel_all"].trigger()
    wait(window.cancelFinished)
    window.risk.auto_refresh.setChecked(False)
    window.open_pane.pair_filter.setCurrentText(pair)
    window.grab().save(str(HERE / "screenshot-cancel-all-done.png"))

    journal = window.show_journal()
    journal.resize(1200, 480)
    app.processEvents()
    journal.grab().save(str(HERE / "screenshot-journal.png"))
    journal.close()
    window.close()  # disarms the dead-man switch in the background, then closes
    if window.isVisible():
        wait(window.jobs.idle)
    app.processEvents()
    session.close()
    exchange.stop()
    print("saved", ", ".join(p.name for p in sorted(HERE.glob("screenshot-*.png"))))


if __name__ == "__main__":
    main()
