"""Keep secrets out of every log line: each key and secret the app holds is registered here, and a
logging filter replaces them (and any SIGN value) before a record is written anywhere."""

from __future__ import annotations

import logging
import re
import threading

_lock = threading.Lock()
_secrets: dict[str, str] = {}   # sensitive text -> what to show instead
_SIGN_LIKE = re.compile(r"\b[0-9a-f]{128}\b")  # a SHA-512 HMAC in hex


MIN_LENGTH = 8  # Gate's keys are 32 characters and secrets 64; shorter strings would redact ordinary words


def register(key: str, secret: str) -> None:
    with _lock:
        if len(secret) >= MIN_LENGTH:
            _secrets[secret] = "<secret>"
        if len(key) >= MIN_LENGTH:
            _secrets[key] = key[:4] + "…"


def redact(text: str) -> str:
    with _lock:
        pairs = sorted(_secrets.items(), key=lambda kv: -len(kv[0]))
    for sensitive, shown in pairs:
        if sensitive in text:
            text = text.replace(sensitive, shown)
    return _SIGN_LIKE.sub("<signature>", text)


_installed = False


def install() -> None:
    """Redact at the source: every log record is cleaned as it is created, whichever handler (a file, the
    console, a test's capture) later writes it. Idempotent."""
    global _installed
    with _lock:
        if _installed:
            return
        _installed = True
    make_record = logging.getLogRecordFactory()

    def redacting_factory(*args: object, **kwargs: object) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        try:
            record.msg = redact(record.getMessage())
            record.args = None
            if record.exc_info:
                record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        except Exception:  # a broken log call must not break the app; drop its arguments instead
            record.msg, record.args = redact(str(record.msg)), None
        return record

    logging.setLogRecordFactory(redacting_factory)
