"""The 评分表 as one self-contained HTML page (``.html``) that prints on A4 landscape.

The hierarchy as rowspans, the two-row header of 附件2 repeated on every printed page, rows
kept whole across pages, the total and grade rows kept with the table, CJK fonts named
first; a label's points never break from it (``目标设定`` / ``（5分）``). No script, no
external file: the style sheet is inline.
"""
from __future__ import annotations

import html
import re

from ..safe_text import clean
from .tables import Table, cell_text, row_layout, row_spans


_CSS = """
@page { size: A4 landscape; margin: 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: #000; background: #fff; font-size: 9pt; line-height: 1.45;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB",
    "Microsoft YaHei", "WenQuanYi Micro Hei", "SimSun", "Songti SC", "Noto Serif CJK SC", sans-serif; }
@media screen { body { margin: 16px auto; padding: 0 16px; max-width: 1560px; } }
@media print { body { font-size: 8pt; } h1 { font-size: 14pt; } ul.notes { font-size: 7pt; } }
h1 { font-size: 16pt; text-align: center; margin: 0 0 4pt; }
p.sub { text-align: center; margin: 0 0 2pt; }
p.summary { text-align: center; margin: 0 0 8pt; font-weight: bold; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
thead { display: table-header-group; }
td:not(.h) { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.6pt solid #000; padding: 2pt 3pt; vertical-align: top; white-space: pre-line;
  overflow-wrap: anywhere; word-break: break-word; }
th { background: #d9d9d9; text-align: center; vertical-align: middle; font-weight: bold; }
td.h { text-align: center; vertical-align: middle; }
td.num { text-align: center; vertical-align: middle; white-space: pre-line; }
tr.total, tr.grade { break-before: avoid; page-break-before: avoid; }
tr.subtotal td, tr.total td, tr.grade td { background: #f2f2f2; font-weight: bold; }
tr.grade td.boxes { font-weight: normal; vertical-align: middle; }
td.diff { background: #fce4d6 !important; }
.unattainable { color: #c00000; font-weight: bold; }
.pts { white-space: nowrap; }
ul.notes { margin: 6pt 0 0; padding-left: 14pt; font-size: 8pt; }
"""


def render_html(table: Table) -> str:
    def e(text, quote=True):        # escaped, and what no file can hold replaced visibly (safe_text)
        return html.escape(clean(text), quote)
    out = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
           f"<title>{e(table.title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
           f"<h1>{e(table.title)}</h1>", f'<p class="sub">{e(table.subtitle)}</p>']
    if table.summary:
        out.append(f'<p class="summary">{e("；".join(table.summary))}</p>')
    out.append("<table>")
    out.append("<colgroup>" + "".join(f'<col style="width:{c.pct}%">' for c in table.columns) + "</colgroup>")
    # two header rows as in 附件2
    top, bottom = [], []
    seen = set()
    for c in table.columns:
        if c.group is None:
            top.append(f'<th rowspan="2">{e(c.header)}</th>')
        elif c.group not in seen:
            seen.add(c.group)
            n = sum(1 for x in table.columns if x.group == c.group)
            top.append(f'<th colspan="{n}">{e(c.group)}</th>')
        if c.group is not None:
            bottom.append(f"<th>{e(c.header)}</th>")
    out.append(f"<thead><tr>{''.join(top)}</tr><tr>{''.join(bottom)}</tr></thead>")
    out.append("<tbody>")
    spans = {key: row_spans(table.rows, key) for key in ("l1", "l2")}
    for i, row in enumerate(table.rows):
        cls = [row.kind] + (["differs"] if row.differs else [])
        tds = []
        for (a, b, key) in row_layout(table, row):
            attrs_ = []
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
            if key in ("l1", "l2", "name"):
                # wrap before the points, never inside them: 目标设定 / （5分）
                text = re.sub(r"（[0-9.]+分）$", lambda m: f'<span class="pts">{m.group(0)}</span>', text)
            if key == "diff" and row.unattainable:
                text = f'<span class="unattainable">{text}</span>'
            attrs_.insert(0, f'class="{" ".join(classes)}"')
            tds.append(f"<td {' '.join(attrs_)}>{text}</td>")
        out.append(f'<tr class="{" ".join(cls)}">{"".join(tds)}</tr>')
    out.append("</tbody></table>")
    if table.notes:
        out.append('<ul class="notes">' + "".join(f"<li>{e(n)}</li>" for n in table.notes) + "</ul>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)
