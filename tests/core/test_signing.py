import hashlib

import pytest

from gatecancel_gui.core.gate.signing import EMPTY_BODY_HASH, sign
from gatecancel_gui.paper.auth import expected_signature
from tests.conftest import client_for

VECTOR_GET = ("55f84ea195d6fe57ce62464daaa7c3c02fa9d1dde954e4c898289c9a2407a3d6fb3faf24deff16790d726b66ac9f7452"
              "6668b13bd01029199cc4fcc522418b8a")
VECTOR_POST = ("eae42da914a590ddf727473aff25fc87d50b64783941061f47a3fdb92742541fc4c2c14017581b4199a1418d54471c26"
               "9c03a38d788d802e2c306c37636389f0")
POST_BODY = b'{"contract":"BTC_USD","type":"limit","size":100,"price":6800,"time_in_force":"gtc"}'


def test_published_get_vector():
    assert sign("secret", "GET", "/api/v4/futures/orders", "contract=BTC_USD&status=finished&limit=50", b"",
                "1541993715") == VECTOR_GET


def test_published_post_vector():
    assert sign("secret", "POST", "/api/v4/futures/orders", "", POST_BODY, "1541993715") == VECTOR_POST


def test_paper_exchange_checks_the_same_vectors_with_its_own_code():
    assert expected_signature("secret", "GET", "/api/v4/futures/orders",
                              "contract=BTC_USD&status=finished&limit=50", b"", "1541993715") == VECTOR_GET
    assert expected_signature("secret", "post", "/api/v4/futures/orders", "", POST_BODY,
                              "1541993715") == VECTOR_POST


def test_empty_body_hash_is_sha512_of_nothing():
    assert EMPTY_BODY_HASH == hashlib.sha512(b"").hexdigest()
    assert EMPTY_BODY_HASH.startswith("cf83e1357eefb8bd")


def test_query_order_is_part_of_the_signature():
    a = sign("s", "GET", "/api/v4/spot/orders", "currency_pair=BTC_USDT&status=open", b"", "1")
    b = sign("s", "GET", "/api/v4/spot/orders", "status=open&currency_pair=BTC_USDT", b"", "1")
    assert a != b


def test_body_bytes_not_a_reserialisation_are_signed():
    compact = sign("s", "POST", "/p", "", b'[{"id":"1"}]', "1")
    spaced = sign("s", "POST", "/p", "", b'[{"id": "1"}]', "1")
    assert compact != spaced


def test_signed_requests_pass_the_paper_exchanges_check_over_http(exchange, client):
    # GET with a query in a fixed order, POST with a body: both verified by the exchange's own code
    orders = client.request("GET", "/spot/orders", params=[("currency_pair", "BTC_USDT"), ("status", "open"),
                                                          ("page", "1"), ("limit", "5")]).data
    assert len(orders) == 5
    body = [{"currency_pair": "BTC_USDT", "id": orders[0]["id"]}]
    result = client.request("POST", "/spot/cancel_batch_orders", body=body).data
    assert result[0]["succeeded"] is True


def test_unencoded_query_is_what_gets_signed(exchange):
    # httpx percent-encodes the space on the wire; Gate (and the paper exchange) check the decoded form
    with client_for(exchange) as c:
        resp = c.request("GET", "/spot/orders", params=[("currency_pair", "BTC_USDT"), ("status", "open"),
                                                        ("page", "1"), ("limit", "1"), ("text", "grid bot,1:2")])
        assert resp.status == 200


def test_wrong_secret_is_rejected_with_gates_label(exchange):
    from gatecancel_gui.core.domain.errors import ErrorClass, GateError
    from gatecancel_gui.core.gate.client import GateClient
    from gatecancel_gui.core.store.credentials import Credentials

    with GateClient(exchange.base_url, Credentials(exchange.main_key.key, "wrong")) as c:
        with pytest.raises(GateError) as info:
            c.request("GET", "/spot/open_orders")
    assert (info.value.status, info.value.label) == (401, "INVALID_SIGNATURE")
    assert info.value.error_class is ErrorClass.CREDENTIALS
    assert "wrong" not in str(info.value)
