"""Ctrl+C during a CLI cancel: no new requests, in-flight ones awaited and recorded, every order reported."""

import json

import pytest

from gatecancel_gui.core.store.journal import Journal, unanswered
from gatecancel_gui.paper import PaperExchange
from tests.cli.runner import key_env, piped_process
from tests.processes import interrupt


def test_ctrl_c_stops_sending_and_reports_everything(tmp_path):
    with PaperExchange(orders=600, pairs=6, latency_s=0.15, fill_fraction=0.0) as ex:
        with piped_process("cancel", "--all", "--yes", "--json", "--in-flight", "2", "--base-url", ex.base_url,
                           env=key_env(ex.main_key)) as proc:
            started = proc.stderr.readline()  # waits for the cancel to begin
            assert "cancelling 600 orders in 30 requests" in started
            assert ex.cancel_seen.wait(10)  # requests are going out: now interrupt
            interrupt(proc)
            out, err = proc.communicate(timeout=30)
        assert "stopping" in err and "Traceback" not in err
        rows = json.loads(out)
        assert len(rows) == 600
        states = {r["state"] for r in rows}
        assert "not_sent" in states and proc.returncode == 1
        for row in rows:
            record = ex.book.status_of(row["id"])
            assert row["state"] == {"cancelled": "cancelled", "open": "not_sent"}[record], row
        records = Journal(Journal().path).read()
        assert records and unanswered(records) == set()
        assert sum(1 for r in records if r["event"] == "sent") == len(ex.cancel_requests())


@pytest.mark.slow
def test_a_second_ctrl_c_says_what_it_waits_for_and_the_report_still_comes_out_whole(tmp_path):
    """The new user's trial: answers 2.5 s away, Ctrl+C, Ctrl+C again 0.8 s later. It was a traceback
    ('the client is closed'), nothing on stdout and exit 130 while the exchange had cancelled 120 orders."""
    with PaperExchange(orders=200, pairs=4, latency_s=2.5, fill_fraction=0.0) as ex:
        with piped_process("cancel", "--all", "--yes", "--json", "--in-flight", "2", "--timeout", "10",
                           "--base-url", ex.base_url, env=key_env(ex.main_key)) as proc:
            assert "cancelling 200 orders" in proc.stderr.readline()
            assert ex.cancel_seen.wait(20)  # two requests applied, their answers on the way
            interrupt(proc)
            assert "stopping" in proc.stderr.readline()
            interrupt(proc)
            out, err = proc.communicate(timeout=30)
    assert "still stopping" in err and "Traceback" not in err and "client is closed" not in err
    rows = json.loads(out)
    assert len(rows) == 200 and proc.returncode == 1
    for row in rows:  # never "cancelled" on a guess; what is not known is said to be unknown
        record = ex.book.status_of(row["id"])
        if row["state"] == "cancelled":
            assert record == "cancelled", row
        elif row["state"] == "not_sent":
            assert record == "open", row
        else:
            assert row["state"] == "unknown" and row["message"], row
    records = Journal(Journal().path).read()
    assert unanswered(records) == set()  # every request sent has its answer line, none says CONNECTION_LOST
    assert not any("CONNECTION_LOST" in str(r.get("error", "")) for r in records)
