"""A proxy's user and password. The password is a secret like the API secret: it lives in the OS keyring
(or, without one, in this process's memory for the session) and is put into the proxy URL in memory only;
the profile list keeps the proxy's address without it."""

from __future__ import annotations

import json

import keyring

from gatecancel_gui.core.store import redact
from gatecancel_gui.core.store.credentials import (
    KeyringUnavailable,
    NoKeyring,
    backend_name,
    delete_entry,
    failure,
    read_entry,
)

SERVICE = "gatecancel-proxy"
_session_only: dict[str, tuple[str, str]] = {}  # "for this session only": in memory, never on disk


def save(profile: str, user: str, password: str, *, session_only: bool = False) -> None:
    """Keep the profile's proxy login: the OS keyring, or memory only (an empty user removes it)."""
    if not user:
        _session_only.pop(profile, None)
        if not session_only:  # "for this session only" leaves the keyring alone, as it does for the API key
            delete(profile)
        return
    redact.register("", password)
    if session_only:
        _session_only[profile] = (user, password)
        return
    try:
        keyring.set_password(SERVICE, profile, json.dumps({"user": user, "password": password}))
    except Exception as exc:  # a KeyringError, or the backend's own (pywintypes.error on Windows)
        raise KeyringUnavailable(
            f"The OS keyring ({backend_name()}) refused to store the proxy password: {failure(exc)}. "
            "Unlock it, or use the profile for this session only."
        ) from None
    _session_only.pop(profile, None)


def load(profile: str) -> tuple[str, str] | None:
    """The profile's proxy (user, password), or None when it has none."""
    if profile in _session_only:
        return _session_only[profile]
    try:
        fields = read_entry(SERVICE, profile, ("user", "password"), f"the proxy login of profile '{profile}'")
    except NoKeyring:  # nothing can be stored: a proxy without a login this session has none
        return None
    if fields is None:
        return None
    user, password = fields
    redact.register("", password)
    return user, password


def delete(profile: str) -> None:
    _session_only.pop(profile, None)
    delete_entry(SERVICE, profile, "the proxy password")
