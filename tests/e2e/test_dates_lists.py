"""Dates, lists and weighted checklists end to end: the API, cases, data files, explain,
and the runtime's date helpers held to their definitions."""
import csv
import datetime
import json
from decimal import Decimal as D
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.backend import runtime
from jixiao.compiler.cli import main
from jixiao.compiler.publish.explain import explain
from jixiao.dsl import ops
from jixiao.dsl.diagnostics import JixiaoError

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "stdlib_indicators" / "项目支出绩效评价.jx"
CASE = ROOT / "examples" / "project-2024" / "饮水工程绩效评价.jxc"

BOOK = '''规则集 "t"
满分 10
输入 下达日期: 日期
输入 专项资金: 列表 最多 5项:
  字段 名称: 文本
  字段 金额: 金额(万元) > 0
  字段 下达日期: 日期
  字段 按时: 是否
输入 要点: 清单["符合申报条件" 2分, "程序规范" 1分, "有佐证材料" 1分]
一级指标 甲 10分:
  指标 及时性 3分:
    延迟天数 = max(下达日期 - 2024-06-30, 0)
    得分 = 3 - 延迟天数 × 0.1 扣完为止
  指标 专项 2分:
    得分 = 2 - 计数(专项资金, 下达日期 > 2024-06-30) × 0.5 扣完为止
  指标 要点分 4分:
    得分 = 符合分(要点)
  指标 汇总 1分:
    得分 = 分档:
      全部(专项资金, 按时) 且 任一(专项资金, 金额 ≥ 100万元) : 1
      合计(专项资金, 金额) ≥ 50万元 : 0.5
      否则 : 0
等级:
  好: 总分 ≥ 6
  差: 否则
'''


@pytest.fixture(scope="module")
def rb():
    return compile_rulebook(BOOK, name="t.jx")


def items(*rows):
    return [{"名称": n, "金额": a, "下达日期": d, "按时": t} for n, a, d, t in rows]


BASE = {"下达日期": "2024-06-30", "专项资金": [], "要点": (True, True, True)}


def score(rb, **changes):
    return rb.evaluate({**BASE, **changes})


@pytest.mark.parametrize("day, points", [("2024-06-29", 3), ("2024-06-30", 3), ("2024-07-01", D("2.9")),
                                         ("2024-07-03", D("2.7")), ("2024-07-30", D("0")), ("2024-09-30", 0)])
def test_deadline_day_and_the_day_after(rb, day, points):
    assert score(rb, 下达日期=day).score("及时性") == points


@pytest.mark.parametrize("value", [datetime.date(2024, 7, 3), datetime.datetime(2024, 7, 3), "2024-07-03",
                                   "2024/7/3", "2024.07.03", "2024年7月3日", "２０２４－０７－０３", "2024-07-03 00:00:00"])
def test_dates_as_people_and_spreadsheets_give_them(rb, value):
    assert score(rb, 下达日期=value).score("及时性") == D("2.7")


@pytest.mark.parametrize("value", ["2024-02-30", "20240703", 45476, "2024-07-03 12:30", "七月三日", D(739070)])
def test_what_is_no_date(rb, value):
    with pytest.raises(JixiaoError) as e:
        score(rb, 下达日期=value)
    assert [d.code for d in e.value.diagnostics] == ["E0602"]


def test_empty_list(rb):
    """计数 0, 合计 0, 任一 否, 全部 是."""
    r = score(rb, 专项资金=[])
    assert r.score("专项") == 2          # 计数 = 0
    assert r.score("汇总") == 0          # 全部 是 but 任一 否; 合计 0 < 50万元


def test_one_item_at_the_boundary(rb):
    assert score(rb, 专项资金=items(("甲", 100, "2024-06-30", True))).score("专项") == 2
    assert score(rb, 专项资金=items(("甲", 100, "2024-07-01", True))).score("专项") == D("1.5")
    assert score(rb, 专项资金=items(("甲", 100, "2024-06-30", True))).score("汇总") == 1
    assert score(rb, 专项资金=items(("甲", "99.99", "2024-06-30", True))).score("汇总") == D("0.5")
    assert score(rb, 专项资金=items(("甲", "49.99", "2024-06-30", True))).score("汇总") == 0


