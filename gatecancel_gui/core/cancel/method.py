"""A way of sending cancels, and the one mapping from an order's record to an outcome.

A way of sending plugs into the run (run.py) with two things: how a group of orders goes out and how
Gate's answer reads for each of them, and how orders are looked up afterwards. Everything else (retries,
Stop, "maybe applied", the journal, the budget) is the run's."""

from __future__ import annotations

import logging
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

from gatecancel_gui.core.domain.errors import GateError, Stopped
from gatecancel_gui.core.domain.orders import OrderRef
from gatecancel_gui.core.domain.outcomes import CancelOutcome, OutcomeState
from gatecancel_gui.core.gate.client import GateClient, PendingAnswer

log = logging.getLogger(__name__)
MAX_BATCH = 20  # Gate's limit for one batch cancel


@dataclass(frozen=True)
class Answer:
    """What Gate's answer to a cancel said of one order: succeeded True, False, or unreadable (None)."""

    succeeded: bool | None
    label: str = ""
    message: str = ""
    text: str = ""


class Found(str, Enum):
    """What an order's own record says after a cancel."""

    OPEN = "open"
    CANCELLED = "cancelled"
    FILLED = "filled"        # finished some other way first (filled, or a stop order triggered)
    NOT_FOUND = "not_found"  # Gate has no such order now


@dataclass(frozen=True)
class Record:
    found: Found
    text: str = ""
    detail: str = ""  # a sentence for FILLED / NOT_FOUND when the way of sending knows better
    left: Decimal | None = None  # what the record says is left of the order
    label: str = ""              # FILLED: the market's own label for it (futures: ORDER_FINISHED)


def outcome_of_record(ref: OrderRef, record: Record) -> CancelOutcome | None:
    """The one mapping from an order's record to an outcome (None while it is still open)."""
    if record.found is Found.CANCELLED:
        return CancelOutcome(ref, OutcomeState.CANCELLED, text=record.text, reconciled=True, left=record.left)
    if record.found is Found.FILLED:
        return CancelOutcome(ref, OutcomeState.REJECTED, record.label or "ORDER_CLOSED",
                             record.detail or "The order filled before the cancel reached it.", reconciled=True,
                             left=record.left)
    if record.found is Found.NOT_FOUND:
        return CancelOutcome(ref, OutcomeState.REJECTED, "ORDER_NOT_FOUND",
                             record.detail or "Gate has no such order now: it is not open (it may have been "
                             "cancelled or filled earlier, or the id is wrong).", reconciled=True)
    return None


def status_record(status: object, text: object = "", *, filled_as: tuple[str, ...] = ("closed",),
                  detail: str = "", left: Decimal | None = None) -> Record | None:
    """Read a spot-style `status` field: open, cancelled, or one of `filled_as`; None for anything else."""
    status = str(status or "")
    if status == "open":
        return Record(Found.OPEN, left=left)
    if status == "cancelled":
        return Record(Found.CANCELLED, str(text or ""), left=left)
    if status in filled_as:
        return Record(Found.FILLED, str(text or ""), detail, left=left)
    return None


class CancelMethod(ABC):
    """A way of sending cancels: how a group goes out and is read back, and how orders are looked up."""

    endpoint: str = ""          # "POST /spot/cancel_batch_orders": for the journal
    group_size: int = MAX_BATCH
    resend_open: bool = True    # may an order found still open after an unanswered cancel be sent again?
    still_open_label: str = "STILL_OPEN"
    still_open_message: str = ""

    def groups(self, refs: list[OrderRef], size: int) -> list[list[OrderRef]]:
        size = min(size, self.group_size)
        return [refs[i:i + size] for i in range(0, len(refs), size)]

    def endpoint_of(self, group: list[OrderRef]) -> str:
        """The endpoint one group goes to (the same for every group, except across markets)."""
        return self.endpoint

    def requests_for(self, refs: list[OrderRef]) -> int:
        """How many requests a cancel of these orders takes at first (said to the user before it starts):
        exactly the groups it sends, so a cancel over several markets is counted market by market."""
        return len(self.groups(list(dict.fromkeys(refs)), MAX_BATCH))

    def journal_orders(self, group: list[OrderRef]) -> list[tuple[str, str]]:
        return [(ref.instrument, ref.id) for ref in group]

    def journal_results(self, group: list[OrderRef], answers: dict[OrderRef, Answer]) -> list[dict[str, Any]]:
        return [{"currency_pair": ref.instrument, "id": ref.id, "succeeded": a.succeeded, "label": a.label,
                 "message": a.message} for ref, a in answers.items()]

    @abstractmethod
    def start(self, client: GateClient, group: list[OrderRef]) -> PendingAnswer:
        """Put one cancel request for the group on its way; its `result()` raises GateError as the client
        does."""

    @abstractmethod
    def read_answer(self, group: list[OrderRef], data: Any) -> dict[OrderRef, Answer]:
        """Gate's word for each order of the group; an order left out had no result."""

    @abstractmethod
    def look_up(self, client: GateClient, refs: list[OrderRef], *, since_ms: int,
                stop: threading.Event, in_flight: int) -> dict[OrderRef, Record]:
        """The record of each order it could find (reads only); an order left out stays unknown."""


def results_by_id(data: Any) -> dict[str, dict[str, Any]]:
    """Gate's per-order results of a batch answer, by id as text (the first result of each id): results are
    matched by id, never by position (their order is unconfirmed)."""
    by_id: dict[str, dict[str, Any]] = {}
    if isinstance(data, list):
        for item in data:
            if isinstance(item, dict) and item.get("id") is not None:
                by_id.setdefault(str(item["id"]), item)
    return by_id


def read_record(ref: OrderRef, read: Callable[[], Any], parse: Callable[[Any], Record | None]) -> Record | None:
    """An order's own record from one GET: parsed, NOT_FOUND when Gate says ORDER_NOT_FOUND, None when Gate
    would not say (or the read was stopped)."""
    try:
        return parse(read())
    except GateError as exc:
        if exc.label == "ORDER_NOT_FOUND":
            return Record(Found.NOT_FOUND)
        log.info("look-up of %s failed: %s", ref, exc.label)
    except Stopped:
        pass
    return None


def look_up_each(refs: list[OrderRef], look_up_one: Callable[[OrderRef], Record | None],
                 in_flight: int) -> dict[OrderRef, Record]:
    """Ask for each order's record concurrently (reads wait for the account's read budget)."""
    if not refs:
        return {}
    with ThreadPoolExecutor(max_workers=min(in_flight, len(refs)), thread_name_prefix="look-up") as pool:
        records = list(pool.map(look_up_one, refs))
    return {ref: record for ref, record in zip(refs, records, strict=True) if record is not None}
