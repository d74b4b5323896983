"""jixiao doc: the rulebook as the published 评分表, 评分标准 generated from the rules."""
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.cli import main
from jixiao.compiler.publish.criteria import band_text, criteria_text, grade_boxes
from jixiao.compiler.publish.tables import doc_table

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "stdlib_indicators" / "部门整体支出.jx"


@pytest.fixture(scope="module")
def rb():
    return compile_rulebook(path=RULEBOOK)


def node(rb, path):
    hits = [n for n in rb.program.walk() if "/".join(n.path).endswith(path)]
    assert len(hits) == 1, (path, [n.path for n in hits])
    return hits[0]


# Written by hand from each rule in stdlib_indicators/部门整体支出.jx (not from the output):
# the definitions the rule names come first, as formulas, then the rule in 附件2's words.
EXPECTED = {
    # 分档 完成率: ≥ 90% : 3 / ≥ 80% : 1 / 否则 : 0
    "预算完成率": "完成率 = 预算完成数 / 部门预算数\n"
                  "完成率≥90%得3分；80%（含）至90%得1分；低于80%得0分",
    # 子项 全年进度: ≥ 100% : 4 / ≥ 95% : 3 / ≥ 90% : 2 / ≥ 85% : 1 / 否则 : 0
    "支付进度率/全年进度": "全年支付进度 = 全年实际支出 / 全年支付基数\n"
                          "全年支付进度≥100%得4分；95%（含）至100%得3分；90%（含）至95%得2分；"
                          "85%（含）至90%得1分；低于85%得0分",
    # the composite: each 子项 on its own line, then their sum
    "支付进度率": "半年进度（2分）：半年支付进度 = 上半年实际支出 / 上半年支付基数；"
                  "半年支付进度≥50%得2分；40%（含）至50%得1分；低于40%得0分\n"
                  "全年进度（4分）：全年支付进度 = 全年实际支出 / 全年支付基数；"
                  "全年支付进度≥100%得4分；95%（含）至100%得3分；90%（含）至95%得2分；85%（含）至90%得1分；低于85%得0分\n"
                  "得分 = 半年进度 + 全年进度",
    # checklist count tiers: 8 : 9 / 7 : 8 / 6 : 5 / 5 : 3 / 否则 : 0
    "资金使用合规性": "资金使用合规性要点（共8项）：符合8项得9分；符合7项得8分；符合6项得5分；符合5项得3分；其余得0分",
    # grade lookup
    "社会公众满意度": "社会公众满意度调查结果：优秀5分；良好3分；合格1分；不合格0分",
    # 按单位扣分(超编人数, 0.1, 3), i.e. 3 - max(超编人数, 0) × 0.1 扣完为止
    "财政供养人员控制率": "超编人数 = 在职人员数超出编制数的部分（未超出的为0）\n"
                          "超编人数每1人扣0.1分，扣完为止",
    # min(安排率 / 70% × 3, 3)
    "重点支出安排率": "安排率 = 重点项目支出 / 项目支出预算总额\n"
                      "采用完成比率法计分：安排率达到70%得3分；未达到的，得分 = 安排率 / 70% × 3，超过70%不加分",
    # two checklist points, 符合项计分(要点, 0.5, 1), i.e. min(符合数(要点) × 0.5, 1)
    "结果应用创新/结果应用创新": "结果应用创新要点每符合1项得0.5分，最高1分",
    # ≥ 100% : 4 / ≥ 95% : 3 / ≥ 90% : 2 / ≥ 85% : 1 / 否则 : 0
    "项目实际完成率": "完成率 = 实际完成项目数 / 计划完成项目数\n"
                      "完成率≥100%得4分；95%（含）至100%得3分；90%（含）至95%得2分；85%（含）至90%得1分；低于85%得0分",
    # qualified names: the two 管理制度健全性
    "预算管理/管理制度健全性": "预算管理制度要点（共3项）：符合3项得2分；符合2项得1分；其余得0分",
    "资产管理/管理制度健全性": "资产管理制度要点（共3项）：符合3项得2分；符合2项得1分；其余得0分",
    # 如果 政府采购预算项目数 = 0 则 不适用 否则 完成比率法(…, 100%, 3), i.e. min(… / 100%, 1) × 3
    "政府采购执行率": "政府采购预算项目数为0时不适用；否则采用完成比率法计分：实际政府采购预算项目数与政府采购预算项目数之比"
                      "达到100%得3分；未达到的，得分 = (实际政府采购预算项目数 / 政府采购预算项目数) × 3，超过100%不加分",
    # 3 - 向上取整(max(调整率 - 10%, 0) / 0.1个百分点) × 0.1 扣完为止
    "预算调整率": "调整率 = 预算调整数 / 部门预算数\n"
                  "调整率不超过10%得3分；超过10%的，每超出0.1个百分点扣0.1分（不足0.1个百分点按0.1个百分点计），扣完为止",
    # the constant local 目标值 = 0% is shown inline, not as a definition
    "结转结余率": "结余率 = 结转结余总额 / 部门预算数\n"
                  "结余率不超过0%得3分；超过0%的，每超出0.1个百分点扣0.1分（不足0.1个百分点按0.1个百分点计），扣完为止",
    # 如果 职责符合三定方案 则 1 否则 0
    "职责明确": "职责符合三定方案得1分；否则得0分",
    "活动合规性": "活动合规性要点全部符合得1分；否则得0分",
    # min(超过项数 × 0.1, 1): a count times points per unit
    "目标管理创新": "超过项数 = 绩效目标编报数超出要求填报绩效目标数的部分（未超出的为0）\n"
                    "超过项数每1项得0.1分，最高1分",
    # min(监控项目占比 / 90%, 1) × 2 reads as the completion ratio it is
    "监控率": "监控项目占比 = 实施绩效监控项目数 / 申报绩效目标项目数\n"
              "采用完成比率法计分：监控项目占比达到90%得2分；未达到的，得分 = 监控项目占比 / 90% × 2，超过90%不加分",
    # 分档: 上年 = 0 : 不适用 / 变动额 ≤ 0 : 4 / 否则 : 4 - … 扣完为止
    "“三公经费”变动率": "三公经费变动额 = 本年三公经费预算数 - 上年三公经费预算数\n"
                       "上年三公经费预算数为0时不适用；三公经费变动额≤0得4分；"
                       "否则得分 = 4 - 三公经费变动额 / 上年三公经费预算数 × 4 × 10，扣完为止",
    # 分档 达标率: ≤ 95% : 0 / 否则 : min(达标率 × 4, 4); 达标率 is itself a conditional
    "项目质量达标率": "达标率 = 如果实际完成项目数为0则0%，否则质量达标项目数 / 实际完成项目数\n"
                      "达标率≤95%得0分；高于95%的，得分 = 达标率 × 4，最高4分",
    "部门预算绩效管理考核评价": "得分 = 部门绩效管理工作评价结果 / 100 × 5",
}


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_generated_criteria(rb, path):
    assert criteria_text(node(rb, path), rb.program) == EXPECTED[path]


