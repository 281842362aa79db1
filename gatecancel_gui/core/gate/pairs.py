"""Which currency pairs Gate lists (public GET /spot/currency_pairs), and which contracts a futures
settlement lists (GET /futures/{settle}/contracts), so a mistyped pair or contract is refused with the one
that was probably meant instead of "no open orders match" (which reads as "nothing to do").

A list is the same for everyone (the spot one has thousands of pairs), so it is kept in memory for the
process and in a small JSON file in the data directory for a day. A cached list may only say yes: Gate
lists new pairs every week, so a name missing from it is checked against a fresh list before it is refused.
When the list cannot be read at all the name is let through unchecked: a cancel must never wait on a public
list."""

from __future__ import annotations

import difflib
import json
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gatecancel_gui.core.domain.errors import NOT_GATE_LABELS, ConfigError, GateError
from gatecancel_gui.core.domain.markets import normalise_pair
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.store.paths import data_dir

log = logging.getLogger(__name__)

CACHE_NAME = "currency-pairs.json"
MAX_AGE_S = 24 * 3600.0
SEPARATORS = re.compile(r"[\s/\-:.,]+")

Notice = Callable[[str], None]


@dataclass(frozen=True)
class Listing:
    """One of Gate's public lists of names, and how a sentence calls what it lists."""

    endpoint: str       # GET this (public)
    field: str          # each row's name is in this field
    noun: str           # "pair", "USDT perpetual contract"
    cache_name: str     # the cache file in the data directory


SPOT_PAIRS = Listing("/spot/currency_pairs", "id", "pair", CACHE_NAME)


@dataclass(frozen=True)
class PairList:
    pairs: frozenset[str]
    fetched_at: float    # time.time() when Gate was asked

    def fresh(self, now: float, max_age_s: float = MAX_AGE_S) -> bool:
        return 0 <= now - self.fetched_at <= max_age_s


_memory: dict[tuple[str, str], PairList] = {}   # (base URL, endpoint) -> list read by this process
_lock = threading.Lock()


def closest_pair(text: str, known: Iterable[str]) -> str | None:
    """The real pair the user most likely meant: another separator or a missing underscore first
    (BTCUSDT, btc/usdt), then the nearest spelling (difflib)."""
    pairs = set(known)
    wanted = normalise_pair(text)
    joined = SEPARATORS.sub("_", wanted).strip("_")
    if joined in pairs:
        return joined
    bare = joined.replace("_", "")
    for cut in range(len(bare) - 1, 0, -1):   # from the right: quotes are short (USDT, BTC, ETH)
        candidate = f"{bare[:cut]}_{bare[cut:]}"
        if candidate in pairs:
            return candidate
    close = difflib.get_close_matches(joined or wanted, sorted(pairs), n=1, cutoff=0.6)
    return close[0] if close else None


def no_such_pair(text: str, known: Iterable[str], listing: Listing = SPOT_PAIRS) -> str:
    """The one sentence for a pair (or a contract) Gate does not list."""
    pair = normalise_pair(text)
    if not pair:
        return f"A {listing.noun} is empty: give one such as BTC_USDT."
    suggestion = closest_pair(pair, known)
    if suggestion:
        return f"There is no {listing.noun} {pair} on Gate; did you mean {suggestion}?"
    return f"There is no {listing.noun} {pair} on Gate ({listing.noun}s look like BTC_USDT)."


def load_pairs(client: GateClient, *, fresh: bool = False, cache_path: Path | None = None,
               now: Callable[[], float] = time.time, stop: threading.Event | None = None,
               listing: Listing = SPOT_PAIRS) -> PairList:
    """Gate's pair list (or another listing) for this client's base URL: from memory or the cache file
    while under a day old, else (or with `fresh`) from Gate. Raises GateError when Gate cannot be asked."""
    url = client.base_url
    key = (url, listing.endpoint)
    moment = now()
    if not fresh:
        with _lock:
            cached = _memory.get(key)
        if cached is None:
            cached = _read_cache(cache_path, listing).get(url)
        if cached is not None and cached.fresh(moment):
            with _lock:
                _memory[key] = cached
            return cached
    rows = client.request("GET", listing.endpoint, signed=False, stop=stop).data
    listed = PairList(frozenset(_pair_ids(rows, listing.field)), moment)
    if not listed.pairs:
        raise GateError(None, "UNEXPECTED_ANSWER", f"the {listing.noun} list was empty or unreadable")
    with _lock:
        _memory[key] = listed
    _write_cache(cache_path, url, listed, moment, listing)
    return listed


