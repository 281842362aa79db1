"""Before Qt starts: is there a screen to show the window on, and can Qt's X11 (xcb) plugin load here?
Without either, Qt aborts the whole process (exit 134, a core dump) with a message about libxcb-cursor0
whatever is really missing; this says what is missing in one sentence, with the command that fixes it.

No Qt here: this runs before the application object exists.
"""

from __future__ import annotations

import ctypes
import importlib.util
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

# What Qt's xcb platform plugin (and libQt6XcbQpa) links against, with the Debian package of each.
XCB_LIBRARIES = {
    "libxcb.so.1": "libxcb1",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
}
# The README's line for the demo's window on a bare Debian or Ubuntu machine (kept equal by a test).
APT_LINE = ("apt-get update && apt-get install -y libglib2.0-0 libgl1 libegl1 libxkbcommon0 libfontconfig1 "
            "libfreetype6 libdbus-1-3 libx11-6 fonts-dejavu-core libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 "
            "libxcb-keysyms1 libxcb-shape0 libxcb-image0 libxcb-render-util0")
HEADLESS = "or set QT_QPA_PLATFORM=offscreen to run without a window"


def _bundled_dirs() -> list[Path]:
    """Where a build or the Qt wheel keeps its own copies of these libraries (tried after the system's)."""
    bundle = getattr(sys, "_MEIPASS", "")  # a PyInstaller build
    dirs = [Path(bundle)] if bundle else []
    spec = importlib.util.find_spec("PySide6")
    for location in (spec.submodule_search_locations or []) if spec else []:
        dirs.append(Path(location) / "Qt" / "lib")
    return dirs


def loads(name: str) -> bool:
    """Whether the dynamic linker can load this library (and what it needs), as Qt's plugin would."""
    for candidate in [name, *(str(d / name) for d in _bundled_dirs() if (d / name).exists())]:
        try:
            ctypes.CDLL(candidate)
            return True
        except OSError:
            continue
    return False


def x_server_answers(display: str) -> bool:
    """Whether the X server named by DISPLAY accepts a connection from us (as Qt's first step does)."""
    try:
        xcb = ctypes.CDLL("libxcb.so.1")
    except OSError:
        return True  # the library check says what is missing
    xcb.xcb_connect.restype = ctypes.c_void_p
    xcb.xcb_connect.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.c_int)]
    xcb.xcb_connection_has_error.argtypes = [ctypes.c_void_p]
    xcb.xcb_disconnect.argtypes = [ctypes.c_void_p]
    connection = xcb.xcb_connect(display.encode(), None)
    try:
        return connection is not None and xcb.xcb_connection_has_error(connection) == 0
    finally:
        if connection:
            xcb.xcb_disconnect(connection)


def display_problem(env: Mapping[str, str] | None = None, platform: str = sys.platform,
                    load: Callable[[str], bool] = loads,
                    connect: Callable[[str], bool] = x_server_answers) -> str | None:
    """One sentence (and the fix) when the window cannot be shown here; None when Qt can start. A
    platform chosen with QT_QPA_PLATFORM (offscreen, xcb, wayland…) and a Wayland session are left to Qt."""
    env = os.environ if env is None else env
    if not platform.startswith("linux") or env.get("QT_QPA_PLATFORM") or env.get("WAYLAND_DISPLAY"):
        return None
    display = env.get("DISPLAY", "")
    if not display:
        return (f"No display: DISPLAY is not set (no X11 or Wayland session), so the window has nowhere to "
                f"appear; start it from a desktop session, {HEADLESS}.")
    missing = [name for name in XCB_LIBRARIES if not load(name)]
    if missing:
        packages = " ".join(XCB_LIBRARIES[name] for name in missing)
        return (f"Qt's X11 platform cannot load: this machine lacks {', '.join(missing)} (Debian package"
                f"{'s' if len(missing) > 1 else ''} {packages}); as root: {APT_LINE}")
    if not connect(display):
        return (f"No display: the X server at DISPLAY={display} does not answer (or refuses this user), so the "
                f"window has nowhere to appear; check DISPLAY and the X session, {HEADLESS}.")
    return None
