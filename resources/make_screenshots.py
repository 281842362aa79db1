"""Saves a picture of each risk view, headless, against the demo's paper exchange:
    .venv/bin/python resources/make_screenshots.py
(the main window's own picture is made by the app: gatecancel-gui --screenshot resources/screenshot.png)."""

import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("GATECANCEL_DATA_DIR", tempfile.mkdtemp())

from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import QApplication

from gatecancel_gui.core.cancel_all import Scope
from gatecancel_gui.ui.application import configure_app, demo_session
from gatecancel_gui.ui.cancel_all_dialog import CancelAllDialog
from gatecancel_gui.ui.dialogs import always_yes
from gatecancel_gui.ui.main_window import MainWindow
from gatecancel_gui.ui.orders_model import COLUMN

HERE = Path(__file__).parent


def wait(signal) -> list:
    loop, got = QEventLoop(), []
    signal.connect(lambda *args: (got.extend(args), loop.quit()))
    loop.exec()
    return got


def main() -> None:
    app = QApplication(sys.argv[:1])
    configure_app(app)
    session, exchange = demo_session()
    pair = exchange.price_orders.open()[0].market
    window = MainWindow(session, confirm=always_yes, choose_scope=lambda *a: Scope(pair, None, True))
    window.resize(1280, 720)
    window.show()
    window.refresh()
    wait(window.loadFinished)

    # the scope chooser, as a trader sees it before confirming
    dialog = CancelAllDialog(sorted({o.currency_pair for o in window.model.orders()}), "live", pair, window)
    dialog.include_stops.setChecked(True)
    dialog.show()
    app.processEvents()
    dialog.grab().save(str(HERE / "screenshot-cancel-all.png"))
    dialog.close()

    # stop orders: cancel two of them one by one
    window.tabs.setCurrentWidget(window.stop_pane)
    window.stop_pane.model.set_checked([o.id for o in window.stop_pane.model.orders()[:2]], True)
    window.cancel_checked()
    wait(window.cancelFinished)
    window.stop_pane.view.sortByColumn(COLUMN["result"], Qt.SortOrder.DescendingOrder)
    window.grab().save(str(HERE / "screenshot-stop-orders.png"))

    # a scoped cancel-all (one pair, stop orders included) with the dead-man switch armed
    window.tabs.setCurrentWidget(window.open_pane)
    window.risk.switch_timeout.setValue(60)
    window.risk.arm_box.click()
    wait(window.risk.armedChanged)
    window.risk.live.setChecked(True)
    window.act_cancel_all.trigger()
    wait(window.cancelFinished)
    window.risk.live.setChecked(False)
    window.pair_filter.setCurrentText(pair)
    window.grab().save(str(HERE / "screenshot-cancel-all-done.png"))

    journal = window.show_journal()
    journal.resize(1200, 480)
    app.processEvents()
    journal.grab().save(str(HERE / "screenshot-journal.png"))
    journal.close()
    window.close()
    session.close()
    exchange.stop()
    print("saved", ", ".join(p.name for p in sorted(HERE.glob("screenshot-*.png"))))


if __name__ == "__main__":
    main()
