"""Interval arithmetic over Decimal with open/closed and infinite ends.

Used to prove score bounds, find divisions by a possible zero and decide tier coverage.
Sound, not complete: an interval may be wider than the true range of values.
"""
from __future__ import annotations

from decimal import (MAX_EMAX, MIN_EMIN, ROUND_CEILING, ROUND_FLOOR, Context, Decimal, DivisionByZero, InvalidOperation,
                     localcontext)
from typing import Optional

import attrs

D0 = Decimal(0)


@attrs.frozen
class Interval:
    lo: Optional[Decimal] = None      # None = -inf
    hi: Optional[Decimal] = None      # None = +inf
    lo_open: bool = False
    hi_open: bool = False
    integer: bool = False

    @classmethod
    def point(cls, v: Decimal) -> "Interval":
        return cls(v, v)

    @property
    def empty(self) -> bool:
        if self.lo is None or self.hi is None:
            return False
        return self.lo > self.hi or (self.lo == self.hi and (self.lo_open or self.hi_open))

    def contains(self, v: Decimal) -> bool:
        if self.lo is not None and (v < self.lo or (v == self.lo and self.lo_open)):
            return False
        if self.hi is not None and (v > self.hi or (v == self.hi and self.hi_open)):
            return False
        return True

    def within(self, lo: Decimal, hi: Decimal) -> bool:
        return (self.lo is not None and self.lo >= lo) and (self.hi is not None and self.hi <= hi)

    def text(self) -> str:
        from ..ir import fmt_decimal
        a = "-∞" if self.lo is None else fmt_decimal(_round(self.lo))
        b = "+∞" if self.hi is None else fmt_decimal(_round(self.hi))
        return f"{'(' if self.lo_open or self.lo is None else '['}{a}, {b}{')' if self.hi_open or self.hi is None else ']'}"


def _round(d: Decimal) -> Decimal:
    return d.quantize(Decimal("0.0001")) if d == d and d.copy_abs() < Decimal("1e20") else d


TOP = Interval()


def hull(a: Interval, b: Interval) -> Interval:
    if a.empty:
        return b
    if b.empty:
        return a
    if a.lo is None or b.lo is None:
        lo, lo_open = None, False
    elif a.lo < b.lo or (a.lo == b.lo and not a.lo_open):
        lo, lo_open = a.lo, a.lo_open
    else:
        lo, lo_open = b.lo, b.lo_open
    if a.hi is None or b.hi is None:
        hi, hi_open = None, False
    elif a.hi > b.hi or (a.hi == b.hi and not a.hi_open):
        hi, hi_open = a.hi, a.hi_open
    else:
        hi, hi_open = b.hi, b.hi_open
    return Interval(lo, hi, lo_open, hi_open, a.integer and b.integer)


def meet(a: Interval, lo=None, hi=None, lo_open=False, hi_open=False) -> Interval:
    """Intersect ``a`` with the interval given by the bounds."""
    nlo, nlo_open = a.lo, a.lo_open
    if lo is not None and (nlo is None or lo > nlo or (lo == nlo and lo_open)):
        nlo, nlo_open = lo, lo_open
    nhi, nhi_open = a.hi, a.hi_open
    if hi is not None and (nhi is None or hi < nhi or (hi == nhi and hi_open)):
        nhi, nhi_open = hi, hi_open
    return Interval(nlo, nhi, nlo_open, nhi_open, a.integer)


def refine(a: Interval, op: str, c: Decimal, negate: bool = False) -> Interval:
    """The part of ``a`` where ``x op c`` holds (or fails, when ``negate``)."""
    return _integral(_refine(a, op, c, negate))


def _integral(a: Interval) -> Interval:
    """For whole-number intervals, pull open or fractional ends in to whole numbers."""
    if not a.integer:
        return a
    lo, hi = a.lo, a.hi
    if lo is not None:
        c = lo.to_integral_value("ROUND_CEILING")
        lo = c + 1 if (a.lo_open and c == lo) else c
    if hi is not None:
        f = hi.to_integral_value("ROUND_FLOOR")
        hi = f - 1 if (a.hi_open and f == hi) else f
    return Interval(lo, hi, False, False, True)


