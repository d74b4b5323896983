"""The real seed rulebook end to end: 附件2 of the Chenxi County judicial bureau 2021."""
import json
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.cli import main

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "stdlib_indicators" / "部门整体支出.jx"
SELF = ROOT / "examples" / "chenxi-2021" / "self-assessment.jxc"
REPORT = ROOT / "examples" / "chenxi-2021" / "report-figures.jxc"

# 附件2's 得分 column, transcribed from the seed document by hand (path: last two levels).
CLAIMED_附件2 = {
    "目标设定/职责明确": "1", "目标设定/活动合规性": "1", "目标设定/活动合理性": "1",
    "目标设定/目标覆盖率": "1", "目标设定/目标管理创新": "0",
    "预算配置/财政供养人员控制率": "3", "预算配置/“三公经费”变动率": "4", "预算配置/重点支出安排率": "3",
    "预算执行/预算完成率": "3", "预算执行/预算调整率": "3", "预算执行/支付进度率": "5",
    "预算执行/结转结余率": "3", "预算执行/结转结余变动率": "3", "预算执行/公用经费控制率": "3",
    "预算执行/“三公经费”控制率": "3", "预算执行/政府采购执行率": "3",
    "预算管理/管理制度健全性": "2", "预算管理/资金使用合规性": "9", "预算管理/预决算信息公开性": "3",
    "预算管理/基础信息完善性": "4",
    "资产管理/管理制度健全性": "2", "资产管理/资产管理完全性": "2", "资产管理/固定资产利用率": "2",
    "预算绩效监控管理/监控率": "2",
    "职责履行/项目实际完成率": "3", "职责履行/项目质量达标率": "3", "职责履行/重点工作办结率": "4",
    "职责履行/部门绩效自评项目占比率": "3",
    "监督发现问题/违规率": "2", "工作成效/部门预算绩效管理考核评价": "5", "评价结果应用/应用率": "2",
    "结果应用创新/结果应用创新": "0.5", "社会效益/社会公众满意度": "5",
}


def score_json(case):
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(case), "--format", "json"])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def third_level(data):
    return {"/".join(r["path"][-2:]): r for r in data["indicators"] if r["level"] == "level3"}


def test_self_assessment_reproduces_附件2():
    data = score_json(SELF)
    rows = third_level(data)
    assert len(rows) == 33
    assert set(rows) == set(CLAIMED_附件2)
    for key, claimed in CLAIMED_附件2.items():
        assert Decimal(rows[key]["score"]) == Decimal(claimed), key
    assert data["total"] == "93.5"
    assert data["grade"] == "优秀"
    # the one score no input can produce is marked as assessed, not computed
    assert [k for k, r in rows.items() if r.get("assessed")] == ["职责履行/项目质量达标率"]


def test_self_assessment_subtotals():
    data = score_json(SELF)
    top = {r["path"][0]: Decimal(r["score"]) for r in data["indicators"] if len(r["path"]) == 1}
    assert top == {"投入": Decimal(14), "过程": Decimal(52), "产出": Decimal(13), "效果": Decimal("14.5")}


def test_report_figures_differ_where_the_report_says_so():
    data = score_json(REPORT)
    rows = third_level(data)
    assert len(rows) == 33
    differ = {k: (r["score"], r["claimed"]) for k, r in rows.items() if Decimal(r["score"]) != Decimal(r["claimed"])}
    # 121 persons on 89 posts: 32 over, 3 - 3.2 -> 0 (扣完为止)
    assert differ["预算配置/财政供养人员控制率"] == ("0", "3")
    # (2406.98 - 2318.14) / 2406.98 = 3.69%: 37 started steps of 0.1 pp -> 3 - 3.7 -> 0
    assert differ["预算执行/结转结余率"] == ("0", "3")
    # 546.1 / 341.62 = 159.9% of the budgeted 公用经费 -> 0
    assert differ["预算执行/公用经费控制率"] == ("0", "3")
    # all projects passed: 100% × 4 = 4, against the claimed (unattainable) 3
    assert differ["职责履行/项目质量达标率"] == ("4", "3")
    assert len(differ) == 4
    assert data["total"] == "85.5"       # 93.5 - 9 + 1
    assert data["claimed_total"] == "93.5"
    assert data["grade"] == "良好"


def test_report_figures_table_shows_both_columns():
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(REPORT)])
    assert res.exit_code == 0
    line = next(l for l in res.stdout.splitlines() if "财政供养人员控制率" in l)
    assert line.split()[1:] == ["3", "0", "3", "≠"]
    assert "与自评不一致 5 项" in res.stdout     # four indicators and 总分 (85.5 vs 93.5)
    assert "  总分: 计算 85.5，自评 93.5" in res.stdout


def test_report_figures_trace_shows_the_arithmetic():
    rb = compile_rulebook(path=RULEBOOK)
    case = rb.load_case(REPORT)
    r = rb.evaluate_case(case, trace=True)
    lets = {(t.indicator.split("/")[-1], t.name): t.value for t in r.trace if t.kind == "let"}
    assert lets[("财政供养人员控制率", "超编人数")] == 32


def test_api_and_cli_agree():
    rb = compile_rulebook(path=RULEBOOK)
    r = rb.evaluate_case(rb.load_case(SELF))
    assert r.to_dict()["indicators"] == [
        {k: v for k, v in row.items()} for row in score_json(SELF)["indicators"]]
