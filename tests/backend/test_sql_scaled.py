"""``Dialect.scaled``: a plain decimal text of at most I integer digits and S decimals as
the exact integer value × 10^S, in DuckDB, for every (I, S) the SQL backend can plan
(I + S ≤ 38) — in BIGINT (the engine's first query: an overflow is an error, on which it
reruns in HUGEINT) and in HUGEINT. Before 2026-12-04 a value with I + 2S > 18 digits
overflowed DuckDB's 64-bit DECIMAL multiplication (a 数值 input of range -50 至 50 given
-462032390: an error out of `jixiao score --engine duckdb`, found by
tests/property/test_engine_duckdb_typed.py)."""
from __future__ import annotations

import decimal
from decimal import Decimal
from pathlib import Path

import pytest

duckdb = pytest.importorskip("duckdb")

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.backend.sql.dialects import Dialect, DuckDBBigint
from jixiao.compiler.data.job import score_file


def _texts(I: int, S: int):
    frac = lambda d: ("." + d * S) if S else ""          # noqa: E731
    yield "9" * I + frac("9")                             # the largest
    yield "0" * I + frac("0")
    yield "0." + "0" * (S - 1) + "1" if S else "0"        # the smallest step
    yield "1" + (".5" if S else "")                       # fewer decimals than S
    yield "7"


def test_scaled_is_exact_for_every_width():
    con = duckdb.connect()
    cases = wrong = 0
    with decimal.localcontext() as ctx:
        ctx.prec = 100
        for dialect in (Dialect(), DuckDBBigint()):
            for I in range(1, 39):
                for S in range(0, 13):
                    if I + S > 38:
                        continue
                    for t in _texts(I, S):
                        for sign in ("", "-"):
                            want = int(Decimal(sign + t).scaleb(S))
                            sql = "SELECT " + dialect.scaled(f"'{sign}{t}'", S, I)
                            cases += 1
                            try:
                                got = con.execute(sql).fetchone()[0]
                            except (duckdb.OutOfRangeException, duckdb.ConversionException):
                                # BIGINT only: a value past 2^63 raises, and the engine reruns in HUGEINT
                                assert isinstance(dialect, DuckDBBigint) and abs(want) >= 2 ** 63, sql
                                continue
                            wrong += got != want
                            assert got == want, sql
    assert cases == 8320 and wrong == 0


BOOK = '''规则集 "宽"
满分 10
精度 0.01
输入 偏差: 数值 范围 -50 至 50
输入 金额: 金额(万元) 范围 0 至 100000
一级指标 A 10分:
  得分 = 如果 偏差 < 0 且 金额 > 1 则 10 否则 5
等级:
  全: 否则
'''


def test_a_wide_value_out_of_range_is_a_bad_row_on_both_engines(tmp_path: Path):
    rb = compile_rulebook(text=BOOK, name="wide.jx")
    data = tmp_path / "u.csv"
    data.write_text("单位编码,偏差,金额\nA,-462032390,5\nB,-3.123456,5\nC,999999999999.999999,5\n"
                    "D,12,99999.9999\n", encoding="utf-8")
    got = {}
    for engine in ("python", "duckdb"):
        out = tmp_path / f"{engine}.csv"
        n, errors = score_file(rb, data, out, engine=engine, on_error="skip")
        got[engine] = (n, [e.text() for e in errors], out.read_bytes())
    assert got["duckdb"] == got["python"]
    assert got["python"][0] == 2 and len(got["python"][1]) == 2
