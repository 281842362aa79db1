"""What became of a cancel: one outcome per order, and the report a run returns."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from typing import Any

from gatecancel_gui.core.domain.orders import OrderRef


class OutcomeState(str, Enum):
    """Where one order ended. Only CANCELLED means the exchange confirmed the cancel."""

    IN_FLIGHT = "in_flight"
    CANCELLED = "cancelled"
    REJECTED = "rejected"
    UNKNOWN = "unknown"
    NOT_SENT = "not_sent"


@dataclass(frozen=True, slots=True)
class CancelOutcome:
    ref: OrderRef
    state: OutcomeState
    label: str = ""
    message: str = ""
    text: str = ""
    reconciled: bool = False  # settled from the order's own record, not from an answer to a cancel
    left: Decimal | None = None  # what the order's record says is left (a filled order's true numbers)
    ended: bool = False  # the run is over: an unknown outcome is no longer being checked (refresh to check)

    @property
    def succeeded(self) -> bool:
        return self.state is OutcomeState.CANCELLED

    @property
    def settled(self) -> bool:
        """Known for good: cancelled, or gone (filled, not found). A later, weaker answer for the same order
        (a second cancel's ORDER_NOT_FOUND) must not replace it, and there is nothing left to send."""
        return self.final and not self.retryable

    @property
    def final(self) -> bool:
        return self.state not in (OutcomeState.IN_FLIGHT, OutcomeState.UNKNOWN)

    @property
    def retryable(self) -> bool:
        """Could a new cancel still help? Not for orders the exchange says are gone."""
        if self.state in (OutcomeState.NOT_SENT, OutcomeState.UNKNOWN):
            return True
        return self.state is OutcomeState.REJECTED and self.label not in GONE_LABELS

    def as_json(self) -> dict[str, Any]:
        return {
            **self.ref.as_json(),
            "succeeded": self.succeeded,
            "label": self.label,
            "message": self.message,
            "state": self.state.value,
        }


def merged(current: CancelOutcome | None, new: CancelOutcome, *, across_runs: bool = False) -> CancelOutcome:
    """The one rule for a new word about an order whose outcome may already be known (used by the run, the
    table and the stream): what is known stays, and a later, weaker answer (a second cancel's
    ORDER_NOT_FOUND) never replaces it. Within a run every final outcome is known; across runs only what
    is settled (cancelled, or gone for good), since a new cancel may help where an old one did not. One
    exception: the order's own record replaces a rejection that merely reported it."""
    if current is None:
        return new
    known = current.settled if across_runs else current.final
    if not known:
        return new
    record_over_rejection = (current.state is OutcomeState.REJECTED and not current.reconciled
                           and new.reconciled and new.final)
    return new if record_over_rejection else current


GONE_LABELS = frozenset({"ORDER_NOT_FOUND", "ORDER_CLOSED", "ORDER_CANCELLED", "ORDER_FILLED", "ORDER_FINISHED"})
# may have filled: ask its record (ORDER_FINISHED is futures' own word for an order already finished)
FILLED_LABELS = frozenset({"ORDER_NOT_FOUND", "ORDER_CLOSED", "ORDER_FILLED", "ORDER_FINISHED"})


@dataclass(slots=True)
class CancelReport:
    """Everything a cancel run produced, one outcome per distinct order asked for."""

    outcomes: dict[OrderRef, CancelOutcome] = field(default_factory=dict)
    requests_sent: int = 0
    stopped: bool = False
    refused: str = ""
    journal_error: str = ""   # the journal could not be written (a local failure; the cancels went anyway)
    internal_error: str = ""  # an unexpected error of this program ended the run early (logged)

    def count(self, state: OutcomeState) -> int:
        return sum(1 for o in self.outcomes.values() if o.state is state)

    @property
    def all_cancelled(self) -> bool:
        return bool(self.outcomes) and all(o.succeeded for o in self.outcomes.values())

    def summary(self) -> str:
        parts = [f"{self.count(OutcomeState.CANCELLED)} cancelled"]
        for state, word in ((OutcomeState.REJECTED, "not cancelled"), (OutcomeState.UNKNOWN, "unknown"),
                            (OutcomeState.NOT_SENT, "not sent")):
            if n := self.count(state):
                parts.append(f"{n} {word}")
        return ", ".join(parts) + f" of {len(self.outcomes)}"
