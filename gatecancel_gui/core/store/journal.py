"""An append-only JSONL record of every cancel request sent and what came of it.

Each request writes a `sent` line before it goes and an `answer` line when it ends (with the per-order
results, or "no answer"), so a crash never hides a request. Never a key, a secret or a signature.
"""

from __future__ import annotations

import errno
import json
import random
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from gatecancel_gui.core.store.paths import data_dir

JOURNAL_NAME = "cancel-journal.jsonl"


class Journal:
    """The file is opened once and each line is flushed to the operating system as it is written (a crash
    of the app loses nothing): opening it for every line cost ~0.8 ms a line here, in front of every
    cancel request of a run."""

    def __init__(self, path: Path | None = None) -> None:
        self.path = path or data_dir() / JOURNAL_NAME  # its folder is made at the first line: making a
        # journal never fails, writing one may (the run then sends anyway and says so)
        self._lock = threading.Lock()
        self._file: TextIO | None = None
        self._ids = random.Random()  # seeded from the OS once: a request id costs no system call

    def _append(self, record: dict[str, Any]) -> None:
        line = json.dumps(record, separators=(",", ":"), default=str) + "\n"
        with self._lock:
            try:
                if self._file is None or self._file.closed:
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    self._file = self.path.open("a", encoding="utf-8")
                    weakref.finalize(self, _close_quietly, self._file)
                self._file.write(line)
                self._file.flush()
            except OSError:  # a full disk: drop what could not be written, so no later flush raises it again
                if self._file is not None:
                    _close_quietly(self._file)
                    self._file = None
                raise

    def close(self) -> None:
        with self._lock:
            if self._file is not None:
                self._file.close()

    def sent(self, method: str, endpoint: str, orders: list[tuple[str, str]], attempt: int = 1,
             environment: str = "", *, market: str = "") -> str:
        with self._lock:
            request_id = f"{self._ids.getrandbits(48):012x}"
        record: dict[str, Any] = {
            "time": _now(), "event": "sent", "request": request_id, "method": method,
            "endpoint": endpoint, "environment": environment, "attempt": attempt,
            "orders": [{"currency_pair": p, "id": i} for p, i in orders],
        }
        if market:
            record["market"] = market
        self._append(record)
        return request_id

    def answered(self, request_id: str, *, status: int | None, latency_ms: float | None,
                 results: list[dict[str, Any]] | None = None, error: str = "") -> None:
        record: dict[str, Any] = {
            "time": _now(), "event": "answer", "request": request_id, "status": status,
            "latency_ms": None if latency_ms is None else round(latency_ms, 1),
        }
        if results is not None:
            record["results"] = results
        if error:
            record["error"] = error
        self._append(record)

    def settled(self, endpoint: str, results: list[dict[str, Any]], environment: str = "") -> None:
        """Outcomes read from the orders' own records after the requests (e.g. a cancel-all's confirmation)."""
        self._append({"time": _now(), "event": "settled", "endpoint": endpoint, "environment": environment,
                      "results": results})

    def read(self) -> list[dict[str, Any]]:
        """Every readable record (damaged lines skipped: see `contents`)."""
        return self.contents().records

    def contents(self) -> JournalContents:
        """Every record, and how many lines were damaged: a line cut short by a crash mid-write, or edited
        into something that is not a record, is skipped and counted, never a reason to show nothing."""
        if not self.path.exists():
            return JournalContents([], 0)
        if not self.path.is_file():  # a device (/dev/full never ends) or a folder: never read without end
            raise OSError(errno.EINVAL, "it is not a regular file")
        records: list[dict[str, Any]] = []
        damaged = 0
        with self.path.open(encoding="utf-8", errors="replace") as fh:
            for line in fh:
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except ValueError:
                    record = None
                if isinstance(record, dict):
                    records.append(record)
                else:
                    damaged += 1
        return JournalContents(records, damaged)


