"""The standard method library stdlib_indicators/计分方法.jx: its boundary suite, the
run-time and compile-time errors of its 要求 and of calls and imports, and a property:
for random valid arguments each method's score lies in [0, 分值] and equals the
method's formula computed here by hand."""
from decimal import ROUND_CEILING, ROUND_HALF_UP, Context, Decimal, localcontext
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jixiao.compiler.verify import suites as testing
from jixiao.compiler.api import check_file, compile_rulebook
from jixiao.dsl.check import check_text
from jixiao.dsl.diagnostics import JixiaoError

ROOT = Path(__file__).resolve().parents[2]
TESTS = ROOT / "stdlib_indicators" / "tests"
SUITE = TESTS / "计分方法.jxt"
RULEBOOK = TESTS / "计分方法测试.jx"
BASE = TESTS / "计分方法-base.jxc"

METHODS = ["完成比率法", "反向完成比率法", "比率扣分法", "按单位扣分", "整步扣分", "满步扣分", "比例扣分",
           "达标计分", "三档计分", "全部符合计分", "符合项计分", "不符合项扣分", "等级计分", "定性三档", "线性插值"]


def rulebook(body: str, total: int = 10) -> str:
    """A small rulebook importing the standard library (found in stdlib_indicators/)."""
    return (f'规则集 "内联"\n满分 {total}\n精度 0.01\n引用 "计分方法.jx"\n\n{body.strip()}\n\n'
            f'等级:\n  合格: 总分 ≥ {total * 6 // 10}\n  不合格: 否则\n')


def codes(body: str) -> list[str]:
    return [d.code for d in check_text(rulebook(body), "<内联>").diagnostics]


def run_error(body: str, inputs: dict):
    rb = compile_rulebook(rulebook(body), name="<内联>")
    with pytest.raises(JixiaoError) as ei:
        rb.evaluate(inputs)
    return ei.value.diagnostics


# ─────────────────────────── (a) the suite ───────────────────────────

def test_suite_passes():
    loaded = testing.load_suite(SUITE)
    outcomes = testing.run_suite(loaded)
    failed = [testing.format_outcome(o) for o in outcomes if not o.passed]
    assert not failed, "\n".join(failed)
    assert len(outcomes) >= 150


def test_suite_rulebook_calls_every_method_and_checks_cleanly():
    text = RULEBOOK.read_text(encoding="utf-8")
    for m in METHODS:
        assert f"{m}(" in text, m
    res = check_file(RULEBOOK)
    assert [d.code for d in res.diagnostics if d.severity in ("error", "warning")] == []


def test_library_has_fifteen_methods():
    text = (ROOT / "stdlib_indicators" / "计分方法.jx").read_text(encoding="utf-8")
    assert sorted(line.split("(")[0][3:] for line in text.splitlines() if line.startswith("方法 ")) == sorted(METHODS)


# ─────────────────────────── (b) run-time requirements (E0706) ───────────────────────────

QUALITATIVE = """
指标 定性 10分:
  输入 完成情况: 等级(达成, 部分达成, 未达成)
  输入 得分比例: 比率
  得分 = 定性三档(完成情况, 得分比例, 10)
"""

QUALITATIVE_CUSTOM = """
指标 定性 10分:
  输入 完成情况: 等级(达成, 部分达成, 未达成)
  输入 得分比例: 比率
  得分 = 定性三档(完成情况, 得分比例, 10, 90%, 50%)
"""

IN_BAND = "得分比例应在完成情况所属的区间内"


def test_qualitative_outside_its_band_is_an_error():
    diags = run_error(QUALITATIVE, {"完成情况": "达成", "得分比例": "70%"})
    assert [d.code for d in diags] == ["E0706"]
    assert "不满足要求" in diags[0].message and IN_BAND in diags[0].message
    assert "requirement not met" in diags[0].message


