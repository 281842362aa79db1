"""The dead-man switch (POST /spot/countdown_cancel_all): while armed, Gate cancels every open order
(of one pair, or all) unless the app renews the countdown in time. Renewals happen at a third of the
timeout, so two can fail before it fires; each failure is reported at once."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gatecancel_gui.core.domain.errors import ConfigError, GateError
from gatecancel_gui.core.domain.scope import Scope
from gatecancel_gui.core.gate.client import GateClient

log = logging.getLogger(__name__)
MIN_TIMEOUT_S = 5


EVERY_SPOT_PAIR = Scope()


@dataclass(frozen=True)
class Armed:
    trigger_ms: int        # when Gate will cancel, on the server's clock (ms)
    renewed_at: float      # local monotonic time of the renewal


def countdown(client: GateClient, timeout_s: int, scope: Scope = EVERY_SPOT_PAIR) -> int:
    """Arm (or with 0, disarm) Gate's countdown of one market (futures: one settlement, or one contract of
    it); returns the trigger time in server milliseconds (0 disarmed). Gate's countdown has no side and no
    stop-order switch: a scope with either is refused, not silently widened."""
    if scope.side or scope.include_stop_orders:
        raise ConfigError("Gate's dead-man switch covers a market or one instrument: not a side, not stop orders.")
    if refusal := scope.server_side_refusal("Gate's dead-man switch"):
        raise ConfigError(refusal)
    if timeout_s != 0 and timeout_s < MIN_TIMEOUT_S:
        raise ConfigError(f"The dead-man switch needs a timeout of at least {MIN_TIMEOUT_S} seconds.")
    body: dict[str, object] = {"timeout": int(timeout_s)}
    if scope.pair:
        body[scope.market.instrument_word] = scope.pair
    data = client.request("POST", scope.market.spec.countdown, body=body).data
    try:
        return int(str(data.get("triggerTime", "0"))) if isinstance(data, dict) else 0
    except ValueError:
        return 0


Waiter = Callable[[threading.Event, float], bool]  # wait up to s seconds; True when the event was set


class DeadManSwitch:
    """Keeps the countdown renewed from a background thread until `disarm()` (or `stop()`).

    What it shows is what the exchange was last told: `last` changes only on Gate's answer to a renewal.
    Renewals and the disarm take turns on one lock, so a renewal in flight is answered (or has met its
    deadline) before the disarm is sent, and none is sent after it: a disarm is final. Any error of a
    renewal, Gate's or not, is reported and the next renewal still comes. `wait` is injectable so tests
    step the renewals instead of waiting seconds for them."""

    def __init__(self, client: GateClient, timeout_s: int, scope: Scope = EVERY_SPOT_PAIR, *,
                 on_renewed: Callable[[Armed], None] | None = None,
                 on_failed: Callable[[str], None] | None = None,
                 wait: Waiter = threading.Event.wait) -> None:
        if timeout_s < MIN_TIMEOUT_S:
            raise ConfigError(f"The dead-man switch needs a timeout of at least {MIN_TIMEOUT_S} seconds.")
        self.client, self.timeout_s, self.scope = client, timeout_s, scope
        self.on_renewed = on_renewed or (lambda armed: None)
        self.on_failed = on_failed or (lambda message: None)
        self.last: Armed | None = None
        self.disarmed = False
        self._stop = threading.Event()
        self._turn = threading.Lock()  # one countdown request at a time: renewals and the disarm
        self._wait = wait
        self._thread: threading.Thread | None = None

    @property
    def interval_s(self) -> float:
        return self.timeout_s / 3.0

    def arm(self) -> Armed:
        """Arm now (raises with a sentence if Gate refuses), then keep renewing in the background."""
        with self._turn:
            self.last = Armed(countdown(self.client, self.timeout_s, self.scope), time.monotonic())
        self._thread = threading.Thread(target=self._renew_loop, name="deadman", daemon=True)
        self._thread.start()
        return self.last

    def _renew_loop(self) -> None:
        while not self._wait(self._stop, self.interval_s):
            self.renew()

    def renew(self) -> Armed | None:
        """One renewal, unless the switch was stopped or disarmed meanwhile; a failure of any kind is
        reported (and `last` keeps the trigger time Gate was last told)."""
        with self._turn:
            if self._stop.is_set():
                return None
            try:
                armed = Armed(countdown(self.client, self.timeout_s, self.scope), time.monotonic())
            except GateError as exc:
                log.warning("dead-man renewal failed: %s", exc.label)
                self._failed(f"Renewing the dead-man switch failed: {exc.user_message}")
                return None
            except Exception as exc:  # not Gate's: still never silent
                log.exception("dead-man renewal failed")
                self._failed(f"Renewing the dead-man switch failed: an unexpected error ({type(exc).__name__}).")
                return None
            self.last = armed
        self._call(self.on_renewed, armed)
        return armed

    def _failed(self, message: str) -> None:
        left = self.seconds_left()
        if left is not None:
            message += f" Gate fires in {left:.0f} s unless a renewal gets through."
        self._call(self.on_failed, message)

    @staticmethod
    def _call(callback: Callable[[Any], None], value: Any) -> None:
        try:
            callback(value)
        except Exception:
            log.exception("a dead-man switch listener failed")

    def stop(self) -> None:
        """Stop renewing without disarming (and without waiting): Gate will fire when the countdown runs out."""
        self._stop.set()

    def disarm(self) -> None:
        """Stop renewing and tell Gate to cancel nothing (timeout 0), after any renewal in flight has been
        answered or has met its deadline, so that none can land after the disarm and arm the switch again.
        Raises (the switch still counting down) when Gate does not take the disarm."""
        self.stop()
        with self._turn:
            countdown(self.client, 0, self.scope)
            self.last = None
            self.disarmed = True

    def seconds_left(self) -> float | None:
        if self.last is None or not self.last.trigger_ms:
            return None
        return max(0.0, self.last.trigger_ms / 1000.0 - self.client.clock.now())
