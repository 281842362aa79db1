"""Where gatecancel keeps its files: the user's data and config directories (overridable for tests)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "gatecancel"


def data_dir() -> Path:
    """Journal and logs. GATECANCEL_DATA_DIR overrides (tests, portable use)."""
    override = os.environ.get("GATECANCEL_DATA_DIR")
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """The non-secret profile list. GATECANCEL_CONFIG_DIR overrides."""
    override = os.environ.get("GATECANCEL_CONFIG_DIR")
    path = Path(override) if override else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path
