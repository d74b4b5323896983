"""Reference interpreter: a tree-walking evaluator of the checked IR.

Written for clarity, not speed, and independent of the code generator: it is the
executable statement of what a rulebook means, against which the generated evaluator is
tested (tests/property/test_differential.py). Semantics, one rule per place:

* arithmetic is exact Decimal under ``runtime.CONTEXT`` (40 digits, half-even, division
  by zero traps); a product with a quotient operand, ``(x ÷ y) × z`` or ``z × (x ÷ y)``,
  is computed as one quotient ``(x × z) ÷ y`` (one rounding step, not two), its
  operands taken in the order x, z, y;
* a local value is computed where it is first needed on the path taken (each indicator's
  rule starts afresh). How often it is computed again is the ``lazy`` mode:
  ``"static"`` (the generated code's rule) computes it again at a later use unless a part
  of the rule that is always evaluated before that use computed it — always evaluated:
  both operands of arithmetic, comparisons' first two operands, the condition of 如果,
  the left operand of 且/或, the arguments of calls and clamps, a 分档's subject and first
  row test, and in the 则 branch of a 如果 whose 且 held (the 否则 branch of a 或 that
  failed) its right operand; not: other branches, rows after the first, the right operand
  of 且/或 elsewhere, a chained comparison's later operands. ``"once"`` computes it at most once per section. A
  local's value never depends on where it is computed, so the modes differ only in the
  trace: a recomputation repeats its events;
* a tier subject is computed when the first comparison row is reached (never, if the
  first row is 否则); rows are tried in order;
* a leaf score is rounded to a multiple of 精度 with the rulebook's rounding; a parent
  without a rule sums its children's rounded scores; 不适用 scores full points
  (``full_points``) or drops the indicator from the total, which is rescaled to 满分
  (``exclude``); an assessed score replaces the rule (and the parent's sum), which is
  then evaluated only to be shown beside it: its rounded score, or None where the case
  lacks an input it reads or the rule fails on it (its events then leave the trace);
* before scoring, each conditional input (仅当) must be given exactly when its condition
  holds, and each 核对 must hold; a pick (人工评定, 评定 A 至 B) is read only where the
  rule reaches it, must lie in its band at the precision, and a pick the rule never
  reached is refused;
* a 加分项 / 扣分项 scores an amount: a parent without a rule adds its 加分项 and deducts
  its 扣分项 (its ordinary children alone count towards 剔除's applicable points);
* 总分 is the sum of the ordinary top-level scores (rescaled under 剔除), then the
  top-level 加分项 added and 扣分项 deducted, then held by the ``总分 = 合计 …`` rule (its
  clamps traced as ``('clamp', -1, …)``); the grade is the first band whose condition
  holds for the rounded (with ``定级 按原始总分`` the unrounded, with ``按取整总分`` the
  whole-number) total, then each 否决 whose condition holds, in order: ``('veto', -1,
  span, before, after)``.

Trace events are the generated ``_full`` function's tuples, each appended when its value
is known (inner events first): ``('let', ind, local_ix, v)``, ``('if', ind, span, taken,
v)``, ``('tier', ind, span, row, v)``, ``('clamp', ind, span, before, after)``,
``('score', ind, raw, rounded)``, ``('sum', ind, v)``, ``('na', ind, v)``,
``('override', ind, computed, v)``. Span numbers are the code generator's (``SPANS`` of the
compiled module), the only thing borrowed from it.
"""
from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal, localcontext

from ...dsl import ir
from ...dsl.ops import ARITH, COMPARE, months_between

from ..backend import runtime

ZERO = Decimal(0)
CMP = COMPARE


def input_table(program: ir.Program) -> tuple:
    """Rows for :func:`runtime.validate`: (name, kind, unit, lo, lo_open, hi, hi_open, members, span)."""
    return tuple(_row(i) for i in program.inputs)


def _row(i: ir.Input) -> tuple:
    members = tuple(_row(f) for f in i.type.fields) if i.kind == "list" else tuple(i.members)
    return (i.name, i.kind, i.type.unit, i.lo, i.lo_open, i.hi, i.hi_open, members, -1)


def optional_inputs(program: ir.Program) -> frozenset:
    """Names of the inputs a case may leave out: conditional inputs and picks."""
    return frozenset(i.name for i in program.inputs if i.optional)


