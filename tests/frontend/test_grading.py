"""Grading beyond the bands: 否决 (vetoes), 定级 按取整总分 (integer grading), and bands that
may read only 总分 (E0523) — checks and evaluation, with hand-computed totals."""
from decimal import Decimal as D

import pytest

from jixiao.compiler.api import check_text, compile_rulebook
from jixiao.compiler.publish.explain import explain_grade

BANDS_WITH_INPUT = '''规则集 "t"
满分 100
输入 自评得分: 分数 ≤ 100
输入 存在重大违规: 是否
一级指标 综合 100分:
  指标 综合评价 100分:
    得分 = 自评得分
等级:
  优秀: 总分 ≥ 90 且 非 存在重大违规
  良好: 60 ≤ 总分 < 90
  较差: 总分 < 60
'''


def codes(text):
    return [d.code for d in check_text(text, "t.jx").diagnostics]


def test_band_mentioning_an_input_is_not_a_false_w0506():
    """"存在重大违规的，不得评为优" written in a band: used to give W0506 "「优秀」永远不会被评定"."""
    got = codes(BANDS_WITH_INPUT)
    assert "W0506" not in got
    assert got == ["E0523"]


def test_band_mentioning_an_input_is_not_a_false_e0502():
    """… and a false E0502 gap (the band's truth cannot be decided from the total): now one
    clear error that points to 否决."""
    res = check_text(BANDS_WITH_INPUT, "t.jx")
    assert "E0502" not in [d.code for d in res.diagnostics]
    d = res.diagnostics[0]
    assert d.args == {"band": "优秀", "name": "存在重大违规"}
    assert "否决" in d.helps[0].zh


def test_band_mentioning_a_score_is_e0523():
    text = BANDS_WITH_INPUT.replace("且 非 存在重大违规", "且 综合评价 ≥ 95")
    assert sorted(codes(text)) == ["E0523", "W0201"]       # W0201: 存在重大违规 is now read by nothing


VETO = '''规则集 "t"
满分 100
{settings}
输入 自评得分: 分数 ≤ 100
输入 存在重大违规: 是否
输入 发生重大事故: 是否
一级指标 综合 100分:
  指标 综合评价 100分:
    得分 = 自评得分
等级:
  优秀: 90 ≤ 总分 ≤ 100
  良好: 80 ≤ 总分 < 90
  中: 60 ≤ 总分 < 80
  较差: 0 ≤ 总分 < 60
否决:
  存在重大违规 : 最高 良好
  发生重大事故 : 较差
'''


@pytest.mark.parametrize("total, violation, accident, grade", [
    ("95", False, False, "优秀"),
    ("95", True, False, "良好"),      # at most 良好
    ("95", False, True, "较差"),      # set
    ("95", True, True, "较差"),       # in order: 良好, then 较差
    ("85", True, False, "良好"),      # 良好 is not better than 良好: unchanged
    ("70", True, False, "中"),        # a cap never raises a grade
    ("30", False, True, "较差"),
])
def test_vetoes_at_a_total(total, violation, accident, grade):
    rb = compile_rulebook(VETO.format(settings=""), name="t.jx")
    res = rb.evaluate({"自评得分": total, "存在重大违规": violation, "发生重大事故": accident}, trace=True)
    assert (res.total, res.grade) == (D(total), grade)
    assert rb.evaluate({"自评得分": total, "存在重大违规": violation, "发生重大事故": accident}).grade == grade
    held = [(t.before, t.value) for t in res.vetoes]
    assert len(held) == violation + accident


def test_veto_explained_in_words():
    rb = compile_rulebook(VETO.format(settings=""), name="t.jx")
    res = rb.evaluate({"自评得分": 95, "存在重大违规": True, "发生重大事故": False}, trace=True)
    assert explain_grade(rb, res) == "总分95分；存在重大违规，等级最高为良好（按总分95分应为优秀）；评价结果为良好。"
    assert explain_grade(rb, res, "en") == "total 95; 存在重大违规: at best 良好 (优秀 by the total of 95); the grade is 良好."
    res = rb.evaluate({"自评得分": 95, "存在重大违规": False, "发生重大事故": False}, trace=True)
    assert explain_grade(rb, res) == "总分95分，在「90分≤得分≤100分」之内，评价结果为优秀。"


