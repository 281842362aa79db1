"""Issue 22, simulated on Linux. On Windows (before Python 3.14) a lock wait is not interrupted by Ctrl+C:
the handler runs only when the wait returns, so a command waiting `Event().wait()` (paper) or
`Event().wait(3600)` (deadman) could not be ended by Ctrl+C. Every long wait of the CLI is made of short
ones; and Ctrl+Break (SIGBREAK, Windows only; stood in for here by SIGUSR1) ends what Ctrl+C ends."""

from __future__ import annotations

import io
import signal
import sys
import threading
import time

import pytest

from gatecancel_gui.cli import follow, interrupt, risk
from gatecancel_gui.paper import PaperExchange
from tests.cli.runner import key_env, run_main
from tests.cli.test_cli_guard import GUARDED, place

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGUSR1"), reason="SIGUSR1 stands in for SIGBREAK")

ORIGINAL_WAIT = threading.Event.wait
BACKSTOP_CALLS = 40  # a wait loop that ignored the press is ended by a real Ctrl+C after this many waits


class Presser:
    """Replaces Event.wait. Each wait the command line's own code asks for on the main thread is recorded;
    the first one "presses" `signum` (as a Windows user would: the handler runs when the wait returns), later
    ones wait for real, at most 0.2 s. A loop still waiting after BACKSTOP_CALLS gets a real Ctrl+C."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.timeouts: list[float | None] = []

    def wait(self, event: threading.Event, timeout: float | None = None) -> bool:
        caller = sys._getframe(2).f_globals.get("__name__", "")  # who called Event.wait (through the lambda)
        if threading.current_thread() is not threading.main_thread() or not caller.startswith("gatecancel_gui.cli"):
            return ORIGINAL_WAIT(event, timeout)
        self.timeouts.append(timeout)
        if len(self.timeouts) == 1:
            signal.raise_signal(self.signum)
            return event.is_set()
        if len(self.timeouts) == BACKSTOP_CALLS:
            signal.raise_signal(signal.SIGINT)
        return ORIGINAL_WAIT(event, 0.2 if timeout is None else min(timeout, 0.2))

    def assert_sliced(self) -> None:
        assert self.timeouts, "the command did not wait"
        assert all(t is not None and t <= 1.0 for t in self.timeouts), self.timeouts


@pytest.fixture
def sigbreak(monkeypatch):
    """Make this platform seem to have SIGBREAK (as SIGUSR1). Its default action would end pytest; a handler
    put first records that the command line left it unhandled."""
    unhandled: list[int] = []
    previous = signal.signal(signal.SIGUSR1, lambda signum, frame: unhandled.append(signum))
    monkeypatch.setattr(signal, "SIGBREAK", signal.SIGUSR1, raising=False)
    yield unhandled
    signal.signal(signal.SIGUSR1, previous)


def pressing(monkeypatch, signum: int = signal.SIGINT) -> Presser:
    presser = Presser(signum)
    monkeypatch.setattr(threading.Event, "wait", lambda event, timeout=None: presser.wait(event, timeout))
    return presser


# -- the shared helper ----------------------------------------------------------------------------------

def test_wait_until_waits_in_short_slices_until_an_event_is_set(monkeypatch):
    asked: list[float | None] = []

    def recording(event, timeout=None):
        if sys._getframe(1).f_globals.get("__name__") == "gatecancel_gui.cli.interrupt":  # not the Timer's
            asked.append(timeout)
        return ORIGINAL_WAIT(event, timeout)

    monkeypatch.setattr(threading.Event, "wait", recording)
    first, second = threading.Event(), threading.Event()
    threading.Timer(0.7, second.set).start()
    started = time.monotonic()
    assert interrupt.wait_until(first, second) is True
    assert 0.6 < time.monotonic() - started < 2.0
    assert len(asked) >= 2 and all(t is not None and 0 < t <= interrupt.WAIT_SLICE_S for t in asked), asked


def test_wait_until_gives_up_at_its_timeout_and_returns_at_once_for_a_set_event():
    started = time.monotonic()
    assert interrupt.wait_until(threading.Event(), timeout=0.3) is False
    assert 0.25 < time.monotonic() - started < 1.0
    done = threading.Event()
    done.set()
    assert interrupt.wait_until(done) is True


def test_a_ctrl_c_during_a_never_ending_wait_until_is_taken_between_slices(monkeypatch):
    presser = pressing(monkeypatch)
    with pytest.raises(KeyboardInterrupt):
        interrupt.wait_until(threading.Event())
    presser.assert_sliced()


# -- each command's long wait is sliced and ended by Ctrl+C -----------------------------------------------

def test_deadman_waits_in_slices_and_ctrl_c_disarms(monkeypatch):
    with PaperExchange(orders=10, pairs=2) as ex:
        presser = pressing(monkeypatch)
        result = run_main("deadman", "--countdown", "60", "--base-url", ex.base_url, env=key_env(ex.main_key))
        assert result.returncode == 0 and "disarmed" in result.stderr, result.stderr
        assert ex.deadman.timers == {}
    presser.assert_sliced()


def test_paper_waits_in_slices_and_ctrl_c_stops_it(monkeypatch):
    presser = pressing(monkeypatch)
    result = run_main("paper", "--orders", "1", "--futures-orders", "0", "--no-websocket")
    assert result.returncode == 0 and '"url"' in result.stdout, result.stderr
    presser.assert_sliced()


def test_follow_waits_in_slices_and_ctrl_c_ends_it(monkeypatch):
    with PaperExchange(orders=5, pairs=2) as ex:
        presser = pressing(monkeypatch)
        result = run_main("orders", "--follow", "--base-url", ex.base_url, env=key_env(ex.main_key))
        assert result.returncode == 0, result.stderr
    presser.assert_sliced()


def test_guard_waits_in_slices_and_ctrl_c_ends_it(monkeypatch):
    with PaperExchange(orders=0, pairs=2) as ex:
        place(ex, 1)
        presser = pressing(monkeypatch)
        result = run_main("guard", "--pair", GUARDED, "--for", "60", "--yes", "--base-url", ex.base_url,
                          env=key_env(ex.main_key))
        assert result.returncode == 0 and "Ended on request" in result.stderr, result.stderr
    presser.assert_sliced()


# -- Ctrl+Break (SIGBREAK) is taken as Ctrl+C is ---------------------------------------------------------

def test_ctrl_break_is_among_the_signals_that_end_a_command(sigbreak):
    assert signal.SIGUSR1 in interrupt.interrupt_signals()
    assert signal.SIGUSR1 in follow.ending_signals()
    assert signal.SIGUSR1 in risk.ending_signals()


def test_follow_and_guard_give_ctrl_break_the_handler_of_ctrl_c(sigbreak):
    done = threading.Event()
    with follow.ending_on_signals(done):
        assert signal.getsignal(signal.SIGUSR1) is signal.getsignal(signal.SIGINT)
        signal.raise_signal(signal.SIGUSR1)
    assert done.is_set() and sigbreak == []


def test_ctrl_break_stops_a_cancel_like_ctrl_c(sigbreak, monkeypatch):
    stopped = threading.Event()
    pressing(monkeypatch, signal.SIGUSR1)
    err = io.StringIO()
    assert interrupt.run_interruptibly(lambda: stopped.wait(10), stopped.set, err) is True
    assert "stopping" in err.getvalue() and sigbreak == []


def test_ctrl_break_disarms_the_deadman_switch(sigbreak, monkeypatch):
    with PaperExchange(orders=10, pairs=2) as ex:
        presser = pressing(monkeypatch, signal.SIGUSR1)
        result = run_main("deadman", "--countdown", "60", "--base-url", ex.base_url, env=key_env(ex.main_key))
        assert result.returncode == 0 and "disarmed" in result.stderr, result.stderr
        assert ex.deadman.timers == {} and sigbreak == []
    assert len(presser.timeouts) < BACKSTOP_CALLS  # ended by the Ctrl+Break, not by the backstop Ctrl+C


def test_ctrl_break_stops_paper_like_ctrl_c(sigbreak, monkeypatch):
    presser = pressing(monkeypatch, signal.SIGUSR1)
    result = run_main("paper", "--orders", "1", "--futures-orders", "0", "--no-websocket")
    assert result.returncode == 0 and sigbreak == [], result.stderr
    assert len(presser.timeouts) < BACKSTOP_CALLS
