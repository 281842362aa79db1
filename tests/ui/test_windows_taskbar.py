"""Windows' taskbar groups a window started by python(w).exe under Python's icon unless the process names
itself (an AppUserModelID) before its first window (issue 22, item 13). Simulated: sys.platform is win32 and
ctypes.windll is a fake that records the call."""

import ctypes
import os
import subprocess
import sys

import pytest

from gatecancel_gui import gui


class Shell32:
    def __init__(self, fails=False):
        self.ids = []
        self.fails = fails

    def SetCurrentProcessExplicitAppUserModelID(self, app_id):  # the Windows API's name
        self.ids.append(app_id)
        if self.fails:
            raise OSError("[WinError 127] The specified procedure could not be found")
        return 0


class WinDLL:
    def __init__(self, shell32):
        self.shell32 = shell32


@pytest.fixture
def windows(monkeypatch):
    monkeypatch.setattr(sys, "platform", "win32")

    def with_shell32(shell32):
        monkeypatch.setattr(ctypes, "windll", WinDLL(shell32), raising=False)
        return shell32

    return with_shell32


def test_on_windows_the_process_names_itself_for_the_taskbar(windows):
    shell32 = windows(Shell32())
    gui.identify_on_taskbar()
    assert shell32.ids == [gui.WINDOWS_APP_ID] and " " not in gui.WINDOWS_APP_ID


def test_a_failure_to_name_it_is_ignored(windows, monkeypatch):
    shell32 = windows(Shell32(fails=True))
    gui.identify_on_taskbar()
    assert shell32.ids == [gui.WINDOWS_APP_ID]
    monkeypatch.delattr(ctypes, "windll")  # no windll at all
    gui.identify_on_taskbar()


def test_elsewhere_nothing_is_called(monkeypatch):
    shell32 = Shell32()
    monkeypatch.setattr(ctypes, "windll", WinDLL(shell32), raising=False)
    monkeypatch.setattr(sys, "platform", "linux")
    gui.identify_on_taskbar()
    assert shell32.ids == []


ORDER = """
import ctypes, sys
from PySide6.QtWidgets import QApplication
import gatecancel_gui.gui as gui

class Shell32:
    def SetCurrentProcessExplicitAppUserModelID(self, app_id):
        print(f"named {app_id}; application made already: {QApplication.instance() is not None}", flush=True)

class WinDLL:
    shell32 = Shell32()

ctypes.windll = WinDLL()
real = gui.identify_on_taskbar

def as_on_windows():
    saved, sys.platform = sys.platform, "win32"
    try:
        real()
    finally:
        sys.platform = saved

gui.identify_on_taskbar = as_on_windows
gui.main(["--demo", "--demo-orders", "20", "--exit-when-shown"])
"""


def test_the_window_start_names_the_process_before_the_application_exists(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    result = subprocess.run([sys.executable, "-c", ORDER], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"named {gui.WINDOWS_APP_ID}; application made already: False\n", result.stdout
