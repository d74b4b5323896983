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
from .dialects import DIALECTS, Dialect

LIMIT = 10 ** 38

# the largest magnitude (integer digits) and the decimals the SQL path accepts for an
# input whose declared range leaves them open; other values take the Python path
DIGITS = {"amount": 12, "number": 12, "score": 6, "rate": 4, "count": 9}
DECIMALS = {"amount": 4, "number": 6, "score": 4, "rate": 6, "count": 0}
NUMERIC_KINDS = set(DIGITS)


class Unsupported(JixiaoError):
    """The rulebook cannot be translated to SQL (E0801 / E0802)."""


def _refuse(span, what_zh: str, what_en: str):
    labels = [Label(span, "")] if span is not None else []
    raise Unsupported([make("E0801", labels, what_zh=what_zh, what_en=what_en)])


def _text(e) -> str:
    sp = getattr(e, "span", None)
    try:
        return " ".join(sp.text().split()) if sp is not None else "?"
    except Exception:
        return "?"


# ───────────── values ─────────────

@attrs.define
class Num:
    """n / (dc × ds): n an SQL integer in [lo, hi]; dc a constant > 0; ds None or an SQL
    integer in [1, dmax]. ``c``: the value when it is a constant; ``na``: an SQL
    condition under which the value is 不适用 (None: never)."""
    n: str
    lo: int
    hi: int
    dc: int = 1
    ds: Optional[str] = None
    dmax: int = 1
    c: Optional[Fraction] = None
    na: Optional[str] = None

    @property
    def top(self) -> int:
        return max(abs(self.lo), abs(self.hi))

    @property
    def dtop(self) -> int:
        return self.dc * self.dmax

    def den(self, d: Dialect) -> str:
        if self.ds is None:
            return d.int(self.dc)
        return self.ds if self.dc == 1 else f"({d.int(self.dc)} * {self.ds})"


@attrs.define
class Bool:
    sql: str
    na: Optional[str] = None


@attrs.define
class Enum:
    sql: str


@attrs.define
class Check:
    items: list
    weights: tuple = ()


@attrs.define
class NAv:
    pass


def _const_frac(v: Decimal) -> Fraction:
    return Fraction(v)


# ───────────── the plan ─────────────

@attrs.define
class Layer:
    columns: list = attrs.field(factory=list)      # (alias, sql)


@attrs.define
class SqlPlan:
    program: object
    dialect: Dialect
    layers: list                 # Layer, in order; the first reads the source
    scale: int                   # scores are integers × 10^-scale
    ok: str                      # the row scores in SQL (over the last layer)
    scores: list                 # per indicator (index order): SQL integer at ``scale``
    na: list                     # per indicator: SQL boolean
    total: str                   # SQL integer at ``total_scale``
    total_scale: int
    grade: str                   # SQL text
    grade_index: str             # SQL integer: the grade's place in the bands
    input_scales: dict           # input name -> decimals accepted
    score_bounds: list = attrs.field(factory=list)   # (lo, hi) of each score integer
    total_bounds: tuple = (None, None)

    def fmt(self, x: str, scale: int, bounds=(None, None)) -> str:
        return fmt_sql(self.dialect, x, scale, bounds)

    def formatted(self) -> list:
        """(header, SQL text) of every result column: the indicators, 总分, 等级."""
        from ...data.results import indicator_headers_of
        heads = indicator_headers_of(self.program)
        out = [(h, self.fmt(s, self.scale, b)) for h, s, b in zip(heads, self.scores, self.score_bounds)]
        out.append(("总分", self.fmt(self.total, self.total_scale, self.total_bounds)))
        out.append(("等级", self.grade))
        return out

    def query(self, source: str, passthrough: list, final: list) -> str:
        """The whole query: ``source`` (a FROM item), ``passthrough`` (alias, SQL over the
        source) kept through the layers, ``final`` (alias, SQL over the last layer)."""
        d = self.dialect
        parts = []
        prev = None
        for k, layer in enumerate(self.layers):
            name = f"_jx{k}"
            if k == 0:
                cols = [f"{sql} AS {a}" for a, sql in passthrough] + [f"{sql} AS {a}" for a, sql in layer.columns]
                body = f"SELECT {', '.join(cols)}\n  FROM {source}"
            else:
                cols = ["*"] + [f"{sql} AS {a}" for a, sql in layer.columns]
                body = f"SELECT {(',' + chr(10) + '         ').join(cols)}\n  FROM {prev}"
            parts.append(f"{name} AS (\n  {body}\n)")
            prev = name
        sel = ",\n       ".join(f"{sql} AS {d.ident(a) if not a.startswith('_') else a}" for a, sql in final)
        return "WITH " + ",\n".join(parts) + f"\nSELECT {sel}\nFROM {prev}"


LOOKUP_MAX = 20001


