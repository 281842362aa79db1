"""What the executable leaves out, decided by the file's place in the bundle, for the names each OS gives
the same Qt piece: `libQt6Network.so.6` (Linux), `Qt6Network.dll` (Windows), `QtNetwork.framework/...`
(macOS). Plain Python, no PyInstaller: gatecancel.spec imports it, and a test checks each OS's real names.

Kept: the platforms the app starts on (xcb, Windows, Cocoa, and offscreen for `--self-test`), the widget
styles, PNG (built into QtGui), keyring's backends and their metadata. Dropped: Qt modules, plugins and
translations the app never uses, the software-OpenGL fallback, and on Linux the GTK3 platform theme, which
drags in GTK, cairo and pango."""

from __future__ import annotations

import re

# Python modules the app never imports (some come along through optional imports of its dependencies)
EXCLUDES = [
    "PySide6.QtNetwork", "PySide6.QtQml", "PySide6.QtQuick", "PySide6.QtSql", "PySide6.QtXml",
    "PySide6.QtOpenGL", "PySide6.QtOpenGLWidgets", "PySide6.QtSvg", "PySide6.QtSvgWidgets", "PySide6.QtTest",
    "PySide6.QtDBus", "PySide6.QtPrintSupport", "PySide6.QtConcurrent", "PySide6.QtHelp",
    "tkinter", "unittest", "pydoc", "doctest", "pygments", "pytest", "hypothesis", "_pytest",
]
DROP_PLUGIN_DIRS = {"egldeviceintegrations", "generic", "networkinformation", "tls", "imageformats", "iconengines",
                    "wayland-decoration-client", "wayland-graphics-integration-client", "wayland-shell-integration",
                    "platforminputcontexts", "sqldrivers", "qmltooling"}
# by the plugin's bare name: libqoffscreen.so, qoffscreen.dll and libqoffscreen.dylib are all "qoffscreen"
KEEP_PLATFORMS = {"qxcb", "qoffscreen", "qwindows", "qcocoa"}
DROP_PLATFORMTHEMES = {"qgtk3"}
# Qt libraries by module name, whatever the OS calls the file: "Qml" drops QtQml, QtQmlModels, QtQmlMeta, …
DROP_QT_FAMILIES = ("Network", "Wayland", "WlShell", "EglFS", "EglFs", "Svg", "Qml", "Quick", "Pdf",
                    "VirtualKeyboard", "Sql")
DROP_QT_MODULES = {"OpenGL"}  # only this one: OpenGLWidgets is another module
# other libraries, by the start of the file's name
DROP_LIB_PREFIXES = (
    "opengl32sw.",  # Windows: Mesa's software OpenGL (20 MB), a fallback for OpenGL content the app has none of
    "libgtk-3", "libgdk-3", "libgdk_pixbuf", "libatk", "libatspi", "libcairo", "libpango", "libharfbuzz",
    "libfribidi", "libthai", "libdatrie", "libgraphite2", "libpixman", "libepoxy", "libjpeg", "libXcomposite",
    "libXcursor", "libXdamage", "libXi.", "libXinerama", "libXrandr", "libXrender", "libwayland", "libgssapi_krb5",
    "libkrb5", "libk5crypto", "libcom_err", "libkeyutils", "libtiff", "libwebp", "libjbig", "libdeflate", "libLerc",
    "libsharpyuv",
)
_QT_LIBRARY = (re.compile(r"^libQt6(\w+?)\.so"),      # Linux: libQt6Network.so.6
               re.compile(r"^Qt6(\w+)\.dll$", re.I),  # Windows: Qt6Network.dll
               re.compile(r"^Qt(\w+)\.framework$"),   # macOS: the folder QtNetwork.framework
               re.compile(r"^libQt6(\w+?)(\.\d+)*\.dylib$"))  # macOS, when a wheel ships plain dylibs
_PLUGIN_SUFFIXES = (".so", ".dll", ".dylib")


def keep(dest: str) -> bool:
    """Whether the file at `dest` (its path inside the bundle, / or \\ separated) goes into the executable."""
    parts = [p for p in dest.replace("\\", "/").split("/") if p]
    if not parts:
        return True
    if "plugins" in parts:
        sub = parts[parts.index("plugins") + 1:]
        if sub and sub[0] in DROP_PLUGIN_DIRS:
            return False
        if len(sub) > 1 and sub[0] == "platforms" and plugin_name(sub[-1]) not in KEEP_PLATFORMS:
            return False
        if len(sub) > 1 and sub[0] == "platformthemes" and plugin_name(sub[-1]) in DROP_PLATFORMTHEMES:
            return False
    if any(part == "translations" and i > 0 and parts[i - 1] in ("PySide6", "Qt") for i, part in enumerate(parts)):
        return False  # Qt's own strings (PySide6/Qt/translations; PySide6/translations on Windows)
    if any(dropped_qt_module(qt_module(part)) for part in parts):
        return False
    return not parts[-1].startswith(DROP_LIB_PREFIXES)


def plugin_name(filename: str) -> str:
    """libqoffscreen.so, qoffscreen.dll, libqoffscreen.dylib: "qoffscreen"."""
    stem = filename
    for suffix in _PLUGIN_SUFFIXES:
        if stem.lower().endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return stem.removeprefix("lib")


def qt_module(name: str) -> str:
    """The Qt module a file or folder name belongs to ("Network" for Qt6Network.dll), or "" if none."""
    for pattern in _QT_LIBRARY:
        match = pattern.match(name)
        if match:
            return match.group(1)
    return ""


def dropped_qt_module(module: str) -> bool:
    return bool(module) and (module in DROP_QT_MODULES or module.startswith(DROP_QT_FAMILIES))
