"""A locked keyring's sentence tells the user how to unlock *their* system's keyring: macOS's backend raises
KeyringLocked when Keychain access is denied, and was told to run gnome-keyring-daemon."""

import pytest

from gatecancel_gui.core.domain.errors import ConfigError
from gatecancel_gui.core.store import credentials
from tests.ui.test_keyring_failures import LockedKeyring


@pytest.mark.parametrize(("platform", "says", "never"), [
    ("darwin", "Keychain Access", "gnome-keyring"),
    ("win32", "log in to Windows", "gnome-keyring"),
    ("linux", "gnome-keyring-daemon --unlock", "Keychain"),
])
def test_a_locked_keyring_is_explained_for_this_system(use_backend, monkeypatch, platform, says, never):
    use_backend(LockedKeyring())
    monkeypatch.setattr("sys.platform", platform)
    with pytest.raises(ConfigError) as info:
        credentials.load("desk")
    text = str(info.value)
    assert "is locked" in text and says in text and never not in text
