"""An OS keyring's own error (Windows' pywintypes.error 1312, not a KeyringError) while the window opens the
last profile: the window starts and says it, instead of the process dying before any error hook existed;
and a refused Keychain delete (macOS) leaves the profile in the dialog (issue 22, item 8)."""

import os
import subprocess
import sys
from pathlib import Path

from gatecancel_gui.core.store import credentials
from gatecancel_gui.core.store.credentials import Credentials
from gatecancel_gui.core.store.logs import LOG_NAME
from gatecancel_gui.core.store.profiles import Profile, ProfileStore
from gatecancel_gui.gui import parse_args
from gatecancel_gui.ui import application
from gatecancel_gui.ui.profiles_dialog import ProfilesDialog
from tests.keyring_fakes import MacKeychain

ROOT = Path(__file__).resolve().parents[2]


def test_a_windows_keyring_error_at_start_is_said_in_the_window(tmp_path):
    """`gatecancel-gui --profile desk` with Windows' Credential Manager failing (error 1312): the window
    starts, says it (its status line's sentence is logged as shown), and ends normally."""
    ProfileStore(tmp_path / "config" / "profiles.json").put(Profile("desk", environment="testnet"))
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "xdg"),
               GATECANCEL_DATA_DIR=str(tmp_path / "data"), GATECANCEL_CONFIG_DIR=str(tmp_path / "config"),
               PYTHON_KEYRING_BACKEND="tests.keyring_fakes.NoLogonSession")
    result = subprocess.run([sys.executable, "-m", "gatecancel_gui", "--profile", "desk", "--exit-when-shown"],
                            env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    shown = [line for line in (tmp_path / "data" / LOG_NAME).read_text(encoding="utf-8").splitlines()
             if "shown to user:" in line]
    assert len(shown) == 1 and "OS keyring" in shown[0] and "1312" in shown[0], shown


def test_any_unexpected_error_opening_the_profile_is_said_in_the_window(monkeypatch):
    def broken(profile):
        raise RuntimeError("a backend nobody expected")

    monkeypatch.setattr(application, "open_profile", broken)
    ProfileStore().put(Profile("desk", environment="testnet"))
    errors = []
    assert application.startup_session(parse_args(["--profile", "desk"]), errors) is None
    assert errors == ["Profile 'desk' could not be opened: unexpected error (RuntimeError); details are in the log."]


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
