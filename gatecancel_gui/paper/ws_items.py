"""An order as Gate's WebSocket pushes it: a spot.orders item (no `status`: `event` and `finish_as` say
it; times in seconds and milliseconds, as strings) and a futures.orders item (integer id, signed size,
`update_id`, `update_time` in ms). Shapes as in docs/gate-api.md, kept apart from the REST ones."""

from __future__ import annotations

from typing import Any

from gatecancel_gui.paper.account import USER_ID
from gatecancel_gui.paper.book import PaperOrder
from gatecancel_gui.paper.futures import FuturesOrder


def spot_item(event: str, order: PaperOrder) -> dict[str, Any]:
    filled = order.amount if order.finish_as == "filled" else order.filled
    left = order.amount - filled
    return {
        "id": order.id, "text": order.text, "user": USER_ID, "event": event,
        "create_time": str(order.create_time_ms // 1000), "create_time_ms": str(order.create_time_ms),
        "update_time": str(order.update_time_ms // 1000), "update_time_ms": str(order.update_time_ms),
        "currency_pair": order.currency_pair, "type": order.type, "account": "spot", "side": order.side,
        "amount": str(order.amount), "price": str(order.price), "time_in_force": "gtc", "left": str(left),
        "filled_total": str(filled * order.price), "avg_deal_price": str(order.price if filled else 0),
        "fee": "0", "fee_currency": order.currency_pair.partition("_")[2], "point_fee": "0", "gt_fee": "0",
        "rebated_fee": "0", "rebated_fee_currency": "USDT", "finish_as": order.finish_as, "amend_text": "-",
    }


def futures_item(order: FuturesOrder, size_decimal: bool) -> dict[str, Any]:
    """`size_decimal`: the socket was opened with `X-Gate-Size-Decimal: 1`, so sizes are strings."""
    finished = order.status != "open"
    finish_time = int(order.finish_time) if finished else 0
    return {
        "id": order.id, "user": str(USER_ID), "contract": order.contract,
        "size": str(order.size) if size_decimal else order.size,
        "left": str(order.left) if size_decimal else order.left,
        "price": float(order.price), "fill_price": float(order.price) if order.left != order.size else 0,
        "status": order.status, "finish_as": order.finish_as if finished else "open",
        "finish_time": finish_time, "finish_time_ms": int(order.finish_time * 1000) if finished else 0,
        "is_reduce_only": order.is_reduce_only, "is_close": order.is_close, "is_liq": False,
        "iceberg": 0, "tif": order.tif, "text": order.text, "mkfr": 0.0002, "tkfr": 0.0005, "refu": 0,
        "create_time": int(order.create_time), "create_time_ms": int(order.create_time * 1000),
        "update_id": order.update_id, "update_time": order.update_time_ms,
    }