@pytest.mark.parametrize("body,grade,ratio", [
    (QUALITATIVE, "达成", "79.99%"),          # 达成 is [80%, 100%]
    (QUALITATIVE, "部分达成", "80%"),          # 部分达成 is [60%, 80%): 80% itself belongs to 达成
    (QUALITATIVE, "部分达成", "59.99%"),
    (QUALITATIVE, "未达成", "60%"),            # 未达成 is [0, 60%)
    (QUALITATIVE, "未达成", "100%"),
    (QUALITATIVE_CUSTOM, "达成", "85%"),       # custom bands: 达成 [90%, 100%] — valid under the defaults
    (QUALITATIVE_CUSTOM, "部分达成", "90%"),
    (QUALITATIVE_CUSTOM, "部分达成", "49.99%"),
    (QUALITATIVE_CUSTOM, "未达成", "50%"),
])
def test_qualitative_band_edges_outside(body, grade, ratio):
    diags = run_error(body, {"完成情况": grade, "得分比例": ratio})
    assert [d.code for d in diags] == ["E0706"] and IN_BAND in diags[0].message


@pytest.mark.parametrize("body,grade,ratio,score", [
    (QUALITATIVE, "达成", "80%", "8"),
    (QUALITATIVE, "部分达成", "79.99%", "8.00"),   # 7.999 → 8.00
    (QUALITATIVE, "部分达成", "60%", "6"),
    (QUALITATIVE, "未达成", "59.99%", "6.00"),
    (QUALITATIVE, "未达成", "0%", "0"),
    (QUALITATIVE_CUSTOM, "达成", "90%", "9"),
    (QUALITATIVE_CUSTOM, "部分达成", "85%", "8.5"),
    (QUALITATIVE_CUSTOM, "未达成", "49.99%", "5.00"),  # 4.999 → 5.00
])
def test_qualitative_band_edges_inside(body, grade, ratio, score):
    rb = compile_rulebook(rulebook(body), name="<内联>")
    assert rb.evaluate({"完成情况": grade, "得分比例": ratio}).score("定性") == Decimal(score)


def test_qualitative_ratio_above_100_percent():
    # a rate input is refused above 100% unless its declaration allows more (then the
    # method's own 要求 still refuses it)
    diags = run_error(QUALITATIVE, {"完成情况": "达成", "得分比例": "100.01%"})
    assert [d.code for d in diags] == ["E0603"]
    diags = run_error(QUALITATIVE.replace("得分比例: 比率", "得分比例: 比率 范围 0 至 200%"),
                      {"完成情况": "达成", "得分比例": "100.01%"})
    assert [d.code for d in diags] == ["E0706"]
    assert "得分比例应在 0–100% 之间" in diags[0].message


def test_completion_ratio_with_zero_variable_target():
    body = """
指标 完成 10分:
  输入 实际数: 项数
  输入 计划数: 项数
  得分 = 完成比率法(实际数, 计划数, 10)
"""
    rb = compile_rulebook(rulebook(body), name="<内联>")
    assert rb.evaluate({"实际数": 1, "计划数": 2}).score("完成") == Decimal(5)
    diags = run_error(body, {"实际数": 1, "计划数": 0})
    assert [d.code for d in diags] == ["E0706"]
    assert "完成比率法的目标值应大于0" in diags[0].message


def test_suite_rulebook_with_zero_planned_count():
    rb = compile_rulebook(path=RULEBOOK)
    inputs = dict(rb.load_case(BASE).inputs)
    assert rb.evaluate(inputs).total == Decimal(70)
    inputs["计划完成数"] = Decimal(0)
    with pytest.raises(JixiaoError) as ei:
        rb.evaluate(inputs)
    assert [d.code for d in ei.value.diagnostics] == ["E0706"]
    assert "完成比率法的目标值应大于0" in ei.value.diagnostics[0].message


@pytest.mark.parametrize("body,inputs,message", [
    ("""
指标 甲 10分:
  输入 实际: 比率
  输入 目标: 比率 范围 -100% 至 100%
  得分 = 反向完成比率法(实际, 目标, 10)
""", {"实际": "1%", "目标": "-0.01%"}, "反向完成比率法的目标值不能为负"),
    ("""
指标 甲 10分:
  输入 差额: 比率
  输入 步长: 比率
  得分 = 整步扣分(差额, 步长, 0.1, 10)
""", {"差额": "1%", "步长": "0%"}, "步长应大于0"),
    ("""
指标 甲 10分:
  输入 率: 比率
  输入 倍数: 数值
  得分 = 比率扣分法(率, 0%, 10, 10, 10, 倍数)
""", {"率": "1%", "倍数": "0"}, "比率扣分法的倍数应大于0"),
    ("""
指标 甲 10分:
  输入 超编: 人数
  输入 每人: 分数
  得分 = 按单位扣分(超编, 每人, 10)
""", {"超编": 1, "每人": "0"}, "每单位扣分应大于0"),
])
def test_other_run_time_requirements(body, inputs, message):
    diags = run_error(body, inputs)
    assert [d.code for d in diags] == ["E0706"] and message in diags[0].message


