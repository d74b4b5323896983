"""Parse rulebook (``.jx``), case (``.jxc``), test suite (``.jxt``) and library text
into the AST of :mod:`dsl.ast`: the front end's public API.

One LALR parser with a contextual lexer (keywords are reserved only where the grammar
can use them, so ``rate`` stays a name inside expressions) and an indentation
post-lexer (grammar.py). Lark's exceptions never leave :func:`parse_text`: they become
diagnostics (syntax_errors.py). The tree becomes the AST in transform.py; comments are
found here, by a scan of the text, for the formatter and the editor.
"""
from __future__ import annotations

from pathlib import Path

from lark.exceptions import UnexpectedInput, VisitError
from lark.indenter import DedentError

from . import ast
from .diagnostics import JixiaoError, Label, make, tr
from .paths import NotRegular, open_regular, path_problem, shown
from .grammar import MAX_NESTING, NestingTooDeep, jx_parser
from .source import SourceFile, Span
from .syntax_errors import dedent_diag, indentation_diags, syntax_diag, wants_block
from .transform import ToAst

MAX_TEXT = 2_000_000        # characters; a rulebook is a few hundred KB at most


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
    bad_indent = indentation_diags(src)
    if bad_indent:
        raise JixiaoError(bad_indent)
    try:
        tree = _parse_all(body, src)
    except NestingTooDeep as e:
        off = e.token.start_pos or 0
        raise JixiaoError([make("E0107", [Label(Span(src, off, off + 1), tr(f"超过 {MAX_NESTING} 层", f"more than {MAX_NESTING} levels"))])]) from None
    except RecursionError:
        raise JixiaoError([make("E0107", [Label(Span(src, 0, 1), "")])]) from None
    comments.extend(_scan_comments(src))
    try:
        result = ToAst(src, comments).transform(tree)
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


MAX_SYNTAX_ERRORS = 10


def _parse_all(body: str, src: SourceFile):
    """The parse tree, or every syntax error of the file (up to ten). After an error the
    statement that holds it (with the block it opens) is replaced by a placeholder that
    fits where it stood — offsets kept, so later errors point at the right place — and
    the text is parsed again from the start."""
    diags = []
    text = body
    while True:
        tree, err, at = _parse_once(text, src)
        if err is None:
            if diags:
                raise JixiaoError(diags)
            return tree
        if any(x.primary == err.primary and x.code == err.code for x in diags):
            raise JixiaoError(diags)          # no progress: stop
        diags.append(err)
        if err.code == "E0103" or len(diags) >= MAX_SYNTAX_ERRORS or err.primary is None:
            raise JixiaoError(diags)
        patched = _patched(text, src, at)
        if patched is None:
            raise JixiaoError(diags)
        text = patched


def _parse_once(text: str, src: SourceFile):
    """(parse tree, None, None), or (None, the diagnostic of the first syntax error, the
    line of the statement at fault: the header whose block is missing, else the
    error's own)."""
    try:
        return jx_parser().parse(text), None, None
    except UnexpectedInput as e:
        d = syntax_diag(e, src)
        line = d.primary.line if d.primary is not None else None
        if line is not None and wants_block(e):
            line = _previous_statement(text, line)
        return None, d, line
    except DedentError as e:
        d = dedent_diag(e, text, src)
        return None, d, d.primary.line if d.primary is not None else None


def _previous_statement(text: str, line: int) -> int:
    lines = text.split("\n")
    i = line - 2
    while i > 0 and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
        i -= 1
    return i + 1


# statements that stand where a bad one stood: a local (top level, node, method, case),
# a doc line (node, rows block, library), a tier row, a grade row
_PLACEHOLDERS = ("_ = 0", '说明 ""', "否则 : 0", "_ : 否则")


def _patched(text: str, src: SourceFile, line: int):
    """``text`` with the statement at ``line`` (and the block it opens) replaced by the
    first placeholder the parser accepts there, or by blanks; None when nothing changes."""
    lines = text.split("\n")
    i = line - 1
    while i > 0 and (i >= len(lines) or not lines[i].strip()):
        i -= 1                      # reported at the end of a line: the statement before it
    if not lines[i].strip():
        return None

    def indent(s):
        return len(s) - len(s.lstrip(" "))
    base = indent(lines[i])
    end = i + 1
    while end < len(lines) and (not lines[end].strip() or indent(lines[end]) > base):
        end += 1
    region_end = sum(len(x) + 1 for x in lines[:end])
    blank = [" " * len(x) for x in lines[i:end]]
    for ph in _PLACEHOLDERS:
        if base + len(ph) > len(lines[i]):
            continue
        first = " " * base + ph + " " * (len(lines[i]) - base - len(ph))
        cand = "\n".join(lines[:i] + [first] + blank[1:] + lines[end:])
        err = _parse_once(cand, src)[1]
        if err is None or (err.primary is not None and err.primary.start >= region_end):
            return cand
    cand = "\n".join(lines[:i] + blank + lines[end:])
    return cand if cand != text else None


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
        data = open_regular(p, MAX_TEXT * 4 + 1)      # a FIFO or device refused, never waited on
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
              "Permission denied": "没有读取权限", "File name too long": "文件名过长",
              "not a regular file (a pipe, device or socket)": "不是普通文件（管道、设备或套接字）",
              "Too many levels of symbolic links": "符号链接层数过多"}.get(reason, reason)
        if isinstance(e, NotRegular) and e.errno == 0 and path_problem(p):
            zh = path_problem(p)[0]
        raise JixiaoError([make("E0106", [Label(Span(dummy, 0, 0), "")], path=shown(name), reason_zh=zh,
                                reason_en=reason)]) from None
    return name, text.replace("\r\n", "\n")


def _scan_comments(src: SourceFile):
    """Comments with their spans (strings are skipped), for formatter and editor."""
    text = src.text
    return [ast.Comment(text[i + 1:j].strip(), span=Span(src, i, j)) for kind, i, j in text_regions(text) if kind == "comment"]


def text_regions(text: str):
    """The strings (``"…"`` and triple-quoted) and comments (``# …``) of a text, as (kind,
    start, end) in order, found by a scan that needs no parse (so it works on broken text too:
    the comments, the editor's word lookup)."""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith('"""', i):
            j = text.find('"""', i + 3)
            j = n if j < 0 else j + 3
            yield "string", i, j
            i = j
        elif c == '"':
            j = i + 1
            while j < n and text[j] not in '"\n':
                j += 2 if text[j] == "\\" else 1
            yield "string", i, min(j + 1, n)
            i = j + 1
        elif c == "「":
            j = text.find("」", i)
            i = n if j < 0 else j + 1
        elif c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            yield "comment", i, j
            i = j
        else:
            i += 1
