"""Every request's deadline, from sending to the whole answer (the request timeout).

httpx's timeouts apply to each read, so a server that drips its answer a byte at a time holds a request as
long as it likes; only a deadline for the whole request ends it. Past it the request is "no answer" (the
cancel engine then asks the orders), or "not sent" when it never left."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx


class AnswerDeadline(httpx.ReadTimeout):
    """The whole answer did not come within the request timeout of sending (a server that drips its answer
    resets httpx's per-read timeout with every byte): no answer, the request may have been applied."""


class ConnectDeadline(httpx.ConnectTimeout):
    """Nothing was sent within the connect and request timeouts (no connection, or none free)."""


class Deadlines:
    """Every request's deadline on one loop, kept by one timer for all of them (checked every TICK_S while
    any request is out): a timer of its own per request (asyncio.timeout) cost ~2 % of a request's
    instructions, counted under callgrind. A request past its deadline is cancelled and told so."""

    TICK_S = 0.05

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._due: dict[asyncio.Task[Any], float] = {}
        self._expired: set[asyncio.Task[Any]] = set()
        self._ticking = False

    def start(self, task: asyncio.Task[Any], seconds: float) -> None:
        self._due[task] = self._loop.time() + seconds
        if not self._ticking:
            self._ticking = True
            self._loop.call_later(self.TICK_S, self._sweep)

    def extend(self, task: asyncio.Task[Any], seconds: float) -> None:
        """The deadline is now `seconds` from this moment (sending has started)."""
        if task in self._due:
            self._due[task] = self._loop.time() + seconds

    def expired(self, task: asyncio.Task[Any]) -> bool:
        """Whether this request's deadline cancelled it (and not someone else)."""
        return task in self._expired

    def end(self, task: asyncio.Task[Any]) -> None:
        """The request is over, whichever way."""
        self._due.pop(task, None)
        self._expired.discard(task)

    def _sweep(self) -> None:
        now = self._loop.time()
        for task, due in list(self._due.items()):
            if due <= now:
                del self._due[task]
                self._expired.add(task)
                task.cancel()
        if self._due:
            self._loop.call_later(self.TICK_S, self._sweep)
        else:
            self._ticking = False


class Deadline:
    """One request's deadline: connect + request timeout until its headers start to leave, then the request
    timeout from that moment to the whole answer. httpcore's trace hook says when sending starts; the hook
    is then taken off the request, so the rest of it is not traced (tracing every step of every request
    cost ~1 % of a request's instructions)."""

    __slots__ = ("answer_s", "deadlines", "extensions", "sending", "task")

    def __init__(self, deadlines: Deadlines, task: asyncio.Task[Any], answer_s: float) -> None:
        self.deadlines, self.task, self.answer_s, self.sending = deadlines, task, answer_s, False
        self.extensions: dict[str, Any] = {}

    def watch(self, extensions: dict[str, Any]) -> None:
        """Hook into the request whose extensions these are (httpcore reads them at each step)."""
        self.extensions = extensions
        extensions["trace"] = self.trace

    async def trace(self, name: str, info: dict[str, Any]) -> None:
        if name.endswith("send_request_headers.started"):
            self.sending = True
            self.deadlines.extend(self.task, self.answer_s)
            self.extensions.pop("trace", None)
