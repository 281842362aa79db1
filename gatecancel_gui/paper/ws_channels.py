"""Gate's WebSocket v4 messages on the paper exchange: a client's request read and checked (its channel
for the socket's market, its payload), and the answers and notifications in Gate's shapes. What a request
does (log in, subscribe) is the hub's; here is only what the messages look like."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from gatecancel_gui.paper.account import USER_ID
from gatecancel_gui.paper.futures import CONTRACTS

BAD_BODY, INVALID_ARGUMENT, SERVER_ERROR, AUTH_FAILED = 1, 2, 3, 4  # Gate's error codes
ALL = "!all"
_PAIR = re.compile(r"^[A-Z0-9]+_[A-Z0-9]+$")


class WsError(Exception):
    """A request answered with an error: Gate's code and message."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


@dataclass(frozen=True)
class WsRequest:
    channel: str
    event: str
    time: Any
    id: Any = None
    payload: Any = None
    auth: Any = None

    @property
    def seconds(self) -> int:
        """The request's time, which a private channel's signature covers: whole seconds."""
        if isinstance(self.time, bool) or not isinstance(self.time, int):
            raise WsError(BAD_BODY, "time must be whole seconds")
        seconds: int = self.time
        return seconds


def family(market: str) -> str:
    """The channels' prefix: 'spot' on the spot socket, 'futures' on both futures ones."""
    return "spot" if market == "spot" else "futures"


def parse(text: str) -> WsRequest:
    try:
        data = json.loads(text)
    except ValueError:
        raise WsError(BAD_BODY, "request body is not valid JSON") from None
    if not isinstance(data, dict) or not isinstance(data.get("channel"), str):
        raise WsError(BAD_BODY, "request must be an object with a channel")
    event = data.get("event", "")
    if not isinstance(event, str):
        raise WsError(BAD_BODY, "event must be a string")
    return WsRequest(data["channel"], event, data.get("time"), data.get("id"), data.get("payload"), data.get("auth"))


def scopes(market: str, payload: Any) -> set[str]:
    """What a subscription names: pairs (spot), contracts (futures), or '!all'. Futures payloads start
    with the account's user id."""
    if not isinstance(payload, list) or not payload:
        raise WsError(INVALID_ARGUMENT, "payload must be a non-empty list")
    if market != "spot":
        if str(payload[0]) != str(USER_ID) or isinstance(payload[0], bool):
            raise WsError(INVALID_ARGUMENT, f"invalid argument: user id {payload[0]!r} is not this account's")
        payload = payload[1:]
        if not payload:
            raise WsError(INVALID_ARGUMENT, "payload must name a contract or !all after the user id")
    for name in payload:
        if not isinstance(name, str):
            raise WsError(INVALID_ARGUMENT, f"invalid argument: {name!r}")
        if name == ALL:
            continue
        if market == "spot" and not _PAIR.match(name):
            raise WsError(INVALID_ARGUMENT, f"invalid argument: unknown currency pair {name}")
        if market != "spot" and name not in CONTRACTS[market]:
            raise WsError(INVALID_ARGUMENT, f"invalid argument: unknown contract {name}")
    return set(payload)


def answer(request: WsRequest | None, now: float, *, channel: str | None = None, result: Any = None,
           error: WsError | None = None) -> str:
    """The answer to a request: `result`, or `error` as {code, message}."""
    return json.dumps({
        "time": int(now), "time_ms": int(now * 1000), "id": request.id if request else None,
        "channel": channel if channel is not None else (request.channel if request else ""),
        "event": request.event if request else "",
        "error": {"code": error.code, "message": error.message} if error else None, "result": result})


def notification(channel: str, items: list[dict[str, Any]], now: float) -> str:
    return json.dumps({"time": int(now), "time_ms": int(now * 1000), "channel": channel, "event": "update",
                       "result": items})