def test_many_items(rb):
    late = items(*[(f"第{k}项", 10, "2024-07-01", k % 2 == 0) for k in range(5)])
    r = score(rb, 专项资金=late)
    assert r.score("专项") == 0          # 2 - 5 × 0.5, 扣完为止
    assert r.score("汇总") == D("0.5")   # not all on time; 合计 50万元 ≥ 50万元


def test_list_items_in_other_money_units(rb):
    r = score(rb, 专项资金=[{"名称": "甲", "金额": "1000000", "下达日期": "2024-06-30", "按时": True}])
    assert r.score("汇总") == 1          # the API gives numbers in the declared unit: 1000000万元


def test_list_item_problems_are_named(rb):
    with pytest.raises(JixiaoError) as e:
        score(rb, 专项资金=[{"名称": "甲", "金额": 0, "下达日期": "2024-06-30", "按时": True},
                          {"名称": "乙", "金额": 1, "下达": "2024-06-30", "按时": "也许"}])
    msgs = [d.message_in("zh") for d in e.value.diagnostics]
    assert all(d.code == "E0613" for d in e.value.diagnostics)
    assert any("第1项「甲」" in m and "金额" in m for m in msgs)
    assert any("第2项「乙」没有字段「下达」" in m for m in msgs)
    with pytest.raises(JixiaoError) as e:
        score(rb, 专项资金=items(*[("x", 1, "2024-06-30", True)] * 6))
    assert "最多5项" in e.value.diagnostics[0].message_in("zh")


def test_weighted_checklist_met_and_unmet(rb):
    assert score(rb, 要点=(True, True, True)).score("要点分") == 4
    assert score(rb, 要点=(False, True, True)).score("要点分") == 2
    assert score(rb, 要点=(True, False, False)).score("要点分") == 2
    assert score(rb, 要点="全部符合").score("要点分") == 4


def test_explanations_name_the_items_and_the_days(rb):
    r = rb.evaluate({"下达日期": "2024-07-03", "要点": (True, False, True),
                     "专项资金": items(("农村饮水", 120, "2024-04-10", True), ("道路", 80, "2024-07-01", False))},
                    trace=True, evidence={"要点": ("见附件3", None, None)})
    text = {"/".join(e.path): e.text for e in explain(rb, r)}
    assert "下达日期2024年7月3日" in text["甲/及时性"] and "= 3天" in text["甲/及时性"]
    assert "3 - 3天 × 0.1 = 2.7" in text["甲/及时性"]
    assert "满足「下达日期 > 2024年6月30日」的有1项：道路" in text["甲/专项"]
    assert "未符合：2.程序规范（1分）" in text["甲/要点分"] and "佐证：1.见附件3" in text["甲/要点分"]
    en = {"/".join(e.path): e.text for e in explain(rb, r, "en")}
    assert "1 of 2 items meet `下达日期 > 2024-06-30` (道路)" in en["甲/专项"]
    assert r.inputs["下达日期"] == datetime.date(2024, 7, 3)
    assert r.inputs["专项资金"][0]["名称"] == "农村饮水" and r.inputs["专项资金"][1]["下达日期"] == datetime.date(2024, 7, 1)
    assert r.to_dict()["evidence"] == {"要点": ["见附件3", None, None]}


def test_the_shipped_example_scores_as_hand_computed():
    rb = compile_rulebook(path=RULEBOOK)
    case = rb.load_case(CASE)
    r = rb.evaluate_case(case, trace=True)
    assert (r.total, r.grade) == (D("81.94"), "良")
    assert r.score("资金到位率") == D("2.94") and r.score("资金到位及时性") == D("2.5")
    assert case.evidence["立项依据要点"][0] == "见县发改委立项批复（附件2）"
    text = {"/".join(e.path): e.text for e in explain(rb, r)}
    assert "佐证：1.见县发改委立项批复（附件2）" in text["决策/项目立项/立项依据充分性"]
    assert "县级配套" in text["过程/资金管理/资金到位及时性"]


