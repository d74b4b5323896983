"""Generated properties for any rulebook (``jixiao test --properties``).

From the input declarations alone, hypothesis draws admissible inputs (the boundaries
of every tier and band and the declared range ends made likely) and checks:

* each indicator's score lies within [0, its points]; the total within [0, 满分] (with
  top-level 加分项 and 扣分项, within the range they and a ``总分 = 合计 …`` rule give);
* the grade is the one the bands give for the total (a small reference of the bands; the
  whole-number total under ``定级 按取整总分``), then lowered or set by each 否决 that held,
  in order — and bands that read more than 总分 (E0523) are not compared at all;
* at each band boundary and one precision step below it, the compiled grade agrees;
* declared monotonicity (``单调不减: 输入`` / ``单调不增``) holds;
* not-applicable indicators follow the rulebook's policy (full points, or excluded
  with the total rescaled).

A failure is shrunk by hypothesis and reported with the inputs and the trace.
Rulebooks whose only errors are soundness errors (E04xx/E05xx) are still compiled here,
so a rule that the checker refuses can be shown to fail on a concrete input.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

import attrs

from ...dsl import ir
from ...dsl.check import CheckResult
from ...dsl.checks.grades import grade_of, graded_total
from ...dsl.diagnostics import JixiaoError
from ...dsl.ir import fmt_decimal

from ..backend import runtime
from ..backend.loader import Evaluator, load_program
from .search import _candidates, _constants, show_value

D = Decimal


@attrs.frozen
class PropertyFailure(Exception):
    prop: str
    message: str
    inputs: dict = attrs.field(factory=dict)
    trace: tuple = ()
    indicator: int = -1       # index of the indicator concerned, -1 for the total

    def __str__(self):
        return f"{self.prop}: {self.message}"


@attrs.define
class PropertyReport:
    examples: int
    failures: list
    evaluator: Optional[Evaluator] = attrs.field(default=None, repr=False)


def _compile_anyway(result: CheckResult) -> Evaluator:
    """Compile the program even when the checker refused it for soundness reasons."""
    prog = result.program
    blocking = [d for d in result.diagnostics if d.severity == "error"
                and not d.code.startswith(("E04", "E05"))]
    if prog is None or blocking:
        raise JixiaoError(blocking or result.diagnostics)
    return load_program(prog)


def strategies(prog: ir.Program):
    """A hypothesis strategy of input lists (validated values, declaration order)."""
    from hypothesis import strategies as st
    consts = _constants(prog)
    # a conditional input or a pick may be absent (the case's errors when it should not be
    # are the case's, not properties of the rulebook)
    # a statistic of the cohort is always there (the peers' average score may be missing:
    # no peer has one), drawn within the range the bounds analysis gave it
    return st.tuples(*[st.one_of(st.none(), _strategy(inp, consts))
                       if inp.optional and (inp.cohort is None or inp.cohort.fallback_of is not None)
                       else _strategy(inp, consts) for inp in prog.inputs]).map(list)


def _strategy(inp: ir.Input, consts):
    """Validated values of one input: its special points (bounds, the rules' constants and
    their neighbours) or random ones; a list's items drawn field by field."""
    from hypothesis import strategies as st
    k = inp.type.kind
    if inp.cohort is not None and inp.cohort.integer:      # a rank or a number of units
        return st.integers(1, 60).map(D)
    if k == "bool":
        return st.booleans()
    elif k == "enum":
        return st.sampled_from(list(inp.members))
    elif k == "checklist":
        return st.tuples(*[st.booleans() for _ in inp.members])
    elif k == "text":
        return st.just("")
    elif k == "date":
        special = _candidates(inp, consts)
        lo = inp.lo if inp.lo is not None else min(special) - 400
        hi = inp.hi if inp.hi is not None else max(special) + 400
        lo_i, hi_i = int(lo) + (1 if inp.lo_open else 0), int(hi) - (1 if inp.hi_open else 0)
        return st.one_of(st.sampled_from(special), st.integers(max(1, lo_i), max(max(1, lo_i), hi_i)).map(D))
    elif k == "list":
        fields = st.tuples(st.integers(1, 99).map(lambda n: f"第{n}项"), *[_strategy(f, consts) for f in inp.type.fields])
        most = int(inp.hi) if inp.hi is not None else 5
        return st.lists(fields, max_size=min(most, 5)).map(tuple)
    else:
        special = _candidates(inp, consts)
        lo = inp.lo if inp.lo is not None else D(-10) ** 6
        hi = inp.hi if inp.hi is not None else lo + D(10) ** 6 if inp.lo is not None else D(10) ** 6
        if inp.kind == "count":
            lo_i = int(lo) + (1 if inp.lo_open and lo == int(lo) else 0)
            hi_i = int(hi) - (1 if inp.hi_open and hi == int(hi) else 0)
            rnd = st.integers(lo_i, max(lo_i, hi_i)).map(D)
        else:
            places = 4 if inp.kind == "rate" else 2
            rnd = st.decimals(min_value=lo, max_value=hi, places=places, allow_nan=False,
                              allow_infinity=False).filter(
                lambda v, inp=inp: not ((inp.lo_open and v == inp.lo) or (inp.hi_open and v == inp.hi)))
        return st.one_of(st.sampled_from(special), rnd) if special else rnd


