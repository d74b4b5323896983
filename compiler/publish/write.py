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

FORMATS = (".xlsx", ".html", ".md", ".pdf")


def write_table(table: Table, path, template_dir=None) -> None:
    """Write ``table`` as .xlsx, .html, .md or .pdf (by the file's suffix); ``template_dir``:
    a bureau's own templates for the HTML (and PDF) and Markdown pages."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"unsupported output format {path.suffix or '(none)'}: use {', '.join(FORMATS)}")
    if suffix == ".xlsx":
        render_xlsx(table, path)
        return
    if suffix == ".pdf":
        import tempfile
        from .pdf import print_pdf
        with tempfile.TemporaryDirectory(prefix="jixiao-report-") as d:
            page = Path(d) / "report.html"
            page.write_text(render_html(table, template_dir), encoding="utf-8")
            print_pdf(page, path)
        return
    text = render_html(table, template_dir) if suffix == ".html" else render_markdown(table, template_dir)
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def write_report(rb, case, result, path, criteria: str = "original", sign=None, template_dir=None) -> Table:
    """``sign``: the signature block's values (evaluator, members, reviewer, reviewed_by,
    date); those not given are left blank to sign by hand."""
    table = report_table(rb, case, result, criteria, sign=sign)
    write_table(table, path, template_dir)
    return table


def write_doc(rb, path, template_dir=None) -> Table:
    table = doc_table(rb)
    write_table(table, path, template_dir)
    return table
