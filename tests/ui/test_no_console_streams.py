"""The windowed Windows build (PyInstaller console=False) runs with sys.stdout and sys.stderr set to None:
every path of the window that prints (a display problem, the self-test's lines, leave()'s flush, logging)
must end with its own exit code, not an AttributeError (issue 22, item 13). Simulated by setting both to
None before anything else runs."""

import os
import subprocess
import sys

import pytest

from gatecancel_gui.core.store.logs import LOG_NAME

NO_CONSOLE = """
import sys
sys.stdout = sys.stderr = None
from gatecancel_gui.gui import main
sys.exit(main(sys.argv[1:]))
"""


def run_without_console(tmp_path, *args, display=True):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    env.update(GATECANCEL_DATA_DIR=str(tmp_path / "data"), XDG_CONFIG_HOME=str(tmp_path / "xdg"))
    if display:
        env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run([sys.executable, "-c", NO_CONSOLE, *args], env=env, capture_output=True, text=True,
                          timeout=90)


def test_no_display_without_a_console_exits_2_and_logs_why(tmp_path):
    result = run_without_console(tmp_path, "--demo", display=False)
    assert (result.returncode, result.stdout, result.stderr) == (2, "", "")
    assert "cannot show the window: No display" in (tmp_path / "data" / LOG_NAME).read_text(encoding="utf-8")


@pytest.mark.parametrize("args, code", [(["--self-test"], 0), (["--demo", "--demo-orders", "20",
                                                                 "--exit-when-shown"], 0),
                                        (["--no-such-option"], 2)], ids=["self-test", "window", "bad-option"])
def test_the_window_without_a_console_ends_with_its_own_code(tmp_path, args, code):
    result = run_without_console(tmp_path, *args)
    assert (result.returncode, result.stdout, result.stderr) == (code, "", "")
