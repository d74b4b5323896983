"""The canonical printer behind ``jixiao fmt``: one layout for rulebooks, cases and suites.

The text is re-laid from the parser's own tokens (``keywords.token_stream``), so every
spelling the author chose survives: keywords stay in the language they were written in
(``指标`` or ``indicator``, ``≥`` or ``>=``, ``×`` or ``*``), numbers keep their digits
and unit (``96.30%``, ``0.1个百分点``), parentheses stay where they were. The tree says
what each token is (a number's unit, a unary minus, a tier row's colon, a type's
bracket); the layout is:

- 2 spaces per block level; one statement per line; at most one blank line between
  lines, kept where the author had one; none at the start, one newline at the end;
- settings first, right after ``规则集 "…"``, in the order of the language reference
  (版本 满分 精度 舍入 定级 不适用), each with the comments above it;
- one space around operators, after ``,`` and ``:``, between words; none inside
  brackets, before ``,`` ``:`` ``)`` ``]``, around ``.``, after a unary sign, between a
  number and its unit (``3 分`` becomes ``3分``), before a call's or a type's bracket;
  a tier row's colon has a space on both sides (``≥ 90% : 3``);
- punctuation in ASCII: ``：（），、`` become ``: ( ) , ,``; full-width ``＞＜＝＋－％``
  and digits become ASCII (the values are the same); text in strings and comments is
  never touched;
- strings re-escaped from their value: ``"…"`` escapes ``\\ " \\n \\t``; a ``\"\"\"…\"\"\"``
  string keeps its line breaks, its continuation lines indented one level deeper than
  the line it starts on (written as ``"…"`` when its value cannot be laid out so);
- a line broken inside brackets stays broken there (a multi-line ``清单[…]``), each
  continuation line indented one level per open bracket, a closing bracket that starts
  a line at the level of the line that opened it; long lines are never broken;
- comments: a comment on a line of its own stays on its own line, above the statement
  it preceded and at its indentation (a comment closing a block, written at the block's
  indentation, stays in the block); a trailing comment stays at the end of its line,
  and the trailing comments of consecutive lines are aligned two columns after the
  longest of those lines (by display width: a Chinese character is two columns). The
  text of a comment is kept as written.

The result must parse to the same tree (spans aside, settings order aside) with the
same comments in the same order; otherwise nothing is returned and E0109 is raised.
"""
from __future__ import annotations

import re
import textwrap
import unicodedata
from bisect import bisect_right
from typing import Optional

import attrs

from . import ast
from .diagnostics import JixiaoError, Label, make, tr
from .keywords import token_stream
from .parser import parse_text
from .source import SourceFile, Span, display_width

INDENT = "  "
# docs/language.md, "Settings (top of file)"
SETTING_ORDER = ("version", "total", "precision", "rounding", "grade_on", "na_policy", "peers")
PUNCT = {"：": ":", "（": "(", "）": ")", "，": ",", "、": ",", "＞": ">", "＜": "<", "＝": "=",
         "＋": "+", "－": "-", "％": "%"}
OPEN, CLOSE = {"_LPAR", "LSQB"}, {"_RPAR", "RSQB"}
_STRUCTURE = {"_NL", "_INDENT", "_DEDENT"}
_EXPR = (ast.Num, ast.Bool, ast.Ref, ast.Call, ast.BinOp, ast.Neg, ast.Compare, ast.Logic, ast.Not,
         ast.If, ast.Clamp, ast.NotApplicable, ast.Text, ast.ListLit)
_WS = " \t\u3000\r\n"


def format_text(text: str, name: str = "<text>") -> str:
    """``text`` (a ``.jx``, ``.jxc`` or ``.jxt`` file, ``\\n`` newlines) in the canonical
    layout. Raises JixiaoError: the parser's diagnostics when ``text`` does not parse,
    E0109 when the result would not parse to the same tree with the same comments."""
    text = text.replace("\r\n", "\n")
    tree, src, comments = parse_text(text, name)
    printer = _Printer(tree, src, comments)
    out = printer.text()
    _verify(tree, comments, out, name, printer.comment_order)
    return out


# ───────────────────────── layout ─────────────────────────

@attrs.define
class _Line:
    """A logical line (a statement, a block header, a tier row): tokens [lo, hi)."""
    depth: int
    lo: int
    hi: int
    inner: list = attrs.Factory(list)          # comments inside its brackets
    trailing: Optional[ast.Comment] = None


@attrs.define
class _Own:
    """A comment on a line of its own, between logical lines."""
    comment: ast.Comment
    depth: int


