"""Parse rulebook (``.jx``) and case (``.jxc``) text into the AST of :mod:`dsl.ast`.

One LALR parser with a contextual lexer (keywords are reserved only where the grammar
can use them, so ``rate`` stays a name inside expressions) and an indentation
post-lexer. Lark's exceptions never leave this module: they become diagnostics.
"""
from __future__ import annotations

import re
import textwrap
import unicodedata
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import (LarkError, UnexpectedCharacters, UnexpectedEOF,
                             UnexpectedInput, UnexpectedToken, VisitError)
from lark.indenter import DedentError, Indenter

from . import ast
from .builtins import FUNCS
from .diagnostics import Diagnostic, JixiaoError, Label, Msg, make, tr
from .grammar import load_parser
from .ops import SPELLINGS
from .source import SourceFile, Span

MAX_TEXT = 2_000_000        # characters; a rulebook is a few hundred KB at most
MAX_DIGITS = 60
MAX_NESTING = 100

PERCENT_UNITS = {"%", "％"}
PP_UNITS = {"个百分点", "百分点", "pp"}


class _Nesting(Exception):
    def __init__(self, token):
        self.token = token


class JxIndenter(Indenter):
    NL_type = "_NL"
    OPEN_PAREN_types = ["_LPAR", "LSQB"]
    CLOSE_PAREN_types = ["_RPAR", "RSQB"]
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8

    def process(self, stream):
        for tok in super().process(stream):
            if self.paren_level > MAX_NESTING:
                raise _Nesting(tok)
            yield tok


@lru_cache(maxsize=1)
def _parser() -> Lark:
    return load_parser(JxIndenter)


# ───────────────────────── public API ─────────────────────────

def parse_text(text: str, name: str = "<text>", expect: str | None = None):
    """Parse ``text``; returns (tree, source, comments). Raises JixiaoError on errors.

    ``expect`` is "rulebook" or "case" to reject the other kind of file."""
    if len(text) > MAX_TEXT:
        src = SourceFile.from_text(name, "")
        raise JixiaoError([make("E0106", [Label(Span(src, 0, 0), "")], path=name,
                                reason_zh=f"文件超过 {MAX_TEXT} 字符", reason_en=f"larger than {MAX_TEXT} characters")])
    comments: list[ast.Comment] = []
    body = text if text.endswith("\n") else text + "\n"
    src = SourceFile.from_text(name, body)   # spans index the text as parsed
    try:
        tree = _parser().parse(body)
    except UnexpectedInput as e:
        raise JixiaoError([_syntax_diag(e, src)]) from None
    except DedentError as e:
        off = _dedent_offset(text, str(e))
        raise JixiaoError([make("E0104", [Label(Span(src, off, off + 1), tr("此行缩进与外层不对齐", "this line matches no enclosing indentation"))])]) from None
    except _Nesting as e:
        off = e.token.start_pos or 0
        raise JixiaoError([make("E0107", [Label(Span(src, off, off + 1), tr(f"超过 {MAX_NESTING} 层", f"more than {MAX_NESTING} levels"))])]) from None
    except RecursionError:
        raise JixiaoError([make("E0107", [Label(Span(src, 0, 1), "")])]) from None
    comments.extend(_scan_comments(src))
    try:
        result = _ToAst(src, comments).transform(tree)
    except VisitError as e:
        if isinstance(e.orig_exc, JixiaoError):
            raise e.orig_exc from None
        if isinstance(e.orig_exc, RecursionError):
            raise JixiaoError([make("E0107", [Label(Span(src, 0, 1), "")])]) from None
        raise
    except RecursionError:
        raise JixiaoError([make("E0107", [Label(Span(src, 0, 1), "")])]) from None
    if expect is not None:
        kind = {ast.Rulebook: "rulebook", ast.Case: "case", ast.Suite: "suite", ast.Library: "library"}[type(result)]
        if kind != expect:
            zh = {"rulebook": "规则集", "case": "案例", "suite": "测试集", "library": "方法库"}
            raise JixiaoError([make("E0108", [Label(Span(src, result.span.start, result.span.start + 2), "")],
                                    found_zh=zh[kind], expected_zh=zh[expect], found_en=kind, expected_en=expect)])
    return result, src, comments


def parse_rulebook(text: str, name: str = "<rulebook>") -> ast.Rulebook:
    return parse_text(text, name, expect="rulebook")[0]


def parse_case(text: str, name: str = "<case>") -> ast.Case:
    return parse_text(text, name, expect="case")[0]


def parse_suite(text: str, name: str = "<tests>") -> ast.Suite:
    return parse_text(text, name, expect="suite")[0]


