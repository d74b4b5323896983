"""Issue 13 (hand-scored indicators, overrides, conditional inputs, not applicable rows,
核对, 无法计分) through the API and the command line; each bug test named after the bug."""
import json
from decimal import Decimal as D
from pathlib import Path

import pytest

from jixiao.compiler.api import check_text, compile_rulebook
from jixiao.dsl.diagnostics import JixiaoError

ROOT = Path(__file__).resolve().parents[2]
DEPT = ROOT / "stdlib_indicators" / "部门整体支出评价（含评定）.jx"
DEPT_CASE = ROOT / "examples" / "dept-2024" / "部门整体支出评价.jxc"
SELF = ROOT / "stdlib_indicators" / "部门整体支出自评.jx"
SELF_CASE = ROOT / "examples" / "chenxi-2021" / "self-evaluation.jxc"
GRADES = "等级:\n  全: 否则\n"


def codes(fn):
    with pytest.raises(JixiaoError) as e:
        fn()
    return {d.code for d in e.value.diagnostics}


# ───────────── overrides (认定得分) ─────────────

def test_an_override_on_a_row_lists_rule_vs_assessed_vs_claim_in_the_audit_and_keeps_both_in_json(cli):
    res = cli(["explain", "--audit", DEPT, DEPT_CASE])
    assert res.exit_code == 0, res.output
    assert ("✎ 决策/预算配置/财政供养人员控制率：规则 2.5 / 认定 3 / 差 +0.5 / "
            "理由 超编1人为上级统一安置的转业干部，经编制部门确认不计入超编 / 自评 3") in res.stdout
    res = cli(["score", DEPT, DEPT_CASE, "--format", "json"])
    row = next(r for r in json.loads(res.stdout)["indicators"] if r["path"][-1] == "财政供养人员控制率")
    assert (row["score"], row["computed"], row["assessed"], row["claimed"]) == ("3", "2.5", True, "3")
    assert row["reason"].startswith("超编1人")


def test_explain_audit_no_longer_says_all_claims_agree_when_the_rule_differs_from_the_assessed_score(cli, tmp_path):
    """Bug: rule 30 ≠ 认定 27 with a claim of 27 printed 自评得分与计算结果一致."""
    rb = tmp_path / "t.jx"
    rb.write_text('规则集 "t"\n满分 30\n输入 完成率: 比率\n一级指标 过程 30分:\n  指标 执行率 30分:\n'
                  '    得分 = min(完成率, 1) × 30\n' + GRADES, encoding="utf-8")
    case = tmp_path / "c.jxc"
    case.write_text('案例 "c"\n完成率 = 100%\n自评得分:\n  执行率 = 27\n认定得分:\n  执行率 = 27 "部分资金未按期支付"\n',
                    encoding="utf-8")
    out = cli(["explain", "--audit", rb, case]).stdout
    assert "一致" not in out.splitlines()[0]
    assert "规则 30 / 认定 27 / 差 −3 / 理由 部分资金未按期支付 / 自评 27" in out


def test_the_trace_of_an_assessed_score_keeps_the_computed_score_instead_of_none():
    """Bug: the trace said before: None; the rule's score is kept beside the assessed one."""
    rb = compile_rulebook(path=DEPT)
    res = rb.evaluate_case(rb.load_case(DEPT_CASE), trace=True)
    ev = next(t for t in res.trace if t.kind == "override")
    assert (ev.indicator.endswith("财政供养人员控制率"), ev.before, ev.value) == (True, D("2.5"), D("3"))
    r = res.indicator("财政供养人员控制率")
    assert (r.assessed, r.score, r.computed) == (True, D("3"), D("2.5"))


def test_an_assessed_parent_replaces_its_sum_and_the_total_follows():
    rb = compile_rulebook(path=DEPT)
    case = rb.load_case(DEPT_CASE)
    base = rb.evaluate_case(case)
    res = rb.evaluate(case.inputs, assessed={**case.assessed, "管理": 14}, notes={"过程/管理": "资产处置程序有瑕疵"})
    r = res.indicator("管理")
    assert (r.score, r.computed, r.note) == (D(14), D("15.5"), "资产处置程序有瑕疵")
    assert res.total == base.total - D("1.5") == D("83")
    assert res.score("管理制度健全性") == D("3.5")          # the children keep their own scores
    # 按原始总分 grading and 剔除 follow the assessed parent as well
    text = '规则集 "t"\n满分 2\n定级 按原始总分\n不适用 剔除\n输入 c: 是否\n一级指标 P 2分:\n' \
           '  指标 A 1分:\n    得分 = 如果 c 则 不适用 否则 0.5\n  指标 B 1分:\n    得分 = 如果 c 则 不适用 否则 1\n' + GRADES
    rb2 = compile_rulebook(text, name="t.jx")
    res = rb2.evaluate({"c": True}, assessed={"P": D("1.5")})
    assert (res.total, res.indicator("P").applicable, res.indicator("P").computed) == (D("1.5"), True, D(0))


