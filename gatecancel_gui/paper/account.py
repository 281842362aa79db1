"""The one account the paper exchange serves. Its user id is what futures orders name as their `user`,
what GET /futures/{settle}/accounts answers, and what a futures.orders subscription must name: a client
reads it from the exchange, as it must from Gate, rather than assuming it."""

from __future__ import annotations

USER_ID = 20011  # the id Gate's own WebSocket examples use
