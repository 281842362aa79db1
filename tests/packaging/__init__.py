"""Tests of how the executables are built: resources/ (build.py, gatecancel.spec, bundle_trim.py, the icons)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

RESOURCES = Path(__file__).resolve().parents[2] / "resources"


def resource_module(name: str) -> ModuleType:
    """resources/<name>.py, imported by path (resources/ is a folder of scripts, not a package)."""
    if str(RESOURCES) not in sys.path:
        sys.path.append(str(RESOURCES))  # the scripts import each other by bare name, as when run
    spec = importlib.util.spec_from_file_location(f"resources_{name}", RESOURCES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
