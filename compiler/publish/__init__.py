"""What people read: the 评分表 (its 评分标准 generated from the rules), the 评分依据 in words
and the text score table. One concern a module:

- ``criteria``  评分标准 in words, generated from the rule (the checked IR)
- ``tables``    the table model: a case's report, the published rulebook, a 方法库's reference
- ``xlsx``, ``html``, ``markdown``  one writer each
- ``write``     a table to a file: the writer chosen by the suffix, the file written atomically
- ``explain``   评分依据, the audit of claimed scores, trace lines
- ``report``    the plain-text and JSON score table of ``jixiao score``
- ``printer``   IR back to text, shared by ``criteria`` and ``explain``

The names in ``_SURFACE`` are the package's public surface for the 评分表 (what ``jixiao
report`` and ``jixiao doc`` call, and docs/report.md shows); anything else is imported
from its module. As in the ``jixiao`` package itself, they are loaded on first use: the
commands that print no table (``jixiao check``, ``score``, ``test``) do not load the
tables and their writers.
"""
from __future__ import annotations

_SURFACE = {
    "FORMATS": "write", "write_table": "write", "write_report": "write", "write_doc": "write",
    "Table": "tables", "report_table": "tables", "doc_table": "tables", "library_table": "tables",
    "render_xlsx": "xlsx", "render_html": "html", "render_markdown": "markdown",
    "criteria_text": "criteria",
}

__all__ = sorted(_SURFACE)


def __getattr__(name: str):
    module = _SURFACE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_SURFACE))