def read_source(path) -> tuple[str, str]:
    """Read a UTF-8 file (BOM allowed); returns (display name, text) or raises JixiaoError."""
    p = Path(path)
    name = str(path)
    dummy = SourceFile.from_text(name, "")
    try:
        if p.is_dir():
            raise IsADirectoryError(21, "Is a directory")
        with open(p, "rb") as f:                      # also pipes and devices: read at most the limit
            data = f.read(MAX_TEXT * 4 + 1)
        if len(data) > MAX_TEXT * 4:
            raise OSError(0, f"file too large (more than {MAX_TEXT * 4} bytes)")
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        raise JixiaoError([make("E0106", [Label(Span(dummy, 0, 0), "")], path=name,
                                reason_zh=f"不是 UTF-8 文本（第{line}行，第{e.start + 1}字节）",
                                reason_en=f"not UTF-8 text (line {line}, byte {e.start + 1})",
                                helps=[tr("请以 UTF-8 编码另存（如 Excel/WPS 的“UTF-8”选项）", "save the file as UTF-8")])]) from None
    except OSError as e:
        reason = e.strerror or str(e)
        zh = {"No such file or directory": "文件不存在", "Is a directory": "这是一个目录",
              "Permission denied": "没有读取权限"}.get(reason, reason)
        raise JixiaoError([make("E0106", [Label(Span(dummy, 0, 0), "")], path=name, reason_zh=zh, reason_en=reason)]) from None
    return name, text.replace("\r\n", "\n")


# ───────────────────────── syntax errors ─────────────────────────

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
        pat = _parser().get_terminal(term).pattern
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
    names = {t.name for t in _parser().terminals} | {"_INDENT", "_DEDENT", "$END"}
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


def _syntax_diag(e: UnexpectedInput, src: SourceFile) -> Diagnostic:
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


def _scan_comments(src: SourceFile):
    """Comments with their spans (strings are skipped), for formatter and editor."""
    out = []
    text = src.text
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('"""', i):
            j = text.find('"""', i + 3)
            i = n if j < 0 else j + 3
        elif c == '"':
            j = i + 1
            while j < n and text[j] not in '"\n':
                j += 2 if text[j] == "\\" else 1
            i = j + 1
        elif c == "「":
            j = text.find("」", i)
            i = n if j < 0 else j + 1
        elif c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(ast.Comment(text[i + 1:j].strip(), span=Span(src, i, j)))
            i = j
        else:
            i += 1
    return out


# ───────────────────────── tree -> AST ─────────────────────────


def _unescape(raw: str) -> str:
    if raw.startswith('"""'):
        body = raw[3:-3]
        lines = body.split("\n")
        if len(lines) > 1:
            rest = textwrap.dedent("\n".join(lines[1:]))
            body = lines[0] + ("\n" if lines[0].strip() else "") + rest if lines[0].strip() else rest
        body = body.strip()
    else:
        body = raw[1:-1]
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


