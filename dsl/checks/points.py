"""Points add up: children to their parent, top-level sections to 满分.

加分项 and 扣分项 do not count in the points of their parent (nor in 满分): they add to or
deduct from its score, within their own caps."""
from __future__ import annotations

from decimal import Decimal

from .. import ir
from ..diagnostics import Label, Msg, make, tr
from ..ir import fmt_decimal


def check_points(prog: ir.Program):
    diags = []
    for ind in prog.walk():
        if ind.points_missing or any(c.points_missing for c in ind.children):
            continue
        if ind.children and (ind.score is None or ind.uses_subtotal):
            s = sum((c.points for c in ind.ordinary), Decimal(0))
            if s != ind.points:
                labels = [Label(ind.name_span, tr(f"声明 {fmt_decimal(ind.points)} 分", f"declares {fmt_decimal(ind.points)}"))]
                labels += [Label(c.name_span, _points(c.points), False) for c in ind.ordinary]
                diags.append(make("E0401", labels, name=ind.name, sum=fmt_decimal(s), points=fmt_decimal(ind.points)))
    for ind in prog.walk():
        if not ind.points_missing and ind.points % prog.precision != 0:
            diags.append(make("E0406", [Label(ind.name_span, _points(ind.points))],
                              name=ind.name, points=fmt_decimal(ind.points), precision=fmt_decimal(prog.precision)))
    roots = [r for r in prog.roots if not r.adjusts]
    s = sum((r.points for r in roots), Decimal(0))
    if prog.roots and s != prog.total and not any(r.points_missing for r in prog.roots):
        labels = [Label(r.name_span, _points(r.points), False) for r in roots or prog.roots]
        labels[0] = Label(labels[0].span, labels[0].caption, True)
        diags.append(make("E0402", labels, sum=fmt_decimal(s), total=fmt_decimal(prog.total)))
    return diags


def _points(v) -> Msg:
    return Msg(f"{fmt_decimal(v)} 分", f"{fmt_decimal(v)} points")