def test_at_least_ten_indicators_compared():
    assert len(EXPECTED) >= 10


def test_every_indicator_gets_criteria_without_falling_back_to_source_text(rb):
    for n in rb.program.walk():
        if n.level in ("level3", "item"):
            text = criteria_text(n, rb.program)
            assert text and "分档" not in text and "否则 :" not in text, n.path


def test_grade_bands(rb):
    assert [band_text(b.cond) for b in rb.program.grades] == [
        "90分≤得分≤100分", "80分≤得分<90分", "60分≤得分<80分", "0分≤得分<60分"]
    assert grade_boxes(rb.program, "良好") == (
        "□优秀 90分≤得分≤100分；☑良好 80分≤得分<90分；□中 60分≤得分<80分；□较差 0分≤得分<60分")


def test_doc_table_has_both_criteria_columns(rb):
    t = doc_table(rb)
    assert [c.header for c in t.columns] == ["一级指标", "二级指标", "指标名称", "指标解释说明",
                                             "评分标准（按规则生成）", "原评分标准", "得分"]
    assert len(t.indicator_rows) == 33
    row = next(r for r in t.indicator_rows if r.node.name == "预算完成率")
    assert row.cells["original"].startswith("目标值≥100%；达到目标值的得3分")
    assert row.cells["criteria"].endswith("低于80%得0分")


def test_rulebook_level_definitions_and_expressions_without_a_shipped_shape():
    text = """规则集 "t"
满分 10
不适用 计满分
一级指标 甲 10分:
  指标 乙 4分:
    输入 x: 比率
    输入 y: 是否
    得分 = 分档:
      x ≥ 50% 且 y : 4
      x ≥ 20% : 2
      否则 : 0
  指标 丙 6分:
    输入 n: 人数
    得分 = 分档 n:
      ≤ 2 : 6
      ≤ 5 : 3
      否则 : 6 - n × 0.5 扣完为止
等级:
  好: 6 ≤ 总分 ≤ 10
  差: 总分 < 6
"""
    rb = compile_rulebook(text)
    b, c = [n for n in rb.program.walk() if n.level == "level3"]
    assert criteria_text(b, rb.program) == "x≥50%且y得4分；x≥20%得2分；否则得0分"
    assert criteria_text(c, rb.program) == ("n≤2得6分；高于2至5（含）得3分；"
                                            "高于5的，得分 = 6 - n × 0.5（每1人扣0.5分），扣完为止")


