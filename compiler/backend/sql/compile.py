"""A checked rulebook (``ir.Program``) as one exact SQL query.

Every number is an exact fraction ``n / d`` of SQL integers (DuckDB ``HUGEINT``), with
``d > 0`` and, wherever it can be, a constant: an input given with ``S`` decimals is the
integer ``value × 10^S``; ``0.7`` is ``7 / 10``; ``a ÷ b`` is ``(a.n × b.d) / (a.d × |b.n|)``
with the sign moved into the numerator. Nothing is ever divided except where a value is
rounded at once (a score to the rulebook's 精度 with its 舍入, 向上取整, 向下取整, the
rescaled total under 剔除): there an integer division with the rounding mode's
correction. Comparisons of fractions are cross-multiplied. The bounds of every
intermediate integer are computed from the inputs' declared ranges (and, where a range
is open, from the largest value the SQL path accepts: a larger value takes the Python
path); a rulebook with an intermediate that may reach 10^38 is refused (E0802), naming
the expression, as is a construct without a translation yet (E0801).

The query reads text cells (a CSV's, or ``CAST(column AS VARCHAR)`` of a table) and
parses them in SQL; a cell the SQL does not accept in its plain form (``96.3%``, a
value out of range, an empty cell), a row on which the rule would fail (a division by
zero, no tier, a score outside its points, no grade) gives ``ok = false``: the caller
scores those rows on the Python path, which words the errors (``engine_duckdb``) — or,
for a table scored in a database, reports them.

The result has the scores formatted exactly as ``fmt_decimal`` formats them (3, 0.5,
93.5), the total, the grade, a not-applicable flag per indicator and ``ok``.
"""
from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction
from typing import Callable, Optional

import attrs

from ....dsl import ir
from ....dsl.diagnostics import JixiaoError, Label, make
from ....dsl.ir import fmt_decimal

from .. import runtime
from .dialects import DIALECTS, DUCKDB_BIGINT, Dialect
from .arith import ExactArith
from .cohort import CohortBuilder
from .layers import LayerBuilder
from .values import (  # noqa: F401  (the translation's values, used here and re-exported)
    Bool, Check, DECIMALS, DIGITS, Enum, LIMIT, LOOKUP_MAX, Layer, NAv, NUMERIC_KINDS, Num, SqlPlan, Unsupported, _RE_SPECIAL, _comment, _const_frac, _digits_after_point, _re_escape, _refuse, _round_frac, _scale_of, _text, fmt_sql)

# ───────────── values ─────────────

# ───────────── the plan ─────────────

