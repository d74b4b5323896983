"""Decide what the interval analysis could not: search for a concrete counterexample.

``dsl`` proves score bounds with intervals, which is sound but not complete: a rule
like ``如果 在职 ≤ 编制 则 3 否则 3 - (在职 - 编制) × 0.1 扣完为止`` is proven, but
products of ratios may not be. For each unproven indicator this module runs the
compiled rule on inputs drawn from the declarations (their bounds, the rulebook's own
constants and neighbours, powers of ten, seeded random values):

* a counterexample found: the error stays, with the input and the score it gives;
* none found: the error becomes warning W0505 ("could not decide"), and the indicator's
  bounds are checked at run time (E0704), so nothing is ever clamped silently.
"""
from __future__ import annotations

import random

import attrs
from decimal import Decimal

from ...dsl import ir
from ...dsl.check import CheckResult
from ...dsl.diagnostics import Diagnostic, Label, Msg, has_errors, make, tr
from ...dsl.ir import fmt_decimal

from ..backend import runtime
from ..backend.loader import load_program

TRIES = 4000
D = Decimal


def _constants(prog: ir.Program) -> set[Decimal]:
    """Every decimal constant of the rules: the boundaries inputs are likely to meet."""
    exprs = [l.expr for l in prog.globals] + [l.expr for ind in prog.walk() for l in ind.locals] \
        + [ind.score for ind in prog.walk() if ind.score is not None]
    return {x.value for e in exprs for x in ir.walk(e)
            if isinstance(x, ir.Const) and isinstance(x.value, Decimal)}


DAY0 = D(738886)       # 2024-01-01: where dates are drawn when the rules name none
DATE_STEPS = (0, 1, -1, 2, 30, -30, 31, 92, 366, -366)


def _date_candidates(inp: ir.Input, consts: set[Decimal]) -> list:
    """Days around every date the rules name (±1 day, ±1 month, ±1 year), within the declaration."""
    lo = inp.lo if inp.lo is not None else ir.DATE_MIN
    hi = inp.hi if inp.hi is not None else ir.DATE_MAX
    near = [c for c in consts if D(600000) <= c <= D(800000)] or [DAY0]     # 1644–2191: dates, not amounts
    pts = {c + d for c in near for d in DATE_STEPS} | {lo if inp.lo is not None else DAY0, hi if inp.hi is not None else DAY0}
    out = sorted(x for x in pts if lo <= x <= hi and not (inp.lo_open and x == lo) and not (inp.hi_open and x == hi))
    return out or [lo]


def _list_candidates(inp: ir.Input, consts: set[Decimal]) -> list:
    """Lists of 0 to 3 items, each field taking its own candidates in turn."""
    per = [_candidates(f, consts) for f in inp.type.fields]
    most = int(inp.hi) if inp.hi is not None else 3

    def item(k):
        return (f"第{k + 1}项",) + tuple(c[(k * 7 + j * 3) % len(c)] for j, c in enumerate(per))
    out = [()]
    for n in range(1, min(most, 3) + 1):
        out.append(tuple(item(k) for k in range(n)))
        out.append(tuple(item(k + 5) for k in range(n)))
    if inp.hi is not None and 3 < most <= 1000:
        # a full list: each field at its lowest or at its highest candidate in every item
        for pick in (0, -1):
            out.append(tuple((f"第{k + 1}项",) + tuple(c[pick] for c in per) for k in range(most)))
    return out


