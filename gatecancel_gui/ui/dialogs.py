"""Every question the app asks goes through here, so tests can answer them without a blocking exec()."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

Confirm = Callable[[QWidget, str, str, str], bool]


def question_box(parent: QWidget, title: str, text: str, yes_text: str = "&Yes") -> QMessageBox:
    """A Yes/No question, answerable from the keyboard: Y or Enter on Yes, N or Esc for No."""
    box = QMessageBox(QMessageBox.Icon.Warning, title, text,
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, parent)
    box.setDefaultButton(QMessageBox.StandardButton.Yes)
    box.setEscapeButton(QMessageBox.StandardButton.No)
    box.button(QMessageBox.StandardButton.Yes).setText(yes_text)
    box.button(QMessageBox.StandardButton.No).setText("&No")
    return box


def ask(parent: QWidget, title: str, text: str, yes_text: str = "&Yes") -> bool:
    return question_box(parent, title, text, yes_text).exec() == QMessageBox.StandardButton.Yes


def always_yes(parent: QWidget, title: str, text: str, yes_text: str = "") -> bool:
    return True
