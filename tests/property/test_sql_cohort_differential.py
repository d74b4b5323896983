"""Differential testing of cohort rules in SQL: random cohort rulebooks × random units, the
emitted DuckDB query (window functions over the whole table) against the Python path's
two-pass cohort scoring (``score_cohort``), every cell — scores, total, grade after the
quotas, each statistic's column and the quota's note — and the same rows left out.

rulebook_gen.py draws no cohort constructs; this file's generator does: 2–5 indicators,
each one of 排名 tiers (降序/升序, 并列/顺延), 排名位次 tiers, a comparison with the
(同类) 平均 / 中位数 / 最高 / 最低 of an input, a sum or a ratio, a deduction from the
distance to a peer statistic, 单位数() and 按同类平均得分计; 精度 and 舍入 at random; a
名额 block of one or two rows (同分均降 / 同分均保留) half the time. Units take few values
(ties at every rank and at the quotas' cuts); some are out of range (bad rows, left out
of the cohort). Budget: 24 rulebooks × up to 30 units, ≈ 3 s.
"""
from __future__ import annotations

import random
from decimal import Decimal as D

import duckdb
from hypothesis import given, note
from hypothesis import strategies as st

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.backend.sql import Unsupported, emit_sql
from jixiao.compiler.data.cohort import extra_headers, score_cohort
from jixiao.compiler.data.results import indicator_headers_of
from jixiao.compiler.data.writers import _fmt

from .rulebook_gen import profile

CON = duckdb.connect(":memory:", config={"threads": 1})
SEEN = {"books": 0, "translated": 0, "rows": 0, "sql_rows": 0, "moved": 0}
NAMES = ["类别", "甲", "乙", "率", "有"]
HEAD = ("输入 类别: 等级(东, 西, 南)\n输入 甲: 数值 范围 0 至 100\n输入 乙: 数值 范围 1 至 20\n"
        "输入 率: 比率 范围 0 至 1\n输入 有: 是否\n")
SUBJECTS = ["甲", "乙", "率", "甲 + 乙", "甲 / 乙"]
EXACT = ["甲", "乙", "率", "甲 + 乙"]          # an average of 甲 / 乙 has no exact bounded SQL: refused


