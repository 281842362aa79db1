"""What an order id typed or pasted by a user may look like, checked before anything is sent: a cancel
with a mangled id would go out, come back ORDER_NOT_FOUND and read as "already gone"."""

from __future__ import annotations

import re

from gatecancel_gui.core.errors import ConfigError
from gatecancel_gui.core.models import OrderKind, OrderRef
from gatecancel_gui.core.pairs import normalise_pair

NUMERIC_ID = re.compile(r"^[0-9]{1,20}$")                # Gate's ids: 64-bit numbers, sent as text
TEXT_ID = re.compile(r"^t-[A-Za-z0-9_.\-]{1,28}$")       # a custom id: t- and up to 28 of these characters


def check_order_id(text: str) -> str:
    """An open order's id: Gate's number, or the custom `t-…` text the order was placed with."""
    order_id = (text or "").strip()
    if NUMERIC_ID.match(order_id) or TEXT_ID.match(order_id):
        return order_id
    raise ConfigError(f"'{text}' is not an order id: Gate's ids are numbers, or a custom id such as t-my-order.")


def check_stop_order_id(text: str) -> str:
    """A stop (price-triggered) order's id: always Gate's number."""
    order_id = (text or "").strip()
    if NUMERIC_ID.match(order_id):
        return order_id
    raise ConfigError(f"'{text}' is not a stop order id: those are numbers only.")


def parse_order_ref(text: str) -> OrderRef:
    """`PAIR:ID` as a user writes it, e.g. BTC_USDT:123456789 (the pair is checked against Gate apart)."""
    pair, sep, order_id = (text or "").strip().partition(":")
    if not sep or not pair.strip() or not order_id.strip():
        raise ConfigError(f"'{text}' is not PAIR:ID (for example BTC_USDT:123456789).")
    return OrderRef(normalise_pair(pair), check_order_id(order_id))


def stop_order_ref(text: str) -> OrderRef:
    return OrderRef("", check_stop_order_id(text), OrderKind.STOP)
