"""The command line keeps the engine's promises: a bug inside a cancel still prints every order and one
sentence (never a traceback), and a journal on a full disk cancels every order and says why, once."""

from __future__ import annotations

import json
import os

import pytest

from gatecancel_gui.core.cancel import spot_batch as cancel
from gatecancel_gui.core.store.journal import JOURNAL_NAME
from gatecancel_gui.paper import Fault, PaperExchange
from tests.cli.runner import key_env, run_main


def test_an_unexpected_error_in_the_look_up_still_prints_every_order_and_one_sentence(monkeypatch):
    """The trial's case: a ValueError in the bulk look-up after some orders were cancelled and 20 were
    unknown made the command print a traceback and none of the per-order lines."""
    def broken(*args, **kwargs):
        raise ValueError("a bug in the bulk look-up")

    monkeypatch.setattr(cancel, "_look_up_pair", broken)
    with PaperExchange(orders=59, pairs=1, heavy_pairs=0, fill_fraction=0.0) as ex:
        ex.plan("POST /spot/cancel_batch_orders", [Fault.NONE, Fault.NONE, Fault.DROP_AFTER_APPLY])
        result = run_main("cancel", "--all", "--yes", "--json", "--base-url", ex.base_url, env=key_env(ex.main_key))
    rows = json.loads(result.stdout)
    assert len(rows) == 59 and "Traceback" not in result.stderr
    assert {r["state"] for r in rows} <= {"cancelled", "unknown"}
    for row in rows:  # the dropped answer's orders are unknown with a reason, never cancelled on a guess
        assert row["state"] == "cancelled" or row["message"], row
    assert result.stderr.count("unexpected error (ValueError)") == 1 and result.returncode == 1


def test_a_journal_on_a_full_disk_cancels_every_order_says_why_once_and_exits_0(isolated_dirs):
    if not os.path.exists("/dev/full"):
        pytest.skip("needs /dev/full")
    data = isolated_dirs / "data"
    data.mkdir(exist_ok=True)
    (data / JOURNAL_NAME).symlink_to("/dev/full")
    with PaperExchange(orders=45, pairs=2, fill_fraction=0.0) as ex:
        result = run_main("cancel", "--all", "--yes", "--base-url", ex.base_url, env=key_env(ex.main_key))
        assert ex.book.open_orders() == []
    assert result.returncode == 0, result.stderr
    assert result.stderr.count("The cancel journal could not be written (No space left on device") == 1
    assert "Gate gave" not in result.stderr and "Traceback" not in result.stderr
