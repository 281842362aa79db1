"""What an order id typed or pasted by a user may look like, checked before anything is sent: a cancel
with a mangled id would go out, come back ORDER_NOT_FOUND and read as "already gone"."""

from __future__ import annotations

import re

from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.domain.markets import Market, normalise_pair
from gatecancel_gui.core.domain.orders import OrderKind, OrderRef

NUMERIC_ID = re.compile(r"^[0-9]{1,20}$")                # Gate's ids: 64-bit numbers, sent as text
CONTRACT = re.compile(r"^[A-Z0-9]{1,20}_[A-Z0-9]{1,20}$")
TEXT_ID = re.compile(r"^t-[A-Za-z0-9_.\-]{1,28}$")       # a custom id: t- and up to 28 of these characters


def check_order_id(text: str) -> str:
    """An open order's id: Gate's number, or the custom `t-…` text the order was placed with."""
    order_id = (text or "").strip()
    if NUMERIC_ID.match(order_id) or TEXT_ID.match(order_id):
        return order_id
    if order_id.isdigit():
        raise ConfigError(f"'{text}' is not an order id: Gate's ids have at most 20 digits.")
    raise ConfigError(f"'{text}' is not an order id: Gate's ids are whole numbers, or a custom id such as "
                      "t-my-order.")


def check_stop_order_id(text: str) -> str:
    """A stop (price-triggered) order's id: always Gate's number."""
    order_id = (text or "").strip()
    if NUMERIC_ID.match(order_id):
        return order_id
    raise ConfigError(f"'{text}' is not a stop order id: those are numbers only.")


def parse_order_ref(text: str, market: Market = Market.SPOT) -> OrderRef:
    """`PAIR:ID` as a user writes it, e.g. BTC_USDT:123456789 (the pair is checked against Gate apart);
    on futures `CONTRACT:ID`, e.g. BTC_USDT:58546000000000001."""
    pair, sep, order_id = (text or "").strip().partition(":")
    if not sep or not pair.strip() or not order_id.strip():
        shape = "CONTRACT:ID" if market.is_futures else "PAIR:ID"
        raise ConfigError(f"'{text}' is not {shape} (for example BTC_USDT:123456789).")
    if market.is_futures:
        return OrderRef(check_contract(pair), check_order_id(order_id), market=market)
    return OrderRef(normalise_pair(pair), check_order_id(order_id))


def check_contract(text: str) -> str:
    """A futures contract's name as Gate writes it: BTC_USDT, ETH_USD (upper case, one underscore)."""
    name = (text or "").strip().upper().replace("/", "_").replace("-", "_")
    if CONTRACT.match(name):
        return name
    raise ConfigError(f"'{text}' is not a contract: write it as Gate does, for example BTC_USDT.")


def stop_order_ref(text: str, market: Market = Market.SPOT) -> OrderRef:
    return OrderRef("", check_stop_order_id(text), OrderKind.STOP, market)
