"""The paper exchange's router: a method and a path template ('/futures/{settle}/orders/{id}') name a
handler. Endpoint modules only list their routes; what runs around a handler (signature, limits, faults)
is middleware, applied in order by `through`, so no endpoint repeats it."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from gatecancel_gui.paper.errors import ApiError

PREFIX = "/api/v4"
Reply = tuple[int, Any]  # status, JSON payload


@dataclass
class Call:
    """One request as middleware and endpoints see it."""

    method: str
    target: str                     # path and query as sent
    path: str                       # PREFIX and the endpoint: what a signature covers
    raw_query: str
    query: dict[str, str]
    body: bytes
    header: Callable[[str], Any]    # a request header by name (any case), or None
    route: Route
    params: dict[str, str]          # the template's {names}, as in the path
    reply_headers: dict[str, str] = field(default_factory=dict)  # for the answer (rate limits)

    @property
    def endpoint(self) -> str:
        return self.path[len(PREFIX):]

    def limit_offset(self, most: int | None) -> tuple[int, int]:
        """Gate's limit (1..most when `most` is given) and offset paging."""
        try:
            limit, offset = int(self.query.get("limit", "100")), int(self.query.get("offset", "0"))
        except ValueError:
            raise ApiError(400, "INVALID_PARAM_VALUE", "limit and offset must be integers") from None
        if most is not None and (not 1 <= limit <= most or offset < 0):
            raise ApiError(400, "INVALID_PARAM_VALUE", f"limit must be 1..{most} and offset >= 0")
        return limit, offset


Handler = Callable[[Call], Reply]


@dataclass
class Answer:
    """What goes back: a JSON payload, or exact bytes; dripped byte by byte, or the connection dropped."""

    status: int
    payload: Any = None
    raw: bytes | None = None        # the body as it is, instead of the payload as JSON
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    drip_s: float | None = None     # one byte every drip_s seconds
    dropped: bool = False           # no answer at all


Next = Callable[[Call], Answer]
Step = Callable[[Call, Next], Answer]  # a middleware step: answers itself, or calls the next one


def through(steps: Sequence[Step], last: Next) -> Next:
    """`last` wrapped in `steps`, the first step outermost."""
    for step in reversed(steps):
        last = _wrap(step, last)
    return last


def _wrap(step: Step, inner: Next) -> Next:
    return lambda call: step(call, inner)


@dataclass(frozen=True)
class Route:
    method: str
    template: str                   # '/spot/orders/{id}': each {name} matches one path segment
    handler: Handler
    public: bool = False            # Gate's public endpoints need no signature and count against no limit
    batch: bool = False             # answers one result an order asked for: statistics count them
    pattern: re.Pattern[str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\\\{(\w+)\\\}", r"(?P<\1>[^/]+)", re.escape(self.template))
        object.__setattr__(self, "pattern", re.compile(f"^{regex}$"))

    def fault_key(self, params: dict[str, str]) -> str:
        """The name a fault plan is given: the template with {id} kept and its other names filled in
        ('GET /spot/orders/{id}', 'POST /futures/usdt/batch_cancel_orders')."""
        path = re.sub(r"\{(\w+)\}", lambda m: m.group(0) if m.group(1) == "id" else params[m.group(1)],
                      self.template)
        return f"{self.method} {path}"


class Router:
    def __init__(self) -> None:
        self.routes: list[Route] = []

    def add(self, method: str, template: str, handler: Handler, *, public: bool = False,
            batch: bool = False) -> None:
        self.routes.append(Route(method, template, handler, public, batch))

    def match(self, method: str, endpoint: str) -> tuple[Route, dict[str, str]] | None:
        for route in self.routes:
            found = route.pattern.match(endpoint)
            if found and route.method == method:
                return route, found.groupdict()
        return None
