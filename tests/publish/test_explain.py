"""评分依据 and the audit of claimed scores, on the Chenxi cases."""
from pathlib import Path

import pytest
from click.testing import CliRunner

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.cli import main
from jixiao.compiler.publish.explain import audit, explain

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
    assert [f.path[-1] for f in findings] == ["财政供养人员控制率", "结转结余率", "公用经费控制率", "项目质量达标率"]
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
    assert "4 项需复核：4 项与计算不一致，1 项自评不可得" in res.stdout
    res = CliRunner().invoke(main, ["explain", "E0201"])
    assert res.exit_code == 0 and "E0201" in res.stdout
