"""A simulated trading bot on the paper exchange, so that a window or a stream following the account has
something live to follow: it places limit orders at a steady rate a little away from the market (text
't-bot-<n>'), and now and then fills, partly fills or cancels one of its own earlier ones. It runs on its
own thread and ends after its time, or on stop(). Spot (Bot) and perpetual futures (FuturesBot)."""

from __future__ import annotations

import random
import re
import threading
import time
from dataclasses import dataclass
from decimal import Decimal

from gatecancel_gui.paper.book import REFERENCE_PRICES, Book
from gatecancel_gui.paper.futures import CONTRACTS, SETTLES, FuturesBook

SPEC_FORMAT = "PAIR:RATE:SECONDS (a spot pair such as ETH_USDT, or usdt/BTC_USDT for a futures contract)"
MAX_RATE_PER_S = 1000.0
MAX_SECONDS = 7 * 24 * 3600.0
_PAIR = re.compile(r"^[A-Z0-9]+_[A-Z0-9]+$")


@dataclass(frozen=True)
class BotSpec:
    instrument: str       # a spot pair, or a futures contract
    rate_per_s: float     # orders placed a second
    seconds: float        # how long it runs
    settle: str = ""      # "" for spot; "usdt" or "btc" for futures


def parse_bot(text: str) -> BotSpec:
    """'ETH_USDT:0.5:600' or 'usdt/BTC_USDT:2:60'; ValueError with a sentence saying what is wrong."""
    parts = text.strip().split(":")
    if len(parts) != 3:
        raise ValueError(f"'{text}' is not a bot: write {SPEC_FORMAT}.")
    where, rate_text, seconds_text = parts
    settle, _, instrument = where.rpartition("/")
    instrument = instrument.upper()
    if settle and settle.lower() not in SETTLES:
        raise ValueError(f"'{settle}' is not a futures settlement: write usdt/CONTRACT or btc/CONTRACT.")
    settle = settle.lower()
    if settle and instrument not in CONTRACTS[settle]:
        raise ValueError(f"{instrument} is not a {settle} contract here ({', '.join(CONTRACTS[settle])}).")
    if not settle and not _PAIR.match(instrument):
        raise ValueError(f"'{where}' is not a currency pair such as ETH_USDT.")
    rate = _number(rate_text, "rate", 0.0, MAX_RATE_PER_S, "orders a second")
    seconds = _number(seconds_text, "time", 0.0, MAX_SECONDS, "seconds")
    return BotSpec(instrument, rate, seconds, settle)


