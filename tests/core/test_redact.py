import logging

from gatecancel_gui.core.store import redact
from gatecancel_gui.core.store.credentials import Credentials


def test_log_records_never_carry_a_registered_secret_key_or_signature(caplog):
    redact.install()
    creds = Credentials("KEYabcdefgh12345678", "SECRETzyxwvu98765")
    sign = "ab" * 64
    log = logging.getLogger("test.redact")
    try:
        raise ValueError(f"bad {creds.secret}")
    except ValueError:
        log.exception("failed for %s with %s and %s", creds.key, creds.secret, sign)
    text = caplog.text
    assert "SECRETzyxwvu98765" not in text and "KEYabcdefgh12345678" not in text and sign not in text
    assert "KEYa…" in text and "<secret>" in text and "<signature>" in text