@attrs.define
class _Row:
    """One output line (its code may hold the line breaks of a \"\"\" string)."""
    indent: str
    code: str
    comment: Optional[str] = None
    blank: bool = False                        # a blank line before it
    pad: int = 1

    def width(self) -> int:
        return display_width((self.indent + self.code).rsplit("\n", 1)[-1])

    def render(self) -> str:
        if self.comment is None:
            return (self.indent + self.code).rstrip()
        if not self.code:
            return self.indent + self.comment
        return self.indent + self.code + " " * self.pad + self.comment


def _tagged(nodes, toks, kind) -> list:
    """For each token, the (start, end) of the ``kind`` node whose span holds it, or None."""
    spans = sorted((n.span.start, n.span.end) for n in nodes if isinstance(n, kind))
    out, k = [], 0
    for t in toks:
        while k < len(spans) and spans[k][1] <= t.start_pos:
            k += 1
        out.append(spans[k] if k < len(spans) and spans[k][0] <= t.start_pos < spans[k][1] else None)
    return out


class _Printer:
    def __init__(self, tree, src: SourceFile, comments):
        self.src, self.text_ = src, src.text
        stream = token_stream(src.text)
        self.toks = [t for t in stream if t.type not in _STRUCTURE]
        nodes = list(ast.walk(tree))
        self.num = _tagged(nodes, self.toks, ast.Num)
        self.typ = _tagged(nodes, self.toks, ast.TypeSpec)
        self.row = _tagged(nodes, self.toks, ast.TierRow)
        self.ends = {n.span.end for n in nodes if isinstance(n, _EXPR)}
        raws = [i for i, t in enumerate(self.toks) if t.type == "STRING"]
        self.strings = dict(zip(raws, _string_values([str(self.toks[i]) for i in raws])))
        self.settings = ({s.span.start: SETTING_ORDER.index(s.key) for s in tree.items if isinstance(s, ast.Setting)}
                         if isinstance(tree, ast.Rulebook) else {})
        self.lines = self._lines(stream)
        self.items = self._place(sorted(comments, key=lambda c: c.span.start))
        self.comment_order: list[str] = []      # the comments' texts in the order text() wrote them

    # ── logical lines and where each comment goes ──
    def _lines(self, stream) -> list[_Line]:
        lines, depth, i, lo = [], 0, 0, None
        for t in stream:
            if t.type in _STRUCTURE:
                if t.type == "_NL" and lo is not None:
                    lines.append(_Line(line_depth, lo, i))
                    lo = None
                depth += {"_INDENT": 1, "_DEDENT": -1}.get(t.type, 0)
                continue
            if lo is None:
                lo, line_depth = i, depth
            i += 1
        if lo is not None:
            lines.append(_Line(line_depth, lo, i))
        return lines

    def _lineno(self, offset: int) -> int:
        return self.src.line_col(offset)[0]

    def _place(self, comments) -> list:
        """Lines and own-line comments in source order; inner and trailing comments on their line."""
        starts = [self.toks[ln.lo].start_pos for ln in self.lines]
        before: dict[int, list] = {}
        for c in comments:
            k = bisect_right(starts, c.span.start) - 1
            ln = self.lines[k] if k >= 0 else None
            if ln is not None and c.span.start < self.toks[ln.hi - 1].end_pos:
                ln.inner.append(c)
            elif ln is not None and self._lineno(c.span.start) == self._lineno(self.toks[ln.hi - 1].end_pos):
                ln.trailing = c
            else:
                before.setdefault(k + 1, []).append(c)
        items, cols = [], {}
        for k in range(len(self.lines) + 1):
            nxt = self.lines[k] if k < len(self.lines) else None
            prev = self.lines[k - 1] if k else None
            dn = nxt.depth if nxt else 0
            last = prev.depth if prev else 0
            for c in before.get(k, ()):
                col = self.src.line_col(c.span.start)[1]
                if prev is None or dn >= prev.depth:
                    last = dn
                else:   # closing blocks: the deepest one it is indented into, no deeper than the one above
                    last = max([x for x in range(dn, last + 1) if cols.get(x, 1) <= col] or [dn])
                items.append(_Own(c, last))
            if nxt is not None:
                cols = {x: v for x, v in cols.items() if x < nxt.depth}
                cols[nxt.depth] = self.src.line_col(self.toks[nxt.lo].start_pos)[1]
                items.append(nxt)
        return items

    # ── the order of top-level statements: settings first ──
    def _units(self) -> list[list]:
        """Top-level statements, each with its block and the comments above it."""
        units, pending = [], []
        for it in self.items:
            if it.depth > 0 and units and not pending:
                units[-1].append(it)
            elif isinstance(it, _Own):
                pending.append(it)
            else:
                units.append(pending + [it])
                pending = []
        if pending:
            units.append(pending)
        return units

    def _ordered(self) -> list:
        units = self._units()
        if not self.settings:
            return [it for u in units for it in u]

        def setting(u):
            head = next((it for it in u if isinstance(it, _Line)), None)
            return None if head is None else self.settings.get(self.toks[head.lo].start_pos)
        # the header (规则集 "…", with the comments above it) stays first
        first = next(i for i, u in enumerate(units) if setting(u) is None and any(isinstance(x, _Line) for x in u))
        rest = units[first + 1:]
        ordered = (units[:first + 1] + sorted((u for u in rest if setting(u) is not None), key=setting)
                   + [u for u in rest if setting(u) is None])
        return [it for u in ordered for it in u]

    # ── rows ──
    def text(self) -> str:
        self.comment_order = []
        rows: list[_Row] = []
        for it in self._ordered():
            if isinstance(it, _Own):
                rows.append(_Row(INDENT * it.depth, "", self._comment(it.comment), self._blank(it.comment.span.start)))
            else:
                rows.extend(self._line_rows(it))
        if rows:
            rows[0].blank = False
        _align(rows)
        out = []
        for r in rows:
            if r.blank:
                out.append("")
            out.append(r.render())
        return "\n".join(out) + "\n" if out else ""

    def _comment(self, c: ast.Comment) -> str:
        self.comment_order.append(c.text)
        return self.text_[c.span.start:c.span.end].rstrip()

    def _blank(self, offset: int) -> bool:
        """Whether a blank line separates ``offset`` from the text before it."""
        i, newlines = offset, 0
        while i > 0 and self.text_[i - 1] in _WS:
            newlines += self.text_[i - 1] == "\n"
            i -= 1
        return i > 0 and newlines >= 2

    def _line_rows(self, line: _Line) -> list[_Row]:
        base = INDENT * line.depth
        rows: list[_Row] = []
        cur: Optional[_Row] = None
        opened = 0
        inner = list(line.inner)
        for i in range(line.lo, line.hi):
            tok = self.toks[i]
            while inner and inner[0].span.start < tok.start_pos:
                c = inner.pop(0)
                if cur is not None and self._lineno(c.span.start) == self._lineno(self.toks[i - 1].end_pos):
                    cur.comment = self._comment(c)
                else:
                    rows.append(_Row(base + INDENT * opened, "", self._comment(c), self._blank(c.span.start)))
                cur = None
            if cur is None or self._lineno(tok.start_pos) > self._lineno(self.toks[i - 1].end_pos):
                level = opened - (tok.type in CLOSE)
                blank = self._blank(tok.start_pos) if i > line.lo else False
                cur = _Row(base + INDENT * level, "", None, blank)
                rows.append(cur)
                sep = ""
            else:
                sep = self._space(i, line.lo)
            cur.code += sep + self._token(i, cur.indent)
            opened += (tok.type in OPEN) - (tok.type in CLOSE)
        rows[0].blank = self._blank(self.toks[line.lo].start_pos)
        if line.trailing is not None:
            rows[-1].comment = self._comment(line.trailing)
        return rows

    def _space(self, i: int, lo: int) -> str:
        """The space between token i-1 and token i on one line."""
        t, p = self.toks[i], self.toks[i - 1]
        if t.type in ("_COMMA", "_RPAR", "RSQB", "DOT") or p.type in ("_LPAR", "LSQB", "DOT"):
            return ""
        if t.type == "_COLON":
            return " " if self.row[i] is not None else ""
        if self.num[i] is not None and self.num[i] == self.num[i - 1]:
            return ""
        if p.type == "ADD_OP" and self._unary(i - 1, lo):
            return ""
        if t.type in OPEN and (p.type in ("NAME", "QNAME") or (self.typ[i] is not None and self.typ[i] == self.typ[i - 1])):
            return ""
        return " "

    def _unary(self, i: int, lo: int) -> bool:
        if i == lo:
            return True
        p = self.toks[i - 1]
        return not (p.type in CLOSE or p.end_pos in self.ends)

    def _token(self, i: int, indent: str) -> str:
        tok = self.toks[i]
        v = str(tok)
        if tok.type == "STRING":
            value = self.strings[i]
            if v.startswith('"""'):
                laid = _triple(value, indent + INDENT)
                if laid is not None:
                    return laid
            return _single(value)
        if tok.type == "NUMBER":
            return unicodedata.normalize("NFKC", v)
        return PUNCT.get(v, v)


