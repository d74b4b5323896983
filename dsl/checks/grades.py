"""Grade bands: every total the rulebook can give (``Program.total_range``: [0, 满分], with
top-level 加分项 and 扣分项 beyond it) at the rulebook's precision — whole numbers under
``定级 按取整总分`` — is in exactly one band.

Band conditions compare 总分 with constants, so it suffices to test each boundary, one
precision step either side of it, and a point between consecutive boundaries. Vetoes
(``否决``) lower or set a grade after the bands: they cannot leave a total without one,
a grade only a veto gives is still given, and ``最高 G`` needs the bands best first.
"""
from __future__ import annotations

from decimal import Decimal

from .. import ir
from ..diagnostics import Label, Msg, make, tr
from ..ops import ROUNDING, value_of
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


def graded_total(prog: ir.Program, total: Decimal) -> Decimal:
    """The total the bands read: under ``定级 按取整总分`` rounded to a whole number with the
    rulebook's 舍入."""
    if prog.grade_on == "integer":
        return total.quantize(Decimal(1), rounding=ROUNDING[prog.rounding])
    return total


def check_grades(prog: ir.Program):
    if not prog.grades or prog.grades_broken:
        return []
    integer = prog.grade_on == "integer"
    step = Decimal(1) if integer else prog.precision
    lo_t, hi_t = (graded_total(prog, t) for t in prog.total_range())
    consts = {lo_t, hi_t}
    for b in prog.grades:
        if b.cond is not None:
            _consts(b.cond, consts)
    exact = prog.grade_on == "exact"
    pts = set()
    for c in consts:
        if lo_t <= c <= hi_t:
            for d in ((c,) if exact else (c - step, c, c + step)):
                if lo_t <= d <= hi_t:
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
                else tr("定级按取整总分，总分取整后为此值", "graded on the total rounded to a whole number") if integer
                else tr(f"精度 {fmt_decimal(step)} 下存在此总分", f"totals are kept to {fmt_decimal(step)}"))
        if t < 0 or t > prog.total:
            note = tr(f"加分项、扣分项使总分可达 [{fmt_decimal(lo_t)}, {fmt_decimal(hi_t)}]；用「总分 = 合计 不加分 扣完为止」限定在 [0, 满分] 之内，或为此总分定等级",
                      f"bonus and penalty items take the total over [{fmt_decimal(lo_t)}, {fmt_decimal(hi_t)}]: hold it with "
                      f"`总分 = 合计 不加分 扣完为止`, or give such totals a grade")
        if not labels:
            labels = [Label(prog.grades[0].span, "")]
        notes = [note]
        if prog.vetoes:
            notes.append(tr("否决只改变已定的等级，不为没有等级的总分定级", "a veto changes a grade the bands gave; it gives none to a total they leave out"))
        diags.append(make("E0502", labels, value=fmt_decimal(t), helps=[_meet_help(below, above, before, after)],
                          notes=notes))
    on_grid = [t for t in sorted(pts) if lo_t <= t <= hi_t and (exact or t == _on_grid(t, step))]
    given = {grade_of(prog.grades, t) for t in on_grid} | {v.grade for v in prog.vetoes}
    for b in prog.grades:
        if b.name not in given:
            diags.append(make("W0506", [Label(b.span, "")], name=b.name))
    diags.extend(_best_first(prog, on_grid))
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
        return Msg(f"总分高于 {last} 的没有等级：把最高一档写到可能的最高总分为止",
                   f"totals above {last} have no grade: let the highest band run up to the highest total possible")
    return Msg("每个总分都应恰好属于一个等级：相邻等级首尾相接", "every total must fall in exactly one band: let bands meet")


def _best_first(prog: ir.Program, totals) -> list:
    """``最高 G`` compares grades by the order of the bands: each band's totals must lie
    above those of every band after it (E0522)."""
    cap = next((v for v in prog.vetoes if v.cap), None)
    if cap is None:
        return []
    given: dict = {}
    for t in totals:
        g = grade_of(prog.grades, t)
        if g is not None:
            lo, hi = given.get(g, (t, t))
            given[g] = (min(lo, t), max(hi, t))
    order = [b for b in prog.grades if b.name in given]
    for i, a in enumerate(order):
        for b in order[i + 1:]:
            if given[b.name][1] > given[a.name][0]:
                labels = [Label(cap.span, tr(f"按等级顺序取「{cap.grade}」及以下", f"at best `{cap.grade}`, by the bands' order")),
                          Label(a.span, tr(f"{a.name}：总分低至 {fmt_decimal(given[a.name][0])}", f"{a.name}: totals down to {fmt_decimal(given[a.name][0])}"), False),
                          Label(b.span, tr(f"{b.name}：总分高至 {fmt_decimal(given[b.name][1])}，却排在后面", f"{b.name}: totals up to {fmt_decimal(given[b.name][1])}, yet listed after"), False)]
                return [make("E0522", labels, grade=cap.grade,
                             helps=[tr("按从高到低的顺序列出等级，如 优秀、良好、中、较差", "list the bands best first: 优秀, 良好, 中, 较差")])]
    return []


def probes_between(pts, a, b):
    return [p for p in pts if a < p < b]


def _on_grid(t, step):
    return (t / step).to_integral_value() * step
