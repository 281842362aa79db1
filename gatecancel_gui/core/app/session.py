"""The account a front end works on: a profile name, its environment and a client. No Qt."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from gatecancel_gui.core.domain.environments import Environment, environment_of, is_loopback_host
from gatecancel_gui.core.domain.errors import ConfigError, GateError, Stopped
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.net.transport import NetworkSettings, network_settings, with_login
from gatecancel_gui.core.store import credentials, proxy_login
from gatecancel_gui.core.store.profiles import Profile


@dataclass
class Session:
    name: str
    client: GateClient

    @property
    def environment(self) -> str:
        return environment_of(self.client.base_url).value

    def close(self) -> None:
        self.client.close()


def asked_environment(client: GateClient) -> Environment:
    """The environment, asking the server first when only its answer can tell: a loopback server is PAPER
    once it has said it is the paper exchange (one GET /spot/time if nothing has answered yet). For a
    question asked before anything was read (the command line's cancel-all); never on a GUI thread."""
    environment = environment_of(client.base_url)
    if environment is Environment.CUSTOM and is_loopback_host(urlsplit(client.base_url).hostname or ""):
        try:
            client.sync_clock()
        except (GateError, Stopped):
            return environment  # no answer: not called safe
        environment = environment_of(client.base_url)
    return environment


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
