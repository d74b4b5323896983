"""The 评分表 as a Markdown pipe table (``.md``).

No merged cells: a 一级/二级 label stands on the first row of its block and is left blank
below it; line breaks become ``<br>``; what Markdown would read as markup (tags, entities,
table pipes, emphasis, link and image brackets) is escaped (``safe_text.markdown_text``).
"""
from __future__ import annotations

from ..safe_text import markdown_text
from .tables import Table, cell_text, row_layout, row_spans


def _md(text: str) -> str:
    # only what markdown would take as markup: tags, entities, table pipes, emphasis, links
    # and images (so no javascript: link, no remote image from rulebook text)
    return markdown_text(text)


def render_markdown(table: Table, template_dir=None) -> str:
    """The page from ``templates/report.md.j2`` (or a bureau's own): the title, the pipe
    table, the notes, 评价结论 and the signature block, every text escaped for Markdown."""
    from .templating import environment
    env = environment(template_dir)
    return env.get_template("report.md.j2").render(
        title=_md(table.title), subtitle=_md(table.subtitle), summary=_md("；".join(table.summary)) if table.summary else "",
        table_lines=table_lines(table), notes=[_md(n) for n in table.notes],
        conclusion=_md(table.conclusion), signature=[(_md(k), _md(v)) for k, v in table.signature])


def table_lines(table: Table) -> list[str]:
    """A pipe table: no merged cells, so a 一级/二级 label is printed on the first row
    of its block and left blank below it."""
    out = []
    heads = [(f"{c.group}·{c.header}" if c.group and c.header != "指标名称" else (c.group or c.header)) for c in table.columns]
    heads = [h.replace("三级指标·", "") for h in heads]
    out.append("| " + " | ".join(_md(h) for h in heads) + " |")
    out.append("|" + "|".join(":---:" if c.kind in ("h", "num") else "---" for c in table.columns) + "|")
    keys = [c.key for c in table.columns]
    spans = {key: row_spans(table.rows, key) for key in ("l1", "l2")}
    for i, row in enumerate(table.rows):
        cells = []
        layout = {a: (b, key) for (a, b, key) in row_layout(table, row)}
        k = 0
        while k < len(keys):
            b, key = layout.get(k, (k, keys[k]))
            v = cell_text(row.cells.get(key, ""))
            if key in ("l1", "l2") and row.kind in ("indicator", "subtotal") and spans[key].get(i) == 0:
                v = ""
            text = _md(v)
            if row.kind in ("subtotal", "total", "grade") and text and key not in ("doc", "basis"):
                text = f"**{text}**"
            elif row.differs and key in ("score", "diff") and text:
                text = f"**{text}**"
            if key == "diff" and row.unattainable:
                text = "⚠ " + text
            cells.append(text)
            cells.extend([""] * (b - k))
            k = b + 1
        out.append("| " + " | ".join(cells) + " |")
    return out
