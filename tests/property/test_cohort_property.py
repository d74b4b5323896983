"""Cohort properties (hypothesis) on the shipped 同类比较 rulebook: the order of the units
changes no score; adding a unit changes only the indicators that depend on the cohort;
the compiled evaluator (all units at once) equals the reference interpreter."""
from decimal import Decimal
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.verify.cohort_interpreter import interpret_cohort
from jixiao.compiler.verify.interpreter import validate

RULEBOOK = Path(__file__).resolve().parents[2] / "stdlib_indicators" / "部门整体支出绩效评价（同类比较）.jx"
RB = compile_rulebook(path=RULEBOOK)
PATHS = ["/".join(i.path) for i in sorted(RB.program.walk(), key=lambda n: n.index)]
DEPENDENT = {"/".join(i.path) for i in RB.program.walk() if i.index in RB.program.cohort_dependent}

money = st.integers(100, 5000).map(lambda x: Decimal(x) / 10)


@st.composite
def unit(draw):
    budget = draw(money)
    spent = min(draw(money), budget * 2)
    new = draw(st.booleans())
    u = {"单位类别": draw(st.sampled_from(["行政单位", "事业单位"])), "编制数": draw(st.integers(1, 30)),
         "实有人数": draw(st.integers(0, 35)), "平均年龄": draw(st.sampled_from([35, 38, 40, 42.5, 45])),
         "预算数": budget, "支出数": spent, "人员经费": spent * draw(st.sampled_from([Decimal("0.3"), Decimal("0.45"), Decimal("0.6")])),
         "有新进人员": "是" if new else "否", "满意度": draw(st.sampled_from(["90%", "95%", "99%"]))}
    if new:
        n = draw(st.integers(1, 6))
        u.update({"新进人员数": n, "参训新进人员数": draw(st.integers(0, n))})
    return u


cohorts = st.lists(unit(), min_size=2, max_size=9)
SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def scores(res):
    return [(r["indicators"], r["total"], r["grade"]) for r in res]


@SETTINGS
@given(cohorts, st.randoms(use_true_random=False))
def test_the_order_of_the_units_changes_no_score(units, rnd):
    order = list(range(len(units)))
    rnd.shuffle(order)
    a = scores(RB.evaluator.evaluate_all(units))
    b = scores(RB.evaluator.evaluate_all([units[k] for k in order]))
    assert [a[k] for k in order] == b


@SETTINGS
@given(cohorts, unit())
def test_adding_a_unit_changes_only_what_depends_on_the_cohort(units, extra):
    before = RB.evaluator.evaluate_all(units)
    after = RB.evaluator.evaluate_all(units + [extra])[:-1]
    for x, y in zip(before, after):
        for path in PATHS:
            if path not in DEPENDENT:
                assert x["indicators"][path] == y["indicators"][path], path
    assert DEPENDENT and not DEPENDENT >= set(PATHS)


@SETTINGS
@given(cohorts)
def test_compiled_equals_the_reference_interpreter(units):
    res = RB.evaluator.evaluate_all(units)
    ref = interpret_cohort(RB.program, [validate(RB.program, u) for u in units])
    for r, (s, total, grade, _na) in zip(res, ref):
        assert tuple(r["indicators"][p] for p in PATHS) == s
        assert (r["total"], r["grade"]) == (total, grade)
