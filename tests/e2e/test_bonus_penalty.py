"""加分项 / 扣分项, 合计 and 总分 = 合计 …: checks, both evaluators, every output.

The shipped 专项资金绩效评价.jx is tested by its suite (stdlib_indicators/tests); here each
rule of the construct on small rulebooks, with hand-computed numbers."""
from decimal import Decimal as D

import pytest

from jixiao.compiler.api import check_text, compile_rulebook
from jixiao.compiler.publish.explain import explain, explain_total
from jixiao.compiler.publish.report import score_table
from jixiao.compiler.verify import interpreter
from jixiao.dsl.diagnostics import JixiaoError

TOP = '''规则集 "t"
满分 10
输入 率: 比率 范围 0 至 100%
输入 获奖: 项数
输入 违规: 计数(次)
一级指标 A 10分:
  指标 A1 10分:
    得分 = 率 × 10
加分项 表彰 最多 2分:
  得分 = 获奖 × 1
扣分项 处罚 最多 3分:
  得分 = 违规 × 1
{rule}
等级:
  好: 总分 ≥ 6
  差: 否则
'''


def codes(text):
    return [d.code for d in check_text(text, "t.jx").diagnostics]


def agree(rb, inputs):
    """Fast path, traced path and the reference interpreter give the same result."""
    values = rb.validate(inputs)
    ev = rb.evaluator
    T = []
    full = ev.run(values, {}, T)
    ref = interpreter.interpret(rb.program, values, span_ix={s: i for i, s in enumerate(ev.spans)})
    assert ev.run(values) == full
    assert full[:3] == ref[:3] and list(full[3]) == list(ref[3]) and T == ref[4]
    return rb.evaluate(inputs, trace=True)


@pytest.mark.parametrize("rule, inputs, total, subtotal", [
    # 合计 = A + 表彰 − 处罚, outside 满分 as the table says
    ("", {"率": "100%", "获奖": 5, "违规": 0}, D(12), None),        # 10 + 2 (cap) − 0
    ("", {"率": "10%", "获奖": 0, "违规": 9}, D(-2), None),         # 1 + 0 − 3 (cap)
    ("总分 = 合计 不加分 扣完为止", {"率": "100%", "获奖": 5, "违规": 0}, D(10), D(12)),
    ("总分 = 合计 不加分 扣完为止", {"率": "10%", "获奖": 0, "违规": 9}, D(0), D(-2)),
    ("总分 = 合计 最多 11", {"率": "100%", "获奖": 5, "违规": 0}, D(11), D(12)),
])
def test_top_level_bonus_and_penalty(rule, inputs, total, subtotal):
    rb = compile_rulebook(TOP.format(rule=rule), name="t.jx")
    res = agree(rb, inputs)
    assert res.total == total and res.subtotal == subtotal
    assert [r.kind for r in res.indicators] == ["score", "score", "bonus", "penalty"]
    data = res.to_dict()
    assert [x.get("kind") for x in data["indicators"]] == [None, None, "bonus", "penalty"]
    assert ("subtotal" in data) == (subtotal is not None)


def test_bonus_at_its_cap_and_one_past():
    rb = compile_rulebook(TOP.format(rule=""), name="t.jx")
    for n, bonus in ((1, 1), (2, 2), (3, 2)):
        res = agree(rb, {"率": "50%", "获奖": n, "违规": 0})
        assert res.score("表彰") == bonus and res.total == 5 + bonus


def test_the_total_range_is_checked_for_bands():
    # bands over [0, 满分] only: the bonus leaves 10.01 … 12 without a grade
    text = TOP.format(rule="").replace("  好: 总分 ≥ 6\n  差: 否则\n", "  好: 6 ≤ 总分 ≤ 10\n  差: 0 ≤ 总分 < 6\n")
    res = check_text(text, "t.jx")
    gaps = [d for d in res.diagnostics if d.code == "E0502"]
    assert sorted(d.args["value"] for d in gaps) == ["-3", "10.01"]
    # held within [0, 满分], the same bands are complete
    held = text.replace("等级:", "总分 = 合计 不加分 扣完为止\n等级:")
    assert codes(held) == []


def test_penalty_with_no_cap_is_e0501():
    text = TOP.format(rule="").replace("扣分项 处罚 最多 3分:", "扣分项 处罚 3分:")
    res = check_text(text, "t.jx")
    d = next(d for d in res.diagnostics if d.code == "E0501")
    assert d.args["name"] == "处罚"
    assert "扣分项 处罚 最多 3分:" in d.helps[0].zh


NESTED = '''规则集 "t"
满分 10
输入 率: 比率 范围 0 至 100%
输入 优: 是否
输入 问题: 计数(次)
一级指标 A 10分:
  指标 达标 10分:
    得分 = 率 × 10
  加分项 优质 最多 2分:
    得分 = 如果 优 则 2 否则 0
  扣分项 问题扣分 最多 10分:
    得分 = 问题 × 2
  {rule}
等级:
  全: 否则
'''


def test_a_node_with_bonus_must_say_how_it_holds():
    res = check_text(NESTED.format(rule=""), "t.jx")
    assert [d.code for d in res.diagnostics] == ["E0521"]
    assert res.diagnostics[0].args["range"] == "[-10, 12]"
    assert codes(NESTED.format(rule="得分 = 合计 不加分 扣完为止")) == []
    # without 扣完为止 the deduction can take it below 0
    assert codes(NESTED.format(rule="得分 = 合计 不加分")) == ["E0501"]


