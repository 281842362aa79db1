"""Quitting ends the process as soon as the window has closed: the interpreter's and Qt's teardown of the
window's objects (0.3 s here, 1.4-2 s on a busy machine, with the window already gone) is skipped, and what
must outlive the window (settings, the log) is written first."""

import os
import subprocess
import sys

from tests.processes import ini_settings

QUIT = """
import atexit, sys
atexit.register(lambda: print("teardown ran", flush=True))
from gatecancel_gui.gui import main
main(["--demo", "--demo-orders", "40", "--exit-when-shown"])
print("main returned", flush=True)
"""


def test_the_window_closing_ends_the_process_without_the_slow_teardown(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    result = subprocess.run([sys.executable, "-c", ini_settings(tmp_path / "qsettings") + QUIT], env=env,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "teardown ran" not in result.stdout and "main returned" not in result.stdout
    settings = (tmp_path / "qsettings" / "gatecancel" / "gatecancel.ini").read_text(encoding="utf-8")
    assert "geometry" in settings and "last_profile=demo (paper)" in settings  # written before the end
