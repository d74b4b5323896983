"""The fast path's specialisations of generated code.

``codegen.Gen`` writes each rule twice: the traced path says every step, the fast path
(no trace, no assessed scores) computes the rounded score with as little work as the
rule allows. What makes the fast path fast lives here, each a rewrite that gives the
same value as the plain code (the differential tests hold both paths to the reference
interpreter):

- results already at the precision are not rounded again (``on_grid``, ``ex_round``);
- ``min(x, c) × k`` and ``f(max(d, c))`` test the cap first (``_split_max``);
- ``÷ c`` becomes ``× 1/c`` when 1/c is a short exact decimal (``reciprocal``);
- ``a / b ≤ c`` with ``b > 0`` by declaration compares ``a ≤ c × b`` (``ratio_parts``);
- tiers on a checklist count become one tuple indexed by the count (``count_table``);
- min/max of two become conditional expressions (``_minmax``).
"""
from __future__ import annotations

import re
from decimal import Context, Decimal, localcontext

import attrs

from ...dsl import ir
from ...dsl.ops import COMPARE, PYTHON, constant, value_of

_SIMPLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
CMP = PYTHON
_const = constant


class FastPath:
    """Mixed into ``codegen.Gen``: uses its ``ex``, ``tiers``, ``k``, ``tmp`` and
    ``round_code``."""

    def _minmax(self, fn: str, a: str, b: str) -> str:
        """min/max of two as a conditional expression: no call; the first wins a tie, as
        with the builtins."""
        op = "<=" if fn == "min" else ">="
        x = self.tmp()
        if _SIMPLE.fullmatch(b):
            # a constant or a plain name: no temporary needed to read it twice
            return f"({x} if ({x} := {a}) {op} {b} else {b})"
        y = self.tmp()
        return f"({x} if ({x} := {a}) {op} ({y} := {b}) else {y})"

    def ex_round(self, e: ir.Expr, A: set, ind: int) -> str:
        """Fast path: code for the score already rounded to the precision. Constant results
        at the precision are emitted rounded; only computed values pay for rounding, and a
        clamp to a constant returns the constant without rounding it again."""
        P = self.prog.precision

        def at_precision(x):
            return isinstance(x, ir.Const) and isinstance(x.value, Decimal) and x.value == x.value.quantize(P)
        if at_precision(e):
            return self.k(e.value.quantize(P))
        if isinstance(e, ir.NotApplicable):
            return "None"
        if isinstance(e, ir.PeerScore):
            if self.keys_mode:
                return "None"
            m = self.tmp()
            return f"(None if ({m} := i_{e.input.index}) is None else {self.round_code(m)})"
        if isinstance(e, ir.If):
            c = self.ex(e.cond, A, False, ind)
            return f"({self.ex_round(e.then, set(A), ind)} if {c} else {self.ex_round(e.else_, set(A), ind)})"
        if isinstance(e, ir.Tiers):
            return self.tiers(e, A, False, ind, result=True)
        # min(x, c) × k with constants c, k > 0: the capped constant when x ≥ c, else x × k
        # rounded (完成比率法: min(比率, 1) × 分值) — no product is computed for a capped unit
        if isinstance(e, ir.BinOp) and e.op == "*":
            for mn, kk in ((e.left, e.right), (e.right, e.left)):
                k_ = _const(kk)
                if (k_ is not None and k_ > 0 and isinstance(mn, ir.Call) and mn.func == "min" and len(mn.args) == 2
                        and _const(mn.args[1]) is not None):
                    c = _const(mn.args[1])
                    m = self.tmp()
                    x = self.ex(mn.args[0], A, False, ind)
                    prod = ir.BinOp("*", _Temp(m, type=mn.type), ir.Const(k_, type=kk.type), type=e.type)
                    return (f"({self.k(self.round_const(c * k_))} if ({m} := {x}) >= {self.k(c)} else "
                            f"{self.ex_round(prod, A, ind)})")
        split = self._split_max(e)
        if split is not None:
            # f(max(d, c)) = f(c) if d ≤ c else f(d): when f(c) is a constant (the usual
            # per-step deduction 3 - 向上取整(max(d, 0) / 0.1个百分点) × 0.1 with d ≤ 0) the
            # common case costs one comparison
            node, x, c, const = split
            m = self.tmp()
            xcode = self.ex(x, A, False, ind)
            rest = self.ex_round(_replace(e, node, _Temp(m, type=node.type)), A, ind)
            return f"({self.k(self.round_const(const))} if ({m} := {xcode}) <= {self.k(c)} else {rest})"
        bound = None
        if isinstance(e, ir.Clamp):
            inner = e.operand
            if e.kind == "floor_zero":
                bound, op = ir.Const(Decimal(0)), "<="
            elif at_precision(e.bound):
                bound, op = e.bound, (">=" if e.kind in ("capped", "at_most") else "<=")
        elif isinstance(e, ir.Call) and e.func in ("min", "max") and len(e.args) == 2 and at_precision(e.args[1]):
            inner, bound, op = e.args[0], e.args[1], (">=" if e.func == "min" else "<=")
        if bound is not None:
            x = self.ex(inner, A, False, ind)
            m = self.tmp()
            rounded = m if self.on_grid(inner) else self.round_code(m)
            return f"({self.k(bound.value.quantize(P))} if ({m} := {x}) {op} {self.k(bound.value)} else {rounded})"
        code = self.ex(e, A, False, ind)
        return code if self.on_grid(e) else self.round_code(code)

    def reciprocal(self, e: ir.Expr):
        """1 / c for a constant c whose reciprocal is an exact decimal of at most 20
        digits (2^a·5^b·10^k), else None: x / c and x × (1/c) then round alike."""
        c = _const(e)
        if c is None or c == 0:
            return None
        with localcontext(Context(prec=60)):
            r = Decimal(1) / c
            if r * c != 1 or len(r.normalize().as_tuple().digits) > 20:
                return None
            r = r.normalize()
            if r == r.to_integral_value():
                r = r.quantize(Decimal(1))     # 1000, not 1E+3: products keep plain exponents
        return r

    def round_const(self, v: Decimal) -> Decimal:
        """A constant rounded as the rulebook rounds scores (snap, then 精度 with 舍入)."""
        from . import runtime
        mode = runtime.ROUNDING_MODES[self.prog.rounding]
        return runtime.SNAP(v).quantize(self.prog.precision, rounding=mode)

    def _split_max(self, e: ir.Expr):
        """An inner ``max(d, c)`` (or ``d 最少 c``) of a score expression, with the constant
        the whole expression takes when ``d ≤ c``; None if there is none or it is not constant."""
        found = []

        def walk(x, top):
            if found:
                return
            if isinstance(x, ir.Call) and x.func == "max" and len(x.args) == 2 and _const(x.args[1]) is not None and not top:
                found.append((x, x.args[0], _const(x.args[1])))
                return
            if isinstance(x, ir.Clamp) and x.kind == "at_least" and _const(x.bound) is not None and not top:
                found.append((x, x.operand, _const(x.bound)))
                return
            for attr in ("left", "right", "operand"):
                y = getattr(x, attr, None)
                if isinstance(y, ir.Expr):
                    walk(y, False)
            if isinstance(x, ir.Call):
                for y in x.args:
                    walk(y, False)
        walk(e, True)
        if not found:
            return None
        node, x, c = found[0]
        const = _fold(_replace(e, node, ir.Const(c, type=node.type)))
        if const is None:
            return None
        return node, x, c, const

    def on_grid(self, e: ir.Expr) -> bool:
        """Is the value always a multiple of the precision (3 - 向上取整(…) × 0.1 at 精度
        0.01)? Then rounding it changes nothing and is skipped."""
        P = self.prog.precision
        if not self.pow10:
            return False
        if isinstance(e, ir.Const):
            return isinstance(e.value, Decimal) and e.value == e.value.quantize(P)
        if isinstance(e, ir.Rated):
            return True                # a pick is refused unless it is a multiple of 精度
        if isinstance(e, ir.LocalRef):
            return self.on_grid(e.local.expr)
        if isinstance(e, ir.Call):
            if e.func in ("ceil", "floor", "count", "size"):
                return P <= 1          # whole numbers
            if e.func in ("min", "max"):
                return all(self.on_grid(a) for a in e.args)
            return False
        if isinstance(e, ir.Clamp):
            return self.on_grid(e.operand) and (e.bound is None or self.on_grid(e.bound))
        if isinstance(e, ir.Neg):
            return self.on_grid(e.operand)
        if isinstance(e, ir.BinOp):
            if e.op in "+-":
                return self.on_grid(e.left) and self.on_grid(e.right)
            if e.op == "*":
                return ((self._whole(e.left) and self.on_grid(e.right))
                        or (self._whole(e.right) and self.on_grid(e.left)))
        return False

    def _whole(self, e: ir.Expr) -> bool:
        if isinstance(e, ir.Const):
            return isinstance(e.value, Decimal) and e.value == e.value.to_integral_value()
        if isinstance(e, ir.LocalRef):
            return self._whole(e.local.expr)
        if isinstance(e, ir.Call):
            if e.func in ("min", "max"):
                return all(self._whole(a) for a in e.args)
            return e.func in ("ceil", "floor", "count", "size")
        if isinstance(e, ir.InputRef):
            return e.input.kind == "count"
        if isinstance(e, ir.BinOp) and e.op in "+-*":
            return self._whole(e.left) and self._whole(e.right)
        return False

    def ratio_parts(self, e: ir.Expr):
        """(a, b) if ``e`` is a quotient a / b that is read only here and whose divisor is an
        input declared > 0: comparing it with a constant needs no division."""
        if isinstance(e, ir.LocalRef) and self.ref_count.get(id(e.local), 0) == 1:
            e = e.local.expr
        elif not isinstance(e, ir.BinOp):
            return None
        if not (isinstance(e, ir.BinOp) and e.op == "/"):
            return None
        b = e.right
        if not (isinstance(b, ir.InputRef) and b.input.lo is not None
                and (b.input.lo > 0 or (b.input.lo == 0 and b.input.lo_open))):
            return None
        return e.left, e.right

    def count_table(self, t: ir.Tiers, A: set, ind: int):
        """Fast path: tiers on how many points of a checklist are met, every row a constant
        → one tuple indexed by the count (管理制度健全性: 3 met → 2, 2 → 1, else 0)."""
        subj = t.subject
        inner = subj.local.expr if isinstance(subj, ir.LocalRef) else subj
        if not (isinstance(inner, ir.Call) and inner.func == "count" and isinstance(inner.args[0], ir.InputRef)):
            return None
        ops = COMPARE
        values = []
        for n in range(len(inner.args[0].type.members) + 1):
            hit = None
            for row in t.rows:
                if row.kind == "else":
                    hit = row.value
                    break
                c = _const(row.key)
                if c is None:
                    return None
                if ops[row.op or "=="](Decimal(n), c):
                    hit = row.value
                    break
            v = _const(hit) if hit is not None else None
            if v is None:
                return None          # no row for this count (an error to word), or a computed value
            values.append(self.round_const(v))
        key = tuple(str(v) for v in values)
        if key not in self.tables:
            self.tables[key] = f"_T{len(self.tables)}"
        return f"{self.tables[key]}[sum({self.ex(inner.args[0], A, False, ind)})]"


@attrs.define(eq=False)
class _Temp(ir.Expr):
    """A value the generated code already holds in a temporary (fast path only)."""
    name: str


_const = constant


def _replace(e: ir.Expr, target: ir.Expr, new: ir.Expr) -> ir.Expr:
    """A copy of ``e`` with the node ``target`` (by identity) replaced by ``new``."""
    if e is target:
        return new
    if isinstance(e, (ir.BinOp, ir.Neg, ir.Clamp, ir.Call)):
        changes = {}
        for f in attrs.fields(type(e)):
            v = getattr(e, f.name)
            if isinstance(v, ir.Expr):
                nv = _replace(v, target, new)
                if nv is not v:
                    changes[f.name] = nv
            elif isinstance(v, list) and v and isinstance(v[0], ir.Expr):
                nl = [_replace(x, target, new) for x in v]
                if any(a is not b for a, b in zip(nl, v)):
                    changes[f.name] = nl
        return attrs.evolve(e, **changes) if changes else e
    return e


def _fold(e: ir.Expr):
    """The value of an expression made of constants, as the evaluator computes it."""
    from . import runtime
    with localcontext(runtime.CONTEXT):
        return value_of(e)
