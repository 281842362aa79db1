"""The account a front end works on: a profile name, its environment and a client. No Qt."""

from __future__ import annotations

from dataclasses import dataclass

from gatecancel_gui.core import credentials, proxy_login
from gatecancel_gui.core.client import GateClient
from gatecancel_gui.core.errors import ConfigError
from gatecancel_gui.core.hosts import environment_of
from gatecancel_gui.core.profiles import Profile
from gatecancel_gui.core.transport import NetworkSettings, network_settings, with_login


@dataclass
class Session:
    name: str
    client: GateClient

    @property
    def environment(self) -> str:
        return environment_of(self.client.base_url).value

    def close(self) -> None:
        self.client.close()


def open_profile(profile: Profile) -> Session:
    """Connect a saved profile with its credentials (held for this session, or from the OS keyring)."""
    creds = credentials.load(profile.name)
    if creds is None:
        raise ConfigError(f"No key is stored for profile '{profile.name}': edit the profile to add one.")
    client = GateClient(profile.base_url, creds, account=profile.account or None, network=profile_network(profile))
    return Session(profile.name, client)


def profile_network(profile: Profile, login: tuple[str, str] | None = None) -> NetworkSettings:
    """The profile's CA file and proxy; the proxy's login (given, or from the OS keyring) goes into the
    proxy URL in memory only."""
    proxy = profile.proxy
    if proxy:
        login = login or proxy_login.load(profile.name)
        proxy = with_login(proxy, *login) if login else proxy
    return network_settings(ca_file=profile.ca_file, proxy=proxy)
