"""Figures in words, for 评分依据: a value with its unit (121人, 96.31%, 2,406.98万元, a
date, 是/否), a checklist's or record list's items, and an aggregate over a list with
the items it counted ("2项中1项：…")."""
from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Optional

from ...dsl import ir
from ...dsl.builtins import DISPLAY_ZH
from ...dsl.ir import date_text, fmt_decimal
from .printer import expr_text


def _num(v: Decimal, unit: Optional[str]) -> str:
    if unit == "%":
        pct = v * 100
        shown = pct.quantize(Decimal("0.01")) if pct != pct.quantize(Decimal("0.01")) else pct
        return f"{fmt_decimal(shown)}%"
    if unit == "pp":
        return f"{fmt_decimal(v * 100)}个百分点"
    text = fmt_decimal(v.quantize(Decimal("0.0001")) if v != v.quantize(Decimal("0.0001")) else v)
    return text + (unit if unit and unit != "分" else "")


def _value(v, typ: Optional[ir.Type], lang: str) -> str:
    if isinstance(v, bool):
        return ("是" if v else "否") if lang == "zh" else ("yes" if v else "no")
    if isinstance(v, datetime.date):
        return date_text(v.toordinal(), lang)
    if isinstance(v, Decimal) and typ is not None and typ.kind == "date":
        return date_text(v, lang)
    if isinstance(v, Decimal):
        return _num(v, typ.unit if typ is not None and typ.kind == "num" else None)
    if isinstance(v, tuple) and typ is not None and typ.kind == "list":
        return f"{len(v)}项" if lang == "zh" else f"{len(v)} items"
    return str(v)


def _items_text(items, lang: str) -> str:
    """The titles of a list's items: 农村饮水、道路 (… and N more past twelve)."""
    titles = [str(r[0]) for r in items]
    sep = "、" if lang == "zh" else ", "
    more = (f"等{len(titles)}项" if lang == "zh" else f" … ({len(titles)} in all)") if len(titles) > 12 else ""
    return sep.join(titles[:12]) + more


def _aggregate_text(a: ir.Aggregate, t, known: dict, values: dict, lang: str) -> str:
    """An aggregate's step in words: which items met its condition, and what it gives."""
    zh = lang == "zh"
    name = a.items.input.name if isinstance(a.items, ir.InputRef) else "?"
    every = values.get(name) or ()
    matched = t.before or ()
    total = len(every)
    cond = substitute(a.cond, known, lang) if a.cond is not None else None
    if a.func == "count":
        if cond is None:
            return ""                  # the inputs already say how many items there are
        return (f"{name}{total}项中满足「{cond}」的有{len(matched)}项" + (f"：{_items_text(matched, lang)}" if matched else "")) if zh \
            else (f"{name}: {len(matched)} of {total} items meet `{cond}`" + (f" ({_items_text(matched, lang)})" if matched else ""))
    if a.func in ("sum", "max", "min"):
        if cond is None:
            head = (f"{name}共{total}项" + (f"：{_items_text(matched, lang)}" if matched else "")) if zh else \
                (f"{name}: {total} items" + (f" ({_items_text(matched, lang)})" if matched else ""))
        else:
            head = (f"{name}{total}项中满足「{cond}」的有{len(matched)}项" + (f"：{_items_text(matched, lang)}" if matched else "")) if zh \
                else (f"{name}: {len(matched)} of {total} items meet `{cond}`" + (f" ({_items_text(matched, lang)})" if matched else ""))
        return head                    # its value is shown where it is used
    if a.func == "any":
        if zh:
            return f"{name}{total}项中满足「{cond}」的" + (f"有{len(matched)}项：{_items_text(matched, lang)}" if matched else "一项也没有")
        return f"{name}: " + (f"{len(matched)} of {total} items meet `{cond}` ({_items_text(matched, lang)})" if matched
                              else f"none of {total} items meets `{cond}`")
    missed = [r for r in every_records(every) if r not in matched] if every else []
    if zh:
        return f"{name}{total}项" + (f"全部满足「{cond}」" if not missed else f"中不满足「{cond}」的有{len(missed)}项：{_items_text(missed, lang)}")
    return f"{name}: " + (f"all {total} items meet `{cond}`" if not missed
                          else f"{len(missed)} of {total} items fail `{cond}` ({_items_text(missed, lang)})")


def every_records(items) -> list:
    """A list input's items as ``(名称, …)`` records (the API gives them as mappings)."""
    return [(r.get("名称"),) + tuple(v for k, v in r.items() if k != "名称") if isinstance(r, dict) else r for r in items]


def substitute(e: ir.Expr, values: dict, lang: str = "zh", prec: int = 0) -> str:
    """The expression with every input and local replaced by its value:
    ``3 - 超编人数 × 0.1`` -> ``3 - 32 × 0.1``."""
    def leaf(x):
        if isinstance(x, ir.Const):
            return _value(x.value, x.type, lang) if not isinstance(x.value, str) else x.value
        if isinstance(x, ir.InputRef):
            v = values.get(("input", x.input.index))
            if x.input.type.kind in ("checklist", "list"):
                return x.input.name            # its items are listed with the inputs: 要点3项中符合2项
            return _value(v, x.input.type, lang) if v is not None else x.input.name
        if isinstance(x, ir.LocalRef):
            v = values.get(("local", id(x.local)))
            return _value(v, x.local.type, lang) if v is not None else x.local.name
        if isinstance(x, ir.ScoreRef):
            v = values.get(("score", x.indicator.index))
            return fmt_decimal(v) if v is not None else x.indicator.name
        if isinstance(x, ir.SubtotalRef) and x.indicator is not None:
            v = subtotal_value(x, values)
            return fmt_decimal(v) if v is not None else "合计"
        if isinstance(x, ir.Aggregate) and x.span is not None:
            v = values.get(("agg", x.span.line, " ".join(x.span.text().split())))
            return _value(v, x.type, lang) if v is not None else None
        if isinstance(x, ir.FieldRef):
            return x.field.name
        return None
    return expr_text(e, leaf, funcs=DISPLAY_ZH if lang == "zh" else {}, prec=prec)


def subtotal_value(e: ir.SubtotalRef, known: dict) -> Optional[Decimal]:
    """合计 of a node, from its children's scores in ``known``."""
    total = Decimal(0)
    for c in e.indicator.children:
        v = known.get(("score", c.index))
        if v is None:
            return None
        total += c.sign * v
    return total
