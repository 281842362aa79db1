"""The window on macOS (issue 22, item 10), each condition simulated on Linux: a native menu bar (no corner
widget: the badge must live elsewhere), the Mac's delete key (it sends Backspace), mnemonics turned off (Y and
N must still answer), and the platform's own names of keys (⌘, not "Ctrl", in the help and the tips)."""

import sys

import pytest
from PySide6.QtCore import QObject, QPoint, Qt
from PySide6.QtGui import QColor, QKeySequence
from PySide6.QtWidgets import QLineEdit, QMenuBar, QMessageBox, QToolBar, QWidget

from gatecancel_gui.core.app.session import Session
from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.ui import actions as ui_actions
from gatecancel_gui.ui.dialogs import question_box
from gatecancel_gui.ui.main_window import MainWindow
from gatecancel_gui.ui.session_controller import SessionController
from gatecancel_gui.ui.theme import ENVIRONMENT_BADGES
from tests.conftest import client_for
from tests.ui.conftest import shut

Yes, No = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No
NATIVE = QKeySequence.SequenceFormat.NativeText
MAC_NAMES = (("Ctrl+", "⌘"), ("Shift+", "⇧"), ("Backspace", "⌫"), ("Del", "⌦"), ("Esc", "⎋"), ("Return", "↩"))


@pytest.fixture
def mac_window(qtbot, paper, answers, tmp_path, monkeypatch):
    """Build the real window as on a Mac: `darwin` patches sys.platform, `native_menus` makes the menu bar
    say it is native (offscreen Qt has none), only while the window is built; then load the paper exchange."""
    windows = []

    def make(*, darwin=False, native_menus=False):
        session = Session("test", client_for(paper))
        with monkeypatch.context() as mac:
            if darwin:
                mac.setattr(sys, "platform", "darwin")
            if native_menus:
                mac.setattr(QMenuBar, "isNativeMenuBar", lambda self: True)
            win = MainWindow(session, confirm=answers, journal=Journal(tmp_path / "journal.jsonl"))
        qtbot.addWidget(win, before_close_func=lambda w: shut(w, qtbot))
        windows.append(win)
        with qtbot.waitExposed(win):
            win.show()
        with qtbot.waitSignal(win.loadFinished, timeout=10_000):
            win.refresh()
        return win

    yield make
    for win in windows:
        for session in win.sessions.all():
            session.close()


def mac_text(real):
    """A stand-in for QKeySequence.toString that writes NativeText the way Qt does on macOS."""
    def to_string(self, fmt=QKeySequence.SequenceFormat.PortableText):
        text = real(self, fmt)
        if fmt == NATIVE:
            for name, symbol in MAC_NAMES:
                text = text.replace(name, symbol)
        return text
    return to_string


