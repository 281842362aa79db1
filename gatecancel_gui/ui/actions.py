"""Every command of the window, declared once: its text, keys, tip, the method that does it, when it can be
used, and the sentence the keyboard help says about it.

The toolbar, the menus, the tables' own keys and the keyboard help are all made from this one table, so
they cannot disagree (the hand-written help once said Space ticks "the current row" while it ticks every
selected row). Keys that act on a table row (Space, Shift+Delete) are declared here too, with
`on_table=True`: the orders pane binds them to its view; the help lists them with the rest.

Keys are declared in Qt's portable spelling and shown in the platform's own (`key_text`: "Ctrl+A" here, "⌘A"
on macOS). On macOS the key labelled "delete" sends Backspace, so every Delete key gets a Backspace twin
there (`platform_keys`); elsewhere Backspace stays a text key only.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMenuBar, QToolBar


@dataclass(frozen=True)
class ActionState:
    """What the enabling of the actions depends on, read once per update."""

    connected: bool   # an account is open
    busy: bool        # a load or a cancel is running
    cancelling: bool  # a cancel is running, or the window is closing (a load never holds a cancel back)
    checked: bool     # the table in front has checked rows
    retryable: bool   # … has red rows that can still be cancelled
    clearable: bool   # … has green or gone rows
    closing: bool = False  # the window is closing


@dataclass(frozen=True)
class ActionSpec:
    name: str
    text: str
    handler: str  # the method that does it: the window's, or the orders pane's for a table key
    keys: tuple[str, ...] = ()
    tip: str = ""  # the action's first key is added to it, as the platform writes it ("… (F5)")
    help: str = ""  # the keyboard help's sentence; an action without keys is not in the help
    enabled: Callable[[ActionState], bool] | None = None  # None: always
    on_table: bool = False  # a key on the table's rows, bound by the pane, not an action of the window


# In the order the keyboard help lists them.
ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("refresh", "Refresh", "refresh", ("F5", "Ctrl+R"), "Load every open order and stop order",
               "Refresh (load every open order and stop order)", lambda s: s.connected and not s.busy),
    ActionSpec("toggle_rows", "Check / uncheck", "toggle_current", ("Space",), on_table=True,
               help="Check the selected rows (or the current row); uncheck them if all are checked already"),
    ActionSpec("select_all", "Select all", "select_all", ("Ctrl+A",), "Check every visible row",
               "Check every visible row"),
    ActionSpec("select_none", "Select none", "select_none", ("Ctrl+Shift+A",), "Uncheck every visible row",
               "Uncheck every visible row"),
    ActionSpec("cancel", "Cancel checked", "cancel_checked", ("Delete",),
               "Cancel the checked orders, after a confirmation", "Cancel the checked orders (asks first)",
               lambda s: s.connected and not s.cancelling and s.checked),
    ActionSpec("cancel_row", "Cancel this order", "cancel_current", ("Shift+Delete",), on_table=True,
               help="Cancel the current row (asks first)"),
    ActionSpec("cancel_all", "Cancel all…", "cancel_all", ("Ctrl+Shift+Delete",),
               "Gate's server-side cancel-all for a scope you choose, confirmed by listing again",
               "Cancel all… in a scope you choose", lambda s: s.connected and not s.cancelling),
    ActionSpec("guard", "Guard…", "guard", ("Ctrl+G",),
               "Keep a scope flat for a while: cancel what is open there now and each new order as it appears",
               "Guard… a scope: cancel each new order in it, for a while (asks first)",
               lambda s: s.connected and not s.closing),
    ActionSpec("stop", "Stop", "stop_sending", ("Esc",),
               "Send no more requests; what is in flight is still reported",
               "Stop: send nothing more (what is in flight is still reported)", lambda s: s.busy),
    ActionSpec("retry", "Retry failed", "retry_failed", tip="Cancel again the red rows that can still be cancelled",
               enabled=lambda s: not s.cancelling and s.retryable),
    ActionSpec("clear", "Clear cancelled", "clear_cancelled",
               tip="Remove the rows that are over: cancelled here (green); filled, cancelled elsewhere, gone (grey)",
               enabled=lambda s: not s.busy and s.clearable),
    ActionSpec("export", "Export CSV…", "export_csv", ("Ctrl+E",), "Save the visible rows, with their results, as CSV",
               "Export the visible rows as CSV"),
    ActionSpec("journal", "Journal", "show_journal", ("Ctrl+J",), "Every cancel request sent and what came back",
               "The cancel journal"),
    ActionSpec("quit", "&Quit", "close", ("Ctrl+Q",), help="Quit"),
    ActionSpec("profiles", "Profiles…", "edit_profiles", tip="Add, edit or remove API key profiles"),
    ActionSpec("shortcuts", "&Keyboard shortcuts", "show_shortcuts"),
    ActionSpec("about", "&About gatecancel", "show_about"),
)
SPEC = {spec.name: spec for spec in ACTIONS}
TABLE_KEYS = tuple(spec for spec in ACTIONS if spec.on_table)

# Where the actions go ("|" is a separator). The account chooser comes first on the toolbar (a widget).
TOOLBAR = ("profiles", "|", "refresh", "select_all", "select_none", "|", "cancel", "cancel_all", "guard", "stop",
           "retry", "clear", "|", "export", "journal")
MENUS = (("&File", ("refresh", "export", "journal", "|", "quit")), ("&Help", ("shortcuts", "about")))

# What the help says beyond the keys.
HELP_EXTRA_ROWS = (("Right click a row", "Cancel it, its pair or its side; copy its id; its journal"),)
# The keys of every question (ui/dialogs.question_box gives its buttons Y and N): {yes} and {no} are filled
# in with the platform's names of the keys.
HELP_FOOTER = "<p>In every question: {yes} answers yes, {no} no.</p>"
DELETE, MAC_DELETE = "Delete", "Backspace"  # the key a Mac labels "delete" sends Backspace


def is_macos() -> bool:
    return sys.platform == "darwin"


def platform_keys(keys: tuple[str, ...]) -> tuple[str, ...]:
    """The keys to bind on this platform: on macOS each Delete key has a Backspace twin, listed first (the
    key a Mac keyboard labels "delete"); elsewhere the keys as declared. Text fields keep their Backspace and
    Delete on every platform: a line edit takes both before any window shortcut sees them."""
    if not is_macos():
        return keys
    twins = tuple(key.replace(DELETE, MAC_DELETE) for key in keys if DELETE in key)
    return twins + keys


def question_keys() -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The keys that answer a question yes, and no. Return and Enter both press the default button; the
    help names the one the keyboard labels: "Enter" on Windows and Linux, "↩" (Return) on a Mac."""
    return ("Return" if is_macos() else "Enter", "Y"), ("Esc", "N")


