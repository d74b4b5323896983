"""Score bounds, divisions by a possible zero, tier coverage and attainability.

An abstract interpretation of each rule over intervals (dsl.checks.intervals). The
environment maps inputs and locals to intervals refined by the conditions on the path
(``如果 上年数 = 0 则 不适用 否则 …`` makes 上年数 > 0 in the else branch).
"""
from __future__ import annotations

from decimal import Decimal, localcontext

from .. import ir
from ..diagnostics import Label, make, tr
from ..builtins import AGGREGATE_ZH
from ..ops import ROUNDING, may_be_na, months_between
from ..ir import DATE_MAX, DATE_MIN, date_text, fmt_decimal
from . import intervals as iv
from .intervals import Interval
from .refine import Refine

D0 = Decimal(0)


class Bounds(Refine):
    def __init__(self, prog: ir.Program):
        self.prog = prog
        self.diags = []
        self.reported = set()
        self.ranges: dict[int, Interval] = {}   # indicator index -> proven score interval
        self.unproven: dict[int, object] = {}   # indicator index -> its E0501 diagnostic
        self.row_ranges: dict[int, Interval] = {}   # id(tier row) -> the range of its value, where it applies

    # ── environment ──
    def base(self, obj) -> Interval:
        if isinstance(obj, ir.Input) and obj.cohort is not None:
            return self._cohort(obj.cohort)
        if isinstance(obj, ir.Input):
            if obj.type.kind == "date":
                # a date is a whole number of days, within the calendar
                return Interval(DATE_MIN if obj.lo is None else obj.lo, DATE_MAX if obj.hi is None else obj.hi,
                                obj.lo_open, obj.hi_open, True)
            if obj.type.kind == "list":
                return Interval(D0, obj.hi, integer=True)      # its number of items
            if obj.type.kind != "num":
                return iv.TOP
            return Interval(obj.lo, obj.hi, obj.lo_open, obj.hi_open, obj.kind == "count")
        return iv.TOP

    def _cohort(self, st: ir.CohortStat) -> Interval:
        """A statistic of the cohort: a rank or a count is a whole number ≥ 1, a rank's
        position a share in (0, 100%]; an average, median, highest or lowest value lies
        within the values the units can have."""
        if st.func in ("rank", "count"):
            return Interval(Decimal(1), None, integer=True)
        if st.func == "position":
            return Interval(D0, Decimal(1), True, False)
        if st.fallback_of is not None:
            return Interval(D0, st.fallback_of.points)
        return self.ev(st.subject, {})

    def get(self, env, obj) -> Interval:
        if id(obj) in env:
            return env[id(obj)]
        if isinstance(obj, ir.Local):
            # a local's range, once per environment (environments are never changed once
            # made): without this, locals that use the one before twice (v2 = v1 × v1, …)
            # cost 2^n evaluations. The env is kept with the entry, so its id is not reused.
            cache = self.__dict__.setdefault("_local_ranges", {})
            key = (id(obj), id(env))
            hit = cache.get(key)
            if hit is not None and hit[0] is env:
                return hit[1]
            out = self.ev(obj.expr, env)
            if len(cache) > 200_000:
                cache.clear()
            cache[key] = (env, out)
            return out
        return self.base(obj)

    def var(self, e: ir.Expr, env):
        """(key, current interval) for an expression the analysis can narrow, else None."""
        if isinstance(e, ir.InputRef) and e.input.type.kind in ("num", "date"):
            return id(e.input), self.get(env, e.input)
        if isinstance(e, ir.LocalRef):
            return id(e.local), self.get(env, e.local)
        if isinstance(e, ir.FieldRef):
            return id(e.field), self.get(env, e.field)
        if isinstance(e, ir.Aggregate) and e.func == "count" and isinstance(e.items, ir.InputRef):
            key = self._count_key(e)
            return key, env.get(key, self.base(e.items.input))
        if isinstance(e, ir.Call) and e.func == "count" and isinstance(e.args[0], ir.InputRef):
            key = ("count", id(e.args[0].input))
            n = Decimal(len(e.args[0].type.members))
            return key, env.get(key, Interval(D0, n, integer=True))
        return None

    # ── lists ──
    def _count_key(self, e: ir.Aggregate):
        """The narrowing key of 计数(L) (its number of items) or of 计数(L, c)."""
        if e.cond is None:
            return ("len", id(e.items.input))
        return ("count", id(e.items.input), _shape(e.cond))

    def _count_of(self, e: ir.Aggregate, cond) -> ir.Expr:
        """``计数(L, cond) ≥ 1`` as a condition to narrow by."""
        cnt = ir.Aggregate("count", e.items, e.var, None, cond, type=ir.Type("num", "项"))
        return ir.Compare([cnt, ir.Const(Decimal(1), type=ir.Type("num"))], [">="], type=ir.BOOL)

    def _items(self, e: ir.Aggregate, env) -> Interval:
        """How many items the aggregate's list has (or has meeting its condition)."""
        if not isinstance(e.items, ir.InputRef):
            return Interval(D0, None, integer=True)
        n = env.get(("len", id(e.items.input)), self.base(e.items.input))
        if e.cond is not None:
            got = env.get(self._count_key(e))
            return got if got is not None else Interval(D0, n.hi, n.lo_open, n.hi_open, True)
        return n

    def aggregate(self, e: ir.Aggregate, env) -> Interval:
        self.ev(e.items, env)
        if e.cond is not None:
            self.ev(e.cond, env)
        if e.func == "count":
            v = self.var(e, env)
            return v[1] if v is not None else Interval(D0, None, integer=True)
        if e.func in ("any", "all"):
            return iv.TOP
        venv = self.refine_env(env, e.cond, True) if e.cond is not None else env
        v = self.ev(e.value, venv)
        n = self._items(e, env)
        if e.func == "sum":
            return _scaled(v, n)
        can_be_empty = n.lo is None or n.lo <= 0
        out = v
        if e.default is not None:
            if can_be_empty:
                out = iv.hull(v, self.ev(e.default, env))
        elif can_be_empty and ("E0520", id(e)) not in self.reported:
            self.reported.add(("E0520", id(e)))
            name = e.items.input.name if isinstance(e.items, ir.InputRef) else (e.items.span.text() if e.items.span else "?")
            fz = AGGREGATE_ZH[e.func]
            self.diags.append(make("E0520", [Label(e.span, tr("列表为空时无值", "no value for an empty list"))], name=name,
                                   func=fz, helps=[tr(f"给出空列表时的值：{fz}(…, 0)，或写 如果 计数({name}) > 0 则 … 否则 …",
                                                      f"give the value for an empty list as the last argument, e.g. "
                                                      f"`{e.func}(…, 0)`, or guard it: `if count({name}) > 0 then … else …`")]))
        return out

    # ── evaluation over intervals ──
    def ev(self, e: ir.Expr, env) -> Interval:
        if isinstance(e, ir.Const):
            return Interval.point(e.value) if isinstance(e.value, Decimal) else iv.TOP
        if isinstance(e, ir.InputRef):
            return self.get(env, e.input)
        if isinstance(e, ir.LocalRef):
            return self.get(env, e.local)
        if isinstance(e, ir.ScoreRef):
            return self.ranges.get(e.indicator.index, Interval(D0, e.indicator.points))
        if isinstance(e, ir.TotalRef):
            return Interval(*self.prog.total_range())
        if isinstance(e, ir.SubtotalRef) and e.indicator is not None:
            return _signed_sum_range(self, e.indicator)
        if isinstance(e, ir.SubtotalRef):
            lo = -sum((r.points for r in self.prog.roots if r.kind == "penalty"), D0)
            return Interval(lo, self.prog.total + sum((r.points for r in self.prog.roots if r.kind == "bonus"), D0))
        if isinstance(e, ir.NotApplicable):
            return Interval(D0, D0, True, True)   # empty: contributes nothing
        if isinstance(e, ir.PeerScore):           # an average of the indicator's own scores
            return Interval(D0, e.indicator.points)
        if isinstance(e, ir.Rated):               # the pick is checked to lie in its band
            return Interval(e.lo.value, e.hi.value)
        if isinstance(e, ir.Unscorable):
            return Interval(D0, D0, True, True)   # no score: an evaluation error
        if isinstance(e, ir.BinOp):
            a, b = self.ev(e.left, env), self.ev(e.right, env)
            if e.op == "+":
                return iv.add(a, b)
            if e.op == "-":
                out = iv.sub(a, b)
                ka, kb = self.var(e.left, env), self.var(e.right, env)
                if ka is not None and kb is not None:
                    if ("diff", ka[0], kb[0]) in env:
                        f = env[("diff", ka[0], kb[0])]
                        out = iv.meet(out, f.lo, f.hi, f.lo_open, f.hi_open)
                    elif ("diff", kb[0], ka[0]) in env:
                        f = iv.neg(env[("diff", kb[0], ka[0])])
                        out = iv.meet(out, f.lo, f.hi, f.lo_open, f.hi_open)
                return out
            if e.op == "*":
                return iv.mul(a, b)
            if b.contains(D0):
                self._div_zero(e)
            return iv.div(a, b)
        if isinstance(e, ir.Neg):
            return iv.neg(self.ev(e.operand, env))
        if isinstance(e, ir.Convert):
            # a positive power of ten: exact, and open ends stay open (预算 > 0 in 元 is > 0 in 万元)
            x = self.ev(e.operand, env)
            f = e.factor
            return Interval(None if x.lo is None else x.lo * f, None if x.hi is None else x.hi * f, x.lo_open,
                            x.hi_open, x.integer and f == f.to_integral_value())
        if isinstance(e, ir.FieldRef):
            return self.get(env, e.field)
        if isinstance(e, ir.Aggregate):
            return self.aggregate(e, env)
        if isinstance(e, ir.Call) and e.func in ("points_met", "points_unmet"):
            self.ev(e.args[0], env)
            return Interval(D0, sum(e.args[0].type.weights, D0))
        if isinstance(e, ir.Call) and e.func == "months":
            a, b = (self.ev(x, env) for x in e.args)
            if None in (a.lo, a.hi, b.lo, b.hi) or a.empty or b.empty:
                return Interval(integer=True)
            lo_a, hi_a = max(a.lo, DATE_MIN), min(a.hi, DATE_MAX)
            lo_b, hi_b = max(b.lo, DATE_MIN), min(b.hi, DATE_MAX)
            if lo_a > hi_a or lo_b > hi_b:
                return Interval(integer=True)
            # whole months grow with the later date and shrink as the earlier one grows
            return Interval(months_between(hi_a, lo_b), months_between(lo_a, hi_b), integer=True)
        if isinstance(e, ir.Call):
            if e.func == "require":       # the value is used only where the requirement holds
                self.ev(e.args[0], env)
                return self.ev(e.args[2], self.refine_env(env, e.args[0], True))
            if e.func in ("min", "max"):
                vals = [self.ev(a, env) for a in e.args]
                out = vals[0]
                for v in vals[1:]:
                    out = iv.minimum(out, v) if e.func == "min" else iv.maximum(out, v)
                return out
            if e.func == "ceil":
                return iv.ceil(self.ev(e.args[0], env))
            if e.func == "floor":
                return iv.floor(self.ev(e.args[0], env))
            if e.func == "abs":
                return iv.absolute(self.ev(e.args[0], env))
            if e.func == "count":
                v = self.var(e, env)
                if v is not None:
                    return v[1]
            if e.func in ("count", "size"):
                n = Decimal(len(e.args[0].type.members))
                return Interval(D0 if e.func == "count" else n, n, integer=True)
            for a in e.args:
                self.ev(a, env)
            return iv.TOP
        if isinstance(e, ir.Clamp):
            x = self.ev(e.operand, env)
            if e.kind == "floor_zero":
                return iv.maximum(x, Interval.point(D0)) if not x.empty else x
            b = self.ev(e.bound, env)
            if e.kind in ("capped", "at_most"):
                return iv.minimum(x, b) if not x.empty else x
            return iv.maximum(x, b) if not x.empty else x
        if isinstance(e, ir.If):
            self.ev(e.cond, env)
            a = self.ev(e.then, self.refine_env(env, e.cond, True))
            b = self.ev(e.else_, self.refine_env(env, e.cond, False))
            return iv.hull(a, b)
        if isinstance(e, ir.Tiers):
            return self.tiers(e, env)
        if isinstance(e, ir.Compare):
            for o in e.operands:
                self.ev(o, env)
            for a, op, b in zip(e.operands, e.ops, e.operands[1:]):
                self._checklist_size(a, op, b, e.span)
            return iv.TOP
        if isinstance(e, ir.Logic):
            self.ev(e.left, env)
            self.ev(e.right, self.refine_env(env, e.left, e.op == "and"))
            return iv.TOP
        if isinstance(e, ir.Not):
            self.ev(e.operand, env)
            return iv.TOP
        return iv.TOP

    def tiers(self, t: ir.Tiers, env) -> Interval:
        out = Interval(D0, D0, True, True)  # empty
        if t.subject is not None:
            self.ev(t.subject, env)
        numeric = t.subject is not None and t.subject.type.kind in ("num", "date")
        remaining = self.ev(t.subject, env) if numeric else None
        members = None
        if t.subject is not None and t.subject.type.kind == "enum":
            members = list(t.subject.type.members)
        elif t.subject is not None and t.subject.type.kind == "bool":
            members = [True, False]
        covered = False
        prev_value = None
        for row in t.rows:
            val = row.value.value if isinstance(row.value, ir.Const) else None
            if row.kind != "else" and val is not None and val == prev_value:
                self.diags.append(make("W0502", [Label(row.span, tr("与上一档得分相同", "same score as the row above"))],
                                       value=fmt_decimal(val)))
            prev_value = val if row.kind != "else" else None
            if covered:
                self.diags.append(make("W0501", [Label(row.span, tr("此行永远取不到", "this row is never reached"))]))
                continue
            if row.kind == "cond" and isinstance(row.key, ir.Compare) and len(row.key.ops) == 1:
                hit = self.refine_env(env, row.key, True)
                dead = any(isinstance(v, Interval) and v.empty for v in hit.values())
                self._checklist_size(row.key.operands[0], row.key.ops[0], row.key.operands[1], row.key.span, dead)
                if dead:
                    self.diags.append(make("W0501", [Label(row.span, tr("此行永远取不到", "this row is never reached"))]))
                    env = self.refine_env(env, row.key, False)
                    continue
            elif row.kind in ("cmp", "eq") and t.subject is not None:
                pre = remaining
                self._checklist_size(t.subject, row.op or "==", row.key, row.key.span,
                                     pre is not None and iv.refine(pre, row.op or "==", self._point(row.key, env) or D0).empty)
            renv = env
            if row.kind == "else":
                covered = True
            elif row.kind == "cond":
                renv = self.refine_env(env, row.key, True)
                self.ev(row.key, env)
                env = self.refine_env(env, row.key, False)
            elif numeric and self._point(row.key, env) is not None:
                op = row.op or "=="
                c = self._point(row.key, env)
                if remaining is not None:
                    hit = iv.refine(remaining, op, c)
                    if hit.empty:
                        self.diags.append(make("W0501", [Label(row.span, tr("此行永远取不到", "this row is never reached"))]))
                        continue   # its score is never given: it does not count towards the range
                    remaining = iv.refine(remaining, op, c, negate=True)
                    if remaining.empty:
                        covered = True
                renv = self._narrow(env, t.subject, op, c, True)
                env = self._narrow(env, t.subject, op, c, False)
            elif members is not None and isinstance(row.key, ir.Const):
                if (row.op or "==") == "==":
                    if row.key.value in members:
                        members.remove(row.key.value)
                    if not members:
                        covered = True
            value = self.ev(row.value, renv)
            self.row_ranges[id(row)] = value
            out = iv.hull(out, value)
        if not covered:
            example = ""
            if remaining is not None and not remaining.empty:
                shown = remaining.text()
                if t.subject.type.unit == "%":
                    shown = _percent_text(remaining)
                elif t.subject.type.kind == "date":
                    shown = _date_range_text(remaining)
                example = f"{t.subject.span.text() if t.subject.span else '?'} ∈ {shown}"
            elif members:
                example = f"{t.subject.span.text()} = {members[0]}"
            labels = [Label(t.span.__class__(t.span.file, t.span.start, t.span.start + 2), "")]
            self.diags.append(make("E0506", labels, notes=[tr(f"例如：{example}", f"for example: {example}")] if example else []))
        return out

    def _checklist_size(self, a, op, b, span, unreachable=False):
        """``符合数(清单) = 3`` on a two-item checklist: the rule was written for another table."""
        if isinstance(b, ir.Call) and not isinstance(a, ir.Call):
            a, b = b, a
            op = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}[op]
        if not (isinstance(a, ir.Call) and a.func == "count" and isinstance(a.args[0], ir.InputRef)):
            return
        c = self._point(b, {})
        if c is None:
            return
        inp = a.args[0].input
        n = Decimal(len(inp.type.members))
        beyond = (op in ("==", ">=") and c > n) or (op == ">" and c >= n)
        if beyond:
            what_zh, what_en = f"条件「{span.text()}」永远不成立", f"`{span.text()}` never holds"
        elif unreachable and op in ("==", ">=") and c == n:
            what_zh = f"「符合{fmt_decimal(c)}项」即「全部符合」，此行与前面的行重复"
            what_en = f"meeting {fmt_decimal(c)} items is meeting all of them, which an earlier row already takes"
        else:
            return
        key = ("W0504", span.start)
        if key in self.reported:
            return
        self.reported.add(key)
        self.diags.append(make("W0504", [Label(span, ""), Label(inp.span, tr(f"{len(inp.type.members)} 项", f"{len(inp.type.members)} items"), False)],
                               name=inp.name, n=len(inp.type.members), what_zh=what_zh, what_en=what_en))

    def _rounded(self, r: Interval) -> Interval:
        """Rounding to the precision is monotone: the rounded range is [round(lo), round(hi)]."""
        mode = ROUNDING[self.prog.rounding]
        step = self.prog.precision

        def rnd(x, widen):
            if x is None:
                return None
            if x.adjusted() - step.adjusted() > 90:     # beyond exact rounding here: one step wider is sound
                return x + widen * step
            with localcontext() as ctx:
                ctx.prec = 100
                return (x / step).quantize(Decimal(1), rounding=mode) * step
        return Interval(rnd(r.lo, -1), rnd(r.hi, 1), False, False, r.integer)

    def _signed_sum(self, ind: ir.Indicator):
        """A node with 加分项 / 扣分项 and no rule: Σ ordinary + Σ bonus − Σ penalty must stay
        within [0, points], or the node says how it holds (得分 = 合计 不加分 扣完为止)."""
        rng = _signed_sum_range(self, ind)
        if not rng.within(D0, ind.points):
            labels = [Label(ind.name_span, tr(f"可达 {rng.text()}", f"ranges over {rng.text()}"))]
            labels += [Label(c.name_span, tr(f"{'加分' if c.kind == 'bonus' else '扣分'}最多 {fmt_decimal(c.points)} 分",
                                             f"{c.kind} of at most {fmt_decimal(c.points)}"), False)
                       for c in ind.children if c.adjusts]
            self.diags.append(make("E0521", labels, name=ind.name, points=fmt_decimal(ind.points), range=rng.text(),
                                   helps=[tr("写明如何保持在分值之内，例如「得分 = 合计 不加分 扣完为止」",
                                             "say how it stays within its points, e.g. `得分 = 合计 不加分 扣完为止`")]))
            rng = iv.meet(rng, lo=D0, hi=ind.points)
        self.ranges[ind.index] = rng

    def _div_zero(self, e: ir.BinOp):
        key = id(e)
        if key in self.reported:
            return
        self.reported.add(key)
        divisor = e.right.span.text() if e.right.span else "?"
        labels = [Label(e.right.span, tr("可能为 0", "may be 0"))]
        helps = []
        inputs = {x.input.name: x.input for x in ir.walk(e.right, into_locals=True) if isinstance(x, ir.InputRef)}
        for inp in inputs.values():
            if inp.span is not None and inp.type.kind == "num":
                labels.append(Label(inp.span, tr("声明于此：可写「> 0」", "declared here: `> 0` would rule 0 out"), False))
        if len(inputs) == 1:
            (inp,) = inputs.values()
            helps.append(tr(f"若「{inp.name}」不会为 0，在声明后加「> 0」；否则在规则中处理（如果 {inp.name} = 0 则 不适用 否则 …）",
                            f"if `{inp.name}` is never 0, add `> 0` to its declaration; otherwise handle 0 in the rule "
                            f"(`如果 {inp.name} = 0 则 不适用 否则 …`)"))
        self.diags.append(make("E0504", labels, divisor=divisor, helps=helps))

    def _out_of_points(self, ind: ir.Indicator, rng: Interval):
        """E0501's labels and help: on a tier table, the rows whose score leaves [0, points]
        (the fix is usually the row's score or the points, not a clamp); else the rule."""
        P = ind.points
        rows = []
        for t in (x for x in ir.walk(ind.score) if isinstance(x, ir.Tiers)):
            for row in t.rows:
                r = self.row_ranges.get(id(row))
                if r is not None and not r.empty and not self._rounded(r).within(D0, P):
                    rows.append((row, r))
        if not rows:
            return ([Label(ind.score.span, tr(f"可达 {rng.text()}", f"ranges over {rng.text()}"))],
                    [tr("扣分写「扣完为止」，加分写「不加分」或 min(…, 满分)", "write `扣完为止` for deductions, `不加分` or min(…) for caps")])
        def caption(r):
            if r.lo is not None and r.lo == r.hi:
                return tr(f"此档得 {fmt_decimal(r.lo)} 分，分值只有 {fmt_decimal(P)}", f"this row gives {fmt_decimal(r.lo)}, the points are {fmt_decimal(P)}")
            return tr(f"此档可得 {r.text()}", f"this row gives {r.text()}")
        labels = [Label(row.span, caption(r), i == 0) for i, (row, r) in enumerate(rows)]
        constant = all(r.lo == r.hi for _, r in rows)
        if constant:
            helps = [tr(f"此档得分超出分值 {fmt_decimal(P)}：改正此档得分，或指标的分值",
                        f"the row's score is beyond the points {fmt_decimal(P)}: correct the row's score, or the indicator's points")]
        else:
            helps = [tr("此档的计算可能超出分值：扣分写「扣完为止」，封顶写「不加分」或 min(…, 分值)",
                        "this row's formula can leave the points: write `扣完为止` for deductions, `不加分` or min(…) for caps")]
        return labels, helps

    # ── driver ──
    def run(self, owners: dict | None = None):
        """The diagnostics of every rule; ``owners`` (if given) gets, for each diagnostic
        found in an indicator's rule, id(diagnostic) -> that indicator (a finding inside an
        expanded method is then shown at that indicator's call)."""
        for loc in self.prog.globals:
            self.ev(loc.expr, {})
        # the data's checks (核对) and the conditions of conditional inputs divide too
        for e in [v.cond for v in self.prog.verifies] + [i.only_if for i in self.prog.inputs if i.only_if is not None]:
            self.ev(e, {})
        for ind in self.prog.order():
            start = len(self.diags)
            self._indicator(ind)
            if owners is not None:
                owners.update((id(d), ind) for d in self.diags[start:])
        for v in self.prog.vetoes:
            self.ev(v.cond, {})         # a veto's condition divides safely too (E0504)
        return self.diags

    def _indicator(self, ind: ir.Indicator):
        for loc in ind.locals:
            if loc.used:
                continue   # analysed where it is used, under that path's conditions
            self.ev(loc.expr, {})
        if ind.broken:
            self.ranges[ind.index] = Interval(D0, ind.points)
            return
        if ind.sums_with_signs:
            self._signed_sum(ind)
            return
        if ind.score is None:
            # a parent sums its children's rounded scores
            lo = sum((self.ranges.get(c.index, Interval(D0, c.points)).lo or D0) for c in ind.children)
            hi = sum((self.ranges.get(c.index, Interval(D0, c.points)).hi or c.points) for c in ind.children)
            self.ranges[ind.index] = Interval(lo, min(hi, ind.points) if hi is not None else ind.points)
            return
        div_before = sum(d.code == "E0504" for d in self.diags)
        r = self.ev(ind.score, {})
        rng = r if not r.empty else Interval(D0, D0)
        if may_be_na(ind.score):
            # not applicable scores the points (计满分) or counts as 0 (剔除)
            rng = iv.hull(rng, Interval.point(ind.points if self.prog.na_policy != "exclude" else D0))
        # what other rules read, and what is shown, is the score rounded to 精度
        rng = self._rounded(rng)
        if sum(d.code == "E0504" for d in self.diags) > div_before:
            # a possible division by zero already explains an unbounded score
            self.ranges[ind.index] = Interval(D0, ind.points)
            return
        if not rng.within(D0, ind.points):
            labels, helps = self._out_of_points(ind, rng)
            if ind.adjusts and not ind.at_most and (rng.hi is None or rng.hi > ind.points):
                word = "加分项" if ind.kind == "bonus" else "扣分项"
                helps = [tr(f"{'加' if ind.kind == 'bonus' else '扣'}分须有上限：在表头写「最多」，如「{word} {ind.name} 最多 {fmt_decimal(ind.points)}分:」",
                            f"a {ind.kind} needs its cap: write `最多` (at most) in its header, `{word} {ind.name} 最多 {fmt_decimal(ind.points)}分:`")]
            d = make("E0501", labels, helps=helps, name=ind.name, points=fmt_decimal(ind.points), range=rng.text())
            self.diags.append(d)
            self.unproven[ind.index] = d
            rng = iv.meet(rng, lo=D0, hi=ind.points)
        elif rng.hi is not None and rng.hi < ind.points:
            self.diags.append(make("W0503", [Label(ind.score.span, tr(f"最高 {fmt_decimal(rng.hi)} 分", f"at most {fmt_decimal(rng.hi)}"))],
                                   name=ind.name, points=fmt_decimal(ind.points), best=fmt_decimal(rng.hi)))
        elif rng.lo is not None and rng.lo > 0:
            self.diags.append(make("I0502", [Label(ind.score.span, tr(f"最低 {fmt_decimal(rng.lo)} 分", f"at least {fmt_decimal(rng.lo)}"))],
                                   name=ind.name, low=fmt_decimal(rng.lo)))
        self.ranges[ind.index] = rng


