"""Keyring failure modes: each gets a clear sentence in the dialog, and nothing is written to disk."""

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail

from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.store import credentials
from gatecancel_gui.core.store.profiles import ProfileStore
from gatecancel_gui.ui.profiles_dialog import ProfilesDialog
from tests.ui.conftest import fill_custom_profile

SECRET = "s3cr3t-value-that-must-stay-in-memory"


class LockedKeyring(KeyringBackend):
    priority = 1
    viable = False

    def get_password(self, service, username):
        raise keyring.errors.KeyringLocked("collection is locked")

    def set_password(self, service, username, password):
        raise keyring.errors.KeyringLocked("collection is locked")

    def delete_password(self, service, username):
        raise keyring.errors.KeyringLocked("collection is locked")


class RefusingKeyring(LockedKeyring):
    def get_password(self, service, username):
        return None

    def set_password(self, service, username, password):
        raise keyring.errors.PasswordSetError("the backend refused")


@pytest.fixture(params=[LockedKeyring, RefusingKeyring], ids=["locked", "raises-on-save"])
def broken_keyring(request):
    previous = keyring.get_keyring()
    keyring.set_keyring(request.param())
    yield request.param
    keyring.set_keyring(previous)


def test_save_fails_with_a_sentence_and_writes_nothing(broken_keyring, qtbot, paper, tmp_path):
    dialog = ProfilesDialog(ProfileStore(tmp_path / "cfg" / "profiles.json"))
    qtbot.addWidget(dialog)
    fill_custom_profile(dialog, paper.base_url, "abcd1234", SECRET)
    assert not dialog.save()
    text = dialog.status.text()
    assert "keyring" in text and ("refused" in text or "locked" in text.lower() or "Unlock" in text), text
    assert SECRET not in text
    assert not (tmp_path / "cfg").exists() or not any((tmp_path / "cfg").iterdir())
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes()


def test_session_only_still_works_when_the_keyring_fails(broken_keyring, qtbot, paper, tmp_path):
    dialog = ProfilesDialog(ProfileStore(tmp_path / "profiles.json"))
    qtbot.addWidget(dialog)
    fill_custom_profile(dialog, paper.base_url, paper.main_key.key, paper.main_key.secret)
    dialog.session_only.setChecked(True)
    with qtbot.waitSignal(dialog.sessionChosen, timeout=5_000) as chosen:
        dialog.use()
    chosen.args[0].close()


def test_reading_a_locked_keyring_says_so():
    previous = keyring.get_keyring()
    keyring.set_keyring(LockedKeyring())
    try:
        with pytest.raises(ConfigError) as info:
            credentials.load("desk")
        assert "locked" in str(info.value).lower()
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def no_keyring():
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def no_keyring_dialog(qtbot, tmp_path):
    dialog = ProfilesDialog(ProfileStore(tmp_path / "profiles.json"))
    qtbot.addWidget(dialog)
    dialog.name.setText("desk")
    return dialog


def test_no_keyring_and_only_a_name_asks_for_the_key(no_keyring, qtbot, tmp_path):
    dialog = no_keyring_dialog(qtbot, tmp_path)
    assert not dialog.save()
    assert dialog.status.text() == "Enter the API key."
    assert not (tmp_path / "profiles.json").exists()


def test_no_keyring_and_no_secret_asks_for_the_secret(no_keyring, qtbot, tmp_path):
    dialog = no_keyring_dialog(qtbot, tmp_path)
    dialog.key.setText("abcd1234")
    assert not dialog.save()
    assert dialog.status.text() == "Enter the API secret."
    dialog.btn_test.click()  # Test connection checks the same way, before any network
    assert dialog.status.text() == "Enter the API secret." and dialog.job is None


def test_no_keyring_keeps_the_session_secret_when_the_field_is_left_empty(no_keyring, qtbot, paper, tmp_path):
    dialog = no_keyring_dialog(qtbot, tmp_path)
    dialog.environment.setCurrentIndex(dialog.environment.findData("custom"))
    dialog.url.setText(paper.base_url)
    dialog.key.setText(paper.main_key.key)
    dialog.secret.setText(SECRET)
    assert dialog.save(), dialog.status.text()
    assert dialog.secret.text() == ""
    dialog.list.setCurrentRow(0)  # showing the saved profile reads no keyring: no error
    assert "could not be read" not in dialog.status.text()
    assert "stored" in dialog.secret.placeholderText()
    assert dialog.save(), dialog.status.text()  # empty secret field: the session's secret is kept
    assert credentials.load("desk").secret == SECRET
    for path in tmp_path.rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes()


def test_a_locked_keyring_is_still_reported_when_the_secret_field_is_empty(qtbot, tmp_path):
    previous = keyring.get_keyring()
    keyring.set_keyring(LockedKeyring())
    try:
        dialog = ProfilesDialog(ProfileStore(tmp_path / "profiles.json"))
        qtbot.addWidget(dialog)
        dialog.name.setText("desk")
        dialog.key.setText("abcd1234")
        dialog.session_only.setChecked(False)
        assert not dialog.save()
        assert "locked" in dialog.status.text().lower()
    finally:
        keyring.set_keyring(previous)
