"""Tests keep the window's settings in an INI file under their own tmp dir, never in the user's real
settings: on Windows Qt's native format is the registry, on macOS a plist in ~/Library, and QSettings.setPath
does not move either (tests/ui/conftest.py sets the INI format first)."""

from pathlib import Path

from PySide6.QtCore import QSettings


def test_settings_are_an_ini_file_under_the_tests_tmp_dir(tmp_path):
    settings = QSettings()
    assert settings.format() == QSettings.Format.IniFormat
    assert Path(settings.fileName()).is_relative_to(tmp_path), settings.fileName()