def test_with_a_native_menu_bar_the_badge_leads_the_toolbar_and_live_stays_red(mac_window, qtbot, monkeypatch):
    """Defect: the badge was the menu bar's corner widget, which a native (macOS) menu bar never shows: the
    trader could not see which environment the window acts on."""
    monkeypatch.setattr(SessionController, "environment", property(lambda self: "live"))
    win = mac_window(native_menus=True)
    badge = win.badge
    assert win.menuBar().cornerWidget(Qt.Corner.TopRightCorner) is not badge
    toolbar = win.findChild(QToolBar, "main-toolbar")
    assert badge.parentWidget() is toolbar and not toolbar.toggleViewAction().isVisible()  # cannot be hidden
    assert badge.text().strip() == "LIVE" and "[LIVE]" in win.windowTitle()
    for width in (1180, 900):  # the toolbar's right end overflows when narrow: its left end never does
        win.resize(width, 600)
        qtbot.waitUntil(lambda width=width: win.width() <= width, timeout=5_000)
        assert badge.isVisible()
        left, right = badge.mapTo(win, QPoint(0, 0)).x(), badge.mapTo(win, badge.rect().topRight()).x()
        assert 0 <= left and right <= win.width()
        assert badge.mapTo(win, QPoint(0, badge.height())).y() <= win.tabs.mapTo(win, QPoint(0, 0)).y()
    image = badge.grab().toImage()
    assert image.pixelColor(4, image.height() // 2) == QColor(ENVIRONMENT_BADGES["live"][1])  # red
    assert "font-weight: bold" in badge.styleSheet() and badge.width() >= 90


def test_on_a_mac_backspace_on_the_table_asks_to_cancel_but_edits_text_in_a_field(mac_window, answers, qtbot):
    """Defect: a Mac's delete key sends Backspace, which cancelled nothing (only Delete was a shortcut). It
    must not take Backspace from a text field: the filter box, or any other line edit of the window."""
    win = mac_window(darwin=True)
    pane = win.open_pane
    pane.model.set_checked([pane.model.orders()[0].key], True)
    answers.answer = False  # the question is the point: nothing is sent
    pane.view.setFocus()
    pane.view.setCurrentIndex(pane.filtered.index(0, 1))
    qtbot.keyClick(pane.view, Qt.Key.Key_Backspace)
    assert len(answers.questions) == 1 and answers.questions[0].startswith("Cancel 1 order")
    qtbot.keyClick(pane.view, Qt.Key.Key_Backspace, Qt.KeyboardModifier.ShiftModifier)  # this row, as Shift+Delete
    assert len(answers.questions) == 2 and answers.questions[1].startswith("Cancel 1 order")
    pane.text_filter.setFocus()
    qtbot.keyClicks(pane.text_filter, "BTCx")
    qtbot.keyClick(pane.text_filter, Qt.Key.Key_Backspace)
    assert pane.text_filter.text() == "BTC" and len(answers.questions) == 2
    fields = [f for f in win.findChildren(QLineEdit) if f.isVisible() and f.isEnabled()]
    assert len(fields) >= 3  # the filter box and the toolbar's number fields
    for field in fields:
        field.setFocus()
        field.setCursorPosition(len(field.text()))
        qtbot.keyClick(field, Qt.Key.Key_Backspace)
        qtbot.keyClick(field, Qt.Key.Key_Backspace, Qt.KeyboardModifier.ShiftModifier)
    assert len(answers.questions) == 2


@pytest.mark.parametrize(("yes_text", "key", "modifier", "answer"), [
    ("Yes, arm", Qt.Key.Key_Y, Qt.KeyboardModifier.NoModifier, Yes),       # no mnemonic: as on macOS
    ("Yes, arm", Qt.Key.Key_N, Qt.KeyboardModifier.NoModifier, No),
    ("&Yes, cancel 3", Qt.Key.Key_Y, Qt.KeyboardModifier.NoModifier, Yes),  # with one: as on Windows and Linux
    ("&Yes, cancel 3", Qt.Key.Key_Y, Qt.KeyboardModifier.AltModifier, Yes),
    ("&Yes, cancel 3", Qt.Key.Key_N, Qt.KeyboardModifier.AltModifier, No),
    ("&Arm", Qt.Key.Key_Y, Qt.KeyboardModifier.NoModifier, Yes),           # the letter is Y whatever the text says
    ("Yes, arm", Qt.Key.Key_Return, Qt.KeyboardModifier.NoModifier, Yes),
    ("Yes, arm", Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier, No),
])
def test_y_and_n_answer_a_question_once_with_or_without_mnemonics(qtbot, yes_text, key, modifier, answer):
    """Defect: Y and N worked through the '&' mnemonics alone, which macOS turns off (and "&Arm" answered A,
    not the Y the help promises)."""
    parent = QWidget()
    qtbot.addWidget(parent)
    box = question_box(parent, "Cancel orders", "Cancel 3 orders on PAPER?", yes_text)
    clicked = []
    box.buttonClicked.connect(clicked.append)
    with qtbot.waitActive(box):  # the keys go to the active window, as a user's do
        box.open()
    with qtbot.waitSignal(box.finished, timeout=5_000):
        qtbot.keyClick(box, key, modifier)
    qtbot.waitUntil(lambda: not box.button(answer).isDown(), timeout=5_000)
    assert box.result() == answer and clicked == [box.button(answer)]
    assert box.button(Yes).shortcut() == QKeySequence("Y") and box.button(No).shortcut() == QKeySequence("N")


def test_the_help_the_tips_and_the_row_menu_write_keys_as_the_platform_does(window, monkeypatch):
    """Defect: the keyboard help and the tips spelled "Ctrl+A", "(F5)" from the declarations: a Mac shows ⌘A.
    Here Qt's own NativeText is "Ctrl+A"; a stand-in writes it as macOS does."""
    assert "<b>Ctrl+A</b>" in ui_actions.shortcuts_html() and "<b>Enter</b> or <b>Y</b>" in ui_actions.shortcuts_html()
    monkeypatch.setattr(QKeySequence, "toString", mac_text(QKeySequence.toString))
    html = ui_actions.shortcuts_html()
    assert "Ctrl" not in html and "<b>⌘A</b>" in html and "<b>⌘⇧A</b>" in html and "<b>⇧⌦</b>" in html
    parent = QObject()
    actions = ui_actions.build_actions(window, parent)
    assert actions["select_all"].toolTip().endswith("(⌘A)") and actions["refresh"].toolTip().endswith("(F5)")
    assert actions["stop"].toolTip().endswith("(⎋)")
    assert not any("Ctrl" in action.toolTip() for action in actions.values())
    order = window.open_pane.model.orders()[0]
    assert window.open_pane.row_menu(order).actions()[0].text() == "Cancel this order\t⇧⌦"
    monkeypatch.setattr(sys, "platform", "darwin")  # and the Mac's delete key first wherever Delete is a key
    html = ui_actions.shortcuts_html()
    assert "<b>⌫</b>, <b>⌦</b>" in html and "<b>↩</b> or <b>Y</b> answers yes, <b>⎋</b> or <b>N</b> no" in html
    actions = ui_actions.build_actions(window, parent)
    assert actions["cancel"].toolTip().endswith("(⌫)") and QKeySequence("Backspace") in actions["cancel"].shortcuts()
    assert window.open_pane.row_menu(order).actions()[0].text() == "Cancel this order\t⇧⌫"
    monkeypatch.setattr(sys, "platform", "linux")
    assert ui_actions.platform_keys(("Shift+Delete",)) == ("Shift+Delete",)  # Backspace: a text key there