def _refine(a: Interval, op: str, c: Decimal, negate: bool = False) -> Interval:
    if negate:
        op = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "==": "!=", "!=": "=="}[op]
    if op == ">=":
        return meet(a, lo=c)
    if op == ">":
        return meet(a, lo=c, lo_open=True)
    if op == "<=":
        return meet(a, hi=c)
    if op == "<":
        return meet(a, hi=c, hi_open=True)
    if op == "==":
        return meet(meet(a, lo=c), hi=c)
    # != : only an endpoint can be cut off
    if a.lo is not None and a.lo == c and not a.lo_open:
        return Interval(a.lo, a.hi, True, a.hi_open, a.integer)
    if a.hi is not None and a.hi == c and not a.hi_open:
        return Interval(a.lo, a.hi, a.lo_open, True, a.integer)
    return a


# Interval ends beyond any exponent a Decimal can hold never raise (decimal.Overflow was a
# traceback: large ranges multiplied repeatedly): the Overflow trap is off and every end is
# rounded towards the safe side (a lower end floored, an upper end ceiled), so an end that
# overflows becomes ±Infinity — an unbounded end, which is sound — or the largest finite
# number on the safe side of the true end, which is sound too; an end that underflows is
# rounded the same safe way.
_CTX_LO = Context(prec=80, rounding=ROUND_FLOOR, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, DivisionByZero])
_CTX_HI = Context(prec=80, rounding=ROUND_CEILING, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[InvalidOperation, DivisionByZero])
# evaluation keeps 40 significant digits (half-even): an inexact quotient or product can
# land this much beyond the exact value, so interval ends are widened by it
_SLACK = Decimal("1e-38")


_CORNER_LO = Context(prec=80, rounding=ROUND_FLOOR, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[])
_CORNER_HI = Context(prec=80, rounding=ROUND_CEILING, Emax=MAX_EMAX, Emin=MIN_EMIN, traps=[])


# ends are kept within exponents the rest of the checker computes with (its context has
# Emax 999999): an end beyond EXP_LIMIT is widened soundly — a huge end to ±∞, a tiny one to
# 0 or to ±TINY on its safe side
EXP_LIMIT = 99_999
_TINY = Decimal(f"1e-{EXP_LIMIT}")


def _lo_end(x):
    if x is None or not x.is_finite():
        return None
    if x.adjusted() > EXP_LIMIT:
        return None                                   # -∞ is below anything
    if x and x.adjusted() < -EXP_LIMIT:
        return D0 if x > 0 else _TINY.copy_negate()   # at or below the true end
    return x


def _hi_end(x):
    if x is None or not x.is_finite():
        return None
    if x.adjusted() > EXP_LIMIT:
        return None                                   # +∞ is above anything
    if x and x.adjusted() < -EXP_LIMIT:
        return _TINY if x > 0 else D0                 # at or above the true end
    return x


def _add(x, y, ctx=_CTX_LO):
    return None if x is None or y is None else ctx.add(x, y)


def add(a: Interval, b: Interval) -> Interval:
    return Interval(_lo_end(_add(a.lo, b.lo, _CTX_LO)), _hi_end(_add(a.hi, b.hi, _CTX_HI)), a.lo_open or b.lo_open,
                    a.hi_open or b.hi_open, a.integer and b.integer)


def neg(a: Interval) -> Interval:
    # copy_negate is exact; unary minus would round to the ambient context's 28 digits
    return Interval(None if a.hi is None else a.hi.copy_negate(), None if a.lo is None else a.lo.copy_negate(),
                    a.hi_open, a.lo_open, a.integer)


def sub(a: Interval, b: Interval) -> Interval:
    return add(a, neg(b))


_INF_D = Decimal("Infinity")


