"""Grade bands: every total in [0, 满分] at the rulebook's precision is in exactly one band.

Band conditions compare 总分 with constants, so it suffices to test each boundary, one
precision step either side of it, and a point between consecutive boundaries.
"""
from __future__ import annotations

from decimal import Decimal

from .. import ir
from ..diagnostics import Label, Msg, make, tr
from ..ops import value_of
from ..ir import fmt_decimal


def _consts(e, out):
    if isinstance(e, ir.Const) and isinstance(e.value, Decimal):
        out.add(e.value)
    for attr in ("operands", "left", "right", "operand"):
        v = getattr(e, attr, None)
        if isinstance(v, list):
            for x in v:
                _consts(x, out)
        elif isinstance(v, ir.Expr):
            _consts(v, out)


def holds(e, total: Decimal):
    """Value of a band condition for a given total; None when it depends on more than the total."""
    return value_of(e, {"total": total})


def grade_of(bands, total):
    for b in bands:
        if b.cond is None or holds(b.cond, total):
            return b.name
    return None


def check_grades(prog: ir.Program):
    if not prog.grades or prog.grades_broken:
        return []
    step = prog.precision
    consts = {Decimal(0), prog.total}
    for b in prog.grades:
        if b.cond is not None:
            _consts(b.cond, consts)
    exact = prog.grade_on == "exact"
    pts = set()
    for c in consts:
        if 0 <= c <= prog.total:
            for d in ((c,) if exact else (c - step, c, c + step)):
                if 0 <= d <= prog.total:
                    pts.add(d)
    srt = sorted(pts)
    for a, b in zip(srt, srt[1:]):
        # conditions compare the total with constants, so their truth is constant between
        # two consecutive constants: one probe in between decides the whole open interval.
        # Graded on the rounded total, only multiples of the precision occur.
        mid = (a + b) / 2 if exact else ((a + b) / 2).quantize(step)
        pts.add(mid)
    diags = []
    gaps, overlaps = [], []
    for t in sorted(pts):
        if not exact and t != _on_grid(t, step):
            continue
        hits = [b for b in prog.grades if b.cond is None or holds(b.cond, t)]
        explicit = [b for b in prog.grades if b.cond is not None and holds(b.cond, t)]
        if not hits:
            gaps.append(t)
        elif len(explicit) > 1:
            overlaps.append((t, explicit))
    # one diagnostic per gap region: report its first total
    reported = []
    for t in gaps:
        if reported and all(grade_of(prog.grades, x) is None for x in probes_between(pts, reported[-1], t)):
            continue
        reported.append(t)
    probes = sorted(pts)
    for t in reported:
        before = [p for p in probes if p < t and grade_of(prog.grades, p) is not None]
        after = [p for p in probes if p > t and grade_of(prog.grades, p) is not None]
        below = [b for b in prog.grades if b.cond is not None and before and holds(b.cond, before[-1])]
        above = [b for b in prog.grades if b.cond is not None and after and holds(b.cond, after[0])]
        labels = [Label(b.span, tr(f"{b.name}：总分 {fmt_decimal(t)} 不满足", f"{b.name} does not hold"), i == 0)
                  for i, b in enumerate(below + [x for x in above if x not in below])]
        note = (tr("定级按原始总分，任何实数总分都可能出现", "graded on the exact total: any total can occur") if exact
                else tr(f"精度 {fmt_decimal(step)} 下存在此总分", f"totals are kept to {fmt_decimal(step)}"))
        if not labels:
            labels = [Label(prog.grades[0].span, "")]
        diags.append(make("E0502", labels, value=fmt_decimal(t), helps=[_meet_help(below, above, before, after)],
                          notes=[note]))
    given = {grade_of(prog.grades, t) for t in pts if 0 <= t <= prog.total and (exact or t == _on_grid(t, step))}
    for b in prog.grades:
        if b.name not in given:
            diags.append(make("W0506", [Label(b.span, "")], name=b.name))
    seen = set()
    for t, bs in overlaps:
        key = tuple(b.name for b in bs)
        if key in seen:
            continue
        seen.add(key)
        labels = [Label(b.span, b.name, i == 0) for i, b in enumerate(bs)]
        diags.append(make("E0503", labels, value=fmt_decimal(t), bands=Msg("、".join(f"「{b.name}」" for b in bs), ", ".join(f"`{b.name}`" for b in bs))))
    return diags


def _meet_help(below, above, before, after) -> Msg:
    """How to close this gap: let the band below run up to where the band above starts."""
    if below and above and after:
        lo, up = below[0].name, above[0].name
        L = fmt_decimal(after[0])
        last = fmt_decimal(before[-1])
        return Msg(f"让「{lo}」一直延伸到「{up}」的下限：上限写作「总分 < {L}」（现在止于 {last}）",
                   f"let `{lo}` run up to where `{up}` starts: write its upper bound as `总分 < {L}` (it stops at {last} now)")
    if above and after:
        L = fmt_decimal(after[0])
        return Msg(f"总分低于 {L} 的没有等级：加一个「总分 < {L}」的等级，或放宽最低一档",
                   f"totals below {L} have no grade: add a band `总分 < {L}`, or widen the lowest band")
    if below and before:
        last = fmt_decimal(before[-1])
        return Msg(f"总分高于 {last} 的没有等级：把最高一档写到满分为止",
                   f"totals above {last} have no grade: let the highest band run up to the full points")
    return Msg("每个总分都应恰好属于一个等级：相邻等级首尾相接", "every total must fall in exactly one band: let bands meet")


def probes_between(pts, a, b):
    return [p for p in pts if a < p < b]


def _on_grid(t, step):
    return (t / step).to_integral_value() * step
