"""Conditional inputs (``输入 X: … 仅当 C``) are read only where they are given.

A conditional input may be absent from a case (whenever C fails), so every read of it
must sit where C is known to hold: under a ``如果``, a tier row or a ``且`` whose
condition implies C. The implication is syntactic (E0524 otherwise): the same yes/no
input or the same comparison (``有新进人员``, ``新进人员数 > 0``, also written
``有新进人员 = 是`` or ``0 < 新进人员数``), a conjunction of such, or — for a comparison
of one input with a constant — a comparison of that input that is narrower
(``x ≥ 5`` gives ``x > 0``). The walk follows the order of evaluation: a local is read
where it is used, a tier row knows that the rows above it failed, the right operand of
``且`` that the left one holds, of ``或`` that it failed.
"""
from __future__ import annotations

from decimal import Decimal

from .. import ir
from ..diagnostics import Label, make, tr

_FLIP = {">=": "<=", ">": "<", "<=": ">=", "<": ">", "==": "==", "!=": "!="}
_NEG = {">=": "<", ">": "<=", "<=": ">", "<": ">=", "==": "!=", "!=": "=="}


def check_absent(prog: ir.Program) -> list:
    """E0524 for each read of a conditional input where its condition may not hold."""
    if not any(i.only_if is not None for i in prog.inputs):
        return []
    w = _Walk()
    for ind in prog.walk():
        if ind.score is not None and not ind.broken:
            w.walk(ind.score, frozenset())
    for band in prog.grades:
        if band.cond is not None:
            w.walk(band.cond, frozenset())
    for v in prog.verifies:
        w.walk(v.cond, frozenset())
    return w.diags


def key(e: ir.Expr):
    """A hashable form of a condition, equal for conditions written the same way (or
    mirrored: ``0 < x`` is ``x > 0``, ``b = 是`` is ``b``); None if it has none."""
    if isinstance(e, ir.LocalRef):
        return key(e.local.expr)
    if isinstance(e, ir.Const):
        return ("c", e.value if not isinstance(e.value, bool) else ("b", e.value))
    if isinstance(e, ir.InputRef):
        return ("i", e.input.index)
    if isinstance(e, ir.Not):
        k = key(e.operand)
        return None if k is None else negate(k)
    if isinstance(e, ir.Compare) and len(e.ops) == 1:
        a, b = (key(x) for x in e.operands)
        if a is None or b is None:
            return None
        op = e.ops[0]
        if a[0] == "c" and b[0] != "c":
            a, b, op = b, a, _FLIP[op]
        if b[0] == "c" and isinstance(b[1], tuple) and op in ("==", "!="):    # x = 是 / x ≠ 否
            truth = b[1][1] == (op == "==")
            return a if truth else negate(a)
        return ("cmp", op, a, b)
    if isinstance(e, ir.Logic):
        a, b = key(e.left), key(e.right)
        if a is None or b is None:
            return None
        return (e.op, frozenset(_parts(e.op, a) | _parts(e.op, b)))
    if isinstance(e, ir.Call) and e.func in ("all", "any") and isinstance(e.args[0], ir.InputRef):
        return (e.func, e.args[0].input.index)
    return None


def _parts(op, k) -> frozenset:
    return k[1] if k[0] == op else frozenset([k])


def negate(k):
    if k[0] == "not":
        return k[1]
    if k[0] == "cmp":
        return ("cmp", _NEG[k[1]], k[2], k[3])
    if k[0] in ("and", "or"):       # De Morgan
        return ("or" if k[0] == "and" else "and", frozenset(negate(p) for p in k[1]))
    return ("not", k)


def with_fact(facts: frozenset, cond: ir.Expr, truth: bool = True) -> frozenset:
    """``facts`` and what ``cond`` being ``truth`` adds (a conjunction adds its parts)."""
    k = key(cond)
    if k is None:
        return facts
    if not truth:
        k = negate(k)
    return facts | (k[1] if k[0] == "and" else frozenset([k]))


