"""Syntax errors: lark's exceptions as diagnostics.

E0101 (a token that cannot come here), E0102 (a character that starts no token),
E0103 (the file or a block ends too soon) and E0104 (indentation that matches no
enclosing block). What could have come instead is said in the language's spellings
(keywords as written, the others by name in ``_FRIENDLY``), never in lark's terminal
names.
"""
from __future__ import annotations

import re

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.indenter import DedentError

from .diagnostics import Diagnostic, Label, Msg, make, tr
from .grammar import jx_parser
from .source import SourceFile, Span


_FRIENDLY = {
    "NAME": ("名称", "a name"), "QNAME": ("名称", "a name"), "NUMBER": ("数字", "a number"),
    "STRING": ("字符串", "a string"), "_NL": ("换行", "end of line"), "_INDENT": ("缩进的块", "an indented block"),
    "_DEDENT": ("块结束", "end of block"), "CMP_OP": ("比较符号 ≥ > ≤ <", "a comparison ≥ > ≤ <"),
    "EQ": ("=", "="), "ADD_OP": ("+ -", "+ -"), "MUL_OP": ("× ÷", "× ÷"), "PERCENT": ("%", "%"),
    "$END": ("文件结束", "end of file"),
    "_COLON": ("：", "`:`"), "_LPAR": ("（", "`(`"), "_RPAR": ("）", "`)`"), "_COMMA": ("，", "`,`"),
}


def _spelling(term: str) -> tuple[str, str]:
    if term in _FRIENDLY:
        return _FRIENDLY[term]
    try:
        pat = jx_parser().get_terminal(term).pattern
    except KeyError:
        return term, term
    if pat.type == "str":
        return f"「{pat.value}」", f"`{pat.value}`"
    return term.lower(), term.lower()


def _expected_text(names) -> Msg:
    """What the parser could take here, in both languages (keywords as spelt)."""
    names = set(names)
    if {"NAME", "NUMBER"} <= names:
        return Msg("表达式", "an expression")
    seen, out = set(), []
    for n in sorted(names, key=lambda t: (t.startswith("_") and t not in _FRIENDLY, t)):
        s = _spelling(n)
        if s not in seen:
            seen.add(s)
            out.append(s)
    # keep the message short: Chinese spellings first
    out.sort(key=lambda s: (not re.search(r"[\u4e00-\u9fff]", s[0]), s[0]))
    if len(out) > 8:
        out = out[:8] + [("…", "…")]
    return Msg("、".join(z for z, _ in out), ", ".join(e for _, e in out))


def _acceptable(e: UnexpectedToken) -> set[str]:
    """Terminals the parser could take here. lark's ``accepts`` keeps only names that
    are upper case, which drops the Chinese keywords, so ask the parser state directly."""
    names = {t.name for t in jx_parser().terminals} | {"_INDENT", "_DEDENT", "$END"}
    try:
        choices = e.interactive_parser.choices()
    except Exception:
        return set(e.expected or ())
    return {c for c in choices if c in names} or set(e.expected or ())


def _found(tok: Token) -> tuple[str, str]:
    words = {"$END": ("文件结束", "end of file"), "_NL": ("换行", "end of line"),
             "_INDENT": ("缩进", "indentation"), "_DEDENT": ("块结束", "end of block")}
    if tok.type in words:
        return words[tok.type]
    return f"「{tok.value}」", f"`{tok.value}`"


def _still_expected(names) -> Msg:
    exp = _expected_text(names)
    return tr(f"此处还需要：{exp.zh}", f"still expected: {exp.en}")


def syntax_diag(e: UnexpectedInput, src: SourceFile) -> Diagnostic:
    """The diagnostic for lark's exception ``e``, raised while parsing ``src``."""
    if isinstance(e, UnexpectedCharacters):
        off = e.pos_in_stream
        ch = src.text[off] if off < len(src.text) else ""
        exp = _expected_text(e.allowed or ())
        helps = [tr(f"此处可以是：{exp.zh}", f"expected here: {exp.en}")] if exp.zh else []
        if ch == '"':
            helps.insert(0, tr("字符串没有结束：缺少配对的引号", "unterminated string: the closing quote is missing"))
        if ch in "“”‘’":
            helps.insert(0, tr("字符串用英文双引号 \"…\"；含特殊字符的名称写作「…」", "strings use ASCII quotes; names with other characters go in `「…」`"))
        return make("E0102", [Label(Span(src, off, off + 1), tr("无法识别", "not recognised"))], helps=helps, char=ch)
    if isinstance(e, UnexpectedToken):
        tok = e.token
        if tok.type == "_DEDENT" and not src.text[tok.start_pos or 0:].strip():
            off = len(src.text.rstrip())
            return make("E0103", [Label(Span(src, max(0, off - 1), off), tr("块还没有写完", "the block is not finished"))],
                        helps=[_still_expected(_acceptable(e))])
        if tok.type == "$END":
            off = len(src.text)
            return make("E0103", [Label(Span(src, max(0, off - 1), off), "")],
                        helps=[_still_expected(_acceptable(e))])
        start = tok.start_pos if tok.start_pos is not None else 0
        end = tok.end_pos if tok.end_pos is not None else start + 1
        if tok.type in ("_NL", "_INDENT", "_DEDENT"):
            # point at the end of the line where something is missing
            start = min(start, len(src.text))
            end = start + 1
        expected = _acceptable(e)
        label = Label(Span(src, start, max(end, start + 1)), tr(f"应为{_expected_text(expected).zh}", f"expected {_expected_text(expected).en}"))
        helps = []
        if tok.type == "_INDENT":
            helps.append(tr("只有以「：」结尾的行后面才能缩进", "only a line ending in `:` opens an indented block"))
        if tok.type == "_NL" and "_COLON" in expected:
            helps.append(tr("块的标题行以「：」结尾", "a block header ends with `:`"))
        return make("E0101", [label], helps=helps, found_zh=_found(tok)[0], found_en=_found(tok)[1])
    if isinstance(e, UnexpectedEOF):
        off = len(src.text)
        return make("E0103", [Label(Span(src, max(0, off - 1), off), "")])
    off = getattr(e, "pos_in_stream", 0) or 0
    return make("E0101", [Label(Span(src, off, off + 1), "")], found_zh="?", found_en="?")


def dedent_diag(e: DedentError, text: str, src: SourceFile) -> Diagnostic:
    """A line whose indentation matches no enclosing block (E0104)."""
    off = _dedent_offset(text, str(e))
    return make("E0104", [Label(Span(src, off, off + 1), tr("此行缩进与外层不对齐", "this line matches no enclosing indentation"))])


def _dedent_offset(text: str, msg: str) -> int:
    m = re.search(r"Unexpected dedent to column (\d+)", msg)
    # find the first line whose indentation equals that column and follows a deeper line
    if m:
        col = int(m.group(1))
        pos = 0
        prev = 0
        for line in text.split("\n"):
            stripped = line.lstrip(" \t")
            ind = len(line) - len(stripped)
            if stripped and not stripped.startswith("#"):
                if ind == col and prev > col:
                    return pos + ind
                prev = ind
            pos += len(line) + 1
    return 0
