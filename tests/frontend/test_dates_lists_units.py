"""Dates, lists, weighted checklists and units at the front end: lexing, types and units,
the checks (E0120, E0520, E0303, E0304), and money units converted exactly."""
import datetime
from decimal import Decimal as D

import pytest

from jixiao.compiler.api import check_text, compile_rulebook
from jixiao.dsl import ast, ir
from jixiao.dsl.diagnostics import JixiaoError
from jixiao.dsl.grammar import jx_parser
from jixiao.dsl.parser import parse_text

HEAD = '规则集 "t"\n满分 3\n'
GRADES = "等级:\n  全: 否则\n"


def codes(text):
    return [d.code for d in check_text(text, "t.jx").diagnostics if d.severity == "error"]


def tokens(expr):
    body = f'{HEAD}输入 a: 日期\n指标 A 3分:\n  得分 = {expr}\n{GRADES}'
    return [(t.type, str(t)) for t in jx_parser().lex(body) if t.type in ("DATE", "NUMBER", "ADD_OP") and t.line == 5]


# ── lexing: a date is one token, never arithmetic ──

def test_iso_date_is_one_token():
    assert ("DATE", "2024-04-10") in tokens("如果 a ≤ 2024-04-10 则 3 否则 0")


def test_chinese_date_is_one_token():
    assert ("DATE", "2024年4月10日") in tokens("如果 a ≤ 2024年4月10日 则 3 否则 0")


def test_spaced_minus_still_subtracts():
    toks = tokens("min(2024 - 4 - 10, 3)")
    assert toks[:5] == [("NUMBER", "2024"), ("ADD_OP", "-"), ("NUMBER", "4"), ("ADD_OP", "-"), ("NUMBER", "10")]
    rb = compile_rulebook(f'{HEAD}指标 A 3分:\n  得分 = min(2024 - 4 - 2007, 3)\n{GRADES}', name="t.jx")
    assert rb.evaluate({}).total == 3                        # 2024 - 4 - 2007 = 13, min(13, 3)


def test_two_parts_are_arithmetic():
    assert tokens("min(2024-4, 3)")[:3] == [("NUMBER", "2024"), ("ADD_OP", "-"), ("NUMBER", "4")]


def test_date_literal_value():
    rb = parse_text(f'{HEAD}输入 a: 日期 范围 2024-01-01 至 2024年12月31日\n指标 A 3分:\n  得分 = 3\n{GRADES}', "t.jx")[0]
    decl = next(i for i in rb.items if isinstance(i, ast.InputDecl))
    assert [c.value.value for c in decl.constraints] == [datetime.date(2024, 1, 1), datetime.date(2024, 12, 31)]


@pytest.mark.parametrize("text", ["2024-02-30", "2023-02-29", "2024-13-01", "2024年4月31日"])
def test_a_date_that_does_not_exist_is_E0120(text):
    with pytest.raises(JixiaoError) as e:
        parse_text(f"{HEAD}指标 A 3分:\n  得分 = 如果 {text} ≤ {text} 则 3 否则 0\n{GRADES}", "t.jx")
    assert [d.code for d in e.value.diagnostics] == ["E0120"]


# ── types and units of dates ──

def _rule(rule, decls="输入 a: 日期\n输入 b: 日期\n"):
    return f"{HEAD}{decls}指标 A 3分:\n  得分 = {rule}\n{GRADES}"


@pytest.mark.parametrize("rule", [
    "3 - max(a - 2024-06-30, 0) × 0.1 扣完为止",             # date - date: 天
    "如果 a + 30天 ≤ b 则 3 否则 0",                            # date + 天: a date
    "如果 a - 7 ≤ 2024-06-30 则 3 否则 0",                      # a bare number of days
    "如果 相差月数(a, b) ≥ 3个月 则 0 否则 3",
    "3 - min(max(相差天数(a, b), 0), 30) × 0.1",
    "分档 a:\n    ≤ 2024-06-30 : 3\n    ≤ 2024-07-31 : 1\n    否则 : 0",
])
def test_date_rules_check_clean(rule):
    assert codes(_rule(rule)) == []


@pytest.mark.parametrize("rule, code", [
    ("如果 a + b ≤ 2024-06-30 则 3 否则 0", "E0301"),          # a date plus a date
    ("如果 a × 2 ≤ 2024-06-30 则 3 否则 0", "E0303"),          # dates are not multiplied
    ("如果 a ≤ 30 则 3 否则 0", "E0301"),                       # a date is no number
    ("如果 a + 3人 ≤ b 则 3 否则 0", "E0301"),                  # a date moves by days only
    ("a - b", "E0302"),                                        # a score is no number of days
    ("如果 相差月数(a, 3) ≥ 1 则 0 否则 3", "E0303"),
])
def test_date_misuse(rule, code):
    assert code in codes(_rule(rule))


