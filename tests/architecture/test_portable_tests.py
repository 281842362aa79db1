"""The test suite is collected on Windows and macOS too (the release workflow runs it there). A test module
that uses a POSIX-only name when it is imported (`signal.SIGHUP` in a parametrize, `import pty` at the top)
does not fail one test there: it stops the whole collection. Two checks, both run here on Linux: every
module under tests/ is read for such names outside a function body or a platform guard; and the suite is
collected in a child interpreter where the test modules see a Windows-like `signal` and no POSIX-only
modules."""

from __future__ import annotations

import ast
import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from tests import processes

TESTS = Path(__file__).resolve().parents[1]
ROOT = TESTS.parent
POSIX_MODULES = frozenset({"pty", "tty", "fcntl", "termios", "resource", "grp", "pwd", "posix"})
POSIX_NAMES = {
    "signal": frozenset({"SIGHUP", "SIGKILL", "SIGUSR1", "SIGUSR2", "SIGQUIT", "SIGALRM", "SIGPIPE", "SIGCHLD",
                         "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGWINCH", "pause", "alarm", "setitimer", "pthread_kill",
                         "siginterrupt"}),
    "os": frozenset({"getuid", "geteuid", "getgid", "setsid", "killpg", "getpgid", "mkfifo", "fork", "setpgrp",
                     "uname", "sync"}),
}
GUARD_WORDS = ("platform", "os.name", "hasattr", "getattr")


def is_guard(test: ast.expr) -> bool:
    """`if sys.platform != "win32":`, `if os.name == "posix":`, `if hasattr(signal, "SIGHUP"):`."""
    text = ast.unparse(test)
    return any(word in text for word in GUARD_WORDS)


def evaluated_at_import(nodes: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node Python evaluates when the module is imported: module and class bodies, decorators and
    default values; not function bodies, lambdas, annotations (postponed), guarded branches, or a `try`
    that catches ImportError/AttributeError."""
    for node in nodes:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from expressions(
                [*node.decorator_list, *node.args.defaults, *(d for d in node.args.kw_defaults if d)])
        elif isinstance(node, ast.ClassDef):
            yield from expressions([*node.decorator_list, *node.bases, *(k.value for k in node.keywords)])
            yield from evaluated_at_import(node.body)
        elif isinstance(node, ast.If):
            if not is_guard(node.test):
                yield from expressions([node.test])
                yield from evaluated_at_import(node.body)
                yield from evaluated_at_import(node.orelse)
        elif isinstance(node, ast.Try):
            caught = " ".join(ast.unparse(h.type) for h in node.handlers if h.type is not None)
            if not any(name in caught for name in ("ImportError", "AttributeError", "ModuleNotFoundError")):
                yield from evaluated_at_import(node.body)
            for handler in node.handlers:
                yield from evaluated_at_import(handler.body)
            yield from evaluated_at_import(node.orelse)
            yield from evaluated_at_import(node.finalbody)
        elif isinstance(node, ast.With | ast.For | ast.While):
            yield from expressions([node.iter] if isinstance(node, ast.For) else [])
            yield from evaluated_at_import(node.body)
        else:
            yield node
            yield from (n for n in ast.walk(node) if n is not node and not isinstance(n, ast.Lambda))


def expressions(nodes: list[ast.expr]) -> Iterator[ast.AST]:
    for node in nodes:
        yield from ast.walk(node)


def posix_only_uses(path: Path, root: Path = ROOT) -> list[str]:
    """`file:line: name` for each POSIX-only name the module touches when it is imported."""
    found = []
    for node in evaluated_at_import(ast.parse(path.read_text(encoding="utf-8")).body):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names if a.name.split(".")[0] in POSIX_MODULES]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in POSIX_MODULES:
                names = [node.module]
            names += [f"{node.module}.{a.name}" for a in node.names if a.name in POSIX_NAMES.get(node.module, ())]
        elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.attr in POSIX_NAMES.get(node.value.id, ()):
                names = [f"{node.value.id}.{node.attr}"]
        found += [f"{path.relative_to(root)}:{getattr(node, 'lineno', '?')}: {name}" for name in names]
    return found


def test_the_reader_finds_what_windows_would_fail_on(tmp_path):
    """The check itself: each of these stops a collection on Windows; each guarded form does not."""
    module = tmp_path / "test_sample.py"
    module.write_text(textwrap.dedent("""
        import signal, sys
        import pty
        from fcntl import flock
        import pytest

        @pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGHUP])
        def test_a(signum, other=signal.SIGKILL):
            import termios
            signal.SIGUSR1

        class TestB:
            which = signal.SIGQUIT

        if sys.platform != "win32":
            import resource
        try:
            import grp
        except ImportError:
            grp = None
    """), encoding="utf-8")
    found = [line.split(": ", 1)[1] for line in posix_only_uses(module, tmp_path)]
    assert found == ["pty", "fcntl", "signal.SIGHUP", "signal.SIGKILL", "signal.SIGQUIT"]


def test_no_test_module_uses_a_posix_only_name_when_it_is_imported():
    found = [use for path in sorted(TESTS.rglob("*.py")) for use in posix_only_uses(path)]
    assert found == [], "POSIX-only at import (move it into the test, or guard it with a reason):\n" + "\n".join(found)


# A plugin for the child interpreter: every module under tests/ that imports `signal` gets a copy without
# the POSIX-only signals, and importing a POSIX-only module from a test module fails, as on Windows.
WINDOWS_LIKE = """
import builtins, signal, sys, types

