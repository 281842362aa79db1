"""The real OS keyring, through the app's own credential code: Secret Service (gnome-keyring under
dbus-run-session) on Linux, the Windows Credential Manager (WinVaultKeyring) on Windows, the Keychain on
macOS. Skipped unless REAL_KEYRING=1; .ci/run runs them in a throwaway HOME, the release workflow once per OS."""

import importlib
import sys

import keyring
import pytest

from gatecancel_gui.core.store import credentials

# The backend keyring picks on each platform: (module, class)
BACKENDS = {
    "linux": ("keyring.backends.SecretService", "Keyring"),
    "win32": ("keyring.backends.Windows", "WinVaultKeyring"),
    "darwin": ("keyring.backends.macOS", "Keyring"),
}


def expected_backend(platform: str = sys.platform) -> type:
    """The class of this platform's OS keyring backend (imported: it exists on every platform)."""
    module, name = BACKENDS["linux" if platform.startswith("linux") else platform]
    return getattr(importlib.import_module(module), name)


@pytest.mark.parametrize(("platform", "name"), [
    ("linux", "SecretService Keyring"), ("win32", "Windows WinVaultKeyring"), ("darwin", "macOS Keyring")])
def test_each_platform_expects_its_own_keyring(platform, name):
    """Defect: the check asserted SecretService, which Windows and macOS never have."""
    assert expected_backend(platform).name == name


@pytest.mark.real_keyring
def test_the_platforms_backend_is_the_one_in_use():
    backend = expected_backend()
    assert type(keyring.get_keyring()) is backend, type(keyring.get_keyring())
    assert credentials.keyring_works()
    assert credentials.backend_name() == backend.name


@pytest.mark.real_keyring
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


@pytest.mark.real_keyring
def test_the_dialog_reports_the_real_backend(qtbot, tmp_path):
    from gatecancel_gui.core.store.profiles import ProfileStore
    from gatecancel_gui.ui.profiles_dialog import ProfilesDialog

    dialog = ProfilesDialog(ProfileStore(tmp_path / "profiles.json"))
    qtbot.addWidget(dialog)
    assert expected_backend().name in dialog.keyring_note.text()
    assert dialog.session_only.isEnabled()
