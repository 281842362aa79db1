"""One exception type for everything that can go wrong talking to Gate, with a sentence for the user."""

from __future__ import annotations

from enum import Enum


class ErrorClass(str, Enum):
    CREDENTIALS = "credentials"
    CLOCK = "clock"
    PERMISSION = "permission"
    RATE = "rate"
    SERVER = "server"
    REQUEST = "request"
    NETWORK = "network"


_LABEL_CLASSES: dict[str, ErrorClass] = {
    "INVALID_KEY": ErrorClass.CREDENTIALS,
    "INVALID_CREDENTIALS": ErrorClass.CREDENTIALS,
    "INVALID_SIGNATURE": ErrorClass.CREDENTIALS,
    "MISSING_REQUIRED_HEADER": ErrorClass.CREDENTIALS,
    "REQUEST_EXPIRED": ErrorClass.CLOCK,
    "READ_ONLY": ErrorClass.PERMISSION,
    "FORBIDDEN": ErrorClass.PERMISSION,
    "IP_FORBIDDEN": ErrorClass.PERMISSION,
    "ACCOUNT_LOCKED": ErrorClass.PERMISSION,
    "TOO_MANY_REQUESTS": ErrorClass.RATE,
    "SERVER_ERROR": ErrorClass.SERVER,
    "INTERNAL": ErrorClass.SERVER,
    "TOO_BUSY": ErrorClass.SERVER,
}

_PERMISSION_SENTENCES = {
    "READ_ONLY": "This API key is read-only: it may list orders but not cancel them. "
                 "Give it the spot-trade permission on Gate.",
    "IP_FORBIDDEN": "Gate refused this API key from this IP address: add this machine's IP "
                    "to the key's whitelist.",
    "ACCOUNT_LOCKED": "Gate says this account is locked: nothing can be cancelled until Gate unlocks it.",
    "FORBIDDEN": "This API key is not allowed to do this: check its permissions on Gate.",
}

_CLASS_SENTENCES = {
    ErrorClass.CREDENTIALS: "Gate rejected the API key or secret: check that both are copied "
                            "exactly and belong to this environment.",
    ErrorClass.CLOCK: "This computer's clock is too far from Gate's, even after re-syncing: "
                      "correct the system time.",
    ErrorClass.PERMISSION: "This API key is not allowed to do this: check its permissions on Gate.",
    ErrorClass.RATE: "Gate is rate-limiting this account: wait a moment and try again.",
    ErrorClass.SERVER: "Gate had a server problem or is too busy: try again shortly.",
    ErrorClass.REQUEST: "Gate rejected the request as invalid.",
    ErrorClass.NETWORK: "Could not reach the exchange: check the network and the base URL.",
}


def classify(status: int | None, label: str | None) -> ErrorClass:
    """Sort an error by Gate's label first, by HTTP status when the label is unknown."""
    if label and label in _LABEL_CLASSES:
        return _LABEL_CLASSES[label]
    if status is None:
        return ErrorClass.NETWORK
    if status == 429:
        return ErrorClass.RATE
    if status >= 500:
        return ErrorClass.SERVER
    if status == 401:
        return ErrorClass.CREDENTIALS
    if status == 403:
        return ErrorClass.PERMISSION
    return ErrorClass.REQUEST


# Answers no Gate API gives: not its error shape (a web page, 404, 405, 501), or a success that is not JSON.
# Every command, and the window's Test connection, says the same sentence for them.
NOT_GATE_LABELS = frozenset({"UNEXPECTED_ANSWER", "BAD_RESPONSE", "WEB_PAGE"})


def not_gate_sentence(status: int | None, detail: str) -> str:
    """The one sentence for a server that is not Gate's API (a wrong base URL, a web site, a portal)."""
    what = detail if detail.startswith("HTTP ") or status is None else f"HTTP {status}: {detail}"
    return f"The server at this address did not answer like Gate's API ({what}): check the base URL."


class GateError(Exception):
    """A failed call: HTTP status (None when no answer came), Gate's label and message, and why."""

    retry_after_s: float | None = None
    attempts: int = 1  # how many times a read was tried before giving up

    def __init__(self, status: int | None, label: str, message: str, *,
                 error_class: ErrorClass | None = None, detail: str = "") -> None:
        self.status = status
        self.label = label
        self.message = message
        self.error_class = error_class or classify(status, label)
        self.detail = detail
        super().__init__(self.user_message)

    @property
    def user_message(self) -> str:
        """One plain sentence (plus Gate's own words when they add something)."""
        if self.error_class is ErrorClass.PERMISSION and self.label in _PERMISSION_SENTENCES:
            sentence = _PERMISSION_SENTENCES[self.label]
        elif self.error_class is ErrorClass.NETWORK and self.detail:
            sentence = f"{_CLASS_SENTENCES[ErrorClass.NETWORK]} ({self.detail})"
        else:
            sentence = _CLASS_SENTENCES[self.error_class]
        if self.label == "TLS_UNTRUSTED":
            return ("The exchange's certificate is not trusted by this computer: if a company proxy inspects "
                    "TLS, install its certificate authority in the system's trust store, or give the profile "
                    "a CA file (--ca-file on the command line).")
        if self.label == "NOTHING_LISTENING":
            return ("Nothing answers at this address on this computer (the connection was refused): check the "
                    "port of the base URL, and that the server (e.g. gatecancel paper) is running.")
        if self.label == "HOST_UNKNOWN":
            return (f"The exchange's host name could not be found ({self.message}): check the base URL and "
                    "this computer's network and DNS.")
        if self.label == "PROXY_UNREACHABLE":
            return (f"Could not reach the proxy ({self.message}): check that it runs and its address (the "
                    "profile's proxy, --proxy, or HTTPS_PROXY / ALL_PROXY).")
        if self.label == "PROXY_REFUSED":
            return (f"The proxy refused to carry the request ({self.message}): check the proxy's address, and its "
                    "user and password in the profile.")
        if self.label in NOT_GATE_LABELS:
            return not_gate_sentence(self.status, self.message)
        if self.error_class is ErrorClass.REQUEST and (self.label or self.message):
            sentence = f"{sentence} {self.label}: {self.message}".rstrip(": ")
        if self.attempts > 1:
            sentence = f"{sentence} (Tried {self.attempts} times.)"
        return sentence

    @property
    def refuses_every_request(self) -> bool:
        """A credentials or permission failure will fail every request alike: stop sending."""
        return self.error_class in (ErrorClass.CREDENTIALS, ErrorClass.PERMISSION)

    def __str__(self) -> str:
        return self.user_message

    def __repr__(self) -> str:
        return f"GateError(status={self.status!r}, label={self.label!r}, message={self.message!r})"


class Stopped(Exception):
    """The user pressed Stop while a read was waiting (for a retry or for the rate limit)."""


class ConfigError(ValueError):
    """Bad input from the user (a URL, a profile, credentials): the message is the sentence to show."""
