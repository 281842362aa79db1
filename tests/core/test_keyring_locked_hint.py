"""A locked keyring's sentence tells the user how to unlock *their* system's keyring: macOS's backend raises
KeyringLocked when Keychain access is denied, and was told to run gnome-keyring-daemon."""

import keyring
import keyring.errors
import pytest
from keyring.backend import KeyringBackend

from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.store import credentials


class LockedKeyring(KeyringBackend):
    priority = 1
    viable = False

    def get_password(self, service, username):
        raise keyring.errors.KeyringLocked("Can't get password from keychain: (-25293, 'denied')")

    def set_password(self, service, username, password):
        raise keyring.errors.KeyringLocked("locked")

    def delete_password(self, service, username):
        raise keyring.errors.KeyringLocked("locked")


@pytest.fixture
def locked():
    previous = keyring.get_keyring()
    keyring.set_keyring(LockedKeyring())
    yield
    keyring.set_keyring(previous)


@pytest.mark.parametrize(("platform", "says", "never"), [
    ("darwin", "Keychain Access", "gnome-keyring"),
    ("win32", "log in to Windows", "gnome-keyring"),
    ("linux", "gnome-keyring-daemon --unlock", "Keychain"),
])
def test_a_locked_keyring_is_explained_for_this_system(locked, monkeypatch, platform, says, never):
    monkeypatch.setattr("sys.platform", platform)
    with pytest.raises(ConfigError) as info:
        credentials.load("desk")
    text = str(info.value)
    assert "is locked" in text and says in text and never not in text
