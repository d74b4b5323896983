"""Code generation of expressions (a part of ``codegen.Gen``): locals computed where first
read, arithmetic with its exact rewrites, comparisons, calls, aggregates over record
lists, 评定 picks and 分档 tables; ``Gen.ex`` dispatches here. ``A`` is the set of locals
surely computed on the path so far (copied into branches)."""
from __future__ import annotations

from decimal import Decimal

from ...dsl import ir
from ...dsl.ops import PYTHON

from .fastpath import _const

CMP = PYTHON



class ExprGen:
    """Mixed into :class:`Gen` (codegen.py); uses its state and ``err``."""

    def _rated(self, e: ir.Rated) -> str:
        """The evaluator's pick on a path that asks for one, checked in its band; ``u_i``
        records that the rule used it (a pick the rule never asked for is refused)."""
        where = e.where_texts()
        if not self.checks:
            lo, hi, v = self.k(e.lo.value), self.k(e.hi.value), f"i_{e.pick.index}"
            return f"min(max({lo} if {v} is None else {v}, {lo}), {hi})"
        return (f"(u_{e.indicator.index} := rated(i_{e.pick.index}, {self.k(e.lo.value)}, {self.k(e.hi.value)}, PRECISION, "
                f"{self.sp(e.span)}, {e.indicator.name!r}, {e.band()!r}, {where[0]!r}, {where[1]!r}, {e.pick.name!r}))")

    def _aggregate(self, e: ir.Aggregate, A: set, trace: bool, ind: int) -> str:
        """計数/合计/任一/全部/最大/最小 over a list's items (records: title, then the fields).
        Every item's condition is evaluated (no short cut), so both paths meet the same
        errors; the traced path records the items that met it."""
        items = self.ex(e.items, A, trace, ind)
        r = f"r_{e.var}"
        cond = self.ex(e.cond, set(A), trace, ind) if e.cond is not None else None
        value = self.ex(e.value, set(A), trace, ind) if e.value is not None else None
        default = self.ex(e.default, set(A), trace, ind) if e.default is not None else None
        if e.func in ("max", "min") and default is None:
            name = e.items.input.name if isinstance(e.items, ir.InputRef) else "?"
            default = f"no_items({self.sp(e.span)}, {name!r})"
        if not trace:
            where = f" if {cond}" if cond is not None else ""
            if e.func == "count":
                return f"_D(len({items}))" if cond is None else f"_D(sum(1 for {r} in {items}{where}))"
            if e.func == "sum":
                return f"sum(({value} for {r} in {items}{where}), ZERO)"
            if e.func in ("any", "all"):
                return f"{e.func}([{cond} for {r} in {items}])"
            m = self.tmp()
            return f"({m} if ({m} := {e.func}(({value} for {r} in {items}{where}), default=None)) is not None else {default})"
        m = self.tmp()
        matched = f"({m} := tuple([{r} for {r} in {items}" + (f" if {cond}" if cond is not None else "") + "]))"
        if e.func == "count":
            v = f"_D(len({m}))"
        elif e.func == "sum":
            v = f"sum(({value} for {r} in {m}), ZERO)"
        elif e.func == "any":
            v = f"(len({m}) > 0)"
        elif e.func == "all":
            v = f"(len({m}) == len({items}))"
        else:
            v = f"({e.func}({value} for {r} in {m}) if {m} else {default})"
        return f"rec(T, ('agg', {ind}, {self.sp(e.span)}, {matched}, {v}))"

    def _surely_ran(self, cond: ir.Expr, value: bool) -> set:
        """The locals assigned whenever ``cond`` (already generated) comes out ``value``: both
        sides of a 且 that held, of a 或 that failed."""
        if not isinstance(cond, ir.Logic) or (cond.op == "and") != value:
            return set()
        return set(self.logic_ran.get(id(cond), ())) | self._surely_ran(cond.left, value) | self._surely_ran(cond.right, value)

    def _local(self, e, A: set, trace: bool, ind: int) -> str:
        """A local value: computed where first read (``(v_3 := …)``), a plain name after; a named constant inlined on the fast path."""
        ix = self.local_ix[id(e.local)]
        if not trace and isinstance(e.local.expr, ir.Const):
            return self.ex(e.local.expr, A, trace, ind)   # a named constant: inline it
        if ix in A:
            return f"v_{ix}"
        inner = self.ex(e.local.expr, A, trace, ind)
        A.add(ix)
        if trace:
            return f"(v_{ix} := rec(T, ('let', {ind}, {ix}, {inner})))"
        return f"(v_{ix} := {inner})"

    def _binop(self, e, A: set, trace: bool, ind: int) -> str:
        """Arithmetic, with the rewrites that give the same value in fewer roundings or operations."""
        left, right = e.left, e.right

        def is_const(x, v):
            if isinstance(x, ir.LocalRef) and isinstance(x.local.expr, ir.Const):
                x = x.local.expr
            return isinstance(x, ir.Const) and isinstance(x.value, Decimal) and x.value == v
        # (x / 1) × z and (x / y) × 1: the identities below say it in fewer operations
        ones = not trace and e.op == "*" and (
            (isinstance(left, ir.BinOp) and left.op == "/" and (is_const(right, 1) or is_const(left.right, 1)))
            or (isinstance(right, ir.BinOp) and right.op == "/" and (is_const(left, 1) or is_const(right.right, 1))))
        # (x / y) × z  ->  (x × z) / y : one rounding step instead of two
        if ones:
            pass
        elif e.op == "*" and isinstance(left, ir.BinOp) and left.op == "/":
            # emitted as ((x * z) / y): Python evaluates x, z, y in that order
            x = self.ex(left.left, A, trace, ind)
            z = self.ex(right, A, trace, ind)
            r = None if trace else self.reciprocal(left.right)
            if r is not None:
                return f"(({x} * {z}) * {self.k(r)})"
            y = self.ex(left.right, A, trace, ind)
            return f"(({x} * {z}) / {y})"
        if e.op == "*" and isinstance(right, ir.BinOp) and right.op == "/":
            z = self.ex(left, A, trace, ind)
            x = self.ex(right.left, A, trace, ind)
            r = None if trace else self.reciprocal(right.right)
            if r is not None:
                return f"(({z} * {x}) * {self.k(r)})"
            y = self.ex(right.right, A, trace, ind)
            return f"(({z} * {x}) / {y})"
        if not trace:
            # x × 1, x ÷ 1, x ± 0, 1 × x: the same value (目标值 = 100%, × 1, - 0%)
            if (e.op in "*/" and is_const(right, 1)) or (e.op in "+-" and is_const(right, 0)):
                return self.ex(left, A, trace, ind)
            if (e.op == "*" and is_const(left, 1)) or (e.op == "+" and is_const(left, 0)):
                return self.ex(right, A, trace, ind)
        a = self.ex(left, A, trace, ind)
        if e.op == "/" and not trace:
            # ÷ a constant whose reciprocal is a short decimal (0.1个百分点, 100, 0.5):
            # × the reciprocal gives the same correctly rounded value, cheaper
            r = self.reciprocal(right)
            if r is not None:
                return f"({a} * {self.k(r)})"
        b = self.ex(right, A, trace, ind)
        return f"({a} {e.op} {b})"

    def _compare(self, e, A: set, trace: bool, ind: int) -> str:
        """A comparison chain; ``a / b ≤ c`` as ``a ≤ c × b`` on the fast path where ``b > 0`` is declared."""
        ratio = self.ratio_parts(e.operands[0]) if not trace and len(e.ops) == 1 else None
        c = _const(e.operands[1]) if ratio is not None else None
        if c is not None:
            # a / b ≤ c as a ≤ c × b (b > 0 by declaration, the quotient used nowhere else)
            a = self.ex(ratio[0], A, trace, ind)
            b = self.ex(ratio[1], A, trace, ind)
            rhs = b if c == 1 else f"({self.k(c)} * {b})"
            return f"({a} {CMP[e.ops[0]]} {rhs})"
        parts = [self.ex(e.operands[0], A, trace, ind), self.ex(e.operands[1], A, trace, ind)]
        for o in e.operands[2:]:
            parts.append(self.ex(o, set(A), trace, ind))
        out = parts[0]
        for op, p in zip(e.ops, parts[1:]):
            out += f" {CMP[op]} {p}"
        return f"({out})"

    def _call(self, e, A: set, trace: bool, ind: int) -> str:
        """A builtin function (or a method's 要求 guarding its value)."""
        f = e.func
        if f == "require":
            # the condition first: the value may divide by what it guards
            c = self.ex(e.args[0], A, trace, ind)
            known = set(A)
            v = self.ex(e.args[2], A, trace, ind)
            call, params = e.args[3].value
            # the parameters the requirement reads, each as a thunk (shown when it fails)
            shown = "".join(f"({p!r}, {a!r}, lambda: {self.ex(x, set(known), False, ind)}, {u!r}), "
                            for (p, a, u), x in zip(params, e.args[4:]))
            return f"({v} if {c} else _fail({e.args[1].value!r}, {self.sp(e.span)}, {call!r}, ({shown})))"
        if f in ("min", "max"):
            args = [self.ex(a, A, trace, ind) for a in e.args]
            if not trace and len(args) == 2:
                return self._minmax(f, *args)
            return f"{f}({', '.join(args)})"
        a = self.ex(e.args[0], A, trace, ind)
        if f == "ceil":
            return f"{a}.to_integral_value(ROUND_CEILING)"
        if f == "floor":
            return f"{a}.to_integral_value(ROUND_FLOOR)"
        if f == "abs":
            return f"abs({a})"
        if f == "count":
            # the number met, as a Decimal from a table (no per-case constructor call)
            if len(e.args[0].type.members) < 257:
                return f"COUNTS[sum({a})]"
            return f"_D(sum({a}))"
        if f == "size":
            return self.k(Decimal(len(e.args[0].type.members)))
        if f in ("points_met", "points_unmet"):
            table = self.table(e.args[0].type.weights)
            return f"points_met({table}, {a})" if f == "points_met" else f"points_met({table}, {a}, False)"
        if f == "item":
            return f"{a}[{int(e.args[1].value)}]"
        if f == "months":
            return f"months_between({a}, {self.ex(e.args[1], A, trace, ind)})"
        if not trace:
            # membership tests run in C, without a call
            return f"(False not in {a})" if f == "all" else f"(True in {a})"
        return f"{f}({a})"

    def tiers(self, t: ir.Tiers, A: set, trace: bool, ind: int, result: bool = False) -> str:
        if result and not trace:
            table = self.count_table(t, A, ind)
            if table is not None:
                return table
        subj = None
        tmp = f"t_{self.sp(t.span)}"
        ratio = None
        if not trace and t.subject is not None and t.rows and t.rows[0].kind != "else":
            ratio = self.ratio_parts(t.subject)
            if ratio is not None and not all(r.kind == "else" or (r.kind == "cmp" and _const(r.key) is not None)
                                             for r in t.rows):
                ratio = None
        if t.subject is not None:
            # the subject is evaluated with the first comparison row: if 否则 comes first
            # it never is, so what it would compute is not definite
            compared = bool(t.rows) and t.rows[0].kind != "else"
            subj = self.ex(t.subject, A if compared else set(A), trace, ind)
        first = True
        pieces = []
        fallback = None
        for ri, row in enumerate(t.rows):
            Ar = A if first else set(A)
            if row.kind == "else":
                cond = None
            elif row.kind == "cond":
                cond = self.ex(row.key, Ar, trace, ind)
            elif ratio is not None:
                c = _const(row.key)
                if first:
                    ta, tb = f"{tmp}a", f"{tmp}b"
                    lhs = f"({ta} := {self.ex(ratio[0], Ar, trace, ind)})"
                    rb = f"({tb} := {self.ex(ratio[1], Ar, trace, ind)})"
                else:
                    lhs, rb = ta, tb
                cond = f"{lhs} {CMP[row.op or '==']} " + (rb if c == 1 else f"{self.k(c)} * {rb}")
            else:
                key = self.ex(row.key, Ar, trace, ind)
                lhs = f"({tmp} := {subj})" if first else tmp
                cond = f"{lhs} {CMP[row.op or '==']} {key}"
            val = self.ex_round(row.value, set(Ar), ind) if result else self.ex(row.value, set(Ar), trace, ind)
            if trace:
                val = f"rec(T, ('tier', {ind}, {self.sp(row.span)}, {ri}, {val}))"
            if cond is None:
                fallback = val
                break
            pieces.append((cond, val))
            first = False
        if fallback is None:
            what = repr(t.subject.span.text() if t.subject is not None and t.subject.span else "分档")
            fallback = f"no_tier({self.sp(t.span)}, {what}, {tmp if subj is not None else 'None'})"
        if not pieces:
            return fallback
        # conditional expressions chain to the right without parentheses, so a long
        # table does not nest (Python's parser allows only ~200 nested parentheses)
        return "(" + " else ".join(f"{val} if {cond}" for cond, val in pieces) + f" else {fallback})"
