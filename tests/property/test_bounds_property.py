"""Soundness of the checker's claims, tested on random rulebooks and inputs: a rulebook
that passes ``check`` scores every admissible case without an evaluation error, within
the bounds ``check`` proved (``CheckResult.ranges``) and within [0, points]; the total
lies within the range the rulebook gives (``Program.total_range``: [0, 满分] with top-level
加分项 and 扣分项 beyond it) and gets the grade of the first band that holds for it (on the
whole number under 按取整总分), then the 否决 that held.

Budget: 150 rulebooks × 1–4 input sets (≈ 375 evaluations), ≈ 7 s on 2 cores (see
test_differential.py for the whole directory's budget).
"""
from decimal import Decimal as D
from decimal import localcontext

import pytest
from hypothesis import given, note
from hypothesis import strategies as st

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.verify.interpreter import round_to
from jixiao.compiler.backend.runtime import CONTEXT, EvaluationError
from jixiao.dsl.check import check_text
from jixiao.dsl.checks import intervals as iv
from jixiao.compiler.verify.properties import _vetoed
from jixiao.dsl.checks.grades import grade_of, graded_total

from .rulebook_gen import CASE_ERRORS, compile_book, inputs_for, profile, rulebooks, settle_picks


SLACK = D("1e-20")


def raw_scores(prog, trace, na):
    """Unrounded score of every indicator, from a trace: the rule's value, points or 0 when
    not applicable (by policy), the sum of the children's for a parent."""
    raw = {ev[1]: ev[2] for ev in trace if ev[0] == "score"}
    out = {}
    for ind in prog.order():
        i = ind.index
        if i in na:
            out[i] = D(0) if prog.na_policy == "exclude" else ind.points
        elif ind.score is None:
            with localcontext(CONTEXT):
                out[i] = sum((c.sign * out[c.index] for c in ind.children), D(0))
        else:
            out[i] = raw[i]
    return out


def exact_total(prog, raw, na):
    """The unrounded total (rescaled to 满分 when indicators are excluded), at run-time precision."""
    with localcontext(CONTEXT):
        total = sum((raw[r.index] for r in prog.roots if not r.adjusts), D(0))
        if prog.na_policy == "exclude" and na:
            counted = sum((D(0) if ind.index in na else ind.points) for ind in prog.walk()
                          if ind.score is not None and not _under_ruled_parent(ind) and not _adjusting(ind))
            total = total * prog.total / counted
        total += sum((r.sign * raw[r.index] for r in prog.roots if r.adjusts), D(0))
        if prog.total_rule is not None:
            total = _held(prog.total_rule, total)
        return total


def _adjusting(ind):
    """A 加分项 / 扣分项 or a part of one: not in the points counted under 剔除."""
    while ind is not None:
        if ind.adjusts:
            return True
        ind = ind.parent
    return False


def _held(rule, x):
    """The 总分 = 合计 … rule's clamps applied to ``x``, innermost first."""
    from jixiao.dsl import ir
    from jixiao.dsl.ops import clamp
    chain = []
    while isinstance(rule, ir.Clamp):
        chain.append(rule)
        rule = rule.operand
    for c in reversed(chain):
        x = clamp(c.kind, x, None if c.bound is None else c.bound.value)
    return x


def _under_ruled_parent(ind):
    p = ind.parent
    while p is not None:
        if p.score is not None:
            return True
        p = p.parent
    return False


@profile(150)
@given(book=rulebooks(), data=st.data())
def test_scores_stay_within_proven_bounds(book, data):
    result, rb = compile_book(book)
    prog, run = rb.program, rb.evaluator.run
    for inputs in data.draw(st.lists(inputs_for(book), min_size=1, max_size=4), label="inputs"):
        values = rb.validate(settle_picks(rb, inputs) if book.picks else inputs)
        try:
            scores, total, grade, na = run(values)       # the plain path (no trace)
        except EvaluationError as e:
            # the errors check does not rule out: every indicator not applicable under 剔除 (no
            # total), a bound that check could not decide (W0505) failing its run-time check,
            # what is wrong with the case itself (a pick, a conditional input, a 核对 …)
            assert e.code in CASE_ERRORS or e.code == "E0705" or (e.code == "E0704" and result.unproven), e
            continue
        trace = []
        assert run(values, None, trace) == (scores, total, grade, na)
        raw = raw_scores(prog, trace, na)
        note(f"scores {scores} raw {raw} total {total} na {na}")
        for ind in prog.walk():
            i, s = ind.index, scores[ind.index]
            assert 0 <= s <= ind.points, ind.path
            rng = result.ranges.get(i)
            if rng is None or i in result.unproven:
                continue   # an unproven indicator (W0505) is checked at run time instead
            # the checker's ranges are of the score as shown and as other rules read it:
            # rounded to the precision, not applicable counted by the policy
            assert rng.contains(s), (ind.path, rng.text(), s)
        lo, hi = prog.total_range()
        assert lo <= total <= hi
        graded = exact_total(prog, raw, na) if prog.grade_on == "exact" else graded_total(prog, total)
        assert grade == _vetoed(prog, grade_of(prog.grades, graded), trace, rb.evaluator.spans)


