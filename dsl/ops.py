"""Operators and constant values: one table, one evaluator of constant expressions, one
"may this rule give 不适用?" predicate, for every stage.

- The parser maps each accepted spelling (``≥``, ``>=``, ``＞＝`` …) to an IR operator
  through :data:`SPELLINGS`; the printer shows IR operators through :data:`SHOWN`; code
  generation writes them as Python through :data:`PYTHON`; evaluators apply them through
  :data:`COMPARE` and :data:`ARITH`.
- :func:`value_of` is the value of an expression made of constants (and, for grade
  bands, 总分 given in ``env``), computed in the caller's decimal context; None where it
  is not a constant or cannot be computed (a division by zero, a function of inputs).
- :func:`may_be_na` says whether a score rule can give 不适用.
"""
from __future__ import annotations

import calendar
import datetime
import operator
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP, Decimal
from typing import Any, Optional

from . import ir

COMPARE = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt,
           "==": operator.eq, "!=": operator.ne}
ARITH = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}

# every spelling the grammar accepts -> the IR operator (full-width forms of tables too)
SPELLINGS = {"≥": ">=", ">=": ">=", "＞": ">", ">": ">", "≤": "<=", "<=": "<=", "＜": "<", "<": "<",
             "=": "==", "==": "==", "＝": "==", "≠": "!=", "!=": "!=",
             # as printed in official tables: ≧ ≦, the slanted ⩾ ⩽, full-width ＞＝ ＜＝, doubled ≥= ≤=
             "≧": ">=", "⩾": ">=", "＞＝": ">=", "≥=": ">=", "≦": "<=", "⩽": "<=", "＜＝": "<=", "≤=": "<=",
             "+": "+", "＋": "+", "-": "-", "－": "-", "*": "*", "×": "*", "/": "/", "÷": "/"}
# the IR operator as Python source (generated code) and as printed in 评分标准 / 评分依据
PYTHON = {op: op for op in (*COMPARE, *ARITH)}
SHOWN = {">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠", "+": "+", "-": "-", "*": "×", "/": "÷"}

# 舍入: the rulebook's rounding modes (the runtime keeps a copy, pinned by a test)
ROUNDING = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN, "down": ROUND_DOWN, "up": ROUND_UP}

FUNCTIONS = {"min": min, "max": max, "abs": abs,
             "ceil": lambda v: v.to_integral_value(ROUND_CEILING),
             "floor": lambda v: v.to_integral_value(ROUND_FLOOR)}


def add_months(d: datetime.date, k: int) -> datetime.date:
    """``d`` moved by ``k`` calendar months, keeping its day, or the month's last day when
    the month is shorter (1月31日 + 1个月 = 2月29日 in 2024)."""
    y, m = divmod(d.year * 12 + d.month - 1 + k, 12)
    m += 1
    return datetime.date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def months_between(a, b) -> Decimal:
    """相差月数 by its definition, for day numbers ``a`` and ``b``: the most whole months
    k ≥ 0 with ``add_months(a, k) ≤ b``; −相差月数(b, a) when ``b`` is earlier. (The
    runtime computes it by a closed formula; a test holds the two equal.)"""
    if b < a:
        return -months_between(b, a)
    try:
        x, y = datetime.date.fromordinal(int(a)), datetime.date.fromordinal(int(b))
    except (ValueError, OverflowError):
        raise OverflowError("a date outside 0001-01-01 to 9999-12-31") from None     # an ArithmeticError
    k = (y.year - x.year) * 12 + (y.month - x.month)
    while k > 0 and add_months(x, k) > y:
        k -= 1
    return Decimal(k)


def compare(op: str, a, b) -> bool:
    return COMPARE[op](a, b)


def clamp(kind: str, x, bound=None):
    """扣完为止 (floor_zero: not below 0), 不加分 / 最多 (capped, at_most: not above the
    bound), 最少 (at_least: not below it)."""
    if kind == "floor_zero":
        return max(x, Decimal(0))
    return min(x, bound) if kind in ("capped", "at_most") else max(x, bound)


class _NotConstant(Exception):
    pass