def _align(rows: list[_Row]) -> None:
    """Trailing comments of consecutive lines line up, two columns after the longest line."""
    i = 0
    while i < len(rows):
        if rows[i].comment is None or not rows[i].code:
            i += 1
            continue
        j = i + 1
        while j < len(rows) and rows[j].comment is not None and rows[j].code and not rows[j].blank:
            j += 1
        col = max(r.width() for r in rows[i:j]) + 2
        for r in rows[i:j]:
            r.pad = col - r.width()
        i = j


# ───────────────────────── strings ─────────────────────────

def _string_values(raws: list[str]) -> list[str]:
    """The values of string tokens, as the parser reads them (one parse for all)."""
    if not raws:
        return []
    probe = '规则集 ""\n输入 x: 清单[' + ", ".join(raws) + "]\n"
    return list(parse_text(probe, "<strings>")[0].items[0].type.members)


def _single(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t") + '"'


def _triple(value: str, indent: str) -> Optional[str]:
    """``value`` as a \"\"\" string whose continuation lines start with ``indent``, or None
    where the parser's reading (common indentation removed, ends stripped) would differ."""
    lines = value.split("\n")
    if value != value.strip() or "\r" in value or any(re.fullmatch(r"[ \t]+", ln) for ln in lines):
        return None

    def esc(s):
        return re.sub(r'"(?="|$)', r'\\"', s.replace("\\", "\\\\").replace("\t", "\\t"))

    def cont(s):
        return indent + esc(s) if s else ""
    rest = lines[1:]
    if not rest:
        return f'"""{esc(value)}"""'
    margin = min((len(s) - len(s.lstrip(" ")) for s in rest if s), default=0)
    if margin == 0:
        return '"""' + esc(lines[0]) + "\n" + "\n".join(cont(s) for s in rest) + '"""'
    return '"""\n' + "\n".join(cont(s) for s in lines) + '"""'


# ───────────────────────── the safety check ─────────────────────────

def normalised(tree):
    """The tree as the formatter must keep it: a rulebook's settings may move to the top."""
    if not isinstance(tree, ast.Rulebook):
        return tree
    settings = sorted((s for s in tree.items if isinstance(s, ast.Setting)), key=lambda s: SETTING_ORDER.index(s.key))
    return attrs.evolve(tree, items=tuple(settings) + tuple(s for s in tree.items if not isinstance(s, ast.Setting)))


def _verify(tree, comments, out: str, name: str, order: list[str]) -> None:
    try:
        again, _src, comments2 = parse_text(out, name)
    except JixiaoError as e:
        raise _refuse(tree.span, tr("格式化结果无法解析", "the result does not parse"), e.diagnostics[0].msg) from None
    if normalised(again) != normalised(tree):
        raise _refuse(_first_difference(normalised(tree), normalised(again)) or tree.span,
                      tr("格式化结果的语法树与原文不同", "the result's tree differs from the original's"))
    texts, texts2 = [c.text for c in comments], [c.text for c in comments2]
    if sorted(texts) != sorted(texts2) or texts2 != order:
        missing = [c for c in comments if texts.count(c.text) != texts2.count(c.text)]
        raise _refuse(missing[0].span if missing else tree.span,
                      tr("格式化结果的注释与原文不同", "the result's comments differ from the original's"))


def _refuse(span: Span, why, *notes) -> JixiaoError:
    """E0109 at the first line of ``span``."""
    text = span.file.text
    end = text.find("\n", span.start)
    head = Span(span.file, span.start, max(span.start + 1, end if end >= 0 else len(text)))
    return JixiaoError([make("E0109", [Label(head, why)], notes=[*notes, tr(
        "文件未改动；这是格式化程序的缺陷，请附上此文件报告", "the file was left as it was; this is a bug of the formatter: please report it, with this file")])])


def _first_difference(a, b) -> Optional[Span]:
    """The span (in ``a``) of the innermost node where trees ``a`` and ``b`` differ."""
    if type(a) is not type(b):
        return getattr(a, "span", None)
    if isinstance(a, (tuple, list)):
        if len(a) != len(b):
            return None
        for x, y in zip(a, b):
            if x != y:
                return _first_difference(x, y)
        return None
    if not isinstance(a, ast.Node):
        return None
    for f in attrs.fields(type(a)):
        if f.eq and getattr(a, f.name) != getattr(b, f.name):
            return _first_difference(getattr(a, f.name), getattr(b, f.name)) or a.span
    return a.span
