"""The emitted DuckDB SQL of a cohort rulebook (ranks 并列/顺延, peer highest/lowest of a
ratio, a peer average and median, a count, 按同类平均得分计, two quotas — one 同分均降, one
同分均保留) run over whole tables, every cell against the Python path's output
(``score_cohort_file``): the 24 units of examples/cohort-2024 and 3,000 generated units
with ties at the rank tiers, equal ratios written with different denominators, tied totals
at both quotas' cuts and bad rows (left out of the cohort alike). A cell the SQL does not
read leaves the whole table to the Python path."""
from __future__ import annotations

import csv
import random
from decimal import Decimal as D
from pathlib import Path

import duckdb
import pytest

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.backend.sql import emit_sql
from jixiao.compiler.data.cohort import score_cohort_file
from jixiao.dsl.ir import fmt_decimal

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "tests" / "golden" / "sql" / "同类比较（可译为SQL）.jx"
EXAMPLE = ROOT / "examples" / "cohort-2024" / "参评单位.csv"
HEAD = ["单位名称", "单位类别", "编制数", "实有人数", "平均年龄", "预算数", "支出数", "人员经费", "有新进人员",
        "新进人员数", "参训新进人员数", "满意度"]


@pytest.fixture(scope="module")
def rb():
    return compile_rulebook(path=RULEBOOK)


@pytest.fixture(scope="module")
def query(rb):
    return emit_sql(rb.program, "duckdb", "inputs", ("单位名称",))


def run(rb, query, path: Path, tmp_path: Path):
    """(the Python path's rows by unit, its bad units, the SQL's rows by unit, its columns)."""
    out = tmp_path / "py.csv"
    _n, errors = score_cohort_file(rb, path, out, on_error="skip")
    py = list(csv.DictReader(out.open(encoding="utf-8-sig")))
    lines = list(csv.reader(path.open(encoding="utf-8")))
    bad = {lines[e.row - 1][0] for e in errors}
    con = duckdb.connect(":memory:", config={"threads": 1})
    con.execute(f"CREATE TABLE inputs AS SELECT * FROM read_csv('{path}', all_varchar=true, header=true)")
    cur = con.execute(query)
    names = [x[0] for x in cur.description]
    sql = {r[0]: dict(zip(names, r)) for r in cur.fetchall()}
    return {r["单位名称"]: r for r in py}, bad, sql


def compare(py, bad, sql, total):
    assert len(sql) == total and len(py) + len(bad) == total
    cells = 0
    for name, row in sql.items():
        if name in bad:
            assert row["有效"] is False, name
            continue
        assert row["有效"] is True, name
        for h, v in py[name].items():
            got = row[h]
            assert ("" if got is None else str(got)) == v, (name, h, v, got)
            cells += 1
    return cells


def test_the_example_cohort(rb, query, tmp_path):
    py, bad, sql = run(rb, query, EXAMPLE, tmp_path)
    assert not bad
    assert compare(py, bad, sql, 24) == 24 * 23


def units(n: int, seed: int = 7) -> list[list[str]]:
    rnd = random.Random(seed)
    rows = []
    for k in range(n):
        budget = rnd.choice([D(100), D(200), D(250), D(500), D(1000), D("123.2")])
        # equal ratios under different denominators (450/500 = 225/250 = 0.9): ties the order keys must see
        spent = budget * rnd.choice([D("0.5"), D("0.8"), D("0.875"), D("0.9"), D("0.95"), D(1), D(1), D(1), D(1), D(1)])
        staff = spent * rnd.choice([D("0.3"), D("0.3"), D("0.3"), D("0.45"), D("0.6")])
        new = rnd.random() < 0.5
        n_new = rnd.randint(1, 6)
        rate = rnd.choice(["90", "95", "97.5", "99", "100", "100"])
        row = [f"单位{k:05d}", rnd.choice(["行政单位", "事业单位"]), str(rnd.randint(5, 40)), "",
               rnd.choice(["35", "35", "35", "35", "38", "40", "40.5", "42.5", "45"]), fmt_decimal(budget), fmt_decimal(spent), fmt_decimal(staff),
               "是" if new else "否", str(n_new) if new else "", str(rnd.randint(0, n_new)) if new else "",
               rate + "%" if rnd.random() < 0.5 else str(D(rate) / 100)]
        row[3] = str(int(row[2]) + rnd.choice([0, 0, 0, 0, 0, -2, 1, 3]))
        bad = rnd.random()
        if bad < 0.004:
            row[7] = fmt_decimal(spent + 1)                  # 核对 人员经费 ≤ 支出数 fails
        elif bad < 0.008:
            row[4] = "80"                            # out of range
        elif bad < 0.012:
            row[2] = "0"                             # 编制数 > 0
        elif bad < 0.016 and not new:
            row[9] = "3"                             # 仅当 有新进人员: given when it may not be
        rows.append(row)
    return rows


def write(path: Path, rows) -> Path:
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows([HEAD] + rows)
    return path


def test_a_generated_cohort_of_3000_units(rb, query, tmp_path):
    rows = units(3000)
    py, bad, sql = run(rb, query, write(tmp_path / "units.csv", rows), tmp_path)
    assert 30 < len(bad) < 80
    notes = [r["名额"] for r in py.values() if r["名额"]]
    # both quotas push units down, tied totals at the cuts among them
    assert any("优秀名额" in x for x in notes) and any("良好名额" in x for x in notes)
    n = len(py)
    grades = [r["等级"] for r in py.values()]
    # tied totals at both cuts: 同分均降 leaves 优秀 short of its places, 同分均保留 keeps 良好 over its own
    assert grades.count("优秀") < n // 10 and grades.count("良好") > n * 3 // 10
    assert compare(py, bad, sql, 3000) == (3000 - len(bad)) * 23


def test_a_cell_the_sql_does_not_read_leaves_the_whole_table_to_python(rb, query, tmp_path):
    rows = units(200, seed=3)
    rows[17][5] = "1,000"                            # the Python path reads it; the SQL does not
    py, bad, sql = run(rb, query, write(tmp_path / "units.csv", rows), tmp_path)
    assert "单位00017" in py
    assert not any(r["有效"] for r in sql.values())
