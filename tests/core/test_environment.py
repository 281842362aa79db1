"""Only the built-in paper exchange is PAPER: it says so on its answers. Any other server on loopback (a
forwarder or a tunnel that may lead to live Gate) is CUSTOM, and so is the paper exchange's URL before it
has answered."""

from gatecancel_gui.core.domain.environments import LIVE_URL, TESTNET_URL, Environment, environment_of
from gatecancel_gui.core.gate.spot_orders import load_open_orders
from gatecancel_gui.paper import NetworkShape, PaperExchange
from tests.conftest import client_for


def test_a_loopback_url_is_custom_until_its_server_says_it_is_the_paper_exchange():
    with PaperExchange(orders=5, pairs=2) as ex:
        assert environment_of(ex.base_url) is Environment.CUSTOM  # nothing answered yet: not called safe
        with client_for(ex) as client:
            client.sync_clock()
            assert environment_of(client.base_url) is Environment.PAPER


def test_a_loopback_server_that_does_not_say_so_is_custom():
    with PaperExchange(orders=5, pairs=2) as ex:
        ex.announce = False  # any Gate-shaped server on 127.0.0.1: a forwarder, a tunnel, a local proxy
        with client_for(ex) as client:
            assert load_open_orders(client)
            assert environment_of(client.base_url) is Environment.CUSTOM


def test_a_server_that_stops_saying_so_is_custom_again():
    with PaperExchange(orders=5, pairs=2) as ex, client_for(ex) as client:
        client.sync_clock()
        assert environment_of(client.base_url) is Environment.PAPER
        ex.announce = False  # another server on the same address now
        client.sync_clock()
        assert environment_of(client.base_url) is Environment.CUSTOM


def test_the_paper_exchange_says_so_over_tls_and_http2_too():
    with PaperExchange(orders=5, pairs=2, network=NetworkShape(tls=True, http2=True)) as ex:
        from gatecancel_gui.core.net.transport import NetworkSettings

        with client_for(ex, network=NetworkSettings(ca_file=ex.ca_file)) as client:
            client.sync_clock()
            assert client.http_version == "HTTP/2"
            assert environment_of(client.base_url) is Environment.PAPER


def test_live_and_testnet_are_named_by_their_url():
    assert environment_of(LIVE_URL) is Environment.LIVE
    assert environment_of(TESTNET_URL + "/") is Environment.TESTNET
    assert environment_of("https://gate.example.com/api/v4") is Environment.CUSTOM