def _number(text: str, what: str, low: float, high: float, unit: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not low < value <= high:  # also refuses nan
        raise ValueError(f"The bot's {what} must be a number of {unit} above {low:g} and at most {high:g}, "
                         f"not '{text}'.")
    return value


class _Bot:
    """The clock and the dice: `_place` one order a tick, then maybe act on an earlier one."""

    def __init__(self, rate_per_s: float, seconds: float, *, fill_share: float, partial_share: float,
                 cancel_share: float, max_open: int | None, seed: int, name: str,
                 fill_on_cancel_share: float = 0.0, label: str = "bot") -> None:
        self.interval_s, self.seconds = 1.0 / rate_per_s, seconds
        # a share of its orders fill just before a cancel reaches them (a guard must report them filled)
        self.fill_on_cancel_share = fill_on_cancel_share
        self.label = label              # its orders' text is 't-<label>-<n>' (a guard's text prefix)
        self.shares = (fill_share, partial_share, cancel_share)
        self.max_open = max_open        # cancel its oldest order past this many of its own open
        self.rng = random.Random(seed)
        self.placed: list[str] = []     # ids of every order it placed, in order
        self.finished = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)

    def start(self) -> _Bot:
        self._thread.start()
        return self

    def stop(self, timeout_s: float = 2.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def _run(self) -> None:
        try:
            started = due = time.monotonic()
            while time.monotonic() - started < self.seconds:
                self.placed.append(self._place(len(self.placed) + 1))
                self._act()
                due += self.interval_s
                if self._stop.wait(max(0.0, due - time.monotonic())):
                    break
        finally:
            self.finished.set()

    def _act(self) -> None:
        mine = self._open_ids()
        if self.max_open is not None and len(mine) > self.max_open:
            self._cancel(mine[0])
            return
        if len(mine) < 2:
            return
        target = self.rng.choice(mine[:-1])
        fill, partial, cancel = self.shares
        roll = self.rng.random()
        if roll < fill:
            self._fill(target, whole=True)
        elif roll < fill + partial:
            self._fill(target, whole=False)
        elif roll < fill + partial + cancel:
            self._cancel(target)

    def _text(self, n: int) -> str:
        return f"t-{self.label}-{n}"

    def _fills_on_cancel(self) -> bool:
        return self.fill_on_cancel_share > 0 and self.rng.random() < self.fill_on_cancel_share

    def _offset(self) -> Decimal:
        return Decimal(str(round(self.rng.uniform(0.003, 0.04), 4)))

    def _place(self, n: int) -> str:
        raise NotImplementedError

    def _open_ids(self) -> list[str]:
        raise NotImplementedError

    def _fill(self, order_id: str, *, whole: bool) -> None:
        raise NotImplementedError

    def _cancel(self, order_id: str) -> None:
        raise NotImplementedError


class Bot(_Bot):
    """A spot bot on one pair."""

    def __init__(self, book: Book, pair: str, rate_per_s: float, seconds: float, *, fill_share: float = 0.1,
                 partial_share: float = 0.1, cancel_share: float = 0.1, max_open: int | None = None,
                 seed: int = 1, fill_on_cancel_share: float = 0.0, label: str = "bot") -> None:
        super().__init__(rate_per_s, seconds, fill_share=fill_share, partial_share=partial_share,
                         cancel_share=cancel_share, max_open=max_open, seed=seed, name=f"paper-bot-{pair}",
                         fill_on_cancel_share=fill_on_cancel_share, label=label)
        self.book, self.pair = book, pair

    def _place(self, n: int) -> str:
        ref = Decimal(REFERENCE_PRICES.get(self.pair, "1.5"))
        side = self.rng.choice(("buy", "sell"))
        price = ref * (1 - self._offset()) if side == "buy" else ref * (1 + self._offset())
        price = price.quantize(Decimal("0.0001") if ref < 10 else Decimal("0.01"))
        notional = Decimal(str(round(self.rng.uniform(20, 800), 2)))
        amount = max((notional / price).quantize(Decimal("0.0001")), Decimal("0.0001"))
        return self.book.place(self.pair, side, price, amount, text=self._text(n),
                               fills_on_cancel=self._fills_on_cancel()).id

    def _open_ids(self) -> list[str]:
        with self.book.lock:
            return [i for i in self.placed if self.book.orders[i].status == "open"]

    def _fill(self, order_id: str, *, whole: bool) -> None:
        with self.book.lock:
            order = self.book.orders[order_id]
            part = ((order.amount - order.filled) / 2).quantize(Decimal("0.0001"))
            self.book.fill(order_id, None if whole or not part else part)

    def _cancel(self, order_id: str) -> None:
        self.book.cancel(order_id, self.pair)


class FuturesBot(_Bot):
    """A futures bot on one contract of a settlement."""

    def __init__(self, futures: FuturesBook, settle: str, contract: str, rate_per_s: float, seconds: float, *,
                 fill_share: float = 0.1, partial_share: float = 0.1, cancel_share: float = 0.1,
                 max_open: int | None = None, seed: int = 1, fill_on_cancel_share: float = 0.0,
                 label: str = "bot") -> None:
        super().__init__(rate_per_s, seconds, fill_share=fill_share, partial_share=partial_share,
                         cancel_share=cancel_share, max_open=max_open, seed=seed,
                         name=f"paper-bot-{settle}-{contract}", fill_on_cancel_share=fill_on_cancel_share,
                         label=label)
        self.futures, self.settle, self.contract = futures, settle, contract

    def _place(self, n: int) -> str:
        ref = Decimal(CONTRACTS[self.settle][self.contract])
        size = self.rng.choice((1, 2, 5, 10, 20)) * self.rng.choice((1, -1))
        price = ref * (1 - self._offset()) if size > 0 else ref * (1 + self._offset())
        price = price.quantize(Decimal("0.0001") if ref < 10 else Decimal("0.1"))
        return str(self.futures.place(self.settle, self.contract, size, price, text=self._text(n),
                               fills_on_cancel=self._fills_on_cancel()).id)

    def _open_ids(self) -> list[str]:
        with self.futures.lock:
            return [i for i in self.placed if self.futures.orders[(self.settle, int(i))].status == "open"]

    def _fill(self, order_id: str, *, whole: bool) -> None:
        with self.futures.lock:
            left = self.futures.orders[(self.settle, int(order_id))].left
            part = abs(left) // 2
            self.futures.fill(self.settle, int(order_id), None if whole or not part else part)

    def _cancel(self, order_id: str) -> None:
        self.futures.cancel(self.settle, order_id)
