"""``values.fmt_sql``: the SQL text of a scaled integer is what ``fmt_decimal`` writes
(no exponent, no trailing zeros, no trailing point), in each of DuckDB's three forms —
a looked-up list for a narrow range, the integer part as text with the decimals looked up
for a wide non-negative range of at most 2 decimals (``SPLIT_MIN``, 2026-12-04: a list of
10,001 texts is made again for every chunk of rows), arithmetic otherwise — in both integer
types of the engine's plans, on every value of the range (or its ends and a stride)."""
from __future__ import annotations

from decimal import Decimal

import pytest

duckdb = pytest.importorskip("duckdb")

from jixiao.compiler.backend.sql.dialects import Dialect, DuckDBBigint
from jixiao.compiler.backend.sql.values import LOOKUP_MAX, SPLIT_MIN, fmt_sql
from jixiao.dsl.ir import fmt_decimal

RANGES = [
    (0, 300),                      # a lookup
    (-250, 250),                   # a lookup across zero
    (0, 10_000),                   # the split: 总分 0–100 at 0.01
    (SPLIT_MIN, SPLIT_MIN * 3),    # the split, not from 0
    (-20_000, 20_000),             # wider than a lookup, negative: arithmetic
    (0, LOOKUP_MAX * 3),           # the split
    (-(2 ** 61), 2 ** 61),         # arithmetic in BIGINT
]


def _values(lo: int, hi: int) -> list[int]:
    if hi - lo <= 50_000:
        return list(range(lo, hi + 1))
    step = (hi - lo) // 20_000
    return sorted({lo, hi, 0 if lo <= 0 <= hi else lo, *range(lo, hi + 1, step), *range(hi - 500, hi + 1)})


def _kinds(lo: int, hi: int, scale: int) -> str:
    if lo >= 0 and scale <= 2 and SPLIT_MIN <= hi - lo:
        return "split"
    return "lookup" if hi - lo < LOOKUP_MAX else "arithmetic"


@pytest.mark.parametrize("scale", [1, 2, 3, 4])
def test_every_form_writes_what_fmt_decimal_writes(scale):
    con = duckdb.connect()
    seen = set()
    for dialect in (Dialect(), DuckDBBigint()):
        for lo, hi in RANGES:
            vals = _values(lo, hi)
            con.execute("CREATE OR REPLACE TABLE v AS SELECT CAST(unnest(?) AS BIGINT) AS x", [vals])
            sql = fmt_sql(dialect, f"CAST(x AS {dialect.int_type})", scale, (lo, hi))
            got = dict(con.execute(f"SELECT x, {sql} FROM v").fetchall())
            want = {v: fmt_decimal(Decimal(v).scaleb(-scale)) for v in vals}
            wrong = [(v, got[v], want[v]) for v in vals if got[v] != want[v]]
            assert not wrong, (dialect.name, scale, (lo, hi), wrong[:5])
            seen.add(_kinds(lo, hi, scale))
    # each form was reached (the split only at 1 or 2 decimals)
    assert seen >= ({"lookup", "arithmetic", "split"} if scale <= 2 else {"lookup", "arithmetic"})
