"""A server that is not Gate gets one sentence from every command (it got "did not answer like Gate's
API" from one, "Gate had a server problem" from another), and an empty --base-url is bad input, not live."""

import pytest

from gatecancel_gui.core.domain.errors import GateError
from gatecancel_gui.core.gate.client import GateClient
from gatecancel_gui.core.store.credentials import Credentials
from tests.cli.runner import run_main
from tests.conftest import FAST_READS
from tests.not_gate import not_gate

NOT_GATE = "The server at this address did not answer like Gate's API"
KEY = {"GATE_API_KEY": "k" * 32, "GATE_API_SECRET": "s" * 64}


COMMANDS = [["orders"], ["stop-orders"], ["deadman", "--disarm"], ["deadman", "--countdown", "30"],
            ["cancel", "--ids", "BTC_USDT:1"], ["cancel-all", "--yes"], ["cancel-stop", "--ids", "1"]]
# a 200 page is read again 5 times (it might be a cut-off answer) before its sentence: a few commands suffice
HTML = [pytest.param("html", args, marks=pytest.mark.slow)
        for args in (["orders"], ["deadman", "--disarm"], ["cancel", "--ids", "BTC_USDT:1"])]


@pytest.mark.parametrize("kind, args", [*[("files", args) for args in COMMANDS], *HTML])
def test_every_command_says_the_same_sentence_to_a_server_that_is_not_gate(kind, args, tmp_path):
    with not_gate(kind, str(tmp_path)) as url:
        result = run_main(*args, "--base-url", url, "--timeout", "2", env=KEY)
    lines = result.stderr.strip().splitlines()
    assert "Traceback" not in result.stderr and "Gate had a server problem" not in result.stderr
    assert lines and lines[-1].startswith(f"gatecancel: {NOT_GATE}"), result.stderr
    assert "check the base URL" in lines[-1]
    assert result.returncode in (1, 2)


@pytest.mark.parametrize("kind", ["files", "html"])
def test_the_client_says_it_at_the_source_for_a_read_and_a_write(kind, tmp_path):
    """The window's Test connection reads the server time, then cancels an order that cannot exist."""
    with not_gate(kind, str(tmp_path)) as url, \
            GateClient(url, Credentials("k" * 32, "s" * 64), read_retry=FAST_READS) as client:
        for call in (client.sync_clock, lambda: client.request("DELETE", "/spot/orders/1"),
                     lambda: client.request("POST", "/spot/countdown_cancel_all", body={"timeout": 0})):
            with pytest.raises(GateError) as raised:
                call()
            assert raised.value.user_message.startswith(NOT_GATE), raised.value.user_message


@pytest.mark.parametrize("url", ["", "   "])
def test_an_empty_base_url_is_bad_input_not_live(url):
    """Defect: `--base-url ""` silently meant live Gate."""
    result = run_main("orders", "--base-url", url, env=KEY)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and "--base-url" in lines[0] and "empty" in lines[0]


def test_a_web_page_where_gates_json_should_be_is_said_at_once_not_read_five_times(tmp_path):
    """A server answering every read with a 200 HTML page was asked 5 times (~4 s) before its sentence."""
    notices: list[str] = []
    with not_gate("html", str(tmp_path)) as url, \
            GateClient(url, Credentials("k" * 32, "s" * 64), read_retry=FAST_READS) as client:
        client.add_listener(notices.append)
        with pytest.raises(GateError) as raised:
            client.request("GET", "/spot/open_orders")
    assert raised.value.attempts == 1 and notices == []
    assert raised.value.user_message.startswith(NOT_GATE)
