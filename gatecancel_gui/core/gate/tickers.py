"""Market prices for the table: one public GET /spot/tickers per refresh gives every pair's last price,
so the orders about to fill stand out."""

from __future__ import annotations

import logging
import threading
from decimal import Decimal

from gatecancel_gui.core.domain.errors import GateError
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import to_decimal
from gatecancel_gui.core.gate.client import GateClient

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


def load_futures_prices(client: GateClient, market: Market, stop: threading.Event | None = None) -> dict[str, Decimal]:
    """Every contract's last price in one futures settlement, keyed as Order.price_key keys them."""
    try:
        rows = client.request("GET", f"{market.spec.prefix}/tickers", signed=False, stop=stop).data
    except GateError as exc:
        log.info("%s prices could not be read: %s", market.value, exc.label)
        return {}
    prices: dict[str, Decimal] = {}
    for row in rows if isinstance(rows, list) else []:
        if isinstance(row, dict) and row.get("contract"):
            last = to_decimal(row.get("last"))
            if last:
                prices[f"{market.value}:{row['contract']}"] = last
    return prices
