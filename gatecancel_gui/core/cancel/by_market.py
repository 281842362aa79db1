"""One cancel over several markets (a click that ticks spot and futures orders together): each group goes
to its own market's way of sending, in the same run, so one Stop, one set of truth rules and the
account's one cancel budget cover them all."""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from gatecancel_gui.core.cancel.futures_batch import FuturesBatch
from gatecancel_gui.core.cancel.method import Answer, CancelMethod, Record
from gatecancel_gui.core.cancel.spot_batch import SpotBatch
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import OrderRef
from gatecancel_gui.core.gate.client import GateClient, PendingAnswer


def batch_method(market: Market) -> CancelMethod:
    return SpotBatch() if market is Market.SPOT else FuturesBatch(market)


def batch_method_for(refs: Iterable[OrderRef]) -> CancelMethod:
    """The way of sending for these orders: one market's batch, or ByMarket when they span several."""
    markets = {ref.market for ref in refs} or {Market.SPOT}
    if len(markets) == 1:
        return batch_method(markets.pop())
    return ByMarket({market: batch_method(market) for market in Market if market in markets})


class ByMarket(CancelMethod):
    """Groups never mix markets; each is sent, read and looked up by its market's own method."""

    def __init__(self, methods: dict[Market, CancelMethod]) -> None:
        self.methods = methods
        self.endpoint = " + ".join(m.endpoint for m in methods.values())
        self.group_size = min(m.group_size for m in methods.values())

    def _of(self, group: list[OrderRef]) -> CancelMethod:
        return self.methods[group[0].market]

    def groups(self, refs: list[OrderRef], size: int) -> list[list[OrderRef]]:
        by_market: dict[Market, list[OrderRef]] = defaultdict(list)
        for ref in refs:
            by_market[ref.market].append(ref)
        groups: list[list[OrderRef]] = []
        for market, market_refs in by_market.items():
            groups += self.methods[market].groups(market_refs, size)
        return groups

    def endpoint_of(self, group: list[OrderRef]) -> str:
        return self._of(group).endpoint


    def journal_orders(self, group: list[OrderRef]) -> list[tuple[str, str]]:
        return self._of(group).journal_orders(group)

    def journal_results(self, group: list[OrderRef], answers: dict[OrderRef, Answer]) -> list[dict[str, Any]]:
        return self._of(group).journal_results(group, answers)

    def start(self, client: GateClient, group: list[OrderRef]) -> PendingAnswer:
        return self._of(group).start(client, group)

    def read_answer(self, group: list[OrderRef], data: Any) -> dict[OrderRef, Answer]:
        return self._of(group).read_answer(group, data)

    def look_up(self, client: GateClient, refs: list[OrderRef], *, since_ms: int, stop: threading.Event,
                in_flight: int) -> dict[OrderRef, Record]:
        by_market: dict[Market, list[OrderRef]] = defaultdict(list)
        for ref in refs:
            by_market[ref.market].append(ref)
        records: dict[OrderRef, Record] = {}
        for market, market_refs in by_market.items():  # whole, so a market's bulk look-up sees them all
            records.update(self.methods[market].look_up(client, market_refs, since_ms=since_ms, stop=stop,
                                                        in_flight=in_flight))
        return records
