"""`--self-test`: prove a build works on this machine, end to end, headless or in a real X window.

Starts the paper exchange in-process (over TLS with a throwaway CA, HTTP/2 offered), loads its orders into
the real window, waits for the live stream and sees an order placed on the exchange reach the table over
its WebSocket, cancels a few through the real worker, checks the rows turned green and the exchange
agrees, checks which keyring backend was found and that keyring's backends were bundled, prints one line,
and exits 0; anything else (including any Qt warning) exits 1.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

import keyring
from PySide6.QtCore import QMessageLogContext, Qt, QTimer, QtMsgType, qInstallMessageHandler
from PySide6.QtWidgets import QApplication

from gatecancel_gui.core.app.session import Session
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.outcomes import OutcomeState
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.net.transport import NetworkSettings
from gatecancel_gui.core.store.credentials import Credentials, backend_name, keyring_works
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.core.stream.events import StreamState
from gatecancel_gui.ui.dialogs import always_yes
from gatecancel_gui.ui.main_window import MainWindow
from gatecancel_gui.ui.order_rows import COLUMN
from gatecancel_gui.ui.theme import state_background

# The offscreen platform says this whenever a window is shown; it is not a fault of the build.
HARMLESS_QT_MESSAGES = ("This plugin does not support propagateSizeHints()",)
PLATFORM_BACKENDS = {"linux": "keyring.backends.SecretService", "darwin": "keyring.backends.macOS",
                     "win32": "keyring.backends.Windows"}
ORDERS, TO_CANCEL = 60, 10


class SelfTest:
    def __init__(self, app: QApplication, timeout_s: float = 30.0) -> None:
        from gatecancel_gui.paper import NetworkShape, PaperExchange

        self.app = app
        self.started = time.perf_counter()
        self.qt_problems: list[str] = []
        self.failure = ""
        self.found: dict[str, Any] = {}
        qInstallMessageHandler(self._qt_message)
        self.journal_dir = tempfile.TemporaryDirectory(prefix="gatecancel-selftest-")
        # over TLS with HTTP/2 offered, as the real exchange is reached: the bundled TLS, certificate checks
        # and HTTP/2 are exercised, not only plain HTTP
        self.exchange = PaperExchange(orders=ORDERS, pairs=4, heavy_pairs=0, fill_fraction=0.0,
                                      network=NetworkShape(tls=True, http2=True)).start()
        key = self.exchange.main_key
        client = GateClient(self.exchange.base_url, Credentials(key.key, key.secret),
                            network=NetworkSettings(ca_file=self.exchange.ca_file))
        session = Session("self-test (paper)", client)
        self.journal = Journal(Path(self.journal_dir.name) / "j.jsonl")
        self.window = MainWindow(session, confirm=always_yes, journal=self.journal)
        self.window.loadFinished.connect(self._loaded)
        self.window.cancelFinished.connect(self._cancelled)
        QTimer.singleShot(int(timeout_s * 1000), lambda: self._fail(f"timed out after {timeout_s:.0f} s"))

    def _qt_message(self, kind: QtMsgType, context: QMessageLogContext, message: str) -> None:
        if kind != QtMsgType.QtDebugMsg and kind != QtMsgType.QtInfoMsg and message not in HARMLESS_QT_MESSAGES:
            self.qt_problems.append(message)
            print(f"Qt {kind.name}: {message}", file=sys.stderr)

    def run(self) -> int:
        self.window.show()
        self.window.refresh()
        self.app.exec()
        self._finish()
        elapsed = time.perf_counter() - self.started
        if self.qt_problems and not self.failure:
            self.failure = f"{len(self.qt_problems)} Qt warning(s): {self.qt_problems[0]}"
        details = " ".join(f"{k}={v}" for k, v in self.found.items())
        if self.failure:
            print(f"self-test FAILED: {self.failure} ({details})")
            return 1
        print(f"self-test OK: {details} qt_warnings=0 time={elapsed:.2f}s")
        return 0

    def _loaded(self, result: Any) -> None:
        rows = self.window.open_pane.model.rowCount()
        self.found["orders"] = rows
        if not result.ok or rows != ORDERS:
            self._fail(f"loading gave {rows} orders, expected {ORDERS} ({result.error})")
            return
        version = self.window.sessions.session.client.http_version if self.window.sessions.session else ""
        self.found["transport"] = f"'{version} over TLS'"
        if version != "HTTP/2":
            self._fail(f"the paper exchange offered HTTP/2 over TLS and the client used {version or 'nothing'}")
            return
        self._await(self._stream_live, self._place_one, "the live stream never went live")

    def _await(self, condition: Any, then: Any, failure: str, limit_s: float = 10.0) -> None:
        """Check `condition` every 20 ms on the GUI thread (the window goes on meanwhile); `then` once it
        holds, a failure past `limit_s`."""
        ends = time.perf_counter() + limit_s

        def check() -> None:
            if self.failure:
                return
            if condition():
                then()
            elif time.perf_counter() > ends:
                self._fail(failure)
            else:
                QTimer.singleShot(20, check)
        check()

    def _stream_live(self) -> bool:
        status = self.window.feed.live.statuses.get(Market.SPOT)
        return status is not None and status.state is StreamState.LIVE

    def _place_one(self) -> None:
        """An order placed on the exchange must reach the table through the WebSocket (the bundled
        websockets client, its TLS), with no refresh."""
        order = self.exchange.book.place("BTC_USDT", "buy", Decimal("50000"), Decimal("0.001"), text="t-selftest")
        self._await(lambda: self.window.open_pane.model.row_of(order.id) is not None, self._cancel_some,
                    "an order placed on the exchange never reached the table over the live stream")

    def _cancel_some(self) -> None:
        self.found["stream"] = "live"
        self.window.open_pane.model.set_checked([o.id for o in self.window.open_pane.model.orders()[:TO_CANCEL]], True)
        self.window.cancel_checked()

    def _cancelled(self, report: Any) -> None:
        model = self.window.open_pane.model
        green = state_background(OutcomeState.CANCELLED, model.dark)
        ok = 0
        for ref, outcome in (report.outcomes.items() if report else []):
            row = model.row_of(ref.id)
            index = model.index(row, COLUMN["pair"]) if row is not None else None
            if (outcome.state is OutcomeState.CANCELLED and index is not None
                    and model.data(index, Qt.ItemDataRole.BackgroundRole) == green
                    and self.exchange.book.status_of(ref.id) == "cancelled"):
                ok += 1
        self.found["green"] = f"{ok}/{TO_CANCEL}"
        if ok != TO_CANCEL:
            self._fail(f"only {ok} of {TO_CANCEL} rows turned green with the exchange agreeing")
        self._check_keyring()
        self.window.close()
        self.app.quit()

    def _check_keyring(self) -> None:
        self.found["platform"] = QApplication.platformName()
        self.found["keyring"] = f"'{backend_name()}'" + ("" if keyring_works() else "(none usable)")
        entry_points = importlib.metadata.entry_points(group="keyring.backends")
        self.found["keyring_backends"] = len(entry_points)
        wanted = PLATFORM_BACKENDS.get(sys.platform)
        try:
            if wanted:
                importlib.import_module(wanted)
        except ImportError:
            self._fail(f"{wanted} is missing from this build")
        if not entry_points:
            self._fail("keyring's backend metadata (entry points) is missing from this build")
        keyring.get_keyring()  # resolving the backend must not raise

    def _fail(self, reason: str) -> None:
        if not self.failure:
            self.failure = reason
        self.window.stop_sending()
        self.window.close()
        self.app.quit()

    def _finish(self) -> None:
        self.window.jobs.wait_all(10_000)
        if self.window.sessions.session is not None:
            self.window.sessions.session.close()
        self.exchange.stop()
        self.journal.close()  # Windows refuses to delete a file still open: close it before the folder goes
        self.journal_dir.cleanup()
