"""Names a data file cannot tell apart or cannot write (E0213, E0214).

A name in 「」 may hold any character. Two kinds are refused:

- E0213: a declared name holding an invisible or control character — zero-width
  characters (U+200B–U+200D, U+2060, U+FEFF), the soft hyphen, bidirectional controls
  (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F, U+061C: text that reads differently from
  what it is, "Trojan Source"), control and private-use characters. Nobody can type such a
  name into a data file's header, and a reviewer cannot see it.
- E0214: two different input names (or two different indicator names) that a data file's
  header cannot tell apart: equal once headers are compared the way the readers compare
  them (NFKC — ``ａ`` is ``a``, ``１`` is ``1`` — and spaces, including the full-width
  space, left out).
"""
from __future__ import annotations

import unicodedata

from .. import ast
from ..diagnostics import Diagnostic, Label, make, tr

# categories no name should hold: control, format (zero-width, bidi), surrogate, private
# use, unassigned, line and paragraph separators
_BAD_CATEGORIES = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"}


def header_key(name: str) -> str:
    """A name as a data file's header is compared (compiler/data/readers.py ``_norm``)."""
    return unicodedata.normalize("NFKC", name).strip().replace(" ", "").replace("\u3000", "")


def invisible(name: str) -> list[str]:
    """The characters of ``name`` no name should hold, as ``U+XXXX`` (each once, in order)."""
    out = []
    for ch in name:
        if unicodedata.category(ch) in _BAD_CATEGORIES:
            code = f"U+{ord(ch):04X}"
            if code not in out:
                out.append(code)
    return out


def shown(name: str) -> str:
    """``name`` with each character no name should hold written as ``\\u200b``."""
    return "".join(f"\\u{ord(ch):04x}" if unicodedata.category(ch) in _BAD_CATEGORIES else ch for ch in name)


def _declared(rb):
    """(kind, Name) for every name the rulebook declares."""
    for node in ast.walk(rb):
        if isinstance(node, ast.InputDecl):
            yield "input", node.name
        elif isinstance(node, ast.IndicatorNode):
            yield "indicator", node.name
        elif isinstance(node, (ast.Let, ast.GradeBand, ast.Method, ast.Param, ast.RowMethod, ast.CaseList)):
            yield "other", node.name


def check_lookalikes(rb) -> list[Diagnostic]:
    diags: list[Diagnostic] = []
    first: dict[tuple[str, str], ast.Name] = {}
    for kind, name in _declared(rb):
        if not isinstance(name, ast.Name):
            continue
        bad = invisible(name.text)
        if bad:
            diags.append(make("E0213", [Label(name.span, tr("含 " + "、".join(bad), "holds " + ", ".join(bad)))],
                              name=shown(name.text), chars=", ".join(bad)))
            continue
        if kind == "other":
            continue
        key = (kind, header_key(name.text))
        prev = first.get(key)
        if prev is None:
            first[key] = name
        elif prev.text != name.text:
            diags.append(make("E0214", [Label(name.span, ""), Label(prev.span, tr("另一个", "the other"), False)],
                              name=name.text, other=prev.text,
                              what_zh="输入" if kind == "input" else "指标",
                              what_en="input" if kind == "input" else "indicator"))
    return diags