def test_days_late_deduction_is_proven_bounded():
    """每延迟1天扣0.1分，扣完为止: the interval analysis bounds it on dates as day numbers."""
    result = check_text(_rule("3 - max(a - 2024-06-30, 0) × 0.1 扣完为止", "输入 a: 日期\n"), "t.jx")
    assert result.ok and not result.diagnostics
    ind = next(result.program.walk())
    r = result.ranges[ind.index]
    assert (r.lo, r.hi) == (0, 3)


# ── lists ──

LIST = """输入 专项资金: 列表 最多 50项:
  字段 名称: 文本
  字段 金额: 金额(万元) > 0
  字段 下达日期: 日期
"""


@pytest.mark.parametrize("rule", [
    "3 - 计数(专项资金, 下达日期 > 2024-06-30) × 0.5 扣完为止",
    "如果 合计(专项资金, 金额) ≥ 100万元 则 3 否则 0",
    "如果 合计(专项资金, 金额, 下达日期 ≤ 2024-06-30) ≥ 100万元 则 3 否则 0",
    "如果 任一(专项资金, 金额 > 50万元) 则 3 否则 0",
    "如果 全部(专项资金, 下达日期 ≤ 2024-06-30) 则 3 否则 0",
    "如果 最大(专项资金, 金额, 0万元) ≥ 100万元 则 3 否则 0",
    "如果 最小(专项资金, 下达日期, 2024-06-30) ≤ 2024-06-30 则 3 否则 0",
    "如果 计数(专项资金) > 0 且 最大(专项资金, 金额) ≥ 100万元 则 3 否则 0",      # guarded
    "如果 计数(专项资金) = 0 则 0 否则 (如果 最大(专项资金, 下达日期) ≤ 2024-06-30 则 3 否则 1)",
    "如果 任一(专项资金, 金额 > 50万元) 则 (如果 最大(专项资金, 金额, 金额 > 50万元) ≥ 80万元 则 3 否则 1) 否则 0",
    "min(count(专项资金, 下达日期 > 2024-06-30) × 1, 3)",
])
def test_list_rules_check_clean(rule):
    assert codes(_rule(rule, LIST)) == []


@pytest.mark.parametrize("rule", [
    "如果 最大(专项资金, 金额) ≥ 100万元 则 3 否则 0",
    "如果 计数(专项资金) > 1 则 3 否则 最小(专项资金, 金额) / 最小(专项资金, 金额) × 3",
    "如果 任一(专项资金, 金额 > 50万元) 则 (如果 最大(专项资金, 金额, 金额 > 80万元) ≥ 80万元 则 3 否则 1) 否则 0",
])
def test_max_of_a_list_that_can_be_empty_is_E0520(rule):
    assert "E0520" in codes(_rule(rule, LIST))


@pytest.mark.parametrize("rule, code", [
    ("计数(专项资金, 金额)", "E0303"),                                # the condition is no condition
    ("合计(专项资金)", "E0204"),                                      # 合计 needs a value
    ("如果 合计(专项资金, 下达日期) ≥ 3 则 3 否则 0", "E0303"),        # dates are not summed
    ("如果 金额 > 0 则 3 否则 0", "E0201"),                            # a field outside an aggregate
    ("如果 合计(3, 金额) > 0 则 3 否则 0", "E0303"),
])
def test_list_misuse(rule, code):
    assert code in codes(_rule(rule, LIST))


def test_counts_are_whole_and_bounded_by_the_size():
    result = check_text(_rule("计数(专项资金, 下达日期 > 2024-06-30) × 0.06", LIST), "t.jx")
    assert result.ok                    # at most 50 items: 50 × 0.06 = 3
    too_many = check_text(_rule("计数(专项资金, 下达日期 > 2024-06-30) × 0.07", LIST), "t.jx")
    assert "E0501" in [d.code for d in too_many.diagnostics]


def test_list_field_kinds():
    assert "E0303" in codes(_rule("3", "输入 L: 列表:\n  字段 要点: 清单[\"甲\", \"乙\"]\n"))
    assert "E0203" in codes(_rule("3", "输入 L: 列表:\n  字段 甲: 数值\n  字段 甲: 数值\n"))


# ── weighted checklists ──

CHECK = '输入 要点: 清单["符合申报条件" 2分, "程序规范" 1分, "有佐证材料" 1分]\n'


def test_weighted_checklist_bounds():
    result = check_text(_rule("符合分(要点) - 1 扣完为止", CHECK), "t.jx")
    assert result.ok and not result.diagnostics           # [0, 4] - 1 -> [0, 3]
    assert codes(_rule("4 - 不符合扣分(要点) - 1", CHECK)) == ["E0501"]
    assert codes(_rule("如果 要点[2] 且 要点[\"有佐证材料\"] 则 3 否则 0", CHECK)) == []


@pytest.mark.parametrize("decl, rule, code", [
    ('输入 要点: 清单["甲" 2分, "乙"]\n', "3", "E0303"),              # points on some items only
    ('输入 要点: 清单["甲" 2人, "乙" 1分]\n', "3", "E0303"),
    ('输入 要点: 清单["甲", "乙"]\n', "符合分(要点)", "E0303"),         # no points to add up
    (CHECK, "如果 要点[4] 则 3 否则 0", "E0303"),
    (CHECK, "如果 要点[\"程序\"] 则 3 否则 0", "E0201"),
    (CHECK, "要点[1] × 2", "E0303"),
])
def test_weighted_checklist_misuse(decl, rule, code):
    assert code in codes(_rule(rule, decl))


