"""How the command line prints orders and outcomes: one table/JSON/CSV printer for every command."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TextIO

from gatecancel_gui.core.export import write_csv
from gatecancel_gui.core.models import CancelOutcome, Order

ORDER_FIELDS = ["currency_pair", "id", "side", "type", "price", "amount", "left", "create_time_ms", "text"]


def order_json(o: Order) -> dict[str, object]:
    """Numbers as strings (as Gate sends them), ids as strings, times as integers."""
    return {k: (v if isinstance(v, int) else str(v)) for k, v in zip(ORDER_FIELDS, order_row(o), strict=True)}


def order_row(o: Order) -> list[object]:
    return [o.currency_pair, o.id, o.side, o.type, o.price, o.amount, o.left, o.create_time_ms, o.text]


def print_orders(orders: list[Order], noun: str, args: argparse.Namespace, out: TextIO) -> None:
    """Orders (open or stop) as a table or JSON, and to a CSV file when asked."""
    orders = sorted(orders, key=lambda o: (o.currency_pair, o.create_time_ms))
    if args.csv:
        write_csv(Path(args.csv), ORDER_FIELDS, (order_row(o) for o in orders))
    if args.json:
        json.dump([order_json(o) for o in orders], out, indent=1)
        out.write("\n")
        return
    for o in orders:
        out.write(order_line(o) + f"  {o.text}\n")
    out.write(f"{len(orders)} {noun} in {len({o.currency_pair for o in orders})} pairs\n")


def order_line(o: Order) -> str:
    return f"{o.currency_pair:<12} {o.side:<4} {o.price:>14} {o.left:>16} {o.id:>20}"


def print_outcomes(outcomes: list[CancelOutcome], as_json: bool, out: TextIO) -> None:
    if as_json:
        json.dump([o.as_json() for o in outcomes], out, indent=1)
        out.write("\n")
        return
    for o in outcomes:
        detail = f"{o.label} {o.message}".strip()
        out.write(f"{o.ref.currency_pair:<12} {o.ref.id:>20}  {o.state.value:<10} {detail}\n")
