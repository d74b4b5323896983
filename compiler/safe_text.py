"""Text from rulebooks, cases and data files made safe for the files jixiao writes.

The one place every writer goes through (batch output in ``data/writers.py`` and
``data/parallel.py``, reports and published rulebooks in ``publish/xlsx.py``,
``publish/markdown.py``, ``publish/html.py``). See docs/security.md.

- :func:`clean` — what no output file can hold, replaced visibly by U+FFFD (�): a lone
  surrogate (JSON ``"\\ud800"``, the Python API) and the C0 control characters other
  than tab, line feed and carriage return (a workbook cannot hold them). Nothing else
  changes.
- :func:`csv_cell` — a text cell of a CSV file, neutralised the OWASP way: a text that a
  spreadsheet would take for a formula (it starts with ``=`` ``+`` ``-`` ``@``, a tab or
  a carriage return) gets a leading ``'``. A plain number (``-3``, ``+1.5``) is left as it
  is: a spreadsheet reads it as a number, never as a formula.
- :func:`xlsx_text` / :func:`xlsx_write_only_cell` — a text cell of a workbook: always a
  string cell (never ``data_type == "f"``), marked "quote prefix" when it looks like a
  formula, so a spreadsheet keeps it text even when the cell is edited. The text itself
  is kept, character for character (after :func:`clean`).
- :func:`json_text` — a JSON document or line: lone surrogates written as ``\\udxxx``
  escapes (valid JSON, the value read back unchanged) so the file is UTF-8.
- :func:`markdown_text` — Markdown that shows rulebook text as text: markup escaped,
  including ``[``, ``]`` and ``!`` (no link, no ``javascript:`` target, no remote image).
"""
from __future__ import annotations

import json
import re
from typing import Any

REPLACEMENT = "\ufffd"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# lone surrogates, and the control characters XML 1.0 (so a workbook) cannot hold
_UNSAFE = re.compile("[\ud800-\udfff\x00-\x08\x0b\x0c\x0e-\x1f]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?%?")


def clean(text: str) -> str:
    """``text`` with lone surrogates and control characters (other than tab, LF, CR)
    replaced by U+FFFD; the same object when there is nothing to replace."""
    if (text.isascii() and text.isprintable()) or _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(REPLACEMENT, text)


def formula_like(text: str) -> bool:
    """Would a spreadsheet take this text for a formula (or the start of a DDE payload)?"""
    return text.startswith(FORMULA_START) and _NUMBER.fullmatch(text) is None


def csv_cell(text: Any) -> str:
    """A text cell for a CSV file: cleaned, and prefixed with ``'`` when it looks like a
    formula (OWASP "CSV injection")."""
    text = "" if text is None else str(text)
    if not text:
        return text
    text = clean(text)
    return "'" + text if formula_like(text) else text


def csv_row(texts) -> list[str]:
    return [csv_cell(t) for t in texts]


def xlsx_text(cell, text: str) -> None:
    """Put ``text`` into a cell of a normal (not write-only) openpyxl sheet as a string,
    never a formula."""
    text = clean(text)
    cell.value = text
    if text.startswith(FORMULA_START):
        cell.data_type = "s"
        cell.quotePrefix = True


def xlsx_value(ws, v: Any):
    """A value for ``ws.append`` of a write-only sheet: numbers and dates as they are, a
    text cleaned and, when it looks like a formula, a string cell with the quote prefix."""
    if not isinstance(v, str):
        return v
    text = clean(v)
    if not text.startswith(FORMULA_START):
        return text
    from openpyxl.cell import WriteOnlyCell
    cell = WriteOnlyCell(ws, value=text)
    cell.data_type = "s"
    cell.quotePrefix = True
    return cell


def json_text(obj: Any, **kw) -> str:
    """``json.dumps(obj, ensure_ascii=False)`` whose output can always be written as UTF-8:
    a lone surrogate is written as its ``\\udxxx`` escape."""
    text = json.dumps(obj, ensure_ascii=False, **kw)
    if text.isascii():
        return text
    return _SURROGATE.sub(lambda m: "\\u%04x" % ord(m.group()), text)


def markdown_text(text: str) -> str:
    """Rulebook text as Markdown that shows it as text: HTML tags and entities, table
    pipes, emphasis, code, and link/image brackets escaped; line breaks as ``<br>``."""
    text = clean(text)
    text = re.sub(r"&(?=#?[A-Za-z0-9]+;)", "&amp;", text)
    text = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text)
    for ch in "\\|*_`[]!":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\r", "").replace("\n", "<br>")