def key_text(key: str) -> str:
    """A key as this platform writes it: "Ctrl+A" on Windows and Linux, "⌘A" on macOS. Qt writes Delete as
    "Del" on Windows and Linux: the help keeps the word the README and the keyboards use."""
    return re.sub(r"\bDel\b", DELETE, QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText))


def tooltip(spec: ActionSpec) -> str:
    """The tip, ending with the action's first key as the platform writes it."""
    keys = platform_keys(spec.keys)
    return f"{spec.tip} ({key_text(keys[0])})" if spec.tip and keys else spec.tip


def build_actions(owner: Any, parent: QObject) -> dict[str, QAction]:
    """The window's actions, each triggering `owner.<handler>()` (the table's keys are the pane's)."""
    actions: dict[str, QAction] = {}
    for spec in ACTIONS:
        if spec.on_table:
            continue
        action = QAction(spec.text, parent)
        if spec.tip:
            action.setToolTip(tooltip(spec))
        if spec.keys:
            action.setShortcuts([QKeySequence(key) for key in platform_keys(spec.keys)])
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        handler = getattr(owner, spec.handler)
        action.triggered.connect(lambda *_args, handler=handler: handler())
        actions[spec.name] = action
    return actions


def place_actions(actions: dict[str, QAction], bar: QToolBar, menus: QMenuBar) -> None:
    for name in TOOLBAR:
        bar.addSeparator() if name == "|" else bar.addAction(actions[name])
    for title, names in MENUS:
        menu = menus.addMenu(title)
        for name in names:
            menu.addSeparator() if name == "|" else menu.addAction(actions[name])


def update_enabled(actions: dict[str, QAction], state: ActionState) -> None:
    for spec in ACTIONS:
        if spec.enabled is not None:
            actions[spec.name].setEnabled(spec.enabled(state))


def shortcuts_html() -> str:
    """The keyboard help: every declared key with its sentence, then what is not a key."""
    rows = [(bold_keys(platform_keys(spec.keys), ", "), escape(spec.help)) for spec in ACTIONS if spec.keys]
    rows += [(escape(what), escape(does)) for what, does in HELP_EXTRA_ROWS]
    body = "\n".join(f"<tr><td>{keys}</td><td>{does}</td></tr>" for keys, does in rows)
    yes, no = question_keys()
    footer = HELP_FOOTER.format(yes=bold_keys(yes, " or "), no=bold_keys(no, " or "))
    return f'<table cellspacing="4">\n{body}\n</table>\n{footer}'


def bold_keys(keys: tuple[str, ...], between: str) -> str:
    return between.join(f"<b>{escape(key_text(key))}</b>" for key in keys)
