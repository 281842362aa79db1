"""One Scope for a cancel-all, the dead-man switch and (next) the guard, put in words one way."""

from __future__ import annotations

import pytest

from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.risk.deadman import countdown
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.paper import PaperExchange


@pytest.mark.parametrize(("scope", "where"), [
    (Scope(), "every spot pair"),
    (Scope("BTC_USDT"), "spot pair BTC_USDT"),
    (Scope(market=Market.FUTURES_USDT), "every USDT perpetual contract"),
    (Scope("BTC_USD", market=Market.FUTURES_BTC), "BTC perpetual contract BTC_USD"),
    # a guard's: the orders' text starts with the prefix, not the markets' (worded so before)
    (Scope(all_markets=True, text_prefix="t-bot-"), "every market, orders whose text starts with 't-bot-'"),
    (Scope("ETH_USDT", all_markets=True), "ETH_USDT in every market"),
])
def test_a_scope_names_its_instruments_one_way(scope: Scope, where: str) -> None:
    assert scope.where() == where


def test_the_dead_man_switch_refuses_a_scope_gate_cannot_hold_and_sends_nothing() -> None:
    """Gate's countdown has no side and no stop-order switch: such a scope would be silently widened."""
    with PaperExchange(orders=0) as ex, GateClient(ex.base_url, Credentials(ex.main_key.key, ex.main_key.secret)) as c:
        for scope in (Scope("BTC_USDT", side="buy"), Scope(include_stop_orders=True)):
            with pytest.raises(ConfigError):
                countdown(c, 30, scope)
        assert not [r for r in ex.requests if "countdown" in r[1]]