def _signed_sum_range(b: "Bounds", ind: ir.Indicator) -> Interval:
    lo = hi = D0
    for c in ind.children:
        r = b.ranges.get(c.index, Interval(D0, c.points))
        clo = r.lo if r.lo is not None else D0
        chi = r.hi if r.hi is not None else c.points
        if c.sign > 0:
            lo, hi = lo + clo, hi + chi
        else:
            lo, hi = lo - chi, hi - clo
    return Interval(lo, hi)


def _scaled(v: Interval, n: Interval) -> Interval:
    """The sum of between n.lo and n.hi values each in ``v`` (合计 over a list)."""
    if v.empty:
        return Interval(D0, D0)
    nlo = n.lo if n.lo is not None and n.lo > 0 else D0
    nhi = n.hi

    def end(x, is_lo):
        if x is None:
            return None
        if (x < 0) == is_lo:        # a negative low end (or a positive high end) grows with n
            return None if nhi is None else x * nhi
        return x * nlo
    return Interval(end(v.lo, True), end(v.hi, False), integer=v.integer)


def _shape(e) -> tuple:
    """A structural key of a condition: the same test written twice (in 计数(L, c) and in
    最大(L, v, c)) has one key; the aggregate's item variable does not count."""
    if e is None:
        return ()
    parts = [type(e).__name__]
    for attr in ("op", "func", "kind", "pos", "factor"):
        v = getattr(e, attr, None)
        if isinstance(v, (str, int, Decimal)) and not isinstance(v, bool):
            parts.append(repr(v))
    if isinstance(e, ir.Const):
        parts.append(repr(e.value))
    for attr in ("input", "local", "field", "indicator"):
        if hasattr(e, attr):
            parts.append(id(getattr(e, attr)))
    if hasattr(e, "ops"):
        parts.append(tuple(e.ops))
    parts.extend(_shape(c) for c in ir.children(e))
    for r in getattr(e, "rows", None) or ():
        parts.append((r.kind, r.op))
    return tuple(parts)


def _date_range_text(r: Interval) -> str:
    a = "…" if r.lo is None else date_text(r.lo)
    b = "…" if r.hi is None else date_text(r.hi)
    return f"[{a}, {b}]"


def _percent_text(r: Interval) -> str:
    def p(v):
        return fmt_decimal((v * 100).normalize()) + "%"
    a = "-∞" if r.lo is None else p(r.lo)
    b = "+∞" if r.hi is None else p(r.hi)
    return f"{'(' if r.lo_open or r.lo is None else '['}{a}, {b}{')' if r.hi_open or r.hi is None else ']'}"


def check_bounds(prog: ir.Program, owners: dict | None = None):
    b = Bounds(prog)
    diags = b.run(owners)
    return diags, b.ranges, b.unproven
