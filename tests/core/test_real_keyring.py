"""The real OS keyring (Secret Service via gnome-keyring under dbus-run-session), through the app's own
credential code. Skipped unless REAL_KEYRING=1; .ci/run runs them in a throwaway HOME."""

import keyring
import pytest

from gatecancel_gui.core.store import credentials

pytestmark = pytest.mark.real_keyring


def test_the_secret_service_backend_is_the_one_in_use():
    assert type(keyring.get_keyring()).__module__ == "keyring.backends.SecretService"
    assert credentials.keyring_works()
    assert "SecretService" in credentials.backend_name()


def test_store_read_and_delete_a_profiles_secret():
    creds = credentials.make_credentials("ci-key-0123456789", "ci-secret-abcdef0123456789")
    credentials.save("ci profile", creds)
    try:
        loaded = credentials.load("ci profile")
        assert loaded == creds
    finally:
        credentials.delete("ci profile")
    assert credentials.load("ci profile") is None
    credentials.delete("ci profile")  # deleting twice is not an error


def test_the_dialog_reports_the_real_backend(qtbot, tmp_path):
    from gatecancel_gui.core.store.profiles import ProfileStore
    from gatecancel_gui.ui.profiles_dialog import ProfilesDialog

    dialog = ProfilesDialog(ProfileStore(tmp_path / "profiles.json"))
    qtbot.addWidget(dialog)
    assert "SecretService" in dialog.keyring_note.text()
    assert dialog.session_only.isEnabled()
