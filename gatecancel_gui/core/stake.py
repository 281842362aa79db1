"""What a cancel puts at stake, in words: how many orders, what they are worth per quote currency, which
pairs. The window's confirmation and the command line's prompt say the same thing the same way."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from gatecancel_gui.core.models import Order

PAIRS_NAMED = 4  # then "+N more"


def value_by_quote(orders: Iterable[Order]) -> dict[str, Decimal]:
    """What is still open of the orders, per quote currency (left × price)."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for order in orders:
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


def cancel_question(orders: list[Order], environment: str, *, noun: str = "orders", hidden: int = 0,
                    skipped: int = 0) -> str:
    """The confirmation for cancelling these orders: count, value, pairs, what the filter hides, what is
    skipped because it is already cancelled or gone."""
    pairs = len({o.currency_pair for o in orders})
    one = noun[:-1] if noun.endswith("s") else noun
    lines = [f"Cancel {len(orders)} {one if len(orders) == 1 else noun} in {pairs} pair{'s' if pairs != 1 else ''} "
             f"on {environment.upper()}?", ""]
    value = describe_value(orders)
    if value:
        lines.append(f"Value still open: {value}")
    lines.append(f"Pairs: {describe_pairs(orders)}")
    if hidden:
        lines.append(f"{hidden} of them {'is' if hidden == 1 else 'are'} hidden by the filter (included).")
    if skipped:
        lines.append(f"{skipped} checked {'is' if skipped == 1 else 'are'} already cancelled or gone: not sent again.")
    return "\n".join(lines)
