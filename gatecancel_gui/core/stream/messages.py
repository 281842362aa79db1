"""What goes over Gate's WebSocket and what comes back, as plain data: signed requests out; order events,
acknowledgements and refusals in. No I/O here, so every shape Gate sends is checked by a table of tests.

Spot and futures say the same things differently: a spot item has no `status` (its `event` put / update /
finish and `finish_as` say it) and is versioned by `update_time_ms`; a futures item has `status` open /
finished, an integer id, a size that is an integer or a string, and is versioned by `update_id`."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import Enum
from typing import Any

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order, to_decimal
from gatecancel_gui.core.gate.signing import channel_sign
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.core.store.redact import redact
from gatecancel_gui.core.stream.events import EventKind, OrderEvent

AUTH_FAILED = 4  # Gate's error code for a key, signature or time it will not take
MAX_DETAIL = 200  # characters of Gate's own message kept in a sentence


def orders_channel(market: Market) -> str:
    return "futures.orders" if market.is_futures else "spot.orders"


def ping_channel(market: Market) -> str:
    return "futures.ping" if market.is_futures else "spot.ping"


def subscribe_request(market: Market, credentials: Credentials, time_s: int, request_id: int,
                      user_id: str = "") -> dict[str, Any]:
    """Subscribe to every order of the account in this market (`!all`): spot ["!all"], futures
    [user_id, "!all"]. Signed with the secret over the channel, the event and the time."""
    channel = orders_channel(market)
    payload = [user_id, "!all"] if market.is_futures else ["!all"]
    return {"time": time_s, "id": request_id, "channel": channel, "event": "subscribe", "payload": payload,
            "auth": {"method": "api_key", "KEY": credentials.key,
                     "SIGN": channel_sign(credentials.secret, channel, "subscribe", time_s)}}


def ping_request(market: Market, time_s: int) -> dict[str, Any]:
    """Gate's application ping (a socket silent for a minute may be closed)."""
    return {"time": time_s, "channel": ping_channel(market)}


class ReplyKind(str, Enum):
    ORDERS = "orders"          # a notification of order changes: `events`
    SUBSCRIBED = "subscribed"  # the subscribe was accepted
    REFUSED = "refused"        # an error answer: `code`, `sentence`
    PONG = "pong"
    OTHER = "other"            # anything else (another channel, an unsubscribe answer, unreadable text)


@dataclass(frozen=True)
class Reply:
    """What one message from the socket says."""

    kind: ReplyKind
    events: list[OrderEvent] = field(default_factory=list)
    code: int = 0
    sentence: str = ""
    request_id: int | None = None


def read_message(text: str | bytes, market: Market, *, received_at: float | None = None) -> Reply:
    """One message from the socket, read. Numbers are kept exact (prices as Decimal, ids as int)."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except (ValueError, UnicodeDecodeError):
        return Reply(ReplyKind.OTHER)
    if not isinstance(data, dict):
        return Reply(ReplyKind.OTHER)
    channel, event = str(data.get("channel") or ""), str(data.get("event") or "")
    request_id = data.get("id") if isinstance(data.get("id"), int) else None
    error = data.get("error")
    if isinstance(error, dict) and error:
        code = _int(error.get("code"))
        return Reply(ReplyKind.REFUSED, code=code, sentence=refusal_sentence(code, error.get("message")),
                     request_id=request_id)
    if channel.endswith(".pong"):
        return Reply(ReplyKind.PONG)
    if channel != orders_channel(market):
        return Reply(ReplyKind.OTHER)
    result = data.get("result")
    if event == "subscribe":
        ok = isinstance(result, dict) and result.get("status") == "success"
        return Reply(ReplyKind.SUBSCRIBED if ok else ReplyKind.OTHER, request_id=request_id)
    if event != "update" or not isinstance(result, list):
        return Reply(ReplyKind.OTHER)
    at = time.monotonic() if received_at is None else received_at
    parse = _futures_event if market.is_futures else _spot_event
    events = [e for e in (parse(item, market, at) for item in result if isinstance(item, dict)) if e is not None]
    return Reply(ReplyKind.ORDERS, events)


def refusal_sentence(code: int, message: object) -> str:
    """One sentence for an error answer. Gate's message for code 4 is often JSON text such as
    {"label":"INVALID_KEY","message":"..."}: its label is named, so the user knows which part is wrong."""
    label, detail = _label_and_detail(message)
    named = f" ({label})" if label else ""
    detail = redact(detail)[:MAX_DETAIL]
    if code == AUTH_FAILED:
        return (f"Gate's WebSocket refused the API key{named}: {detail or 'check the key and the secret'}; "
                "the live stream stopped.")
    return f"Gate's WebSocket refused the subscription (error {code}{named}): {detail or 'no reason given'}."


def _label_and_detail(message: object) -> tuple[str, str]:
    text = str(message or "").strip()
    try:
        inner = json.loads(text)
    except ValueError:
        inner = None
    if isinstance(inner, dict):
        return str(inner.get("label") or ""), str(inner.get("message") or inner.get("detail") or "").strip()
    return "", text


def _spot_event(item: dict[str, Any], market: Market, received_at: float) -> OrderEvent | None:
    """A spot item: `event` put / update / finish, `finish_as` (no `status`); the version is
    update_time_ms. `filled_amount` may be absent: it is what is not left."""
    if item.get("id") is None:
        return None
    word = str(item.get("event") or "")
    finish_as = str(item.get("finish_as") or "")
    if word == "finish" or (word not in ("put", "update") and finish_as not in ("", "open")):
        kind = EventKind.FINISH
    else:
        kind = EventKind.PUT if word == "put" else EventKind.UPDATE
    amount, left = to_decimal(item.get("amount")), to_decimal(item.get("left", item.get("amount")))
    raw = {**item, "status": "finished" if kind is EventKind.FINISH else "open",
           "filled_amount": item.get("filled_amount") or str(max(Decimal(0), amount - left))}
    order = Order.from_api(raw)
    return OrderEvent(kind, order, finish_as if kind is EventKind.FINISH else "open",
                      version=_int(item.get("update_time_ms")), received_at=received_at)


def _futures_event(item: dict[str, Any], market: Market, received_at: float) -> OrderEvent | None:
    """A futures item: `status` open / finished with `finish_as`; id an integer (kept as text); size an
    integer or a string; the version is update_id, or update_time (ms) where there is none."""
    if item.get("id") is None:
        return None
    finished = str(item.get("status") or "") == "finished"
    raw = {**item, "status": "finished" if finished else "open"}
    order = Order.from_futures(raw, market)
    if finished:
        kind, finish_as = EventKind.FINISH, str(item.get("finish_as") or "")
    else:
        kind, finish_as = (EventKind.UPDATE if order.filled_amount else EventKind.PUT), "open"
    version = _int(item.get("update_id")) or _int(item.get("update_time"))
    return OrderEvent(kind, order, finish_as, version=version, received_at=received_at)


def _int(value: object) -> int:
    """A whole number from an int, a Decimal or a numeric string (Gate's times are strings); 0 if none."""
    if isinstance(value, bool) or value is None or value == "":
        return 0
    try:
        return int(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return 0