@pytest.mark.parametrize("ext", [".md", ".html", ".xlsx"])
def test_cli_doc_writes_each_format(tmp_path, ext):
    out = tmp_path / f"评分表{ext}"
    res = CliRunner().invoke(main, ["doc", str(RULEBOOK), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert out.exists() and out.stat().st_size > 5000
    if ext == ".md":
        text = out.read_text(encoding="utf-8")
        assert "| 一级指标 | 二级指标 | 三级指标 |" in text
        assert "完成率≥90%得3分；80%（含）至90%得1分；低于80%得0分" in text
        assert "□优秀 90分≤得分≤100分" in text
    elif ext == ".html":
        text = out.read_text(encoding="utf-8")
        assert "<th>指标解释说明</th>" in text and "原评分标准" in text
        assert "社会公众满意度调查结果：优秀5分；良好3分；合格1分；不合格0分" in text
    else:
        ws = openpyxl.load_workbook(out).active
        heads = [c.value for c in ws[3]] + [c.value for c in ws[4]]
        assert "评分标准（按规则生成）" in heads and "原评分标准" in heads
        names = [ws.cell(r, 3).value for r in range(5, ws.max_row + 1)]
        assert sum(1 for v in names if v and v.endswith("分）")) == 33


def test_cli_doc_rejects_an_unknown_format(tmp_path):
    res = CliRunner().invoke(main, ["doc", str(RULEBOOK), "-o", str(tmp_path / "x.txt")])
    assert res.exit_code == 2


def test_docs_methods_md_is_generated_from_the_library():
    """docs/methods.md is `jixiao doc stdlib_indicators/计分方法.jx -o docs/methods.md`:
    editing the library without regenerating it fails here."""
    from jixiao.compiler import api
    from jixiao.compiler import publish
    root = Path(__file__).resolve().parents[2]
    lib = api.load_library(root / "stdlib_indicators" / "计分方法.jx")
    assert lib is not None
    table = publish.library_table(lib)
    assert len(table.rows) == 15
    assert publish.render_markdown(table) == (root / "docs" / "methods.md").read_text(encoding="utf-8")


# ───────────── bugs of issue 13 ─────────────

NESTED = '''规则集 "t"
满分 10
输入 地区: 等级(东部, 西部)
输入 率: 比率 范围 0 至 100%
输入 a: 是否
输入 b: 是否
一级指标 P 6分:
  二级指标 Q 6分:
    指标 R 4分:
      指标 R1 2分:
        得分 = 如果 a 则 2 否则 0
      指标 R2 2分:
        得分 = 如果 b 则 2 否则 0
    指标 S 2分:
      门槛 = 分档 地区:
        东部 : 100%
        西部 : 80%
      得分 = min(率 / 门槛, 1) × 2
一级指标 W 4分:
  二级指标 W1 2分:
    指标 W1a 2分:
      得分 = 如果 a 则 2 否则 0
  二级指标 W2 2分:
    指标 W2a 2分:
      得分 = 如果 b 则 2 否则 0
  得分 = W1 × 0.5 + W2 × 1.5
等级:
  全: 否则
'''


def _doc_rows(tmp_path, cli):
    (tmp_path / "t.jx").write_text(NESTED, encoding="utf-8")
    res = cli(["doc", "t.jx", "-o", "t.md"], tmp_path)
    assert res.exit_code == 0
    return (tmp_path / "t.md").read_text(encoding="utf-8")


def test_doc_keeps_indicators_nested_under_a_level3(tmp_path, cli):
    md = _doc_rows(tmp_path, cli)
    row = next(l for l in md.splitlines() if "R（4分）" in l)
    # actual: "得分为R1、R2得分之和" — their rules were dropped
    assert "R1（2分）：a得2分；否则得0分<br>R2（2分）：b得2分；否则得0分<br>得分 = R1 + R2" in row


def test_doc_shows_a_parents_composite_rule(tmp_path, cli):
    md = _doc_rows(tmp_path, cli)
    row = next(l for l in md.splitlines() if "W得分" in l)     # actual: no row, the weights were not printed
    assert "得分 = W1 × 0.5 + W2 × 1.5" in row


def test_doc_prints_percentages_as_percentages_not_points(tmp_path, cli):
    md = _doc_rows(tmp_path, cli)
    assert "门槛 = （地区：东部100%；西部80%）" in md                # actual: 东部1分；西部0.8分
    assert "东部1分" not in md