def test_an_assessed_score_on_a_case_supplied_row_is_no_longer_unknown_e0605(cli, tmp_path):
    """Bug: 认定得分 for a 指标行 row was E0605; now it replaces the row's score, the
    method's kept beside it, and the indicator's sum follows."""
    text = SELF_CASE.read_text(encoding="utf-8") + '\n认定得分:\n  绩效指标.满意度 = 12 "问卷样本不足，评价组认定满分"\n'
    case = tmp_path / "self.jxc"
    case.write_text(text, encoding="utf-8")
    res = cli(["score", SELF, case, "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = {tuple(r["path"]): r for r in json.loads(res.stdout)["indicators"]}
    row = rows[("绩效指标", "满意度")]
    assert (row["score"], row["computed"], row["assessed"]) == ("12", "11", True)
    assert rows[("绩效指标",)]["score"] == "90" and json.loads(res.stdout)["total"] == "99"
    audit = cli(["explain", "--audit", SELF, case]).stdout
    assert "✎ 绩效指标/满意度：规则 11 / 认定 12 / 差 +1 / 理由 问卷样本不足，评价组认定满分" in audit
    # a row the case does not give, and a score beyond the row's points, are refused
    bad = case.read_text(encoding="utf-8").replace("绩效指标.满意度 = 12", "绩效指标.不存在的行 = 12")
    case.write_text(bad, encoding="utf-8")
    assert "E0605" in cli(["score", SELF, case]).stderr
    case.write_text(text.replace("满意度 = 12", "满意度 = 13"), encoding="utf-8")
    assert "E0609" in cli(["score", SELF, case]).stderr


def test_inputs_read_only_by_an_overridden_indicator_are_optional():
    """Bug: E0601 demanded every input of an overridden indicator."""
    text = '''规则集 "t"
满分 10
输入 违规金额: 金额(万元)
输入 完成率: 比率
指标 违规 5分:
  得分 = 5 - 违规金额 / 1万元 扣完为止
指标 执行 5分:
  得分 = min(完成率, 1) × 5
''' + GRADES
    rb = compile_rulebook(text, name="t.jx")
    assert "E0601" in codes(lambda: rb.evaluate({"完成率": "80%"}))
    res = rb.evaluate({"完成率": "80%"}, assessed={"违规": 3})
    assert (res.total, res.indicator("违规").computed) == (D(7), None)    # the rule cannot be computed: None
    assert "E0601" in codes(lambda: rb.evaluate({"违规金额": 1}, assessed={"违规": 3}))   # 执行 still needs 完成率


# ───────────── hand-scored ─────────────

def test_picks_through_the_api_and_their_errors():
    rb = compile_rulebook(path=DEPT)
    case = rb.load_case(DEPT_CASE)
    inputs = {k: v for k, v in case.inputs.items() if not k.startswith("评定得分.")}
    picks = {"绩效目标合理性": "3.5", "绩效目标明确性": 3, "预算执行率": 9, "管理制度健全性": "3.5",
             "重点工作完成率": "8.5", "工作质量": 7, "社会效益": "6.5"}
    res = rb.evaluate(inputs, rated=picks, assessed=case.assessed)
    assert res.total == D("85") and res.indicator("预算执行率").pick == D(9)
    assert codes(lambda: rb.evaluate(inputs, rated={**picks, "预算执行率": "9.5"})) == {"E0622"}
    assert codes(lambda: rb.evaluate(inputs, rated={**picks, "服务对象满意度": 12})) == {"E0627"}
    assert codes(lambda: rb.evaluate(inputs, rated={**picks, "无此指标": 1})) == {"E0605"}


def test_picks_and_case_errors_in_a_data_file_are_bad_rows(cli, tmp_path):
    rb = tmp_path / "t.jx"
    rb.write_text('''规则集 "t"
满分 10
输入 完成率: 比率
输入 合计: 金额(万元)
输入 来源甲: 金额(万元)
核对 合计 = 来源甲 "合计应等于来源之和"
指标 完成情况 6分:
  得分 = 分档 完成率:
    ≥ 100% : 6
    ≥ 90% : 评定 4 至 5
    ≥ 50% : 2
    否则 : 无法计分 "完成率低于50%未作规定"
指标 质量 4分:
  得分 = 人工评定
''' + GRADES, encoding="utf-8")
    data = tmp_path / "d.csv"
    data.write_text("单位,完成率,合计,来源甲,评定得分.完成情况,评定得分.质量\n"
                    "甲,95%,10,10,4.5,3\n乙,100%,10,10,,4\n丙,40%,10,10,,2\n丁,95%,10,9,5,1\n戊,95%,10,10,6,1\n",
                    encoding="utf-8")
    res = cli(["score", rb, data, "--on-error", "skip"])
    assert res.stdout.splitlines()[1:] == ["甲,4.5,3,7.5,全", "乙,6,4,10,全"]
    err = res.stderr
    assert "第4行" in err and "无法计分：完成率低于50%未作规定" in err
    assert "第5行" in err and "核对不通过：合计应等于来源之和（合计 = 10万元，来源甲 = 9万元）" in err
    assert "第6行" in err and "超出评定区间 4–5分（「≥ 90%」一档）" in err
    js = tmp_path / "d.json"
    js.write_text(json.dumps([{"单位": "甲", "完成率": "95%", "合计": 10, "来源甲": 10,
                               "评定得分": {"完成情况": 4.5, "质量": 3}}], ensure_ascii=False), encoding="utf-8")
    assert cli(["score", rb, js]).stdout.splitlines()[1] == "甲,4.5,3,7.5,全"
    data.write_text("单位,完成率,合计,来源甲,评定得分.完成情况,评定得分.质量,评定得分.无此项\n甲,95%,10,10,4.5,3,1\n",
                    encoding="utf-8")
    assert "评定得分.无此项" in cli(["score", rb, data]).stderr


def test_an_explanation_says_the_band_and_the_pick():
    from jixiao.compiler.publish.explain import explain
    rb = compile_rulebook(path=DEPT)
    case = rb.load_case(DEPT_CASE)
    res = rb.evaluate_case(case, trace=True)
    exps = {e.path[-1]: e.text for e in explain(rb, res, "zh", case.assessed_notes)}
    assert ("执行率 = 执行数 / 预算数 = 96.31%；属「≥ 90%」一档（8–9分），评价组评定8.5分"
            "（执行率96.31%，四季度集中支出占全年31%）") in exps["预算执行率"]
    assert exps["工作质量"].startswith("由评价组在0–8分内评定：评价组评定7分")
    en = {e.path[-1]: e.text for e in explain(rb, res, "en", case.assessed_notes)}
    assert "in the tier 「≥ 90%」 (8–9分); the evaluators gave 8.5" in en["预算执行率"]


# ───────────── not applicable rows ─────────────

ROWS = '''规则集 "t"
满分 30
{setting}引用 "计分方法.jx"
一级指标 绩效指标 30分:
  指标行:
{policy}    字段 计分方法: 等级(越高越好, 有条件)
    字段 年度指标值: 数值 > 0
    字段 实际完成值: 数值 ≥ 0
    字段 分值: 分数 > 0
    方法 越高越好 = 完成比率法(实际完成值, 年度指标值, 分值)
    方法 有条件 = 如果 实际完成值 = 0 则 不适用 否则 完成比率法(实际完成值, 年度指标值, 分值)
''' + GRADES


def rows(*marks):
    out = []
    for n, (method, value, na) in enumerate(marks):
        row = {"名称": f"行{n + 1}", "计分方法": method, "年度指标值": 10, "实际完成值": value, "分值": 10}
        if na:
            row["不适用"] = na
        out.append(row)
    return {"绩效指标": out}


def test_a_row_can_be_not_applicable_under_the_rows_policy():
    """Bug: a row could not be not applicable (E0211 \"leave the row out\", then E0610 refused the sum)."""
    rb = compile_rulebook(ROWS.format(setting="", policy="    不适用 剔除\n"), name="rows.jx")
    # 剔除: 行1 5/10 applies; 行2 (method: 不适用) and 行3 (marked) are out; 5 × 30 / 10 = 15
    res = rb.evaluate({}, rows=rows(("越高越好", 5, None), ("有条件", 0, None), ("越高越好", 0, "本年无此项目")))
    got = {r.path[-1]: (r.score, r.applicable, r.note) for r in res.indicators if r.level == "row"}
    assert got == {"行1": (D(5), True, None), "行2": (D(0), False, None), "行3": (D(0), False, "本年无此项目")}
    assert res.total == D(15)
    # 否 / false: the row applies
    assert rb.evaluate({}, rows=rows(*[("越高越好", 10, "否")] * 3)).total == D(30)
    # every row out: nothing to rescale
    assert "E0609" in codes(lambda: rb.evaluate({}, rows=rows(*[("有条件", 0, None)] * 3)))
    # 计满分 (here the rulebook's policy): the rows that do not apply score their points
    rb = compile_rulebook(ROWS.format(setting="不适用 计满分\n", policy=""), name="rows.jx")
    res = rb.evaluate({}, rows=rows(("越高越好", 5, None), ("有条件", 0, None), ("越高越好", 0, "是")))
    assert res.total == D(25)


def test_a_row_method_that_may_be_not_applicable_needs_a_policy():
    diags = check_text(ROWS.format(setting="", policy=""), "rows.jx").diagnostics
    assert [d.code for d in diags if d.severity == "error"] == ["E0505"]


# ───────────── generated code stays inert ─────────────

def test_hostile_text_in_the_new_constructs_stays_data():
    text = """规则集 "t"
满分 4
输入 「a\\"\\n__import__('os')」: 是否
输入 「b'）」: 比率 仅当 「a\\"\\n__import__('os')」
输入 c: 金额(万元) 范围 -100 至 999999999999999999999999999999999999999999999
核对 c ≥ 0 "\\"); __import__('os').system('x') #"
指标 「x\\"}」 4分:
  得分 = 分档:
    c > 99999999999999999999999999999999999999999万元 : 无法计分 "\\n'''; raise SystemExit #"
    如果 「a\\"\\n__import__('os')」 则 「b'）」 ≥ 50% 否则 否 : 评定 3 至 4
    否则 : 评定 0 至 1
""" + GRADES
    rb = compile_rulebook(text, name="t.jx")
    import ast as pyast
    pyast.parse(rb.emit_python())
    a, b = r"""a\"\n__import__('os')""", "b'）"
    x = r'x\"}'
    res = rb.evaluate({a: True, b: "60%", "c": 1}, rated={x: 3})
    assert res.total == D(3)
    assert "E0721" in codes(lambda: rb.evaluate({a: False, "c": D("1e41")}, rated={x: 1}))
    assert "E0722" in codes(lambda: rb.evaluate({a: False, "c": -1}, rated={x: 1}))


def test_literal_defects_of_a_copy_of_the_new_rulebook_give_their_diagnostics():
    """The shipped rulebook is clean under --strict; a copy that reads a conditional input
    without its condition, or whose band leaves the tier's points, is refused."""
    text = DEPT.read_text(encoding="utf-8")
    assert [d for d in check_text(text, str(DEPT)).diagnostics] == []
    unguarded = text.replace("得分 = 如果 有新进人员 则 完成比率法(参训新进人员数 / 新进人员数, 100%, 4) 否则 4",
                             "得分 = 完成比率法(参训新进人员数 / 新进人员数, 100%, 4)")
    diags = check_text(unguarded, str(DEPT)).diagnostics
    assert {(d.code, d.args["name"]) for d in diags} == {("E0524", "参训新进人员数"), ("E0524", "新进人员数")}
    wide = text.replace("≥ 90% : 评定 8 至 9", "≥ 90% : 评定 8 至 11", 1)
    assert [d.code for d in check_text(wide, str(DEPT)).diagnostics] == ["E0525"]


def test_the_bounds_search_is_not_stopped_by_the_cases_own_checks():
    """A 核对 that random data rarely meets, picks and conditional inputs must not keep the
    search from confirming a real E0501 (it would become W0505 'could not decide')."""
    text = '''规则集 "t"
满分 8
输入 合计: 金额(万元) > 0
输入 甲: 金额(万元)
输入 乙: 金额(万元)
输入 丙: 金额(万元)
核对 合计 = 甲 + 乙 + 丙 "合计应等于之和"
输入 有: 是否
输入 x: 比率 仅当 有
指标 A 4分:
  得分 = 分档 甲 / 合计:
    ≥ 90% : 4
    ≥ 50% : 评定 2 至 3
    否则 : 0
指标 B 4分:
  得分 = 如果 有 则 4 - x × 10 最少 -1 否则 4
''' + GRADES
    diags = [d for d in check_text(text, "t.jx").diagnostics if d.severity != "info"]
    assert [d.code for d in diags] == ["E0501"]
    assert any("反例" in n.zh for n in diags[0].notes)