def implies(facts: frozenset, k) -> bool:
    if k in facts:
        return True
    if k[0] == "and":
        return all(implies(facts, p) for p in k[1])
    if k[0] == "or":
        return any(implies(facts, p) for p in k[1])
    if k[0] == "cmp" and k[3][0] == "c" and isinstance(k[3][1], Decimal):
        want = _range(k[1], k[3][1])
        for f in facts:
            if f[0] == "cmp" and f[2] == k[2] and f[3][0] == "c" and isinstance(f[3][1], Decimal):
                if want is not None and _within(_range(f[1], f[3][1]), want):
                    return True
    return False


def _range(op, c):
    """x op c as (lo, lo_open, hi, hi_open); None for ≠."""
    return {">=": (c, False, None, False), ">": (c, True, None, False), "<=": (None, False, c, False),
            "<": (None, False, c, True), "==": (c, False, c, False)}.get(op)


def _within(a, b) -> bool:
    if a is None:
        return False
    alo, alo_open, ahi, ahi_open = a
    blo, blo_open, bhi, bhi_open = b
    if blo is not None and (alo is None or alo < blo or (alo == blo and blo_open and not alo_open)):
        return False
    if bhi is not None and (ahi is None or ahi > bhi or (ahi == bhi and bhi_open and not ahi_open)):
        return False
    return True


class _Walk:
    def __init__(self):
        self.diags: list = []
        self.reported: set = set()
        self.seen: set = set()       # (local, facts) already walked

    def walk(self, e: ir.Expr, facts: frozenset):
        if e is None:
            return
        if isinstance(e, ir.InputRef):
            c = e.input.only_if
            if c is not None and not implies(facts, key(c) or ("?",)):
                self.report(e)
            return
        if isinstance(e, ir.LocalRef):
            mark = (id(e.local), facts)
            if mark not in self.seen:
                self.seen.add(mark)
                self.walk(e.local.expr, facts)
            return
        if isinstance(e, ir.If):
            self.walk(e.cond, facts)
            self.walk(e.then, with_fact(facts, e.cond, True))
            self.walk(e.else_, with_fact(facts, e.cond, False))
            return
        if isinstance(e, ir.Logic):
            self.walk(e.left, facts)
            self.walk(e.right, with_fact(facts, e.left, e.op == "and"))
            return
        if isinstance(e, ir.Call) and e.func == "require":
            self.walk(e.args[0], facts)
            self.walk(e.args[2], with_fact(facts, e.args[0], True))
            return                   # the values a failed requirement shows are only shown
        if isinstance(e, ir.Tiers):
            if e.subject is not None:
                self.walk(e.subject, facts)
            for row in e.rows:
                if row.kind == "else":
                    self.walk(row.value, facts)
                    break
                cond = row.key if row.kind == "cond" else ir.Compare([e.subject, row.key], [row.op or "=="], type=ir.BOOL)
                self.walk(row.key, facts)
                self.walk(row.value, with_fact(facts, cond, True))
                facts = with_fact(facts, cond, False)
            return
        for c in ir.children(e):
            self.walk(c, facts)

    def report(self, e: ir.InputRef):
        sp = e.span
        if sp is None or (sp.file.name, sp.start) in self.reported:
            return
        self.reported.add((sp.file.name, sp.start))
        inp = e.input
        cond = " ".join(inp.only_if.span.text().split()) if inp.only_if.span is not None else "?"
        labels = [Label(sp, tr(f"此处「{cond}」可能不成立", f"`{cond}` may not hold here"))]
        if inp.span is not None:
            labels.append(Label(inp.span, tr(f"仅当「{cond}」时给出", f"given only when `{cond}`"), False))
        self.diags.append(make("E0524", labels, name=inp.name, cond=cond,
                               helps=[tr(f"写成「如果 {cond} 则 …（使用「{inp.name}」） 否则 …」",
                                         f"write `如果 {cond} 则 … (using `{inp.name}`) 否则 …`")]))
