"""Windows: closing the console window ends the process a few seconds later, and Python's signal handlers
come too late. The dead-man switch was then never disarmed (Gate cancelled the whole scope), and a cancel
in flight lost its last journal lines. Simulated here: a fake kernel32 records the handler the command
registers, and a thread calls it with CTRL_CLOSE_EVENT, as Windows does on a thread of its own, while a
real command runs in this process against the paper exchange (issue 22, item 1)."""

from __future__ import annotations

import _thread
import signal
import threading
import time

import pytest

from gatecancel_gui.cli import console_close
from gatecancel_gui.cli.console_close import (
    CTRL_BREAK_EVENT,
    CTRL_C_EVENT,
    CTRL_CLOSE_EVENT,
    CTRL_LOGOFF_EVENT,
    on_console_close,
)
from gatecancel_gui.core.store.journal import Journal, unanswered
from gatecancel_gui.paper import PaperExchange
from tests.cli.runner import key_env, run_main


class FakeKernel32:
    """SetConsoleCtrlHandler as Windows keeps it: a list of handlers, the last added called first."""

    def __init__(self):
        self.handlers = []
        self.calls = []

    def SetConsoleCtrlHandler(self, handler, add):  # the Windows API's name
        self.calls.append(bool(add))
        if add:
            self.handlers.append(handler)
        else:
            self.handlers.remove(handler)
        return 1


@pytest.fixture
def kernel32(monkeypatch):
    fake = FakeKernel32()
    monkeypatch.setattr(console_close, "kernel32", lambda: fake)
    return fake


def came(condition, timeout_s=10.0):
    deadline = time.monotonic() + timeout_s
    tick = threading.Event()
    while time.monotonic() < deadline:
        if condition():
            return True
        tick.wait(0.02)
    return False


class ConsoleCloser(threading.Thread):
    """Windows' side: once `ready()`, call the registered handler with CTRL_CLOSE_EVENT and note what it
    returned and what `then()` saw right after. A command that runs until stopped and registered nothing
    is ended by SIGTERM's handler (`runs_until_stopped`), so that the test fails instead of waiting for ever."""

    def __init__(self, kernel32, ready, then, before=lambda: None, runs_until_stopped=True,
                 still_running=lambda: False):
        super().__init__(name="console-closer", daemon=True)
        self.kernel32, self.ready, self.then, self.before = kernel32, ready, then, before
        self.still_running = still_running
        self.runs_until_stopped = runs_until_stopped
        self.returned = None
        self.seen = None
        self.registered = True

    def run(self):
        if not came(lambda: self.ready() and self.kernel32.handlers):
            self.registered = False
            if self.runs_until_stopped:  # still running for sure: the signal lands inside the command
                _thread.interrupt_main(signal.SIGTERM)
            return
        self.before()
        self.returned = self.kernel32.handlers[-1](CTRL_CLOSE_EVENT)
        self.seen = self.then()
        if self.still_running():  # the handler let Windows go on, which would end the process now
            _thread.interrupt_main(signal.SIGTERM)


@pytest.mark.parametrize("ctrl_c", ["taken", "ignored"])
def test_closing_the_console_disarms_the_dead_man_switch_before_the_handler_lets_windows_go_on(kernel32,
                                                                                                monkeypatch, ctrl_c,
                                                                                                request):
    """Also where Ctrl+C is ignored (a process started so): the close still ends the switch, disarmed."""
    if ctrl_c == "ignored":
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        request.addfinalizer(lambda: signal.signal(signal.SIGINT, previous))
    with PaperExchange(orders=20, pairs=2) as ex:
        disarmed = threading.Event()
        arm = ex.deadman.arm

        def arm_and_note(timeout_s, pair):
            trigger = arm(timeout_s, pair)
            if timeout_s == 0:
                disarmed.set()
            return trigger

        monkeypatch.setattr(ex.deadman, "arm", arm_and_note)

        def slow_exchange():  # the disarm now takes a while: a handler returning early would be seen to
            ex.latency_s = 0.5

        closer = ConsoleCloser(kernel32, ready=lambda: ex.deadman.timers, before=slow_exchange,
                               then=lambda: (disarmed.is_set(), dict(ex.deadman.timers)),
                               still_running=lambda: not disarmed.is_set())  # the disarm is its last step
        closer.start()
        result = run_main("deadman", "--countdown", "60", "--base-url", ex.base_url, env=key_env(ex.main_key))
        closer.join(15)
    assert closer.registered, "no console close handler was registered while the switch was armed"
    assert closer.returned == 1  # TRUE: handled (Windows then ends the process)
    assert closer.seen == (True, {})  # the exchange had taken the disarm when the handler returned
    assert result.returncode == 0 and "dead-man switch disarmed for every spot pair." in result.stderr
    assert not ex.deadman.fired_event.is_set()
    assert kernel32.handlers == [] and kernel32.calls == [True, False]


