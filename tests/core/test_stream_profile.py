"""The live stream's WebSocket override is a profile setting like the proxy: saved with the profile (never a
secret), and profiles saved before it existed still load."""

import json

from gatecancel_gui.core.domain.markets import Market
from gatecancel_gui.core.store.profiles import Profile, ProfileStore
from gatecancel_gui.core.stream.addresses import socket_url


def test_ws_url_is_saved_and_read_back(tmp_path):
    store = ProfileStore(tmp_path / "profiles.json")
    store.put(Profile("relay", ws_url="wss://relay.example.com:9443"))
    again = ProfileStore(tmp_path / "profiles.json").get("relay")
    assert again is not None and again.ws_url == "wss://relay.example.com:9443"
    assert socket_url(again.base_url, Market.SPOT, again.ws_url) == "wss://relay.example.com:9443/ws/v4/"


def test_a_profile_saved_before_the_setting_loads_without_it(tmp_path):
    path = tmp_path / "profiles.json"
    path.write_text(json.dumps([{"name": "old", "environment": "live", "custom_url": "", "account": "",
                                 "ca_file": "", "proxy": ""}]), encoding="utf-8")
    old = ProfileStore(path).get("old")
    assert old is not None and old.ws_url == ""
