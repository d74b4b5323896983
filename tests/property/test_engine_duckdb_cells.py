"""`--engine duckdb` on CSV text against the Python engine, by property: every input kind's
cells drawn as texts near the edges of the plain form the SQL reads — numbers with a sign
or a plus, leading zeros, one digit more than the SQL's integer or decimal places, a
trailing point, a point first, an exponent, a percent, spaces, full-width digits — among
good cells, and lines with a cell too many or too few. Both engines must give the same
units, the same bad-row report and the same file, byte for byte.

Since 2026-12-04 the engine matches each line once against the plain forms of all its
number cells (``_lp``, engine_duckdb.plan_query) and skips a cell's own match where the
line matched: a line the whole-line pattern accepts wrongly is a score that differs here.
"""
from __future__ import annotations

import pytest
from hypothesis import given, note, strategies as st

duckdb = pytest.importorskip("duckdb")

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.data.columns import Columns
from jixiao.compiler.data.engine_duckdb import plan_query
from jixiao.compiler.data.job import score_file

from .rulebook_gen import profile
from .test_engine_duckdb_typed import COLUMNS, NUMBERS, RULEBOOK

SEEN = {"examples": 0, "units": 0, "errors": 0, "whole-line": 0}


@pytest.fixture(scope="module")
def rb():
    return compile_rulebook(text=RULEBOOK, name="cells.jx")


@st.composite
def number_texts(draw):
    """A number's text near the SQL's plain form ``-?[0-9]{1,I}(\\.[0-9]{1,S})?``."""
    sign = draw(st.sampled_from(["", "", "", "-", "+", "--"]))
    whole = draw(st.one_of(st.integers(0, 120).map(str), st.text("0123456789", min_size=0, max_size=13)))
    point = draw(st.sampled_from(["", "", "."]))
    frac = draw(st.text("0123456789", min_size=0, max_size=8)) if point else ""
    tail = draw(st.sampled_from([""] * 8 + ["%", " ", "e2", "0%"]))
    head = draw(st.sampled_from([""] * 10 + [" ", "\u3000"]))
    return head + sign + whole + point + frac + tail


GOOD = {
    "预算数": st.decimals(1, 5000, places=2, allow_nan=False).map(str),
    "支出数": st.decimals(0, 5000, places=4, allow_nan=False).map(str),
    "完成率": st.one_of(st.decimals(0, 3, places=4, allow_nan=False).map(str),
                      st.decimals(0, 300, places=1, allow_nan=False).map(lambda d: f"{d}%")),
    "人数": st.integers(0, 60).map(str),
    "自评": st.decimals(0, 5, places=2, allow_nan=False).map(str),
    "偏差": st.decimals(-50, 50, places=3, allow_nan=False).map(str),
    "合规": st.sampled_from(["是", "否", "符合", "不符合", "1", "0", "true"]),
    "满意度": st.sampled_from(["优秀", "良好", "合格"]),
    "要点": st.sampled_from(["是、是、否", "101", "全部符合", "否；否；是", "是 是 是"]),
    "下达日期": st.dates().map(str),
    "单位编码": st.from_regex(r"U[0-9]{1,5}", fullmatch=True),
}
ODD = st.one_of(number_texts(), st.sampled_from(["", "是", "是 ", "优秀 ", "2024-02-30", "2024-6-30", "１２",
                                                 "1,5", "nan", "是、是", "是、是、是、是", "=1", "\t1"]))


@st.composite
def lines(draw):
    n = draw(st.integers(1, 10), label="rows")
    out = []
    for _ in range(n):
        cells = []
        for c in COLUMNS:
            odd = draw(st.integers(0, 19)) == 0 if c not in NUMBERS else draw(st.integers(0, 7)) == 0
            cells.append(draw(ODD if odd else GOOD[c]))
        shape = draw(st.integers(0, 19))
        if shape == 0:
            cells.append(draw(st.sampled_from(["", "x"])))         # a cell past the header
        elif shape == 1:
            cells.pop()                                              # one too few
        out.append(",".join(cells))
    return out


@profile(60)
@given(rows=lines(), crlf=st.booleans())
def test_csv_cells_engines_equal(rb, tmp_path_factory, rows, crlf):
    d = tmp_path_factory.mktemp("cells")
    data = d / "u.csv"
    nl = "\r\n" if crlf else "\n"
    data.write_bytes((nl.join([",".join(COLUMNS)] + rows) + nl).encode("utf-8"))
    note("\n".join(rows))
    n_py, e_py = score_file(rb, data, d / "py.csv", engine="python", on_error="skip")
    n_dd, e_dd = score_file(rb, data, d / "dd.csv", engine="duckdb", on_error="skip")
    assert (n_dd, [e.text() for e in e_dd]) == (n_py, [e.text() for e in e_py])
    assert (d / "dd.csv").read_bytes() == (d / "py.csv").read_bytes()
    SEEN["examples"] += 1
    SEEN["units"] += n_py
    SEEN["errors"] += len(e_py)
    SEEN["whole-line"] += whole_line_scored(rb, data)


def whole_line_scored(rb, data) -> int:
    """The lines the SQL scored whose number cells all took the whole-line match."""
    q, _ = plan_query(rb, Columns(rb, COLUMNS, None, None), narrow=True, data=str(data))
    start = q.index("(SELECT _line,")         # the lines' FROM item (engine_duckdb.plan_query's src)
    depth, end = 0, start
    for end, ch in enumerate(q[start:], start):  # to its closing one (the patterns in it are balanced)
        depth += (ch == "(") - (ch == ")")
        if depth == 0:
            break
    src = q[start:end + 1]
    with duckdb.connect() as con:           # both in the file's order (preserve_insertion_order)
        lp = [r[0] for r in con.execute(f"SELECT _lp FROM {src}").fetchall()]
        out = [r[0] for r in con.execute(f"SELECT _out FROM ({q})").fetchall()]
    assert len(lp) == len(out)
    return sum(1 for a, b in zip(lp, out) if a and not b.startswith("\x01"))


def test_csv_cells_property_not_vacuous(rb, tmp_path_factory):
    """Runs after the property above: units were scored, rows refused, and the SQL scored
    lines whose number cells all take the whole-line match (not only the Python path)."""
    if SEEN["examples"] == 0:             # another process ran it (pytest-xdist)
        test_csv_cells_engines_equal(rb, tmp_path_factory)
    assert SEEN["units"] >= 10 and SEEN["errors"] >= 10 and SEEN["whole-line"] >= 10, SEEN
