"""IR written back as text: one structural printer for the 评分标准 generator
(``compiler.publish.criteria``) and the 评分依据 explanations (``compiler.publish.explain``).

The structure — precedence and parentheses, operator symbols, function names, a
method's 要求 read through to its value — is here; what a leaf reads as (a name, a
value, a constant with its unit) and any node a caller words its own way come from the
caller's ``leaf`` and ``hook`` functions.
"""
from __future__ import annotations

from typing import Callable, Optional

from ...dsl import ir
from ...dsl.ops import COMPARE, SHOWN
from ...dsl.builtins import AGGREGATE_EN, AGGREGATE_ZH, DISPLAY_ZH

PREC = {"or": 1, "and": 2, "cmp": 3, "+": 4, "-": 4, "*": 5, "/": 5, "neg": 6}
CMP = {op: SHOWN[op] for op in COMPARE}


def expr_text(e: ir.Expr, leaf: Callable[[ir.Expr], Optional[str]],
              hook: Callable[[ir.Expr, int], Optional[str]] = lambda e, prec: None,
              *, div: str = "÷", funcs: dict = DISPLAY_ZH, prec: int = 0) -> str:
    """``e`` as text. ``hook(e, prec)`` may word any node itself (None: not this one);
    ``leaf(e)`` words constants, inputs, locals and scores (None: fall through to the
    node's source text)."""
    def rec(x, p=0):
        return expr_text(x, leaf, hook, div=div, funcs=funcs, prec=p)
    text = hook(e, prec)
    if text is not None:
        return text
    if isinstance(e, ir.BinOp):
        p = PREC[e.op]
        text = f"{rec(e.left, p)} {({'*': '×', '/': div}).get(e.op, e.op)} {rec(e.right, p + 1)}"
        return f"({text})" if p < prec else text
    if isinstance(e, ir.Neg):
        return f"-{rec(e.operand, PREC['neg'])}"
    if isinstance(e, ir.Call) and e.func == "require":
        return rec(e.args[2], prec)              # a method's 要求 guards its value
    if isinstance(e, ir.Call):
        return f"{funcs.get(e.func, e.func)}({', '.join(rec(a) for a in e.args)})"
    if isinstance(e, ir.Clamp):
        return rec(e.operand, prec)
    if isinstance(e, ir.Convert):            # an amount in another money unit: its value says which
        return rec(e.operand, prec)
    if isinstance(e, ir.FieldRef):
        return leaf(e) or e.field.name
    if isinstance(e, ir.Aggregate):
        text = leaf(e)               # its value, where the caller knows it
        if text is not None:
            return text
        names = AGGREGATE_ZH if funcs else AGGREGATE_EN
        args = [rec(x) for x in (e.items, e.value, e.cond, e.default) if x is not None]
        return f"{names[e.func]}({', '.join(args)})"
    if isinstance(e, ir.Compare):
        out = rec(e.operands[0], PREC["+"])
        for op, o in zip(e.ops, e.operands[1:]):
            out += f" {CMP[op]} {rec(o, PREC['+'])}"
        return f"({out})" if prec > PREC["cmp"] else out
    text = leaf(e)
    if text is not None:
        return text
    return " ".join(e.span.text().split()) if e.span is not None else "?"
