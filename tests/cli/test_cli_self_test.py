"""`gatecancel --self-test`: the console program runs the window's self-test (on Windows the windowed
gatecancel-gui has no stdout, so CI and a user read the result from this one)."""

import os
import subprocess
import sys

from tests.cli.runner import run_main

SELF_TEST = [sys.executable, "-m", "gatecancel_gui.cli", "--self-test"]


def test_the_command_line_runs_the_windows_self_test_and_says_ok():
    result = subprocess.run(SELF_TEST, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
                            capture_output=True, text=True, timeout=90)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("self-test OK: orders=60 ") and "green=10/10" in result.stdout


def test_without_a_display_it_says_so_as_the_window_does():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    result = subprocess.run(SELF_TEST, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "No display" in result.stderr and "Traceback" not in result.stderr


def test_help_lists_it_and_a_command_is_still_needed_without_it():
    assert "--self-test" in run_main("--help").stdout
    result = run_main()
    assert result.returncode == 2 and "COMMAND" in result.stderr


def test_other_commands_do_not_load_qt():
    code = ("import sys\nfrom gatecancel_gui.cli import main\n"
            "assert main(['journal', '--help']) == 0\n"
            "assert not [m for m in sys.modules if m.startswith('PySide6')]\n")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=60)
