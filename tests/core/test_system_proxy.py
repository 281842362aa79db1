"""The system's proxy (issue 22, item 7), simulated: urllib.request.getproxies() returns what Windows' registry
gives (a company proxy for http and https, its "<local>" bypass not honoured; or a SOCKS-only setting, which
Windows turns into socks4://). This computer is never reached through a proxy: the paper exchange works and
the proxy, a real listener here, sees nothing. A remote host goes through the system's proxy, or the profile's
when it has one. A setting the client cannot use is one sentence before anything connects (exit 2)."""

from __future__ import annotations

import asyncio
import contextlib
import select
import socket
import threading

import httpx._utils as httpx_utils
import pytest

from gatecancel_gui.core.app.session import open_profile
from gatecancel_gui.core.domain.errors import ConfigError, GateError
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.gate.spot_orders import load_open_orders
from gatecancel_gui.core.net.proxies import UnusableProxy, proxy_for
from gatecancel_gui.core.net.transport import NetworkSettings
from gatecancel_gui.core.store import credentials
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.core.store.profiles import Profile
from gatecancel_gui.core.stream.opening import CannotOpen, open_socket
from tests.cli.runner import key_env, run_main
from tests.conftest import FAST_READS, client_for

REMOTE = "https://api.gateio.ws/api/v4"
PROXY_VARIABLES = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "http_proxy", "https_proxy",
                   "all_proxy", "no_proxy")


class ProxyWitness:
    """A listener standing in for the company proxy: it records the first line of every connection (a
    CONNECT names where the client wanted to go) and refuses it, so nothing leaves this computer."""

    def __init__(self) -> None:
        self.server = socket.create_server(("127.0.0.1", 0))
        self.server.settimeout(0.05)  # so that close() ends the accepting thread at once
        self.port = self.server.getsockname()[1]
        self.accepted = 0
        self.seen: list[str] = []
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self.server.accept()
            except TimeoutError:
                continue
            except OSError:  # closed
                return
            self.accepted += 1
            with conn, contextlib.suppress(OSError):  # a client that left, or sent nothing within 5 s
                conn.settimeout(5)
                first = b""
                while b"\r\n" not in first and len(first) < 4096:
                    chunk = conn.recv(4096)
                    if not chunk:
                        break
                    first += chunk
                self.seen.append(first.split(b"\r\n", 1)[0].decode("latin-1"))
                conn.sendall(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")

    def connected(self) -> bool:
        """Whether anything connected, or is waiting to be accepted."""
        return bool(self.accepted) or bool(select.select([self.server], [], [], 0)[0])

    def close(self) -> None:
        self._closed.set()
        self._thread.join(5)
        self.server.close()


@pytest.fixture
def witness():
    proxy = ProxyWitness()
    yield proxy
    proxy.close()


@pytest.fixture
def system_proxies(monkeypatch):
    """Set what the system settings say, as urllib reads them on Windows: no proxy variable in the
    environment, the registry's proxies, and no bypass (the registry's "<local>" is for names, not 127.0.0.1)."""
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)

    def set_to(proxies: dict[str, str]) -> None:
        monkeypatch.setattr("urllib.request.getproxies", lambda: dict(proxies))
        monkeypatch.setattr("urllib.request.proxy_bypass", lambda host: False)
        monkeypatch.setattr(httpx_utils, "getproxies", lambda: dict(proxies))  # httpx's own copy of the name

    return set_to


def company_proxy(port: int) -> dict[str, str]:
    return {"http": f"http://127.0.0.1:{port}", "https": f"http://127.0.0.1:{port}", "ftp": f"http://127.0.0.1:{port}"}


def test_the_paper_exchange_on_loopback_is_reached_directly_whatever_the_system_proxy(exchange, witness,
                                                                                      system_proxies):
    system_proxies(company_proxy(witness.port))
    with client_for(exchange, timeout_s=2.0, connect_timeout_s=1.0) as client:
        assert client.proxy is None
        assert len(load_open_orders(client)) == len(exchange.book.open_orders())
    assert not witness.connected()