@pytest.mark.parametrize("rate, good, problems, score", [
    ("90%", True, 0, "10"),       # 9 + 2 = 11, 不加分
    ("80%", True, 0, "10"),       # 8 + 2
    ("80%", False, 1, "6"),       # 8 − 2
    ("10%", False, 3, "0"),       # 1 − 6, 扣完为止
])
def test_subtotal_of_a_node(rate, good, problems, score):
    rb = compile_rulebook(NESTED.format(rule="得分 = 合计 不加分 扣完为止"), name="t.jx")
    res = agree(rb, {"率": rate, "优": good, "问题": problems})
    assert res.score("A") == D(score) and res.total == D(score)


def test_points_of_bonus_items_do_not_count():
    # E0401: the ordinary children add up to the node's points; E0402 likewise at the top
    bad = NESTED.format(rule="得分 = 合计 不加分 扣完为止").replace("指标 达标 10分", "指标 达标 8分")
    assert "E0401" in codes(bad)
    assert "E0402" in codes(TOP.format(rule="").replace("满分 10", "满分 12"))


def test_a_capped_bonus_sums_children_beyond_its_points():
    text = '''规则集 "t"
满分 1
输入 a: 项数
输入 b: 是否
指标 X 1分:
  得分 = 1
加分项 表彰 最多 3分:
  子项 国家级 4分:
    得分 = a × 2 最多 4
  子项 推广 1分:
    得分 = 如果 b 则 1 否则 0
等级:
  全: 否则
'''
    rb = compile_rulebook(text, name="t.jx")
    for a, b, bonus in ((0, True, 1), (1, True, 3), (2, True, 3), (1, False, 2)):
        res = agree(rb, {"a": a, "b": b})
        assert res.score("表彰") == bonus and res.total == 1 + bonus
    e = next(x for x in explain(rb, rb.evaluate({"a": 2, "b": True}, trace=True)) if x.path == ("表彰",))
    assert e.text == "由国家级4分、推广1分相加，合计5分；最多3分，取3；加3分（最多加3分）。"
    # without 最多 in its header its children's points add up to its points
    assert "E0401" in codes(text.replace("加分项 表彰 最多 3分:", "加分项 表彰 3分:"))


@pytest.mark.parametrize("body, code", [
    ("加分项 B 最多 1分:\n  得分 = 如果 c 则 不适用 否则 1\n", "E0508"),                     # a bonus is never 不适用
    ("加分项 B 最多 1分:\n  加分项 C 最多 1分:\n    得分 = 1\n", "E0508"),                   # none inside another
    ("指标 B 1分:\n  得分 = 合计\n", "E0508"),                                              # 合计 needs children
    ("总分 = 合计 + 1\n", "E0508"),                                                          # the rule only holds 合计
    ("总分 = 合计 不加分\n总分 = 合计 扣完为止\n", "E0203"),
], ids=["na", "nested", "subtotal-of-a-leaf", "total-rule-arithmetic", "two-total-rules"])
def test_misuse_is_refused(body, code):
    text = f'规则集 "t"\n满分 1\n不适用 计满分\n输入 c: 是否\n指标 A 1分:\n  得分 = 如果 c 则 1 否则 0\n{body}等级:\n  全: 否则\n'
    assert code in codes(text), codes(text)


def test_english_spellings():
    text = '''rulebook "t"
total_points 10
input rate: rate range 0 to 100%
input awards: count(项)
level1 A 10:
  indicator A1 10:
    score = rate * 10
bonus awarded at_most 2:
  score = awards * 1
penalty fined 1:
  score = 0
total = subtotal capped floor_zero
grades:
  good: total >= 6
  poor: else
'''
    rb = compile_rulebook(text, name="t.jx")
    res = rb.evaluate({"rate": "100%", "awards": 3})
    assert (res.total, res.subtotal, res.score("awarded")) == (D(10), D(12), D(2))


def test_score_table_explain_and_json_show_the_items():
    rb = compile_rulebook(TOP.format(rule="总分 = 合计 不加分 扣完为止"), name="t.jx")
    res = rb.evaluate({"率": "95%", "获奖": 3, "违规": 1}, trace=True, claimed={"处罚": 0, "总分": 10})
    lines = [" ".join(l.split()) for l in score_table(res).splitlines()]
    assert "表彰（加分） ≤2 +2" in lines
    assert "处罚（扣分） ≤3 -1 0 ≠" in lines
    assert "小计 / subtotal 10 9.5" in lines
    assert "合计 / with bonus and penalty 10.5" in lines
    assert "总分 / total 10 10 10" in lines
    assert explain_total(rb, res) == "由A9.5分相加，加表彰2分，扣处罚1分，合计10.5分，不加分，取10，总分10分（满分10分）。"
    texts = {e.path: e.text for e in explain(rb, res)}
    assert texts[("处罚",)] == "违规1次；违规 × 1 = 1次 × 1 = 1；扣1分（最多扣3分）。"


def test_assessed_amount_of_a_penalty():
    rb = compile_rulebook(TOP.format(rule=""), name="t.jx")
    res = rb.evaluate({"率": "50%", "获奖": 0, "违规": 3}, assessed={"处罚": 1})
    assert res.total == 4
    with pytest.raises(JixiaoError):
        rb.evaluate({"率": "50%", "获奖": 0, "违规": 3}, assessed={"处罚": 4})    # E0608: beyond its cap
