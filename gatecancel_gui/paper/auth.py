"""Signature checking as Gate does it, written apart from the client's signer on purpose."""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import unquote


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
