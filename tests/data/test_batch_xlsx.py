"""The batch workbook read back with openpyxl: numbers in the rulebook's precision, the
header frozen, an autofilter, the 汇总 sheet (units per grade, averages per indicator) and
its bar chart of the grades."""
import csv
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.cli import main
from jixiao.compiler.data.writers import number_format

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "stdlib_indicators" / "部门整体支出.jx"


def _cell(v):
    if isinstance(v, tuple):
        return "、".join("是" if x else "否" for x in v)
    if isinstance(v, bool):
        return "是" if v else "否"
    return str(v)


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    rb = compile_rulebook(path=RULEBOOK)
    case = rb.load_case(ROOT / "examples" / "chenxi-2021" / "report-figures.jxc")
    tmp = tmp_path_factory.mktemp("batch")
    data = tmp / "units.csv"
    names = [i.name for i in rb.program.inputs]
    with open(data, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["单位"] + names)
        # three units: the report figures, one whose 固定资产利用率 scores 2.3 (shown 2.30),
        # one without overstaffing, carry-over or overspending
        base = dict(case.inputs)
        b = dict(base, 在用固定资产总额=Decimal("613.34"))
        c = dict(base, 在职人员数=Decimal(89), 结转结余总额=Decimal(0), 公用经费实际支出=Decimal(300))
        for unit, values in (("甲", base), ("乙", b), ("丙", c)):
            w.writerow([unit] + [_cell(values[n]) for n in names])
    out = tmp / "scores.xlsx"
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(data), "-o", str(out)])
    assert res.exit_code == 0, res.output
    expected = {}
    for unit, values in (("甲", base), ("乙", b), ("丙", c)):
        expected[unit] = rb.evaluate(values)
    return openpyxl.load_workbook(out), expected


def test_number_format_follows_the_precision():
    assert number_format(Decimal("0.01")) == "0.00"
    assert number_format(Decimal("0.1")) == "0.0"
    assert number_format(Decimal("1")) == "0"
    assert number_format(Decimal("0.5")) == "0.0"


def test_scores_are_numbers_in_the_rulebooks_precision(book):
    wb, expected = book
    ws = wb["评分结果"]
    head = [c.value for c in ws[1]]
    col = {h: k for k, h in enumerate(head)}
    for row in ws.iter_rows(min_row=2):
        unit = row[col["单位"]].value
        r = expected[unit]
        total = row[col["总分"]]
        assert isinstance(total.value, (int, float)) and total.number_format == "0.00"
        assert Decimal(str(total.value)) == r.total
        assert row[col["等级"]].value == r.grade
        fixed = row[col["固定资产利用率"]]
        assert fixed.number_format == "0.00" and Decimal(str(fixed.value)) == r.score("固定资产利用率")
    # 613.34 / 1000 / 80% × 3 = 2.300025 -> 2.3: a number, shown 2.30 by its format
    yi = next(r for r in ws.iter_rows(min_row=2) if r[col["单位"]].value == "乙")
    cell = yi[col["固定资产利用率"]]
    assert cell.value == 2.3 and cell.number_format == "0.00"


def test_header_frozen_and_filtered(book):
    wb, _ = book
    ws = wb["评分结果"]
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref == f"A1:{ws.cell(1, ws.max_column).column_letter}4"
    assert ws["A1"].font.bold


def test_summary_counts_grades_and_averages_indicators(book):
    wb, expected = book
    ws = wb["汇总"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert rows[0][:3] == ["等级", "单位数", "占比"]
    grades = {r[0]: r[1] for r in rows[1:6] if r[0]}
    want = {}
    for r in expected.values():
        want[r.grade] = want.get(r.grade, 0) + 1
    for g in ("优秀", "良好", "中", "较差"):
        assert grades[g] == want.get(g, 0), (g, grades)
    assert grades["合计"] == 3
    k = next(i for i, r in enumerate(rows) if r[0] == "指标")
    assert rows[k][:4] == ["指标", "平均分", "最低分", "最高分"]
    by = {r[0]: r[1:4] for r in rows[k + 1:] if r[0]}
    totals = [r.total for r in expected.values()]
    avg, lo, hi = by["总分"]
    assert abs(Decimal(str(avg)) - sum(totals) / 3) < Decimal("0.0001")
    assert Decimal(str(lo)) == min(totals) and Decimal(str(hi)) == max(totals)
    assert ws.cell(k + 2, 2).number_format == "0.000"


def test_summary_has_a_bar_chart_of_the_grades(book):
    wb, _ = book
    charts = wb["汇总"]._charts
    assert len(charts) == 1
    chart = charts[0]
    assert chart.tagname == "barChart" and chart.type == "col"
    ref = chart.series[0].val.numRef.f
    assert ref.startswith("'汇总'!$B$2") or ref.startswith("汇总!$B$2"), ref
