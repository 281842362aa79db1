"""Gate's own Python SDK (gate_api, a test-only dependency) against the paper exchange's futures: its
signing, its request shapes and its models agree with ours, so the paper exchange speaks Gate's futures."""

import gate_api
import pytest
from gate_api.exceptions import ApiException

from gatecancel_gui.paper import PaperExchange


@pytest.fixture
def sdk_and_exchange():
    with PaperExchange(orders=10, futures_orders=60, price_orders=8, fill_fraction=0.0) as ex:
        config = gate_api.Configuration(host=ex.base_url, key=ex.main_key.key, secret=ex.main_key.secret)
        client = gate_api.ApiClient(config)
        yield gate_api.FuturesApi(client), ex
        client.close()


def test_the_sdk_lists_gets_and_batch_cancels_futures_orders(sdk_and_exchange):
    api, ex = sdk_and_exchange
    listed = api.list_futures_orders("usdt", "open", limit=100)
    assert {str(o.id) for o in listed} == {str(o.id) for o in ex.futures.open_orders("usdt")}
    first = listed[0]
    assert isinstance(first.id, int) and first.id > 2**53
    assert int(first.size) == ex.futures.get("usdt", str(first.id)).size  # the SDK models sizes as text
    assert api.get_futures_order("usdt", str(first.id)).status == "open"
    ids = [str(o.id) for o in listed[:3]] + ["1"]
    results = {r.id: r for r in api.cancel_batch_future_orders("usdt", ids)}
    assert all(results[i].succeeded for i in ids[:3]) and results["1"].succeeded is False
    assert api.get_futures_order("usdt", ids[0]).finish_as == "cancelled"


def test_the_sdk_cancels_a_contract_arms_the_countdown_and_cancels_a_price_order(sdk_and_exchange):
    api, ex = sdk_and_exchange
    cancelled = api.cancel_futures_orders("usdt", contract="BTC_USDT")
    assert cancelled and all(o.contract == "BTC_USDT" for o in cancelled)
    assert ex.futures.open_orders("usdt", "BTC_USDT") == []
    task = gate_api.CountdownCancelAllFuturesTask(timeout=30, contract="ETH_USDT")
    assert int(api.countdown_cancel_all_futures("usdt", task).trigger_time) > 0
    api.countdown_cancel_all_futures("usdt", gate_api.CountdownCancelAllFuturesTask(timeout=0, contract="ETH_USDT"))
    assert ex.futures_countdowns == {}
    stops = api.list_price_triggered_orders("usdt", "open")
    assert stops and stops[0].initial.contract
    api.cancel_price_triggered_order("usdt", str(stops[0].id))
    assert ex.futures.price_order("usdt", str(stops[0].id)).status == "finished"


def test_the_sdk_sees_gates_error_shape(sdk_and_exchange):
    api, _ex = sdk_and_exchange
    with pytest.raises(ApiException) as raised:
        api.get_futures_order("usdt", "123")
    assert raised.value.status == 404 and "ORDER_NOT_FOUND" in raised.value.body
