"""Replacing the profile list while another program (an antivirus, the search indexer) has it open for a
moment: Windows refuses with PermissionError. Tried again briefly, then one sentence (issue 22, item 13).
Simulated: os.replace refuses N times, or always."""

import errno
import json
import os

import pytest

from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.store import atomic
from gatecancel_gui.core.store.profiles import Profile, ProfileStore

REAL_REPLACE = os.replace


def refusing(monkeypatch, times):
    """os.replace that fails as Windows does `times` times (None: always), then works; counts the tries."""
    tries = []

    def replace(source, target):
        tries.append(str(target))
        if times is None or len(tries) <= times:
            raise PermissionError(errno.EACCES, "Access is denied", str(source))
        return REAL_REPLACE(source, target)

    monkeypatch.setattr(os, "replace", replace)
    return tries


def names_in(folder):
    return sorted(p.name for p in folder.iterdir())


def test_a_replace_refused_a_few_times_saves_the_profile(monkeypatch, tmp_path):
    store = ProfileStore(tmp_path / "profiles.json")
    tries = refusing(monkeypatch, 3)
    store.put(Profile("desk", environment="testnet"))
    assert len(tries) == 4
    assert [row["name"] for row in json.loads((tmp_path / "profiles.json").read_text(encoding="utf-8"))] == ["desk"]
    assert names_in(tmp_path) == ["profiles.json"]  # no temporary file left behind


def test_a_replace_always_refused_is_one_sentence_and_the_old_list_stays(monkeypatch, tmp_path):
    store = ProfileStore(tmp_path / "profiles.json")
    store.put(Profile("desk", environment="testnet"))
    before = (tmp_path / "profiles.json").read_bytes()
    tries = refusing(monkeypatch, None)
    with pytest.raises(ConfigError) as info:
        store.put(Profile("laptop", environment="testnet"))
    assert len(tries) == len(atomic.RETRY_DELAYS_S) + 1
    text = str(info.value)
    assert text.startswith(f"The profile list {tmp_path / 'profiles.json'} could not be saved (Access is denied)")
    assert "\n" not in text
    assert (tmp_path / "profiles.json").read_bytes() == before
    assert names_in(tmp_path) == ["profiles.json"]
    with pytest.raises(ConfigError):
        store.remove("desk")
    assert [p.name for p in store.all()] == ["desk"]


def test_other_failures_are_not_tried_again(monkeypatch, tmp_path):
    tries = []

    def full_disk(source, target):
        tries.append(target)
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(ConfigError, match=r"could not be saved \(No space left on device\)"):
        atomic.write_text(tmp_path / "x.json", "{}", "The file")
    assert len(tries) == 1 and names_in(tmp_path) == []