def test_localhost_too(exchange, witness, system_proxies):
    system_proxies(company_proxy(witness.port))
    key = exchange.main_key
    with GateClient(exchange.base_url.replace("127.0.0.1", "localhost"), Credentials(key.key, key.secret),
                    read_retry=FAST_READS, timeout_s=2.0, connect_timeout_s=1.0) as client:
        client.sync_clock()
    assert not witness.connected()


def test_the_environments_proxy_is_not_taken_to_loopback_either(exchange, witness, monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", f"http://127.0.0.1:{witness.port}")
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{witness.port}")
    with client_for(exchange, timeout_s=2.0, connect_timeout_s=1.0) as client:
        client.sync_clock()
    assert not witness.connected()


def test_the_live_streams_socket_to_loopback_takes_no_proxy(exchange, witness, system_proxies):
    system_proxies(company_proxy(witness.port))

    async def open_and_close() -> None:
        socket_ = await open_socket(f"ws://127.0.0.1:{exchange.port}/ws/v4/", NetworkSettings(), open_timeout_s=3,
                                    ping_interval_s=15)
        await socket_.close()

    asyncio.run(open_and_close())
    assert not witness.connected()


def test_a_remote_host_goes_through_the_system_proxy(witness, system_proxies):
    system_proxies(company_proxy(witness.port))
    with GateClient(REMOTE, None, read_retry=FAST_READS, timeout_s=2.0, connect_timeout_s=1.0) as client, \
            pytest.raises(GateError) as info:
        client.sync_clock()
    assert info.value.label == "PROXY_REFUSED"
    assert witness.seen == ["CONNECT api.gateio.ws:443 HTTP/1.1"]


def test_an_explicit_proxy_comes_before_the_system_one_for_a_remote_host(system_proxies):
    chosen, system = ProxyWitness(), ProxyWitness()
    try:
        system_proxies(company_proxy(system.port))
        network = NetworkSettings(proxy=f"http://127.0.0.1:{chosen.port}")
        with GateClient(REMOTE, None, read_retry=FAST_READS, timeout_s=2.0, connect_timeout_s=1.0,
                        network=network) as client, pytest.raises(GateError) as info:
            client.sync_clock()
        assert info.value.label == "PROXY_REFUSED"
        assert chosen.seen == ["CONNECT api.gateio.ws:443 HTTP/1.1"] and not system.connected()
    finally:
        chosen.close()
        system.close()


@pytest.mark.parametrize("host", ["127.0.0.1", "127.8.9.10", "[::1]", "localhost", "LOCALHOST", "localhost.",
                                  "paper.localhost", "[::ffff:127.0.0.1]"])
def test_this_computer_is_never_proxied_not_even_by_an_explicit_proxy(system_proxies, host):
    system_proxies({"https": "socks4://corp.example:1080"})  # not even read: no sentence either
    assert proxy_for(f"https://{host}:8443/api/v4", "http://proxy.example:3128") is None
    assert proxy_for(f"ws://{host}:8443/ws/v4/") is None


@pytest.mark.parametrize(("proxies", "url", "expected"), [
    ({"https": "http://corp.example:8080"}, REMOTE, "http://corp.example:8080"),
    ({"https": "corp.example:8080"}, REMOTE, "http://corp.example:8080"),  # no scheme: HTTP, as Windows means it
    ({"http": "http://corp.example:8080"}, REMOTE, None),  # an http-only proxy is not for https
    ({"all": "socks5://corp.example:1080"}, REMOTE, "socks5://corp.example:1080"),
    ({"https": "http://corp.example:8080"}, "wss://api.gateio.ws/ws/v4/", "http://corp.example:8080"),
    ({"http": "http://corp.example:8080"}, "ws://fx-ws.example/ws/v4/", "http://corp.example:8080"),
])
def test_which_system_proxy_a_url_takes(system_proxies, proxies, url, expected):
    system_proxies(proxies)
    assert proxy_for(url) == expected


def test_the_systems_exceptions_are_honoured_for_remote_hosts(monkeypatch):
    monkeypatch.setattr("urllib.request.getproxies", lambda: {"https": "http://corp.example:8080"})
    monkeypatch.setattr("urllib.request.proxy_bypass", lambda host: host == "api.gateio.ws")
    assert proxy_for(REMOTE) is None


@pytest.mark.parametrize("setting", [
    {"socks": "socks://corp.example:1080", "http": "socks4://corp.example:1080",  # Windows: socks=corp:1080
     "https": "socks4://corp.example:1080"},
    {"https": "ftp://corp.example:21"},
    {"https": "http://[corp.example:8080"},
    {"https": "http://corp.example:99999"},
    {"https": "http://:8080"},
])
def test_a_system_proxy_the_client_cannot_use_is_one_sentence(system_proxies, setting):
    system_proxies(setting)
    with pytest.raises(UnusableProxy) as info:
        proxy_for(REMOTE)
    message = str(info.value)
    assert message.startswith("The proxy in the system's proxy settings (") and "\n" not in message
    assert message.endswith("or set NO_PROXY=* to connect directly.")
    assert isinstance(info.value, ConfigError)  # the command line's exit 2, the window's message


def test_a_proxy_variable_the_client_cannot_use_is_named_and_its_password_not_shown(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", "socks4://me:pw-8d1c@corp.example:1080")
    with pytest.raises(UnusableProxy) as info:
        proxy_for(REMOTE)
    assert str(info.value).startswith("The proxy in HTTPS_PROXY / HTTP_PROXY / ALL_PROXY (socks4://me:***@corp")
    assert "pw-8d1c" not in str(info.value)
    monkeypatch.setenv("NO_PROXY", "*")  # the way out the sentence gives
    assert proxy_for(REMOTE) is None


def test_a_profile_with_an_unusable_system_proxy_opens_with_the_sentence(system_proxies, mem_keyring, witness):
    system_proxies({"https": f"socks4://127.0.0.1:{witness.port}"})
    credentials.save("desk", Credentials("k" * 32, "s" * 64))
    with pytest.raises(ConfigError, match=r"^The proxy in the system's proxy settings \(socks4://"):
        open_profile(Profile("desk", "live", REMOTE))
    assert not witness.connected()


def test_the_live_streams_socket_says_it_cannot_take_an_unusable_system_proxy(system_proxies):
    system_proxies({"https": "socks4://corp.example:1080"})
    with pytest.raises(CannotOpen) as info:
        asyncio.run(open_socket("wss://api.gateio.ws/ws/v4/", NetworkSettings(), open_timeout_s=1,
                                ping_interval_s=15))
    assert info.value.poll and info.value.why == "the system's proxy setting cannot carry a WebSocket"


def test_the_command_line_says_it_in_one_sentence_exit_2_before_connecting(system_proxies, witness):
    # Windows' "socks=127.0.0.1:port" registry value; the witness shows nothing was connected to
    address = f"127.0.0.1:{witness.port}"
    system_proxies({"socks": f"socks://{address}", "http": f"socks4://{address}", "https": f"socks4://{address}"})
    result = run_main("orders", "--base-url", REMOTE, env=key_env(Credentials("k" * 32, "s" * 64)))
    assert result.returncode == 2
    assert result.stderr == (f"gatecancel: The proxy in the system's proxy settings (socks4://{address}) cannot be "
                             f"used: gatecancel needs an http://, https:// or socks5:// proxy with a host (and a valid "
                             f"port); give one with --proxy or in the profile, or set NO_PROXY=* to connect "
                             f"directly.\n")
    assert result.stdout == "" and not witness.connected()