# ─────────────────────────── (c) compile-time errors ───────────────────────────

X = "指标 甲 10分:\n  输入 x: 比率\n  得分 = {}\n"


@pytest.mark.parametrize("call", [
    "完成比率法(x, 100%) × 1",                 # too few
    "完成比率法(x, 100%, 10, 1)",              # too many
    "比率扣分法(x, 0%, 10, 10)",                # fewer than the required 5
    "比率扣分法(x, 0%, 10, 10, 10, 10, 1)",     # more than the 6 with the default
    "线性插值(x, 60%, 100%)",
])
def test_wrong_number_of_arguments(call):
    assert "E0210" in codes(X.format(call))


@pytest.mark.parametrize("call", [
    "完成比率法(x, 0%, 1) × 10",
    "完成比率法(x, (0%), 10)",
    "三档计分(x, 80%, 10, 90%, 5, 10)",        # 第一档下限 not above 第二档下限
    "三档计分(x, 90%, 5, 80%, 8, 10)",         # 第二档得分 above 第一档得分
    "整步扣分(x, 0个百分点, 0.1, 10)",
    "满步扣分(x, 0.1个百分点, 0, 10)",
    "比率扣分法(x, 0%, 10, 10, 10, 0)",
    "比率扣分法(x, 0%, 10, 10, 11)",            # 最多扣分 above 分值
    "线性插值(x, 60%, 60%, 10)",
    "符合项计分(x, 0, 10)",
])
def test_constant_argument_violating_a_requirement(call):
    body = X.format(call)
    if call.startswith("符合项计分"):
        body = "指标 甲 10分:\n  输入 x: 清单[\"一\", \"二\"]\n  得分 = " + call + "\n"
    assert "E0210" in codes(body)


def test_constant_grade_ratios_and_bands_violating_requirements():
    grade = "指标 甲 10分:\n  输入 x: 等级(优, 良, 中, 差)\n  得分 = 等级计分(x, 10, 100%, 60%, 80%, 0%)\n"
    assert "E0210" in codes(grade)
    bands = ("指标 甲 10分:\n  输入 c: 等级(达成, 部分达成, 未达成)\n  输入 p: 比率\n"
             "  得分 = 定性三档(c, p, 10, 60%, 80%)\n")
    assert "E0210" in codes(bands)


def test_constant_requirement_message():
    diags = check_text(rulebook(X.format("完成比率法(x, 0%, 1) × 10")), "<内联>").diagnostics
    d = next(d for d in diags if d.code == "E0210")
    assert "完成比率法的目标值应大于0" in d.message


@pytest.mark.parametrize("call", ["反向完成比率法(x, -1%, 10)", "完成比率法(x, 90% - 90%, 10)"])
def test_constant_expression_violating_a_requirement(call):
    assert "E0210" in codes(X.format(call))


def test_unknown_method():
    assert "E0204" in codes(X.format("不存在的计分法(x, 100%, 10)"))


@pytest.mark.parametrize("path", ["没有这个库.jx", "../计分方法.jx", "sub/../计分方法.jx", "/etc/计分方法.jx", "计分方法.txt"])
def test_bad_imports(path):
    text = rulebook(X.format("min(x, 1) × 10")).replace('引用 "计分方法.jx"', f'引用 "{path}"')
    assert "E0209" in [d.code for d in check_text(text, "<内联>").diagnostics]


def test_recursive_methods():
    own = "方法 自递归(a):\n  得分 = 自递归(a)\n\n" + X.format("min(自递归(x), 1) × 10")
    assert "E0210" in codes(own)
    mutual = ("方法 甲法(a):\n  得分 = 乙法(a)\n\n方法 乙法(a):\n  得分 = 甲法(a)\n\n"
              + X.format("min(甲法(x), 1) × 10"))
    assert "E0210" in codes(mutual)


