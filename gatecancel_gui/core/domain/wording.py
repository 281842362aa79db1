"""What a cancel puts at stake, in words: how many orders, what they are worth per quote currency, which
pairs and contracts. The window's confirmation and its status bar count and say it the same way: an
instrument is a market and a name (DOGE_USDT spot and its perpetual are a pair and a contract)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from decimal import Decimal

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order

PAIRS_NAMED = 4  # names per market, then "+N more"


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


def plural(count: int, word: str) -> str:
    """'1 pair', '2 pairs', '1 stop order', '3 stop orders'."""
    return f"{count} {word}{'' if count == 1 else 's'}"


def instruments(orders: Iterable[Order]) -> dict[Market, list[str]]:
    """The names with orders in each market (in Market's order), the ones with the most orders first."""
    counts: dict[Market, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for order in orders:
        counts[order.market][order.instrument] += 1
    return {m: sorted(counts[m], key=lambda name: (-counts[m][name], name)) for m in Market if m in counts}


def describe_instruments(orders: Iterable[Order]) -> str:
    """'14 pairs and 8 contracts', '1 pair', '3 contracts'."""
    names = instruments(orders)
    pairs = len(names.get(Market.SPOT, []))
    contracts = sum(len(v) for m, v in names.items() if m.is_futures)
    words = ([plural(pairs, "pair")] if pairs or not contracts else []) + (
        [plural(contracts, "contract")] if contracts else [])
    return " and ".join(words)


def name_instruments(orders: Iterable[Order], named: int = PAIRS_NAMED) -> list[str]:
    """One line per market naming its pairs or contracts, the first few then '+N more': together they
    name exactly what describe_instruments counts."""
    lines = []
    for market, names in instruments(orders).items():
        more = len(names) - named
        what = "Pairs" if not market.is_futures else f"{market.display_name} contracts"
        lines.append(f"{what}: {', '.join(names[:named])}" + (f" +{more} more" if more > 0 else ""))
    return lines


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
    """The confirmation for cancelling these orders, in the window: the question, a blank line, the details."""
    question, details = cancel_question_parts(orders, environment, noun=noun, hidden=hidden, skipped=skipped)
    return "\n".join([question, "", *details])


def cancel_question_parts(orders: list[Order], environment: str, *, noun: str = "orders", hidden: int = 0,
                          skipped: int = 0) -> tuple[str, list[str]]:
    """The question for cancelling these orders (count, instruments, environment) and its details (value,
    markets, names, what the filter hides, what is skipped because it is already cancelled or gone). The
    window and the command line ask the same question; a terminal prints the details first."""
    one = noun[:-1] if noun.endswith("s") else noun
    futures = has_futures(orders)
    where = describe_instruments(orders)
    question = f"Cancel {len(orders)} {one if len(orders) == 1 else noun} in {where} on {environment.upper()}?"
    lines = []
    if futures:
        lines.append("Markets: " + by_market(orders).strip()[1:-1])
    value = describe_value(o for o in orders if not o.market.is_futures)
    if value:
        lines.append(f"Value still open{' (spot)' if futures else ''}: {value}")
    tail = []
    if hidden:
        tail.append(f"{hidden} of them {'is' if hidden == 1 else 'are'} hidden by the filter (included).")
    if skipped:
        tail.append(f"{skipped} checked {'is' if skipped == 1 else 'are'} already cancelled or gone: not sent again.")
    return question, lines + name_instruments(orders) + tail
