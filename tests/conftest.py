"""Shared test fixtures: the command line run in a folder, and golden files.

- ``cli(args, cwd=None)`` runs ``jixiao ARGS`` in-process (click's runner) in ``cwd``;
  the result has ``.stdout``, ``.stderr``, ``.exit_code`` and ``.transcript`` (stdout,
  stderr and exit code in one text, as the ``.out`` goldens pin them).
- ``golden(path, text)`` asserts ``text`` equals the golden file ``path``;
  ``pytest --update-golden`` (or a missing file) writes it instead — review with ``git diff``.
- ``rb``: the shipped 附件2 rulebook compiled once (a module with a rulebook of its own
  defines its own ``rb``, which takes precedence); ``make_units(path, n)``: n generated
  units of it as a CSV file (benchmarks/batch_bench.make_units: units around the Chenxi
  figures, tier boundaries included). Here, not in tests/data/conftest.py: modules import
  ``run_cli`` with ``from conftest import``, and two conftest modules would clash.
"""
import os
from pathlib import Path

import pytest
from click.testing import CliRunner


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite golden expectations from the current output (review with git diff)")


class CliResult:
    def __init__(self, res):
        self.stdout, self.stderr, self.exit_code = res.stdout, res.stderr, res.exit_code
        self.output = res.output           # stdout and stderr interleaved, as a terminal shows them
        self.raw = res

    @property
    def transcript(self) -> str:
        return f"--- stdout\n{self.stdout}--- stderr\n{self.stderr}--- exit {self.exit_code}\n"


def run_cli(args, cwd=None) -> CliResult:
    from jixiao.compiler.cli import main
    old = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return CliResult(CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False))
    finally:
        os.chdir(old)


@pytest.fixture
def cli():
    return run_cli


@pytest.fixture
def golden(request):
    update = request.config.getoption("--update-golden")

    def check(path, text: str):
        path = Path(path)
        if update or not path.exists():
            path.write_text(text, encoding="utf-8")
        assert text == path.read_text(encoding="utf-8"), f"differs from {path} (pytest --update-golden rewrites it)"
    return check


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def rb():
    from jixiao.compiler.api import compile_rulebook
    return compile_rulebook(path=ROOT / "stdlib_indicators" / "部门整体支出.jx")


@pytest.fixture(scope="session")
def make_units():
    import sys
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import batch_bench
    return batch_bench.make_units
