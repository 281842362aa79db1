"""Where each market's WebSocket is: Gate's own hosts for live and testnet, the base URL's host and port for
any other server, an override's origin with Gate's paths; a bad override is refused in one sentence."""

import pytest

from gatecancel_gui.core.domain.environments import LIVE_URL, TESTNET_URL
from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.stream.addresses import origin_of, socket_url

SPOT, USDT, BTC = Market.SPOT, Market.FUTURES_USDT, Market.FUTURES_BTC


@pytest.mark.parametrize(("base", "override", "market", "expected"), [
    (LIVE_URL, "", SPOT, "wss://api.gateio.ws/ws/v4/"),
    (LIVE_URL, "", USDT, "wss://fx-ws.gateio.ws/v4/ws/usdt"),
    (LIVE_URL, "", BTC, "wss://fx-ws.gateio.ws/v4/ws/btc"),
    (LIVE_URL + "/", "", SPOT, "wss://api.gateio.ws/ws/v4/"),
    (TESTNET_URL, "", SPOT, "wss://ws-testnet.gate.com/v4/ws/spot"),
    (TESTNET_URL, "", USDT, "wss://ws-testnet.gate.com/v4/ws/futures/usdt"),
    (TESTNET_URL, "", BTC, "wss://ws-testnet.gate.com/v4/ws/futures/btc"),
    # the paper exchange, or any other server: its own host and port, Gate's paths
    ("http://127.0.0.1:8765/api/v4", "", SPOT, "ws://127.0.0.1:8765/ws/v4/"),
    ("http://127.0.0.1:8765/api/v4", "", USDT, "ws://127.0.0.1:8765/v4/ws/usdt"),
    ("http://localhost:9/api/v4", "", BTC, "ws://localhost:9/v4/ws/btc"),
    ("https://127.0.0.1:8443/api/v4", "", SPOT, "wss://127.0.0.1:8443/ws/v4/"),
    ("https://gateway.example.com/api/v4", "", USDT, "wss://gateway.example.com/v4/ws/usdt"),
    ("https://[::1]:8443/api/v4", "", SPOT, "wss://[::1]:8443/ws/v4/"),
    # an override replaces scheme, host and port; Gate's paths are kept
    (LIVE_URL, "wss://relay.example.com:9443", SPOT, "wss://relay.example.com:9443/ws/v4/"),
    (LIVE_URL, "wss://relay.example.com:9443/", USDT, "wss://relay.example.com:9443/v4/ws/usdt"),
    ("http://127.0.0.1:8765/api/v4", " ws://127.0.0.1:9000 ", BTC, "ws://127.0.0.1:9000/v4/ws/btc"),
    (TESTNET_URL, "wss://relay.example.com", SPOT, "wss://relay.example.com/ws/v4/"),
])
def test_socket_url(base, override, market, expected):
    assert socket_url(base, market, override) == expected


@pytest.mark.parametrize(("override", "words"), [
    ("https://relay.example.com", "is not a WebSocket address"),
    ("relay.example.com:9443", "is not a WebSocket address"),
    ("wss://", "is not a WebSocket address"),
    ("wss://relay.example.com/ws/v4/", "origin only"),
    ("wss://relay.example.com?x=1", "origin only"),
    ("wss://user:pw@relay.example.com", "must not carry a user or password"),
    ("wss://relay.example.com:99999", "no valid port"),
    ("wss://relay.example.com:http", "no valid port"),
    ("ws://relay.example.com", "Plain ws:// is only allowed to this computer"),
])
def test_a_bad_override_is_one_sentence(override, words):
    with pytest.raises(ConfigError, match=words) as caught:
        socket_url(LIVE_URL, Market.SPOT, override)
    text = str(caught.value)
    assert text.endswith(".") and "\n" not in text and "pw" not in text


def test_origin_keeps_an_ipv6_host_and_drops_the_slash():
    assert origin_of("wss://[::1]:9443/") == "wss://[::1]:9443"


def test_a_bad_base_url_is_refused_as_the_client_refuses_it():
    with pytest.raises(ConfigError):
        socket_url("ftp://example.com/api/v4", Market.SPOT)
