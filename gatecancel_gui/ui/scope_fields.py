"""The fields that pick a scope, shared by the Cancel all… and Guard… dialogs: which pairs or contracts a
market offers, and the side box. One copy, so the two questions cannot offer different choices."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QComboBox, QWidget

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order

BOTH_SIDES = "Both sides"


def instruments(market: Market, orders: Iterable[Order], spot_pairs: list[str]) -> list[str]:
    """Spot: every pair Gate lists orders in; futures: the contracts with loaded orders (Gate's futures
    cancel-all goes contract by contract)."""
    if market.is_futures:
        return sorted({o.instrument for o in orders if o.market is market})
    return spot_pairs


def refill(combo: QComboBox, first: str, names: list[str]) -> None:
    """Replace the box's choices with `first` (the "every …" choice) and `names`, without a change signal
    for each step (the dialog describes the scope once it is whole)."""
    combo.blockSignals(True)
    combo.clear()
    combo.addItems([first, *names])
    combo.blockSignals(False)


def side_box(parent: QWidget) -> QComboBox:
    box = QComboBox(parent)
    box.addItems([BOTH_SIDES, "buy", "sell"])
    return box


def chosen_side(box: QComboBox) -> str | None:
    """"buy", "sell", or None for both."""
    side = box.currentText()
    return None if side == BOTH_SIDES else side
