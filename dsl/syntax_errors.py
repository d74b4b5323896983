"""Syntax errors: lark's exceptions as diagnostics.

E0101 (a token that cannot come here), E0102 (a character that starts no token),
E0103 (the file or a block ends too soon) and E0104 (indentation that matches no
enclosing block). What could have come instead is said in the language's spellings
(keywords as written, the others by name in ``_FRIENDLY``), never in lark's terminal
names.
"""
from __future__ import annotations

import re
import unicodedata

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken
from lark.indenter import DedentError
from lark.parsers.lalr_analysis import Shift

from .diagnostics import Diagnostic, Label, Msg, make, tr
from .grammar import jx_parser
from .source import SourceFile, Span


_FRIENDLY = {
    "NAME": ("名称", "a name"), "QNAME": ("名称", "a name"), "NUMBER": ("数字", "a number"),
    "STRING": ("字符串", "a string"), "_NL": ("换行", "end of line"), "_INDENT": ("缩进的块", "an indented block"),
    "_DEDENT": ("块结束", "end of block"), "CMP_OP": ("比较符号 ≥ > ≤ <", "a comparison ≥ > ≤ <"),
    "EQ": ("「=」", "`=`"), "ADD_OP": ("+ -", "+ -"), "MUL_OP": ("× ÷", "× ÷"), "PERCENT": ("%", "%"),
    "$END": ("文件结束", "end of file"),
    "_COLON": ("「：」", "`:`"), "_LPAR": ("「（」", "`(`"), "_RPAR": ("「）」", "`)`"), "_COMMA": ("「，」", "`,`"),
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


# punctuation and line structure first: a missing `:` or `=` is the usual slip
_FIRST = ("_COLON", "EQ", "_NL", "_INDENT", "_DEDENT", "_LPAR", "_RPAR", "_COMMA", "RSQB", "LSQB",
          "NAME", "QNAME", "NUMBER", "STRING", "CMP_OP", "ADD_OP", "MUL_OP", "PERCENT", "$END")
MAX_LISTED = 10


def _expected_text(names) -> Msg:
    """What the parser could take here, in both languages (keywords as spelt), the
    structural tokens first and at most ten of them."""
    names = set(names)
    if {"NAME", "NUMBER"} <= names and not names & {"_COLON", "EQ"}:
        return Msg("表达式", "an expression")
    rank = {n: i for i, n in enumerate(_FIRST)}
    seen, out = set(), []
    for n in sorted(names, key=lambda t: (rank.get(t, len(rank)), _spelling(t)[0])):
        s = _spelling(n)
        if s not in seen:
            seen.add(s)
            out.append(s)
    more = len(out) > MAX_LISTED
    out = out[:MAX_LISTED]
    return Msg("、".join(z for z, _ in out) + ("等" if more else ""),
               ", ".join(e for _, e in out) + (", …" if more else ""))


def wants_block(e: UnexpectedInput) -> bool:
    """Did the parser want the indented block of a header line (and find the next statement)?"""
    return isinstance(e, UnexpectedToken) and e.token.type != "_INDENT" and "_INDENT" in _acceptable(e)


def _acceptable(e: UnexpectedToken) -> set[str]:
    """Terminals the parser could really take here: each candidate of the LALR state is run
    through the automaton (the state's own list also holds lookaheads that a default
    reduction would refuse a step later). lark's ``accepts`` does the same but keeps only
    upper-case names, which drops the Chinese keywords, and copies the parser for each
    candidate, values and all: deep in a long file that copy is the whole tree so far."""
    names = {t.name for t in jx_parser().terminals} | {"_INDENT", "_DEDENT", "$END"}
    try:
        ip = e.interactive_parser
        choices = [c for c in ip.choices() if c in names]
        ok = {c for c in choices if _takes(ip.parser_state, c)}
    except Exception:
        return set(e.expected or ())
    return ok or set(choices) or set(e.expected or ())


def _takes(state, terminal: str) -> bool:
    """Would the LALR automaton in ``state`` shift ``terminal`` (or, for ``$END``, accept)
    after the reductions it calls for? Only the stack of states is followed (a copy of
    it), never the values, so a trial costs the depth of the stack, not the tree."""
    table, end_state = state.parse_conf.states, state.parse_conf.end_state
    stack = list(state.state_stack)
    is_end = terminal == "$END"
    for _ in range(100_000):                           # reductions end; the bound is a guard
        action = table[stack[-1]].get(terminal)
        if action is None:
            return False
        kind, arg = action
        if kind is Shift:
            return True
        size = len(arg.expansion)                      # a reduction: pop the rule, take its goto
        if size:
            del stack[-size:]
        goto = table[stack[-1]].get(arg.origin.name)
        if goto is None:
            return False
        stack.append(goto[1])
        if is_end and stack[-1] == end_state:
            return True
    return False


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
        odd = _invisible(ch) or not ch.isprintable()
        if odd:
            helps.insert(0, tr(f"这是不可见字符 U+{ord(ch):04X}，通常来自复制粘贴：请换成普通空格或删除",
                               f"this is the invisible character {_codepoint(ch)}, usually pasted in: replace it by a plain space or delete it"))
        caption = tr(f"无法识别（U+{ord(ch):04X}）", f"not recognised ({_codepoint(ch)})") if odd else tr("无法识别", "not recognised")
        return make("E0102", [Label(Span(src, off, off + 1), caption)], helps=helps,
                    char=Msg(f"U+{ord(ch):04X}", _codepoint(ch)) if odd else ch)
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


def _codepoint(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return f"U+{ord(ch):04X}" + (f" {name}" if name else "") if ch else "?"


def _invisible(ch: str) -> bool:
    """Spaces other than the plain one, zero-width characters, format characters."""
    return bool(ch) and (ch != " " and (unicodedata.category(ch) in ("Zs", "Cf", "Zl", "Zp") or ch in "\u200b\ufeff"))


def indentation_diags(src: SourceFile) -> list[Diagnostic]:
    """Indentation the parser would misread, each a clear error at the character (E0110)
    rather than a misleading block error: a full-width space (U+3000) or another
    invisible space (the parser counts them as nothing), and tabs mixed with spaces
    (a tab counts as eight columns, which no reader sees). A file indented with tabs
    alone is read as it is (``jixiao fmt`` turns them into spaces)."""
    found = []                      # (offset, char, run length): the first odd character of each line
    spaced = tabbed = False
    pos = 0
    in_string = False
    for line in src.text.split("\n"):
        starts_in_string = in_string
        if line.count('"""') % 2:
            in_string = not in_string
        body = line.lstrip(" \t\u3000\u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u202f\u205f")
        lead = line[: len(line) - len(body)]
        if not starts_in_string and body and not body.startswith("#") and lead:
            spaced |= " " in lead
            tabbed |= "\t" in lead
            for i, ch in enumerate(lead):
                if ch != " ":
                    run = len(lead[i:]) - len(lead[i:].lstrip(ch))
                    found.append((pos + i, ch, run))
                    break
        pos += len(line) + 1
    out = []
    for off, ch, run in found:
        if ch == "\t" and not spaced:
            continue
        what = (Msg("制表符（Tab），而其他行用空格缩进", "a tab, while other lines are indented with spaces") if ch == "\t" else
                Msg("全角空格（U+3000）", "a full-width space (U+3000)") if ch == "\u3000" else
                Msg(f"不可见字符 U+{ord(ch):04X}", f"the invisible character {_codepoint(ch)}"))
        out.append(make("E0110", [Label(Span(src, off, off + run), tr("此处", "here"))],
                        what_zh=what.zh, what_en=what.en,
                        helps=[tr("缩进只用半角空格（每层两个），与 `jixiao fmt` 的排版一致",
                                  "indent with plain spaces only (two per level), as `jixiao fmt` lays it out")]))
    return out


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