def value_of(e: ir.Expr, env: Optional[dict] = None) -> Any:
    """The value of ``e`` if it is made of constants (a Decimal or a bool), else None.
    ``env`` may give 总分 (``{"total": Decimal}``) for grade band conditions. Computed in
    the ambient decimal context; an arithmetic error (÷ 0) makes it not constant."""
    try:
        return _value(e, env or {})
    except (_NotConstant, ArithmeticError, TypeError, ValueError, OverflowError):
        return None


def _value(e, env):
    if isinstance(e, ir.Const):
        if isinstance(e.value, (Decimal, bool)):
            return e.value
        raise _NotConstant
    if isinstance(e, ir.LocalRef):
        if e.local.expr is None or isinstance(e.local.expr, ir.LocalRef):
            raise _NotConstant
        return _value(e.local.expr, env)
    if isinstance(e, ir.TotalRef):
        if "total" in env:
            return env["total"]
        raise _NotConstant
    if isinstance(e, ir.Neg):
        return -_decimal(_value(e.operand, env))
    if isinstance(e, ir.BinOp):
        a, b = _decimal(_value(e.left, env)), _decimal(_value(e.right, env))
        if e.op == "/" and b == 0:
            raise _NotConstant
        return ARITH[e.op](a, b)
    if isinstance(e, ir.Compare):
        vals = [_value(x, env) for x in e.operands]
        return all(COMPARE[o](a, b) for o, a, b in zip(e.ops, vals, vals[1:]))
    if isinstance(e, ir.Logic):
        a, b = _value(e.left, env), _value(e.right, env)
        return (a and b) if e.op == "and" else (a or b)
    if isinstance(e, ir.Not):
        return not _value(e.operand, env)
    if isinstance(e, ir.Call) and e.func in FUNCTIONS:
        vals = [_decimal(_value(a, env)) for a in e.args]
        return FUNCTIONS[e.func](*vals) if e.func in ("min", "max") else FUNCTIONS[e.func](vals[0])
    if isinstance(e, ir.Clamp):
        x = _decimal(_value(e.operand, env))
        return clamp(e.kind, x, None if e.kind == "floor_zero" else _decimal(_value(e.bound, env)))
    if isinstance(e, ir.Convert):
        return _decimal(_value(e.operand, env)) * e.factor
    if isinstance(e, ir.Call) and e.func == "months":
        a, b = (_decimal(_value(x, env)) for x in e.args)
        return months_between(a, b)
    raise _NotConstant


def _decimal(v):
    if isinstance(v, bool) or not isinstance(v, Decimal):
        raise _NotConstant
    return v


def constant(e: ir.Expr) -> Optional[Decimal]:
    """The Decimal of a constant, directly or through a local defined as one (no arithmetic)."""
    if isinstance(e, ir.LocalRef) and isinstance(e.local.expr, ir.Const):
        e = e.local.expr
    if isinstance(e, ir.Const) and isinstance(e.value, Decimal) and not isinstance(e.value, bool):
        return e.value
    return None


def fold_constant(e: ir.Expr) -> ir.Expr:
    """``-100%`` and other constant arithmetic (and comparisons of constants) as one
    Const; ``e`` itself when it is not constant."""
    if isinstance(e, ir.Const):
        return e
    v = value_of(e) if isinstance(e, (ir.LocalRef, ir.Neg, ir.BinOp, ir.Compare)) else None
    if isinstance(v, bool) and isinstance(e, ir.Compare):
        return ir.Const(v, span=e.span, type=ir.BOOL)
    if isinstance(v, Decimal) and not isinstance(v, bool):
        return ir.Const(v, span=e.span, type=e.type)
    return e


def may_be_na(e: Optional[ir.Expr]) -> bool:
    """Can this score rule give 不适用: as its value, a branch's, a tier's, or through a
    clamp around one of those?"""
    if e is None:
        return False
    if isinstance(e, (ir.NotApplicable, ir.PeerScore)):
        return True
    if isinstance(e, ir.If):
        return may_be_na(e.then) or may_be_na(e.else_)
    if isinstance(e, ir.Tiers):
        return any(may_be_na(r.value) for r in e.rows)
    if isinstance(e, ir.Clamp):
        return may_be_na(e.operand)
    return False
