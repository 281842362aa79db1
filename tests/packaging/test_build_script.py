"""resources/build.py: the same steps on every OS, with each OS's venv layout (the old build.sh ran only
where bash, `python3` and a venv's bin/ exist: not on Windows)."""

import sys
from pathlib import Path

import pytest

from tests.packaging import RESOURCES, resource_module

build = resource_module("build")


@pytest.mark.parametrize(("platform", "python"), [("win32", "Scripts/python.exe"), ("linux", "bin/python"),
                                                  ("darwin", "bin/python")])
def test_each_step_runs_the_build_venvs_own_python(platform, python):
    steps = build.commands(platform)
    venv, install, icons, pyinstaller = steps
    assert venv == [sys.executable, "-m", "venv", str(build.VENV)]  # the Python running build.py, any name
    expected = str(build.VENV / Path(python))
    assert {install[0], icons[0], pyinstaller[0]} == {expected}
    assert install[1:4] == ["-m", "pip", "install"] and "pyinstaller==6.22.3" in install
    assert str(RESOURCES.parent) in install  # the project itself, without its test dependencies
    assert icons[1:] == [str(RESOURCES / "make_icon.py"), str(build.ICONS)]
    assert pyinstaller[1:3] == ["-m", "PyInstaller"] and pyinstaller[-1] == str(RESOURCES / "gatecancel.spec")


def test_the_icons_go_where_the_spec_looks(monkeypatch):
    seen = {}

    def run(command, cwd, env, check):
        seen.setdefault("env", env)
        return type("Done", (), {"returncode": 0})()

    monkeypatch.setattr(build.subprocess, "run", run)
    assert build.main(["--onefile"]) == 0
    assert seen["env"]["GATECANCEL_ICONS"] == str(build.ICONS) and seen["env"]["ONEFILE"] == "1"


def test_a_failed_step_stops_the_build_with_a_sentence(monkeypatch, capsys):
    ran = []

    def run(command, cwd, env, check):
        ran.append(command)
        return type("Done", (), {"returncode": 3 if len(ran) == 2 else 0})()

    monkeypatch.setattr(build.subprocess, "run", run)
    assert build.main([]) == 1 and len(ran) == 2
    assert "build.py: this step failed (exit 3): " in capsys.readouterr().err

