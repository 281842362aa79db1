"""API credentials: held in memory, stored only in the OS keyring, never printed."""

from __future__ import annotations

import json
import os
import sys
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


def failure(exc: BaseException) -> str:
    """The backend's error in words: the OS's own (pywintypes.error carries (winerror, funcname, strerror),
    a Keychain error (status, text)), else its type's name. Never the password: no backend puts it there."""
    args = exc.args
    if len(args) in (2, 3) and isinstance(args[0], int) and isinstance(args[-1], str) and args[-1].strip():
        return f"{type(exc).__name__} {args[0]}: {args[-1].strip().rstrip('.')}"
    return type(exc).__name__


def unlock_hint() -> str:
    """How to unlock this system's keyring (macOS's backend says "locked" for a denied Keychain too)."""
    if sys.platform == "darwin":
        return ("unlock the login keychain (Keychain Access), or allow gatecancel when macOS asks for "
                "access (Always Allow),")
    if sys.platform == "win32":
        return "log in to Windows as the user who saved the profile (Credential Manager needs that session),"
    return "unlock it (log in to the desktop session, or gnome-keyring-daemon --unlock)"


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
    except Exception as exc:  # a backend's own error (pywintypes.error on Windows) is not a KeyringError
        raise KeyringUnavailable(
            f"The OS keyring ({backend_name()}) refused to store the secret: {failure(exc)}. "
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
            f"The OS keyring ({backend_name()}) is locked: {unlock_hint()} and try again."
        ) from None
    except Exception as exc:  # a KeyringError, or the backend's own (pywintypes.error 1312 on Windows)
        raise KeyringUnavailable(
            f"The OS keyring ({backend_name()}) could not be read: {failure(exc)}; if it is locked, "
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
    delete_entry(KEYRING_SERVICE, profile, "the secret")
    _session_only.pop(profile, None)  # only once the keyring has let go: a refusal leaves the profile whole


def delete_entry(service: str, profile: str, what: str) -> None:
    """Remove one keyring entry. An entry that is not there is already removed, but a backend may say "not
    there" for a refusal too: macOS raises PasswordDeleteError for both (a denied Keychain's own error is its
    cause), KWallet for a cancelled prompt. So only a "not found" counts, and only once a read-back agrees:
    a refused delete must never look done (the profile would go and its secret stay)."""
    try:
        keyring.delete_password(service, profile)
        return
    except keyring.errors.PasswordDeleteError as exc:
        reason: BaseException = exc.__cause__ or exc
    except Exception as exc:  # a KeyringError, or the backend's own (pywintypes.error on Windows)
        reason = exc
    if isinstance(reason, keyring.errors.PasswordDeleteError) or _not_found(reason):
        try:
            if keyring.get_password(service, profile) is None:
                return
        except Exception as exc:  # it cannot even be read: say why
            reason = exc
    raise KeyringUnavailable(
        f"The OS keyring ({backend_name()}) refused to delete {what}: {failure(reason)}; unlock it (or allow "
        "gatecancel to change it) and try again."
    ) from None


def _not_found(exc: BaseException) -> bool:
    """The macOS backend's own "item not found" (keyring.backends.macOS.api.NotFound, status -25300)."""
    return type(exc).__name__ == "NotFound" or (bool(exc.args) and exc.args[0] == -25300)
