"""Fixtures shared by the data tests: the shipped 附件2 rulebook compiled once, and the
benchmark's unit generator (benchmarks/batch_bench.make_units: units around the Chenxi
figures, tier boundaries included). A module with a rulebook of its own defines its own
``rb``, which takes precedence."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from jixiao.compiler.api import compile_rulebook

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "stdlib_indicators" / "部门整体支出.jx"


@pytest.fixture(scope="session")
def rb():
    return compile_rulebook(path=SHIPPED)


@pytest.fixture(scope="session")
def make_units():
    """``make_units(path, n)``: n generated units of the shipped rulebook as a CSV file."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import batch_bench
    return batch_bench.make_units