@dataclass(frozen=True)
class JournalContents:
    records: list[dict[str, Any]]
    damaged: int   # lines skipped: not JSON (cut short, edited by hand) or JSON but not a record


def _close_quietly(file: TextIO) -> None:
    try:
        file.close()
    except OSError:  # its buffer could not be written: the line's failure was reported when it was written
        pass


def _now(now: float | None = None) -> str:
    """UTC with milliseconds, from one reading of the clock (two readings across a second's turn wrote
    10:12:34.999 then 10:12:34.000)."""
    now = time.time() if now is None else now
    millis = int(now * 1000)
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(millis // 1000)) + f".{millis % 1000:03d}Z"


def unanswered(records: list[dict[str, Any]]) -> set[str]:
    """Request ids with a `sent` line and no `answer` line: requests whose fate was never recorded."""
    sent = {str(r["request"]) for r in records if r.get("event") == "sent" and "request" in r}
    answered = {str(r["request"]) for r in records if r.get("event") == "answer" and "request" in r}
    return sent - answered


# Environment: paper and live lines side by side must be told apart
COLUMNS = ["Time (UTC)", "Environment", "Event", "Request", "Endpoint", "Orders", "Status", "Latency ms", "Result"]
NO_ENVIRONMENT = "—"  # lines written before the journal said where


def _entries(value: Any) -> list[dict[str, Any]]:
    """A record's list of orders or results, without what is not an entry (a line edited by hand)."""
    return [x for x in value if isinstance(x, dict)] if isinstance(value, list) else []


def environments(records: list[dict[str, Any]]) -> list[str]:
    """Each line's environment: its own, or (an answer line) its request's; NO_ENVIRONMENT when unknown."""
    of_request = {str(r.get("request")): str(r["environment"]) for r in records
                  if r.get("event") == "sent" and r.get("environment")}
    return [str(r.get("environment") or of_request.get(str(r.get("request")), "")) or NO_ENVIRONMENT
            for r in records]


def journal_rows(records: list[dict[str, Any]]) -> list[list[str]]:
    """One readable row per journal line (COLUMNS), for the window's view and the command line. Give it
    every line and filter the rows after: an answer line's environment is its request's."""
    return [[row[0], where, *row[1:]] for row, where in zip(_rows(records), environments(records), strict=True)]


def _rows(records: list[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for r in records:
        if r.get("event") == "sent":
            orders = _entries(r.get("orders"))
            ids = ", ".join(f"{o.get('currency_pair')}:{o.get('id')}" for o in orders)
            rows.append([str(r.get("time", "")), "sent", str(r.get("request", "")),
                         f"{r.get('method', '')} {r.get('endpoint', '')}", f"{len(orders)}: {ids}", "", "",
                         f"attempt {r.get('attempt', 1)}"])
        elif r.get("event") == "settled":
            results = _entries(r.get("results"))
            ok = sum(1 for x in results if x.get("succeeded"))
            others = [f"{x.get('id')}: {x.get('label')}" for x in results if not x.get("succeeded")]
            rows.append([str(r.get("time", "")), "settled", "", str(r.get("endpoint", "")),
                         f"{len(results)}: " + ", ".join(f"{x.get('currency_pair')}:{x.get('id')}" for x in results),
                         "", "", f"from the orders' records: {ok} cancelled" + (
                             f"; {', '.join(others)}" if others else "")])
        else:
            results = _entries(r.get("results"))
            ok = sum(1 for x in results if x.get("succeeded"))
            failed = [f"{x.get('id')}: {x.get('label')}" for x in results if not x.get("succeeded")]
            scope_wide = [x.get("message", "") for x in results if x.get("id") == "*"]
            result = r.get("error") or (scope_wide[0] if scope_wide else f"{ok}/{len(results)} succeeded" + (
                f"; {', '.join(failed[:3])}" if failed else ""))
            rows.append([str(r.get("time", "")), "answer", str(r.get("request", "")), "", str(len(results)),
                         str(r.get("status", "")), str(r.get("latency_ms", "")), str(result)])
    return rows
