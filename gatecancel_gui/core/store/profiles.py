"""The non-secret part of a profile (name, environment, URL, account mode), shared by the CLI and the
window. The key and secret of a profile live only in the OS keyring (see credentials.py)."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from gatecancel_gui.core.domain.environments import Environment, url_for
from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.store import atomic
from gatecancel_gui.core.store.paths import config_dir

PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.\-]{0,39}$")


@dataclass(frozen=True)
class Profile:
    name: str
    environment: str = Environment.LIVE.value
    custom_url: str = ""
    account: str = ""   # "" for a classic spot account, "unified" for a unified account
    ca_file: str = ""   # a CA file trusted besides the OS trust store (a custom URL, a TLS-inspecting proxy)
    proxy: str = ""     # http://host:port or socks5://host:port; its login lives in the OS keyring only
    ws_url: str = ""    # the live stream's WebSocket origin (wss://host:port) when not derived from the URL

    @property
    def base_url(self) -> str:
        return url_for(Environment(self.environment), self.custom_url)


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not PROFILE_NAME.match(name):
        raise ConfigError("A profile name is 1 to 40 letters, digits, spaces, dots, dashes or underscores.")
    return name


class ProfileStore:
    """profiles.json in the user's config directory: never holds a key or a secret. A profile used "for
    this session only" stays in this object, never on disk: after a restart its key is gone, and a
    profile without one would only fail."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "profiles.json"
        self._session: dict[str, Profile] = {}

    def all(self) -> list[Profile]:
        saved = [p for p in self._saved() if p.name not in self._session]
        return saved + list(self._session.values())

    def _saved(self) -> list[Profile]:
        if not self.path.exists():
            return []
        try:
            rows = json.loads(self.path.read_text(encoding="utf-8"))
            return [Profile(**{k: str(v) for k, v in row.items() if k in Profile.__dataclass_fields__})
                    for row in rows]
        except (ValueError, TypeError):
            raise ConfigError(f"The profile list {self.path} is damaged: fix or delete it.") from None

    def get(self, name: str) -> Profile | None:
        return next((p for p in self.all() if p.name == name), None)

    def put(self, profile: Profile, *, session_only: bool = False) -> None:
        """Save the profile to the file, or (session_only) keep it in memory for as long as the app runs;
        a saved profile of that name stays as it was on disk."""
        check_name(profile.name)
        profile.base_url  # noqa: B018  (validates the URL before anything is written)
        if "@" in profile.proxy.partition("://")[2]:  # a login belongs in the keyring, never in this file
            raise ConfigError("The proxy address carries a login: give the user and password in their own fields.")
        if session_only:
            self._session[profile.name] = profile
            return
        self._session.pop(profile.name, None)
        self._write([p for p in self._saved() if p.name != profile.name] + [profile])

    def remove(self, name: str) -> None:
        self._session.pop(name, None)
        saved = self._saved()
        if any(p.name == name for p in saved):
            self._write([p for p in saved if p.name != name])

    def _write(self, rows: list[Profile]) -> None:
        atomic.write_text(self.path, json.dumps([asdict(p) for p in rows], indent=2), "The profile list")
