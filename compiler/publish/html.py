"""The 评分表 as one self-contained HTML page (``.html``) that prints on A4 landscape,
rendered from the Jinja2 template ``templates/report.html.j2`` shipped in the package (a
bureau supplies its own with ``--template DIR``: see docs/reports.md).

The rows are grouped one ``<tbody>`` per 二级指标 block, kept whole on a page: a page never
starts inside a block nor with a subtotal row (it stays in the block above it). The 一级
label spans each of its blocks, the first one ``投入（15分）``, the following ones
``投入（15分）（续）``, so every printed page that holds a 一级指标's rows names it. The
two-row header of 附件2 repeats on every page; CJK fonts named first; a label's points never
break from it (``目标设定`` / ``（5分）``). No script, no external file: the style sheet is
inline, every text escaped (the template autoescapes; the cells' own markup is built here).
"""
from __future__ import annotations

import html
import re
from typing import Optional

from ..safe_text import clean
from .tables import Table, cell_text, row_layout, row_spans
from .templating import environment


PAGE_LINES = 40          # lines of 8pt text on an A4 landscape page under the header
BLOCK_LINES = 20         # a print block at most this tall (estimated), so it always fits a page
PAGE_UNITS = 194         # halfwidth characters across the page at 8pt


def _row_lines(table: Table, row) -> int:
    """The estimated height of a row in lines: its tallest cell's wrapped text."""
    from ...dsl.source import display_width
    need = 1
    for (a, b, key) in row_layout(table, row):
        if key in ("l1", "l2"):
            continue
        units = sum(table.columns[k].pct for k in range(a, b + 1)) / 100 * PAGE_UNITS - 2
        text = cell_text(row.cells.get(key, ""))
        lines = sum(max(1, -(-display_width(t) // max(int(units), 1))) for t in text.split("\n")) if text else 1
        need = max(need, lines)
    return need


def _groups(table: Table) -> list[list[int]]:
    """Row indices in print blocks: one per 二级 block (a block under a 一级 without 二级:
    per 一级), cut where it would be taller than BLOCK_LINES, its subtotal row with the block
    above it; the total and grade rows together."""
    groups: list[list[int]] = []
    key, used = None, 0
    for i, row in enumerate(table.rows):
        h = _row_lines(table, row)
        if row.kind == "subtotal" and groups:
            groups[-1].append(i)
            key = ("subtotal", i)
            continue
        k = ("tail",) if row.kind in ("total", "grade") else (id(row.l1), id(row.l2) if row.l2 is not None else None)
        if k != key or not groups or (k != ("tail",) and used + h > BLOCK_LINES):
            groups.append([])
            key, used = k, 0
        groups[-1].append(i)
        used += h
    return groups


def _cells(table: Table, row, i: int, spans: dict, l1_label: Optional[tuple]) -> list[dict]:
    def e(text, quote=True):        # escaped, and what no file can hold replaced visibly (safe_text)
        return html.escape(clean(text), quote)
    out = []
    for (a, b, key) in row_layout(table, row):
        attrs_ = []
        extra = []
        if row.kind in ("indicator", "subtotal") and key in ("l1", "l2") and a == table.col(key):
            span = spans[key].get(i)
            if span == 0:
                continue
            if span and span > 1:
                attrs_.append(f'rowspan="{span}"')
        if b > a:
            attrs_.append(f'colspan="{b - a + 1}"')
        kind = table.columns[a].kind if a == b else "h"
        if row.kind == "grade" and key == "doc":
            kind = "boxes"
        classes = [kind] + (["diff"] if row.differs and key in ("score", "claimed", "diff") else [])
        text = e(cell_text(row.cells.get(key, "")))
        if key in ("l1", "l2") and l1_label is not None and l1_label[1].get(key):
            classes.append("cont")
            extra.append('<span class="cont-mark">（续）</span>')
        if key in ("l1", "l2", "name"):
            # wrap before the points, never inside them: 目标设定 / （5分）
            text = re.sub(r"（[0-9.]+分）$", lambda m: f'<span class="pts">{m.group(0)}</span>', text)
        if key == "diff" and row.unattainable:
            text = f'<span class="unattainable">{text}</span>'
        out.append({"key": key, "attrs": " ".join([f'class="{" ".join(classes)}"'] + attrs_), "html": text + "".join(extra)})
    return out


def html_context(table: Table) -> dict:
    """What the template lays out: the header rows, the print blocks (rows of cells whose
    markup is already escaped), the notes, 评价结论 and the signature block."""
    from markupsafe import Markup
    top, bottom = [], []
    seen = set()
    for c in table.columns:
        if c.group is None:
            top.append({"text": c.header, "attrs": 'rowspan="2"'})
        elif c.group not in seen:
            seen.add(c.group)
            n = sum(1 for x in table.columns if x.group == c.group)
            top.append({"text": c.group, "attrs": f'colspan="{n}"'})
        if c.group is not None:
            bottom.append({"text": c.header, "attrs": ""})
    blocks = []
    started: set = set()
    for g in _groups(table):
        rows = [table.rows[i] for i in g]
        spans = {"l1": row_spans(rows, "l1"), "l2": row_spans(rows, "l2")}
        first = rows[0]
        cont = {}
        for key in ("l1", "l2"):
            owner = (first.l1 if key == "l1" else first.l2) if first.kind in ("indicator", "subtotal") else None
            cont[key] = owner is not None and id(owner) in started
            if owner is not None:
                started.add(id(owner))
        body = []
        for j, row in enumerate(rows):
            cells = _cells(table, row, j, spans, (first, cont) if j == 0 else None)
            for c in cells:
                c["attrs"], c["html"] = Markup(c["attrs"]), Markup(c["html"])
            body.append({"kind": row.kind, "classes": " ".join([row.kind] + (["differs"] if row.differs else [])),
                         "cells": cells})
        blocks.append({"rows": body, "continues": cont.get("l1", False)})
    return {"table": table, "title": table.title, "subtitle": table.subtitle, "summary": "；".join(table.summary),
            "columns": table.columns, "head_top": top, "head_bottom": bottom, "blocks": blocks,
            "notes": table.notes, "conclusion": table.conclusion, "signature": table.signature}


def render_html(table: Table, template_dir=None) -> str:
    env = environment(template_dir)
    css = env.get_template("report.css").render()
    return env.get_template("report.html.j2").render(css=css, **html_context(table))
