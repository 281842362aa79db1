"""The demo's own screenshot run (gatecancel-gui --demo --screenshot), as a process: it loads spot and
futures, cancels a mix in one click and saves the window."""

import os
import subprocess

from tests.processes import gui_command


def test_demo_screenshot_cancels_spot_and_futures_and_saves_the_window(tmp_path):
    picture = tmp_path / "window.png"
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen", "GATECANCEL_DATA_DIR": str(tmp_path / "data")}
    result = subprocess.run([*gui_command(tmp_path / "qsettings"), "--demo", "--screenshot", str(picture)],
                            capture_output=True, text=True, env=env, timeout=90)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    assert picture.stat().st_size > 10_000 and "cancelled" in result.stdout
