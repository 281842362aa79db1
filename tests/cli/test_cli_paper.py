"""`gatecancel paper` with live orders: --bot specs read or refused in one sentence (exit 2), and a
running paper exchange whose bot is seen on its WebSocket."""

import json
import time

import pytest
from websockets.sync.client import connect

from gatecancel_gui.paper.account import USER_ID
from tests.cli.runner import piped_process, run_main
from tests.paper.test_paper_websocket import ws_sign


@pytest.mark.parametrize(("args", "said"), [
    (["--bot", "nope"], "PAIR:RATE:SECONDS"),
    (["--bot", "ETH_USDT:0:60"], "rate"),
    (["--bot", "ETH_USDT:1:60", "--bot", "usdt/NOPE:1:5"], "NOPE"),
    (["--ws-drop-after", "0"], "--ws-drop-after"),
])
def test_a_bad_bot_or_drop_is_one_sentence_and_starts_nothing(args, said):
    result = run_main("paper", *args)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1 and lines[0].startswith("gatecancel: "), result.stderr
    assert said in lines[0] and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_a_paper_exchange_with_a_bot_pushes_its_orders():
    with piped_process("paper", "--orders", "5", "--futures-orders", "0", "--bot", "ETH_USDT:20:60",
                       "--bot", "usdt/BTC_USDT:20:60", "--ws-drop-after", "3") as proc:
        printed = json.loads(proc.stdout.readline())
        origin = printed["url"].removesuffix("/api/v4").replace("http://", "ws://")
        for path, channel, payload in (("/ws/v4/", "spot.orders", ["ETH_USDT"]),
                                       ("/v4/ws/usdt", "futures.orders", [USER_ID, "BTC_USDT"])):
            with connect(origin + path, open_timeout=10, close_timeout=1) as ws:
                t = int(time.time())
                ws.send(json.dumps({"time": t, "channel": channel, "event": "subscribe", "payload": payload,
                                    "auth": {"method": "api_key", "KEY": printed["key"],
                                             "SIGN": ws_sign(printed["secret"], channel, "subscribe", t)}}))
                assert json.loads(ws.recv(timeout=10))["result"] == {"status": "success"}
                items = [json.loads(ws.recv(timeout=10))["result"][0] for _ in range(3)]  # then it is cut
                assert any(i["text"].startswith("t-bot-") for i in items)
        proc.terminate()
        assert proc.wait(10) == 0
