"""The architecture, checked: imports run one way between core's subpackages, core has no Qt and no front
end, and the paper exchange shares no code with the client (two implementations that check each other).
See docs/architecture.md."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "gatecancel_gui"
# Lowest first: a subpackage may import its own layer and the ones before it, never one after it.
LAYERS = ("domain", "store", "net", "gate", "cancel", "stream", "risk", "app")
FRONT_ENDS = ("ui", "cli")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(path: Path) -> set[str]:
    """Every gatecancel_gui module a file imports, at the top, in functions or under TYPE_CHECKING."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.split(".")[0] in ("gatecancel_gui", "PySide6")}


def import_graph() -> dict[str, set[str]]:
    return {module_name(path): imports_of(path) for path in PACKAGE.rglob("*.py")}


def place(module: str) -> tuple[str, str]:
    """('core', 'gate') for gatecancel_gui.core.gate.client; ('ui', '') for gatecancel_gui.ui.jobs."""
    parts = module.split(".")
    if parts[0] == "PySide6":
        return "qt", ""
    top = parts[1] if len(parts) > 1 else ""
    sub = parts[2] if top == "core" and len(parts) > 2 else ""
    return top, sub


def violations(graph: dict[str, set[str]]) -> list[str]:
    """Each import that goes the wrong way, as 'importer -> imported: why'."""
    wrong = []
    for importer, imported in graph.items():
        top, sub = place(importer)
        for name in imported:
            other_top, other_sub = place(name)
            why = ""
            if top == "core" and other_top in ("qt", *FRONT_ENDS, "paper"):
                why = "core imports no Qt, no front end and not the paper exchange"
            elif top == "core" and other_top == "core" and sub in LAYERS and other_sub in LAYERS \
                    and LAYERS.index(other_sub) > LAYERS.index(sub):
                why = f"{sub} comes before {other_sub}: imports run one way"
            elif top == "core" and sub and sub not in LAYERS:
                why = f"core/{sub} is not one of the layers {LAYERS}"
            elif top == "cli" and other_top in ("ui", "qt"):
                why = "the command line needs no Qt"
            elif top == "ui" and other_top == "cli":
                why = "the window and the command line share the core, not each other"
            elif top == "paper" and other_top == "core" and name != "gatecancel_gui.core.domain.environments" \
                    and not name.startswith("gatecancel_gui.core.domain.environments."):
                why = "the paper exchange checks the client with its own code (only the paper header is shared)"
            if why:
                wrong.append(f"{importer} -> {name}: {why}")
    return sorted(wrong)


def test_imports_run_one_way() -> None:
    assert violations(import_graph()) == []


def test_every_core_module_lives_in_a_layer() -> None:
    loose = [p.name for p in (PACKAGE / "core").glob("*.py") if p.name != "__init__.py"]
    assert loose == [], "a module in core/ belongs to one of its layers"


def test_the_check_sees_a_wrong_way_import() -> None:
    """The checker itself: each kind of wrong-way import is caught (so an empty list means something)."""
    graph = {
        "gatecancel_gui.core.domain.orders": {"gatecancel_gui.core.gate.client"},
        "gatecancel_gui.core.cancel.run": {"PySide6.QtCore", "gatecancel_gui.core.app.services"},
        "gatecancel_gui.core.gate.client": {"gatecancel_gui.core.net.transport", "gatecancel_gui.core.domain.errors"},
        "gatecancel_gui.paper.server": {"gatecancel_gui.core.gate.signing"},
        "gatecancel_gui.cli.orders": {"gatecancel_gui.ui.jobs"},
    }
    found = violations(graph)
    assert len(found) == 5 and not any(line.startswith("gatecancel_gui.core.gate.client") for line in found)


def test_core_cli_and_paper_load_without_qt() -> None:
    """Every core module imported for real, with the CLI and the paper exchange: no PySide6 among them."""
    code = ("import sys, pkgutil, importlib, gatecancel_gui.core as c\n"
            "for m in pkgutil.walk_packages(c.__path__, 'gatecancel_gui.core.'): importlib.import_module(m.name)\n"
            "import gatecancel_gui.paper, gatecancel_gui.cli\n"
            "assert len([m for m in sys.modules if m.startswith('gatecancel_gui.core.')]) > 30\n"
            "bad = [m for m in sys.modules if m.startswith('PySide6')]\n"
            "assert not bad, bad\n")
    subprocess.run([sys.executable, "-c", code], check=True)
