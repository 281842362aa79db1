"""resources/gatecancel.spec, run as PyInstaller runs it but with recording stand-ins for its build
classes, as on Linux, Windows (sys.platform win32) and macOS (darwin): what it asks PyInstaller to make.
(Nothing can be built for Windows or macOS here; the real Linux build is checked by .ci/run.)"""

from pathlib import Path

import pytest

from gatecancel_gui import __version__
from tests.packaging import RESOURCES

ROOT = RESOURCES.parent
ANALYSED_BINARIES = [("PySide6/Qt/plugins/platforms/libqoffscreen.so", "/src/a", "BINARY"),
                     ("PySide6/Qt/lib/libQt6Network.so.6", "/src/b", "BINARY")]


class Analysis:
    """One Analysis the spec asked for: what PyInstaller would have found, for the spec to trim."""

    def __init__(self, scripts, **kwargs):
        self.scripts_in, self.kwargs = scripts, kwargs
        self.binaries, self.datas = list(ANALYSED_BINARIES), [("PySide6/Qt/translations/qt_de.qm", "/x", "DATA")]
        self.pure, self.scripts = f"pure of {Path(scripts[0]).parent.name}", f"scripts of {scripts[0]}"


class Built:
    """One EXE, COLLECT or BUNDLE the spec asked for."""

    def __init__(self, *args, **kwargs):
        self.args, self.kwargs = args, kwargs
        self.name = kwargs.get("name")


def run_spec(monkeypatch, tmp_path, platform, onefile=False, icons=True):
    """The spec's requests: {"Analysis": [...], "EXE": [...], "COLLECT": [...], "BUNDLE": [...]}."""
    monkeypatch.setattr("sys.platform", platform)
    monkeypatch.setenv("ONEFILE", "1" if onefile else "0")
    monkeypatch.delenv("STRIP", raising=False)
    monkeypatch.setenv("GATECANCEL_ICONS", str(tmp_path))
    if icons:
        for name in ("gatecancel.ico", "gatecancel.icns"):
            (tmp_path / name).write_bytes(b"icon")
    made: dict[str, list] = {"Analysis": [], "EXE": [], "COLLECT": [], "BUNDLE": []}

    def recording(cls, kind):
        def make(*args, **kwargs):
            made[kind].append(cls(*args, **kwargs))
            return made[kind][-1]
        return make

    namespace = {"SPECPATH": str(RESOURCES), "Analysis": recording(Analysis, "Analysis"),
                 "PYZ": lambda pure: f"pyz({pure})", "EXE": recording(Built, "EXE"),
                 "COLLECT": recording(Built, "COLLECT"), "BUNDLE": recording(Built, "BUNDLE")}
    spec = RESOURCES / "gatecancel.spec"
    exec(compile(spec.read_text(encoding="utf-8"), str(spec), "exec"), namespace)
    return made


def programs(made):
    return {exe.name: exe.kwargs["console"] for exe in made["EXE"]}


@pytest.mark.parametrize("platform", ["linux", "win32", "darwin"])
def test_one_folder_holds_a_console_command_line_and_a_windowed_window(monkeypatch, tmp_path, platform):
    """Defect: one console program, the window's: a console window behind the GUI on Windows (closing it
    killed the app), and no command line in the bundle at all."""
    made = run_spec(monkeypatch, tmp_path, platform)
    assert programs(made) == {"gatecancel": True, "gatecancel-gui": False}
    scripts = sorted(Path(a.scripts_in[0]).relative_to(ROOT).as_posix() for a in made["Analysis"])
    assert scripts == ["gatecancel_gui/__main__.py", "gatecancel_gui/cli/__main__.py"]
    runs = {exe.name: Path(exe.args[1].removeprefix("scripts of ")).relative_to(ROOT).as_posix() for exe in made["EXE"]}
    assert runs == {"gatecancel": "gatecancel_gui/cli/__main__.py", "gatecancel-gui": "gatecancel_gui/__main__.py"}
    [coll] = made["COLLECT"]
    assert coll.name == "gatecancel" and [a for a in coll.args if isinstance(a, Built)] == made["EXE"]
    for a in made["Analysis"]:  # every program's files go into the one folder
        assert a.binaries in coll.args and a.datas in coll.args


def test_the_trimming_is_applied_to_what_pyinstaller_found(monkeypatch, tmp_path):
    made = run_spec(monkeypatch, tmp_path, "linux")
    for a in made["Analysis"]:
        assert [e[0] for e in a.binaries] == ["PySide6/Qt/plugins/platforms/libqoffscreen.so"] and a.datas == []


@pytest.mark.parametrize(("platform", "icon"), [("linux", None), ("win32", "gatecancel.ico"),
                                                ("darwin", "gatecancel.icns")])
def test_each_os_gets_an_icon_in_its_own_format(monkeypatch, tmp_path, platform, icon):
    """Defect: a PNG icon, which PyInstaller on Windows and macOS turns into .ico/.icns only with Pillow."""
    made = run_spec(monkeypatch, tmp_path, platform)
    for exe in made["EXE"]:
        assert exe.kwargs["icon"] == (str(tmp_path / icon) if icon else None)


def test_a_missing_icon_says_to_build_with_build_py(monkeypatch, tmp_path):
    with pytest.raises(SystemExit, match=r"gatecancel.ico is missing: build with resources/build.py"):
        run_spec(monkeypatch, tmp_path, "win32", icons=False)


def test_macos_gets_an_app_bundle_whose_executable_is_the_window(monkeypatch, tmp_path):
    """Defect: no .app on macOS (a double-click opened Terminal)."""
    made = run_spec(monkeypatch, tmp_path, "darwin")
    [app] = made["BUNDLE"]
    assert app.args == (made["COLLECT"][0],) and app.name == "gatecancel.app"
    # PyInstaller takes the app's executable from the first program in the COLLECT
    first = next(a for a in made["COLLECT"][0].args if isinstance(a, Built))
    assert first.name == "gatecancel-gui" and first.kwargs["console"] is False
    assert app.kwargs["icon"] == str(tmp_path / "gatecancel.icns")
    assert app.kwargs["bundle_identifier"] == "io.gatecancel.app" and app.kwargs["version"] == __version__
    plist = app.kwargs["info_plist"]
    assert plist["CFBundleShortVersionString"] == __version__ and plist["NSHighResolutionCapable"] is True
    assert plist["LSBackgroundOnly"] is False  # else no Dock icon: COLLECT passes on its last program's console


@pytest.mark.parametrize("platform", ["linux", "win32"])
def test_no_app_bundle_off_macos(monkeypatch, tmp_path, platform):
    assert run_spec(monkeypatch, tmp_path, platform)["BUNDLE"] == []


def test_onefile_is_one_portable_console_program_of_the_window(monkeypatch, tmp_path):
    made = run_spec(monkeypatch, tmp_path, "linux", onefile=True)
    assert programs(made) == {"gatecancel-portable": True} and made["COLLECT"] == []
    [exe] = made["EXE"]
    assert made["Analysis"][0].binaries in exe.args  # everything inside the one file


def test_strip_is_off_on_windows(monkeypatch, tmp_path):
    assert {e.kwargs["strip"] for e in run_spec(monkeypatch, tmp_path, "win32")["EXE"]} == {False}
    assert {e.kwargs["strip"] for e in run_spec(monkeypatch, tmp_path, "darwin")["EXE"]} == {True}