def _candidates(inp: ir.Input, consts: set[Decimal]) -> list:
    k = inp.type.kind
    if k == "bool":
        return [True, False]
    if k == "enum":
        return list(inp.members)
    if k == "text":
        return [""]
    if k == "date":
        return _date_candidates(inp, consts)
    if k == "list":
        return _list_candidates(inp, consts)
    if k == "checklist":
        n = len(inp.members)
        return [(True,) * n, (False,) * n] + [tuple(i == j for i in range(n)) for j in range(n)] \
            + [tuple(i != j for i in range(n)) for j in range(n)]
    lo = inp.lo if inp.lo is not None else D(-10) ** 6
    hi = inp.hi if inp.hi is not None else D(10) ** 6
    pts = {lo, hi, D(0), D(1), D(100)}
    step = D(1) if inp.kind == "count" else D("0.01")
    if inp.lo_open:
        pts.add(lo + step)
    if inp.hi_open:
        pts.add(hi - step)
    for c in consts:
        for x in (c, c - step, c + step, c * 100, c / 100):
            pts.add(x)
    for e in range(1, 7):
        pts.add(D(10) ** e)
        pts.add(-(D(10) ** e))
    out = []
    for x in pts:
        if inp.kind == "count":
            x = x.to_integral_value()
        if x < lo or x > hi or (inp.lo_open and x == lo) or (inp.hi_open and x == hi):
            continue
        out.append(x)
    return sorted(set(out)) or [lo]


def search(prog: ir.Program, targets: dict[int, Diagnostic], tries: int = TRIES) -> dict[int, tuple]:
    """Indicator index -> (inputs, score) for each target whose bounds some input breaks
    (the data's own checks — 仅当, 核对, picks — left out: a score's bounds are the rules')."""
    full = load_program(prog, checks=False).full
    consts = _constants(prog)
    cands = [_candidates(i, consts) for i in prog.inputs]
    rng = random.Random(20211231)
    found: dict[int, tuple] = {}
    points = {i.index: i.points for i in prog.walk()}
    with runtime._localcontext(runtime.CONTEXT):
        for t in range(tries):
            if len(found) == len(targets):
                break
            if t % 3 == 2:
                # a random value within the declared range, not only the special points
                values = []
                for inp, c in zip(prog.inputs, cands):
                    if inp.type.kind == "num" and len(c) > 1:
                        a, b = c[0], min(c[-1], c[0] + 10000)
                        v = a + (b - a) * D(rng.random()).quantize(D("0.0001"))
                        values.append(v.to_integral_value() if inp.kind == "count"
                                      else v.quantize(D("0.01")) if v.adjusted() < 30 else v)   # wider: as it is
                    else:
                        values.append(rng.choice(c))
            else:
                values = [rng.choice(c) for c in cands]
            T: list = []
            try:
                scores = dict(enumerate(full(values, {}, T)[0]))
            except runtime.EvaluationError:
                # a score out of its points can leave the total in no band (E0702) or fail a
                # later rule: the scores traced before the error are the counterexample
                scores = {e[1]: e[3] for e in T if e[0] == "score"}
            except (ArithmeticError, TypeError, ValueError):
                continue
            for index in targets:
                if index not in found and index in scores and not (0 <= scores[index] <= points[index]):
                    found[index] = ({i.name: v for i, v in zip(prog.inputs, values)}, scores[index])
    return found


def search_rows(part: ir.RowPart, tries: int = 1500) -> list[Diagnostic]:
    """Each row method run on field values drawn from the declarations (the row's 分值
    among them): a score outside [0, 分值] is error E0212 with the counterexample."""
    out = []
    pf = next(f for f in part.fields if f.name == part.points_field)
    for name, mprog in part.methods.items():
        full = load_program(mprog).full
        consts = _constants(mprog)
        cands = [_candidates(i, consts) for i in mprog.inputs]
        # a row's points are a multiple of the precision (checked when rows are scored)
        P = mprog.precision
        pcands = [x for x in _candidates(pf, consts) if x % P == 0] or [P * 100]
        at = next((k for k, i in enumerate(mprog.inputs) if i.name == pf.name), None)
        if at is not None:
            cands[at] = pcands
        rng = random.Random(20211231)
        with runtime._localcontext(runtime.CONTEXT):
            for _ in range(tries):
                values = [rng.choice(c) for c in cands]
                pts = values[at] if at is not None else rng.choice(pcands)
                try:
                    score = full(values, {}, [])[0][0]
                except (runtime.EvaluationError, ArithmeticError, TypeError, ValueError):
                    continue
                if not (0 <= score <= pts):
                    shown = {i.name: v for i, v in zip(mprog.inputs, values)}
                    if at is None:
                        shown[pf.name] = pts
                    out.append(make("E0212", [Label(part.method_spans[name], "")], part=part.indicator.name, method=name,
                                    notes=[counterexample(shown, score)],
                                    helps=[tr("用「最多 分值」或 min(…, 分值) 封顶，扣分写「扣完为止」", "cap with `最多 分值` or min(…, 分值); floor deductions with `扣完为止`")]))
                    break
    return out


