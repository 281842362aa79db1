"""The dead-man switch on stepped renewals (no seconds of real timers): every failure is said and the next
renewal still comes; a disarm is final; what it shows is what Gate was last told."""

from __future__ import annotations

import threading

import pytest

from gatecancel_gui.core.risk.deadman import DeadManSwitch
from gatecancel_gui.paper import Fault, PaperExchange
from tests.conftest import client_for, wait_for

COUNTDOWN = "/spot/countdown_cancel_all"


class Steps:
    """The renewal thread's wait, stepped by the test: each step lets one renewal go."""

    def __init__(self) -> None:
        self._turns = threading.Semaphore(0)

    def __call__(self, stop: threading.Event, seconds: float) -> bool:
        while not self._turns.acquire(timeout=0.05):
            if stop.is_set():
                return True
        return stop.is_set()

    def step(self) -> None:
        self._turns.release()


@pytest.fixture
def ex():
    with PaperExchange(orders=20, pairs=2) as exchange:
        yield exchange


def countdowns(ex: PaperExchange) -> int:
    return sum(1 for method, endpoint, _ in ex.requests if method == "POST" and endpoint == COUNTDOWN)


def test_a_listener_that_fails_does_not_end_the_renewals(ex):
    steps, renewed = Steps(), []

    def on_renewed(armed):
        renewed.append(armed)
        if len(renewed) == 1:
            raise RuntimeError("the window's bridge is gone")

    with client_for(ex) as c:
        switch = DeadManSwitch(c, 60, on_renewed=on_renewed, wait=steps)
        switch.arm()
        steps.step()
        steps.step()
        wait_for(lambda: len(renewed) == 2, 5)  # the renewals ended silently after the first
        switch.disarm()
    assert ex.deadman.timers == {}


def test_an_error_that_is_not_gates_is_said_and_the_next_renewal_still_comes(ex):
    steps, failures, renewed = Steps(), [], []
    with client_for(ex) as c:
        switch = DeadManSwitch(c, 60, on_renewed=renewed.append, on_failed=failures.append, wait=steps)
        switch.arm()
        real = c.request
        c.request = lambda *a, **k: (_ for _ in ()).throw(RuntimeError("the client is closed"))  # type: ignore
        steps.step()
        wait_for(lambda: failures, 5)
        c.request = real  # type: ignore[method-assign]
        steps.step()
        wait_for(lambda: renewed, 5)
        switch.disarm()
    assert "Renewing the dead-man switch failed" in failures[0] and "Gate fires in" in failures[0]
    assert switch.last is None and switch.disarmed


def test_a_disarm_waits_for_the_renewal_in_flight_and_nothing_is_sent_after_it():
    with PaperExchange(orders=20, pairs=2, slow_s=1.0) as ex, client_for(ex, timeout_s=5.0) as c:
        steps, renewed = Steps(), []
        switch = DeadManSwitch(c, 60, on_renewed=renewed.append, wait=steps)
        switch.arm()
        ex.plan("POST " + COUNTDOWN, [Fault.SLOW_AFTER_APPLY])
        steps.step()  # a renewal goes out; its answer is a second away
        wait_for(lambda: countdowns(ex) == 2, 5)
        switch.disarm()  # must not overtake it: the renewal would land after and arm the switch again
        assert ex.deadman.timers == {}
        assert switch.renew() is None and countdowns(ex) == 3  # final: no renewal after the disarm
        assert switch.seconds_left() is None


def test_a_failed_renewal_keeps_the_time_gate_was_last_told(ex):
    steps, failures = Steps(), []
    with client_for(ex) as c:
        switch = DeadManSwitch(c, 60, on_failed=failures.append, wait=steps)
        armed = switch.arm()
        ex.plan("POST " + COUNTDOWN, [Fault.BUSY_503] * 5)
        steps.step()
        wait_for(lambda: failures, 10)
        assert switch.last == armed and 0 < switch.seconds_left() <= 60
        ex.plan("POST " + COUNTDOWN, [])
        switch.disarm()
