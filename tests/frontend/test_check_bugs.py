"""Regression tests of checker bugs (issue 13), each named after the bug."""
from pathlib import Path

from jixiao.compiler.api import check_text, compile_rulebook

ROOT = Path(__file__).resolve().parents[2]
GRADES = "等级:\n  全: 否则\n"


def codes(text, name="t.jx"):
    return [d.code for d in check_text(text, name).diagnostics]


def test_two_constraints_on_one_input_combine_instead_of_replacing_each_other():
    text = '规则集 "t"\n满分 4\n输入 变动率: 比率 {a} {b}\n指标 A 4分:\n  得分 = min(变动率 × 4, 4)\n' + GRADES
    # > 0 and 范围 -100% 至 1000%: the input lies in (0, 1000%], whichever comes first
    for a, b in (("> 0", "范围 -100% 至 1000%"), ("范围 -100% 至 1000%", "> 0")):
        rb = compile_rulebook(text.format(a=a, b=b), name="t.jx")
        inp = rb.program.inputs[0]
        assert (inp.lo, inp.lo_open, inp.hi, inp.hi_open) == (0, True, 10, False), (a, b)
    # the tighter of two bounds on one side wins, an open bound at the same value too
    rb = compile_rulebook(text.format(a="≤ 50%", b="< 50%"), name="t.jx")
    assert (rb.program.inputs[0].hi, rb.program.inputs[0].hi_open) == (0.5, True)
    rb = compile_rulebook(text.format(a="< 80%", b="≤ 50%"), name="t.jx")
    assert (rb.program.inputs[0].hi, rb.program.inputs[0].hi_open) == (0.5, False)
    # constraints that leave nothing are refused
    assert "E0303" in codes(text.format(a="> 50%", b="< 10%"))


def test_e0504_sees_an_and_in_an_earlier_tier_row_that_rules_the_zero_divisor_out():
    text = '''规则集 "t"
满分 2
不适用 计满分
输入 上年: 金额(万元)
输入 本年: 金额(万元)
指标 A 2分:
  得分 = 分档:
    本年 ≥ 0 且 上年 = 0 : 不适用
    否则 : min(本年 / 上年, 1) × 2
''' + GRADES
    assert codes(text) == []
    # 非(A 且 B) rules nothing out when A can fail too: the zero divisor is still possible
    assert "E0504" in codes(text.replace("本年 ≥ 0 且", "本年 ≥ 5 且"))
    # the same through 或 when the row fails: 上年 = 0 或 本年 = 0
    assert codes(text.replace("本年 ≥ 0 且 上年 = 0", "上年 = 0 或 本年 = 0")) == []


def test_a_diagnostic_inside_an_expanded_method_is_shown_at_its_own_indicators_call():
    """预算调整率's E0501 was printed at 违规率's line (the first call of that library line
    wins), 预算完成率's W0503 at 半年进度's."""
    text = (ROOT / "stdlib_indicators" / "部门整体支出.jx").read_text(encoding="utf-8")
    broken = text.replace("得分 = 整步扣分(调整率 - 10%, 0.1个百分点, 0.1, 3)",
                          "得分 = 整步扣分(调整率 - 10%, 0.1个百分点, 0.1, 4)")
    broken = broken.replace("得分 = 三档计分(完成率, 90%, 3, 80%, 1, 3)", "得分 = 三档计分(完成率, 90%, 2, 80%, 1, 3)")
    assert broken != text
    lines = broken.split("\n")
    at = {name: next(n for n, l in enumerate(lines, 1) if l.strip().startswith(f"得分 = {call}"))
          for name, call in (("预算调整率", "整步扣分(调整率"), ("预算完成率", "三档计分(完成率"))}
    diags = {d.code: d for d in check_text(broken, str(ROOT / "stdlib_indicators" / "x.jx")).diagnostics
             if d.code in ("E0501", "W0503")}
    assert diags["E0501"].args["name"] == "预算调整率" and diags["E0501"].primary.line == at["预算调整率"]
    assert diags["W0503"].args["name"] == "预算完成率" and diags["W0503"].primary.line == at["预算完成率"]