# ── units ──

def test_any_unit_name_that_is_not_money_counts():
    assert codes(_rule("min(病例数 × 0.1, 3)", "输入 病例数: 计数(例)\n")) == []
    assert codes(_rule("3", "输入 x: 计数(万元)\n")) == ["E0303"]
    result = check_text(_rule("3", "输入 x: 金额(万)\n"), "t.jx")
    d = next(d for d in result.diagnostics if d.code == "E0304")
    assert "例" in d.helps[0].zh and "千元" in d.helps[0].zh


def test_money_units_convert_exactly():
    rb = compile_rulebook(_rule("如果 支出 - 预算 ≤ 0元 则 3 否则 0",
                                "输入 支出: 金额(元)\n输入 预算: 金额(万元)\n"), name="t.jx")
    assert rb.evaluate({"支出": "728900", "预算": "72.89"}).total == 3     # 728900元 - 72.89万元 = 0
    assert rb.evaluate({"支出": "728901", "预算": "72.89"}).total == 0
    rb = compile_rulebook(_rule("min(支出 / 预算, 1) × 3", "输入 支出: 金额(元)\n输入 预算: 金额(亿元) > 0\n"), name="t.jx")
    assert rb.evaluate({"支出": "50000000", "预算": "1"}).total == D("1.5")   # 0.5亿元 / 1亿元


def test_money_constants_and_bounds_convert():
    rb = compile_rulebook(_rule("如果 支出 ≥ 1万元 则 3 否则 0", "输入 支出: 金额(元) ≤ 2万元\n"), name="t.jx")
    assert rb.program.inputs[0].hi == 20000
    assert [rb.evaluate({"支出": v}).total for v in ("9999.99", "10000")] == [0, 3]


def test_money_unit_tables_are_pinned_equal():
    from jixiao.compiler.backend import runtime
    assert runtime.MONEY_UNITS == ir.MONEY_UNITS


def test_a_rate_above_100_percent_needs_its_range():
    prog = check_text(_rule("如果 r ≥ 90% 则 3 否则 0", "输入 r: 比率\n"), "t.jx").program
    assert (prog.inputs[0].lo, prog.inputs[0].hi) == (0, 1)
    prog = check_text(_rule("如果 r ≥ 90% 则 3 否则 0", "输入 r: 比率 范围 0 至 300%\n"), "t.jx").program
    assert prog.inputs[0].hi == 3


@pytest.mark.parametrize("method", ["整步扣分", "满步扣分", "比例扣分"])
def test_percentage_points_as_a_step_inside_the_library(method):
    """3个百分点 as a step works inside the library exactly as 3% does."""
    def total(step, rate):
        rb = compile_rulebook(f'{HEAD}引用 "计分方法.jx"\n输入 结余率: 比率\n指标 A 3分:\n'
                              f'  得分 = {method}(结余率 - 5%, {step}, 1, 3)\n{GRADES}', name="t.jx")
        return rb.evaluate({"结余率": rate}).total
    for rate in ("5%", "6%", "8%", "8.01%", "20%"):
        assert total("3个百分点", rate) == total("3%", rate)


def test_the_new_constructs_in_english_keywords(tmp_path):
    """日期/列表/字段/最多, 计数/合计/最大/相差月数/符合分/不符合扣分 translate; the English rulebook
    and case give the same tree and the same scores."""
    from pathlib import Path
    from jixiao.dsl.keywords import translate_keywords
    root = Path(__file__).resolve().parents[2]
    zh = (root / "stdlib_indicators" / "项目支出绩效评价.jx").read_text(encoding="utf-8")
    case = (root / "examples" / "project-2024" / "饮水工程绩效评价.jxc").read_text(encoding="utf-8")
    en = translate_keywords(zh, "en")
    for word in ("input 资金批次: list at_most 100项", "field 下达日期: date", "sum(资金批次, 金额)",
                 "count(资金批次, 下达日期 > 2024-06-30)", "months_between(2024-12-31, 实际完成日期)",
                 "points_met(立项依据要点)", "points_unmet(目标合理性要点)"):
        assert word in en, word
    assert parse_text(en, "en.jx")[0] == parse_text(zh, "zh.jx")[0]
    assert parse_text(translate_keywords(en, "zh"), "zh2.jx")[0] == parse_text(zh, "zh.jx")[0]
    (tmp_path / "en.jx").write_text(en, encoding="utf-8")
    a = compile_rulebook(zh, name=str(root / "stdlib_indicators" / "项目支出绩效评价.jx"))
    b = compile_rulebook(path=tmp_path / "en.jx")
    ra = a.evaluate_case(a.case_from_text(case))
    rb = b.evaluate_case(b.case_from_text(translate_keywords(case, "en")))
    assert ra.to_dict() == rb.to_dict() and ra.total == D("81.94")