@v_args(meta=True)
class _ToAst(Transformer):
    def __init__(self, src: SourceFile, comments=()):
        super().__init__(visit_tokens=False)
        self.src = src
        self.comment_at_end = {c.span.end: c.span.start for c in comments}

    def _span(self, meta) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.src, 0, 0)
        start, end = meta.start_pos, meta.end_pos
        # a statement's span ends with its newline and any comments: cut them off
        text, ends = self.src.text, self.comment_at_end
        while end > start:
            if text[end - 1] in " \t\u3000\r\n":
                end -= 1
            elif end in ends and ends[end] >= start:
                end = ends[end]
            else:
                break
        return Span(self.src, start, end)

    def _tspan(self, tok: Token) -> Span:
        return Span(self.src, tok.start_pos, tok.end_pos)

    # ── top level ──
    def start(self, meta, ch):
        return ch[0]

    def rulebook(self, meta, ch):
        title = _unescape(ch[0])
        items, grades, gspan = [], (), None
        for it in ch[1:]:
            if isinstance(it, tuple) and it and it[0] == "__grades__":
                if grades:
                    raise JixiaoError([make("E0203", [Label(it[2], tr("第二个等级块", "second grade block"))], name="等级")])
                grades, gspan = it[1], it[2]
            else:
                items.append(it)
        return ast.Rulebook(title, tuple(items), grades, gspan, span=self._span(meta))

    def set_version(self, meta, ch):
        return ast.Setting("version", _unescape(ch[0]), span=self._span(meta))

    def set_total(self, meta, ch):
        return ast.Setting("total", ch[0], span=self._span(meta))

    def set_precision(self, meta, ch):
        return ast.Setting("precision", ch[0], span=self._span(meta))

    def set_rounding(self, meta, ch):
        return ast.Setting("rounding", ch[0], span=self._span(meta))

    def set_grade_on(self, meta, ch):
        return ast.Setting("grade_on", ch[0], span=self._span(meta))

    def set_na_policy(self, meta, ch):
        return ast.Setting("na_policy", ch[0], span=self._span(meta))

    def half_up(self, meta, ch): return "half_up"
    def half_even(self, meta, ch): return "half_even"
    def round_down(self, meta, ch): return "down"
    def round_up(self, meta, ch): return "up"
    def rounded(self, meta, ch): return "rounded"
    def exact(self, meta, ch): return "exact"
    def full_points(self, meta, ch): return "full_points"
    def exclude(self, meta, ch): return "exclude"

    # ── inputs ──
    def input_decl(self, meta, ch):
        name, typ, rest = ch[0], ch[1], ch[2:]
        doc = None
        cons = []
        for r in rest:
            if isinstance(r, Token):
                doc = _unescape(r)
            elif isinstance(r, list):
                cons.extend(r)
            elif r is not None:
                cons.append(r)
        return ast.InputDecl(name, typ, tuple(cons), doc, span=self._span(meta))

    def amount_t(self, meta, ch):
        return ast.TypeSpec("amount", str(ch[0]), span=self._span(meta))

    def count_t(self, meta, ch):
        return ast.TypeSpec("count", str(ch[0]), span=self._span(meta))

    def persons_t(self, meta, ch):
        return ast.TypeSpec("count", "人", span=self._span(meta))

    def items_t(self, meta, ch):
        return ast.TypeSpec("count", "项", span=self._span(meta))

    def rate_t(self, meta, ch):
        return ast.TypeSpec("rate", "%", span=self._span(meta))

    def score_t(self, meta, ch):
        return ast.TypeSpec("score", None, span=self._span(meta))

    def number_t(self, meta, ch):
        return ast.TypeSpec("number", None, span=self._span(meta))

    def bool_t(self, meta, ch):
        return ast.TypeSpec("boolean", None, span=self._span(meta))

    def text_t(self, meta, ch):
        return ast.TypeSpec("text", None, span=self._span(meta))

    def grade_t(self, meta, ch):
        return ast.TypeSpec("grade", None, tuple(n.text for n in ch), span=self._span(meta))

    def checklist_t(self, meta, ch):
        return ast.TypeSpec("checklist", None, tuple(_unescape(s) for s in ch), span=self._span(meta))

    def bound(self, meta, ch):
        return ast.Constraint(ch[0], ch[1], span=self._span(meta))

    def range_(self, meta, ch):
        sp = self._span(meta)
        return [ast.Constraint(">=", ch[0], span=sp), ast.Constraint("<=", ch[1], span=sp)]

    # ── methods, libraries, rows ──
    def library(self, meta, ch):
        return ast.Library(_unescape(ch[0]), tuple(ch[1:]), span=self._span(meta))

    def import_stmt(self, meta, ch):
        return ast.Import(_unescape(ch[0]), span=self._span(meta))

    def method(self, meta, ch):
        name = ch[0]
        params = tuple(c for c in ch[1:] if isinstance(c, ast.Param))
        body = tuple(c for c in ch[1:] if c is not None and not isinstance(c, ast.Param))
        return ast.Method(name, params, body, span=self._span(meta))

    def param(self, meta, ch):
        return ast.Param(ch[0], ch[2] if len(ch) > 2 else None, span=self._span(meta))

    def require_stmt(self, meta, ch):
        msg = _unescape(ch[1]) if len(ch) > 1 and ch[1] is not None else None
        return ast.Require(ch[0], msg, span=self._span(meta))

    def rows_block(self, meta, ch):
        return ast.RowsBlock(tuple(c for c in ch if isinstance(c, ast.InputDecl)),
                             tuple(c for c in ch if isinstance(c, ast.RowMethod)),
                             tuple(c for c in ch if isinstance(c, ast.Doc)),
                             tuple(c for c in ch if isinstance(c, ast.Allocation)), span=self._span(meta))

    def allocation(self, meta, ch):
        return ast.Allocation(ch[0], tuple(ch[1:]), span=self._span(meta))

    def share(self, meta, ch):
        return (ch[0], ch[1])

    def field_decl(self, meta, ch):
        return self.input_decl(meta, ch)

    def row_method(self, meta, ch):
        return ast.RowMethod(ch[0], ch[-1], span=self._span(meta))

    def case_rows(self, meta, ch):
        return ast.CaseRows(ch[0], tuple(ch[1:]), span=self._span(meta))

    def case_row(self, meta, ch):
        claims = [c for c in ch[1:] if isinstance(c, ast.Claim)]
        if len(claims) > 1:
            raise JixiaoError([make("E0606", [Label(claims[1].span, "")], name="自评得分")])
        return ast.CaseRow(_unescape(ch[0]), tuple(c for c in ch[1:] if isinstance(c, ast.CaseInput)),
                           claims[0] if claims else None, span=self._span(meta))

    def row_claim(self, meta, ch):
        num = next(c for c in ch if isinstance(c, ast.Num))
        note = _unescape(ch[-1]) if isinstance(ch[-1], Token) and ch[-1].type == "STRING" else None
        return ast.Claim((), num, note, span=self._span(meta))

    # ── hierarchy ──
    def level1(self, meta, ch): return "level1"
    def level2(self, meta, ch): return "level2"
    def level3(self, meta, ch): return "level3"
    def item(self, meta, ch): return "item"

    def points(self, meta, ch):
        return ch[0]

    def node(self, meta, ch):
        level, name, pts, body = ch[0], ch[1], ch[2], ch[3:]
        return ast.IndicatorNode(level, name, pts, tuple(body), span=self._span(meta))

    def nondecreasing(self, meta, ch):
        return ast.Monotone(1, tuple(ch), span=self._span(meta))

    def nonincreasing(self, meta, ch):
        return ast.Monotone(-1, tuple(ch), span=self._span(meta))

    def doc_stmt(self, meta, ch):
        return ast.Doc("doc", _unescape(ch[0]), span=self._span(meta))

    def criteria_stmt(self, meta, ch):
        return ast.Doc("criteria", _unescape(ch[0]), span=self._span(meta))

    def let_stmt(self, meta, ch):
        return ast.Let(ch[0], ch[-1], span=self._span(meta))

    def score_stmt(self, meta, ch):
        return ast.ScoreRule(ch[-1], span=self._span(meta))

    def tiers(self, meta, ch):
        subject, rows = ch[0], ch[1:]
        return ast.Tiers(subject, tuple(rows), span=self._span(meta))

    def cmp_row(self, meta, ch):
        return ast.TierRow("cmp", ch[0], ch[1], ch[2], span=self._span(meta))

    def value_row(self, meta, ch):
        return ast.TierRow("value", None, ch[0], ch[1], span=self._span(meta))

    def else_row(self, meta, ch):
        return ast.TierRow("else", None, None, ch[0], span=self._span(meta))

    def grades(self, meta, ch):
        return ("__grades__", tuple(ch), self._span(meta))

    def grade_row(self, meta, ch):
        return ast.GradeBand(ch[0], ch[1] if len(ch) > 1 else None, span=self._span(meta))

    # ── expressions ──
    def floor_zero(self, meta, ch):
        return ast.Clamp("floor_zero", ch[0], None, span=self._span(meta))

    def capped(self, meta, ch):
        return ast.Clamp("capped", ch[0], None, span=self._span(meta))

    def at_most(self, meta, ch):
        return ast.Clamp("at_most", ch[0], ch[1], span=self._span(meta))

    def at_least(self, meta, ch):
        return ast.Clamp("at_least", ch[0], ch[1], span=self._span(meta))

    def if_(self, meta, ch):
        return ast.If(ch[0], ch[1], ch[2], span=self._span(meta))

    def or_(self, meta, ch):
        return ast.Logic("or", ch[0], ch[1], span=self._span(meta))

    def and_(self, meta, ch):
        return ast.Logic("and", ch[0], ch[1], span=self._span(meta))

    def not_(self, meta, ch):
        return ast.Not(ch[0], span=self._span(meta))

    def cmp_op(self, meta, ch):
        return SPELLINGS[str(ch[0])]

    def compare(self, meta, ch):
        return ast.Compare(tuple(ch[0::2]), tuple(ch[1::2]), span=self._span(meta))

    def binop(self, meta, ch):
        return ast.BinOp(SPELLINGS[str(ch[1])], ch[0], ch[2], span=self._span(meta))

    def neg(self, meta, ch):
        op = SPELLINGS[str(ch[0])]
        if op == "+":
            return ch[1]
        if op != "-":
            raise JixiaoError([make("E0101", [Label(self._tspan(ch[0]), "")], found_zh=f"「{ch[0]}」", found_en=f"`{ch[0]}`")])
        return ast.Neg(ch[1], span=self._span(meta))

    def ref(self, meta, ch):
        return ast.Ref((ch[0],), span=self._span(meta))

    def qref(self, meta, ch):
        return ast.Ref(tuple(ch), span=self._span(meta))

    def call(self, meta, ch):
        args = tuple(a for a in ch[1:] if a is not None)
        return ast.Call(ch[0], args, FUNCS.get(ch[0].text, ch[0].text), span=self._span(meta))

    def na(self, meta, ch):
        return ast.NotApplicable(span=self._span(meta))

    def true_(self, meta, ch):
        return ast.Bool(True, span=self._span(meta))

    def false_(self, meta, ch):
        return ast.Bool(False, span=self._span(meta))

    def list_lit(self, meta, ch):
        return ast.ListLit(tuple(a for a in ch if a is not None), span=self._span(meta))

    def number(self, meta, ch):
        tok, unit = ch[0], ch[1]
        span = self._span(meta)
        text = unicodedata.normalize("NFKC", str(tok))
        digits = sum(c.isdigit() for c in text)
        if digits > MAX_DIGITS:
            raise JixiaoError([make("E0105", [Label(span, tr(f"{digits} 位", f"digits"))], text=text[:20] + "…",
                                    reason_zh=f"超过 {MAX_DIGITS} 位", reason_en=f"more than {MAX_DIGITS} digits")])
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise JixiaoError([make("E0105", [Label(span, "")], text=text, reason_zh="不是数字", reason_en="not a number")]) from None
        u = None
        if unit is not None:
            u = str(unit)
            if u in PERCENT_UNITS:
                value, u = value / 100, "%"
            elif u in PP_UNITS:
                value, u = value / 100, "pp"
        return ast.Num(value, u, span=span)

    def unit(self, meta, ch):
        return ch[0]

    def name(self, meta, ch):
        tok = ch[0]
        text = str(tok)
        if tok.type == "QNAME":
            text = text[1:-1]
        return ast.Name(text, span=self._tspan(tok))

    # ── cases ──
    @staticmethod
    def _case_items(items) -> dict:
        """A case's (or test case's) statements by kind: inputs, rows, claimed, assessed, expected."""
        out = {"inputs": [], "rows": [], "claimed": [], "assessed": [], "expected": []}
        for it in items:
            if isinstance(it, ast.CaseInput):
                out["inputs"].append(it)
            elif isinstance(it, ast.CaseRows):
                out["rows"].append(it)
            else:
                out[it[0]].extend(it[1])
        return {k: tuple(v) for k, v in out.items()}

    def case(self, meta, ch):
        k = self._case_items(ch[1:])
        return ast.Case(_unescape(ch[0]), k["inputs"], k["claimed"], k["assessed"], k["rows"], span=self._span(meta))

    def case_input(self, meta, ch):
        names = tuple(c for c in ch if isinstance(c, ast.Name))
        value = ch[-1]
        if isinstance(value, Token):      # a text value: "产出指标"
            value = ast.Text(_unescape(value), span=self._tspan(value))
        return ast.CaseInput(names, value, span=self._span(meta))

    def claimed(self, meta, ch):
        return ("claimed", ch)

    # ── test suites ──
    def suite(self, meta, ch):
        title = _unescape(ch[0])
        rulebook = base = None
        cases = []
        for it in ch[1:]:
            if isinstance(it, ast.TestCase):
                cases.append(it)
            elif it[0] == "rulebook":
                rulebook = it[1]
            else:
                base = it[1]
        return ast.Suite(title, rulebook, base, tuple(cases), span=self._span(meta))

    def suite_rulebook(self, meta, ch):
        return ("rulebook", _unescape(ch[0]))

    def suite_base(self, meta, ch):
        return ("base", _unescape(ch[0]))

    def test_case(self, meta, ch):
        k = self._case_items(ch[1:])
        return ast.TestCase(_unescape(ch[0]), k["inputs"], k["expected"], k["claimed"], k["assessed"], k["rows"],
                            span=self._span(meta))

    def expected(self, meta, ch):
        return ("expected", ch)

    def expect_row(self, meta, ch):
        names = tuple(c for c in ch if isinstance(c, ast.Name))
        return ast.Expect(names, ch[-1], span=self._span(meta))

    def assessed(self, meta, ch):
        return ("assessed", ch)

    def claim_row(self, meta, ch):
        names = tuple(c for c in ch if isinstance(c, ast.Name))
        num = next(c for c in ch if isinstance(c, ast.Num))
        note = _unescape(ch[-1]) if isinstance(ch[-1], Token) and ch[-1].type == "STRING" else None
        return ast.Claim(names, num, note, span=self._span(meta))
