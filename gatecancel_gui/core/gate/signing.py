"""Gate APIv4 request signing (HMAC-SHA512 over method, path, raw query, body hash and timestamp)."""

from __future__ import annotations

import hashlib
import hmac

EMPTY_BODY_HASH = hashlib.sha512(b"").hexdigest()


def sign(secret: str, method: str, path: str, query: str, body: bytes, timestamp: str) -> str:
    """Return the lowercase hex SIGN header for one request.

    `query` is the unencoded query string exactly as sent (no leading '?'), `body` the exact bytes sent.
    """
    payload = "\n".join(
        (method.upper(), path, query, hashlib.sha512(body).hexdigest(), timestamp)
    )
    return hmac.new(secret.encode("utf-8"), payload.encode("utf-8"), hashlib.sha512).hexdigest()


def signed_headers(key: str, secret: str, method: str, path: str, query: str, body: bytes,
                   timestamp: str) -> dict[str, str]:
    """The three headers every private endpoint needs."""
    return {"KEY": key, "Timestamp": timestamp, "SIGN": sign(secret, method, path, query, body, timestamp)}


def channel_sign(secret: str, channel: str, event: str, time_s: int) -> str:
    """The SIGN of a WebSocket request's `auth`: hex HMAC-SHA512 over "channel=<c>&event=<e>&time=<t>"
    (Gate's WebSocket v4 signs the channel, not a path)."""
    payload = f"channel={channel}&event={event}&time={time_s}"
    return hmac.new(secret.encode("utf-8"), payload.encode("utf-8"), hashlib.sha512).hexdigest()
