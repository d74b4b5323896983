"""指标行 blocks: an indicator whose rows the case supplies -> :class:`ir.RowPart`.

The block declares the rows' fields (among them 分值 and 计分方法), one scoring method
per choice of 计分方法, each resolved on its own and seeing only the row's fields, and
optional 分值分配 (the indicator's points shared out by a text or grade field). The
indicator's score becomes a hidden input, ``名称·各行得分``, that the compiler fills in
from the rows of the case. Each method is then made a small program of its own
(:func:`row_programs`). Functions here take the :class:`~.resolve.Resolver`.
"""
from __future__ import annotations

from decimal import Decimal

import attrs

from .. import ast, ir
from ..diagnostics import Label, tr
from ..ir import Type
from ..ops import may_be_na
from .clamps import push_clamps

ROW_POINTS = ("分值", "points")
ROW_METHOD = ("计分方法", "method")


def fmt_points(v: Decimal) -> str:
    return ir.fmt_decimal(v)


def resolve_rows(r, ind: ir.Indicator, block: ast.RowsBlock):
    """An indicator whose rows the case supplies: the fields, and each scoring method
    resolved on its own, seeing only the row's fields."""
    def bad(zh, en, span=block.span):
        r.err("E0211", [Label(span, "")], name=ind.name, reason_zh=zh, reason_en=en)
    if ind.children:
        bad("所在指标不能再有下级指标", "belong to an indicator that has children of its own")
    fields: dict[str, ir.Input] = {}
    for d in block.fields:
        if d.name.text in fields:
            r.err("E0203", [Label(d.name.span, ""), Label(fields[d.name.text].span, "", False)], name=d.name.text)
            continue
        fields[d.name.text] = r._make_input(d, len(fields))
    pf = next((n for n in ROW_POINTS if n in fields), None)
    mf = next((n for n in ROW_METHOD if n in fields), None)
    if pf is None or fields[pf].kind != "score":
        bad("缺少「字段 分值: 分数」", "need a field `分值: 分数` (the row's points)")
    if mf is None or fields[mf].kind != "grade":
        bad("缺少「字段 计分方法: 等级(…)」", "need a field `计分方法: 等级(…)` naming each row's method")
    members = fields[mf].members if mf is not None and fields[mf].kind == "grade" else ()
    part = ir.RowPart(ind, list(fields.values()), pf or "分值", mf or "计分方法",
                      doc="\n".join(d.text for d in block.docs) or None, span=block.span,
                      na_policy=block.na_policy or r.na_policy)
    for rm in block.methods:
        name = rm.name.text
        if name in part.methods:
            r.err("E0203", [Label(rm.name.span, ""), Label(part.method_spans[name], "", False)], name=name)
            continue
        if members and name not in members:
            bad(f"的方法「{name}」不是计分方法的选项（{'、'.join(members)}）",
                f"define method `{name}`, which is not a choice of 计分方法 ({', '.join(members)})", rm.name.span)
        fresh = {n: attrs.evolve(inp, used=False) for n, inp in fields.items()}
        pseudo = ir.Indicator(name, "row", Decimal(0), ind.path + (name,), span=rm.span, name_span=rm.name.span,
                              row_of=ind, index=0)
        saved = r.inputs, r._current, r._in_rows, r.uses_na, r.na_span
        r.inputs, r._current, r._in_rows = fresh, pseudo, True
        try:
            v = rm.value
            score = r.tiers(v, {}, score_ctx=True) if isinstance(v, ast.Tiers) else r.expr(v, {}, score_ctx=True)
        finally:
            # a row's 不适用 follows the rows' own policy (below), not the rulebook's
            r.inputs, r._current, r._in_rows, r.uses_na, r.na_span = saved
        pseudo.score = push_clamps(score)
        r.units.check_score(pseudo, v.span)
        if may_be_na(score) and part.na_policy is None:
            r.err("E0505", [Label(v.span, tr("此行可能不适用", "a row may be not applicable here"))],
                  helps=[tr("在指标行中写「不适用 剔除」（其余各行按分值折算）或「不适用 计满分」",
                            "write `不适用 剔除` (the other rows rescaled) or `不适用 计满分` in the 指标行 block")])
        used = sorted((i for i in fresh.values() if i.used), key=lambda i: i.index)
        for k, inp in enumerate(used):
            inp.index = k
        part.methods[name] = (pseudo, used)
        part.method_spans[name] = rm.span
    for m in members:
        if m not in part.methods:
            bad(f"缺少计分方法「{m}」的「方法 {m} = …」", f"give no `方法 {m} = …` for the choice `{m}`")
    for al in block.allocations:
        f = fields.get(al.field.text)
        if f is None or f.kind not in ("text", "grade"):
            bad(f"的分值分配须按文本或等级字段，「{al.field.text}」不是", f"allocate points by a text or grade field, which `{al.field.text}` is not",
                al.field.span)
            continue
        shares: dict = {}
        for value, pts in al.shares:
            if value.text in shares:
                r.err("E0203", [Label(value.span, "")], name=value.text)
                continue
            if f.kind == "grade" and value.text not in f.members:
                bad(f"的分值分配中「{value.text}」不是「{f.name}」的选项（{'、'.join(f.members)}）",
                    f"allocate to `{value.text}`, not a choice of `{f.name}`", value.span)
                continue
            if pts.unit not in (None, "分"):
                bad(f"的分值分配中「{value.text}」的分值单位应为「分」", f"allocate `{value.text}` in 分", pts.span)
                continue
            shares[value.text] = pts.value
        if sum(shares.values(), Decimal(0)) != ind.points:
            bad(f"的分值分配合计{fmt_points(sum(shares.values(), Decimal(0)))}分，不等于其分值{fmt_points(ind.points)}分",
                f"allocate {fmt_points(sum(shares.values(), Decimal(0)))} points, not the indicator's {fmt_points(ind.points)}",
                al.span)
            continue
        part.allocations.append((f.name, shares))
    hidden = ir.Input(f"{ind.name}·各行得分", "score", Type("num"), lo=Decimal(0), hi=ind.points,
                      doc=f"「{ind.name}」各行得分之和（由案例的指标行算出）", span=block.span,
                      index=len(r.inputs), used=True)
    r.inputs[hidden.name] = hidden
    part.total = hidden
    ind.score = ir.InputRef(hidden, span=block.span, type=Type("num"))
    ind.rows = part
    r.row_parts.append(part)


def row_programs(r, precision: Decimal, rounding: str, na_policy) -> None:
    """Each row method as a program of its own: one pseudo-indicator, worth 1, over the
    fields the method reads (``RowPart.methods``: name -> ir.Program). A row that is
    不适用 comes back as such (the program's own policy only marks it); the rows' policy
    is applied when the rows are summed (compiler/rows.py)."""
    rb = r.rb
    for part in r.row_parts:
        for name, (pseudo, used) in list(part.methods.items()):
            part.methods[name] = ir.Program(
                title=f"{rb.title}/{part.indicator.qualified}/{name}", version=None, total=Decimal(1),
                precision=precision, rounding=rounding,
                grade_on="exact", na_policy="full_points" if may_be_na(pseudo.score) else na_policy,
                inputs=used, globals=[], roots=[pseudo],
                grades=[ir.GradeBand("—", None)], source_name=rb.span.file.name, source_text=rb.span.file.text,
                files=r._files(rb))
