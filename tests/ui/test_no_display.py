"""Without a display, or without the libraries Qt's X11 plugin needs, the window says what is missing in
one sentence with the fix, and exits 2: never Qt's abort (exit 134, a core dump) about libxcb-cursor0."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from gatecancel_gui.display import APT_LINE, XCB_LIBRARIES, display_problem

README = Path(__file__).resolve().parents[2] / "README.md"
ON_LINUX = sys.platform.startswith("linux")
X11_ONLY = pytest.mark.skipif(not ON_LINUX, reason="only Linux can lack a display (X11/Wayland); on Windows and "
                              "macOS there always is one, and the demo would open a real window")


def everything_loads(name):
    return True


def test_no_display_and_no_wayland_says_so():
    text = display_problem({}, "linux", everything_loads, lambda d: True)
    assert text.startswith("No display: DISPLAY is not set") and "QT_QPA_PLATFORM=offscreen" in text


def test_a_chosen_platform_or_a_wayland_session_is_left_to_qt():
    for env in ({"QT_QPA_PLATFORM": "offscreen"}, {"QT_QPA_PLATFORM": "xcb", "DISPLAY": ":0"},
                {"WAYLAND_DISPLAY": "wayland-0"}):
        assert display_problem(env, "linux", lambda name: False, lambda d: False) is None
    assert display_problem({}, "darwin") is None and display_problem({}, "win32") is None


def test_missing_xcb_libraries_are_named_with_their_packages_and_the_readme_apt_line():
    lacking = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}
    text = display_problem({"DISPLAY": ":0"}, "linux", lambda name: name not in lacking, lambda d: True)
    assert "libxcb-icccm.so.4, libxcb-keysyms.so.1" in text and "packages libxcb-icccm4 libxcb-keysyms1" in text
    assert text.endswith(APT_LINE) and "libxcb-cursor" not in text.split(";")[0]


def test_an_x_server_that_does_not_answer_is_named():
    text = display_problem({"DISPLAY": ":97"}, "linux", everything_loads, lambda d: False)
    assert text.startswith("No display: the X server at DISPLAY=:97 does not answer")


@pytest.mark.skipif(not ON_LINUX, reason="libc.so.6 and the xcb libraries are Linux shared objects")
def test_the_libraries_are_found_by_name_on_this_machine():
    assert display_problem({"DISPLAY": ":0"}, "linux", lambda name: True, lambda d: True) is None
    assert "libc.so.6" not in XCB_LIBRARIES
    from gatecancel_gui.display import loads
    assert loads("libc.so.6") and not loads("libnot-a-library-gatecancel.so.9")


def test_the_apt_line_is_the_readmes():
    readme = README.read_text(encoding="utf-8")
    block = re.search(r"(apt-get update && apt-get install -y libglib.*?)\n```", readme, re.S).group(1)
    assert " ".join(block.replace("\\\n", " ").split()) == APT_LINE


def without_a_display():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "QT_QPA_PLATFORM", "WAYLAND_DISPLAY")}
    return env


@X11_ONLY
def test_the_demo_without_a_display_exits_2_with_a_sentence_not_a_core_dump(tmp_path):
    """Defect: `gatecancel-gui --demo` without DISPLAY aborted (exit 134) with Qt's libxcb-cursor0 message."""
    result = subprocess.run([sys.executable, "-m", "gatecancel_gui", "--demo"], env=without_a_display(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2, result.stderr
    assert result.stderr.startswith("gatecancel-gui: No display: DISPLAY is not set")
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


@X11_ONLY
def test_the_self_test_without_a_display_exits_2_with_a_sentence(tmp_path):
    result = subprocess.run([sys.executable, "-m", "gatecancel_gui", "--self-test"], env=without_a_display(),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2 and "No display" in result.stderr, result.stderr