def local_numbering(program: ir.Program) -> dict:
    """id(local) -> its number: rulebook-level locals, then each indicator's, in source order."""
    locs = list(program.globals) + [loc for ind in program.walk() for loc in ind.locals]
    return {id(loc): n for n, loc in enumerate(locs)}


def span_numbering(program: ir.Program) -> tuple[dict, list]:
    """The code generator's span numbers: {(start, end, file number): number} (order of
    first use, as its SPANS) and the file names by number (its SPAN_FILES)."""
    from ..backend.codegen import Gen
    gen = Gen(program)
    gen.module()
    return {sp: i for i, sp in enumerate(gen.spans)}, list(gen.span_files)


def round_to(x: Decimal, step: Decimal, mode: str) -> Decimal:
    """Round ``x`` to a multiple of ``step`` (0.01, 0.5, 10, …) with a rounding mode name."""
    rounding = runtime.ROUNDING_MODES[mode]
    x = runtime.SNAP(x)      # as the generated code: 30 significant digits first
    if step == Decimal(1).scaleb(step.adjusted()):          # a power of ten: keep its digits
        return x.quantize(Decimal(1).scaleb(step.adjusted()), rounding)
    return (x / step).quantize(Decimal(1), rounding) * step


class Interpreter:
    def __init__(self, program: ir.Program, span_ix: dict | None = None, lazy: str = "static"):
        assert lazy in ("static", "once")
        self.prog, self.once = program, lazy == "once"
        self.ran: dict[int, set] = {}     # id(且/或) -> K once its right operand ran (this evaluation)
        self.local_ix = local_numbering(program)
        if span_ix is not None and len(program.files) <= 1:
            self.span_ix, self.span_files = span_ix, [program.source_name]
        else:
            numbers, self.span_files = span_numbering(program)
            self.span_ix = numbers if span_ix is None else span_ix

    def sp(self, span) -> int:
        if span is None or span.file.name not in self.span_files:
            return -1
        return self.span_ix.get((span.start, span.end, self.span_files.index(span.file.name)), -1)

    def emit(self, event):
        if self.T is not None:
            self.T.append(event)
        return event[-1]

    def round(self, x):
        return round_to(x, self.prog.precision, self.prog.rounding)

    # ── one evaluation ──
    def run(self, values: list, overrides: dict | None = None):
        prog, O = self.prog, overrides or {}
        self.values, self.T = list(values), []
        self.ind, self.memo, self.scores = -1, {}, {}
        self.item = {}         # aggregate number -> the item it is looking at
        trace = self.T
        s, r, e = self.scores, {}, {}      # rounded score, raw score, points counted (exclude)
        na = []
        exclude = prog.na_policy == "exclude"
        cur = None
        with localcontext(runtime.CONTEXT):
            try:
                self.case_checks()
                for ind in prog.order():
                    cur, i = ind, ind.index
                    if (ind.sums_with_signs or ind.score is None) and i in O:
                        summed = _signed(ind.children, s) if ind.sums_with_signs else _sum(s[c.index] for c in ind.children)
                        s[i] = r[i] = O[i]
                        e[i] = ind.points
                        self.emit(("override", i, summed, s[i]))
                        continue
                    if ind.sums_with_signs:
                        s[i] = _signed(ind.children, s)
                        r[i] = _signed(ind.children, r)
                        e[i] = _sum(e[c.index] for c in ind.ordinary)
                        self.emit(("sum", i, s[i]))
                        continue
                    if ind.score is None:
                        s[i] = _sum(s[c.index] for c in ind.children)
                        r[i] = _sum(r[c.index] for c in ind.children)
                        e[i] = _sum(e[c.index] for c in ind.children)
                        self.emit(("sum", i, s[i]))
                        continue
                    self.ind, self.memo, self.picked = i, {}, False
                    if i in O:
                        raw = self.emit(("override", i, self.computed(ind), O[i]))
                    else:
                        raw = self.ev(ind.score, set())
                        if ind.pick is not None and not self.picked and self.values[ind.pick.index] is not None:
                            runtime.rated_unused(self.sp(ind.pick.span), ind.name, self.values[ind.pick.index], ind.pick.name)
                    if raw is None:                       # 不适用
                        na.append(i)
                        if exclude:
                            s[i] = r[i] = e[i] = ZERO
                        else:
                            r[i], s[i], e[i] = ind.points, self.round(ind.points), ind.points
                        self.emit(("na", i, s[i]))
                        continue
                    r[i], s[i], e[i] = raw, self.round(raw), ind.points
                    self.emit(("score", i, raw, s[i]))
                    if not ZERO <= s[i] <= ind.points:
                        runtime.out_of_points(self.sp(ind.span), ind.name, s[i], ind.points)
                roots = [x for x in prog.roots if not x.adjusts]
                total = _sum(s[x.index] for x in roots)
                exact = _sum(r[x.index] for x in roots)
                eff = _sum(e[x.index] for x in roots)
                if exclude and na:
                    if not eff:
                        runtime.nothing_applicable()
                    if eff != prog.total:
                        total = self.round(total * prog.total / eff)
                        exact = exact * prog.total / eff
                adjusts = [x for x in prog.roots if x.adjusts]
                if adjusts:           # after rescaling: bonus and penalty are not re-weighted
                    total, exact = _signed(adjusts, s, total), _signed(adjusts, r, exact)
                if prog.total_rule is not None:
                    self.ind, self.memo = -1, {}
                    self.subtotal = total
                    total = self.ev(prog.total_rule, set())
                    self.T, self.subtotal = None, exact
                    exact = self.ev(prog.total_rule, set())
                    self.T = trace
                if prog.grade_on == "exact":
                    self.grade_total = exact
                elif prog.grade_on == "integer":      # 总分取整后定级
                    self.grade_total = total.quantize(Decimal(1), runtime.ROUNDING_MODES[prog.rounding])
                else:
                    self.grade_total = total
                self.T, self.ind, self.memo = None, -1, {}   # band and veto conditions are not traced
                grade = self.grade()
                for v in prog.vetoes:
                    if self.ev(v.cond, set()):
                        before, grade = grade, prog.apply_veto(grade, v)
                        trace.append(("veto", -1, self.sp(v.span), before, grade))
            except ArithmeticError:
                raise runtime.arithmetic_error(self.sp(cur.span) if cur else -1,
                                               cur.name if cur else "?") from None
        scores = tuple(s[ind.index] for ind in sorted(prog.walk(), key=lambda n: n.index))
        return scores, total, grade, na, trace

    def case_checks(self):
        """Conditional inputs given exactly when their condition holds; each 核对 holds."""
        self.ind, self.memo = -1, {}
        for inp in self.prog.inputs:
            if inp.only_if is not None:
                cond = " ".join(inp.only_if.span.text().split()) if inp.only_if.span else "?"
                holds = self._quiet(inp.only_if)
                runtime.present(self.values[inp.index], holds, self.sp(inp.span), inp.name, cond)
        for v in self.prog.verifies:
            if not self._quiet(v.cond):
                shown = tuple((x.name, self.values[x.index], x.type.unit) for x in ir.inputs_read(v.cond))
                runtime.verify_failed(self.sp(v.span), v.message, shown)

    def _quiet(self, e):
        """A condition's value, not traced (as the generated code computes them)."""
        T, self.T = self.T, None
        try:
            return self.ev(e, set())
        finally:
            self.T = T

    def computed(self, ind: ir.Indicator):
        """What the rule of an indicator with an assessed score gives: its rounded score,
        or None (an input it reads missing, 不适用, or an error of the rule on this case)."""
        if any(self.values[x.index] is None for x in ir.inputs_read(ind.score) if not x.optional):
            return None
        n = len(self.T)
        try:
            v = self.ev(ind.score, set())
            return None if v is None else self.round(v)
        except (runtime.EvaluationError, ArithmeticError):
            del self.T[n:]
            return None

    def grade(self):
        for band in self.prog.grades:
            if band.cond is None or self.ev(band.cond, set()):
                return band.name
        span = self.prog.grades[0].span if self.prog.grades else None
        runtime.no_grade(self.sp(span), self.grade_total)

    def _surely_ran(self, cond, value: bool) -> set:
        """The locals computed whenever ``cond`` came out ``value``: both operands of a 且
        that held, of a 或 that failed (the generated code knows as much)."""
        if not isinstance(cond, ir.Logic) or (cond.op == "and") != value:
            return set()
        return set(self.ran.get(id(cond), ())) | self._surely_ran(cond.left, value) | self._surely_ran(cond.right, value)

    # ── expressions; K: locals known to be computed (see ``lazy``), copied into branches ──
    def ev(self, e: ir.Expr, K: set):
        if isinstance(e, ir.Const):
            return e.value
        if isinstance(e, ir.InputRef):
            return self.values[e.input.index]
        if isinstance(e, ir.LocalRef):
            n = self.local_ix[id(e.local)]
            if n in self.memo if self.once else n in K:
                return self.memo[n]
            v = self.ev(e.local.expr, K)
            K.add(n)
            self.memo[n] = v
            return self.emit(("let", self.ind, n, v))
        if isinstance(e, ir.ScoreRef):
            return self.scores[e.indicator.index]
        if isinstance(e, ir.TotalRef):
            return self.grade_total
        if isinstance(e, ir.SubtotalRef) and e.indicator is not None:
            return _signed(e.indicator.children, self.scores)
        if isinstance(e, ir.SubtotalRef):
            return self.subtotal
        if isinstance(e, ir.NotApplicable):
            return None
        if isinstance(e, ir.Rated):
            v = runtime.rated(self.values[e.pick.index], e.lo.value, e.hi.value, self.prog.precision, self.sp(e.span),
                              e.indicator.name, e.band(), *e.where_texts(), e.pick.name)
            self.picked = True
            return v
        if isinstance(e, ir.Unscorable):
            name = next((n.name for n in self.prog.walk() if n.index == self.ind), "?")
            runtime.unscorable(self.sp(e.span), name, e.reason)
        if isinstance(e, ir.BinOp):
            return self.binop(e, K)
        if isinstance(e, ir.Neg):
            return -self.ev(e.operand, K)
        if isinstance(e, ir.Compare):
            a = self.ev(e.operands[0], K)
            for n, (op, o) in enumerate(zip(e.ops, e.operands[1:])):
                b = self.ev(o, K if n == 0 else set(K))
                if not CMP[op](a, b):
                    return False
                a = b
            return True
        if isinstance(e, ir.Logic):
            a = self.ev(e.left, K)
            if a if e.op == "or" else not a:
                return a
            ran = set(K)
            v = self.ev(e.right, ran)
            self.ran[id(e)] = ran
            return v
        if isinstance(e, ir.Not):
            return not self.ev(e.operand, K)
        if isinstance(e, ir.If):
            taken = bool(self.ev(e.cond, K))
            v = self.ev(e.then if taken else e.else_, set(K) | self._surely_ran(e.cond, taken))
            return self.emit(("if", self.ind, self.sp(e.span), taken, v))
        if isinstance(e, ir.Clamp):
            x = self.ev(e.operand, K)
            bound = ZERO if e.kind == "floor_zero" else self.ev(e.bound, K)
            y = min(x, bound) if e.kind in ("capped", "at_most") else max(x, bound)
            return self.emit(("clamp", self.ind, self.sp(e.span), x, y))
        if isinstance(e, ir.Call):
            return self.call(e, K)
        if isinstance(e, ir.Tiers):
            return self.tiers(e, K)
        if isinstance(e, ir.Convert):
            return self.ev(e.operand, K) * e.factor
        if isinstance(e, ir.FieldRef):
            return self.item[e.var][e.pos]
        if isinstance(e, ir.Aggregate):
            return self.aggregate(e, K)
        raise AssertionError(type(e))

    def aggregate(self, e: ir.Aggregate, K):
        """Over the list's items: first every item's condition (each item computes the
        locals it needs afresh), then the value of each item that met it, then, for an
        empty 最大/最小, its default."""
        items = self.ev(e.items, K)
        matched = []
        for it in items:
            self.item[e.var] = it
            if e.cond is None or self.ev(e.cond, set(K)):
                matched.append(it)
        matched = tuple(matched)
        values = []
        for it in matched:
            self.item[e.var] = it
            if e.value is not None:
                values.append(self.ev(e.value, set(K)))
        f = e.func
        if f == "count":
            v = Decimal(len(matched))
        elif f == "sum":
            v = ZERO
            for x in values:
                v = v + x
        elif f == "any":
            v = len(matched) > 0
        elif f == "all":
            v = len(matched) == len(items)
        elif values:
            v = values[0]
            for x in values[1:]:
                if (x > v) if f == "max" else (x < v):
                    v = x
        elif e.default is not None:
            v = self.ev(e.default, set(K))
        else:
            runtime.no_items(self.sp(e.span), e.items.input.name)
        return self.emit(("agg", self.ind, self.sp(e.span), matched, v))

    def binop(self, e: ir.BinOp, K):
        l, r = e.left, e.right
        if e.op == "*" and isinstance(l, ir.BinOp) and l.op == "/":     # (x ÷ y) × z
            x, z, y = self.ev(l.left, K), self.ev(r, K), self.ev(l.right, K)
            return (x * z) / y
        if e.op == "*" and isinstance(r, ir.BinOp) and r.op == "/":     # z × (x ÷ y)
            z, x, y = self.ev(l, K), self.ev(r.left, K), self.ev(r.right, K)
            return (z * x) / y
        a, b = self.ev(l, K), self.ev(r, K)
        return ARITH[e.op](a, b)

    def call(self, e: ir.Call, K):
        f = e.func
        if f == "size":
            return Decimal(len(e.args[0].type.members))
        if f == "require":
            if not self.ev(e.args[0], K):
                call, params = e.args[3].value
                known = set(K)
                shown = tuple((p, a, (lambda x=x: self._shown(x, known)), u) for (p, a, u), x in zip(params, e.args[4:]))
                runtime._fail(e.args[1].value, self.sp(e.span), call, shown)
            return self.ev(e.args[2], K)
        args = [self.ev(a, K) for a in e.args]
        if f == "min":
            return min(args)
        if f == "max":
            return max(args)
        a = args[0]
        if f == "ceil":
            return a.to_integral_value(ROUND_CEILING)
        if f == "floor":
            return a.to_integral_value(ROUND_FLOOR)
        if f == "abs":
            return abs(a)
        if f == "count":
            return Decimal(sum(1 for x in a if x))
        if f == "all":
            return all(a)
        if f == "any":
            return any(a)
        if f in ("points_met", "points_unmet"):
            met = f == "points_met"
            return sum((w for w, ok in zip(e.args[0].type.weights, a) if ok == met), ZERO)
        if f == "item":
            return a[int(args[1])]
        if f == "months":
            return months_between(a, args[1])
        raise AssertionError(f)

    def tiers(self, t: ir.Tiers, K):
        subject = _UNSET = object()
        Kfirst = K                   # what the first row's test computed is known to later rows
        for n, row in enumerate(t.rows):
            Kr = Kfirst if n == 0 else set(Kfirst)
            if row.kind == "else":
                hit = True
            elif row.kind == "cond":
                hit = self.ev(row.key, Kr)
            else:
                if subject is _UNSET:
                    subject = self.ev(t.subject, Kr)
                hit = CMP[row.op or "=="](subject, self.ev(row.key, Kr))
            if hit:
                return self.emit(("tier", self.ind, self.sp(row.span), n, self.ev(row.value, set(Kr))))
        what = t.subject.span.text() if t.subject is not None and t.subject.span else "分档"
        runtime.no_tier(self.sp(t.span), what, None if subject is _UNSET else subject)


    def _shown(self, x, known):
        T, self.T = self.T, None          # values shown in a message are not traced
        try:
            return self.ev(x, set(known))
        finally:
            self.T = T


def _signed(children, scores, start=None):
    """``start`` (if any) plus the children's scores, a 扣分项's deducted, in order."""
    total = start
    for c in children:
        v = scores[c.index]
        total = (v if c.sign > 0 else -v) if total is None else (total + v if c.sign > 0 else total - v)
    return ZERO if total is None else total


def _sum(xs):
    total = None
    for x in xs:
        total = x if total is None else total + x
    return ZERO if total is None else total


def interpret(program: ir.Program, values: list, overrides: dict | None = None, *,
              span_ix: dict | None = None, lazy: str = "static"):
    """Score validated input ``values`` (in declaration order) with optional assessed scores
    ``overrides`` (indicator index -> Decimal). Returns ``(scores, total, grade, na, trace)``:
    scores indexed by indicator index, the not-applicable indices in evaluation order."""
    return Interpreter(program, span_ix, lazy).run(values, overrides)


def validate(program: ir.Program, inputs) -> list:
    """Raw mapping name -> value  ->  validated values in declaration order (runtime rules)."""
    return runtime.validate(inputs, input_table(program), optional_inputs(program))
