"""What the executable keeps and drops, for the file names each OS's PySide6 wheel really has (paths as
PyInstaller places them in the bundle: / on Linux and macOS, \\ on Windows)."""

import pytest

from tests.packaging import resource_module

trim = resource_module("bundle_trim")

KEPT = {
    "linux": [
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/lib/libQt6Core.so.6", "PySide6/Qt/lib/libQt6Gui.so.6", "PySide6/Qt/lib/libQt6Widgets.so.6",
        "PySide6/Qt/lib/libQt6DBus.so.6", "PySide6/Qt/lib/libQt6XcbQpa.so.6", "PySide6/Qt/lib/libQt6OpenGLWidgets.so.6",
        "PySide6/Qt/plugins/xcbglintegrations/libqxcb-glx-integration.so",
        "PySide6/Qt/plugins/platformthemes/libqxdgdesktopportal.so",
        "PySide6/QtWidgets.abi3.so", "libpython3.11.so.1.0", "libxcb-cursor.so.0", "libssl.so.3",
        "keyring-25.7.0.dist-info/entry_points.txt",
    ],
    "windows": [
        r"PySide6\plugins\platforms\qwindows.dll",
        r"PySide6\plugins\platforms\qoffscreen.dll",
        r"PySide6\plugins\styles\qmodernwindowsstyle.dll",
        r"PySide6\Qt6Core.dll", r"PySide6\Qt6Gui.dll", r"PySide6\Qt6Widgets.dll",
        r"PySide6\pyside6.abi3.dll", r"PySide6\QtWidgets.pyd", r"shiboken6\shiboken6.abi3.dll",
        r"PySide6\MSVCP140.dll", "python311.dll", "VCRUNTIME140.dll", "libssl-3.dll",
    ],
    "macos": [
        "PySide6/Qt/plugins/platforms/libqcocoa.dylib",
        "PySide6/Qt/plugins/platforms/libqoffscreen.dylib",
        "PySide6/Qt/plugins/styles/libqmacstyle.dylib",
        "PySide6/Qt/lib/QtCore.framework/Versions/A/QtCore",
        "PySide6/Qt/lib/QtGui.framework/Versions/A/QtGui",
        "PySide6/Qt/lib/QtWidgets.framework/Versions/A/QtWidgets",
        "PySide6/Qt/lib/QtWidgets.framework/Resources/Info.plist",
        "PySide6/Qt/lib/QtDBus.framework/Versions/A/QtDBus",
        "PySide6/QtWidgets.abi3.so", "Python.framework/Versions/3.11/Python",
    ],
}
DROPPED = {
    "linux": [
        "PySide6/Qt/plugins/platforms/libqminimal.so", "PySide6/Qt/plugins/platforms/libqwayland-egl.so",
        "PySide6/Qt/plugins/platforms/libqeglfs.so", "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/imageformats/libqjpeg.so", "PySide6/Qt/plugins/tls/libqopensslbackend.so",
        "PySide6/Qt/lib/libQt6Network.so.6", "PySide6/Qt/lib/libQt6Pdf.so.6", "PySide6/Qt/lib/libQt6QmlModels.so.6",
        "PySide6/Qt/lib/libQt6Quick.so.6", "PySide6/Qt/lib/libQt6OpenGL.so.6", "PySide6/Qt/lib/libQt6Svg.so.6",
        "PySide6/Qt/lib/libQt6WaylandClient.so.6", "PySide6/Qt/lib/libQt6EglFSDeviceIntegration.so.6",
        "PySide6/Qt/lib/libQt6EglFsKmsSupport.so.6",
        "PySide6/Qt/translations/qtbase_de.qm", "libgtk-3.so.0", "libcairo.so.2", "libkrb5.so.3",
    ],
    "windows": [
        r"PySide6\plugins\platforms\qminimal.dll", r"PySide6\plugins\platforms\qdirect2d.dll",
        r"PySide6\plugins\imageformats\qjpeg.dll", r"PySide6\plugins\tls\qschannelbackend.dll",
        r"PySide6\plugins\networkinformation\qnetworklistmanager.dll", r"PySide6\plugins\generic\qtuiotouchplugin.dll",
        r"PySide6\Qt6Network.dll", r"PySide6\Qt6Pdf.dll", r"PySide6\Qt6Qml.dll", r"PySide6\Qt6QmlMeta.dll",
        r"PySide6\Qt6Quick.dll", r"PySide6\Qt6OpenGL.dll", r"PySide6\Qt6Svg.dll", r"PySide6\Qt6VirtualKeyboard.dll",
        r"PySide6\opengl32sw.dll", r"PySide6\translations\qtbase_de.qm",
    ],
    "macos": [
        "PySide6/Qt/plugins/platforms/libqminimal.dylib",
        "PySide6/Qt/plugins/imageformats/libqjpeg.dylib",
        "PySide6/Qt/plugins/tls/libqsecuretransportbackend.dylib",
        "PySide6/Qt/lib/QtNetwork.framework/Versions/A/QtNetwork",
        "PySide6/Qt/lib/QtNetwork.framework/Resources/Info.plist",
        "PySide6/Qt/lib/QtPdf.framework/Versions/A/QtPdf",
        "PySide6/Qt/lib/QtQmlModels.framework/Versions/A/QtQmlModels",
        "PySide6/Qt/lib/QtOpenGL.framework/Versions/A/QtOpenGL",
        "PySide6/Qt/lib/QtSvg.framework/Versions/A/QtSvg",
        "PySide6/Qt/translations/qtbase_de.qm",
    ],
}


@pytest.mark.parametrize("os_name", sorted(KEPT))
def test_what_must_stay_stays(os_name):
    assert [path for path in KEPT[os_name] if not trim.keep(path)] == []


@pytest.mark.parametrize("os_name", sorted(DROPPED))
def test_what_must_go_goes(os_name):
    assert [path for path in DROPPED[os_name] if trim.keep(path)] == []


def test_the_offscreen_platform_stays_on_every_os_for_the_self_test():
    """Defect: the macOS name libqoffscreen.dylib was not kept, so `--self-test` offscreen failed there."""
    for path in ("PySide6/Qt/plugins/platforms/libqoffscreen.so", r"PySide6\plugins\platforms\qoffscreen.dll",
                 "PySide6/Qt/plugins/platforms/libqoffscreen.dylib"):
        assert trim.keep(path), path


def test_a_windows_path_is_read_on_any_os():
    """PyInstaller on Windows gives \\-separated paths; the decision must not depend on the OS it runs on."""
    assert trim.keep(r"PySide6\plugins\platforms\qwindows.dll")
    assert not trim.keep(r"PySide6\plugins\imageformats\qgif.dll")
    assert trim.keep("PySide6/plugins/platforms/qwindows.dll") == trim.keep(r"PySide6\plugins\platforms\qwindows.dll")


def test_the_qt_module_is_named_from_each_os_file_name():
    assert {trim.qt_module(name) for name in ("libQt6Network.so.6", "Qt6Network.dll", "QtNetwork.framework",
                                              "libQt6Network.6.dylib")} == {"Network"}
    assert trim.qt_module("QtNetwork.pyd") == "" and trim.qt_module("python311.dll") == ""
