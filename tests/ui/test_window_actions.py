"""The keyboard help is made from the same declarations as the actions and the table's keys, so it lists
exactly the shortcuts the window answers to, each with what it really does (the hand-written help said
Space ticks "the current row": it ticks every selected row)."""

import re

from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut


def _portable(text: str) -> str:
    return QKeySequence(text).toString(QKeySequence.SequenceFormat.PortableText)


def help_rows(window) -> dict[str, str]:
    """Each shortcut the help lists (in portable form), with the sentence beside it."""
    box = window.show_shortcuts()
    text = box.text()
    box.close()
    table = text[text.index("<table"):text.index("</table>")]
    rows: dict[str, str] = {}
    for keys, what in re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", table):
        for key in re.findall(r"<b>(.*?)</b>", keys):
            rows[_portable(key)] = what
    return rows


def window_shortcuts(window) -> set[str]:
    """Every key the window answers to: its actions' shortcuts and the tables' own keys."""
    keys = {s.toString(QKeySequence.SequenceFormat.PortableText)
            for action in window.findChildren(QAction) for s in action.shortcuts()}
    keys |= {s.key().toString(QKeySequence.SequenceFormat.PortableText) for s in window.findChildren(QShortcut)}
    return {k for k in keys if k}


def test_the_help_lists_exactly_the_shortcuts_the_window_has(window, qtbot):
    assert set(help_rows(window)) == window_shortcuts(window)


def test_the_help_says_what_space_does_and_space_does_it(window, qtbot):
    assert "selected rows" in help_rows(window)[_portable("Space")]
    view = window.open_pane.view
    view.setFocus()
    view.setCurrentIndex(view.model().index(2, 1))
    for row in (2, 3, 4):
        view.selectionModel().select(view.model().index(row, 1), QItemSelectionModel.SelectionFlag.Select
                                     | QItemSelectionModel.SelectionFlag.Rows)
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert len(window.open_pane.model.checked) == 3  # every selected row, not only the current one