def decide(result: CheckResult, tries: int = TRIES) -> CheckResult:
    """Replace each E0501 of ``result`` by a confirmed error with a counterexample, or by
    warning W0505 plus a run-time check; search each row method for a score outside its
    row's points (E0212). Returns a new CheckResult."""
    prog = result.program
    if prog is not None and prog.row_parts and not has_errors(result.diagnostics):
        extra = [d for part in prog.row_parts for d in search_rows(part)]
        if extra:
            from ...dsl.check import _sorted
            result = attrs.evolve(result, diagnostics=_sorted(list(result.diagnostics) + extra))
    if prog is None or not result.unproven:
        return result
    others = [d for d in result.diagnostics if d not in result.unproven.values()]
    if has_errors(others):
        return result    # the rule may not even compile; keep the plain E0501
    found = search(prog, result.unproven, tries)
    diags = list(others)
    for index, d in result.unproven.items():
        ind = next(i for i in prog.walk() if i.index == index)
        if index in found:
            inputs, value = found[index]
            used = _inputs_used(ind)
            shown = {k: v for k, v in inputs.items() if k in used}
            diags.append(attrs.evolve(d, notes=d.notes + (counterexample(shown, value),)))
        else:
            rng_text = d.args.get("range", "?")
            labels = [Label(d.labels[0].span, tr(f"区间分析给出 {rng_text}，未能证明", f"interval analysis gives {rng_text}: not proven"))]
            diags.append(make("W0505", labels, name=ind.name, points=fmt_decimal(ind.points),
                              range=rng_text, tries=tries))
            prog.runtime_checked.add(index)
    from ...dsl.check import _sorted
    return attrs.evolve(result, diagnostics=_sorted(diags), unproven={i: d for i, d in result.unproven.items() if i in found})


def counterexample(values: dict, score) -> Msg:
    """The note "反例：输入 = 值 → 得分 x" of a bound that some input breaks."""
    if not values:
        return Msg(f"反例：任意输入 → 得分 {show_value(score)}", f"counterexample: any input → score {show_value(score)}")
    zh = "，".join(f"{k} = {show_value(v)}" for k, v in values.items())
    en = ", ".join(f"{k} = {show_value(v, 'en')}" for k, v in values.items())
    return Msg(f"反例：{zh} → 得分 {show_value(score)}", f"counterexample: {en} → score {show_value(score)}")


def _inputs_used(ind: ir.Indicator) -> set[str]:
    """Names of the inputs an indicator's rule reads, through its locals."""
    if ind.score is None:
        return set()
    return {x.input.name for x in ir.walk(ind.score, into_locals=True) if isinstance(x, ir.InputRef)}


def show_value(v, lang: str = "zh") -> str:
    """A validated input value as people write it: 2406.98, 是, [是, 否] (yes/no in English)."""
    yes, no = ("yes", "no") if lang == "en" else ("是", "否")
    if isinstance(v, Decimal):
        return fmt_decimal(v)
    if isinstance(v, tuple) and v and isinstance(v[0], tuple):      # a list's items
        return "[" + ", ".join(str(r[0]) for r in v) + "]"
    if isinstance(v, tuple):
        return "[" + ", ".join(yes if x else no for x in v) + "]"
    if isinstance(v, bool):
        return yes if v else no
    return str(v)
