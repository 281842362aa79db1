"""What a cancel puts at stake, in words: how many orders, what they are worth per quote currency, which
pairs. The window's confirmation and the command line's prompt say the same thing the same way."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from gatecancel_gui.core.markets import Market
from gatecancel_gui.core.models import Order

PAIRS_NAMED = 4  # then "+N more"


def value_by_quote(orders: Iterable[Order]) -> dict[str, Decimal]:
    """What is still open of the spot orders, per quote currency (left × price)."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for order in orders:
        if not order.market.is_futures:  # contracts are not money: no value is claimed for them
            totals[order.quote_currency] += order.quote_value
    return dict(totals)


def describe_value(orders: Iterable[Order]) -> str:
    """'12,345.67 USDT + 0.52 BTC', largest first; empty when there is nothing."""
    totals = value_by_quote(orders)
    return " + ".join(f"{v:,.2f} {q}" for q, v in sorted(totals.items(), key=lambda kv: -kv[1]))


def describe_pairs(orders: Iterable[Order], named: int = PAIRS_NAMED) -> str:
    """'BTC_USDT, ETH_USDT, SOL_USDT, XRP_USDT +3 more', the pairs with the most orders first."""
    counts: dict[str, int] = defaultdict(int)
    for order in orders:
        counts[order.currency_pair] += 1
    pairs = sorted(counts, key=lambda p: (-counts[p], p))
    more = len(pairs) - named
    return ", ".join(pairs[:named]) + (f" +{more} more" if more > 0 else "")


def has_futures(orders: Iterable[Order]) -> bool:
    return any(o.market.is_futures for o in orders)


def by_market(orders: Iterable[Order]) -> str:
    """' (Spot 300, USDT perpetual 90)' when futures are among them; '' for spot alone."""
    counts: dict[Market, int] = defaultdict(int)
    for order in orders:
        counts[order.market] += 1
    if not any(m.is_futures for m in counts):
        return ""
    return " (" + ", ".join(f"{m.display_name} {counts[m]}" for m in Market if counts.get(m)) + ")"


def cancel_question(orders: list[Order], environment: str, *, noun: str = "orders", hidden: int = 0,
                    skipped: int = 0) -> str:
    """The confirmation for cancelling these orders: count, value, pairs, what the filter hides, what is
    skipped because it is already cancelled or gone."""
    pairs = len({(o.market, o.currency_pair) for o in orders})  # DOGE_USDT spot and its perpetual are two
    one = noun[:-1] if noun.endswith("s") else noun
    futures = has_futures(orders)
    where = f"{pairs} {'instrument' if futures else 'pair'}{'s' if pairs != 1 else ''}"
    lines = [f"Cancel {len(orders)} {one if len(orders) == 1 else noun} in {where} on {environment.upper()}?", ""]
    if futures:
        lines.append("Markets: " + by_market(orders).strip()[1:-1])
    value = describe_value(o for o in orders if not o.market.is_futures)
    if value:
        lines.append(f"Value still open{' (spot)' if futures else ''}: {value}")
    lines.append(f"{'Pairs and contracts' if futures else 'Pairs'}: {describe_pairs(orders)}")
    if hidden:
        lines.append(f"{hidden} of them {'is' if hidden == 1 else 'are'} hidden by the filter (included).")
    if skipped:
        lines.append(f"{skipped} checked {'is' if skipped == 1 else 'are'} already cancelled or gone: not sent again.")
    return "\n".join(lines)