def test_veto_checks():
    assert codes(VETO.format(settings="")) == []
    # a veto to a grade that is no band
    assert "E0207" in codes(VETO.format(settings="").replace(": 最高 良好", ": 最高 良"))
    # 最高 needs the bands best first
    worst_first = VETO.format(settings="").replace(
        "  优秀: 90 ≤ 总分 ≤ 100\n  良好: 80 ≤ 总分 < 90\n  中: 60 ≤ 总分 < 80\n  较差: 0 ≤ 总分 < 60\n",
        "  较差: 0 ≤ 总分 < 60\n  中: 60 ≤ 总分 < 80\n  良好: 80 ≤ 总分 < 90\n  优秀: 90 ≤ 总分 ≤ 100\n")
    assert codes(worst_first) == ["E0522"]
    # … but only 最高 compares grades: setting one does not
    assert codes(worst_first.replace("  存在重大违规 : 最高 良好\n", "")) == ["W0201"]    # (the input it read)
    # a veto is no excuse for a gap
    assert "E0502" in codes(VETO.format(settings="").replace("80 ≤ 总分 < 90", "80 ≤ 总分 < 89"))


def test_a_grade_only_a_veto_gives_is_not_w0506():
    text = VETO.format(settings="").replace("  较差: 0 ≤ 总分 < 60\n", "  较差: 总分 < 0\n").replace("60 ≤ 总分 < 80", "0 ≤ 总分 < 80")
    assert codes(text) == []        # 较差 is given by the second veto


LITERAL_BANDS = '''规则集 "t"
满分 100
{settings}
输入 自评得分: 分数 ≤ 100
一级指标 综合 100分:
  指标 综合评价 100分:
    得分 = 自评得分
等级:
  优秀: 90 ≤ 总分 ≤ 100
  良好: 80 ≤ 总分 ≤ 89
  中: 60 ≤ 总分 ≤ 79
  较差: 0 ≤ 总分 ≤ 59
'''


def test_integer_grading_makes_published_integer_bands_complete():
    # 附件2's bands as printed: gaps at 89.01 … under 按舍入后总分, none once the total is a whole number
    assert "E0502" in codes(LITERAL_BANDS.format(settings=""))
    assert codes(LITERAL_BANDS.format(settings="定级 按取整总分")) == []
    assert codes(LITERAL_BANDS.format(settings="grade_on integer")) == []


@pytest.mark.parametrize("settings, total, grade", [
    ("定级 按取整总分", "89.5", "优秀"),                 # 四舍五入: 90
    ("定级 按取整总分", "89.49", "良好"),                # 89
    ("定级 按取整总分\n舍入 截断", "89.99", "良好"),      # 截断: 89
    ("定级 按取整总分\n舍入 进一", "89.01", "优秀"),      # 进一: 90
    ("定级 按取整总分\n舍入 银行家舍入", "88.5", "良好"),  # half-even: 88
    ("定级 按取整总分\n舍入 银行家舍入", "89.5", "优秀"),  # 90
])
def test_integer_grading(settings, total, grade):
    rb = compile_rulebook(LITERAL_BANDS.format(settings=settings), name="t.jx")
    for trace in (False, True):
        res = rb.evaluate({"自评得分": total}, trace=trace)
        assert (res.total, res.grade) == (D(total), grade)
    assert rb.evaluator.grade_of(D(total)) == grade


def test_integer_grading_explained():
    rb = compile_rulebook(LITERAL_BANDS.format(settings="定级 按取整总分"), name="t.jx")
    res = rb.evaluate({"自评得分": "89.5"}, trace=True)
    assert explain_grade(rb, res) == "总分89.5分，取整为90分，在「90分≤得分≤100分」之内，评价结果为优秀。"


def test_integer_gap_is_found_on_whole_numbers():
    text = LITERAL_BANDS.format(settings="定级 按取整总分").replace("80 ≤ 总分 ≤ 89", "80 ≤ 总分 ≤ 88")
    res = check_text(text, "t.jx")
    assert [(d.code, d.args.get("value")) for d in res.diagnostics] == [("E0502", "89")]


def test_a_veto_condition_that_can_divide_by_zero_is_e0504():
    text = ('规则集 "t"\n满分 1\n输入 x: 数值 范围 0 至 1\n输入 y: 数值 范围 0 至 1\n指标 A 1分:\n  得分 = x\n'
            '等级:\n  好: 总分 ≥ 0.5\n  差: 否则\n否决:\n  {cond} : 差\n')
    assert codes(text.format(cond="y / x > 2")) == ["E0504"]
    assert codes(text.format(cond="如果 x > 0 则 y / x > 2 否则 否")) == []
