"""The client over a real network's shape, on loopback: TLS, HTTP/2 or HTTP/1.1 by ALPN, trust, proxies
(a real pproxy process, never a mock), and connections a server drops while the window sits idle."""

import gc
import os
import socket
import subprocess
import sys
import warnings

import pytest

from gatecancel_gui.core.app.session import open_profile
from gatecancel_gui.core.cancel.run import CancelRun
from gatecancel_gui.core.cancel.spot_batch import SpotBatch
from gatecancel_gui.core.domain.errors import GateError
from gatecancel_gui.core.domain.outcomes import OutcomeState
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.gate.spot_orders import load_open_orders
from gatecancel_gui.core.gate.warmth import ConnectionWarmer
from gatecancel_gui.core.net import proxies
from gatecancel_gui.core.net.transport import NetworkSettings
from gatecancel_gui.core.store import credentials, proxy_login
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.core.store.profiles import Profile
from gatecancel_gui.paper import NetworkShape, PaperExchange
from tests.conftest import FAST_READS, PROXY_PASSWORD, PROXY_USER, wait_for

STATE_OF = {"cancelled": OutcomeState.CANCELLED, "closed": OutcomeState.REJECTED}


@pytest.fixture
def exchange_far_away(monkeypatch):
    """The paper exchange on 127.0.0.1 stands in for a remote Gate: this computer is never reached through a
    proxy (net/proxies), so a test of the way through one says loopback is not this computer."""
    monkeypatch.setattr(proxies, "is_this_computer", lambda host: False)


def client_over(ex, *, ca_file=True, proxy=None, http2=True):
    key = ex.main_key
    return GateClient(ex.base_url, Credentials(key.key, key.secret), read_retry=FAST_READS,
                      network=NetworkSettings(ca_file=ex.ca_file if ca_file else None, proxy=proxy, http2=http2))


@pytest.mark.parametrize("offer_h2, expected", [(True, "HTTP/2"), (False, "HTTP/1.1")])
def test_http2_is_negotiated_when_offered_and_http1_when_not(offer_h2, expected):
    with PaperExchange(orders=40, pairs=2, network=NetworkShape(tls=True, http2=offer_h2)) as ex, \
            client_over(ex) as client:
        client.sync_clock()
        assert client.http_version == expected
        refs = [o.ref for o in load_open_orders(client)]
        report = CancelRun(client, SpotBatch()).run(refs)
        assert all(o.state is STATE_OF[ex.book.status_of(r.id)] for r, o in report.outcomes.items())


def test_a_certificate_the_trust_store_does_not_know_is_refused_in_one_sentence_and_the_ca_file_fixes_it():
    with PaperExchange(orders=10, pairs=2, network=NetworkShape(tls=True)) as ex:
        with client_over(ex, ca_file=False) as untrusting:
            notices = []
            untrusting.add_listener(notices.append)
            with pytest.raises(GateError) as info:
                untrusting.sync_clock()
        assert info.value.label == "TLS_UNTRUSTED"
        assert notices == []  # asking again changes nothing about a certificate: said once, not retried
        assert str(info.value) == ("The exchange's certificate is not trusted by this computer: if a company proxy "
                                   "inspects TLS, install its certificate authority in the system's trust store, or "
                                   "give the profile a CA file (--ca-file on the command line).")
        with client_over(ex) as trusting:
            assert len(load_open_orders(trusting)) == 10


@pytest.mark.parametrize("scheme", ["http", "socks5"])
def test_a_cancel_through_a_real_proxy_with_its_login_from_the_keyring(proxy_server, scheme, mem_keyring,
                                                                      exchange_far_away):
    port, proc = proxy_server
    with PaperExchange(orders=60, pairs=3, network=NetworkShape(tls=True)) as ex:
        with warnings.catch_warnings():
            # httpcore 1.0.9 leaves the socket of a refused SOCKS5 handshake for the collector to close
            warnings.simplefilter("ignore", ResourceWarning)
            with client_over(ex, proxy=f"{scheme}://127.0.0.1:{port}") as no_login, \
                    pytest.raises(GateError) as info:
                no_login.sync_clock()  # the proxy wants its login: nothing gets past it without one
            assert info.value.label == "PROXY_REFUSED" and str(info.value).startswith("The proxy refused to carry")
            del info  # its traceback holds the socket
            gc.collect()
        profile = Profile("desk", "custom", ex.base_url, ca_file=ex.ca_file, proxy=f"{scheme}://127.0.0.1:{port}")
        credentials.save("desk", Credentials(ex.main_key.key, ex.main_key.secret))
        proxy_login.save("desk", PROXY_USER, PROXY_PASSWORD)
        session = open_profile(profile)
        try:
            refs = [o.ref for o in load_open_orders(session.client)]
            report = CancelRun(session.client, SpotBatch()).run(refs)
        finally:
            session.close()
        assert len(refs) == 60
        assert all(o.state is STATE_OF[ex.book.status_of(r.id)] for r, o in report.outcomes.items())
    proc.terminate()
    log = proc.communicate(timeout=10)[0]
    assert f"127.0.0.1:{ex.port}" in log  # the proxy carried the connection to the exchange
    assert PROXY_PASSWORD not in repr(profile) and PROXY_PASSWORD not in str(session.client.network)


