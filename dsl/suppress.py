"""Suppressing a warning or an info, for a line or a file, with a stated reason.

    指标 管理制度健全性 2分:    # jixiao: 忽略 I0201 附件2原表在两处用同一名称
    # jixiao: 忽略 W0502 两档同分是原表如此，已与财政局核实
    得分 = 分档 …
    # jixiao: 文件忽略 I0502 本表的扣分上限均低于分值，属有意设置

A directive is a comment ``jixiao: 忽略 CODE[, CODE…] 原因`` (English ``jixiao: ignore
CODE reason``). At the end of a line it applies to the diagnostics whose place is on
that line; on a line of its own, to the next line that is not a comment; ``文件忽略`` /
``ignore-file`` applies to the whole file. The reason is required. Only warnings and
infos can be suppressed: an error means the rulebook would score someone wrongly.
Suppressed diagnostics are not printed and do not fail ``--strict``; ``--format json``
lists them with their reason. A directive that suppresses nothing is reported (W0102),
so stale ones do not pile up.
"""
from __future__ import annotations

import re

import attrs

from .diagnostics import CATALOG, ERROR, Diagnostic, Label, make, tr
from .source import SourceFile, Span

_DIRECTIVE = re.compile(r"^jixiao\s*[:：]\s*(文件忽略|ignore-file|忽略|ignore)\b\s*(.*)$", re.S)
_CODE = re.compile(r"[EWI]\d{4}")


@attrs.frozen
class Suppression:
    codes: tuple[str, ...]
    reason: str
    line: int | None            # None: the whole file
    span: Span                  # the directive comment


def directives(comments, src: SourceFile) -> tuple[list[Suppression], list[Diagnostic]]:
    """The suppressions written in ``comments`` (of the file ``src``), and the problems
    of the directives themselves (no reason, an error code, an unknown code)."""
    out, problems = [], []
    lines = src.text.split("\n")
    for c in comments:
        m = _DIRECTIVE.match(c.text.strip())
        if not m:
            continue
        kind, rest = m.groups()
        codes, pos = [], 0
        rest = rest.strip()
        while True:
            cm = re.match(r"\s*([EWI]\d{4})\s*[,，、]?", rest[pos:])
            if not cm:
                break
            codes.append(cm.group(1))
            pos += cm.end()
        reason = rest[pos:].strip()
        if not codes:
            problems.append(make("W0101", [Label(c.span, "")],
                                 what_zh="没有写明诊断代码", what_en="names no diagnostic code"))
            continue
        bad = [x for x in codes if x not in CATALOG]
        errors = [x for x in codes if x in CATALOG and CATALOG[x][0] == ERROR]
        if bad:
            problems.append(make("W0101", [Label(c.span, "")], what_zh=f"的代码 {'、'.join(bad)} 不存在",
                                 what_en=f"names unknown codes {', '.join(bad)}"))
        if errors:
            problems.append(make("W0101", [Label(c.span, "")],
                                 what_zh=f"不能忽略错误 {'、'.join(errors)}：错误意味着会评错分",
                                 what_en=f"cannot suppress the errors {', '.join(errors)}: an error means a wrong score",
                                 helps=[tr("改正规则；只有警告（W）与提示（I）可以忽略", "fix the rule; only warnings (W) and infos (I) can be suppressed")]))
        if not reason:
            problems.append(make("W0101", [Label(c.span, "")], what_zh="没有写明原因", what_en="gives no reason",
                                 helps=[tr("在代码后写明为什么可以忽略，例如「# jixiao: 忽略 I0201 附件2原表如此」",
                                           "say after the code why it may be ignored, e.g. `# jixiao: ignore I0201 as in the published table`")]))
            continue
        codes = [x for x in codes if x in CATALOG and CATALOG[x][0] != ERROR]
        if not codes:
            continue
        if kind in ("文件忽略", "ignore-file"):
            line = None
        else:
            line = c.span.line
            before = lines[line - 1][: c.span.column - 1] if line - 1 < len(lines) else ""
            if not before.strip():          # a comment on its own line: the next line of code
                nxt = line
                while nxt < len(lines) and (not lines[nxt].strip() or lines[nxt].lstrip().startswith("#")):
                    nxt += 1
                line = nxt + 1
        out.append(Suppression(tuple(codes), reason, line, c.span))
    return out, problems


def apply(diags: list[Diagnostic], supps: list[Suppression], src: SourceFile):
    """(the diagnostics kept, [(suppressed diagnostic, its suppression)], W0102 for
    directives that suppressed nothing)."""
    kept, gone, used = [], [], set()
    for d in diags:
        sp = d.primary
        hit = None
        if sp is not None and sp.file.name == src.name and d.severity != ERROR:
            for s in supps:
                if d.code in s.codes and (s.line is None or s.line == sp.line):
                    hit = s
                    break
        if hit is None:
            kept.append(d)
        else:
            gone.append((d, hit))
            used.add(id(hit))
    unused = [make("W0102", [Label(s.span, "")], codes="、".join(s.codes)) for s in supps if id(s) not in used]
    return kept, gone, unused
