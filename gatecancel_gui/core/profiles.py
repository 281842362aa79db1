"""The non-secret part of a profile (name, environment, URL, account mode), shared by the CLI and the
window. The key and secret of a profile live only in the OS keyring (see credentials.py)."""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass
from pathlib import Path

from gatecancel_gui.core.errors import ConfigError
from gatecancel_gui.core.hosts import Environment, url_for
from gatecancel_gui.core.paths import config_dir

PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.\-]{0,39}$")


@dataclass(frozen=True)
class Profile:
    name: str
    environment: str = Environment.LIVE.value
    custom_url: str = ""
    account: str = ""   # "" for a classic spot account, "unified" for a unified account
    ca_file: str = ""   # a CA file trusted besides the OS trust store (a custom URL, a TLS-inspecting proxy)
    proxy: str = ""     # http://host:port or socks5://host:port; its login lives in the OS keyring only

    @property
    def base_url(self) -> str:
        return url_for(Environment(self.environment), self.custom_url)


def check_name(name: str) -> str:
    name = (name or "").strip()
    if not PROFILE_NAME.match(name):
        raise ConfigError("A profile name is 1 to 40 letters, digits, spaces, dots, dashes or underscores.")
    return name


class ProfileStore:
    """profiles.json in the user's config directory: never holds a key or a secret."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or config_dir() / "profiles.json"

    def all(self) -> list[Profile]:
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

    def put(self, profile: Profile) -> None:
        check_name(profile.name)
        profile.base_url  # noqa: B018  (validates the URL before anything is written)
        if "@" in profile.proxy.partition("://")[2]:  # a login belongs in the keyring, never in this file
            raise ConfigError("The proxy address carries a login: give the user and password in their own fields.")
        rows = [p for p in self.all() if p.name != profile.name] + [profile]
        self._write(rows)

    def remove(self, name: str) -> None:
        self._write([p for p in self.all() if p.name != name])

    def _write(self, rows: list[Profile]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_suffix(".tmp")
        tmp.write_text(json.dumps([asdict(p) for p in rows], indent=2), encoding="utf-8")
        tmp.replace(self.path)