def test_closing_the_console_during_a_cancel_stops_sending_and_the_journal_is_whole_first(kernel32):
    with PaperExchange(orders=600, pairs=6, latency_s=0.15, fill_fraction=0.0) as ex:

        def journal_now():
            records = Journal().read()
            return unanswered(records), sum(1 for r in records if r["event"] == "sent"), len(ex.cancel_requests())

        closer = ConsoleCloser(kernel32, ready=ex.cancel_seen.is_set, then=journal_now, runs_until_stopped=False)
        closer.start()
        result = run_main("cancel", "--all", "--yes", "--json", "--in-flight", "2", "--base-url", ex.base_url,
                          env=key_env(ex.main_key))
        closer.join(15)
    assert closer.registered, "no console close handler was registered during the cancel"
    assert closer.returned == 1
    left_unanswered, sent, requests = closer.seen
    assert left_unanswered == set() and 0 < sent == requests < 30  # it stopped sending; every answer written
    assert "stopping" in result.stderr and result.returncode == 1
    assert '"not_sent"' in result.stdout  # the report came out whole
    assert kernel32.handlers == [] and kernel32.calls == [True, False]  # one registration, not one per block


@pytest.mark.parametrize("command", [["orders", "--follow"], ["guard", "--for", "60", "--yes"]])
def test_closing_the_console_ends_a_follow_or_a_guard_in_order(kernel32, command):
    with PaperExchange(orders=10, pairs=1, fill_fraction=0.0) as ex:
        pair = ex.book.open_pairs()[0]
        guard_pair = ["--pair", pair] if command[0] == "guard" else []
        closer = ConsoleCloser(kernel32, ready=lambda: True, then=lambda: None)
        closer.start()
        result = run_main(*command, *guard_pair, "--base-url", ex.base_url, env=key_env(ex.main_key))
        closer.join(15)
    assert closer.registered, f"no console close handler was registered by {command[0]}"
    assert closer.returned == 1 and result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr and kernel32.handlers == []


def test_ctrl_c_and_ctrl_break_are_left_to_pythons_own_handlers(kernel32):
    stops = []
    with on_console_close(lambda: stops.append("stop")) as closing:
        handler = kernel32.handlers[-1]
        assert handler(CTRL_C_EVENT) == 0 and handler(CTRL_BREAK_EVENT) == 0  # FALSE: the next handler's
    assert stops == [] and not closing.closing.is_set()


def test_a_block_that_does_not_end_holds_windows_off_only_for_the_grace(kernel32):
    stops = []
    with on_console_close(lambda: stops.append("stop"), grace_s=0.3):
        started = time.monotonic()
        assert kernel32.handlers[-1](CTRL_LOGOFF_EVENT) == 1
        waited = time.monotonic() - started
    assert stops == ["stop"] and 0.3 <= waited < 5


def test_an_inner_block_is_not_registered_again_and_its_stop_is_the_one_called(kernel32):
    stops = []
    with on_console_close(lambda: stops.append("outer")):
        with on_console_close(lambda: stops.append("inner")) as closing:
            assert len(kernel32.handlers) == 1
            closing.done.set()  # as if the outer block had ended: the handler does not wait
            assert kernel32.handlers[-1](CTRL_CLOSE_EVENT) == 1
    assert stops == ["inner"] and kernel32.handlers == []


def test_nothing_is_registered_where_there_is_no_windows_console():
    assert console_close.kernel32() is None  # this machine: Linux or macOS
    with on_console_close() as closing:
        assert not closing.closing.is_set()