def test_data_file_with_dates_and_a_list_cell(tmp_path):
    """A date cell in ISO text, a list as JSON in a cell: scored like the case file."""
    rb = compile_rulebook(path=RULEBOOK)
    case = rb.load_case(CASE)
    header = ["单位"] + [i.name for i in rb.program.inputs]
    cells = []
    for i in rb.program.inputs:
        v = case.inputs[i.name]
        if i.kind == "list":
            v = json.dumps([{k: (str(x) if not isinstance(x, (str, bool)) else x) for k, x in it.items()} for it in v],
                           ensure_ascii=False)
        elif i.kind == "checklist":
            v = "全部符合" if isinstance(v, str) else "、".join("是" if x else "否" for x in v)
        elif isinstance(v, datetime.date):
            v = v.isoformat()
        cells.append(str(v))
    data = tmp_path / "units.csv"
    with open(data, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header, ["饮水工程"] + cells])
    out = tmp_path / "scores.csv"
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(data), "-o", str(out)])
    assert res.exit_code == 0, res.output
    with open(out, encoding="utf-8-sig", newline="") as f:
        got = list(csv.DictReader(f))
    assert got[0]["总分"] == "81.94" and got[0]["等级"] == "良"


# ── the runtime's date helpers, held to their definitions ──

DAYS = st.integers(datetime.date(1990, 1, 1).toordinal(), datetime.date(2060, 12, 31).toordinal())


@settings(max_examples=400, deadline=None)
@given(a=DAYS, b=DAYS)
def test_months_between_closed_formula_equals_its_definition(a, b):
    assert runtime.months_between(D(a), D(b)) == ops.months_between(D(a), D(b))


@settings(max_examples=300, deadline=None)
@given(a=DAYS, b=DAYS, c=DAYS)
def test_months_between_is_monotone(a, b, c):
    """The interval analysis bounds 相差月数 by its ends: it grows with the later date and
    shrinks as the earlier one grows."""
    lo, hi = sorted((b, c))
    assert ops.months_between(D(a), D(lo)) <= ops.months_between(D(a), D(hi))
    assert ops.months_between(D(lo), D(a)) >= ops.months_between(D(hi), D(a))


@pytest.mark.parametrize("a, b, months", [
    ("2024-01-31", "2024-02-29", 1), ("2024-01-31", "2024-02-28", 0), ("2023-01-31", "2023-02-28", 1),
    ("2024-12-31", "2025-01-30", 0), ("2024-12-31", "2025-01-31", 1), ("2024-12-31", "2025-03-31", 3),
    ("2024-03-15", "2024-03-14", 0), ("2024-03-15", "2024-02-15", -1), ("2024-06-30", "2024-06-30", 0),
])
def test_months_between_examples(a, b, months):
    day = lambda s: D(datetime.date.fromisoformat(s).toordinal())
    assert runtime.months_between(day(a), day(b)) == months == ops.months_between(day(a), day(b))


def test_a_date_beyond_the_calendar_is_E0720_not_a_traceback():
    """相差月数 of a date moved past 9999-12-31: an evaluation error on both paths and in
    the reference interpreter (it was a ValueError traceback)."""
    from jixiao.compiler.verify import interpreter
    rb = compile_rulebook('规则集 "t"\n满分 3\n输入 a: 日期\n指标 A 3分:\n'
                          '  得分 = 如果 相差月数(a + 3000000, 2024-01-01) > 0 则 3 否则 0\n等级:\n  全: 否则\n', name="t.jx")
    with pytest.raises(JixiaoError) as e:
        rb.evaluate({"a": "2024-01-01"})
    assert [d.code for d in e.value.diagnostics] == ["E0720"]
    with pytest.raises(runtime.EvaluationError) as e:
        interpreter.interpret(rb.program, rb.validate({"a": "2024-01-01"}))
    assert e.value.code == "E0720"
