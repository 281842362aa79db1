"""The one error an endpoint or a middleware step raises to answer as Gate does: a status, Gate's label
and message as JSON, and any headers (a 429's reset time). Its own module so every part can raise it."""

from __future__ import annotations


class ApiError(Exception):
    def __init__(self, status: int, label: str, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(label)
        self.status, self.label, self.message = status, label, message
        self.headers = headers or {}