def fmt_sql(d: Dialect, x: str, scale: int, bounds=(None, None)) -> str:
    """SQL text of the integer ``x`` × 10^-scale as ``fmt_decimal`` writes it: no exponent,
    no trailing zeros, no trailing point (3, 0.5, -1.25). In DuckDB a value known to lie in
    a range of at most LOOKUP_MAX integers is looked up in a list of the texts (a score
    takes few values: ~20× faster than formatting it)."""
    lo, hi = bounds
    if scale == 0:
        return d.to_text(x)
    if d.name == "duckdb" and lo is not None and hi - lo < LOOKUP_MAX:
        texts = ", ".join("'" + fmt_decimal(Decimal(k).scaleb(-scale)) + "'" for k in range(lo, hi + 1))
        return f"list_extract([{texts}], CAST({x} AS INTEGER) - ({lo - 1}))"
    if d.name == "duckdb" and lo is not None and max(abs(lo), abs(hi)) < 2 ** 62:
        x = f"CAST({x} AS BIGINT)"
    p = d.int(10 ** scale) if not x.startswith("CAST(") or "BIGINT" not in x else str(10 ** scale)
    a = f"abs({x})"
    frac = f"TRIM(TRAILING '0' FROM lpad({d.to_text(d.mod(a, p))}, {scale}, '0'))"
    return (f"(CASE WHEN {x} < 0 THEN '-' ELSE '' END || {d.to_text(d.tdiv(a, p))} || "
            f"CASE WHEN {d.mod(a, p)} = 0 THEN '' ELSE '.' || {frac} END)")


def _digits_after_point(v: Decimal) -> int:
    v = v.normalize()
    return max(0, -v.as_tuple().exponent)


def _scale_of(step: Decimal) -> tuple[int, int]:
    """A step (0.01, 0.5, 0.25, 10) as (scale, st): step = st × 10^-scale."""
    s = _digits_after_point(step)
    st = int(step * (10 ** s))
    return s, st