def check_pairs(client: GateClient, texts: Iterable[str], *, notice: Notice | None = None,
                cache_path: Path | None = None, now: Callable[[], float] = time.time,
                stop: threading.Event | None = None, listing: Listing = SPOT_PAIRS) -> list[str]:
    """The pairs (or contracts) as Gate spells them, or ConfigError naming the closest real one for the
    first one Gate does not list. A no from a cached list is asked again of Gate before it is believed."""
    pairs = [normalise_pair(t) for t in texts]
    for pair in pairs:
        if not pair:
            raise ConfigError(no_such_pair(pair, [], listing))
    if not pairs:
        return pairs
    started = now()
    try:
        listed = load_pairs(client, cache_path=cache_path, now=now, stop=stop, listing=listing)
        if not set(pairs) <= listed.pairs and listed.fetched_at < started:   # a cached no: ask Gate
            listed = load_pairs(client, fresh=True, cache_path=cache_path, now=now, stop=stop, listing=listing)
    except GateError as exc:
        if exc.label in NOT_GATE_LABELS:  # not Gate at all: the cancel would meet the same answer
            raise
        log.info("%s list unreadable: %s", listing.noun, exc.label)
        if notice is not None:
            notice(f"Gate's {listing.noun} list could not be read ({exc.label}); {', '.join(pairs)} sent unchecked.")
        return pairs
    for pair in pairs:
        if pair not in listed.pairs:
            raise ConfigError(no_such_pair(pair, listed.pairs, listing))
    return pairs


def check_pair(client: GateClient, text: str, *, notice: Notice | None = None,
               cache_path: Path | None = None, stop: threading.Event | None = None) -> str:
    return check_pairs(client, [text], notice=notice, cache_path=cache_path, stop=stop)[0]


def forget() -> None:
    """Drop what this process remembers (tests; a window switching to another exchange needs nothing)."""
    with _lock:
        _memory.clear()


def _pair_ids(rows: Any, field: str = "id") -> list[str]:
    if not isinstance(rows, list):
        return []
    return [r[field].upper() for r in rows if isinstance(r, dict) and isinstance(r.get(field), str) and r[field]]


def _cache_file(cache_path: Path | None, listing: Listing = SPOT_PAIRS) -> Path:
    return cache_path or data_dir() / listing.cache_name


def _read_cache(cache_path: Path | None, listing: Listing = SPOT_PAIRS) -> dict[str, PairList]:
    """Every cached list by base URL; a missing or damaged file is simply no cache."""
    try:
        raw = json.loads(_cache_file(cache_path, listing).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    lists: dict[str, PairList] = {}
    if isinstance(raw, dict):
        for url, entry in raw.items():
            if isinstance(entry, dict) and isinstance(entry.get("pairs"), list) \
                    and isinstance(entry.get("fetched_at"), (int, float)):
                lists[str(url)] = PairList(frozenset(str(p) for p in entry["pairs"]), float(entry["fetched_at"]))
    return lists


def _write_cache(cache_path: Path | None, url: str, listed: PairList, now: float,
                 listing: Listing = SPOT_PAIRS) -> None:
    """Keep this URL's list and every other one still fresh (paper exchanges come and go on new ports)."""
    path = _cache_file(cache_path, listing)
    lists = {u: p for u, p in _read_cache(cache_path, listing).items() if p.fresh(now)}
    lists[url] = listed
    payload = {u: {"fetched_at": p.fetched_at, "pairs": sorted(p.pairs)} for u, p in lists.items()}
    try:
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")   # two processes may write at once
        tmp.write_text(json.dumps(payload, separators=(",", ":")), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        log.info("pair cache not written: %s", exc)
