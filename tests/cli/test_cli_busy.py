"""The command line through a busy exchange (every read answered 503 the first time), and what it says
about the requests a cancel takes."""

import json

from gatecancel_gui.paper import PaperExchange
from tests.cli.test_cli_risk import run_cli


def test_orders_and_cancel_survive_a_503_on_every_first_read_and_say_so():
    """Defect: one 503 on any read aborted the command."""
    with PaperExchange(orders=120, pairs=4, price_orders=3) as ex:
        ex.busy_first_get = True
        listed = run_cli(ex, "orders", "--json")
        assert listed.returncode == 0, listed.stderr
        assert len(json.loads(listed.stdout)) == 120
        assert "gatecancel: Gate is busy (open orders), retrying 2/5…" in listed.stderr
        stops = run_cli(ex, "stop-orders", "--json")
        assert stops.returncode == 0 and len(json.loads(stops.stdout)) == 3, stops.stderr
        cancelled = run_cli(ex, "cancel", "--all", "--yes", "--json")
        assert cancelled.returncode in (0, 1), cancelled.stderr  # 1 when an order filled first
        assert {r["state"] for r in json.loads(cancelled.stdout)} <= {"cancelled", "rejected"}
        assert not ex.book.open_orders()


def test_cancel_stop_counts_one_request_per_stop_order():
    """Defect: the CLI said "in 1 requests" (N/20) for stop orders, which take one request each."""
    with PaperExchange(orders=10, pairs=2, price_orders=5) as ex:
        result = run_cli(ex, "cancel-stop", "--all", "--yes")
        assert result.returncode == 0, result.stderr
        assert "cancelling 5 orders in 5 requests" in result.stderr
        batch = run_cli(ex, "cancel", "--all", "--yes")
        assert "cancelling 10 orders in 1 request " in batch.stderr
