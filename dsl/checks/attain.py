"""Attainable scores, for auditing claimed ones: the values a rule can give as a union
of intervals (branches of conditions and tiers kept apart, so that "0, or 3.8 to 4"
is not hidden in the hull [0, 4]), and whether a claimed score can be one of them
after rounding."""
from __future__ import annotations

from decimal import Decimal

from .. import ir
from ..ops import may_be_na
from ..ir import fmt_decimal
from . import intervals as iv
from .bounds import Bounds
from .intervals import Interval

D0 = Decimal(0)


# ───────────── attainable scores (for auditing claimed scores) ─────────────

def _union_set(b: Bounds, e: ir.Expr, env) -> list[Interval]:
    """The values a score rule can give, as a union of intervals: branches of conditions
    and tiers are kept apart (the hull would hide that 项目质量达标率 gives 0 or more than
    3.8, never 3)."""
    if isinstance(e, (ir.NotApplicable, ir.Unscorable)):
        return []
    if isinstance(e, ir.If):
        return (_union_set(b, e.then, b.refine_env(env, e.cond, True))
                + _union_set(b, e.else_, b.refine_env(env, e.cond, False)))
    if isinstance(e, ir.Clamp):
        inner = _union_set(b, e.operand, env)
        if e.kind == "floor_zero":
            return [iv.maximum(x, Interval.point(D0)) for x in inner]
        bound = b.ev(e.bound, env)
        f = iv.minimum if e.kind in ("capped", "at_most") else iv.maximum
        return [f(x, bound) for x in inner]
    if isinstance(e, ir.Tiers):
        out: list[Interval] = []
        numeric = e.subject is not None and e.subject.type.kind in ("num", "date")
        remaining = b.ev(e.subject, env) if numeric else None
        for row in e.rows:
            renv = env
            if row.kind == "else":
                out += _union_set(b, row.value, env)
                break
            if row.kind == "cond":
                renv = b.refine_env(env, row.key, True)
                env = b.refine_env(env, row.key, False)
            elif numeric and b._point(row.key, env) is not None:
                op, c = row.op or "==", b._point(row.key, env)
                if remaining is not None:
                    if iv.refine(remaining, op, c).empty:
                        continue
                    remaining = iv.refine(remaining, op, c, negate=True)
                renv = b._narrow(env, e.subject, op, c, True)
                env = b._narrow(env, e.subject, op, c, False)
            out += _union_set(b, row.value, renv)
            if remaining is not None and remaining.empty:
                break
        return out
    r = b.ev(e, env)
    return [] if r.empty else [r]


def attainable(prog: ir.Program, ind: ir.Indicator) -> list[Interval]:
    """Intervals covering every raw score the indicator's rule can give (sound: a value
    outside them is impossible). A composite without a rule: sums of its children."""
    b = Bounds(prog)
    b.run()
    if ind.score is None:
        return [b.ranges.get(ind.index, Interval(D0, ind.points))]
    out = _union_set(b, ind.score, {})
    if ind.score is not None and may_be_na(ind.score) and prog.na_policy == "full_points":
        out.append(Interval.point(ind.points))
    return out




def can_round_to(intervals: list[Interval], c: Decimal, step: Decimal, rounding: str) -> bool:
    """Can some value in ``intervals``, rounded to ``step``, show as ``c``?"""
    half = step / 2
    if rounding == "half_up":
        lo, lo_open, hi, hi_open = c - half, False, c + half, True
    elif rounding == "half_even":
        lo, lo_open, hi, hi_open = c - half, False, c + half, False
    elif rounding == "down":
        lo, lo_open, hi, hi_open = (c, False, c + step, True) if c >= 0 else (c - step, True, c, False)
    else:   # up
        lo, lo_open, hi, hi_open = (c - step, True, c, False) if c >= 0 else (c, False, c + step, True)
    return any(not iv.meet(x, lo, hi, lo_open, hi_open).empty for x in intervals)


def describe_set(intervals: list[Interval]) -> str:
    """{0} ∪ (3.8, 4] as readable text: 0 或 3.8～4（不含3.8）."""
    parts = []
    for x in sorted(intervals, key=lambda i: (i.lo is None, i.lo if i.lo is not None else 0)):
        if x.lo is not None and x.lo == x.hi:
            parts.append(fmt_decimal(x.lo))
        else:
            parts.append(x.text())
    seen, out = set(), []
    for p in parts:
        if p not in seen:
            seen.add(p)
            out.append(p)
    return " ∪ ".join(out)