def test_a_valid_inline_call_has_no_diagnostics():
    assert codes(X.format("完成比率法(x, 90%, 10)")) == []


# ─────────────────────────── (d) property: score in [0, 分值] and equal to the formula ───────────────────────────

PROPERTY_RULEBOOK = """
指标 完成 10分:
  输入 完成实际: 比率 范围 0 至 2000%
  输入 完成目标: 比率 > 0 ≤ 2000%
  输入 完成分值: 分数 范围 0 至 10
  得分 = 完成比率法(完成实际, 完成目标, 完成分值)

指标 反向 10分:
  输入 反向实际: 比率 范围 0 至 2000%
  输入 反向目标: 比率 范围 0 至 2000%
  输入 反向分值: 分数 范围 0 至 10
  得分 = 反向完成比率法(反向实际, 反向目标, 反向分值)

指标 比率扣 10分:
  输入 扣比率: 比率 范围 -100% 至 1000%
  输入 扣目标: 比率 范围 -100% 至 1000%
  输入 扣分值: 分数 范围 0.01 至 10
  输入 扣倍数: 数值 > 0
  得分 = 比率扣分法(扣比率, 扣目标, 扣分值, 扣分值, 扣分值, 扣倍数)

指标 整步 10分:
  输入 步差额: 比率 范围 -100% 至 100%
  输入 步长度: 比率 > 0
  输入 步扣分: 分数 > 0
  输入 步分值: 分数 范围 0 至 10
  得分 = 整步扣分(步差额, 步长度, 步扣分, 步分值)

指标 插值升 10分:
  输入 升实际: 比率 范围 -100% 至 1000%
  输入 升零分线: 比率 范围 -100% 至 50%
  输入 升满分线: 比率 范围 50.01% 至 1000%
  输入 升分值: 分数 范围 0 至 10
  得分 = 线性插值(升实际, 升零分线, 升满分线, 升分值)

指标 插值降 10分:
  输入 降实际: 比率 范围 -100% 至 1000%
  输入 降零分线: 比率 范围 50.01% 至 1000%
  输入 降满分线: 比率 范围 -100% 至 50%
  输入 降分值: 分数 范围 0 至 10
  得分 = 线性插值(降实际, 降零分线, 降满分线, 降分值)
"""

# The 线性插值 lines are drawn from disjoint ranges: with overlapping ranges the checker
# cannot prove 满分线 - 零分线 ≠ 0 (E0504) although the method requires it.


def dec(lo, hi, places=4):
    return st.decimals(min_value=Decimal(lo), max_value=Decimal(hi), places=places,
                       allow_nan=False, allow_infinity=False)


POINTS = dec("0", "10", 2)


