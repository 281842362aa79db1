"""Two ways to run the command line in tests. In this process through `main(argv, out, err)` (most tests:
no interpreter to start, the exchange's state at hand), or as a real process for what needs one (signals,
a terminal, pipes, a closed stdout), started and interrupted through tests/processes.py, which does that
the right way on each OS."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from unittest import mock

from gatecancel_gui.cli import main
from gatecancel_gui.core.gate import pairs
from tests.processes import CLI, start_cli


@dataclass
class Result:
    """What a finished command left, as subprocess.CompletedProcess names it."""

    returncode: int
    stdout: str
    stderr: str


def key_env(key) -> dict[str, str]:
    return {"GATE_API_KEY": key.key, "GATE_API_SECRET": key.secret}


def run_main(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run one command in this process, as from a script: stdin is not a terminal, `env` is added to the
    environment, and nothing read by an earlier command (Gate's pair and contract lists) is remembered."""
    out, err = io.StringIO(), io.StringIO()
    pairs.forget()
    with mock.patch.dict(os.environ, env or {}), mock.patch("sys.stdin", io.StringIO("")):
        code = main(list(args), out, err)
    return Result(code, out.getvalue(), err.getvalue())


@contextlib.contextmanager
def piped_process(*args: str, env: dict[str, str] | None = None) -> Iterator[subprocess.Popen]:
    """The command line as a running process with its output piped as text; killed (if still running) and
    its pipes closed when the block ends, whatever the test asserted."""
    proc = start_cli(*args, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stdout.close()  # type: ignore[union-attr]
        proc.stderr.close()  # type: ignore[union-attr]


def run_process(*args: str, env: dict[str, str] | None = None, **kwargs) -> subprocess.CompletedProcess:
    """Run the command line as a process to its end (a closed or full stdout, a server started by it)."""
    kwargs.setdefault("stdin", subprocess.DEVNULL)
    return subprocess.run([*CLI, *args], env={**os.environ, **(env or {})}, capture_output=True, text=True,
                          timeout=60, **kwargs)
