"""Market prices for the table: one public GET /spot/tickers per refresh gives every pair's last price,
so the orders about to fill stand out."""

from __future__ import annotations

import logging
import threading
from decimal import Decimal

from gatecancel_gui.core.client import GateClient
from gatecancel_gui.core.errors import GateError
from gatecancel_gui.core.models import to_decimal

log = logging.getLogger(__name__)


def load_last_prices(client: GateClient, stop: threading.Event | None = None) -> dict[str, Decimal]:
    """Every pair's last trade price; empty when Gate will not say (the table then shows no market column
    values, and nothing else depends on it)."""
    try:
        rows = client.request("GET", "/spot/tickers", signed=False, stop=stop).data
    except GateError as exc:
        log.info("market prices could not be read: %s", exc.label)
        return {}
    prices: dict[str, Decimal] = {}
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, dict) and row.get("currency_pair"):
            last = to_decimal(row.get("last"))
            if last:
                prices[str(row["currency_pair"])] = last
    return prices