def test_https_proxy_from_the_environment_is_honoured(proxy_server, monkeypatch, exchange_far_away):
    port, proc = proxy_server
    monkeypatch.setenv("HTTPS_PROXY", f"http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:{port}")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    with PaperExchange(orders=10, pairs=2, network=NetworkShape(tls=True)) as ex, client_over(ex) as client:
        assert len(load_open_orders(client)) == 10
    proc.terminate()
    assert f"127.0.0.1:{ex.port}" in proc.communicate(timeout=10)[0]


def test_a_connection_dropped_while_idle_is_replaced_before_the_cancel_needs_it():
    shape = NetworkShape(tls=True, http2=True, rtt_ms=20, idle_close_s=0.5)
    with PaperExchange(orders=200, pairs=4, network=shape) as ex, client_over(ex) as client:
        refs = [o.ref for o in load_open_orders(client)]
        warmer = ConnectionWarmer(client, interval_s=1.0).start()
        try:
            wait_for(lambda: ex.network.proxy.connections_dropped_idle >= 1 and warmer.rounds >= 2)
            opened = ex.network.proxy.connections_opened
            report = CancelRun(client, SpotBatch()).run(refs)
        finally:
            warmer.stop()
        assert ex.network.proxy.connections_opened == opened  # the cancel found a warm connection
        assert all(o.state is STATE_OF[ex.book.status_of(r.id)] for r, o in report.outcomes.items())
        assert report.requests_sent == 10  # nothing was lost to a dead connection and sent again


def test_paper_prints_its_ca_file_with_tls():
    proc = subprocess.Popen([sys.executable, "-m", "gatecancel_gui.cli", "paper", "--orders", "5", "--tls",
                             "--rtt-ms", "10"], stdout=subprocess.PIPE, text=True, env=os.environ.copy())
    try:
        import json

        printed = json.loads(proc.stdout.readline())
        assert printed["url"].startswith("https://127.0.0.1:") and os.path.isfile(printed["ca_file"])
        network = NetworkSettings(ca_file=printed["ca_file"])
        with GateClient(printed["url"], Credentials(printed["key"], printed["secret"]), network=network) as client:
            assert len(load_open_orders(client)) == 5  # the printed address is the one it listens on
    finally:
        proc.terminate()
        proc.wait(10)
        proc.stdout.close()


def test_cli_proxy_option_replaces_the_profiles_proxy_and_keeps_its_ca_file(mem_keyring, tmp_path):
    """`--proxy` (or `--ca-file`) on the command line replaces that one setting of the profile, not all."""
    import trustme

    from gatecancel_gui.cli import build_parser, make_client
    from gatecancel_gui.core.store.profiles import ProfileStore

    ca = tmp_path / "ca.pem"
    trustme.CA().cert_pem.write_to_path(str(ca))
    ProfileStore().put(Profile("desk", "custom", "https://127.0.0.1:9/api/v4", ca_file=str(ca),
                               proxy="http://127.0.0.1:3128"))
    credentials.save("desk", Credentials("k" * 32, "s" * 64))
    proxy_login.save("desk", PROXY_USER, PROXY_PASSWORD)
    args = build_parser().parse_args(["orders", "--profile", "desk", "--proxy", "socks5://127.0.0.1:1080"])
    with make_client(args) as client:
        assert client.network.ca_file == str(ca) and client.network.proxy == "socks5://127.0.0.1:1080"
    args = build_parser().parse_args(["orders", "--profile", "desk"])
    with make_client(args) as client:
        assert client.network.ca_file == str(ca)
        assert client.network.proxy == f"http://{PROXY_USER}:{PROXY_PASSWORD}@127.0.0.1:3128"


def test_a_proxy_that_is_not_running_is_named_not_the_exchange(exchange_far_away):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with PaperExchange(orders=10, pairs=2, network=NetworkShape(tls=True)) as ex, \
            client_over(ex, proxy=f"http://127.0.0.1:{port}") as client:
        notices = []
        client.add_listener(notices.append)
        with pytest.raises(GateError) as info:
            client.sync_clock()
    assert info.value.label == "PROXY_UNREACHABLE"
    assert str(info.value).startswith("Could not reach the proxy (")
    assert notices and all(n.startswith("Could not reach the proxy (server time), retrying") for n in notices)
