"""Shared fixtures. Qt must run headless before anything imports it, so this comes first."""

import os
import socket
import subprocess
import sys
import threading

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import keyring
import pytest

from gatecancel_gui.core.gate.client import GateClient, ReadRetry
from gatecancel_gui.core.store import credentials, proxy_login
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.paper import PaperExchange
from tests.memkeyring import MemoryKeyring


@pytest.fixture(autouse=True)
def isolated_dirs(tmp_path, monkeypatch):
    """Every test writes its journal, logs, profiles and settings under its own tmp dir."""
    monkeypatch.setenv("GATECANCEL_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("GATECANCEL_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.delenv("GATE_API_KEY", raising=False)
    monkeypatch.delenv("GATE_API_SECRET", raising=False)
    monkeypatch.setattr(credentials, "_session_only", {})  # "for this session only" ends with each test
    monkeypatch.setattr(proxy_login, "_session_only", {})
    return tmp_path


@pytest.fixture
def exchange():
    with PaperExchange(orders=600, pairs=12) as ex:
        yield ex


PROXY_USER, PROXY_PASSWORD = "trader", "proxy-password-7f3a9c"
FAST_READS = ReadRetry(backoff_s=0.01, max_backoff_s=0.05)  # same ladder, test-sized waits


def client_for(ex: PaperExchange, key=None, **kwargs) -> GateClient:
    key = key or ex.main_key
    kwargs.setdefault("read_retry", FAST_READS)
    return GateClient(ex.base_url, Credentials(key.key, key.secret), **kwargs)


@pytest.fixture
def client(exchange):
    with client_for(exchange) as c:
        yield c


@pytest.fixture
def mem_keyring():
    previous = keyring.get_keyring()
    kr = MemoryKeyring()
    keyring.set_keyring(kr)
    try:
        yield kr
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def use_backend():
    """keyring.set_keyring for the test: a fake backend (tests/keyring_fakes.py), the previous one after."""
    previous = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(previous)


def pytest_collection_modifyitems(config, items):
    if os.environ.get("REAL_KEYRING") == "1":
        return
    where = "under dbus-run-session + gnome-keyring" if sys.platform.startswith("linux") else "in a user session"
    skip = pytest.mark.skip(reason=f"uses the OS keyring: set REAL_KEYRING=1 and run {where}")
    for item in items:
        if "real_keyring" in item.keywords:
            item.add_marker(skip)


def wait_for(condition, timeout_s=10.0):
    tick = threading.Event()
    for _ in range(int(timeout_s / 0.05)):
        if condition():
            return
        tick.wait(0.05)
    raise AssertionError("condition not met in time")


@pytest.fixture
def proxy_server():
    """pproxy on loopback, HTTP and SOCKS5 on one port, with a login; its log shows what it carried."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "pproxy", "-l",
                             f"http+socks5://127.0.0.1:{port}#{PROXY_USER}:{PROXY_PASSWORD}", "-v"],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)

    def listening():
        with socket.socket() as s:
            return s.connect_ex(("127.0.0.1", port)) == 0

    try:
        wait_for(listening)
        yield port, proc
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()