POSIX_MODULES = {posix_modules!r}
POSIX_SIGNALS = {posix_signals!r}
windows_signal = types.ModuleType("signal")
windows_signal.__dict__.update({{k: v for k, v in vars(signal).items() if k not in POSIX_SIGNALS}})
windows_signal.Signals = types.SimpleNamespace(**{{s.name: s for s in signal.Signals if s.name not in POSIX_SIGNALS}})
real_import = builtins.__import__


def windows_like_import(name, globals=None, locals=None, fromlist=(), level=0):
    importer = (globals or {{}}).get("__name__") or ""
    if importer.split(".")[0] == "tests" and level == 0:
        if name.split(".")[0] in POSIX_MODULES:
            raise ModuleNotFoundError(f"No module named {{name!r}} (simulated Windows)", name=name)
        if name == "signal":
            return windows_signal
    return real_import(name, globals, locals, fromlist, level)


builtins.__import__ = windows_like_import
"""


@pytest.mark.slow
def test_the_suite_is_collected_where_posix_only_names_are_missing(tmp_path):
    plugin = tmp_path / "windows_like.py"
    plugin.write_text(WINDOWS_LIKE.format(posix_modules=set(POSIX_MODULES), posix_signals=set(POSIX_NAMES["signal"])),
                      encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)])}
    result = subprocess.run([sys.executable, "-m", "pytest", "-p", "windows_like", "--collect-only", "-q",
                             str(TESTS)], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert " collected" in result.stdout and "error" not in result.stdout.splitlines()[-1]


def test_on_windows_a_child_gets_its_own_process_group_and_ctrl_break(monkeypatch):
    """tests/processes.py as Windows runs it: there SIGINT cannot be sent to one child; Ctrl+Break can, to
    a child in its own process group. SIGTERM (a kill there) and SIGHUP (none there) are skipped, with why."""
    monkeypatch.setattr(processes, "WINDOWS", True)
    monkeypatch.setattr(subprocess, "CREATE_NEW_PROCESS_GROUP", 0x200, raising=False)
    monkeypatch.setattr(signal, "CTRL_BREAK_EVENT", 1, raising=False)
    monkeypatch.delattr(signal, "SIGHUP", raising=False)
    assert processes.interruptible({"text": True}) == {"text": True, "creationflags": 0x200}
    sent: list[int] = []
    child = SimpleNamespace(send_signal=sent.append)
    processes.interrupt(child)  # type: ignore[arg-type]
    processes.send(child, "SIGINT")  # type: ignore[arg-type]
    assert sent == [1, 1]
    skipped = {p.id: [m.kwargs["reason"] for m in p.marks if m.args[0]] for p in processes.catchable(
        "SIGINT", "SIGTERM", "SIGHUP")}
    assert skipped["SIGINT"] == []
    assert "TerminateProcess" in skipped["SIGTERM"][0] and "no SIGHUP" in skipped["SIGHUP"][0]


def path_like(node: ast.expr) -> bool:
    """`tmp_path / "x"`, `Path(...)`, `journal.path`: what `.open()` is called on when it opens a file (not a
    dialog, a session or a list of orders)."""
    return isinstance(node, ast.BinOp) or "path" in ast.unparse(node).lower()


def text_opened_without_encoding(path: Path, root: Path = ROOT) -> list[str]:
    """`file:line` of each text file read or written in the system's code page: `open(name)` or
    `open(name, "w")`, `p.open()`, `p.read_text()`, `p.write_text(text)` without `encoding=`. On Windows that
    code page is cp1252 (or another), not UTF-8. Ruff's PLW1514 sees these only where it can tell that `p`
    is a Path (not `tmp_path / "x"`, not a Path kept in a name), so this reads every call."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or any(k.arg in ("encoding", None) for k in node.keywords):
            continue
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if name == "open":  # open(file, mode) or path.open(mode)
            given = node.args[1:2] if isinstance(func, ast.Name) else node.args[:1]
            given += [k.value for k in node.keywords if k.arg == "mode"]
            mode = given[0].value if given and isinstance(given[0], ast.Constant) else "r"
            text = isinstance(mode, str) and "b" not in mode and (isinstance(func, ast.Name) or path_like(func.value))
        else:  # Path.read_text() and Path.write_text(data); not a function of that name taking more
            text = (name == "read_text" and not node.args) or (name == "write_text" and len(node.args) == 1)
        if text:
            found.append(f"{path.relative_to(root)}:{node.lineno}")
    return found


def test_the_encoding_reader_finds_what_ruff_does_not(tmp_path):
    module = tmp_path / "sample.py"
    module.write_text(textwrap.dedent("""
        (tmp_path / "a.json").read_text()
        journal.path.write_text("{}")
        open(name)
        open(name, "w")
        journal.path.open("a")
        (tmp_path / "a.json").read_text(encoding="utf-8")
        open(name, "rb")
        journal.path.open("rb")
        os.open(name, os.O_RDONLY)
        atomic.write_text(path, text, "The file")
    """), encoding="utf-8")
    assert [line.split(":")[1] for line in text_opened_without_encoding(module, tmp_path)] == ["2", "3", "4", "5", "6"]


def test_every_text_file_is_read_and_written_with_an_encoding():
    paths = [*sorted((ROOT / "gatecancel_gui").rglob("*.py")), *sorted(TESTS.rglob("*.py")),
             *sorted((ROOT / "resources").glob("*.py"))]
    found = [where for path in paths for where in text_opened_without_encoding(path)]
    assert found == [], "add encoding=\"utf-8\":\n" + "\n".join(found)
