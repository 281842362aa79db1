"""Fixtures for driving the real window against the paper exchange, headless."""

import pytest
from PySide6.QtCore import QCoreApplication, QSettings, Qt

from gatecancel_gui.core.app.session import Session
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.paper import PaperExchange
from gatecancel_gui.ui.main_window import MainWindow
from gatecancel_gui.ui.order_rows import RESULT_COLUMN
from tests.conftest import client_for


class Answers:
    """An injectable confirmation: records each question and answers as told."""

    def __init__(self, answer=True):
        self.answer = answer
        self.questions = []

    def __call__(self, parent, title, text, yes_text=""):
        self.questions.append(text)
        return self.answer


def fill_custom_profile(dialog, url, key, secret, name="desk"):
    """Type a custom profile into the profiles dialog, field by field, as a user does."""
    dialog.name.setText(name)
    dialog.environment.setCurrentIndex(dialog.environment.findData("custom"))
    dialog.url.setText(url)
    dialog.key.setText(key)
    dialog.secret.setText(secret)


def text_of(win, key, column=RESULT_COLUMN, role=Qt.ItemDataRole.DisplayRole):
    """What the open-orders table shows for an order in one column (the Result by default); None when the
    order has no row."""
    model = win.open_pane.model
    row = model.row_of(key)
    return None if row is None else model.data(model.index(row, column), role)


def shut(win, qtbot):
    """Close a window the way a user does, and wait until it really has: every worker stopped and joined
    (no "QThread destroyed while running"), the dead-man switch disarmed, nothing left to happen in a
    later test."""
    win.jobs.wait_all(10_000)
    qtbot.waitUntil(lambda: not win.jobs.alive, timeout=10_000)
    win.close()
    qtbot.waitUntil(lambda: not win.isVisible() and not win.jobs.alive, timeout=10_000)
    win.feed.live.join_stopped(5.0)  # the live stream's threads (the window never waits for them)


@pytest.fixture(autouse=True)
def qt_settings(tmp_path, qapp):
    """Settings in an INI file under the test's tmp dir: Qt's native format is the registry on Windows and
    a plist on macOS, which setPath cannot move, and a test must never write the user's real settings."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QCoreApplication.setOrganizationName("gatecancel-tests")
    QCoreApplication.setApplicationName("gatecancel-tests")
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(tmp_path / "qsettings"))
    QSettings().clear()
    yield


@pytest.fixture
def paper():
    with PaperExchange(orders=320, pairs=12, fill_fraction=0.05) as ex:
        yield ex


@pytest.fixture
def answers():
    return Answers()


@pytest.fixture
def make_window(qtbot, paper, answers, tmp_path):
    windows = []

    def make(key=None, exchange=None, cancel_settings=None, **client_kwargs):
        ex = exchange or paper
        session = Session("test", client_for(ex, key, **client_kwargs))
        win = MainWindow(session, confirm=answers, journal=Journal(tmp_path / "journal.jsonl"),
                         cancel_settings=cancel_settings)
        qtbot.addWidget(win, before_close_func=lambda w: shut(w, qtbot))
        win.show()
        qtbot.waitExposed(win)
        windows.append(win)
        return win

    yield make
    for win in windows:  # pytest-qt has shut them (before_close_func)
        for session in win.sessions.all():
            session.close()


@pytest.fixture
def window(make_window, qtbot):
    win = make_window()
    with qtbot.waitSignal(win.loadFinished, timeout=10_000):
        win.refresh()
    return win
