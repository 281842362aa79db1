"""Which currency pairs Gate lists (public GET /spot/currency_pairs), so a mistyped pair is refused with
the pair that was probably meant instead of "no open orders match" (which reads as "nothing to do").

The list is large (thousands of pairs) and the same for everyone, so it is kept in memory for the process
and in a small JSON file in the data directory for a day. A cached list may only say yes: Gate lists new
pairs every week, so a pair missing from it is checked against a fresh list before it is refused. When the
list cannot be read at all the pair is let through unchecked: a cancel must never wait on a public list."""

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

from gatecancel_gui.core.client import GateClient
from gatecancel_gui.core.errors import ConfigError, GateError
from gatecancel_gui.core.paths import data_dir

log = logging.getLogger(__name__)

CACHE_NAME = "currency-pairs.json"
MAX_AGE_S = 24 * 3600.0
SEPARATORS = re.compile(r"[\s/\-:.,]+")

Notice = Callable[[str], None]


@dataclass(frozen=True)
class PairList:
    pairs: frozenset[str]
    fetched_at: float    # time.time() when Gate was asked

    def fresh(self, now: float, max_age_s: float = MAX_AGE_S) -> bool:
        return 0 <= now - self.fetched_at <= max_age_s


_memory: dict[str, PairList] = {}   # base URL -> list read by this process
_lock = threading.Lock()


def normalise_pair(text: str) -> str:
    """How the user's pair is sent: trimmed and upper case (Gate's pairs are BASE_QUOTE in capitals)."""
    return (text or "").strip().upper()


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


def no_such_pair(text: str, known: Iterable[str]) -> str:
    """The one sentence for a pair Gate does not list."""
    pair = normalise_pair(text)
    if not pair:
        return "A pair is empty: give one such as BTC_USDT."
    suggestion = closest_pair(pair, known)
    if suggestion:
        return f"There is no pair {pair} on Gate; did you mean {suggestion}?"
    return f"There is no pair {pair} on Gate (pairs look like BTC_USDT)."


def load_pairs(client: GateClient, *, fresh: bool = False, cache_path: Path | None = None,
               now: Callable[[], float] = time.time, stop: threading.Event | None = None) -> PairList:
    """Gate's pair list for this client's base URL: from memory or the cache file while under a day old,
    else (or with `fresh`) from Gate. Raises GateError when Gate cannot be asked."""
    url = client.base_url
    moment = now()
    if not fresh:
        with _lock:
            cached = _memory.get(url)
        if cached is None:
            cached = _read_cache(cache_path).get(url)
        if cached is not None and cached.fresh(moment):
            with _lock:
                _memory[url] = cached
            return cached
    rows = client.request("GET", "/spot/currency_pairs", signed=False, stop=stop).data
    listed = PairList(frozenset(_pair_ids(rows)), moment)
    if not listed.pairs:
        raise GateError(None, "UNEXPECTED_ANSWER", "the pair list was empty or unreadable")
    with _lock:
        _memory[url] = listed
    _write_cache(cache_path, url, listed, moment)
    return listed


def check_pairs(client: GateClient, texts: Iterable[str], *, notice: Notice | None = None,
                cache_path: Path | None = None, now: Callable[[], float] = time.time,
                stop: threading.Event | None = None) -> list[str]:
    """The pairs as Gate spells them, or ConfigError naming the closest real pair for the first one
    Gate does not list. A no from a cached list is asked again of Gate before it is believed."""
    pairs = [normalise_pair(t) for t in texts]
    for pair in pairs:
        if not pair:
            raise ConfigError(no_such_pair(pair, []))
    if not pairs:
        return pairs
    started = now()
    try:
        listed = load_pairs(client, cache_path=cache_path, now=now, stop=stop)
        if not set(pairs) <= listed.pairs and listed.fetched_at < started:   # a cached no: ask Gate
            listed = load_pairs(client, fresh=True, cache_path=cache_path, now=now, stop=stop)
    except GateError as exc:
        log.info("pair list unreadable: %s", exc.label)
        if notice is not None:
            notice(f"Gate's pair list could not be read ({exc.label}); {', '.join(pairs)} sent unchecked.")
        return pairs
    for pair in pairs:
        if pair not in listed.pairs:
            raise ConfigError(no_such_pair(pair, listed.pairs))
    return pairs


def check_pair(client: GateClient, text: str, *, notice: Notice | None = None,
               cache_path: Path | None = None, stop: threading.Event | None = None) -> str:
    return check_pairs(client, [text], notice=notice, cache_path=cache_path, stop=stop)[0]


def forget() -> None:
    """Drop what this process remembers (tests; a window switching to another exchange needs nothing)."""
    with _lock:
        _memory.clear()


def _pair_ids(rows: Any) -> list[str]:
    if not isinstance(rows, list):
        return []
    return [r["id"].upper() for r in rows if isinstance(r, dict) and isinstance(r.get("id"), str) and r["id"]]


def _cache_file(cache_path: Path | None) -> Path:
    return cache_path or data_dir() / CACHE_NAME


def _read_cache(cache_path: Path | None) -> dict[str, PairList]:
    """Every cached list by base URL; a missing or damaged file is simply no cache."""
    try:
        raw = json.loads(_cache_file(cache_path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    lists: dict[str, PairList] = {}
    if isinstance(raw, dict):
        for url, entry in raw.items():
            if isinstance(entry, dict) and isinstance(entry.get("pairs"), list) \
                    and isinstance(entry.get("fetched_at"), (int, float)):
                lists[str(url)] = PairList(frozenset(str(p) for p in entry["pairs"]), float(entry["fetched_at"]))
    return lists


def _write_cache(cache_path: Path | None, url: str, listed: PairList, now: float) -> None:
    """Keep this URL's list and every other one still fresh (paper exchanges come and go on new ports)."""
    path = _cache_file(cache_path)
    lists = {u: p for u, p in _read_cache(cache_path).items() if p.fresh(now)}
    lists[url] = listed
    payload = {u: {"fetched_at": p.fetched_at, "pairs": sorted(p.pairs)} for u, p in lists.items()}
    try:
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")   # two processes may write at once
        tmp.write_text(json.dumps(payload, separators=(",", ":")), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        log.info("pair cache not written: %s", exc)
