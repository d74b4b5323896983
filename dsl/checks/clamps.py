"""Clamps pushed into branches: an IR rewrite of a score rule after resolution.

``扣完为止``, ``不加分``, ``最多`` and ``最少`` written around a conditional or a tier table
move into each branch and row, so that a clamp never sees 不适用 and each branch is
clamped on its own (``如果 c 则 不适用 否则 x 扣完为止`` clamps only ``x``).
"""
from __future__ import annotations

from .. import ir


def push_clamps(e: ir.Expr) -> ir.Expr:
    """Move clamps into the branches of conditionals and tiers, so that a clamp never
    sees 不适用: ``如果 c 则 不适用 否则 x 扣完为止`` clamps only ``x``."""
    out = _push_clamps(e)
    if out is not e and out.origin is None and e.origin is not None:
        out.origin = e.origin          # still the expansion of that method call
    return out


def _push_clamps(e: ir.Expr) -> ir.Expr:
    if isinstance(e, ir.Clamp):
        inner = push_clamps(e.operand)
        if isinstance(inner, ir.NotApplicable):
            return inner
        if isinstance(inner, ir.If):
            return ir.If(inner.cond, push_clamps(ir.Clamp(e.kind, inner.then, e.bound, span=e.span, type=e.type)),
                         push_clamps(ir.Clamp(e.kind, inner.else_, e.bound, span=e.span, type=e.type)),
                         span=inner.span, type=inner.type)
        if isinstance(inner, ir.Tiers):
            rows = [ir.TierRow(r.kind, r.op, r.key, push_clamps(ir.Clamp(e.kind, r.value, e.bound, span=e.span, type=e.type)), span=r.span)
                    for r in inner.rows]
            return ir.Tiers(inner.subject, rows, span=inner.span, type=inner.type)
        return ir.Clamp(e.kind, inner, e.bound, span=e.span, type=e.type)
    if isinstance(e, ir.If):
        return ir.If(e.cond, push_clamps(e.then), push_clamps(e.else_), span=e.span, type=e.type)
    if isinstance(e, ir.Tiers):
        rows = [ir.TierRow(r.kind, r.op, r.key, push_clamps(r.value), span=r.span) for r in e.rows]
        return ir.Tiers(e.subject, rows, span=e.span, type=e.type)
    return e
