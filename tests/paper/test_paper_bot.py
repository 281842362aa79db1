"""The paper exchange's simulated bots: they place orders on their own, fill, partly fill and cancel some,
every change pushed on the WebSocket like any other; they end after their time or with the exchange."""

import json
import time

import pytest

from gatecancel_gui.paper import PaperExchange
from gatecancel_gui.paper.account import USER_ID
from gatecancel_gui.paper.bot import BotSpec, parse_bot
from tests.paper.test_paper_websocket import WAIT_S, open_socket, orders_of, receive, request, subscribed_spot


@pytest.mark.parametrize(("text", "spec"), [
    ("ETH_USDT:0.5:600", BotSpec("ETH_USDT", 0.5, 600.0)),
    ("eth_usdt:2:1.5", BotSpec("ETH_USDT", 2.0, 1.5)),
    ("usdt/BTC_USDT:1:60", BotSpec("BTC_USDT", 1.0, 60.0, "usdt")),
    ("BTC/btc_usd:3:10", BotSpec("BTC_USD", 3.0, 10.0, "btc")),
])
def test_a_bot_spec_reads_pair_rate_and_seconds(text, spec):
    assert parse_bot(text) == spec


@pytest.mark.parametrize(("text", "said"), [
    ("ETH_USDT", "PAIR:RATE:SECONDS"), ("ETH_USDT:1", "PAIR:RATE:SECONDS"), ("ETH:1:5", "currency pair"),
    ("ETH_USDT:0:5", "rate"), ("ETH_USDT:-1:5", "rate"), ("ETH_USDT:nan:5", "rate"), ("ETH_USDT:x:5", "'x'"),
    ("ETH_USDT:1:0", "time"), ("ETH_USDT:1:1e9", "time"), ("eur/BTC_USDT:1:5", "settlement"),
    ("usdt/NOPE_USDT:1:5", "NOPE_USDT"),
])
def test_a_bad_bot_spec_says_what_is_wrong(text, said):
    with pytest.raises(ValueError, match=said.replace("(", r"\(")):
        parse_bot(text)


def test_a_spot_bot_places_fills_and_cancels_and_every_change_is_pushed():
    with PaperExchange(orders=0) as ex, subscribed_spot(ex) as ws:
        bot = ex.start_bot("GT_USDT:200:0.5", fill_share=0.3, partial_share=0.3, cancel_share=0.3, seed=3)
        assert bot.finished.wait(WAIT_S)
        with ex.book.lock:
            mine = [ex.book.orders[i] for i in bot.placed]
        assert len(mine) > 10 and all(o.text == f"t-bot-{n}" for n, o in enumerate(mine, 1))
        assert {o.currency_pair for o in mine} == {"GT_USDT"}
        seen: dict[str, list[dict]] = {}
        ws.send(json.dumps({"time": int(time.time()), "channel": "spot.ping"}))
        while (message := receive(ws))["channel"] != "spot.pong":  # the pong comes after every change queued
            (item,) = message["result"]
            seen.setdefault(item["id"], []).append(item)
        assert set(seen) == {o.id for o in mine}
        events = {(i["event"], i["finish_as"]) for items in seen.values() for i in items}
        assert {("put", "open"), ("update", "open"), ("finish", "filled"), ("finish", "cancelled")} <= events
        for order in mine:  # each order's last word is its state now, and its times only go up
            items = seen[order.id]
            assert items[0]["event"] == "put" and items[-1]["finish_as"] == order.finish_as
            times = [int(i["update_time_ms"]) for i in items]
            assert times == sorted(set(times))


def test_a_futures_bot_pushes_on_its_settlements_socket():
    with PaperExchange(orders=0) as ex, open_socket(ex, "/v4/ws/usdt") as ws:
        assert request(ws, "futures.orders", payload=[USER_ID, "ETH_USDT"], key=ex.main_key)["error"] is None
        bot = ex.start_bot("usdt/ETH_USDT:100:0.2", seed=5)
        (first,) = orders_of(ws)
        assert first["contract"] == "ETH_USDT" and first["text"] == "t-bot-1" and first["status"] == "open"
        assert str(first["id"]) == bot.placed[0]
        assert bot.finished.wait(WAIT_S)


def test_max_open_keeps_the_bots_book_small():
    with PaperExchange(orders=0) as ex:
        bot = ex.start_bot("SOL_USDT:500:0.3", fill_share=0, partial_share=0, cancel_share=0, max_open=5)
        assert bot.finished.wait(WAIT_S)
        assert len(bot.placed) > 20 and len(ex.book.open_orders("SOL_USDT")) <= 6


def test_a_bot_ends_with_the_exchange():
    ex = PaperExchange(orders=0).start()
    bot = ex.start_bot("ETH_USDT:1:3600")
    ex.stop()
    assert bot.finished.wait(WAIT_S)
    assert len(bot.placed) == 1
