"""Where the exchange lives: live, testnet or a custom URL (plain http only to loopback).

A loopback URL is not a safe place by itself (a forwarder or a tunnel there may lead to live Gate): only a
server that says it is the built-in paper exchange (PAPER_HEADER on its answers) is PAPER, and only once it
has said so; until then, and for any other server, the URL is CUSTOM."""

from __future__ import annotations

import ipaddress
from enum import Enum
from urllib.parse import SplitResult, urlsplit

from gatecancel_gui.core.domain.errors import ConfigError

LIVE_URL = "https://api.gateio.ws/api/v4"
TESTNET_URL = "https://api-testnet.gateapi.io/api/v4"
PAPER_HEADER = "X-Gatecancel-Paper"  # the built-in paper exchange sends it, "1", on every answer

_said_paper: set[str] = set()  # base URLs whose server's last answer said it is the paper exchange


class Environment(str, Enum):
    LIVE = "live"
    TESTNET = "testnet"
    PAPER = "paper"
    CUSTOM = "custom"


def is_loopback_host(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def normalise_base_url(url: str) -> str:
    """Check a base URL and return it without a trailing slash; raise ConfigError with a reason."""
    url = (url or "").strip()
    if not url:
        raise ConfigError("The base URL is empty.")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"'{url}' is not a web address: it should look like {LIVE_URL}.")
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        raise ConfigError(
            "Plain http:// is only allowed to this computer (127.0.0.1 or localhost); use https://."
        )
    if parts.query or parts.fragment:
        raise ConfigError("The base URL must not carry a query or fragment.")
    if parts.username is not None or parts.password is not None:
        raise ConfigError("The base URL must not carry a user or password: the API key and secret go in the "
                          "profile (or GATE_API_KEY / GATE_API_SECRET).")
    check_port(parts, url)
    path = parts.path.rstrip("/")
    if not path.endswith("/api/v4"):
        raise ConfigError("The base URL should end in /api/v4, e.g. " + LIVE_URL + ".")
    return url.rstrip("/")


def environment_of(url: str) -> Environment:
    url = url.rstrip("/")
    if url == LIVE_URL:
        return Environment.LIVE
    if url == TESTNET_URL:
        return Environment.TESTNET
    if url in _said_paper:
        return Environment.PAPER
    return Environment.CUSTOM


def said_paper(url: str) -> bool:
    """Whether the server at this (normalised) base URL last said it is the paper exchange."""
    return url in _said_paper


def note_answer(url: str, paper_header: str | None) -> None:
    """What a loopback server's answer said about itself: the paper exchange, or not (a server on the same
    port later may be another). A server elsewhere is never PAPER, whatever it says."""
    url = url.rstrip("/")
    if paper_header == "1" and is_loopback_host(urlsplit(url).hostname or ""):
        _said_paper.add(url)
    else:
        _said_paper.discard(url)


def url_for(environment: Environment, custom_url: str = "") -> str:
    if environment is Environment.LIVE:
        return LIVE_URL
    if environment is Environment.TESTNET:
        return TESTNET_URL
    return normalise_base_url(custom_url)


def check_port(parts: SplitResult, address: str) -> None:
    """ConfigError if the address names a port that is no port (the base URL's and the WebSocket's rule)."""
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 1 <= port <= 65535:
        raise ConfigError(f"'{address}' has no valid port: a port is a number from 1 to 65535.")
