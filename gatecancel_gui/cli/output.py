"""How the command line prints orders and outcomes: one table/JSON/CSV printer for every command, and
output whose reader may go away (`gatecancel orders | head -1`)."""

from __future__ import annotations

import argparse
import errno
import io
import json
import os
from pathlib import Path
from typing import Any, TextIO, cast

from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.domain.orders import Order
from gatecancel_gui.core.domain.outcomes import CancelOutcome
from gatecancel_gui.core.domain.wording import describe_instruments, plural
from gatecancel_gui.core.store.export import write_csv

ORDER_FIELDS = ["currency_pair", "id", "side", "type", "price", "amount", "left", "create_time_ms", "text"]


def order_json(o: Order) -> dict[str, object]:
    """Numbers as strings (as Gate sends them), ids as strings, times as integers; the market, and the
    instrument as `currency_pair` (spot) or `contract` (futures, with its reduce-only and close flags)."""
    row: dict[str, object] = {"market": o.market.value}
    row.update({k: (v if isinstance(v, int) else str(v)) for k, v in zip(ORDER_FIELDS, order_row(o), strict=True)})
    if o.market.is_futures:
        row["contract"] = row.pop("currency_pair")
        row["reduce_only"], row["close"] = o.reduce_only, o.is_close
    return row


def order_row(o: Order) -> list[object]:
    return [o.instrument, o.id, o.side, o.type, o.price, o.amount, o.left, o.create_time_ms, o.text]


# A CSV has one header for every row: the market says which book a row is in (spot and perpetual BTC_USDT
# are two), and a futures size, counted in contracts, never sits in the coin-amount column.
CSV_FIELDS = ["market", "currency_pair", "contract", "id", "side", "type", "price", "amount", "left",
              "contracts", "contracts_left", "create_time_ms", "text"]


def csv_row(o: Order) -> list[object]:
    if o.market.is_futures:
        return [o.market.value, "", o.instrument, o.id, o.side, o.type, o.price, "", "", o.amount, o.left,
                o.create_time_ms, o.text]
    return [o.market.value, o.instrument, "", o.id, o.side, o.type, o.price, o.amount, o.left, "", "",
            o.create_time_ms, o.text]


def print_orders(orders: list[Order], noun: str, args: argparse.Namespace, out: TextIO, *,
                 one_line: bool = False) -> None:
    """Orders (open or stop) as a table or JSON, and to a CSV file when asked; `noun` is singular
    ("open order"): the count says it. `one_line`: the JSON array on one line (`orders --follow` prints
    one JSON value per line after it)."""
    orders = sorted(orders, key=lambda o: (o.instrument, o.create_time_ms))
    if args.csv:
        try:
            write_csv(Path(args.csv), CSV_FIELDS, (csv_row(o) for o in orders))
        except OSError as exc:
            raise ConfigError(f"Could not write {args.csv}: {exc.strerror or exc}.") from None
    if args.json:
        json.dump([order_json(o) for o in orders], out, indent=None if one_line else 1)
        out.write("\n")
        return
    futures = any(o.market.is_futures for o in orders) or getattr(args, "market", "spot") != "spot"
    market_head = f"{'Market':<13} " if futures else ""
    out.write(f"{market_head}{'Pair':<12} {'Side':<4} {'Price':>14} {'Left':>16} {'Id':>20}  Text\n")
    for o in sorted(orders, key=lambda o: list(Market).index(o.market)):
        market = f"{o.market.value:<13} " if futures else ""
        flags = " reduce-only" if o.reduce_only else ""
        out.write(f"{market}{order_line(o)}  {o.text}{flags}\n")
    out.write(f"{plural(len(orders), noun)} in {describe_instruments(orders)}\n")


def order_line(o: Order) -> str:
    return f"{o.instrument:<12} {o.side:<4} {o.price:>14} {o.left:>16} {o.id:>20}"


def print_outcomes(outcomes: list[CancelOutcome], as_json: bool, out: TextIO) -> None:
    if as_json:
        json.dump([o.as_json() for o in outcomes], out, indent=1)
        out.write("\n")
        return
    futures = any(o.ref.market.is_futures for o in outcomes)
    if outcomes:
        head = f"{'Market':<13} {'Contract':<12}" if futures else f"{'Pair':<12}"
        out.write(f"{head} {'Id':>20}  {'Result':<10} Detail\n")
    for o in outcomes:
        detail = f"{o.label} {o.message}".strip()
        market = f"{o.ref.market.value:<13} " if futures else ""
        out.write(f"{market}{o.ref.instrument:<12} {o.ref.id:>20}  {o.state.value:<10} {detail}\n")


def reader_left(exc: BaseException) -> bool:
    """Whether writing failed because the reader closed its end of a pipe. On Windows a closed pipe often
    fails with EINVAL (an OSError) rather than BrokenPipeError, so both mean the reader left."""
    return isinstance(exc, BrokenPipeError) or (isinstance(exc, OSError) and exc.errno == errno.EINVAL)


class ReaderSafe:
    """A text stream whose reader may leave (a closed pipe): from then on it writes to /dev/null, silently,
    so the command still finishes (a cancel reports, journals and keeps its exit status) and the
    interpreter's last flush at exit finds nothing to complain about (Python's documented recipe).

    Output that cannot be written at all (stdout closed, so Python made it None; a full disk) is not
    silent: the command still finishes, and `failed` says why, for one sentence at the end."""

    def __init__(self, stream: TextIO | None) -> None:
        self._stream = stream
        self.gone = stream is None
        self.failed = "it is closed" if stream is None else ""

    def write(self, text: str) -> int:
        if not self.gone and self._stream is not None:
            try:
                self._stream.write(text)
            except (OSError, ValueError) as exc:  # ValueError: written after the file was closed
                if reader_left(exc):
                    self._leave()
                else:
                    self._fail(exc)
        return len(text)

    def flush(self) -> None:
        if not self.gone and self._stream is not None:
            try:
                self._stream.flush()
            except (OSError, ValueError) as exc:
                if reader_left(exc):
                    self._leave()
                else:
                    self._fail(exc)

    def _fail(self, exc: Exception) -> None:
        self.failed = (exc.strerror if isinstance(exc, OSError) else "") or str(exc) or type(exc).__name__
        self._leave()

    def _leave(self) -> None:
        self.gone = True
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, self._stream.fileno())  # type: ignore[union-attr]
            finally:
                os.close(devnull)
        except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
            pass  # not a real file descriptor: nothing is left to flush at exit

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


def reader_safe(stream: TextIO | None) -> TextIO:
    return stream if isinstance(stream, ReaderSafe) else cast(TextIO, ReaderSafe(stream))


def reader_gone(stream: TextIO) -> bool:
    """True once nobody reads this output any more (a watch can stop then)."""
    return isinstance(stream, ReaderSafe) and stream.gone


def write_failure(stream: TextIO) -> str:
    """Why this output could not be written ("" when it could, or when its reader merely left)."""
    return stream.failed if isinstance(stream, ReaderSafe) else ""