class Compiler(CohortBuilder, ExactArith, LayerBuilder):
    def __init__(self, program: ir.Program, dialect: Dialect, cells: Callable, cohort: bool = False,
                 plain: Optional[Callable] = None):
        self.p, self.d, self.cells, self.plain = program, dialect, cells, plain
        self.cohort, self.keys_mode, self.stat_cols, self.extra = cohort, False, [], []
        self.path: Optional[str] = None
        self.guards: list = []
        self.local_ix = {}
        locs = list(program.globals) + [loc for ind in program.walk() for loc in ind.locals]
        for n, loc in enumerate(locs):
            self.local_ix[id(loc)] = n
        self.locals = locs
        self.local_val: dict = {}      # number -> value over its columns
        self.local_ok: dict = {}       # number -> guard column
        self.scale, self.st = _scale_of(program.precision)
        pts = [i.points for i in program.walk()] + [program.total]
        self.escale = max(_digits_after_point(x) for x in pts)
        self.S: dict = {}              # indicator index -> (column, lo, hi) of the rounded score
        self.R: dict = {}              # indicator index -> Num of the raw score (columns)
        self.NA: dict = {}             # indicator index -> SQL boolean column or None
        self.E: dict = {}              # indicator index -> (column, hi) points counted (剔除)
        self.okcols: list = []
        self.input_scales: dict = {}
        self.subtotal: Optional[Num] = None
        self.grade_total: Optional[Num] = None
        self.need_raw = program.grade_on == "exact"
        self.magnitude = 0             # the largest bound of an intermediate integer checked

    # ── expressions ──
    def ev(self, e: ir.Expr):
        if isinstance(e, ir.Const):
            v = e.value
            if isinstance(v, bool):
                return Bool("TRUE" if v else "FALSE")
            if isinstance(v, Decimal):
                return self.const(_const_frac(v))
            if isinstance(v, str):
                return Enum(self.d.string(v))
            _refuse(e.span, "此种常量", "this kind of constant")
        if isinstance(e, ir.InputRef):
            return self.input_value(e.input, e)
        if isinstance(e, ir.LocalRef):
            n = self.local_ix[id(e.local)]
            if n in self.local_ok:
                self.guard(self.local_ok[n])
            return self.local_val[n]
        if isinstance(e, ir.ScoreRef):
            col, lo, hi = self.S[e.indicator.index]
            return Num(col, lo, hi, 10 ** self.scale)
        if isinstance(e, ir.SubtotalRef):
            if e.indicator is None:
                return self.subtotal
            return self.signed_sum(e.indicator.children, e)
        if isinstance(e, ir.TotalRef):
            return self.grade_total
        if isinstance(e, ir.NotApplicable):
            return NAv()
        if isinstance(e, ir.BinOp):
            a, b = self.ev(e.left), self.ev(e.right)
            self.need_num(a, e.left), self.need_num(b, e.right)
            if e.op == "+":
                return self.add(a, b, 1, e)
            if e.op == "-":
                return self.add(a, b, -1, e)
            if e.op == "*":
                return self.mul(a, b, e)
            return self.div(a, b, e)
        if isinstance(e, ir.Neg):
            a = self.ev(e.operand)
            self.need_num(a, e)
            return Num(f"(-{a.n})", -a.hi, -a.lo, a.dc, a.ds, a.dmax, None if a.c is None else -a.c)
        if isinstance(e, ir.Convert):
            a = self.ev(e.operand)
            self.need_num(a, e)
            return self.mul(self.const(_const_frac(e.factor)), a, e)
        if isinstance(e, ir.Compare):
            vals = [self.ev(e.operands[0])]
            parts = []
            for op, o in zip(e.ops, e.operands[1:]):
                b = self.ev(o)
                parts.append(self.cmp(vals[-1], op, b, e))
                vals.append(b)
            return Bool(parts[0] if len(parts) == 1 else "(" + " AND ".join(parts) + ")")
        if isinstance(e, ir.Logic):
            a = self.ev(e.left)
            with self.under(a.sql if e.op == "and" else f"NOT {a.sql}"):
                b = self.ev(e.right)
            return Bool(f"({a.sql} {'AND' if e.op == 'and' else 'OR'} {b.sql})")
        if isinstance(e, ir.Not):
            a = self.ev(e.operand)
            return Bool(f"(NOT {a.sql})")
        if isinstance(e, ir.If):
            c = self.ev(e.cond)
            with self.under(c.sql):
                t = self.ev(e.then)
            with self.under(f"NOT {c.sql}"):
                f = self.ev(e.else_)
            return self.choose([(c.sql, t), (None, f)], e)
        if isinstance(e, ir.Clamp):
            x = self.ev(e.operand)
            if isinstance(x, NAv):
                return x
            bound = self.const(Fraction(0)) if e.kind == "floor_zero" else self.ev(e.bound)
            self.need_num(x, e), self.need_num(bound, e)
            na = x.na
            x = attrs.evolve(x, na=None)
            v = self.minmax([x, bound], "min" if e.kind in ("capped", "at_most") else "max", e)
            v.na = na
            return v
        if isinstance(e, ir.Call):
            return self.call(e)
        if isinstance(e, ir.PeerScore):
            return self.peer_score(e)
        if isinstance(e, ir.Tiers):
            return self.tiers(e)
        if isinstance(e, ir.Unscorable):          # E0721 where it is reached: the Python path says so
            self.guard("FALSE")
            return NAv()
        what = {ir.Rated: ("人工评定（评定得分）", "hand-scored indicators (人工评定 / 评定 A 至 B)"),
                ir.Unscorable: ("无法计分", "无法计分 (unscorable tiers)"),
                ir.Aggregate: ("列表的计数与合计", "aggregates over lists"),
                ir.FieldRef: ("列表的字段", "fields of list items")}.get(type(e), ("此种表达式", "this expression"))
        _refuse(e.span, *what)

    def need_num(self, v, e):
        if not isinstance(v, Num):
            _refuse(e.span, "此处的非数值", "a value that is not a number here")

    def minmax(self, vals: list, f: str, e) -> Num:
        v = vals[0]
        for b in vals[1:]:
            v = self._mm(v, b, f, e)
        return v

    def _mm(self, a: Num, b: Num, f: str, e) -> Num:
        if a.c is not None and b.c is not None:
            return self.const(min(a.c, b.c) if f == "min" else max(a.c, b.c))
        if a.ds is None and b.ds is None:
            L = a.dc * b.dc // math.gcd(a.dc, b.dc)
            fa, fb = L // a.dc, L // b.dc
            lo = min(a.lo * fa, b.lo * fb) if f == "min" else max(a.lo * fa, b.lo * fb)
            hi = min(a.hi * fa, b.hi * fb) if f == "min" else max(a.hi * fa, b.hi * fb)
            top = max(a.top * fa, b.top * fb)
            self.check(top, e)
            fn = "LEAST" if f == "min" else "GREATEST"
            return Num(f"{fn}({self.mulk(a.n, fa, top)}, {self.mulk(b.n, fb, top)})", lo, hi, L)
        c = self.cmp(a, "<=" if f == "min" else ">=", b, e)
        return self.choose([(c, a), (None, b)], e)

    def call(self, e: ir.Call):
        f = e.func
        if f == "size":
            return self.const(Fraction(len(e.args[0].type.members)))
        if f in ("count", "all", "any", "points_met", "points_unmet", "item"):
            cl = self.ev(e.args[0])
            if not isinstance(cl, Check):
                _refuse(e.span, "此种清单参数", "this checklist argument")
            items = cl.items
            if f == "count":
                return Num("(" + " + ".join(f"CASE WHEN {x} THEN {self.lit(1)} ELSE {self.lit(0)} END" for x in items) + ")",
                           0, len(items))
            if f == "all":
                return Bool("(" + " AND ".join(items) + ")")
            if f == "any":
                return Bool("(" + " OR ".join(items) + ")")
            if f == "item":
                k = self.ev(e.args[1])
                if not isinstance(k, Num) or k.c is None:
                    _refuse(e.span, "非常量的清单项序号", "a checklist item chosen at run time")
                return Bool(items[int(k.c)])
            ws = [Fraction(w) for w in e.args[0].type.weights]
            L = 1
            for w in ws:
                L = L * w.denominator // math.gcd(L, w.denominator)
            ks = [int(w * L) for w in ws]
            met = f == "points_met"
            parts = [f"CASE WHEN {'' if met else 'NOT '}{x} THEN {self.lit(k)} ELSE {self.lit(0)} END"
                     for x, k in zip(items, ks)]
            return Num("(" + " + ".join(parts) + ")", 0, sum(ks), L)
        if f in ("min", "max"):
            vals = [self.ev(a) for a in e.args]
            for v, a in zip(vals, e.args):
                self.need_num(v, a)
            return self.minmax(vals, f, e)
        if f == "abs":
            a = self.ev(e.args[0])
            self.need_num(a, e)
            if a.c is not None:
                return self.const(abs(a.c))
            return Num(f"abs({a.n})", 0 if a.lo <= 0 <= a.hi else min(abs(a.lo), abs(a.hi)), a.top, a.dc, a.ds, a.dmax)
        if f in ("ceil", "floor"):
            a = self.ev(e.args[0])
            self.need_num(a, e)
            if a.c is not None:
                return self.const(Fraction(math.ceil(a.c) if f == "ceil" else math.floor(a.c)))
            if a.ds is None and a.dc == 1:
                return a
            x = a.n if f == "floor" else f"(-{a.n})"
            q = self.floordiv(x, a.den(self.d))
            lo, hi = (a.lo // a.dc - 1, a.hi // a.dc + 1) if a.ds is None else (-a.top, a.top)
            self.qcheck(max(abs(lo), abs(hi)) + 1, e)
            if f == "ceil":
                return Num(f"(-{q})", lo, hi)
            return Num(q, lo, hi)
        what = {"require": ("方法的要求（要求）", "a method's requirements (要求)"),
                "months": ("相差月数", "months between dates")}.get(f, (f"函数 {f}", f"the function {f}"))
        _refuse(e.span, *what)

    def tiers(self, t: ir.Tiers):
        subject = None
        if any(r.kind in ("cmp", "eq") for r in t.rows):
            subject = self.ev(t.subject)
        branches, prev = [], []
        for row in t.rows:
            ctx = " AND ".join(prev) if prev else None
            if row.kind == "else":
                c = None
            elif row.kind == "cond":
                with self.under(ctx):
                    c = self.ev(row.key).sql
            else:
                k = self.ev(row.key)
                c = self.cmp(subject, row.op or "==", k, t)
            with self.under(" AND ".join(prev + ([c] if c else [])) or None):
                v = self.ev(row.value)
            branches.append((c, v))
            if c is None:
                break
            prev.append(f"NOT {c}")
        if branches[-1][0] is not None:          # no 否则: a value no row takes fails (E0703)
            self.guard("(" + " OR ".join(c for c, _ in branches) + ")")
            branches[-1] = (None, branches[-1][1])
        return self.choose(branches, t)

    def signed_sum(self, children, e) -> Num:
        acc = None
        for c in children:
            col, lo, hi = self.S[c.index]
            v = Num(col, lo, hi, 10 ** self.scale)
            acc = (v if c.sign > 0 else Num(f"(-{col})", -hi, -lo, 10 ** self.scale)) if acc is None \
                else self.add(acc, v, c.sign, e)
        return acc if acc is not None else self.const(Fraction(0))

    # ── inputs ──
    def input_value(self, inp: ir.Input, e):
        v = self.inputs.get(inp.index)
        if v is None:
            _refuse(e.span, "此种输入", "this kind of input")
        return v

    def parse_inputs(self, layer: Layer, items_layer: Layer) -> None:
        """Columns of the parsed inputs (``layer``; a checklist's items in ``items_layer``),
        NULL where a cell is not in the plain form the SQL path accepts; ``self.input_ok``
        the conditions that every cell is (over both layers)."""
        d = self.d
        self.inputs = {}
        oks = []                     # per input: conditions over the parsed columns

        # the usual words first: a CASE tests its WHENs in order, each on the rows not yet matched
        common = ["是", "否", "符合", "不符合"]
        known = common + sorted((runtime.TRUE_WORDS | runtime.FALSE_WORDS) - set(common))

        def words(c):
            return ("(CASE " + c + " " + " ".join(f"WHEN {d.string(w)} THEN {'TRUE' if w in runtime.TRUE_WORDS else 'FALSE'}"
                                                for w in known) + " END)")
        for inp in self.p.inputs:
            if inp.cohort is not None:        # a statistic of the cohort: a window (cohort.py), not a cell
                continue
            if inp.rated_of is not None:
                _refuse(inp.span, "人工评定（评定得分）", "hand-scored indicators (人工评定 / 评定 A 至 B)")
            k = inp.kind
            cell = self.cells(inp)
            a = f"_x{inp.index}"
            if inp.only_if is not None:
                if isinstance(cell, list):
                    _refuse(inp.span, "逐项分列的条件清单", "a conditional checklist given a column per item")
                # given or left out (an empty cell): which one must agree with its condition
                layer.columns.append((f"_given{inp.index}", f"NOT ({cell} IS NULL OR {cell} = '')"))
            start = len(oks)
            if k in NUMERIC_KINDS:
                S = DECIMALS[k]
                for b in (inp.lo, inp.hi):
                    if b is not None:
                        S = max(S, _digits_after_point(b))
                I = (d.digits or DIGITS)[k]
                for b in (inp.lo, inp.hi):
                    if b is not None:
                        I = max(I, len(str(int(abs(b)))))
                self.input_scales[inp.name] = S
                pat = f"-?[0-9]{{1,{I}}}" + (f"(\\.[0-9]{{1,{S}}})?" if S else "")
                m = d.full_match(cell, pat)
                # a test known to imply the plain form (the DuckDB engine matches the whole line
                # once: a regular expression per cell costs ~2/3 of parsing it), first in the CASE:
                # the cell's own match runs only on the rows it does not vouch for (a CASE tests a
                # WHEN on the rows not yet matched; an OR in a SELECT list evaluates both sides)
                pre = self.plain(cell, pat) if self.plain is not None and isinstance(cell, str) else None
                first = f"WHEN {pre} THEN {d.scaled(cell, S, I)} " if pre is not None else ""
                pct = ""
                if k == "rate" and S >= 2:     # 96.3%: the percent form of a rate
                    pp = f"-?[0-9]{{1,{I + 2}}}" + (f"(\\.[0-9]{{1,{S - 2}}})?" if S > 2 else "") + "%"
                    pct = f" WHEN {d.full_match(cell, pp)} THEN {d.scaled(d.strip_percent(cell), S - 2, I + 2)}"
                layer.columns.append((a, f"(CASE {first}WHEN {m} THEN {d.scaled(cell, S, I)}{pct} END)"))
                P = 10 ** S
                lo, hi = -(10 ** (I + S)) + 1, 10 ** (I + S) - 1
                conds = [f"{a} IS NOT NULL"]
                if inp.lo is not None:
                    lo = max(lo, int(inp.lo * P) + (1 if inp.lo_open else 0))
                    conds.append(f"{a} {'>' if inp.lo_open else '>='} {d.int(int(inp.lo * P))}")
                if inp.hi is not None:
                    hi = min(hi, int(inp.hi * P) - (1 if inp.hi_open else 0))
                    conds.append(f"{a} {'<' if inp.hi_open else '<='} {d.int(int(inp.hi * P))}")
                oks.append(conds)
                self.inputs[inp.index] = Num(a, lo, hi, P)
            elif k == "boolean":
                layer.columns.append((a, words(cell)))
                oks.append([f"{a} IS NOT NULL"])
                self.inputs[inp.index] = Bool(a)
            elif k == "grade":
                layer.columns.append((a, "(CASE " + cell + " " + " ".join(f"WHEN {d.string(m)} THEN {d.string(m)}"
                                                                         for m in inp.members) + " END)"))
                oks.append([f"{a} IS NOT NULL"])
                self.inputs[inp.index] = Enum(a)
            elif k == "checklist":
                n = len(inp.members)
                if isinstance(cell, list):          # a column per item
                    for j, c in enumerate(cell):
                        layer.columns.append((f"{a}_{j}", words(c)))
                    oks.append([f"{a}_{j} IS NOT NULL" for j in range(n)])
                else:
                    # 全部符合 / all; n digits 1 and 0; or n words with one separator (the first of the
                    # separators that occurs, as the Python path splits)
                    allw = " OR ".join(f"{cell} = {d.string(w)}" for w in sorted(runtime.ALL_MET_WORDS))
                    # the length first: a regular expression per cell costs ~10× (an AND tests its
                    # right side only on the rows its left side keeps)
                    digits = f"({d.byte_length(cell)} = {n} AND {d.full_match(cell, f'[01]{{{n}}}')})"
                    seps = runtime.CHECKLIST_SEPARATORS
                    sep = "(CASE " + " ".join(f"WHEN {d.contains(cell, d.string(x))} THEN {d.string(x)}" for x in seps) \
                        + " ELSE chr(1) END)"
                    layer.columns.append((f"_m{inp.index}", f"(CASE WHEN {allw} THEN 1 WHEN {digits} THEN 2 ELSE 3 END)"))
                    layer.columns.append((f"_l{inp.index}", d.split(cell, sep)))
                    layer.columns.append((f"_t{inp.index}", cell))       # the items' layer reads the cell
                    lst, mode, cell = f"_l{inp.index}", f"_m{inp.index}", f"_t{inp.index}"
                    for j in range(n):
                        items_layer.columns.append((f"{a}_{j}", f"(CASE {mode} WHEN 1 THEN TRUE WHEN 2 THEN "
                                                              f"substr({cell}, {j + 1}, 1) = '1' ELSE "
                                                              f"{words(d.item(lst, j + 1))} END)"))
                    oks.append([f"({mode} < 3 OR {d.length(lst)} = {n})"] + [f"{a}_{j} IS NOT NULL" for j in range(n)])
                self.inputs[inp.index] = Check([f"{a}_{j}" for j in range(n)], inp.type.weights)
            elif k == "date":
                m = d.full_match(cell, "[0-9]{4}-[0-9]{2}-[0-9]{2}")
                layer.columns.append((a, f"(CASE WHEN {m} THEN {d.day_number(cell)} END)"))
                conds = [f"{a} IS NOT NULL"]
                lo, hi = int(ir.DATE_MIN), int(ir.DATE_MAX)
                if inp.lo is None:          # 0000-01-01: DuckDB has a year 0, the Python path none
                    conds.append(f"{a} >= {d.int(lo)}")
                if inp.lo is not None:
                    lo = max(lo, int(inp.lo) + (1 if inp.lo_open else 0))
                    conds.append(f"{a} {'>' if inp.lo_open else '>='} {d.int(int(inp.lo))}")
                if inp.hi is not None:
                    hi = min(hi, int(inp.hi) - (1 if inp.hi_open else 0))
                    conds.append(f"{a} {'<' if inp.hi_open else '<='} {d.int(int(inp.hi))}")
                oks.append(conds)
                self.inputs[inp.index] = Num(a, lo, hi, 1)
            else:
                _refuse(inp.span, {"list": "列表输入", "text": "文本输入"}.get(k, "此种输入"),
                        {"list": "list inputs", "text": "text inputs"}.get(k, "this kind of input"))
            if inp.only_if is not None:
                oks[start:] = [[f"(NOT _given{inp.index} OR ({' AND '.join(cs)}))"] for cs in oks[start:]]
        self.input_ok = [c for cs in oks for c in cs]

    # ── the program ──
    def build(self) -> SqlPlan:
        p = self.p
        if p.row_parts:
            _refuse(p.row_parts[0].span, "指标行", "indicator rows (指标行)")
        if p.has_cohort and not self.cohort:
            # statistics of the units scored together: window functions over the whole table,
            # which a caller scoring the table in parts cannot use (plan(..., cohort=True))
            first = next((i for i in p.cohort_inputs), None)
            _refuse(getattr(first, "span", None) or p.roots[0].span, "分块评分中参评单位之间的比较（排名、同类平均、名额）",
                    "comparisons among the units scored together (ranks, peer averages, quotas) in a query over part of the table")
        first, second = Layer(), Layer()
        self.parse_inputs(first, second)
        layers = [first, second]
        self._layers = layers
        if p.has_cohort:
            self.cohort_cells(first)
        items = self.items()
        depth = self.depths(items)
        base = len(layers)
        if self.input_ok:
            layers.append(Layer([("_okin", "(" + " AND ".join(self.input_ok) + ")")]))
            self.okcols.append("_okin")
        for item in sorted(items, key=lambda it: (depth[it[1]], it[1])):
            k = base + depth[item[1]]
            while len(layers) <= k:
                layers.append(Layer())
            self.compile_item(item, layers[k])
        layers = [x for x in layers if x.columns]
        self.total_layers(layers)
        if p.has_cohort:
            self.cohort_final(layers)
        ok = " AND ".join(f"COALESCE({c}, FALSE)" for c in self.okcols)
        inds = sorted(p.walk(), key=lambda n: n.index)
        na = [self.NA.get(i.index) or "FALSE" for i in inds]
        return SqlPlan(p, self.d, layers, self.scale, ok, [self.S[i.index][0] for i in inds], na,
                       self.total_sql, self.total_scale, self.grade_sql, self.grade_ix, self.input_scales,
                       [self.S[i.index][1:] for i in inds], self.total_bounds, self.extra,
                       "_okc" if p.has_cohort else None, self.magnitude)


def plan(program: ir.Program, dialect: str = "duckdb", cells: Optional[Callable] = None,
         cohort: bool = False, narrow: bool = False, plain: Optional[Callable] = None) -> SqlPlan:
    """The SQL plan of a checked program; ``cells(input)`` gives the SQL text of an input's
    cell (a list of them for a checklist given a column per item). Raises Unsupported.

    A cohort rulebook (ranks, peer statistics, quotas) is refused unless ``cohort``: its
    query must read the whole table in one SELECT, the windows seeing every row (see
    cohort.py), and its ``有效`` is false on every row when any cell is not read.
    ``narrow`` (DuckDB): integers in ``BIGINT`` where their bounds allow (dialects.DuckDBBigint);
    DuckDB checks every BIGINT operation for overflow (an error, never a wrong value): the
    caller then runs the plain plan. ``plain(cell, pattern)``: an SQL boolean that implies
    the cell's text fully matches the regular expression ``pattern`` (a number's plain
    form), or None; where given, the cell's own match is tested only where it is false."""
    d = DUCKDB_BIGINT if narrow else DIALECTS[dialect]
    if cells is None:
        cells = lambda inp: d.to_text(d.ident(inp.name))     # noqa: E731
    return Compiler(program, d, cells, cohort, plain).build()


def emit_sql(program: ir.Program, dialect: str = "duckdb", table: str = "inputs", keep: tuple = (),
             narrow: bool = False) -> str:
    """``jixiao compile --emit-sql``: one query over the table ``table`` (a column per input,
    named as the input, of any type: it is read as text) giving the columns ``keep`` of
    the table, every indicator's score, 总分, 等级, a 不适用 flag per indicator and
    ``有效`` (false: the row is not scored here — a cell not in plain form, or a rule
    that fails on it; the Python engine scores it or words the error). ``narrow``: the
    BIGINT query the DuckDB engine runs first (see ``plan``)."""
    from ...data.results import indicator_headers_of
    d = DIALECTS[dialect]
    pl = plan(program, dialect, cohort=True, narrow=narrow)
    heads = indicator_headers_of(program)
    final = [(k, d.ident(f"_k{n}")) for n, k in enumerate(keep)]
    ok = f"({pl.ok})"
    final += [(h, f"CASE WHEN {ok} THEN {sql} END") for h, sql in pl.formatted()]
    final += [(f"{h}.不适用", f"CASE WHEN {ok} THEN {na} END") for h, na in zip(heads, pl.na)]
    final.append(("有效", ok))
    passthrough = [(d.ident(f"_k{n}"), d.ident(k)) for n, k in enumerate(keep)]
    head = (f"-- jixiao: {_comment(program.title)} as exact SQL ({d.name})\n"
            f"-- reads the table {_comment(table)}: one column per input, named as the input, read as text\n")
    if program.has_cohort:
        head += ("-- cohort rules: window functions over the whole table (run it on all the units at once); the rows\n"
                 "-- come in no particular order; 有效 is false on every row when a cell is not in plain form\n")
    return head + pl.query(d.ident(table), passthrough, final) + ";\n"
