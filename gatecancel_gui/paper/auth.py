"""Who may call the paper exchange: signature checking as Gate does it, written apart from the client's
signer on purpose (each checks the other), the 60-second clock window and the key's permission; for HTTP
requests and for WebSocket subscriptions (signed over the channel, event and time)."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from gatecancel_gui.paper.errors import ApiError
from gatecancel_gui.paper.routing import Answer, Call, Next

CLOCK_WINDOW_S = 60.0


@dataclass(frozen=True)
class ApiKey:
    key: str
    secret: str = field(repr=False)
    permission: str = "trade"   # trade / read_only / ip_forbidden / locked


def expected_signature(secret: str, method: str, path: str, raw_query: str, body: bytes,
                       timestamp: str) -> str:
    """Gate signs the *decoded* query string as it appears in the URL, and the body's SHA-512."""
    body_digest = hashlib.sha512()
    body_digest.update(body)
    message = f"{method.upper()}\n{path}\n{unquote(raw_query)}\n{body_digest.hexdigest()}\n{timestamp}"
    mac = hmac.new(secret.encode("utf-8"), digestmod=hashlib.sha512)
    mac.update(message.encode("utf-8"))
    return mac.hexdigest()


def signature_matches(secret: str, method: str, path: str, raw_query: str, body: bytes, timestamp: str,
                      given: str) -> bool:
    want = expected_signature(secret, method, path, raw_query, body, timestamp)
    return hmac.compare_digest(want, given.strip().lower())


class Authenticate:
    """Middleware: a signed endpoint answers only a request with KEY, Timestamp and SIGN headers that
    check out, within the clock window (and x-gate-exptime), from a key allowed to do it."""

    def __init__(self, keys: dict[str, ApiKey], server_now: Callable[[], float], seen: list[str]) -> None:
        self.keys, self.server_now, self.seen = keys, server_now, seen

    def __call__(self, call: Call, next_step: Next) -> Answer:
        if not call.route.public:
            self.check(call)
        return next_step(call)

    def check(self, call: Call) -> ApiKey:
        key_id = call.header("KEY")
        timestamp = call.header("Timestamp")
        sign = call.header("SIGN")
        if not key_id or not timestamp or not sign:
            raise ApiError(401, "MISSING_REQUIRED_HEADER", "Missing required header: KEY, Timestamp or SIGN")
        self.seen.append(sign)  # so tests can look for them where they must never be
        try:
            stamp = float(timestamp)
        except ValueError:
            raise ApiError(401, "INVALID_CREDENTIALS", "Timestamp is not a number") from None
        if abs(stamp - self.server_now()) > CLOCK_WINDOW_S:
            raise ApiError(401, "REQUEST_EXPIRED", "gap between request Timestamp and server time exceeds 60")
        exptime = call.header("x-gate-exptime")
        if exptime:
            try:
                expired = self.server_now() * 1000 > float(exptime)
            except ValueError:
                raise ApiError(400, "INVALID_PARAM_VALUE", "x-gate-exptime is not a number") from None
            if expired:
                raise ApiError(401, "REQUEST_EXPIRED", "request arrived after x-gate-exptime")
        api_key = self.keys.get(key_id)
        if api_key is None:
            raise ApiError(401, "INVALID_KEY", "Invalid key provided")
        if not signature_matches(api_key.secret, call.method, call.path, call.raw_query, call.body, timestamp, sign):
            raise ApiError(401, "INVALID_SIGNATURE", "Signature mismatch")
        if api_key.permission == "ip_forbidden":
            raise ApiError(403, "IP_FORBIDDEN", "Your IP is not in the whitelist of this API key")
        if api_key.permission == "locked":
            raise ApiError(403, "ACCOUNT_LOCKED", "Account is locked")
        if api_key.permission == "read_only" and call.method in ("POST", "DELETE"):
            raise ApiError(403, "READ_ONLY", "API key is read-only")
        return api_key


def ws_signature(secret: str, channel: str, event: str, timestamp: int) -> str:
    """Gate's WebSocket v4 signature: HMAC-SHA512 over "channel=<channel>&event=<event>&time=<time>"."""
    message = f"channel={channel}&event={event}&time={timestamp}"
    return hmac.new(secret.encode("utf-8"), message.encode("utf-8"), hashlib.sha512).hexdigest()


def ws_login(keys: dict[str, ApiKey], auth: Any, channel: str, event: str, timestamp: int,
             server_now: float) -> ApiKey:
    """The key that signed a WebSocket request for a private channel, or ApiError (its label says why).
    Any key that exists may subscribe: reading orders needs no trade permission."""
    if not isinstance(auth, dict) or auth.get("method") != "api_key":
        raise ApiError(401, "INVALID_KEY", "auth with method api_key, KEY and SIGN is required")
    key_id, sign = auth.get("KEY"), auth.get("SIGN")
    if not isinstance(key_id, str) or not isinstance(sign, str):
        raise ApiError(401, "INVALID_KEY", "auth needs KEY and SIGN")
    if abs(timestamp - server_now) > CLOCK_WINDOW_S:
        raise ApiError(401, "REQUEST_EXPIRED", "gap between request time and server time exceeds 60")
    api_key = keys.get(key_id)
    if api_key is None:
        raise ApiError(401, "INVALID_KEY", "Invalid key provided")
    want = ws_signature(api_key.secret, channel, event, timestamp)
    if not hmac.compare_digest(want, sign.strip().lower()):
        raise ApiError(401, "INVALID_KEY", "Signature mismatch")
    return api_key
