import time

import pytest

from gatecancel_gui.core.domain.environments import LIVE_URL, normalise_base_url
from gatecancel_gui.core.domain.errors import ConfigError, ErrorClass, GateError
from gatecancel_gui.core.gate.client import GateClient, NotSent, parse_reset_seconds
from gatecancel_gui.core.store.credentials import Credentials
from tests.conftest import FAST_READS, client_for


@pytest.mark.parametrize("skew_s", [-300.0, 300.0])
def test_client_clock_off_by_five_minutes_still_signs_after_sync(exchange, skew_s):
    with client_for(exchange, local_clock=lambda: time.time() + skew_s) as c:
        c.sync_clock()
        assert abs(c.clock.offset_s + skew_s) < 1.0
        assert c.request("GET", "/spot/open_orders", params=[("page", "1"), ("limit", "1")]).status == 200


def test_request_expired_resyncs_once_and_retries(exchange):
    skew = {"s": 0.0}
    with client_for(exchange, local_clock=lambda: time.time() + skew["s"]) as c:
        c.sync_clock()
        skew["s"] = 400.0  # the local clock jumps after the sync
        assert c.request("GET", "/spot/open_orders", params=[("page", "1"), ("limit", "1")]).status == 200
        assert abs(c.clock.offset_s + 400.0) < 1.0


def test_request_expired_is_not_retried_in_a_loop(exchange):
    # the server's clock runs away between requests: one re-sync, one retry, then a clear error
    with client_for(exchange) as c:
        c.sync_clock()
        original = c.sync_clock

        def sync_then_drift(*args):
            offset = original(*args)
            exchange.clock_offset_s += 120
            return offset

        c.sync_clock = sync_then_drift
        exchange.clock_offset_s = 120
        with pytest.raises(GateError) as info:
            c.request("GET", "/spot/open_orders")
        assert info.value.label == "REQUEST_EXPIRED"
        assert info.value.error_class is ErrorClass.CLOCK


def test_exptime_header_from_corrected_clock_is_accepted(exchange):
    with client_for(exchange, expiry_s=5.0, local_clock=lambda: time.time() - 200) as c:
        c.sync_clock()
        assert c.request("GET", "/spot/open_orders", params=[("page", "1"), ("limit", "1")]).status == 200


def test_read_only_key_gets_a_permission_sentence(exchange):
    ro = exchange.add_key("read_only")
    with client_for(exchange, ro) as c:
        assert c.request("GET", "/spot/open_orders").status == 200  # reading is allowed
        with pytest.raises(GateError) as info:
            c.request("POST", "/spot/cancel_batch_orders", body=[{"currency_pair": "BTC_USDT", "id": "1"}])
    assert info.value.label == "READ_ONLY"
    assert info.value.error_class is ErrorClass.PERMISSION
    assert "read-only" in info.value.user_message


def test_unknown_key_is_a_credentials_error(exchange):
    with GateClient(exchange.base_url, Credentials("nokey", "nosecret")) as c:
        with pytest.raises(GateError) as info:
            c.request("GET", "/spot/open_orders")
    assert info.value.label == "INVALID_KEY"
    assert "key or secret" in info.value.user_message


def test_unreachable_host_is_a_network_error_not_a_traceback():
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with GateClient(f"http://127.0.0.1:{port}/api/v4", Credentials("k", "s"), connect_timeout_s=1,
                     read_retry=FAST_READS) as c:
        notices: list[str] = []
        c.add_listener(notices.append)
        with pytest.raises(NotSent) as info:
            c.sync_clock()
    assert info.value.error_class is ErrorClass.NETWORK and info.value.label == "NOTHING_LISTENING"
    assert "Nothing answers at this address" in info.value.user_message and "Gate" not in info.value.user_message
    # said at once: it was read again 5 times (~4 s; a cancel-all 11.8 s) and blamed Gate
    assert info.value.attempts == 1 and notices == []


@pytest.mark.parametrize("url", ["http://api.gateio.ws/api/v4", "ftp://x/api/v4", "not a url", "",
                                 "https://api.gateio.ws/", "http://10.0.0.1/api/v4"])
def test_bad_base_urls_are_refused_with_a_sentence(url):
    with pytest.raises(ConfigError) as info:
        normalise_base_url(url)
    assert str(info.value).endswith(".")


@pytest.mark.parametrize("url", [LIVE_URL, "http://127.0.0.1:8080/api/v4", "http://localhost:1/api/v4/",
                                 "http://[::1]:9/api/v4"])
def test_good_base_urls(url):
    assert normalise_base_url(url) == url.rstrip("/")


def test_reset_header_in_seconds_or_milliseconds():
    now = 1_700_000_000.0
    assert parse_reset_seconds("1700000000.5", now) == pytest.approx(0.5)
    assert parse_reset_seconds("1700000000500", now) == pytest.approx(0.5)
    assert parse_reset_seconds("2", now) == 2.0
    assert parse_reset_seconds(None, now) is None
    assert parse_reset_seconds("soon", now) is None


def test_credentials_never_show_the_secret():
    creds = Credentials("abcd1234efgh", "topsecretvalue")
    assert "topsecretvalue" not in repr(creds) and "efgh" not in str(creds)


def test_a_request_in_flight_when_the_client_closes_ends_instead_of_waiting_forever():
    """The request's thread waited on a loop that had stopped: it never woke (a hung exit, a job that never
    finished). Now it ends with the closed client's RuntimeError, which callers already expect."""
    import threading

    from gatecancel_gui.paper import PaperExchange

    with PaperExchange(orders=10, pairs=1, latency_s=2.0) as ex:
        client = client_for(ex)
        ended: list[BaseException] = []
        entered = threading.Event()

        def ask():
            entered.set()
            try:
                client.request("GET", "/spot/time", signed=False)
            except RuntimeError as exc:
                ended.append(exc)

        worker = threading.Thread(target=ask, daemon=True)
        worker.start()
        entered.wait(5)
        while not ex.in_flight:  # the request has reached the exchange
            worker.join(0.01)
        client.close()
        worker.join(5)
        assert not worker.is_alive() and len(ended) == 1 and "closed" in str(ended[0])