def rounded(x: Decimal) -> Decimal:
    """As the evaluator rounds a score: 30 significant digits, then 0.01 half up."""
    return Context(prec=30).plus(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def ceil(x: Decimal) -> Decimal:
    return x.to_integral_value(rounding=ROUND_CEILING)


@pytest.fixture(scope="module")
def property_rb():
    return compile_rulebook(rulebook(PROPERTY_RULEBOOK, total=60), name="<性质>")


@settings(max_examples=150, deadline=None)
@given(data=st.fixed_dictionaries({
    "完成实际": dec("0", "20"), "完成目标": dec("0.0001", "20"), "完成分值": POINTS,
    "反向实际": dec("0", "20"), "反向目标": dec("0", "20"), "反向分值": POINTS,
    "扣比率": dec("-1", "10"), "扣目标": dec("-1", "10"), "扣分值": dec("0.01", "10", 2), "扣倍数": dec("0.01", "100", 2),
    "步差额": dec("-1", "1", 5), "步长度": dec("0.00001", "0.1", 5), "步扣分": dec("0.01", "5", 2), "步分值": POINTS,
    "升实际": dec("-1", "10"), "升零分线": dec("-1", "0.5"), "升满分线": dec("0.5001", "10"), "升分值": POINTS,
    "降实际": dec("-1", "10"), "降零分线": dec("0.5001", "10"), "降满分线": dec("-1", "0.5"), "降分值": POINTS,
}))
def test_scores_within_points_and_equal_to_formula(property_rb, data):
    d = data
    with localcontext(Context(prec=60)):
        want = {
            "完成": min(d["完成实际"] / d["完成目标"], 1) * d["完成分值"],
            "反向": (d["反向分值"] if d["反向实际"] <= d["反向目标"]
                     else d["反向目标"] / d["反向实际"] * d["反向分值"]),
            "比率扣": max(d["扣分值"] - max(d["扣比率"] - d["扣目标"], 0) * d["扣分值"] * d["扣倍数"], 0),
            "整步": max(d["步分值"] - ceil(max(d["步差额"], 0) / d["步长度"]) * d["步扣分"], 0),
            "插值升": min(max((d["升实际"] - d["升零分线"]) / (d["升满分线"] - d["升零分线"]), 0), 1) * d["升分值"],
            "插值降": min(max((d["降实际"] - d["降零分线"]) / (d["降满分线"] - d["降零分线"]), 0), 1) * d["降分值"],
        }
    result = property_rb.evaluate(d)
    for name, points in [("完成", "完成分值"), ("反向", "反向分值"), ("比率扣", "扣分值"),
                         ("整步", "步分值"), ("插值升", "升分值"), ("插值降", "降分值")]:
        got = result.score(name)
        assert 0 <= got <= d[points], (name, got, d[points])
        assert got == rounded(want[name]), (name, got, want[name])


def test_an_edited_library_is_compiled_again(tmp_path):
    """compile_rulebook caches by the rulebook's text; an imported library edited on disk
    makes the cached evaluator stale, so it is compiled again."""
    import os
    from jixiao.compiler.api import compile_rulebook
    lib = tmp_path / "m.jx"
    rb = tmp_path / "r.jx"
    lib.write_text('方法库 "m"\n方法 f(x):\n  得分 = min(x, 1)\n', encoding="utf-8")
    rb.write_text('规则集 "r"\n满分 1\n引用 "m.jx"\n一级指标 a 1分:\n  输入 x: 数值\n  得分 = f(x) 扣完为止\n'
                  '等级:\n  好: 总分 ≥ 0.5\n  差: 否则\n', encoding="utf-8")
    first = compile_rulebook(path=rb)
    assert first.evaluate({"x": "0.7"}).total == Decimal("0.7")
    assert compile_rulebook(path=rb) is first
    lib.write_text('方法库 "m"\n方法 f(x):\n  得分 = min(x / 2, 1)\n', encoding="utf-8")
    st = lib.stat()
    os.utime(lib, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))
    again = compile_rulebook(path=rb)
    assert again is not first
    assert again.evaluate({"x": "0.7"}).total == Decimal("0.35")


@pytest.mark.parametrize("rate,score", [("0%", "3"), ("1%", "2.8"), ("5%", "2"), ("9.99%", "1.0"), ("10%", "1"),
                                        ("10.01%", "1"), ("100%", "1")])
def test_ratio_deduction_with_a_capped_deduction(rate, score):
    """结转结余变动率 of 附件2: 3 points, 扣分值=变动率×2×10, at most 2 deducted (floor 1):
    1% → 0.2 deducted, 5% → 1, 9.99% → 1.998 → 1.002 → 1.00, 10% and over → 2."""
    rb = compile_rulebook(rulebook(X.format("比率扣分法(x, 0%, 3, 2, 2)").replace("10分", "3分"), total=3), name="<封顶>")
    assert rb.evaluate({"x": rate}).total == Decimal(score)


def test_findings_inside_a_method_are_shown_at_the_call():
    """A bound found in the expansion of a library method points at the call in the
    rulebook (primary), with the library's line kept as a secondary label."""
    text = rulebook(X.format("完成比率法(x, 90%, 9)"))
    d = next(d for d in check_text(text, "<内联>").diagnostics if d.code == "W0503")
    primary = next(l for l in d.labels if l.primary)
    assert primary.span.file.name == "<内联>"
    assert primary.span.text() == "完成比率法(x, 90%, 9)"
    assert any(l.span.file.name.endswith("计分方法.jx") and not l.primary for l in d.labels)
