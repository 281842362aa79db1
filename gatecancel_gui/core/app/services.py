"""What a front end asks of the core, decided once for the window and the command line alike: load what an
account holds, cancel these orders, cancel a scope. The front ends only wire these calls (to a thread, to
Ctrl+C or a Stop button) and present what comes back; if both built an engine themselves, each would decide
a little differently. (The dead-man switch is already one object both use: core/risk/deadman.py.)"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

from gatecancel_gui.core.cancel.by_market import batch_method_for
from gatecancel_gui.core.cancel.cancel_all import CancelAllResult, cancel_all, list_scope, load_scope_stop_orders
from gatecancel_gui.core.cancel.run import CancelRun, CancelSettings, OnOutcome
from gatecancel_gui.core.cancel.stop_orders_each import StopOrderEach
from gatecancel_gui.core.domain.errors import GateError
from gatecancel_gui.core.domain.markets import FUTURES, Market
from gatecancel_gui.core.domain.orders import Order, OrderKind, OrderRef
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.gate.futures_orders import load_futures_orders
from gatecancel_gui.core.gate.paging import Progress
from gatecancel_gui.core.gate.spot_orders import load_open_orders
from gatecancel_gui.core.gate.stop_orders import load_futures_stop_orders, load_spot_stop_orders
from gatecancel_gui.core.gate.tickers import load_futures_prices, load_last_prices
from gatecancel_gui.core.risk.guard import list_guarded
from gatecancel_gui.core.store.journal import Journal

# -- loading -------------------------------------------------------------------------------------------


def load_orders(client: GateClient, markets: list[Market], *,
                stop: threading.Event | None = None) -> list[Order]:
    """Every open order of these markets, all markets read at once (spot: every pair; futures: every
    contract of the settlement)."""
    def load(market: Market) -> list[Order]:
        if market is Market.SPOT:
            return load_open_orders(client, stop=stop)
        return load_futures_orders(client, market, stop=stop)

    if len(markets) == 1:
        return load(markets[0])
    with ThreadPoolExecutor(max_workers=len(markets), thread_name_prefix="market") as pool:
        return [order for orders in pool.map(load, markets) for order in orders]


def load_stop_orders(client: GateClient, markets: Iterable[Market], *,
                     stop: threading.Event | None = None) -> list[Order]:
    """Every open stop order of these markets (Gate keeps them apart from open orders)."""
    orders: list[Order] = []
    for market in markets:
        orders += (load_futures_stop_orders(client, market, stop=stop) if market.is_futures
                   else load_spot_stop_orders(client, stop=stop))
    return orders


@dataclass
class Holdings:
    """Everything an account holds, as one load found it. A market that could not be read leaves the rest
    whole and says why, in a sentence for the user."""

    orders: list[Order] = field(default_factory=list)
    stop_orders: list[Order] = field(default_factory=list)
    prices: dict[str, Decimal] = field(default_factory=dict)  # last price by instrument (the price key)
    futures_error: str = ""
    stop_error: str = ""


def load_holdings(client: GateClient, *, progress: Progress | None = None,
                  stop: threading.Event | None = None) -> Holdings:
    """Open orders of every market, stop orders and market prices, read at once: one round trip, not
    several. Futures that cannot be read (an account without futures, a key without that right) leave the
    spot orders whole and say why."""
    client.ensure_clock(stop)
    with ThreadPoolExecutor(max_workers=2 + 3 * len(FUTURES), thread_name_prefix="load") as pool:
        prices_read = [pool.submit(load_last_prices, client, stop)]
        prices_read += [pool.submit(load_futures_prices, client, m, stop) for m in FUTURES]
        stops_read = pool.submit(load_spot_stop_orders, client, stop=stop)
        futures_stops_read = {m: pool.submit(load_futures_stop_orders, client, m, stop=stop) for m in FUTURES}
        futures_read = {m: pool.submit(load_futures_orders, client, m, stop=stop) for m in FUTURES}
        holdings = Holdings(load_open_orders(client, stop=stop, progress=progress))
        failed: list[str] = []
        holdings.orders += _futures_part(futures_read, failed, "")
        for read_prices in prices_read:
            holdings.prices.update(read_prices.result())
        try:
            holdings.stop_orders = stops_read.result() + _futures_part(futures_stops_read, failed, " stop orders")
        except GateError as exc:
            holdings.stop_error = f"Stop orders could not be loaded: {exc.user_message}"
        if failed:
            holdings.futures_error = "Futures orders could not be loaded (" + "; ".join(failed) + ")."
    return holdings


def _futures_part(reads: dict[Market, Future[list[Order]]], failed: list[str], what: str) -> list[Order]:
    """What each futures market's read found; a market that could not be read is named in `failed`."""
    found: list[Order] = []
    for market, read in reads.items():
        try:
            found += read.result()
        except GateError as exc:
            failed.append(f"{market.display_name}{what}: {exc.user_message}")
    return found


# -- cancelling ----------------------------------------------------------------------------------------


def prepare_cancel(client: GateClient, refs: Iterable[OrderRef], *, journal: Journal | None = None,
                   settings: CancelSettings | None = None) -> CancelRun:
    """The run that cancels these orders, not yet started: stop orders one request each (all Gate offers),
    open orders in batches by market. The front end runs it on its own thread and stops it on its own
    signal (a Stop button, Ctrl+C)."""
    refs = list(refs)
    kinds = {ref.kind for ref in refs}
    if kinds == {OrderKind.STOP}:
        return CancelRun(client, StopOrderEach(), journal=journal, settings=settings)
    if OrderKind.STOP in kinds:
        raise ValueError("stop orders and open orders are cancelled in separate runs")
    return CancelRun(client, batch_method_for(refs), journal=journal, settings=settings)


def scope_holds(client: GateClient, scope: Scope) -> tuple[list[Order], list[Order]]:
    """What a scope holds on Gate right now: its open orders, and its stop orders when it includes them."""
    orders = list_scope(client, scope)
    stops = [o for o in load_scope_stop_orders(client, scope) if scope.matches(o)] if scope.include_stop_orders else []
    return orders, stops


def guard_holds(client: GateClient, scope: Scope) -> list[Order]:
    """What a guard's scope holds on Gate right now (what arming it cancels at once), every market of it."""
    return list_guarded(client, scope)


class ScopeCancel:
    """A server-side cancel-all of one scope, not yet started; `stop()` may come from any thread."""

    def __init__(self, client: GateClient, scope: Scope, *, journal: Journal | None = None) -> None:
        self.client, self.scope, self.journal = client, scope, journal
        self._stop = threading.Event()

    def run(self, on_outcome: OnOutcome | None = None) -> CancelAllResult:
        return cancel_all(self.client, self.scope, journal=self.journal, on_outcome=on_outcome, stop=self._stop)

    def stop(self) -> None:
        self._stop.set()