class Compiler:
    def __init__(self, program: ir.Program, dialect: Dialect, cells: Callable):
        self.p, self.d, self.cells = program, dialect, cells
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

    # ── helpers ──
    def lit(self, k: int) -> str:
        return self.d.int(k)

    def check(self, top: int, e) -> None:
        if top >= LIMIT:
            raise Unsupported([make("E0802", [Label(e.span, "")] if getattr(e, "span", None) is not None else [],
                                    expr=_text(e))])

    def guard(self, g: str) -> None:
        self.guards.append(g if self.path is None else f"(NOT ({self.path}) OR {g})")

    def under(self, cond: Optional[str]):
        c = self

        class _Ctx:
            def __enter__(self_):
                self_.saved = c.path
                if cond is not None:
                    c.path = cond if c.path is None else f"({c.path}) AND ({cond})"

            def __exit__(self_, *a):
                c.path = self_.saved
        return _Ctx()

    def const(self, f: Fraction) -> Num:
        return Num(self.lit(f.numerator), f.numerator, f.numerator, f.denominator, c=f)

    def mulk(self, sql: str, k: int) -> str:
        return sql if k == 1 else f"({sql} * {self.lit(k)})"

    # ── arithmetic on fractions ──
    def add(self, a: Num, b: Num, sign: int, e) -> Num:
        if a.c is not None and b.c is not None:
            return self.const(a.c + sign * b.c)
        op = "+" if sign > 0 else "-"
        if a.ds is None and b.ds is None:
            L = a.dc * b.dc // math.gcd(a.dc, b.dc)
            fa, fb = L // a.dc, L // b.dc
            lo = a.lo * fa + (b.lo * fb if sign > 0 else -b.hi * fb)
            hi = a.hi * fa + (b.hi * fb if sign > 0 else -b.lo * fb)
            if b.c == 0:
                return Num(self.mulk(a.n, fa), a.lo * fa, a.hi * fa, L)
            self.check(max(abs(lo), abs(hi)), e)
            return Num(f"({self.mulk(a.n, fa)} {op} {self.mulk(b.n, fb)})", lo, hi, L)
        an, bn = f"({a.n} * {b.den(self.d)})", f"({b.n} * {a.den(self.d)})"
        top = a.top * b.dtop + b.top * a.dtop
        self.check(top, e)
        return Num(f"({an} {op} {bn})", -top, top, a.dc * b.dc, self._dsmul(a, b), a.dmax * b.dmax)

    def _dsmul(self, a: Num, b: Num) -> Optional[str]:
        if a.ds is None:
            return b.ds
        if b.ds is None:
            return a.ds
        return f"({a.ds} * {b.ds})"

    def mul(self, a: Num, b: Num, e) -> Num:
        if a.c is not None and b.c is not None:
            return self.const(a.c * b.c)
        if b.c is not None:
            a, b = b, a
        if a.c is not None:                   # a constant p/q times b
            p, q = a.c.numerator, a.c.denominator
            dc = b.dc * q
            g = math.gcd(abs(p), dc) or 1
            p, dc = p // g, dc // g
            lo, hi = sorted((b.lo * p, b.hi * p))
            self.check(max(abs(lo), abs(hi)), e)
            return Num(self.mulk(b.n, p), lo, hi, dc, b.ds, b.dmax)
        cands = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi]
        self.check(max(abs(x) for x in cands), e)
        self.check(a.dmax * b.dmax, e)
        return Num(f"({a.n} * {b.n})", min(cands), max(cands), a.dc * b.dc, self._dsmul(a, b), a.dmax * b.dmax)

    def div(self, a: Num, b: Num, e) -> Num:
        if b.c is not None:
            if b.c == 0:
                _refuse(e.span, "恒为零的除数", "a divisor that is always zero")
            return self.mul(self.const(1 / b.c), a, e)
        d = self.d
        if b.lo <= 0 <= b.hi:
            self.guard(f"({b.n} <> 0)")
        # a / b = (a.n × b.den) / (a.den × b.n), the sign of b.n moved up
        num = a.n if (b.ds is None and b.dc == 1) else f"({a.n} * {b.den(d)})"
        ntop = a.top * b.dtop
        self.check(ntop, e)
        if b.lo > 0:
            bn, btop = b.n, b.hi
        elif b.hi < 0:
            num, bn, btop = f"(-{num})", f"(-{b.n})", -b.lo
        else:
            num = f"(CASE WHEN {b.n} < 0 THEN -{num} ELSE {num} END)"
            bn, btop = f"abs({b.n})", b.top
        ds = bn if a.ds is None else f"({a.ds} * {bn})"
        dmax = btop * a.dmax
        self.check(dmax * a.dc, e)
        return Num(num, -ntop, ntop, a.dc, ds, dmax)

    def cmp(self, a, op: str, b, e) -> str:
        if isinstance(a, (Enum, Bool)) or isinstance(b, (Enum, Bool)):
            sop = {"==": "=", "!=": "<>"}.get(op, op)
            return f"({a.sql} {sop} {b.sql})"
        sop = {"==": "=", "!=": "<>"}.get(op, op)
        if a.c is not None and b.c is not None:
            return "TRUE" if {"<": a.c < b.c, "<=": a.c <= b.c, ">": a.c > b.c, ">=": a.c >= b.c,
                              "==": a.c == b.c, "!=": a.c != b.c}[op] else "FALSE"
        l, r = self.cross(a, b, e)
        return f"({l} {sop} {r})"

    def cross(self, a: Num, b: Num, e) -> tuple[str, str]:
        """a.n and b.n brought over one denominator (for comparisons)."""
        if a.ds is None and b.ds is None:
            L = a.dc * b.dc // math.gcd(a.dc, b.dc)
            self.check(max(a.top * (L // a.dc), b.top * (L // b.dc)), e)
            return self.mulk(a.n, L // a.dc), self.mulk(b.n, L // b.dc)
        self.check(max(a.top * b.dtop, b.top * a.dtop), e)
        l = a.n if (b.ds is None and b.dc == 1) else f"({a.n} * {b.den(self.d)})"
        r = b.n if (a.ds is None and a.dc == 1) else f"({b.n} * {a.den(self.d)})"
        return l, r

    def choose(self, branches: list, e):
        """CASE over (condition or None for the rest, value) pairs."""
        if len(branches) == 1:
            return branches[0][1]
        vals = [v for _, v in branches]
        conds = [c for c, _ in branches]

        def case(parts):
            body = " ".join(f"WHEN {c} THEN {p}" for c, p in zip(conds[:-1], parts[:-1]))
            return f"(CASE {body} ELSE {parts[-1]} END)"
        if all(isinstance(v, NAv) for v in vals):
            return NAv()
        if all(isinstance(v, (Bool, NAv)) for v in vals) and any(isinstance(v, Bool) for v in vals):
            if any(isinstance(v, NAv) or v.na for v in vals):
                _refuse(e.span, "不适用的是否值", "a yes/no value that may be not applicable")
            return Bool(case([v.sql for v in vals]))
        if all(isinstance(v, Enum) for v in vals):
            return Enum(case([v.sql for v in vals]))
        if not all(isinstance(v, (Num, NAv)) for v in vals):
            _refuse(e.span, "此种取值的分支", "branches of this kind of value")
        nums = [v for v in vals if isinstance(v, Num)]
        na = None
        if any(isinstance(v, NAv) or v.na for v in vals):
            na = case(["TRUE" if isinstance(v, NAv) else (v.na or "FALSE") for v in vals])
        lo = min([v.lo for v in nums] + ([0] if len(nums) < len(vals) else []))
        hi = max([v.hi for v in nums] + ([0] if len(nums) < len(vals) else []))
        if all(v.ds is None for v in nums):
            L = 1
            for v in nums:
                L = L * v.dc // math.gcd(L, v.dc)
            parts = [self.lit(0) if isinstance(v, NAv) else self.mulk(v.n, L // v.dc) for v in vals]
            lo = min([v.lo * (L // v.dc) for v in nums] + ([0] if len(nums) < len(vals) else []))
            hi = max([v.hi * (L // v.dc) for v in nums] + ([0] if len(nums) < len(vals) else []))
            self.check(max(abs(lo), abs(hi)), e)
            return Num(case(parts), lo, hi, L, na=na)
        n = case([self.lit(0) if isinstance(v, NAv) else v.n for v in vals])
        ds = case([self.lit(1) if isinstance(v, NAv) else v.den(self.d) for v in vals])
        return Num(n, lo, hi, 1, ds, max(v.dtop for v in nums), na=na)

    def floordiv(self, x: str, y: str) -> str:
        d = self.d
        return (f"(CASE WHEN {x} >= 0 THEN {d.tdiv(x, y)} "
                f"ELSE -{d.tdiv(f'(-{x} + {y} - {self.lit(1)})', y)} END)")

    def rdiv(self, x: str, y: str, mode: str) -> str:
        """x ÷ y (y > 0) rounded to an integer with the rounding mode."""
        d, one, two = self.d, self.lit(1), self.lit(2)
        if mode == "down":
            return d.tdiv(x, y)
        if mode == "up":
            return (f"(CASE WHEN {x} >= 0 THEN {d.tdiv(f'({x} + {y} - {one})', y)} "
                    f"ELSE -{d.tdiv(f'(-{x} + {y} - {one})', y)} END)")
        if mode == "half_up":
            return (f"(CASE WHEN {x} >= 0 THEN {d.tdiv(f'({two} * {x} + {y})', f'({two} * {y})')} "
                    f"ELSE -{d.tdiv(f'({two} * -{x} + {y})', f'({two} * {y})')} END)")
        if mode == "half_even":
            def he(a):
                q, r = d.tdiv(a, y), d.mod(a, y)
                return (f"(CASE WHEN {two} * {r} > {y} THEN {q} + {one} WHEN {two} * {r} < {y} THEN {q} "
                        f"ELSE {q} + {d.mod(q, two)} END)")
            return f"(CASE WHEN {x} >= 0 THEN {he(x)} ELSE -{he(f'(-{x})')} END)"
        raise AssertionError(mode)

    def round_to(self, v: Num, scale: int, st: int, mode: str, e) -> tuple[str, int, int]:
        """v rounded to a multiple of st × 10^-scale: (SQL integer at ``scale``, lo, hi)."""
        P = 10 ** scale
        if v.c is not None:
            k = _round_frac(v.c * P / st, mode) * st
            return self.lit(k), k, k
        if v.ds is None and P % (v.dc * st) == 0:            # already a multiple: exact
            f = P // v.dc
            return self.mulk(v.n, f), v.lo * f, v.hi * f
        self.check(2 * v.top * P + v.dtop * st, e)
        self.check(2 * v.dtop * st, e)
        x = self.mulk(v.n, P)
        y = v.den(self.d) if st == 1 else f"({v.den(self.d)} * {self.lit(st)})"
        if v.ds is None:
            y = self.lit(v.dc * st)
        k = self.rdiv(x, y, mode)
        if v.ds is None:
            lo, hi = (v.lo * P) // (v.dc * st) * st, -((-v.hi * P) // (v.dc * st)) * st
        else:
            lo, hi = -(v.top * P // v.dc) - st, v.top * P // v.dc + st
        return self.mulk(k, st), lo, hi

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
            self.check(max(a.top * fa, b.top * fb), e)
            fn = "LEAST" if f == "min" else "GREATEST"
            return Num(f"{fn}({self.mulk(a.n, fa)}, {self.mulk(b.n, fb)})", lo, hi, L)
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

        def words(c):
            return ("(CASE " + c + " " + " ".join(f"WHEN {d.string(w)} THEN {'TRUE' if w in runtime.TRUE_WORDS else 'FALSE'}"
                                                for w in sorted(runtime.TRUE_WORDS | runtime.FALSE_WORDS)) + " END)")
        for inp in self.p.inputs:
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
                I = DIGITS[k]
                for b in (inp.lo, inp.hi):
                    if b is not None:
                        I = max(I, len(str(int(abs(b)))))
                self.input_scales[inp.name] = S
                pat = f"-?[0-9]{{1,{I}}}" + (f"(\\.[0-9]{{1,{S}}})?" if S else "")
                m = d.full_match(cell, pat)
                layer.columns.append((a, f"(CASE WHEN {m} THEN {d.scaled(cell, S, I)} END)"))
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
                items = []
                if isinstance(cell, list):          # a column per item
                    for j, c in enumerate(cell):
                        layer.columns.append((f"{a}_{j}", words(c)))
                    oks.append([f"{a}_{j} IS NOT NULL" for j in range(n)])
                else:
                    # 全部符合 / all; n digits 1 and 0; or n words with one separator (the first of the
                    # separators that occurs, as the Python path splits)
                    allw = " OR ".join(f"{cell} = {d.string(w)}" for w in sorted(runtime.ALL_MET_WORDS))
                    digits = d.full_match(cell, f"[01]{{{n}}}")
                    seps = [",", "，", "、", ";", "；", " ", "|"]
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
        if p.has_cohort:
            # statistics of the units scored together: window functions, not translated yet
            first = next((i for i in p.cohort_inputs), None)
            _refuse(getattr(first, "span", None) or p.roots[0].span, "参评单位之间的比较（排名、同类平均、名额）",
                    "comparisons among the units scored together (ranks, peer averages, quotas)")
        first, second = Layer(), Layer()
        self.parse_inputs(first, second)
        layers = [first, second]
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
        ok = " AND ".join(f"COALESCE({c}, FALSE)" for c in self.okcols)
        inds = sorted(p.walk(), key=lambda n: n.index)
        na = [self.NA.get(i.index) or "FALSE" for i in inds]
        return SqlPlan(p, self.d, layers, self.scale, ok, [self.S[i.index][0] for i in inds], na,
                       self.total_sql, self.total_scale, self.grade_sql, self.grade_ix, self.input_scales,
                       [self.S[i.index][1:] for i in inds], self.total_bounds)

    def items(self) -> list:
        """(kind, key, object): locals, raw scores of ruled indicators, rounded scores."""
        out = []
        for inp in self.p.inputs:
            if inp.only_if is not None:
                out.append(("present", ("P", inp.index), inp))
        for n, v in enumerate(self.p.verifies):
            out.append(("verify", ("V", n), v))
        for n, loc in enumerate(self.locals):
            out.append(("local", ("L", n), loc))
        for ind in self.p.walk():
            if ind.score is not None:
                out.append(("raw", ("R", ind.index), ind))
            out.append(("score", ("S", ind.index), ind))
        return out

    def deps_of(self, item) -> set:
        kind, key, obj = item
        if kind == "score":
            if obj.score is not None:
                return {("R", obj.index)}
            return {("S", c.index) for c in obj.children}
        e = {"local": lambda: obj.expr, "raw": lambda: obj.score, "present": lambda: obj.only_if,
             "verify": lambda: obj.cond}[kind]()
        out = set()
        for x in ir.walk(e):
            if isinstance(x, ir.LocalRef):
                out.add(("L", self.local_ix[id(x.local)]))
            elif isinstance(x, ir.ScoreRef):
                out.add(("S", x.indicator.index))
            elif isinstance(x, ir.SubtotalRef) and x.indicator is not None:
                out.update(("S", c.index) for c in x.indicator.children)
            elif isinstance(x, ir.TotalRef):
                _refuse(x.span, "指标规则中的总分", "总分 read by an indicator's rule")
        return out

    def depths(self, items) -> dict:
        by = {it[1]: it for it in items}
        deps = {it[1]: self.deps_of(it) for it in items}
        depth: dict = {}

        def visit(k, stack=()):
            if k in depth:
                return depth[k]
            if k in stack:
                raise AssertionError("cycle")
            ds = [visit(x, stack + (k,)) for x in deps[k] if x in by]
            depth[k] = 1 + max(ds) if ds else 0
            return depth[k]
        for k in by:
            visit(k)
        return depth

    def compile_item(self, item, layer: Layer):
        kind, key, obj = item
        self.guards, self.path = [], None
        if kind in ("present", "verify"):
            c = self.ev(obj.only_if if kind == "present" else obj.cond)
            if not isinstance(c, Bool):
                _refuse(obj.span, "此种条件", "a condition of this kind")
            alias = f"_pr{obj.index}" if kind == "present" else f"_ck{key[1]}"
            cond = f"(_given{obj.index} = {c.sql})" if kind == "present" else c.sql
            layer.columns.append((alias, "(" + " AND ".join([cond] + self.guards) + ")"))
            self.okcols.append(alias)
            return
        if kind == "local":
            n = key[1]
            v = self.ev(obj.expr)
            if isinstance(v, Num):
                if v.na:
                    _refuse(obj.span, "不适用的中间值", "a not-applicable intermediate value")
                layer.columns.append((f"_v{n}", v.n))
                ds = None
                if v.ds is not None:
                    layer.columns.append((f"_v{n}d", v.ds))
                    ds = f"_v{n}d"
                self.local_val[n] = Num(f"_v{n}", v.lo, v.hi, v.dc, ds, v.dmax, v.c)
            elif isinstance(v, Bool):
                layer.columns.append((f"_v{n}", v.sql))
                self.local_val[n] = Bool(f"_v{n}")
            elif isinstance(v, Enum):
                layer.columns.append((f"_v{n}", v.sql))
                self.local_val[n] = Enum(f"_v{n}")
            else:
                _refuse(obj.span, "此种中间值", "an intermediate value of this kind")
            if self.guards:
                layer.columns.append((f"_v{n}g", "(" + " AND ".join(self.guards) + ")"))
                self.local_ok[n] = f"_v{n}g"
            return
        ind, i = obj, obj.index
        if kind == "raw":
            v = self.ev(ind.score)
            if isinstance(v, NAv):
                v = Num(self.lit(0), 0, 0, na="TRUE")
            if not isinstance(v, Num):
                _refuse(ind.score.span, "非数值的得分", "a score that is not a number")
            layer.columns.append((f"_r{i}", v.n))
            ds = None
            if v.ds is not None:
                layer.columns.append((f"_r{i}d", v.ds))
                ds = f"_r{i}d"
            if v.na:
                layer.columns.append((f"_na{i}", v.na))
                self.NA[i] = f"_na{i}"
            self.R[i] = Num(f"_r{i}", v.lo, v.hi, v.dc, ds, v.dmax, v.c)
            if self.guards:
                layer.columns.append((f"_g{i}", "(" + " AND ".join(self.guards) + ")"))
                self.okcols.append(f"_g{i}")
            return
        # the rounded score (and the points it counts under 剔除)
        P = 10 ** self.scale
        EP = 10 ** self.escale
        exclude = self.p.na_policy == "exclude"
        if ind.score is not None:
            r = self.R[i]
            s, lo, hi = self.round_to(r, self.scale, self.st, self.p.rounding, ind.score)
            na = self.NA.get(i)
            pts = int(ind.points * EP)
            if na is not None:
                if exclude:
                    full, flo = self.lit(0), 0
                else:
                    k = _round_frac(Fraction(ind.points) * P / self.st, self.p.rounding) * self.st
                    full, flo = self.lit(k), k
                s = f"(CASE WHEN {na} THEN {full} ELSE {s} END)"
                lo, hi = min(lo, flo), max(hi, flo)
                e = f"(CASE WHEN {na} THEN {self.lit(0 if exclude else pts)} ELSE {self.lit(pts)} END)"
            else:
                e = self.lit(pts)
            layer.columns.append((f"_s{i}", s))
            pmax = Fraction(ind.points) * P
            if lo < 0 or hi > pmax:              # E0704: outside [0, points]
                layer.columns.append((f"_h{i}", f"(_s{i} >= 0 AND _s{i} <= {self.lit(math.floor(pmax))})"))
                self.okcols.append(f"_h{i}")
                lo, hi = max(lo, 0), min(hi, math.floor(pmax))
            self.S[i] = (f"_s{i}", lo, hi)
            if exclude:
                layer.columns.append((f"_e{i}", e))
                self.E[i] = (f"_e{i}", pts)
            if self.need_raw:
                self._raw_na(i, ind, layer)
            return
        # a node without a rule: the sum of its children (加分项 added, 扣分项 deducted)
        v = self.signed_sum(ind.children, ind)
        layer.columns.append((f"_s{i}", v.n if v.dc == P else self.mulk(v.n, P // v.dc)))
        self.S[i] = (f"_s{i}", v.lo * (P // v.dc), v.hi * (P // v.dc))
        nas = [self.NA.get(c.index) for c in ind.children]
        if all(x is not None for x in nas):
            layer.columns.append((f"_na{i}", "(" + " AND ".join(nas) + ")"))
            self.NA[i] = f"_na{i}"
        if exclude:
            es = [self.E[c.index][0] for c in ind.ordinary]
            layer.columns.append((f"_e{i}", " + ".join(es) if es else self.lit(0)))
            self.E[i] = (f"_e{i}", sum(self.E[c.index][1] for c in ind.ordinary))
        if self.need_raw:
            acc = None
            for c in ind.children:
                rv = self.R[c.index]
                acc = (rv if c.sign > 0 else self.mul(self.const(Fraction(-1)), rv, ind)) if acc is None \
                    else self.add(acc, rv, c.sign, ind)
            self._store_raw(i, acc if acc is not None else self.const(Fraction(0)), layer)

    def _raw_na(self, i, ind, layer):
        """The raw score as the total counts it (定级 按原始总分): 不适用 is the points (计满分) or 0."""
        na = self.NA.get(i)
        if na is None:
            return
        r = self.R[i]
        full = self.const(Fraction(0) if self.p.na_policy == "exclude" else Fraction(ind.points))
        self.guards = []
        v = self.choose([(na, full), (None, r)], ind.score)
        self._store_raw(i, v, layer)

    def _store_raw(self, i, v: Num, layer):
        layer.columns.append((f"_q{i}", v.n))
        ds = None
        if v.ds is not None:
            layer.columns.append((f"_q{i}d", v.ds))
            ds = f"_q{i}d"
        self.R[i] = Num(f"_q{i}", v.lo, v.hi, v.dc, ds, v.dmax, v.c)

    def total_layers(self, layers: list):
        p, d = self.p, self.d
        P = 10 ** self.scale
        self.guards, self.path = [], None
        roots = [x for x in p.roots if not x.adjusts]
        adjusts = [x for x in p.roots if x.adjusts]
        L1 = Layer()
        tot = self.signed_sum(roots, p.roots[0])
        exact = None
        if self.need_raw:
            acc = None
            for x in roots:
                acc = self.R[x.index] if acc is None else self.add(acc, self.R[x.index], 1, p.roots[0])
            exact = acc
        if p.na_policy == "exclude":
            nas = [self.NA[i.index] for i in p.walk() if i.score is not None and self.NA.get(i.index)]
            if nas:
                any_na = "(" + " OR ".join(nas) + ")"
                eff = " + ".join(self.E[x.index][0] for x in roots)
                eff_top = sum(self.E[x.index][1] for x in roots)
                EP = 10 ** self.escale
                T = int(p.total * EP)
                L1.columns += [("_eff", f"({eff})"), ("_anyna", any_na), ("_t0", tot.n)]
                layers.append(L1)
                L1 = Layer([("_okeff", "(NOT _anyna OR _eff <> 0)"),
                            ("_effz", f"(CASE WHEN _eff = 0 THEN {self.lit(1)} ELSE _eff END)")])
                self.okcols.append("_okeff")
                layers.append(L1)
                L1 = Layer()
                # 总分 × 满分 ÷ the points applicable, rounded: t0 × T ÷ (t0's denominator × eff)
                self.check(tot.top * T, p.roots[0])
                q = Num(self.mulk("_t0", T), tot.lo * T, tot.hi * T, tot.dc, "_effz", max(eff_top, 1))
                r, lo, hi = self.round_to(q, self.scale, self.st, p.rounding, p.roots[0])
                t0 = self.mulk("_t0", P // tot.dc)
                tot = Num(f"(CASE WHEN NOT _anyna OR _eff = {self.lit(T)} THEN {t0} ELSE {r} END)",
                          min(lo, tot.lo * (P // tot.dc)), max(hi, tot.hi * (P // tot.dc)), P)
                if exact is not None:
                    ex = self.div(self.mul(exact, self.const(Fraction(T)), p.roots[0]),
                                  Num("_effz", 1, max(eff_top, 1)), p.roots[0])
                    exact = self.choose([(f"(NOT _anyna OR _eff = {self.lit(T)})", exact), (None, ex)], p.roots[0])
        for x in adjusts:
            col, lo, hi = self.S[x.index]
            tot = self.add(tot, Num(col, lo, hi, P), x.sign, p.roots[0])
            if exact is not None:
                exact = self.add(exact, self.R[x.index], x.sign, p.roots[0])
        if p.total_rule is not None:
            self.subtotal = tot
            tot = self.ev(p.total_rule)
            if exact is not None:
                self.subtotal = exact
                exact = self.ev(p.total_rule)
        # 总分 as an integer at a fixed scale
        ts = self._dec_scale(tot, p.total_rule)
        L1.columns.append(("_tot", self.mulk(tot.n, 10 ** ts // tot.dc) if tot.dc != 10 ** ts else tot.n))
        tot_col = Num("_tot", tot.lo * (10 ** ts // tot.dc), tot.hi * (10 ** ts // tot.dc), 10 ** ts)
        self.total_bounds = (tot_col.lo, tot_col.hi)
        if exact is not None:
            L1.columns.append(("_ex", exact.n))
            if exact.ds is not None:
                L1.columns.append(("_exd", exact.ds))
        if self.guards:
            L1.columns.append(("_okt", "(" + " AND ".join(self.guards) + ")"))
            self.okcols.append("_okt")
        layers.append(L1)
        self.total_sql, self.total_scale = "_tot", ts
        # the grade, on the rounded, exact or whole-number total
        self.guards = []
        if p.grade_on == "exact":
            gt = Num("_ex", exact.lo, exact.hi, exact.dc, "_exd" if exact.ds is not None else None, exact.dmax)
        elif p.grade_on == "integer":
            s, lo, hi = self.round_to(tot_col, 0, 1, p.rounding, p.roots[0])
            gt = Num(s, lo, hi)
        else:
            gt = tot_col
        self.grade_total = gt
        conds = []
        for b in p.grades:
            conds.append(None if b.cond is None else self.ev(b.cond).sql)
        names = [b.name for b in p.grades]
        if conds and conds[-1] is None:
            idx = "(CASE " + " ".join(f"WHEN {c} THEN {k}" for k, c in enumerate(conds[:-1])) + f" ELSE {len(conds) - 1} END)" \
                if len(conds) > 1 else "0"
        else:
            idx = "(CASE " + " ".join(f"WHEN {c} THEN {k}" for k, c in enumerate(conds)) + " ELSE -1 END)"
        L2 = Layer([("_gi0", idx)])
        layers.append(L2)
        self.okcols.append("_okg")
        L2.columns.append(("_okg", f"({idx} >= 0)"))
        g = "_gi0"
        for n, v in enumerate(p.vetoes):
            c = self.ev(v.cond).sql
            vi = names.index(v.grade)
            new = f"GREATEST({g}, {vi})" if v.cap else str(vi)
            layers.append(Layer([(f"_gi{n + 1}", f"(CASE WHEN {c} THEN {new} ELSE {g} END)")]))
            g = f"_gi{n + 1}"
        if self.guards:
            layers[-1].columns.append(("_okv", "(" + " AND ".join(self.guards) + ")"))
            self.okcols.append("_okv")
        self.grade_ix = g
        self.grade_sql = "(CASE " + " ".join(f"WHEN {g} = {k} THEN {d.string(nm)}" for k, nm in enumerate(names)) + " END)"

    def _dec_scale(self, v: Num, e) -> int:
        if v.ds is not None:
            _refuse(getattr(e, "span", None), "总分中的除法", "a division in 总分's rule")
        dc, a, b = v.dc, 0, 0
        while dc % 2 == 0:
            dc //= 2
            a += 1
        while dc % 5 == 0:
            dc //= 5
            b += 1
        if dc != 1:
            _refuse(getattr(e, "span", None), "不是有限小数的总分", "a total that is not a finite decimal")
        return max(a, b, self.scale)


def _round_frac(x: Fraction, mode: str) -> int:
    fl = math.floor(x)
    r = x - fl
    if mode == "down":
        return int(fl) if x >= 0 else -math.floor(-x)
    if mode == "up":
        return math.ceil(x) if x >= 0 else -math.ceil(-x)
    if mode == "half_up":
        return math.floor(x + Fraction(1, 2)) if x >= 0 else -math.floor(-x + Fraction(1, 2))
    if r > Fraction(1, 2):
        return fl + 1
    if r < Fraction(1, 2):
        return fl
    return fl + (fl % 2)


_RE_SPECIAL = set("\\.^$|?*+()[]{}-/")


def _re_escape(s: str) -> str:
    return "".join("\\" + c if c in _RE_SPECIAL else c for c in s)


def _comment(text: str) -> str:
    """Rulebook text inside an SQL comment: on one line."""
    return " ".join(str(text).split())


def plan(program: ir.Program, dialect: str = "duckdb", cells: Optional[Callable] = None) -> SqlPlan:
    """The SQL plan of a checked program; ``cells(input)`` gives the SQL text of an input's
    cell (a list of them for a checklist given a column per item). Raises Unsupported."""
    d = DIALECTS[dialect]
    if cells is None:
        cells = lambda inp: d.to_text(d.ident(inp.name))     # noqa: E731
    return Compiler(program, d, cells).build()


def emit_sql(program: ir.Program, dialect: str = "duckdb", table: str = "inputs", keep: tuple = ()) -> str:
    """``jixiao compile --emit-sql``: one query over the table ``table`` (a column per input,
    named as the input, of any type: it is read as text) giving the columns ``keep`` of
    the table, every indicator's score, 总分, 等级, a 不适用 flag per indicator and
    ``有效`` (false: the row is not scored here — a cell not in plain form, or a rule
    that fails on it; the Python engine scores it or words the error)."""
    from ...data.results import indicator_headers_of
    d = DIALECTS[dialect]
    pl = plan(program, dialect)
    heads = indicator_headers_of(program)
    final = [(k, d.ident(f"_k{n}")) for n, k in enumerate(keep)]
    ok = f"({pl.ok})"
    final += [(h, f"CASE WHEN {ok} THEN {sql} END") for h, sql in pl.formatted()]
    final += [(f"{h}.不适用", f"CASE WHEN {ok} THEN {na} END") for h, na in zip(heads, pl.na)]
    final.append(("有效", ok))
    passthrough = [(d.ident(f"_k{n}"), d.ident(k)) for n, k in enumerate(keep)]
    head = (f"-- jixiao: {_comment(program.title)} as exact SQL ({d.name})\n"
            f"-- reads the table {_comment(table)}: one column per input, named as the input, read as text\n")
    return head + pl.query(d.ident(table), passthrough, final) + ";\n"