def indicator(rnd: random.Random, n: int, points: int) -> str:
    P, lo = points, rnd.randint(0, points // 2)
    peer = rnd.choice(["同类", ""])
    # the first indicator always compares the units (kinds 0-5): a book of plain rules only
    # (and no 名额) is no cohort rulebook, and score_cohort has nothing to do with it
    kind = rnd.randrange(6 if n == 0 else 7)
    head = f"  指标 指标{n} {P}分:\n"
    if kind == 0:
        x = rnd.choice(SUBJECTS)
        k1, k2 = sorted(rnd.sample(range(1, 12), 2))
        rule = (f"    得分 = 分档 {peer}排名({x}, {rnd.choice(['降序', '升序'])}, {rnd.choice(['并列', '顺延'])}):\n"
                f"      ≤ {k1} : {P}\n      ≤ {k2} : {(P + lo) // 2}\n      否则 : {lo}\n")
    elif kind == 1:
        x = rnd.choice(SUBJECTS)
        cut = rnd.choice(["30%", "50%", "25%", "60%"])
        rule = (f"    得分 = 分档 {peer}排名位次({x}, {rnd.choice(['降序', '升序'])}, {rnd.choice(['并列', '顺延'])}):\n"
                f"      ≤ {cut} : {P}\n      否则 : {lo}\n")
    elif kind == 2:
        f = rnd.choice(["平均", "中位数", "最高", "最低"])
        x = rnd.choice(EXACT if f == "平均" else SUBJECTS)
        rule = f"    得分 = 如果 {x} ≥ {peer}{f}({x}) 则 {P} 否则 {lo}\n"
    elif kind == 3:
        f = rnd.choice(["平均", "中位数", "最高"])
        x = rnd.choice(["甲", "率 × 100", "甲 + 乙"])
        c = rnd.choice(["0.5", "1", "0.25", "2"])
        rule = f"    差 = max({peer}{f}({x}) - {x}, 0)\n    得分 = {P} - 差 × {c} 扣完为止\n"
    elif kind == 4:
        rule = f"    得分 = 如果 {peer}单位数() ≥ {rnd.randint(2, 12)} 则 {P} 否则 {lo}\n"
    elif kind == 5:
        rule = f"    得分 = 如果 有 则 min(甲 / 100, 1) × {P} 否则 按同类平均得分计\n"
    else:
        rule = f"    得分 = 率 × {P}\n"
    return head + rule


@st.composite
def cohort_books(draw):
    rnd = random.Random(draw(st.integers(0, 2 ** 32 - 1), label="book"))
    k = rnd.randint(2, 5)
    pts = [rnd.choice([5, 10, 20]) for _ in range(k)]
    total = sum(pts)
    prec = rnd.choice(["0.01", "0.1", "0.5", "1"])
    mode = rnd.choice(["四舍五入", "银行家舍入", "截断", "进一"])
    text = (f'规则集 "同类随机"\n满分 {total}\n精度 {prec}\n舍入 {mode}\n同类 类别\n' + HEAD
            + f"一级指标 全部 {total}分:\n" + "".join(indicator(rnd, n, p) for n, p in enumerate(pts)))
    a, b = rnd.choice([(D("0.9"), D("0.7")), (D("0.8"), D("0.6")), (D("0.6"), D("0.4"))])
    text += f"等级:\n  优: 总分 ≥ {fmt_pts(total * a)}\n  良: {fmt_pts(total * b)} ≤ 总分 < {fmt_pts(total * a)}\n  差: 否则\n"
    if rnd.random() < 0.6:
        text += "名额:\n"
        text += f"  优: 最多 {rnd.choice(['10%', '20%', '30%', '50%'])} 降为 良{rnd.choice(['', ' 同分均降', ' 同分均保留'])}\n"
        if rnd.random() < 0.5:
            text += f"  良: 最多 {rnd.choice(['20%', '40%'])} 降为 差{rnd.choice(['', ' 同分均保留'])}\n"
    return text


def fmt_pts(x: D) -> str:
    return format(x.normalize(), "f")


@st.composite
def units(draw):
    rnd = random.Random(draw(st.integers(0, 2 ** 32 - 1), label="units"))
    n = rnd.randint(2, 30)
    kinds = rnd.sample(["东", "西", "南"], rnd.randint(1, 3))
    out = []
    for _ in range(n):
        row = [rnd.choice(kinds), rnd.choice(["0", "25", "40", "40.5", "60", "100", "12.3"]),
               str(rnd.choice([1, 2, 4, 5, 8, 10, 20])), rnd.choice(["0.5", "0.75", "0.9", "1", "0.333"]),
               rnd.choice(["是", "否"])]
        if rnd.random() < 0.08:
            row[rnd.choice([1, 2, 3])] = rnd.choice(["150", "-1", "30"])      # out of range (or not)
        out.append(row)
    return out


@profile(24)
@given(text=cohort_books(), rows=units())
def test_cohort_sql_matches_python(text, rows):
    note(text)
    rb = compile_rulebook(text, name="cohort.jx")
    SEEN["books"] += 1
    try:
        sql = emit_sql(rb.program, "duckdb", "t", ("_row",))
    except Unsupported as e:
        assert {d.code for d in e.diagnostics} <= {"E0801", "E0802"}
        return
    SEEN["translated"] += 1
    errors: list = []
    _cols, scored, _stats = score_cohort(
        rb, lambda: (["_row"] + NAMES, iter((k + 2, [str(k)] + r) for k, r in enumerate(rows))),
        on_error="skip", errors=errors)
    python = {}
    for s in scored:
        python[int(s.ids["_row"])] = [_fmt(x) for x in s.scores] + [_fmt(s.total), s.grade] + [_fmt(x) for x in s.extra]
        SEEN["moved"] += bool(rb.program.quotas and s.extra[-1])
    bad = {e.row - 2 for e in errors}
    CON.execute("DROP TABLE IF EXISTS t")
    CON.execute("CREATE TABLE t (" + ", ".join(f'"{n}" VARCHAR' for n in ["_row"] + NAMES) + ")")
    one = "(" + ", ".join("?" * (len(NAMES) + 1)) + ")"
    CON.execute(f"INSERT INTO t VALUES {', '.join([one] * len(rows))}", [c for k, r in enumerate(rows) for c in [str(k)] + r])
    got = CON.execute(sql).fetchall()
    width = len(indicator_headers_of(rb.program)) + 2 + len(extra_headers(rb))
    assert len(got) == len(rows)
    assert len(python) + len(bad) == len(rows)
    for r in got:
        k, ok = int(r[0]), r[-1]
        cells = ["" if c is None else str(c) for c in r[1:1 + width]]
        note(f"row {k} {rows[k]}: python {python.get(k)}, sql {cells} ok={ok}")
        SEEN["rows"] += 1
        if k in bad:
            assert not ok
            continue
        assert ok, "a row the Python path scores, every cell plain, not scored in SQL"
        SEEN["sql_rows"] += 1
        assert cells == python[k]


def test_most_cohort_books_translated():
    """Runs after the property above: most drawn books translate (an average of 甲 / 乙 is
    the one refusal), most rows are scored in SQL, and quotas moved units."""
    if SEEN["books"] == 0:
        test_cohort_sql_matches_python()
    assert SEEN["translated"] >= SEEN["books"] // 2, SEEN
    assert SEEN["sql_rows"] >= SEEN["rows"] * 3 // 4, SEEN
    assert SEEN["moved"] > 0, SEEN
