"""Every question the app asks goes through here, so tests can answer them without a blocking exec()."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QMessageBox, QWidget

Confirm = Callable[[QWidget, str, str, str], bool]

# The letter that answers each button, on every platform (the keyboard help says so: ui/actions.HELP_FOOTER).
ANSWER_KEYS = ((QMessageBox.StandardButton.Yes, Qt.Key.Key_Y), (QMessageBox.StandardButton.No, Qt.Key.Key_N))


def question_box(parent: QWidget, title: str, text: str, yes_text: str = "&Yes") -> QMessageBox:
    """A Yes/No question, answerable from the keyboard on every platform: Y or Enter on Yes, N or Esc for No.

    The "&" in "&Yes" only underlines: a mnemonic is no key on macOS (Qt turns them off there), and where it
    is one it follows the text ("&Arm" answered A, not Y). So each button has its letter as its own shortcut,
    set after its text (a text resets it), plus Alt+letter for the underline on Windows and Linux. A button's
    shortcut takes the key before the box's own key handling sees it: one press answers once. Always Qt's own
    box, never the native one macOS may offer, whose buttons know no such keys."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setOption(QMessageBox.Option.DontUseNativeDialog)
    box.setDefaultButton(QMessageBox.StandardButton.Yes)
    box.setEscapeButton(QMessageBox.StandardButton.No)
    box.button(QMessageBox.StandardButton.Yes).setText(yes_text)
    box.button(QMessageBox.StandardButton.No).setText("&No")
    for which, letter in ANSWER_KEYS:
        button = box.button(which)
        button.setShortcut(QKeySequence(letter))
        QShortcut(QKeySequence(Qt.KeyboardModifier.AltModifier | letter), box, button.animateClick)
    return box


def ask(parent: QWidget, title: str, text: str, yes_text: str = "&Yes") -> bool:
    return question_box(parent, title, text, yes_text).exec() == QMessageBox.StandardButton.Yes


def always_yes(parent: QWidget, title: str, text: str, yes_text: str = "") -> bool:
    return True
