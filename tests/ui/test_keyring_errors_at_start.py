"""An OS keyring's own error (Windows' pywintypes.error 1312, not a KeyringError) while the window opens the
last profile: the window starts and says it, instead of the process dying before any error hook existed;
and a refused Keychain delete (macOS) leaves the profile in the dialog (issue 22, item 8)."""

import sys

import keyring
import pytest

from gatecancel_gui.core.store import credentials
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.core.store.profiles import Profile, ProfileStore
from gatecancel_gui.gui import parse_args
from gatecancel_gui.ui import application
from gatecancel_gui.ui.profiles_dialog import ProfilesDialog
from tests.keyring_fakes import MacKeychain, NoLogonSession


@pytest.fixture
def use_backend():
    previous = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(previous)


@pytest.fixture
def started(qapp, qtbot, monkeypatch):
    """Run the window's start as `gatecancel-gui --profile desk` does, up to its first paint; the window."""
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run() installs its own: put back after
    windows = []
    real = application.MainWindow

    def recording(*args, **kwargs):
        windows.append(real(*args, **kwargs))
        return windows[-1]

    monkeypatch.setattr(application, "MainWindow", recording)
    ProfileStore().put(Profile("desk", environment="testnet"))

    def start():
        assert application.run(qapp, parse_args(["--profile", "desk", "--exit-when-shown"])) == 0
        qtbot.addWidget(windows[0])
        return windows[0]

    return start


def test_a_windows_keyring_error_at_start_is_said_in_the_window(use_backend, started):
    use_backend(NoLogonSession())
    window = started()
    text = window.status.message.text()
    assert "OS keyring" in text and "1312" in text, text
    assert window.sessions.session is None


def test_any_unexpected_error_opening_the_profile_is_said_in_the_window(monkeypatch, started):
    def broken(profile):
        raise RuntimeError("a backend nobody expected")

    monkeypatch.setattr(application, "open_profile", broken)
    window = started()
    assert window.status.message.text() == ("Profile 'desk' could not be opened: unexpected error (RuntimeError); "
                                            "details are in the log.")


def test_an_error_before_the_window_exists_is_shown_once_it_does(qtbot, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    hook = application.install_excepthook()
    try:
        raise LookupError("before any window")
    except LookupError as exc:
        hook(type(exc), exc, exc.__traceback__)
    window = application.MainWindow(None)
    qtbot.addWidget(window)
    hook.show_in(window)
    assert window.status.message.text() == "Unexpected error (LookupError); details are in the log."


def test_a_refused_keychain_delete_keeps_the_profile(use_backend, qtbot, tmp_path):
    kr = MacKeychain()
    use_backend(kr)
    store = ProfileStore(tmp_path / "profiles.json")
    store.put(Profile("desk", environment="testnet"))
    credentials.save("desk", Credentials("abcd1234", "s3cr3t-value-in-the-keychain"))
    dialog = ProfilesDialog(store)
    qtbot.addWidget(dialog)
    dialog.list.setCurrentRow(0)
    kr.deny = True
    dialog.remove()
    assert "refused to delete the secret" in dialog.status.text()
    assert store.get("desk") is not None and credentials.load("desk") is not None
    kr.deny = False
    dialog.remove()
    assert store.get("desk") is None and credentials.load("desk") is None
