"""The sender pool a cancel runs on: a per-call limit, every item run, errors raised, threads kept."""

import threading

import pytest

from gatecancel_gui.core.net.senders import SenderPool


def test_every_item_runs_at_most_limit_at_once():
    pool = SenderPool(8)
    lock = threading.Condition()
    running, peak, done = [0], [0], []

    def work(item):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            lock.notify_all()
            # hold on until as many run as the limit allows (fewer in the last round): a pool that let a fourth
            # in would show it in `peak`
            lock.wait_for(lambda: running[0] >= min(3, 20 - len(done)), timeout=5)
            running[0] -= 1
            done.append(item)
            lock.notify_all()

    pool.run_all(work, range(20), limit=3)
    assert sorted(done) == list(range(20))
    assert peak[0] == 3
    pool.close()


def test_an_error_is_raised_after_every_item_has_run():
    pool = SenderPool(4)
    done = []

    def work(item):
        done.append(item)
        if item == 2:
            raise ValueError("boom")

    with pytest.raises(ValueError, match="boom"):
        pool.run_all(work, range(6), limit=4)
    assert sorted(done) == list(range(6))
    pool.close()


def test_prestarted_threads_are_reused_and_a_call_from_inside_the_pool_does_not_wait_on_itself():
    pool = SenderPool(4)
    pool.prestart(4)
    started = set(pool.threads)
    assert len(started) == 4
    inner = []
    pool.run_all(lambda _: pool.run_all(inner.append, range(5), limit=2), range(4), limit=4)
    assert len(inner) == 20
    ran_on = set()
    pool.run_all(lambda _: ran_on.add(threading.get_ident()), range(8), limit=4)
    assert pool.threads == started and ran_on <= started  # no new threads: the prestarted ones ran it
    pool.close()


def test_prestart_after_close_starts_nothing_and_raises_nothing():
    pool = SenderPool(4)
    pool.close()
    pool.prestart(4)
    pool._closed = False  # closed under a warmer that had already checked: the submit itself is refused
    pool.prestart(4)
    assert pool.threads == set()


def test_one_number_bounds_the_requests_in_flight_everywhere():
    """The sender threads, the HTTP/1.1 connections, the run's default and the early HTTP/2 streams agree
    (they were written in three places)."""
    from gatecancel_gui.core.cancel.run import CancelSettings
    from gatecancel_gui.core.gate import warmth
    from gatecancel_gui.core.gate.client import GateClient
    from gatecancel_gui.core.net import eager_http2, transport

    with GateClient("https://api.gateio.ws/api/v4") as client:
        assert client.senders.size == transport.MAX_IN_FLIGHT
    warmed = warmth.ConnectionWarmer.__init__.__kwdefaults__["connections"]
    assert CancelSettings().max_in_flight == warmed == transport.MAX_IN_FLIGHT
    assert eager_http2.EARLY_STREAMS >= transport.MAX_IN_FLIGHT
