"""Result colours as light/dark pairs, chosen from the palette so both themes stay readable,
and a text mark per state so colour is never the only signal."""

from __future__ import annotations

import functools

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

from gatecancel_gui.core.domain.outcomes import CancelOutcome, OutcomeState

#                      light background, dark background
_BACKGROUNDS = {
    OutcomeState.CANCELLED: ("#c8f0c8", "#1f5a2a"),
    OutcomeState.REJECTED: ("#f6c6c6", "#6a2020"),
    OutcomeState.IN_FLIGHT: ("#ffe3a3", "#6b5314"),
    OutcomeState.UNKNOWN: ("#ffe3a3", "#6b5314"),
    OutcomeState.NOT_SENT: ("#e4e4e4", "#3c3c3c"),
}

# The side as text colour: blue and orange, never the result colours (green and red backgrounds).
_SIDES = {"buy": ("#1565c0", "#82b1ff"), "sell": ("#e65100", "#ffab40")}

MARKS = {
    OutcomeState.CANCELLED: "✔ cancelled",
    OutcomeState.REJECTED: "✖ not cancelled",
    OutcomeState.IN_FLIGHT: "… sending",
    OutcomeState.UNKNOWN: "? checking",
    OutcomeState.NOT_SENT: "– not sent",
}

# The end of the message of an outcome the live stream saw (ui/live_events.finish_outcome): "filled (seen on
# Gate's stream)". An order that filled (or ended as ioc, stp …) reads as its word, never as a failed cancel;
# one cancelled by someone else is "cancelled elsewhere (seen on Gate's stream)", its cell "● cancelled".
SEEN_ON_STREAM = "(seen on Gate's stream)"
ELSEWHERE = "elsewhere"
FINISHED_MARK = "●"
# The end of the message of a guard's outcome (ui/guard_controller.by_guard): "cancelled by the guard" reads as
# "✔ cancelled · guard"; an order the guard found filled first reads as filled ("● filled · guard"), grey.
BY_GUARD = "by the guard"
GUARD_TAG = " · guard"

ENVIRONMENT_BADGES = {
    "live": ("LIVE", "#c62828", "#ffffff"),
    "testnet": ("TESTNET", "#1565c0", "#ffffff"),
    "paper": ("PAPER", "#2e7d32", "#ffffff"),
    "custom": ("CUSTOM", "#6a1b9a", "#ffffff"),
}


def is_dark() -> bool:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        return False
    return bool(app.palette().color(QPalette.ColorRole.Base).lightness() < 128)


@functools.cache
def _colour(hex_code: str) -> QColor:
    return QColor(hex_code)


def state_background(state: OutcomeState, dark: bool | None = None) -> QColor:
    """The row colour for a state; pass `dark` on hot paths (asking the palette on every cell is slow)."""
    light, dark_colour = _BACKGROUNDS[state]
    return _colour(dark_colour if (is_dark() if dark is None else dark) else light)


def side_colour(side: str, dark: bool) -> QColor | None:
    pair = _SIDES.get(side)
    return _colour(pair[1] if dark else pair[0]) if pair else None


def result_text(state: OutcomeState, label: str, ended: bool = False) -> str:
    """The result cell. An unknown order is "checking" while its cancel runs, and "unknown" once the run has
    ended without an answer (nothing is checking it any more: a refresh does)."""
    if state is OutcomeState.REJECTED and label:
        return f"✖ {label}"
    if state is OutcomeState.UNKNOWN and ended:
        return f"? unknown ({label})" if label else "? unknown"
    if state is OutcomeState.UNKNOWN and label:
        return f"? checking ({label})"
    return MARKS[state]


def finished_on_its_own(outcome: CancelOutcome) -> bool:
    """The stream saw the order end by itself or elsewhere (filled, ioc, stp, liquidated …, or cancelled by
    someone else): no cancel failed here and none succeeded, so the row is grey, neither red nor green, and
    counted neither with the failed ones nor with this window's cancels."""
    return outcome.state is OutcomeState.REJECTED and (outcome.message.endswith(SEEN_ON_STREAM) or (
        outcome.message.endswith(BY_GUARD) and not outcome.retryable))


def _gone_word(outcome: CancelOutcome) -> str:
    """A guard's "gone" outcome as the row's word: an order it found filled first is "filled" (Gate may say
    ORDER_CLOSED; the order's record said it filled); else the label's word ("not found", "cancelled")."""
    if outcome.label == "ORDER_FILLED" or "filled" in outcome.message.lower():
        return "filled"
    return outcome.label.removeprefix("ORDER_").replace("_", " ").lower() or "finished"


def outcome_text(outcome: CancelOutcome) -> str:
    """The result cell for an outcome: the stream's finish as its word ("● filled", "● ioc", "● cancelled";
    where, in the tooltip), else result_text."""
    if outcome.message.endswith(BY_GUARD):
        if finished_on_its_own(outcome):
            return f"{FINISHED_MARK} {_gone_word(outcome)}{GUARD_TAG}"
        return result_text(outcome.state, outcome.label, outcome.ended) + GUARD_TAG
    if finished_on_its_own(outcome):
        word = outcome.message.removesuffix(SEEN_ON_STREAM).strip().removesuffix(ELSEWHERE).strip()
        return f"{FINISHED_MARK} {word}"
    return result_text(outcome.state, outcome.label, outcome.ended)


def outcome_background(outcome: CancelOutcome, dark: bool) -> QColor:
    """An order that ended by itself is grey like a gone row (no longer open, nothing failed)."""
    return state_background(OutcomeState.NOT_SENT if finished_on_its_own(outcome) else outcome.state, dark)
