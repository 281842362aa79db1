"""Which contracts a futures settlement lists (public GET /futures/{settle}/contracts): a contract typed
wrong, or one of the other settlement (BTC_USDT on the BTC-settled market), is refused with the closest
real one, as a mistyped spot pair is (pairs.py, whose list, caches and sentence this reuses), instead of
"no open orders match" or a dead-man switch armed on nothing."""

from __future__ import annotations

import threading
from collections.abc import Iterable
from pathlib import Path

from gatecancel_gui.core.domain.ids import check_contract
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.gate.pairs import Listing, Notice, check_pairs


def contract_listing(market: Market) -> Listing:
    """The settlement's contract list, cached apart from the other's and from spot's pairs."""
    if not market.is_futures:
        raise ValueError(f"{market.value} has no contracts")
    settle = market.spec.settle_currency.lower()
    return Listing(f"{market.spec.prefix}/contracts", "name", f"{market.display_name} contract",
                   f"futures-contracts-{settle}.json")


def check_contracts(client: GateClient, market: Market, texts: Iterable[str], *, notice: Notice | None = None,
                    cache_path: Path | None = None, stop: threading.Event | None = None) -> list[str]:
    """The contracts as Gate writes them, or ConfigError: one sentence for a name that is not shaped like
    a contract, or naming the closest real contract for one the settlement does not list."""
    names = [check_contract(text) for text in texts]
    return check_pairs(client, names, notice=notice, cache_path=cache_path, stop=stop,
                       listing=contract_listing(market))


def check_instrument(client: GateClient, text: str, market: Market, *, notice: Notice | None = None) -> str:
    """A spot pair or a futures contract, checked against what Gate lists in that market."""
    if market.is_futures:
        return check_contracts(client, market, [text], notice=notice)[0]
    return check_pairs(client, [text], notice=notice)[0]
