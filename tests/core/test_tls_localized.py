"""Issue 22, item 6: on Windows and macOS truststore raises the OS's own (localized) wording for an untrusted
certificate, not OpenSSL's "certificate verify failed". Simulated here: the ssl error a wrapper was raised from
carries a German message, so only its type says what it is."""

from __future__ import annotations

import ssl

import httpcore
import httpx

from gatecancel_gui.core.gate.client import WILL_NOT_CHANGE, _transport_failure
from gatecancel_gui.core.net.transport import is_untrusted_certificate
from gatecancel_gui.core.stream.opening import sort_failure

GERMAN = "Zertifikat nicht vertrauenswürdig"


def _wrapped_as_httpx_does() -> httpx.ConnectError:
    """The OS's error, wrapped by httpcore, wrapped by httpx (each `raise … from`)."""
    try:
        try:
            try:
                raise ssl.SSLCertVerificationError(GERMAN)
            except ssl.SSLCertVerificationError as exc:
                raise httpcore.ConnectError(str(exc)) from exc
        except httpcore.ConnectError as exc:
            raise httpx.ConnectError(str(exc)) from exc
    except httpx.ConnectError as exc:
        return exc


def test_a_localized_untrusted_certificate_is_known_by_its_type_through_the_wrappers():
    exc = _wrapped_as_httpx_does()
    assert "verify failed" not in str(exc).lower()
    assert is_untrusted_certificate(exc)


def test_a_localized_untrusted_certificate_is_said_once_in_one_sentence_and_not_retried():
    error = _transport_failure(_wrapped_as_httpx_does())
    assert error.label == "TLS_UNTRUSTED"
    assert error.label in WILL_NOT_CHANGE  # asking again changes nothing: not retried
    assert str(error).startswith("The exchange's certificate is not trusted by this computer")
    assert "Could not reach" not in str(error)


def test_a_localized_untrusted_certificate_behind_a_websocket_is_sorted_as_one():
    try:
        try:
            raise ssl.SSLCertVerificationError(GERMAN)
        except ssl.SSLCertVerificationError as exc:
            raise ConnectionError("TLS handshake failed") from exc
    except ConnectionError as exc:
        sorted_ = sort_failure(exc)
    assert sorted_.why == "the WebSocket's certificate is not trusted by this computer"
    assert sorted_.poll


def test_other_connect_failures_are_not_taken_for_a_certificate():
    try:
        try:
            raise ConnectionRefusedError(111, "Connection refused")
        except ConnectionRefusedError as exc:
            raise httpx.ConnectError("refused") from exc
    except httpx.ConnectError as exc:
        assert not is_untrusted_certificate(exc)
        assert _transport_failure(exc).label == "CONNECT_FAILED"
    assert not is_untrusted_certificate(ssl.SSLError("wrong version number"))
