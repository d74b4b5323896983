"""评分依据 and the audit of claimed scores, on the Chenxi cases."""
from pathlib import Path

import pytest
from click.testing import CliRunner

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.cli import main
from jixiao.compiler.publish.audit import audit
from jixiao.compiler.publish.explain import explain

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "stdlib_indicators" / "部门整体支出.jx"
REPORT = ROOT / "examples" / "chenxi-2021" / "report-figures.jxc"
SELF = ROOT / "examples" / "chenxi-2021" / "self-assessment.jxc"


@pytest.fixture(scope="module")
def report():
    rb = compile_rulebook(path=RULEBOOK)
    case = rb.load_case(REPORT)
    return rb, case, rb.evaluate_case(case, trace=True)


def by_name(exps, name):
    return next(e for e in exps if e.path[-1] == name)


def test_sentences_carry_the_report_figures_and_the_arithmetic(report):
    rb, case, result = report
    exps = explain(rb, result)
    e = by_name(exps, "财政供养人员控制率").text
    assert "在职人员数121人，编制数89人" in e
    assert "超编人数 = max(在职人员数 - 编制数, 0) = 32人" in e
    assert "按单位扣分(超编人数, 0.1, 3) = 3 - max(32人, 0) × 0.1 = -0.2" in e
    assert "扣完为止，取0" in e and e.endswith("得0分（满分3分）。")
    e = by_name(exps, "结转结余率").text
    assert "部门预算数2406.98万元，结转结余总额88.84万元" in e and "= 3.69%" in e and "= -0.7" in e
    e = by_name(exps, "公用经费控制率").text
    assert "公用经费实际支出546.1万元，公用经费预算数341.62万元" in e and "= 159.86%" in e and "= -56.9" in e


def test_english(report):
    rb, case, result = report
    e = by_name(explain(rb, result, "en"), "财政供养人员控制率").text
    assert "在职人员数 = 121人" in e and "clamped (扣完为止) to 0" in e and e.endswith("scores 0 of 3.")


def test_audit_lists_exactly_the_differences_and_the_impossible_claim(report):
    rb, case, result = report
    findings = audit(rb, result)
    assert [f.path[-1] for f in findings] == ["财政供养人员控制率", "结转结余率", "公用经费控制率", "项目质量达标率", "总分"]
    impossible = [f for f in findings if not f.attainable]
    assert [f.path[-1] for f in impossible] == ["项目质量达标率"]
    assert impossible[0].attainable_text == "0 ∪ [3.8, 4]"


def test_audit_of_the_self_assessment_flags_only_the_assessed_impossible_claim():
    rb = compile_rulebook(path=RULEBOOK)
    case = rb.load_case(SELF)
    findings = audit(rb, rb.evaluate_case(case, trace=True), assessed_notes=case.assessed_notes)
    assert [(f.path[-1], f.attainable) for f in findings] == [("项目质量达标率", False)]


def test_cli_explain_and_audit():
    res = CliRunner().invoke(main, ["explain", str(RULEBOOK), str(REPORT), "--indicator", "财政供养人员控制率"])
    assert res.exit_code == 0 and "自评3分，计算0分" in res.stdout
    res = CliRunner().invoke(main, ["explain", str(RULEBOOK), str(REPORT), "--audit"])
    assert "5 项需复核：5 项与计算不一致，1 项自评不可得" in res.stdout
    res = CliRunner().invoke(main, ["explain", "E0201"])
    assert res.exit_code == 0 and "E0201" in res.stdout


# ───────────── bugs of issue 13 ─────────────

FLAT = '''规则集 "t"
满分 6
不适用 计满分
输入 在职: 人数
输入 编制: 人数
输入 上年: 金额(万元)
指标 控制率 3分:
  得分 = 如果 在职 ≤ 编制 则 3 否则 3 - (在职 - 编制) × 0.1 扣完为止
指标 变动 3分:
  得分 = 分档:
    上年 = 0 : 不适用
    否则 : 3
等级:
  好: 总分 ≥ 3
  差: 否则
'''
FLAT_CASE = '案例 "x"\n在职 = 95\n编制 = 89\n上年 = 0\n'


def test_explain_prints_indicators_at_the_top_level(tmp_path, cli):
    (tmp_path / "t.jx").write_text(FLAT, encoding="utf-8")
    (tmp_path / "t.jxc").write_text(FLAT_CASE, encoding="utf-8")
    res = cli(["explain", "t.jx", "t.jxc"], tmp_path)
    assert res.exit_code == 0
    lines = res.stdout.splitlines()
    assert [l.split("：")[0] for l in lines] == ["控制率", "变动", "总分", "等级"]     # actual: nothing at all


def test_if_explanation_shows_the_branch_arithmetic():
    rb = compile_rulebook(FLAT, name="t.jx")
    res = rb.evaluate_case(rb.case_from_text(FLAT_CASE), trace=True)
    e = by_name(explain(rb, res), "控制率").text
    assert e == "在职95人，编制89人；条件不成立；3 - (在职 - 编制) × 0.1 = 3 - (95人 - 89人) × 0.1 = 2.4；得2.4分（满分3分）。"
    en = by_name(explain(rb, res, "en"), "控制率").text
    assert "the condition fails; 3 - (在职 - 编制) × 0.1 = 3 - (95人 - 89人) × 0.1 = 2.4" in en


def test_tier_value_not_applicable_is_not_explained_as_none():
    rb = compile_rulebook(FLAT, name="t.jx")
    res = rb.evaluate_case(rb.case_from_text(FLAT_CASE), trace=True)
    e = by_name(explain(rb, res), "变动").text
    assert "None" not in e
    assert e == "上年0万元；符合「上年 = 0」档；本项不适用，按规则集「不适用 计满分」处理；得3分（满分3分）。"


CLAIMS_ON_PARENTS = '''规则集 "t"
满分 2
输入 x: 比率 范围 0 至 1
一级指标 P 2分:
  指标 A 1分:
    得分 = x
  指标 B 1分:
    得分 = x
等级:
  全: 否则
'''


def test_score_table_and_audit_count_claims_on_parents_and_on_the_total(tmp_path, cli):
    (tmp_path / "t.jx").write_text(CLAIMS_ON_PARENTS, encoding="utf-8")
    (tmp_path / "t.jxc").write_text('案例 "x"\nx = 50%\n自评得分:\n  A = 0.5\n  P = 2\n  总分 = 1.5\n', encoding="utf-8")
    res = cli(["score", "t.jx", "t.jxc"], tmp_path)
    assert "与自评不一致 2 项" in res.stdout                       # actual: nothing (only leaves counted)
    assert "  P: 计算 1，自评 2" in res.stdout and "  总分: 计算 1，自评 1.5" in res.stdout
    res = cli(["explain", "t.jx", "t.jxc", "--audit"], tmp_path)
    assert "✗ P：自评2分，计算1分" in res.stdout and "✗ 总分：自评1.5分，计算1分" in res.stdout
    assert "2 项需复核：2 项与计算不一致，0 项自评不可得" in res.stdout     # actual: 自评得分与计算结果一致
