"""The orders table's model: one QAbstractTableModel keyed by order id (row key), with each row's check and
cancel result behind methods; the view shows it through OrdersFilter. It changes row by row (inserts,
removals, dataChanged for the rows that changed) so a single result or a single new order costs the GUI
thread well under a millisecond at 10,000 rows.

Why ~570 lines: the Qt model API, checks, results (with the one merge rule), a refresh row by row and
single-order events all act on the same row lists; what a row shows is order_rows.py, how a refresh is
planned is table_rows.py."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from decimal import Decimal
from types import MappingProxyType
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)

from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.domain.outcomes import CancelOutcome, OutcomeState, merged
from gatecancel_gui.ui.live_events import CANCELLED_LABEL as CANCELLED_ELSEWHERE
from gatecancel_gui.ui.order_rows import (
    ALIGN,
    BACKGROUND,
    BOLD,
    CHECK,
    CHECKED,
    COLUMN,
    COLUMNS,
    DISPLAY,
    DISTANCE_COLUMN,
    EXACT_REPAINT_ROWS,
    FONT,
    FOREGROUND,
    HANDLED_ROLES,
    LEFT_COLUMNS,
    RESULT_COLUMN,
    RESULT_ORDER,
    RIGHT_ALIGNED,
    SIDE_COLUMN,
    TOOLTIP,
    TYPE_COLUMN,
    UNCHECKED,
    Index,
    PreparedRows,
    SortSpec,
    column_flags,
    prepare_rows,
)
from gatecancel_gui.ui.table_rows import MAX_RUNS, RESET_FRACTION, RefreshPlan, RowIndex, in_place, runs, sorted_place
from gatecancel_gui.ui.theme import (
    finished_on_its_own,
    is_dark,
    outcome_background,
    outcome_text,
    side_colour,
    state_background,
)


def same_order(old: Order, new: Order) -> bool:
    """Whether two orders with the same row key are the same order (full identity, OrderRef): the key
    already holds the market and the id, so only the instrument and the kind remain to compare (without
    building two OrderRefs per row of a 10,000-row refresh)."""
    return old.instrument == new.instrument and old.kind is new.kind


class OrdersModel(QAbstractTableModel):
    """Orders by id, their checked state and their cancel results."""

    checkedChanged = Signal()  # noqa: N815 (Qt naming)
    resultsChanged = Signal()  # noqa: N815

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._orders: list[Order] = []
        self._keys: list[str] = []  # each row's order key (Order.key computes it on every call)
        self._row_of = RowIndex(self._keys)
        self._display: list[list[str]] = []
        self._search: list[str] = []
        self._prices: dict[str, Decimal] = {}
        self._near: set[str] = set()
        self._checked: set[str] = set()
        self._results: dict[str, CancelOutcome] = {}
        self._summary: tuple[bool, bool] | None = None  # result_summary(), until the results change
        self._dirty: set[str] = set()  # keys of the rows to repaint at the next flush (rows move; keys do not)
        self.sort_spec: SortSpec | None = None
        self.new_ids: set[str] = set()
        self.gone_ids: set[str] = set()
        self.dark = is_dark()  # the window updates it when the palette changes
        self._flush = QTimer(self)
        self._flush.setSingleShot(True)
        self._flush.setInterval(30)  # bursts of results coalesce into one repaint
        self._flush.timeout.connect(self._flush_results)

    # -- contents ----------------------------------------------------------------------------------

    def set_orders(self, orders: Iterable[Order] | PreparedRows, mark_changes: bool = False) -> None:
        """Replace the table. Checks and results survive for orders that are still listed.

        `mark_changes` (an automatic refresh) marks orders that appeared as new and keeps the ones that
        vanished, marked gone, until the next manual refresh, so nothing disappears from under the trader's
        eyes.

        Rows are removed, inserted and repainted one run at a time where the new listing differs from the
        old (the view keeps its selection and scroll, and repaints only those rows); the model is reset
        when it is first filled, when nothing stays (a profile switch) or when too much changed
        (table_rows.RESET_FRACTION)."""
        rows = orders if isinstance(orders, PreparedRows) else prepare_rows(orders)
        old_keys = self._keys
        new_keys = list(rows.keys)
        incoming = set(new_keys)
        new_orders, new_display, new_search = list(rows.orders), list(rows.display), list(rows.search)
        sorted_by = rows.sorted_by
        if mark_changes and old_keys:
            new_ids = (self.new_ids | (incoming - set(old_keys))) & incoming
            vanished = [i for i, key in enumerate(old_keys) if key not in incoming]
            gone_ids = {old_keys[i] for i in vanished} | (self.gone_ids - incoming)
            new_orders += [self._orders[i] for i in vanished]
            new_display += [self._display[i] for i in vanished]
            new_search += [self._search[i] for i in vanished]
            new_keys += [old_keys[i] for i in vanished]
            sorted_by = None
        else:
            new_ids, gone_ids = set(), set()
        if self.sort_spec is not None and sorted_by != self.sort_spec:
            key = self._sort_key(self.sort_spec[0], rows.prices)
            perm = sorted(range(len(new_orders)), key=lambda i: key(new_orders[i]),
                          reverse=self.sort_spec[1] == Qt.SortOrder.DescendingOrder)
            new_orders = [new_orders[i] for i in perm]
            new_display = [new_display[i] for i in perm]
            new_search = [new_search[i] for i in perm]
            new_keys = [new_keys[i] for i in perm]
        # A row key is the market and the id, and Gate never gives one id to two orders of a market: the same
        # key in two listings of this table (one kind of order) is the same order, with no test per row.
        plan = RefreshPlan(old_keys, new_keys)
        if plan.worth_a_reset:
            self.beginResetModel()
            self._orders, self._display, self._search = new_orders, new_display, new_search
            self._prices, self._near = rows.prices, set(rows.near)
            self.new_ids, self.gone_ids = new_ids, gone_ids
            self._keys = new_keys
            self._row_of = RowIndex(self._keys)
            self._keep_state_of(set(new_keys))
            self.endResetModel()
        else:
            self._apply_plan(plan, new_orders, new_display, new_search, new_keys, rows, new_ids, gone_ids)
        self.checkedChanged.emit()

    def _apply_plan(self, plan: RefreshPlan, orders: list[Order], display: list[list[str]], search: list[str],
                    keys: list[str], rows: PreparedRows, new_ids: set[str], gone_ids: set[str]) -> None:
        """A refresh row by row: the rows that go (last run first, so the runs above keep their rows), the
        staying ones into their new order if it changed (a layout change), the new ones (first run first,
        so each lands at its row in the new listing), then a repaint of the staying rows that changed."""
        old_display = {k: d for k, d in zip(self._keys, self._display, strict=True)} \
            if len(plan.staying) <= EXACT_REPAINT_ROWS else {}
        old_near = self._near
        old_new, old_gone, old_checked = self.new_ids, self.gone_ids, set(self._checked)
        for first, last in reversed(plan.removed):
            self._remove_rows(first, last)
        if not plan.order_kept:
            new_row = [new for _, new in sorted(plan.staying)]  # the current rows' places in the new order
            self._permute(sorted(range(len(new_row)), key=new_row.__getitem__))
        self._prices, self._near = rows.prices, set(rows.near)
        self.new_ids, self.gone_ids = new_ids, gone_ids
        self._keep_state_of(set(keys))
        for first, last in plan.inserted:
            self._insert_rows(first, orders[first:last + 1], display[first:last + 1], search[first:last + 1],
                              keys[first:last + 1])
        self._orders[:], self._display[:], self._search[:] = orders, display, search  # the staying rows' new data
        self._row_of.rebuild()
        if len(plan.staying) > EXACT_REPAINT_ROWS:  # the view paints only what is visible: one span is cheaper
            first, last = plan.staying[0][1], plan.staying[-1][1]  # than comparing every row's text
            self.dataChanged.emit(self.index(first, 0), self.index(last, len(COLUMNS) - 1))
            return
        # the rows whose marks changed, by set operations (in C: a Python test per row costs milliseconds)
        marked = (old_new ^ new_ids) | (old_gone ^ gone_ids) | (old_checked ^ self._checked) | (old_near ^ self._near)
        self._rows_changed([new for _, new in plan.staying
                            if (k := keys[new]) in marked or old_display[k] != display[new]])

    def _keep_state_of(self, keys: set[str]) -> None:
        """Checks and results of the orders still listed; a gone order is unchecked."""
        self._checked &= keys - self.gone_ids
        self._results = {k: v for k, v in self._results.items() if k in keys}
        self._summary = None

    def _remove_rows(self, first: int, last: int) -> None:
        """Take rows first..last out (their checks and results are the caller's to keep or drop)."""
        self.beginRemoveRows(QModelIndex(), first, last)
        keys = self._keys[first:last + 1]
        del self._orders[first:last + 1], self._display[first:last + 1], self._search[first:last + 1]
        del self._keys[first:last + 1]
        self._row_of.removed(keys)
        self.endRemoveRows()

    def _insert_rows(self, first: int, orders: list[Order], display: list[list[str]], search: list[str],
                     keys: list[str]) -> None:
        self.beginInsertRows(QModelIndex(), first, first + len(orders) - 1)
        self._orders[first:first] = orders
        self._display[first:first] = display
        self._search[first:first] = search
        self._keys[first:first] = keys
        self._row_of.inserted(first, keys)
        self.endInsertRows()

    def _permute(self, perm: list[int]) -> None:
        """Put the rows in this order (perm[i]: the row that goes to row i), as one layout change that
        carries the persistent indexes (selection, current row) along with their orders."""
        self.layoutAboutToBeChanged.emit()
        persistent = self.persistentIndexList()
        held = [(self._keys[i.row()], i.column()) for i in persistent]
        self._orders[:] = [self._orders[i] for i in perm]
        self._display[:] = [self._display[i] for i in perm]
        self._search[:] = [self._search[i] for i in perm]
        self._keys[:] = [self._keys[i] for i in perm]
        self._row_of.rebuild()
        self.changePersistentIndexList(persistent, [self.index(self._row_of.get(key) or 0, col) for key, col in held])
        self.layoutChanged.emit()

    def _rows_changed(self, rows: Iterable[int]) -> None:
        """Repaint these rows, one dataChanged per contiguous run (one span past MAX_RUNS runs)."""
        spans = runs(rows)
        if len(spans) > MAX_RUNS:
            spans = [(spans[0][0], spans[-1][1])]
        last_column = len(COLUMNS) - 1
        for first, last in spans:
            self.dataChanged.emit(self.index(first, 0), self.index(last, last_column))

    # -- one order at a time (what a stream of order events calls) ---------------------------------

    def upsert_order(self, order: Order | PreparedRows, mark_changes: bool = False) -> None:
        """A new or changed order: a new one is inserted at its sorted place (at the end when the table
        is not sorted), a changed one repainted where it is, or moved if its sort key moved it. Its check
        and result stay with it. `mark_changes`: a new order is marked new, as an automatic refresh marks it.

        Pass one order's PreparedRows (prepare_rows off the GUI thread, with `prices`) to keep its display
        text off the GUI thread too, as the load and the stream do."""
        prepared = order if isinstance(order, PreparedRows) else prepare_rows([order], prices=self._prices)
        order, key = prepared.orders[0], prepared.keys[0]
        row = self._row_of.get(key)
        if row is not None and not same_order(self._orders[row], order):
            self.remove_order(key)  # the same key, another order: the old one goes, with its check and result
            row = None
        (self._near.add if prepared.near else self._near.discard)(key)
        self.gone_ids.discard(key)  # listed again
        if row is not None:
            self._orders[row], self._display[row], self._search[row] = order, prepared.display[0], prepared.search[0]
            if self.sort_spec is None or in_place(self._orders, row, self._sort_key(self.sort_spec[0]),
                                                  self.sort_spec[1] == Qt.SortOrder.DescendingOrder):
                self._rows_changed([row])
                return
            self._remove_rows(row, row)  # out and in again at its new place; a move the painting copy follows as that
        elif mark_changes:
            self.new_ids.add(key)
        self._insert_rows(self._place_of(order), [order], prepared.display, prepared.search, prepared.keys)
        self.checkedChanged.emit()  # the counts of rows follow it

    def insert_orders(self, prepared: list[PreparedRows], mark_changes: bool = False) -> None:
        """New orders at once (a burst of a stream's puts; each one order's PreparedRows, its key not in the
        table): each lands where upsert_order would put it, and orders landing next to each other go in as
        one run, so the painting copy and the view follow once per run, not once per order (a burst at the
        top of a table sorted by time is one insert)."""
        if not prepared:
            return
        if self.sort_spec is None:
            places = [len(self._orders)] * len(prepared)
        else:
            key, descending = self._sort_key(self.sort_spec[0]), self.sort_spec[1] == Qt.SortOrder.DescendingOrder
            prepared = sorted(prepared, key=lambda p: key(p.orders[0]), reverse=descending)  # stable: ties keep
            places = [sorted_place(self._orders, key, key(p.orders[0]), descending) for p in prepared]  # arrival
        for p in prepared:
            (self._near.add if p.near else self._near.discard)(p.keys[0])
            self.gone_ids.discard(p.keys[0])
        if mark_changes:
            self.new_ids.update(p.keys[0] for p in prepared)
        end = len(prepared)
        while end:  # the last run first: the places before it stay true
            start = end - 1
            while start and places[start - 1] == places[end - 1]:
                start -= 1
            run = prepared[start:end]
            self._insert_rows(places[start], [p.orders[0] for p in run], [p.display[0] for p in run],
                              [p.search[0] for p in run], [p.keys[0] for p in run])
            end = start
        self.checkedChanged.emit()

    def remove_order(self, key: str, mark_changes: bool = False) -> bool:
        """An order no longer open: its row goes, with its check and result. `mark_changes`: the row stays,
        marked gone and unchecked, as an automatic refresh keeps it. False if no row has that key."""
        row = self._row_of.get(key)
        if row is None:
            return False
        had_result = key in self._results
        if mark_changes:
            self.gone_ids.add(key)
            self.new_ids.discard(key)
            self._checked.discard(key)
            self._rows_changed([row])
        else:
            self._remove_rows(row, row)
            self._checked.discard(key)
            self._results.pop(key, None)
            self._summary = None
            self.new_ids.discard(key)
            self.gone_ids.discard(key)
            if had_result:
                self.resultsChanged.emit()
        self.checkedChanged.emit()
        return True

    def _place_of(self, order: Order) -> int:
        """The row a new order takes: its sorted place (after the rows that sort equal), or the end."""
        if self.sort_spec is None:
            return len(self._orders)
        key = self._sort_key(self.sort_spec[0])
        return sorted_place(self._orders, key, key(order), self.sort_spec[1] == Qt.SortOrder.DescendingOrder)

    def status_text(self, order_id: str) -> str:
        """What an automatic refresh saw: 'new', 'gone' or nothing."""
        if order_id in self.gone_ids:
            return "– gone"
        if order_id in self.new_ids:
            return "★ new"
        return ""

    def _reindex(self) -> None:
        """The keys and the row index, rebuilt from the orders (after a reset or a re-ordering)."""
        self._keys = [o.key for o in self._orders]
        self._row_of = RowIndex(self._keys)

    def orders(self) -> list[Order]:
        return list(self._orders)

    def order_at(self, row: int) -> Order:
        return self._orders[row]

    def row_of(self, order_id: str) -> int | None:
        return self._row_of.get(order_id)

    def search_text(self, row: int) -> str:
        return self._search[row]

    @property
    def checked(self) -> frozenset[str]:
        """The ids of the checked rows (read-only: change them with set_checked)."""
        return frozenset(self._checked)

    @property
    def results(self) -> Mapping[str, CancelOutcome]:
        """Each row's latest outcome by order id (read-only: change them with set_results / settle)."""
        return MappingProxyType(self._results)

    def checked_orders(self) -> list[Order]:
        """In table order; found by key, not by walking every row (asked on every burst of results)."""
        rows = sorted(row for key in self._checked if (row := self._row_of.get(key)) is not None)
        return [self._orders[row] for row in rows]

    def is_settled(self, order_id: str) -> bool:
        """Known for good (cancelled, filled, gone): nothing to send for it."""
        outcome = self._results.get(order_id)
        return outcome is not None and outcome.settled

    def market_price(self, price_key: str) -> Decimal | None:
        return self._prices.get(price_key)

    @property
    def prices(self) -> dict[str, Decimal]:
        """The market prices of the last load, to prepare a row off the GUI thread with: a load replaces
        the dict and nothing changes it in place (nor may the caller), so a stream's thread may read the
        one it got."""
        return self._prices

    def mark_seen(self, keys: Iterable[str]) -> None:
        """The trader has looked at these rows (selected or ticked them): their "★ new" mark goes."""
        seen = self.new_ids.intersection(keys)
        if seen:
            self.new_ids -= seen
            self._rows_changed(row for key in seen if (row := self._row_of.get(key)) is not None)

    def is_near_market(self, order_id: str) -> bool:
        return order_id in self._near

    def remove_ids(self, ids: set[str]) -> None:
        """Clear rows (e.g. the cancelled ones) without reloading: row runs out, or one reset when most go."""
        rows = [row for key in ids if (row := self._row_of.get(key)) is not None]
        spans = runs(rows)
        if len(rows) > max(MAX_RUNS, RESET_FRACTION * len(self._keys)) or len(spans) > MAX_RUNS:
            keep = [i for i, key in enumerate(self._keys) if key not in ids]
            self.beginResetModel()
            self._orders = [self._orders[i] for i in keep]
            self._display = [self._display[i] for i in keep]
            self._search = [self._search[i] for i in keep]
            self._reindex()
            self.endResetModel()
        else:
            for first, last in reversed(spans):
                self._remove_rows(first, last)
        self._checked -= ids
        for order_id in ids:
            self._results.pop(order_id, None)
            self._summary = None
        self.checkedChanged.emit()
        self.resultsChanged.emit()

    # -- checks ------------------------------------------------------------------------------------

    def set_checked(self, ids: Iterable[str], checked: bool) -> None:
        ids = [i for i in ids if i in self._row_of]
        self.mark_seen(ids)
        if checked:
            self._checked.update(ids)
        else:
            self._checked.difference_update(ids)
        if ids:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._orders) - 1, 0),
                                  [Qt.ItemDataRole.CheckStateRole])
        self.checkedChanged.emit()

    # -- results -----------------------------------------------------------------------------------

    def set_results(self, outcomes: Iterable[CancelOutcome]) -> None:
        """Record the outcomes of this table's orders (matched by full identity: kind, pair and id); the
        repaint follows once per burst. Pure Python in the loop: every Qt call here would let the cancel
        threads take the GIL and hold up the window."""
        for outcome in outcomes:
            row = self._row_of.get(outcome.ref.key)
            if row is None or self._orders[row].ref != outcome.ref:
                continue
            if merged(self._results.get(outcome.ref.key), outcome, across_runs=True) is not outcome:
                continue
            self._results[outcome.ref.key] = outcome
            self._summary = None
            self._dirty.add(outcome.ref.key)
        if self._dirty and not self._flush.isActive():
            self._flush.start()

    def settle(self, outcomes: Iterable[CancelOutcome]) -> None:
        """A finished cancel's final word: record it, repaint now, and uncheck the rows that are done
        (cancelled, or gone for good); the ones a retry could still help stay checked."""
        outcomes = [o for o in outcomes if (row := self._row_of.get(o.ref.key)) is not None
                    and self._orders[row].ref == o.ref]
        self.set_results(outcomes)
        self.flush_now()
        done = {o.ref.key for o in outcomes if o.succeeded or not o.retryable}
        if done & self._checked:
            self.set_checked(done, False)

    def claim(self, outcomes: Iterable[CancelOutcome]) -> None:
        """A guard's outcomes, settled through the merge rule, with one exception: its confirmed cancel takes
        the place of the stream's "cancelled elsewhere" for the same order (the stream saw the guard's own
        cancel). Nothing else known is turned back: an order found filled stays filled."""
        outcomes = list(outcomes)
        for outcome in outcomes:
            current = self._results.get(outcome.ref.key)
            if outcome.succeeded and current is not None and current.label == CANCELLED_ELSEWHERE \
                    and finished_on_its_own(current):
                del self._results[outcome.ref.key]
        self.settle(outcomes)

    def forget_results(self, ids: Iterable[str]) -> None:
        """Drop the results of these rows (a new cancel of them is starting); what is known for good stays."""
        for order_id in ids:
            row = self._row_of.get(order_id)
            current = self._results.get(order_id)
            if current is not None and not current.settled and row is not None:
                del self._results[order_id]
                self._summary = None
                self._dirty.add(order_id)
        if self._dirty and not self._flush.isActive():
            self._flush.start()

    def flush_now(self) -> None:
        self._flush.stop()
        self._flush_results()

    def _flush_results(self) -> None:
        """One dataChanged per contiguous run of the rows whose results changed: two rows far apart do not
        repaint every row between them."""
        if not self._dirty:
            return
        rows = [row for key in self._dirty if (row := self._row_of.get(key)) is not None]
        self._dirty.clear()
        self._rows_changed(rows)
        self.resultsChanged.emit()

    def clear_results(self) -> None:
        self._results.clear()
        self._summary = None
        if self._orders:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._orders) - 1, len(COLUMNS) - 1))
        self.resultsChanged.emit()

    def result_summary(self) -> tuple[bool, bool]:
        """(any row Clear cancelled removes, any red row a new cancel could still help): what the window's
        actions depend on, worked out once per change of the results, not once per table event (a new
        order, a check)."""
        if self._summary is None:
            clearable = retryable = False
            for r in self._results.values():
                clearable = clearable or r.succeeded or finished_on_its_own(r)
                retryable = retryable or (not r.succeeded and r.retryable and r.final)
                if clearable and retryable:
                    break
            self._summary = (clearable, retryable)
        return self._summary

    def done_ids(self) -> set[str]:
        """The rows that are over (what Clear cancelled removes): cancelled here (green), finished by
        themselves or cancelled elsewhere as the stream saw (grey), and gone."""
        return {k for k, r in self._results.items() if r.succeeded or finished_on_its_own(r)} | self.gone_ids

    def result_of(self, order_id: str) -> CancelOutcome | None:
        return self._results.get(order_id)

    # -- Qt model API ------------------------------------------------------------------------------

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(self._orders)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section].title
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        """No flags for the root (the invalid index), as Qt's model tester requires."""
        return column_flags(index.column()) if index.isValid() else Qt.ItemFlag.NoItemFlags

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        return self.cell(index.row(), index.column(), role)

    def display_row(self, row: int) -> list[str]:
        """A row's text as shown, cell by cell (what `cell` gives for DISPLAY, without asking per column)."""
        texts = self._display[row]
        if not self._results and not self.new_ids and not self.gone_ids:
            return texts
        texts = list(texts)
        for col in (RESULT_COLUMN, *LEFT_COLUMNS):
            texts[col] = self.cell(row, col, DISPLAY)
        return texts

    def cell(self, row: int, col: int, role: int) -> Any:
        """One cell's value for one role, in plain Python; roles are plain ints and unused ones leave first."""
        if role not in HANDLED_ROLES:
            return None
        if role == DISPLAY:
            if col == RESULT_COLUMN:
                order_id = self._orders[row].key
                outcome = self._results.get(order_id)
                if outcome is None:
                    return self.status_text(order_id)
                return outcome_text(outcome)
            if col in LEFT_COLUMNS and self._results:
                outcome = self._results.get(self._orders[row].key)
                if outcome is not None and outcome.left is not None:  # the order's record: the true numbers
                    order = replace(self._orders[row], left=outcome.left)
                    return COLUMNS[col].display(order, None)
            return self._display[row][col]
        if role == FOREGROUND:
            return side_colour(self._orders[row].side, self.dark) if col == SIDE_COLUMN else None
        if role == FONT:
            return BOLD if col == DISTANCE_COLUMN and self._orders[row].key in self._near else None
        if role == BACKGROUND:
            order_id = self._orders[row].key
            outcome = self._results.get(order_id)
            if outcome is None:
                return state_background(OutcomeState.NOT_SENT, self.dark) if order_id in self.gone_ids else None
            return outcome_background(outcome, self.dark)
        if role == CHECK:
            if col != 0:
                return None
            return CHECKED if self._orders[row].key in self._checked else UNCHECKED
        if role == ALIGN:
            return RIGHT_ALIGNED if COLUMNS[col].numeric else None
        if role == TOOLTIP:
            if col == DISTANCE_COLUMN and self._orders[row].key in self._near:
                return "Within 1% of the market price: about to fill"
            if col == TYPE_COLUMN:  # the whole of it: reduce-only / close flags, a stop order's trigger
                return self._display[row][col]
            if col != RESULT_COLUMN:
                return None
            outcome = self._results.get(self._orders[row].key)
            return (outcome.message or outcome.state.value) if outcome else None
        outcome = self._results.get(self._orders[row].key)  # STATE_ROLE
        return outcome.state.value if outcome else ""

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:  # noqa: N802
        if index.column() != 0 or role != Qt.ItemDataRole.CheckStateRole:
            return False
        order_id = self._orders[index.row()].key
        checked = Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
        (self._checked.add if checked else self._checked.discard)(order_id)
        self.mark_seen((order_id,))
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        self.checkedChanged.emit()
        return True

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        """Sort in Python once (fast), not through thousands of comparisons called from C++; kept across
        reloads."""
        self.sort_spec = (column, order)
        key = self._sort_key(column)
        orders = self._orders
        self._permute(sorted(range(len(orders)), key=lambda i: key(orders[i]),
                             reverse=order == Qt.SortOrder.DescendingOrder))

    def _sort_key(self, column: int, prices: dict[str, Decimal] | None = None) -> Callable[[Order], Any]:
        """A key on the order alone (the market price comes from the last load, or `prices`)."""
        if column == COLUMN["check"]:
            return lambda o: o.key in self._checked
        if column == COLUMN["result"]:
            return lambda o: RESULT_ORDER[self._results[o.key].state if o.key in self._results else None]
        key, known = COLUMNS[column].sort_key, self._prices if prices is None else prices
        return lambda o: key(o, known.get(o.price_key))
