"""A whole session, window and command line, with a recognisable key and secret: afterwards no file under
the throwaway HOME, no captured output and no log line may hold the secret, the key or any SIGN value."""

import json
import logging
import os
import subprocess
import sys

import platformdirs
import pytest
from PySide6.QtCore import QSettings

from gatecancel_gui.core.store.journal import Journal
from gatecancel_gui.core.store.paths import config_dir, data_dir
from gatecancel_gui.core.store.profiles import ProfileStore
from gatecancel_gui.gui import setup_logging
from gatecancel_gui.paper.auth import ApiKey
from gatecancel_gui.ui.main_window import MainWindow
from gatecancel_gui.ui.profiles_dialog import ProfilesDialog
from tests.ui.conftest import fill_custom_profile

KEY = "GCKEYrecognisable0123456789abcdef"
SECRET = "GCSECRETrecognisable9876543210fedcba0123456789"


@pytest.fixture
def home(tmp_path, monkeypatch):
    return make_home(tmp_path, monkeypatch)


def make_home(tmp_path, monkeypatch, windows=sys.platform == "win32"):
    """A throwaway home that the app's default folders are under. Linux and macOS find them from HOME;
    Windows asks the shell for AppData whatever the environment says, so there the app's own override
    puts them under the home too."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))  # what ~ means on Windows
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "GATECANCEL_DATA_DIR",
                 "GATECANCEL_CONFIG_DIR"):
        monkeypatch.delenv(name, raising=False)
    if windows:
        monkeypatch.setenv("GATECANCEL_DATA_DIR", str(home / "AppData" / "Local" / "gatecancel"))
        monkeypatch.setenv("GATECANCEL_CONFIG_DIR", str(home / "AppData" / "Local" / "gatecancel"))
    assert data_dir().is_relative_to(home), data_dir()  # so the search under the home covers it
    assert config_dir().is_relative_to(home), config_dir()
    for fmt in (QSettings.Format.NativeFormat, QSettings.Format.IniFormat):
        QSettings.setPath(fmt, QSettings.Scope.UserScope, str(home / ".config"))
    return home


def test_on_windows_the_apps_folders_are_under_the_throwaway_home_too(tmp_path, monkeypatch):
    """There platformdirs asks the shell for AppData, not HOME (simulated: it answers a folder elsewhere)."""
    elsewhere = tmp_path / "Users" / "someone" / "AppData"
    monkeypatch.setattr(platformdirs, "user_data_dir", lambda *a, **k: str(elsewhere / "gatecancel"))
    monkeypatch.setattr(platformdirs, "user_config_dir", lambda *a, **k: str(elsewhere / "gatecancel"))
    home = make_home(tmp_path, monkeypatch, windows=True)
    assert data_dir().is_relative_to(home) and config_dir().is_relative_to(home)


@pytest.mark.slow
def test_a_full_session_leaves_no_secret_anywhere(home, paper, qtbot, mem_keyring, monkeypatch, caplog, capfd,
                                                  answers):
    caplog.set_level(logging.INFO)
    paper.keys[KEY] = ApiKey(KEY, SECRET)
    setup_logging()
    file_handler = logging.getLogger().handlers[-1]
    try:
        # 1. a profile is created through the dialog: the secret goes to the keyring only
        dialog = ProfilesDialog(ProfileStore())
        qtbot.addWidget(dialog)
        fill_custom_profile(dialog, paper.base_url, KEY, SECRET)
        with qtbot.waitSignal(dialog.sessionChosen, timeout=5_000) as chosen:
            dialog.use()
        session = chosen.args[0]

        # 2. the window loads and cancels with it, journals, logs
        win = MainWindow(session, confirm=answers, journal=Journal())
        qtbot.addWidget(win)
        win.show()
        with qtbot.waitSignal(win.loadFinished, timeout=10_000):
            win.refresh()
        win.open_pane.model.set_checked([o.id for o in win.open_pane.model.orders()[:25]], True)
        with qtbot.waitSignal(win.cancelFinished, timeout=10_000):
            win.commands["cancel"].trigger()

        # 3. an auth error (the exchange stops knowing the key) and an exception in a worker
        #    whose message carries the secret: both are logged, neither may leak
        del paper.keys[KEY]
        with qtbot.waitSignal(win.status.errorShown, timeout=10_000):
            win.refresh()
        paper.keys[KEY] = ApiKey(KEY, SECRET)
        import gatecancel_gui.core.app.services as services_module

        def boom(*args, **kwargs):
            raise RuntimeError(f"exploded while holding {SECRET} for {KEY}")

        with monkeypatch.context() as patched:  # not monkeypatch.undo(): that would give back the real HOME
            patched.setattr(services_module, "load_open_orders", boom)
            with qtbot.waitSignal(win.status.errorShown, timeout=10_000):
                win.refresh()
        win.close()
        session.close()
        QSettings().sync()

        # 4. the command line, with the key in the environment, including a failure
        env = {**os.environ, "GATE_API_KEY": KEY, "GATE_API_SECRET": SECRET, "HOME": str(home)}
        outputs = []
        for args in (["orders", "--json"], ["cancel", "--all", "--yes", "--json"], ["cancel", "--ids", "BTC_USDT:1"]):
            result = subprocess.run([sys.executable, "-m", "gatecancel_gui.cli", *args, "--base-url", paper.base_url],
                                    capture_output=True, text=True, env=env, timeout=60)
            outputs += [result.stdout, result.stderr]
        bad = {**env, "GATE_API_SECRET": SECRET + "x"}
        result = subprocess.run([sys.executable, "-m", "gatecancel_gui.cli", "orders", "--base-url", paper.base_url],
                                capture_output=True, text=True, env=bad, timeout=60)
        outputs += [result.stdout, result.stderr]
        assert json.loads(outputs[0])  # the CLI did work
    finally:
        logging.getLogger().removeHandler(file_handler)
        file_handler.close()

    captured = capfd.readouterr()
    outputs += [captured.out, captured.err, caplog.text]
    signatures = set(paper.signatures_seen)
    assert len(signatures) > 20
    written = [p for p in home.rglob("*") if p.is_file()]
    names = {p.name for p in written}
    assert {"cancel-journal.jsonl", "gatecancel.log", "profiles.json"} <= names, names
    log_text = (data_dir() / "gatecancel.log").read_text(encoding="utf-8")
    assert "exploded while holding <secret> for GCKE…" in log_text
    needles = [SECRET, KEY, *signatures]
    for path in written:
        blob = path.read_bytes()
        for needle in needles:
            assert needle.encode() not in blob, f"{needle[:12]}… found in {path}"
    for text in outputs:
        for needle in needles:
            assert needle not in text, f"{needle[:12]}… found in captured output"
    assert mem_keyring.store  # the secret is in the keyring, and only there
    assert Journal().path.read_text(encoding="utf-8").count('"event":"sent"') >= 2
