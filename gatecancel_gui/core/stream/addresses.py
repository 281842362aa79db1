"""Where each market's WebSocket is, worked out from the profile's base URL (or the profile's override).

Gate serves its sockets on other hosts than its REST API (spot on api.gateio.ws, futures on fx-ws.gateio.ws),
so the address cannot simply follow the base URL there. Any other server (the paper exchange, a company's
gateway) serves them on the base URL's own host and port, under Gate's paths. An override names only the
origin (`wss://host:port`) and keeps Gate's paths: it is for a gateway in front of Gate's sockets."""

from __future__ import annotations

from urllib.parse import urlsplit

from gatecancel_gui.core.domain.environments import (
    LIVE_URL,
    TESTNET_URL,
    check_port,
    is_loopback_host,
    normalise_base_url,
)
from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.domain.markets import Market

PATHS = {Market.SPOT: "/ws/v4/", Market.FUTURES_USDT: "/v4/ws/usdt", Market.FUTURES_BTC: "/v4/ws/btc"}
LIVE = {Market.SPOT: "wss://api.gateio.ws/ws/v4/", Market.FUTURES_USDT: "wss://fx-ws.gateio.ws/v4/ws/usdt",
        Market.FUTURES_BTC: "wss://fx-ws.gateio.ws/v4/ws/btc"}
# Gate's testnet moved its sockets to ws-testnet.gate.com (ccxt issue 28528, Gate's futures WS page); the
# spot one is the same host's /v4/ws/spot. Unconfirmed from here: the testnet is not reachable in tests.
TESTNET = {Market.SPOT: "wss://ws-testnet.gate.com/v4/ws/spot",
           Market.FUTURES_USDT: "wss://ws-testnet.gate.com/v4/ws/futures/usdt",
           Market.FUTURES_BTC: "wss://ws-testnet.gate.com/v4/ws/futures/btc"}


def socket_url(base_url: str, market: Market, override: str = "") -> str:
    """The WebSocket address of one market: the override's origin with Gate's path, Gate's own sockets for
    live and testnet, else the base URL's host and port (ws:// for http://, wss:// for https://)."""
    if override.strip():
        return origin_of(override) + PATHS[market]
    base = normalise_base_url(base_url)
    if base == LIVE_URL:
        return LIVE[market]
    if base == TESTNET_URL:
        return TESTNET[market]
    parts = urlsplit(base)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{PATHS[market]}"


def origin_of(override: str) -> str:
    """A checked override, `ws(s)://host[:port]`, without a trailing slash; ConfigError says what is wrong."""
    text = override.strip()
    parts = urlsplit(text)
    example = "wss://host:port"
    if parts.scheme not in ("ws", "wss") or not parts.hostname:
        raise ConfigError(f"'{text}' is not a WebSocket address: it should look like {example}.")
    if parts.username is not None or parts.password is not None:
        raise ConfigError("The WebSocket address must not carry a user or password.")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise ConfigError(f"The WebSocket address is an origin only ({example}): Gate's paths are added to it.")
    check_port(parts, text)
    if parts.scheme == "ws" and not is_loopback_host(parts.hostname):
        raise ConfigError("Plain ws:// is only allowed to this computer (127.0.0.1 or localhost); use wss://.")
    return f"{parts.scheme}://{parts.netloc}"
