"""Exact arithmetic of the SQL translation (a part of compile.Compiler): sums, products and
quotients of integer fractions with their bounds checked under 10^38, cross-multiplied
comparisons, branches, and rounding by integer division in the rulebook's mode."""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Optional


from ....dsl.diagnostics import Label, make

from .values import Bool, Enum, LIMIT, NAv, Num, Unsupported, _refuse, _round_frac, _text

# ───────────── values ─────────────

# ───────────── the plan ─────────────

class ExactArith:
    """Mixed into :class:`Compiler` (compile.py); uses its state and the rest of its translation."""

    # ── helpers ──
    def lit(self, k: int) -> str:
        return self.d.int(k)

    def check(self, top: int, e) -> None:
        self.magnitude = max(self.magnitude, top)
        self._bound(top, LIMIT, e)

    def qcheck(self, q: int, e) -> None:
        """A quotient of an integer division bounded by ``q``: under the dialect's limit
        (Spark divides DECIMAL(38,0)s into DECIMAL(38,6): 32 integer digits)."""
        if self.d.quotient_limit is not None:
            self._bound(q, self.d.quotient_limit, e)

    @staticmethod
    def _bound(top: int, limit: int, e) -> None:
        if top >= limit:
            raise Unsupported([make("E0802", [Label(e.span, "")] if getattr(e, "span", None) is not None else [],
                                    expr=_text(e), limit=f"10^{len(str(limit)) - 1}")])

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

    def mulk(self, sql: str, k: int, top: int = 0) -> str:
        """sql × k; ``top``: the product's largest magnitude (for the integer type)."""
        return sql if k == 1 else f"({self.d.wide(sql, top)} * {self.lit(k)})"

    def w(self, sql: str, top: int) -> str:
        return self.d.wide(sql, top)

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
                return Num(self.mulk(a.n, fa, a.top * fa), a.lo * fa, a.hi * fa, L)
            top = max(abs(lo), abs(hi), a.top * fa, b.top * fb)
            self.check(max(abs(lo), abs(hi)), e)
            return Num(f"({self.mulk(self.w(a.n, top), fa, top)} {op} {self.mulk(self.w(b.n, top), fb, top)})", lo, hi, L)
        top = a.top * b.dtop + b.top * a.dtop
        an, bn = f"({self.w(a.n, top)} * {b.den(self.d)})", f"({self.w(b.n, top)} * {a.den(self.d)})"
        self.check(top, e)
        return Num(f"({an} {op} {bn})", -top, top, a.dc * b.dc, self._dsmul(a, b), a.dmax * b.dmax)

    def _dsmul(self, a: Num, b: Num) -> Optional[str]:
        if a.ds is None:
            return b.ds
        if b.ds is None:
            return a.ds
        return f"({self.w(a.ds, a.dmax * b.dmax)} * {b.ds})"

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
            return Num(self.mulk(b.n, p, max(abs(lo), abs(hi))), lo, hi, dc, b.ds, b.dmax)
        cands = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi]
        top = max(abs(x) for x in cands)
        self.check(top, e)
        self.check(a.dmax * b.dmax, e)
        return Num(f"({self.w(a.n, top)} * {b.n})", min(cands), max(cands), a.dc * b.dc, self._dsmul(a, b),
                   a.dmax * b.dmax)

    def div(self, a: Num, b: Num, e) -> Num:
        if b.c is not None:
            if b.c == 0:
                _refuse(e.span, "恒为零的除数", "a divisor that is always zero")
            return self.mul(self.const(1 / b.c), a, e)
        d = self.d
        if b.lo <= 0 <= b.hi:
            self.guard(f"({b.n} <> 0)")
        # a / b = (a.n × b.den) / (a.den × b.n), the sign of b.n moved up
        ntop = a.top * b.dtop
        num = a.n if (b.ds is None and b.dc == 1) else f"({self.w(a.n, ntop)} * {b.den(d)})"
        self.check(ntop, e)
        if b.lo > 0:
            bn, btop = b.n, b.hi
        elif b.hi < 0:
            num, bn, btop = f"(-{num})", f"(-{b.n})", -b.lo
        else:
            num = f"(CASE WHEN {b.n} < 0 THEN -{num} ELSE {num} END)"
            bn, btop = f"abs({b.n})", b.top
        dmax = btop * a.dmax
        ds = bn if a.ds is None else f"({self.w(a.ds, dmax)} * {bn})"
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
            top = max(a.top * (L // a.dc), b.top * (L // b.dc))
            self.check(top, e)
            return self.mulk(self.w(a.n, top), L // a.dc, top), self.mulk(self.w(b.n, top), L // b.dc, top)
        top = max(a.top * b.dtop, b.top * a.dtop)
        self.check(top, e)
        l = a.n if (b.ds is None and b.dc == 1) else f"({self.w(a.n, top)} * {b.den(self.d)})"
        r = b.n if (a.ds is None and a.dc == 1) else f"({self.w(b.n, top)} * {a.den(self.d)})"
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
            parts = [self.lit(0) if isinstance(v, NAv) else self.mulk(v.n, L // v.dc, v.top * (L // v.dc)) for v in vals]
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
            return self.mulk(v.n, f, v.top * f), v.lo * f, v.hi * f
        top = 2 * v.top * P + v.dtop * st
        self.check(top, e)
        self.check(2 * v.dtop * st, e)
        x = self.mulk(self.w(v.n, top), P, top)
        y = v.den(self.d) if st == 1 else f"({self.w(v.den(self.d), top)} * {self.lit(st)})"
        if v.ds is None:
            y = self.lit(v.dc * st)
        k = self.rdiv(x, y, mode)
        if v.ds is None:
            lo, hi = (v.lo * P) // (v.dc * st) * st, -((-v.hi * P) // (v.dc * st)) * st
        else:
            lo, hi = -(v.top * P // v.dc) - st, v.top * P // v.dc + st
        self.qcheck(max(abs(lo), abs(hi)) // st + 2, e)       # the rounding's quotients: k, k ± 1
        return self.mulk(k, st), lo, hi
