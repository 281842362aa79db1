"""The account's own numbers that other calls need: the futures user id, which Gate's futures WebSocket
wants in every private subscription (`futures.orders` payload [user_id, "!all"])."""

from __future__ import annotations

import threading

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.gate.client import GateClient, NoAnswer


def futures_user_id(client: GateClient, market: Market, *, stop: threading.Event | None = None) -> str:
    """The account's user id, read from GET /futures/{settle}/accounts (its `user` field). Raises GateError
    as any read does, and NoAnswer when the answer has no user id."""
    if not market.is_futures:
        raise ValueError(f"{market.value} is not a futures market")
    resp = client.request("GET", f"{market.spec.prefix}/accounts", stop=stop)
    user = resp.data.get("user") if isinstance(resp.data, dict) else None
    if isinstance(user, bool) or user in (None, "", 0):
        raise NoAnswer("BAD_RESPONSE", "the futures account answer had no user id", resp.status)
    return str(user)