def _settings(examples: int, seed: Optional[int]):
    """Hypothesis settings for a property run: no example database, and hypothesis's own
    folder out of the working directory (it would leave ``.hypothesis/`` in the user's
    rulebook repository); the run stops at the first counterexample, which is reported
    as drawn (shrinking a failing rulebook's inputs took minutes, and the trace already
    says which rule broke)."""
    from hypothesis import HealthCheck, Phase, settings
    from hypothesis.configuration import set_hypothesis_home_dir
    import tempfile
    from ...dsl.grammar import cache_dir
    home = cache_dir()
    set_hypothesis_home_dir(str(home / "hypothesis") if home is not None else tempfile.mkdtemp(prefix="jixiao-hypothesis-"))
    return settings(max_examples=examples, deadline=None, database=None, derandomize=seed is not None,
                    suppress_health_check=list(HealthCheck), report_multiple_bugs=False,
                    phases=[Phase.explicit, Phase.reuse, Phase.generate])


def run_properties(result: CheckResult, examples: int = 300, seed: Optional[int] = 0) -> PropertyReport:
    from hypothesis import given

    prog = result.program
    ev = _compile_anyway(result)
    checker = _Checker(prog, ev.full, ev.spans)
    failures: list[PropertyFailure] = []

    @_settings(examples, seed)
    @given(strategies(prog))
    def prop(values):
        checker.check_one(values)

    try:
        prop()
    except PropertyFailure as f:
        failures.append(f)

    # each scoring method of case-supplied rows: a row scores within [0, its 分值]
    for part in prog.row_parts:
        for name, mprog in part.methods.items():
            f = _row_method_failure(part, name, mprog, max(50, examples // 3), seed)
            if f is not None:
                failures.append(f)
    failures.extend(_grade_boundaries(prog, ev.grade_of))
    return PropertyReport(examples, failures, ev)


def _out_of_points(ind: ir.Indicator, score) -> str:
    return (f"「{ind.name}」的得分 {fmt_decimal(score)} 超出 [0, {fmt_decimal(ind.points)}] / "
            f"the score of `{ind.name}` leaves its points")


class _Checker:
    """The properties of one generated input list (raises PropertyFailure)."""

    def __init__(self, prog: ir.Program, full, spans=()):
        self.prog, self.full, self.spans = prog, full, spans
        self.inds = sorted(prog.walk(), key=lambda n: n.index)

    def fail(self, prop, msg, values, T=(), ind=-1):
        raise PropertyFailure(prop, msg, {i.name: v for i, v in zip(self.prog.inputs, values)}, tuple(T), ind)

    def evaluate(self, values):
        """Scores, total, grade, not-applicable and trace; a score out of its points or a
        total in no band is a failure, other evaluation errors propagate."""
        T = []
        with runtime._localcontext(runtime.CONTEXT):
            try:
                scores, total, grade, na = self.full(values, {}, T)
                for ind in self.inds:
                    if ind.score is not None and not (0 <= scores[ind.index] <= ind.points):
                        self.fail("得分范围 / score bounds", _out_of_points(ind, scores[ind.index]), values, T, ind.index)
            except runtime.EvaluationError as e:
                if e.code == "E0704":
                    ind = next((i.index for i in self.inds if i.name == e.field), -1)
                    self.fail("得分范围 / score bounds", e.message, values, T, ind)
                if e.code == "E0702":
                    # a total in no band: usually because a score left its points first
                    for event in T:
                        if event[0] == "score":
                            ind = self.inds[event[1]]
                            if not (0 <= event[3] <= ind.points):
                                self.fail("得分范围 / score bounds", _out_of_points(ind, event[3]), values, T, ind.index)
                    self.fail("等级覆盖 / grade coverage", e.message, values, T)
                raise
        return scores, total, grade, na, T

    def check_one(self, values):
        prog, fail = self.prog, self.fail
        try:
            scores, total, grade, na, T = self.evaluate(values)
        except runtime.EvaluationError as e:
            if e.code == "E0708":       # digits run out on an admissible input: the rulebook's fault
                fail("计算精度 / exact arithmetic", e.message_in(), values, [])
            return   # E0701/E0703 on this input: reported by `check`, not a property; a case's own errors
        for ind in self.inds:
            s = scores[ind.index]
            if not (0 <= s <= ind.points):
                fail("得分范围 / score bounds", f"「{ind.name}」得分 {fmt_decimal(s)} 超出 [0, {fmt_decimal(ind.points)}]", values, T, ind.index)
        lo, hi = prog.total_range()
        if not (lo <= total <= hi):
            fail("总分范围 / total bounds", f"总分 {fmt_decimal(total)} 超出 [{fmt_decimal(lo)}, {fmt_decimal(hi)}]", values, T)
        if not prog.grades_broken and prog.grade_on != "exact":
            want = _vetoed(prog, grade_of(prog.grades, graded_total(prog, total)), T, self.spans)
            if want != grade:
                fail("等级 / grade", f"总分 {fmt_decimal(total)} 应为「{want}」，实得「{grade}」", values, T)
        for i in na:
            ind = self.inds[i]
            if prog.na_policy == "full_points" and scores[i] != ind.points:
                fail("不适用 / not applicable", f"「{ind.name}」不适用，应计满分 {fmt_decimal(ind.points)}，实得 {fmt_decimal(scores[i])}", values, T)
        self.check_monotone(values, scores, T)

    def check_monotone(self, values, scores, T):
        """Declared monotonicity: raise (lower) one input, the score must not fall (rise)."""
        for ind in self.inds:
            for inp, direction in ind.monotone:
                k = self.prog.inputs.index(inp)
                bigger = _step_up(inp, values[k])
                if bigger is None:
                    continue
                v2 = list(values)
                v2[k] = bigger
                try:
                    s2 = self.evaluate(v2)[0][ind.index]
                except runtime.EvaluationError:
                    continue
                s1 = scores[ind.index]
                if (direction > 0 and s2 < s1) or (direction < 0 and s2 > s1):
                    word = "不减" if direction > 0 else "不增"
                    self.fail("单调性 / monotonicity",
                              f"「{ind.name}」声明随「{inp.name}」单调{word}，但 {inp.name} 由 {fmt_decimal(values[k])} 增至 "
                              f"{fmt_decimal(bigger)} 时得分由 {fmt_decimal(s1)} 变为 {fmt_decimal(s2)}", values, T, ind.index)


def _vetoed(prog: ir.Program, grade, T, spans) -> Optional[str]:
    """The grade after the 否决 that held (their ``veto`` events in the trace), applied as
    the language says: set, or (最高) lowered to it when better by the bands' order."""
    by_span = {(v.span.start, v.span.end): v for v in prog.vetoes if v.span is not None}
    for e in T:
        if e[0] != "veto" or grade is None:
            continue
        start, end, _file = spans[e[2]]
        v = by_span.get((start, end))
        if v is not None:
            grade = prog.apply_veto(grade, v)
    return grade


def _grade_boundaries(prog: ir.Program, grade_fn) -> list[PropertyFailure]:
    """The compiled grade at each band boundary and one precision step below it agrees
    with the bands as written."""
    failures = []
    if prog.grades_broken:
        return failures          # bands that read more than 总分 (E0523): grade_of cannot run them
    consts = sorted({c for b in prog.grades if b.cond is not None for c in _band_consts(b.cond)})
    step = prog.precision
    lo, hi = prog.total_range()
    for c in consts:
        for t in (c, c - step):
            if not (lo <= t <= hi):
                continue
            want = grade_of(prog.grades, graded_total(prog, t))
            try:
                with runtime._localcontext(runtime.CONTEXT):
                    got = grade_fn(t)
            except runtime.EvaluationError as e:
                got = None
                if want is None:
                    failures.append(PropertyFailure("等级覆盖 / grade coverage", e.message, {"总分": t}))
                    continue
            if got != want:
                failures.append(PropertyFailure("等级边界 / grade boundary",
                                                f"总分 {fmt_decimal(t)}：应为「{want}」，实得「{got}」", {"总分": t}))
    return failures


def _row_method_failure(part, name: str, mprog: ir.Program, examples: int, seed) -> Optional[PropertyFailure]:
    from hypothesis import given
    from hypothesis import strategies as st
    full = load_program(mprog).full
    P = mprog.precision
    pf = next(f for f in part.fields if f.name == part.points_field)
    at = next((k for k, i in enumerate(mprog.inputs) if i.name == pf.name), None)
    lo = pf.lo if pf.lo is not None else D(0)
    points = st.integers(int(lo / P) + (1 if pf.lo_open else 0), int(D(1000) / P)).map(lambda n: D(n) * P)
    parts = strategies(mprog)
    found: list = []

    @_settings(examples, seed)
    @given(parts, points)
    def prop(values, pts):
        if at is not None:
            values[at] = pts
        with runtime._localcontext(runtime.CONTEXT):
            try:
                score = full(values, {}, [])[0][0]
            except (runtime.EvaluationError, ArithmeticError):
                return          # a requirement or a division: reported when the row is scored
        if not (0 <= score <= pts):
            shown = {i.name: v for i, v in zip(mprog.inputs, values)}
            shown.setdefault(pf.name, pts)
            found.append(PropertyFailure("行得分范围 / row score bounds",
                                         f"「{part.indicator.name}」的计分方法「{name}」得分 {fmt_decimal(score)} 超出 "
                                         f"[0, {fmt_decimal(pts)}] / method `{name}` leaves the row's points", shown))
            raise AssertionError
    try:
        prop()
    except AssertionError:
        pass
    return found[-1] if found else None


def _band_consts(e):
    out = []
    if isinstance(e, ir.Const) and isinstance(e.value, Decimal):
        out.append(e.value)
    for attr in ("operands",):
        for x in getattr(e, attr, None) or ():
            out.extend(_band_consts(x))
    for attr in ("left", "right", "operand"):
        x = getattr(e, attr, None)
        if isinstance(x, ir.Expr):
            out.extend(_band_consts(x))
    return out


def _step_up(inp: ir.Input, v):
    if not isinstance(v, Decimal):
        return None
    step = D(1) if inp.kind == "count" else D("0.01") if inp.kind != "rate" else D("0.001")
    nv = v + step
    if inp.hi is not None and (nv > inp.hi or (inp.hi_open and nv == inp.hi)):
        return None
    return nv


def format_failure(f: PropertyFailure, prog: ir.Program, ev: Evaluator) -> str:
    """The failure, the inputs the indicator reads (all inputs for the total), its trace."""
    from ...dsl.source import Span
    from ..api import trace_event
    from ..publish.explain import trace_lines
    from .search import _inputs_used
    lines = [f"✗ 性质 / property {f.prop}: {f.message}"]
    ind = next((i for i in prog.walk() if i.index == f.indicator), None)
    used = _inputs_used(ind) if ind is not None and ind.score is not None else set(f.inputs)
    if f.inputs:
        shown = "，".join(f"{k} = {show_value(v)}" for k, v in f.inputs.items() if k in used)
        lines.append(f"    反例 / counterexample: {shown}")
    if ind is not None:
        paths = {i.index: "/".join(i.path) for i in prog.walk()}

        def span_of(ix):
            if ix is None or ix < 0:
                return None
            a, b, k = ev.spans[ix]
            file = prog.files.get(ev.span_files[k])
            return Span(file, a, b) if file is not None else None
        events = [trace_event(e, paths.get, ev.locals.__getitem__, span_of) for e in f.trace]
        lines.extend("        " + line for line in trace_lines(events, paths[ind.index]))
    return "\n".join(lines)
