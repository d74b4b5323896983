"""Writing a 评分表 to a file: the writer chosen by the file's suffix (``.xlsx``, ``.html``,
``.md``), the file written atomically (:func:`compiler.files.atomic_write`: a reader never
sees half a table). ``jixiao report`` and ``jixiao doc`` call :func:`write_report` and
:func:`write_doc`.
"""
from __future__ import annotations

from pathlib import Path

from ..files import atomic_write
from .html import render_html
from .markdown import render_markdown
from .tables import Table, doc_table, report_table
from .xlsx import render_xlsx

FORMATS = (".xlsx", ".html", ".md")


def write_table(table: Table, path) -> None:
    """Write ``table`` as .xlsx, .html or .md (by the file's suffix)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"unsupported output format {path.suffix or '(none)'}: use {', '.join(FORMATS)}")
    if suffix == ".xlsx":
        render_xlsx(table, path)
        return
    text = render_html(table) if suffix == ".html" else render_markdown(table)
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def write_report(rb, case, result, path, criteria: str = "original", sign=None) -> Table:
    """``sign``: the signature block's values (evaluator, members, reviewer, reviewed_by,
    date); those not given are left blank to sign by hand."""
    table = report_table(rb, case, result, criteria, sign=sign)
    write_table(table, path)
    return table


def write_doc(rb, path) -> Table:
    table = doc_table(rb)
    write_table(table, path)
    return table
