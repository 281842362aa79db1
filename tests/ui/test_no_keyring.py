"""No OS keyring: a profile used "for this session only" is not written to disk, and one saved before that
says, after a restart, that no keyring is available and the key must be entered again (a locked keyring is
told apart from none at all)."""

import json

import keyring
import pytest
from keyring.backends import fail, null

from gatecancel_gui.core.app.session import open_profile
from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.store import credentials
from gatecancel_gui.core.store.profiles import Profile, ProfileStore
from gatecancel_gui.ui.main_window import MainWindow
from gatecancel_gui.ui.profiles_dialog import ProfilesDialog
from tests.ui.conftest import fill_custom_profile
from tests.ui.test_keyring_failures import LockedKeyring


@pytest.fixture(params=[fail.Keyring, null.Keyring], ids=["fail", "null"])
def no_keyring(request):
    previous = keyring.get_keyring()
    keyring.set_keyring(request.param())
    yield
    keyring.set_keyring(previous)


def session_only_profile(qtbot, paper, store):
    dialog = ProfilesDialog(store)
    qtbot.addWidget(dialog)
    fill_custom_profile(dialog, paper.base_url, paper.main_key.key, paper.main_key.secret)
    assert dialog.session_only.isChecked()  # no keyring: this session only is the one choice
    return dialog


def test_a_session_only_profile_is_not_written_to_disk(no_keyring, qtbot, paper, tmp_path):
    """Defect: a profile saved 'for this session only' was still written to profiles.json."""
    store = ProfileStore(tmp_path / "profiles.json")
    dialog = session_only_profile(qtbot, paper, store)
    assert dialog.save(), dialog.status.text()
    on_disk = json.loads(store.path.read_text(encoding="utf-8")) if store.path.exists() else []
    assert [p["name"] for p in on_disk] == []
    assert [p.name for p in store.all()] == ["desk"]  # … but it is there for this session
    assert dialog.list.count() == 1
    session = open_profile(store.get("desk"))
    session.close()
    assert [p.name for p in ProfileStore(store.path).all()] == []  # the next start knows nothing of it


def test_a_session_only_profile_is_usable_and_listed_in_the_window(no_keyring, qtbot, paper, tmp_path):
    store = ProfileStore(tmp_path / "profiles.json")
    dialog = session_only_profile(qtbot, paper, store)
    with qtbot.waitSignal(dialog.sessionChosen, timeout=5_000) as chosen:
        dialog.use()
    session = chosen.args[0]
    win = MainWindow(session, profiles=store)
    qtbot.addWidget(win)
    assert win.profile_box.findText("desk") >= 0
    session.close()
    assert not store.path.exists()


def test_a_saved_profile_without_a_keyring_says_the_key_must_be_entered_again(no_keyring):
    """Defect: 'The OS keyring (fail Keyring) could not be read: NoKeyringError. Is it locked?'."""
    with pytest.raises(ConfigError) as info:
        open_profile(Profile("desk"))
    text = str(info.value)
    assert text.startswith("No OS keyring is available") and "enter" in text and "again" in text
    assert "locked" not in text.lower() and "NoKeyringError" not in text


def test_selecting_it_in_the_window_says_so(no_keyring, qtbot, paper, tmp_path):
    store = ProfileStore(tmp_path / "profiles.json")
    store.put(Profile("desk", "custom", paper.base_url))  # saved by an earlier version, or by hand
    win = MainWindow(None, profiles=store)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.status.errorShown, timeout=5_000) as shown:
        win.profile_box.activated.emit(win.profile_box.findText("desk"))
    assert shown.args[0].startswith("No OS keyring is available") and "Profiles" in shown.args[0]
    qtbot.waitUntil(lambda: not win.jobs.alive, timeout=5_000)


def test_a_locked_keyring_is_not_called_missing():
    previous = keyring.get_keyring()
    keyring.set_keyring(LockedKeyring())
    try:
        with pytest.raises(ConfigError) as info:
            credentials.load("desk")
        text = str(info.value)
        assert "is locked" in text and "unlock" in text.lower() and "No OS keyring" not in text
    finally:
        keyring.set_keyring(previous)