# ───────────── hand-written reproducers of soundness bugs ─────────────

ANY = "等级:\n  全: 否则\n"


def test_score_reference_to_not_applicable_indicator():
    text = '''规则集 "t"
满分 3
不适用 计满分
输入 c: 是否
指标 A 2分:
  得分 = 如果 c 则 不适用 否则 0.5
指标 B 1分:
  得分 = A × 2
''' + ANY
    # A scores its points (2) when not applicable: B = A × 2 reaches 4 > 1, and check says so
    result = check_text(text)
    assert not result.ok and "E0501" in {d.code for d in result.diagnostics}


def test_score_reference_to_rounded_score_exceeds_points():
    text = '''规则集 "t"
满分 2
输入 x: 比率
指标 A 1分:
  得分 = min(x, 0.995)
指标 B 1分:
  得分 = A / 0.995
''' + ANY
    # A is read rounded: 0.995 shows as 1.00, so B = 1.00 / 0.995 → 1.01 > 1: refused
    result = check_text(text)
    assert not result.ok and "E0501" in {d.code for d in result.diagnostics}


def test_division_by_rounded_score_is_reported():
    text = '''规则集 "t"
满分 2
输入 x: 比率
指标 A 1分:
  得分 = min(max(x, 0.004), 1)
指标 B 1分:
  得分 = 1 - 0.004 / A
''' + ANY
    result = check_text(text)
    assert not result.ok                  # actual: check passes; x = 0 → A = 0.00 → E0701 at run time


def test_parent_range_holds_for_rounded_children():
    text = '''规则集 "t"
满分 2
输入 x: 比率
一级指标 P 2分:
  指标 A 1分:
    得分 = min(max(x, 0.004), 1)
  指标 B 1分:
    得分 = min(max(x, 0.004), 1)
''' + ANY
    result = check_text(text)
    rb = compile_rulebook(text, name="t.jx")
    parent = next(i for i in rb.program.walk() if i.name == "P")
    assert result.ranges[parent.index].contains(rb.evaluate({"x": 0}).score("P"))   # [0.008, 2] vs 0.00


def test_points_not_a_multiple_of_precision():
    text = '''规则集 "t"
满分 1
精度 1
输入 x: 比率 范围 0 至 1
指标 A 0.5分:
  得分 = min(x, 0.5)
指标 B 0.5分:
  得分 = 0
''' + ANY
    # 0.5 rounds half-up to 1 > 0.5 points: points must be multiples of the precision
    result = check_text(text)
    assert "E0406" in {d.code for d in result.diagnostics}


def test_interval_ends_are_rounded_outward():
    text = '''规则集 "t"
满分 1
输入 c: 是否
指标 A 1分:
  得分 = 如果 c 则 2 / 3 否则 1
''' + ANY
    result = check_text(text)
    rb = compile_rulebook(text, name="t.jx")
    trace = []
    rb.evaluator.run(rb.validate({"c": True}), None, trace)
    raw = next(ev[2] for ev in trace if ev[0] == "score")            # 0.666…667 (40 digits)
    # the interval of the quotient itself holds the 40-digit value (ends widened outward) …
    q = iv.div(iv.Interval.point(D(2)), iv.Interval.point(D(3)))
    assert q.contains(raw)
    # … and the checker's range, of the score as shown, holds the rounded score
    assert result.ranges[next(i.index for i in rb.program.walk() if i.name == "A")].contains(rb.evaluate({"c": True}).score("A"))


def test_zero_divisor_hidden_by_rounded_interval_ends():
    text = '''规则集 "t"
满分 1
输入 c: 清单["一", "二", "三"]
指标 A 1分:
  d = 2.000000000000000000000000000000002 - 符合数(c) / 项数(c) × 3.000000000000000000000000000000003
  得分 = 如果 符合数(c) = 2 则 min(max(0.001 / d, 0), 1) 否则 0
''' + ANY
    assert not check_text(text).ok        # d is exactly 0 when two items are met: E0504
