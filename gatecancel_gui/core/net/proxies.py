"""Which proxy a connection to one URL goes through: the one place both the REST client and the live stream's
WebSocket ask, so the two never disagree.

The profile's proxy (or --proxy) comes first; else the environment's (HTTPS_PROXY / HTTP_PROXY / ALL_PROXY,
with NO_PROXY), or when none is set there, what urllib finds in the system settings: the registry on Windows,
System Settings on macOS. httpx used to read those itself and ignored the system's exceptions (Windows'
ProxyOverride "<local>", macOS's exceptions list): a company proxy then carried the demo, the self-test and
the paper exchange on 127.0.0.1, and failed. So this computer (127.0.0.0/8, ::1, localhost) is never
reached through a proxy, whatever is set anywhere, the profile's proxy included.

A system setting the client cannot use is said in one sentence before anything connects: Windows turns a
SOCKS-only setting into socks4://, which httpx refuses with a ValueError from inside its constructor."""

from __future__ import annotations

import urllib.request
from urllib.parse import urlsplit

from gatecancel_gui.core.domain.environments import is_loopback_host
from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.net.transport import check_proxy, redact_url, usable_proxy

# the keys of urllib.request.getproxies() a URL's scheme reads, in order (a WebSocket as its HTTP twin)
_KEYS = {"https": ("https", "all"), "wss": ("https", "all"), "http": ("http", "all"), "ws": ("http", "all")}


class UnusableProxy(ConfigError):
    """The environment or the system settings name a proxy the client cannot use (SOCKS4, a malformed
    address): a ConfigError, so the command line says it in one sentence (exit 2) and the window shows it."""


def proxy_for(url: str, explicit: str | None = None) -> str | None:
    """The proxy a connection to `url` goes through, or None for a direct one. Raises UnusableProxy (a
    ConfigError) for a proxy from the environment or the system settings that cannot be used."""
    host = urlsplit(url).hostname or ""
    if is_this_computer(host):
        return None
    if explicit:
        return check_proxy(explicit)
    return system_proxy(url)


def is_this_computer(host: str) -> bool:
    """Loopback: 127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z) and localhost. A proxy elsewhere cannot reach
    it, and one on this computer has no business in between."""
    host = host.strip("[]").rstrip(".").lower()
    if host.startswith("::ffff:"):
        host = host.removeprefix("::ffff:")
    return is_loopback_host(host) or host.endswith(".localhost")


def system_proxy(url: str) -> str | None:
    """The proxy the environment, else the system settings, name for `url` (None: direct), honouring their
    exceptions (NO_PROXY; the system's bypass list)."""
    parts = urlsplit(url)
    proxies = urllib.request.getproxies()
    chosen = next((proxies[key] for key in _KEYS.get(parts.scheme.lower(), ("all",)) if proxies.get(key)), None)
    if not chosen or urllib.request.proxy_bypass(parts.hostname or ""):
        return None
    chosen = chosen.strip()
    if "://" not in chosen:  # "host:port", as the registry and many HTTPS_PROXY values give it
        chosen = f"http://{chosen}"
    if not usable_proxy(chosen):
        where = ("HTTPS_PROXY / HTTP_PROXY / ALL_PROXY" if urllib.request.getproxies_environment()
                 else "the system's proxy settings")
        raise UnusableProxy(f"The proxy in {where} ({redact_url(chosen)}) cannot be used: gatecancel needs "
                            f"an http://, https:// or socks5:// proxy with a host (and a valid port); give one "
                            f"with --proxy or in the profile, or set NO_PROXY=* to connect directly.")
    return chosen

