"""What the live stream's order events do to the orders table, in plain Python (no Qt calls): a finished
order's outcome in the table's words, and a burst of events folded into one change per order.

Why here and not in the model: the model knows rows, checks and results; what "an order finished as ioc"
means for a row (an outcome, a gone mark) and how a burst of events for one order collapses are decided
once, tested without a window, and the model is only asked to upsert, settle or mark.
"""

from __future__ import annotations

from dataclasses import dataclass

from gatecancel_gui.core.domain.outcomes import CancelOutcome, OutcomeState
from gatecancel_gui.core.stream.events import EventKind, OrderEvent
from gatecancel_gui.ui.order_rows import PreparedRows
from gatecancel_gui.ui.theme import ELSEWHERE, SEEN_ON_STREAM

FILLED_LABEL = "ORDER_FILLED"      # a settled label (outcomes.GONE_LABELS): nothing is sent for the order again
FINISHED_LABEL = "ORDER_FINISHED"  # finished some other way (ioc, stp, liquidated, ...): settled too
CANCELLED_LABEL = "ORDER_CANCELLED"  # cancelled by someone else (another app, a bot, the web site): settled too


@dataclass(frozen=True, slots=True)
class LiveItem:
    """One event with its row prepared off the GUI thread (prepare_rows, with the table's prices)."""

    event: OrderEvent
    rows: PreparedRows

    @property
    def key(self) -> str:
        return self.rows.keys[0]


@dataclass(slots=True)
class Change:
    """What a burst did to one order: its latest numbers (an upsert; `put` if the burst first saw it put),
    and how it finished, if it did."""

    key: str
    upsert: LiveItem | None = None
    put: bool = False
    finish: LiveItem | None = None


def finish_outcome(event: OrderEvent, ours: bool = False) -> CancelOutcome | None:
    """The table's outcome for a finished order, from the order's own record as the stream saw it
    (reconciled), settled either way, so a cancel never sends it. It reads as the stream's word, grey
    (theme.finished_on_its_own): filled, ioc, stp, liquidated … and a cancel made elsewhere ("● cancelled",
    "cancelled elsewhere" in its tooltip): never green, which is this window's own confirmed cancel, and never
    a failed one. `ours`: this window sent a cancel for the order and had no answer to it (lost, or still
    out): a "cancelled" is then that cancel's, confirmed by the stream, and reads as ✔ cancelled. None for a
    finish whose way Gate did not say (finished while the socket was down): the row is marked gone instead."""
    word = event.finish_as.strip()
    if not word or word == "open":
        return None
    ref, left, text = event.order.ref, event.order.left, event.order.text
    if word == "cancelled" and ours:
        return CancelOutcome(ref, OutcomeState.CANCELLED, message=f"cancelled {SEEN_ON_STREAM}", text=text,
                             reconciled=True, left=left)
    if word == "cancelled":
        return CancelOutcome(ref, OutcomeState.REJECTED, CANCELLED_LABEL, f"cancelled {ELSEWHERE} {SEEN_ON_STREAM}",
                             text=text, reconciled=True, left=left)
    label = FILLED_LABEL if word == "filled" else FINISHED_LABEL
    return CancelOutcome(ref, OutcomeState.REJECTED, label, f"{word.replace('_', ' ')} {SEEN_ON_STREAM}", text=text,
                         reconciled=True, left=left)


def fold(items: list[LiveItem]) -> list[Change]:
    """One change per order, in the order each was first seen: its last put/update (a burst of updates of one
    order is one repaint) and its finish. A put or update after the order's finish is dropped: a finished
    order is never revived."""
    changes: dict[str, Change] = {}
    for item in items:
        change = changes.get(item.key)
        if change is None:
            change = changes[item.key] = Change(item.key)
        if change.finish is not None:
            continue
        if item.event.kind is EventKind.FINISH:
            change.finish = item
        else:
            change.upsert = item
            change.put = change.put or item.event.kind is EventKind.PUT
    return list(changes.values())