def _ext(v, is_lo):
    """An interval end as an extended decimal (None -> ±Infinity)."""
    if v is None:
        return -_INF_D if is_lo else _INF_D
    return v


def _prod(x, y):
    # interval arithmetic convention: 0 × ∞ = 0
    if (x == 0 and y.is_infinite()) or (y == 0 and x.is_infinite()):
        return D0
    return x * y


def _quot(x, y):
    if y.is_infinite():
        return D0 if not x.is_infinite() else (_INF_D if (x > 0) == (y > 0) else -_INF_D)
    return x / y


def _corners(a: Interval, b: Interval, op):
    """The least and greatest of op at the four corners, each computed rounded down and
    rounded up (so an inexact, overflowing or underflowing corner still bounds the truth)."""
    los, his = [], []
    for ctx, out in ((_CORNER_LO, los), (_CORNER_HI, his)):
        with localcontext(ctx):
            for x in (_ext(a.lo, True), _ext(a.hi, False)):
                for y in (_ext(b.lo, True), _ext(b.hi, False)):
                    v = op(x, y)
                    if not v.is_nan():
                        out.append(v)
    if not los or not his:
        return None, None
    lo, hi = min(los), max(his)
    if not lo.is_infinite():
        lo = _CTX_LO.subtract(lo, _CTX_HI.multiply(lo.copy_abs(), _SLACK))
    if not hi.is_infinite():
        hi = _CTX_HI.add(hi, _CTX_HI.multiply(hi.copy_abs(), _SLACK))
    return _lo_end(lo), _hi_end(hi)      # overflowed or beyond EXP_LIMIT: unbounded


def mul(a: Interval, b: Interval) -> Interval:
    if a.empty or b.empty:
        return Interval(D0, D0, True, True)
    lo, hi = _corners(a, b, _prod)
    return Interval(lo, hi, False, False, a.integer and b.integer)


def div(a: Interval, b: Interval) -> Interval:
    if a.empty or b.empty:
        return Interval(D0, D0, True, True)
    if b.contains(D0):
        return TOP
    # b is entirely positive or negative (possibly with an open end at 0)
    if (b.lo is not None and b.lo == 0) or (b.hi is not None and b.hi == 0):
        sign_pos = b.lo is not None and b.lo >= 0
        if a.lo is not None and a.lo >= 0:
            return Interval(D0 if sign_pos else None, None if sign_pos else D0)
        if a.hi is not None and a.hi <= 0:
            return Interval(None if sign_pos else D0, D0 if sign_pos else None)
        return TOP
    lo, hi = _corners(a, b, _quot)
    return Interval(lo, hi)


def minimum(a: Interval, b: Interval) -> Interval:
    lo = None if a.lo is None or b.lo is None else min(a.lo, b.lo)
    if a.hi is None:
        hi = b.hi
    elif b.hi is None:
        hi = a.hi
    else:
        hi = min(a.hi, b.hi)
    return Interval(lo, hi)


def maximum(a: Interval, b: Interval) -> Interval:
    hi = None if a.hi is None or b.hi is None else max(a.hi, b.hi)
    if a.lo is None:
        lo = b.lo
    elif b.lo is None:
        lo = a.lo
    else:
        lo = max(a.lo, b.lo)
    return Interval(lo, hi)


def ceil(a: Interval) -> Interval:
    return Interval(None if a.lo is None else a.lo.to_integral_value("ROUND_CEILING"),
                    None if a.hi is None else a.hi.to_integral_value("ROUND_CEILING"), integer=True)


def floor(a: Interval) -> Interval:
    return Interval(None if a.lo is None else a.lo.to_integral_value("ROUND_FLOOR"),
                    None if a.hi is None else a.hi.to_integral_value("ROUND_FLOOR"), integer=True)


def absolute(a: Interval) -> Interval:
    if a.lo is not None and a.lo >= 0:
        return a
    if a.hi is not None and a.hi <= 0:
        return neg(a)
    hi = None if a.lo is None or a.hi is None else max(a.lo.copy_negate(), a.hi)
    return Interval(D0, hi)
