"""Environments narrowed by conditions, for the interval analysis of bounds.py: under
``如果 上年数 = 0 则 … 否则 …`` the else branch sees 上年数 > 0; 且/或 split, comparisons
with a constant narrow a variable (an input, a local, a count), and the two sides of a
branch are joined back (the hull of each variable's intervals)."""
from __future__ import annotations

from decimal import Decimal

from .. import ir
from . import intervals as iv
from .intervals import Interval

D0 = Decimal(0)


class Refine:
    """Mixed into :class:`Bounds` (bounds.py); uses its ``var``, ``ev`` and ``base``."""

    def refine_env(self, env, cond: ir.Expr, truth: bool) -> dict:
        """Environment under which ``cond`` is ``truth``."""
        if isinstance(cond, ir.Logic) and ((cond.op == "and") == truth):
            env = self.refine_env(env, cond.left, truth)
            return self.refine_env(env, cond.right, truth)
        if isinstance(cond, ir.Logic):
            # 非(A 且 B) / A 或 B: A decides it, or A does not and B does — what holds is what
            # holds on either way (an earlier row 本年 ≥ 0 且 上年 = 0 rules 上年 = 0 out below it)
            first = self.refine_env(env, cond.left, truth)
            second = self.refine_env(self.refine_env(env, cond.left, not truth), cond.right, truth)
            return _join(first, second)
        if isinstance(cond, ir.Not):
            return self.refine_env(env, cond.operand, not truth)
        if isinstance(cond, ir.Aggregate) and cond.func in ("any", "all") and isinstance(cond.items, ir.InputRef):
            # 任一(L, c) holds: at least one item meets c; 全部(L, c) fails: at least one does not
            if cond.func == "any" and truth:
                return self.refine_env(env, self._count_of(cond, cond.cond), True)
            if cond.func == "all" and not truth:
                return self.refine_env(env, self._count_of(cond, ir.Not(cond.cond, type=ir.BOOL)), True)
            return env
        if isinstance(cond, ir.Call) and cond.func == "all" and isinstance(cond.args[0], ir.InputRef):
            inp = cond.args[0].input
            cnt = ir.Call("count", cond.args, type=ir.Type("num", "项"))
            n = ir.Const(Decimal(len(inp.type.members)), type=ir.Type("num"))
            return self.refine_env(env, ir.Compare([cnt, n], ["=="], type=ir.BOOL), truth)
        if isinstance(cond, ir.Compare) and len(cond.ops) > 1 and truth:
            # 0 ≤ x ≤ 100% holds: each adjacent pair holds
            for op, a, b in zip(cond.ops, cond.operands, cond.operands[1:]):
                env = self.refine_env(env, ir.Compare([a, b], [op], type=ir.BOOL), True)
            return env
        if isinstance(cond, ir.Compare) and len(cond.ops) == 1:
            a, b = cond.operands
            op = cond.ops[0]
            flip = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}[op]
            vb, va = self._point(b, env), self._point(a, env)
            if vb is not None:
                env = self._narrow(env, a, op, vb, truth)
            if va is not None:
                env = self._narrow(env, b, flip, va, truth)
            if va is None and vb is None:
                ka, kb = self.var(a, env), self.var(b, env)
                if ka is not None and kb is not None:
                    # a op b  <=>  a - b op 0: remember the difference
                    key = ("diff", ka[0], kb[0])
                    cur = env.get(key, iv.sub(ka[1], kb[1]))
                    env = dict(env)
                    env[key] = iv.refine(cur, op, D0, negate=not truth)
        return env

    def _point(self, e, env):
        if isinstance(e, ir.Const) and isinstance(e.value, Decimal):
            return e.value
        if isinstance(e, (ir.LocalRef, ir.BinOp, ir.Neg)):
            r = self.ev(e, env)
            if r.lo is not None and r.lo == r.hi and not r.empty:
                return r.lo
        return None

    def _narrow(self, env, var, op, c, truth):
        v = self.var(var, env)
        if v is None:
            return env
        key, cur = v
        new = dict(env)
        new[key] = iv.refine(cur, op, c, negate=not truth)
        if isinstance(var, ir.Aggregate) and var.cond is not None and new[key].lo is not None and new[key].lo > 0:
            # some items meet the condition: the list has at least that many
            lk = ("len", id(var.items.input))
            new[lk] = iv.meet(new.get(lk, self.base(var.items.input)), lo=new[key].lo)
        return new


def _join(a: dict, b: dict) -> dict:
    """What holds in environment ``a`` or in ``b``: an impossible one (an empty interval)
    drops out; otherwise each value the two narrowed is their hull, and a value only one
    of them narrowed is left to the declarations."""
    if any(isinstance(v, Interval) and v.empty for v in a.values()):
        return b
    if any(isinstance(v, Interval) and v.empty for v in b.values()):
        return a
    return {k: iv.hull(v, b[k]) for k, v in a.items() if k in b}
