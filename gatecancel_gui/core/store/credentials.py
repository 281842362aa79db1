"""API credentials: held in memory, stored only in the OS keyring, never printed."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import keyring
import keyring.errors

from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.store import redact

KEYRING_SERVICE = "gatecancel"


@dataclass(frozen=True)
class Credentials:
    key: str
    secret: str = field(repr=False)

    def __post_init__(self) -> None:
        redact.register(self.key, self.secret)  # from now on no log line can carry them

    def __repr__(self) -> str:
        return f"Credentials(key={mask(self.key)!r})"

    __str__ = __repr__


def mask(key: str) -> str:
    """The only form of a key that may be shown or logged: its first 4 characters."""
    return (key[:4] + "…") if key else ""


def clean_credential(value: str, what: str) -> str:
    """Trim what a paste adds around a key; refuse whitespace inside it with a reason."""
    value = (value or "").strip()
    if not value:
        raise ConfigError(f"The API {what} is empty.")
    if any(ch.isspace() for ch in value):
        raise ConfigError(f"The API {what} contains spaces or line breaks inside it: paste it again.")
    if not value.isascii() or not value.isprintable():
        raise ConfigError(f"The API {what} contains characters an API {what} cannot have.")
    return value


def make_credentials(key: str, secret: str) -> Credentials:
    return Credentials(clean_credential(key, "key"), clean_credential(secret, "secret"))


def from_environment(env: Mapping[str, str] | None = None) -> Credentials | None:
    source: Mapping[str, str] = os.environ if env is None else env
    key, secret = source.get("GATE_API_KEY"), source.get("GATE_API_SECRET")
    if not key and not secret:
        return None
    if not key or not secret:
        raise ConfigError("Set both GATE_API_KEY and GATE_API_SECRET, or neither.")
    return make_credentials(key, secret)


class KeyringUnavailable(ConfigError):
    """No working OS keyring: the message says so plainly, without any secret in it."""


class NoKeyring(KeyringUnavailable):
    """There is no OS keyring at all (not a locked one): nothing was kept after the app closed."""


def backend_name() -> str:
    """Which keyring holds secrets, in words a user can look up (e.g. 'SecretService Keyring')."""
    kr = keyring.get_keyring()
    name = getattr(kr, "name", "") or type(kr).__name__
    return str(name)


def keyring_works() -> bool:
    """False when the only backend is keyring's 'fail' or 'null' one."""
    kr = keyring.get_keyring()
    module = type(kr).__module__
    return not (module.endswith(".fail") or module.endswith(".null"))


_session_only: dict[str, Credentials] = {}  # "for this session only": in memory, never on disk


def keep_for_session(profile: str, creds: Credentials) -> None:
    """Hold a profile's credentials in this process only, for as long as it runs."""
    _session_only[profile] = creds


def save(profile: str, creds: Credentials) -> None:
    """Store key and secret for a profile as one keyring entry."""
    if not keyring_works():
        raise KeyringUnavailable(
            "No OS keyring is available to store the secret "
            f"(found: {backend_name()}); it can be used for this session only."
        )
    payload = json.dumps({"key": creds.key, "secret": creds.secret})
    try:
        keyring.set_password(KEYRING_SERVICE, profile, payload)
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(
            f"The OS keyring ({backend_name()}) refused to store the secret: {type(exc).__name__}. "
            "Unlock it, or use the credentials for this session only."
        ) from None


def load(profile: str) -> Credentials | None:
    """The profile's credentials: held for this session, else from the keyring; None when there are none."""
    if profile in _session_only:
        return _session_only[profile]
    fields = read_entry(KEYRING_SERVICE, profile, ("key", "secret"), f"the key of profile '{profile}'")
    return Credentials(*fields) if fields else None


def read_entry(service: str, profile: str, names: tuple[str, ...], what: str) -> tuple[str, ...] | None:
    """The named fields of one JSON keyring entry, None when there is none, or a sentence saying why not:
    no keyring at all (what was typed lived only as long as the app), a locked one, or another failure."""
    try:
        if not keyring_works():
            raise keyring.errors.NoKeyringError()
        payload = keyring.get_password(service, profile)
    except keyring.errors.NoKeyringError:
        raise NoKeyring(
            f"No OS keyring is available (found: {backend_name()}), so {what} was kept only while the app ran: "
            "enter it again (Profiles…)."
        ) from None
    except keyring.errors.KeyringLocked:
        raise KeyringUnavailable(
            f"The OS keyring ({backend_name()}) is locked: unlock it (log in to the desktop session, or "
            "gnome-keyring-daemon --unlock) and try again."
        ) from None
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(
            f"The OS keyring ({backend_name()}) could not be read: {type(exc).__name__}; if it is locked, "
            "unlock it and try again."
        ) from None
    if not payload:
        return None
    try:
        data = json.loads(payload)
        return tuple(str(data[name]) for name in names)
    except (ValueError, KeyError, TypeError):
        raise ConfigError(f"The keyring entry for {what} is unreadable: save it again.") from None


def delete(profile: str) -> None:
    _session_only.pop(profile, None)
    delete_entry(KEYRING_SERVICE, profile, "the secret")


def delete_entry(service: str, profile: str, what: str) -> None:
    """Remove one keyring entry; one that is not there is already removed."""
    try:
        keyring.delete_password(service, profile)
    except keyring.errors.PasswordDeleteError:
        return
    except keyring.errors.KeyringError as exc:
        raise KeyringUnavailable(
            f"The OS keyring ({backend_name()}) could not delete {what}: {type(exc).__name__}."
        ) from None
