"""One open document analysed for an editor: diagnostics, outline, hover, completion,
go to definition and code actions, as plain data.

Positions are 0-based (line, column) with columns in code points; the language server
(lsp.py) converts them to the client's encoding, the web editor (serve.py) sends them
as they are. Diagnostics are exactly ``jixiao check``'s (``compiler.api.check_text``):
the same codes, the same texts, the label of each in this document. What needs the
tree (outline, names in scope) uses the last text that parsed, so a half-typed line
does not take completion and hover away; what needs the checked IR (types, ranges,
评分标准 in words) the last text that resolved.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Optional

import attrs

from ...dsl import ast, ir
from ...dsl.builtins import FUNCS
from ...dsl.checks.resolve import TOTAL_NAMES
from ...dsl.diagnostics import Diagnostic, JixiaoError, Msg
from ...dsl.imports import STDLIB
from ...dsl.keywords import EN_ZH, ZH_EN
from ...dsl.names import keyword_spellings, narrow_qualified, qualified_paths, written
from ...dsl.parser import parse_text, text_regions
from ...dsl.source import SourceFile, Span
from .. import api
from ..publish.criteria import criteria_text, points_text
from . import hover_case
from .model import Action, Completion, Edit, Problem, Range, Related, Symbol, Target, _Scope, span_range

KINDS = {".jx": "rulebook", ".jxc": "case", ".jxt": "suite"}
LEVELS = {"level1": ("一级指标", "level 1"), "level2": ("二级指标", "level 2"),
          "level3": ("三级指标", "indicator"), "item": ("子项", "item")}
_WORD = re.compile(r"「[^」\n]+」|[^\W\d]\w*")     # the grammar's NAME and QNAME
_WORDLIKE = re.compile(r"[^\W\d]\w*")

# slips a syntax error may come from, and what to write instead
SLIPS = (("＞＝", "≥"), ("＜＝", "≤"), ("！＝", "≠"), ("≧", "≥"), ("≦", "≤"))
INVISIBLE = {"\u00a0": " ", "\u200b": "", "\u2060": "", "\ufeff": "", "\u200c": "", "\u200d": ""}


# ───────────────────────── the document ─────────────────────────

class Document:
    """An open file. ``update(text)`` checks it; the other methods answer an editor."""

    def __init__(self, path: Optional[str] = None, lang: str = "both", name: Optional[str] = None):
        self.path = path                       # on disk, when it has a file
        self.name = path or name or "<untitled>"
        self.lang = lang
        self.text: Optional[str] = None        # None until the first update
        self.src = SourceFile.from_text(self.name, "")
        self.problems: list[Problem] = []
        self.tree = None                       # the last tree that parsed
        self.parsed = False                    # ... and it is this text's
        self.program: Optional[ir.Program] = None   # the last checked IR (rulebooks)
        self._scope: Optional[_Scope] = None
        self._regions: Optional[list] = None

    def t(self, zh: str, en: str) -> str:
        return Msg(zh, en).text(self.lang)

    @property
    def kind(self) -> str:
        if self.parsed:
            return {ast.Case: "case", ast.Suite: "suite", ast.Library: "library"}.get(type(self.tree), "rulebook")
        return KINDS.get(Path(self.name).suffix, "rulebook")

    # ── checking ──
    def update(self, text: str) -> list[Problem]:
        self.text = text
        self.src = SourceFile.from_text(self.name, text)
        self._regions = None
        try:
            tree = parse_text(text, self.name)[0]
        except JixiaoError:
            self.parsed = False
        else:
            self.tree, self.parsed, self._scope = tree, True, None
        self.problems = [self._problem(d) for d in self._diagnostics(text)]
        return self.problems

    def _diagnostics(self, text: str) -> list[Diagnostic]:
        expect = KINDS.get(Path(self.name).suffix)
        if expect in ("case", "suite") or self.kind in ("case", "suite"):
            try:
                parse_text(text, self.name, expect=expect or self.kind)
            except JixiaoError as e:
                return e.diagnostics
            return []
        res = api.check_text(text, self.name)
        if res.program is not None:
            self.program = res.program
        return res.diagnostics

    def file_path(self, name: str) -> str:
        """The file a span's file name stands for (a library: beside the importer, or in
        the standard library)."""
        if name == self.name:
            return self.path or name
        if Path(name).is_absolute():
            return name
        if name.startswith("stdlib_indicators/"):
            return str(STDLIB / name[len("stdlib_indicators/"):])
        return str(Path(name).resolve())

    def _problem(self, d: Diagnostic) -> Problem:
        here = [lab for lab in d.labels if lab.span.file.name == self.name]
        prim = next((lab for lab in here if lab.primary), here[0] if here else None)
        if prim is not None:
            rng = span_range(prim.span)
        else:       # found only in a library: at the 引用 that brought it in (its place, as related information)
            imp = next((it for it in getattr(self.tree, "items", ()) if isinstance(it, ast.Import)), None) if self.parsed else None
            rng = span_range(imp.span) if imp is not None else Range(0, 0, 0, 0)
        related = tuple(Related(self.file_path(lab.span.file.name), span_range(lab.span), self._text(lab.caption) or d.code)
                        for lab in d.labels if lab is not prim)
        lines = [d.message_in(self.lang)]
        lines += ["help: " + self._text(h) for h in d.helps]
        lines += ["note: " + self._text(n) for n in d.notes]
        actions = tuple(self._fix_action(d, f) for f in d.fixes if f.span.file.name == self.name)
        if d.code.startswith("E01"):
            actions += tuple(self._slip_actions(rng))
        return Problem(d.code, d.severity, "\n".join(lines), rng, related, actions, d)

    def _text(self, x) -> str:
        return x.text(self.lang) if isinstance(x, Msg) else str(x)

    def _fix_action(self, d: Diagnostic, fix) -> Action:
        if d.code == "E0202":
            title = self.t(f"写明上级：{fix.text}", f"qualify as `{fix.text}`")
        else:
            title = self.t(f"改为「{fix.text}」", f"change to `{fix.text}`")
        return Action(title, (Edit(span_range(fix.span), fix.text),), preferred=len(d.fixes) == 1)

    def _slip_actions(self, rng: Range):
        """Edits for the slips a syntax error may come from, on its line and the next
        (an indentation error is found at the line before the indentation)."""
        lines = self.text.split("\n")
        for line in sorted({rng.line, rng.end_line, rng.line + 1}):
            if line >= len(lines):
                continue
            text = lines[line]
            for bad, good in SLIPS:
                for m in re.finditer(re.escape(bad), text):
                    yield Action(self.t(f"把「{bad}」改为「{good}」", f"replace `{bad}` with `{good}`"),
                                 (Edit(Range(line, m.start(), line, m.end()), good),), True)
            for i, ch in enumerate(text):
                if ch in INVISIBLE:
                    what = self.t("换为空格", "replace it with a space") if INVISIBLE[ch] else self.t("删除", "remove it")
                    yield Action(self.t(f"不可见字符 U+{ord(ch):04X}：{what}", f"invisible character U+{ord(ch):04X}: {what}"),
                                 (Edit(Range(line, i, line, i + 1), INVISIBLE[ch]),), True)
            lead = text[: len(text) - len(text.lstrip(" \t\u3000"))]
            if "\t" in lead or "\u3000" in lead:
                spaces = " " * self._indent_for(lines, line)
                yield Action(self.t("缩进改用空格（不用制表符或全角空格）", "indent with spaces (not tabs or ideographic spaces)"),
                             (Edit(Range(line, 0, line, len(lead)), spaces),), True)

    @staticmethod
    def _indent_for(lines: list[str], line: int) -> int:
        """The indentation a line most likely means: one step deeper than a line above that
        opens a block (ends with a colon), else that line's own."""
        steps = [len(x) - len(x.lstrip(" ")) for x in lines if x.strip() and x.startswith(" ")]
        step = min([s for s in steps if s > 0], default=2)
        for prev in reversed(lines[:line]):
            code = prev.split("#", 1)[0].rstrip()
            if not code:
                continue
            indent = len(prev) - len(prev.lstrip(" "))
            return indent + step if code.endswith((":", "：")) else indent
        return 0

    # ── positions ──
    def _offset(self, src: SourceFile, line: int, col: int) -> int:
        if line >= len(src.line_starts):
            return len(src.text)
        start = src.line_starts[line]
        end = src.line_starts[line + 1] - 1 if line + 1 < len(src.line_starts) else len(src.text)
        return min(start + col, end)

    def _in_code(self, offset: int) -> bool:
        if self._regions is None:
            self._regions = list(text_regions(self.text))
        return not any(s <= offset < e for _k, s, e in self._regions)

    def scope(self) -> Optional[_Scope]:
        if self.tree is None:
            return None
        if self._scope is None:
            self._scope = _Scope(self.tree)
        return self._scope

    def word_at(self, line: int, col: int):
        """(parts of the name at the position, its range, followed by a bracket) or None."""
        lines = self.text.split("\n")
        if line >= len(lines):
            return None
        text = lines[line]
        words = list(_WORD.finditer(text))
        for k, m in enumerate(words):
            if m.start() <= col <= m.end():
                if not self._in_code(self._offset(self.src, line, m.start())):
                    return None
                first = k
                while first > 0 and words[first - 1].end() == words[first].start() - 1 and text[words[first].start() - 1] == ".":
                    first -= 1
                parts = tuple(w.group().strip("「」") for w in words[first:k + 1])
                paren = text[m.end():].lstrip(" ").startswith(("(", "（"))
                return parts, Range(line, words[first].start(), line, m.end()), paren
        return None

    # ── what a name refers to ──
    def target(self, line: int, col: int) -> Optional[Target]:
        hit = self.word_at(line, col)
        if hit is None:
            return None
        parts, _rng, paren = hit
        return self._resolve(parts, line, col, paren)

    def _resolve(self, parts, line, col, paren) -> Optional[Target]:
        name = parts[-1]
        sc = self.scope()
        if sc is not None:
            offset = self._offset(self.tree.span.file, line, col)
            if len(parts) == 1:
                m = sc.method_at(offset)
                if m is not None:
                    for p in m.params:
                        if p.name.text == name:
                            return Target("param", name, p, candidates=(m,))
                    for st in m.body:
                        if isinstance(st, ast.Let) and st.name.text == name:
                            return Target("local", name, st)
                else:
                    for ind in reversed(sc.chain(offset)):
                        lets = [st for st in ind.node.body if isinstance(st, ast.Let) and st.name.text == name]
                        if lets:
                            return Target("local", name, lets[0], candidates=(ind,))
                    if name in sc.globals:
                        return Target("local", name, sc.globals[name])
                    if name in sc.inputs:
                        return Target("input", name, sc.inputs[name])
                    if name in TOTAL_NAMES and sc.in_grades(offset):
                        return Target("total", name)
                if paren and name in sc.methods:
                    return self._method_target(sc, name)
                inds = sc.by_name.get(name, [])
            else:
                inds = narrow_qualified(sc.by_name.get(name, []), list(parts[:-1]))
            own = [i for i in inds if i.node.name.span.start <= offset <= i.node.name.span.end]
            if own or len(inds) == 1:
                ind = (own or inds)[0]
                return Target("indicator", name, ind.node, candidates=(ind,))
            if inds:
                return Target("ambiguous", name, candidates=tuple(inds))
            if name in sc.methods:
                return self._method_target(sc, name)
        if len(parts) == 1 and name in FUNCS:
            return Target("function", name)
        if len(parts) == 1 and (name in ZH_EN or name in EN_ZH or name in keyword_spellings()):
            return Target("keyword", name)
        return None

    def _method_target(self, sc: _Scope, name: str) -> Target:
        m, origin = sc.methods[name]
        file = None if m.span.file.name == self.tree.span.file.name else self.file_path(m.span.file.name)
        return Target("method", name, m, file)

    def definition(self, line: int, col: int) -> Optional[tuple[Optional[str], Range]]:
        """(file, range) of the declaration of the name at the position; file None: this document."""
        t = self.target(line, col)
        if t is None or t.node is None:
            return None
        node = t.node
        span = node.name.span if hasattr(node, "name") and isinstance(node.name, ast.Name) else node.span
        return t.file, span_range(span)

    # ── hover ──
    def hover(self, line: int, col: int) -> Optional[str]:
        """Markdown about the name at the position."""
        t = self.target(line, col)
        if t is None:
            return None
        fn = getattr(self, f"_hover_{t.kind}", None)
        return fn(t) if fn is not None else None

    def _ir_input(self, name: str) -> Optional[ir.Input]:
        prog = self.program
        return next((i for i in prog.inputs if i.name == name), None) if prog is not None else None

    def _ir_indicator(self, path) -> Optional[ir.Indicator]:
        prog = self.program
        return next((i for i in prog.walk() if tuple(i.path) == tuple(path)), None) if prog is not None else None

    def _hover_input(self, t: Target) -> str:
        decl: ast.InputDecl = t.node
        out = [f"```jixiao\n{_one_line(decl.span.text())}\n```"]
        inp = self._ir_input(t.name)
        if inp is not None:
            zh, en = inp.type.describe()
            out.append(self.t(f"**输入** `{inp.name}`：{zh}", f"**input** `{inp.name}`: {en}"))
            if inp.type.kind == "num" and inp.type.unit not in (None, "%", "分"):
                out.append(self.t(f"单位：{inp.type.unit}", f"unit: {inp.type.unit}"))
            if inp.type.kind == "num":
                out.append(self.t(f"范围：{inp.range_text()}", f"range: {inp.range_text()}"))
            if inp.members:
                out.append(self.t("取值：", "values: ") + "、".join(inp.members))
        if decl.doc:
            out.append(self.t(f"说明：{decl.doc}", f"description: {decl.doc}"))
        return "\n\n".join(out)

    def _hover_indicator(self, t: Target) -> str:
        node: ast.IndicatorNode = t.node
        path = t.candidates[0].path
        zh, en = LEVELS.get(node.level, (node.level, node.level))
        pts = points_text(node.points.value) if node.points is not None else "?"
        out = [self.t(f"**{zh}** `{node.name.text}` · {pts}分", f"**{en}** `{node.name.text}` · {pts} points"),
               " / ".join(path)]
        for st in node.body:
            if isinstance(st, ast.Doc) and st.kind == "doc":
                out.append(self.t("说明：", "description: ") + _one_line(st.text))
        for st in node.body:
            if isinstance(st, ast.Doc) and st.kind == "criteria":
                out.append(self.t("评分标准（原文）：", "criteria (as written): ") + _one_line(st.text))
        ind = self._ir_indicator(path)
        if ind is not None and not ind.broken and (ind.score is not None or ind.children or ind.rows is not None):
            words = criteria_text(ind, self.program)
            if words:
                out.append(self.t("评分标准（由规则生成）：", "criteria (from the rule): ") + words.replace("\n", "；"))
        out.extend(hover_case.sections(self, path))
        return "\n\n".join(out)

    def _hover_local(self, t: Target) -> str:
        let: ast.Let = t.node
        out = [f"```jixiao\n{_one_line(let.span.text())}\n```"]
        loc = None
        if self.program is not None:
            owner = self._ir_indicator(t.candidates[0].path) if t.candidates else None
            locs = owner.locals if owner is not None else self.program.globals
            loc = next((x for x in locs if x.name == t.name), None)
        if loc is not None:
            zh, en = loc.type.describe()
            out.append(self.t(f"**中间值** `{t.name}`：{zh}", f"**local value** `{t.name}`: {en}"))
        return "\n\n".join(out)

    def _hover_method(self, t: Target) -> str:
        m: ast.Method = t.node
        params = ", ".join(p.name.text + (f" = {p.default.span.text()}" if p.default is not None else "") for p in m.params)
        out = [f"```jixiao\n方法 {m.name.text}({params})\n```"]
        for st in m.body:
            if isinstance(st, ast.Doc):
                label = self.t("说明：", "description: ") if st.kind == "doc" else self.t("评分标准：", "criteria: ")
                out.append(label + _one_line(st.text))
        reqs = [st for st in m.body if isinstance(st, ast.Require)]
        if reqs:
            out.append(self.t("要求：", "requires: ") + "；".join(_one_line(r.cond.span.text()) for r in reqs))
        if t.file:
            out.append(self.t(f"定义于 {t.file}", f"defined in {t.file}"))
        return "\n\n".join(out)

    def _hover_param(self, t: Target) -> str:
        p: ast.Param = t.node
        m = t.candidates[0]
        default = self.t(f"，默认 {p.default.span.text()}", f", default {p.default.span.text()}") if p.default is not None else ""
        return self.t(f"方法「{m.name.text}」的参数 `{t.name}`{default}", f"parameter `{t.name}` of method `{m.name.text}`{default}")

    def _hover_function(self, t: Target) -> str:
        canon = FUNCS[t.name]
        spellings = sorted(k for k, v in FUNCS.items() if v == canon)
        return self.t(f"内置函数 `{t.name}`（{'、'.join(spellings)}）", f"built-in function `{t.name}` ({', '.join(spellings)})")

    def _hover_keyword(self, t: Target) -> str:
        twin = ZH_EN.get(t.name) or EN_ZH.get(t.name)
        return self.t(f"关键字 `{t.name}`", f"keyword `{t.name}`") + (f" = `{twin}`" if twin else "")

    def _hover_total(self, t: Target) -> str:
        return self.t("`总分`：各一级指标得分之和（用于等级划分）", "`总分`: the sum of the top-level scores (for grade bands)")

    def _hover_ambiguous(self, t: Target) -> str:
        names = ["`" + written(p) + "`" for p in qualified_paths([c.path for c in t.candidates])]
        return self.t(f"「{t.name}」指向多个指标，写明上级：", f"`{t.name}` names several indicators; qualify it: ") + "、".join(names)

    # ── completion ──
    def complete(self, line: int, col: int) -> list[Completion]:
        lines = self.text.split("\n")
        text = lines[line] if line < len(lines) else ""
        col = start = min(col, len(text))
        while start > 0 and (text[start - 1].isalnum() or text[start - 1] == "_"):
            start -= 1
        if start > 0 and text[start - 1] == "「":
            start -= 1
        replace = Range(line, start, line, col)
        out: dict[str, Completion] = {}

        def add(label, kind, detail="", insert=None):
            if label not in out:
                out[label] = Completion(label, kind, detail, insert if insert is not None else written(label), replace)

        sc = self.scope()
        if sc is not None:
            offset = self._offset(self.tree.span.file, line, col)
            m = sc.method_at(offset)
            if m is not None:
                for p in m.params:
                    add(p.name.text, "param", self.t(f"「{m.name.text}」的参数", f"parameter of `{m.name.text}`"))
                for st in m.body:
                    if isinstance(st, ast.Let):
                        add(st.name.text, "local", _one_line(st.value.span.text()))
            else:
                for ind in reversed(sc.chain(offset)):
                    for st in ind.node.body:
                        if isinstance(st, ast.Let):
                            add(st.name.text, "local", _one_line(st.value.span.text()))
                for name, let in sc.globals.items():
                    add(name, "local", _one_line(let.value.span.text()))
                for name, decl in sc.inputs.items():
                    add(name, "input", _one_line(decl.type.span.text()))
                for name, inds in sc.by_name.items():
                    if len(inds) == 1:
                        n = inds[0].node
                        add(name, "indicator", f"{n.points.span.text() if n.points else ''} {' / '.join(inds[0].path)}")
                    else:
                        for q in qualified_paths([i.path for i in inds]):
                            add(".".join(q), "indicator", " / ".join(q), written(q))
                if sc.in_grades(offset):
                    add("总分", "total", self.t("各一级指标得分之和", "the sum of the top-level scores"))
            for name, (meth, _origin) in sc.methods.items():
                add(name, "method", f"{name}({', '.join(p.name.text for p in meth.params)})")
        for name, canon in FUNCS.items():
            add(name, "function", canon)
        for kw in sorted(keyword_spellings()):
            if _WORDLIKE.fullmatch(kw):
                add(kw, "keyword", ZH_EN.get(kw) or EN_ZH.get(kw) or "", kw)
        return list(out.values())

    # ── outline ──
    def outline(self) -> list[Symbol]:
        tree = self.tree
        if tree is None:
            return []
        if isinstance(tree, ast.Case):
            return [self._sym(".".join(n.text for n in ci.path), "input", _one_line(ci.value.span.text()), ci.span, ci.path[-1].span)
                    for ci in tree.inputs]
        if isinstance(tree, ast.Suite):
            return [self._sym(tc.title, "case", "", tc.span, tc.span) for tc in tree.cases]
        out = []
        for it in tree.items:
            sym = self._item_symbol(it)
            if sym is not None:
                out.append(sym)
        if getattr(tree, "grades", ()):
            bands = tuple(self._sym(b.name.text, "band", _one_line(b.cond.span.text()) if b.cond is not None else "否则",
                                    b.span, b.name.span) for b in tree.grades)
            sp = tree.grades_span or tree.grades[0].span
            word = _WORDLIKE.match(sp.text())             # the keyword as written: 等级 or grades
            head = Span(sp.file, sp.start, sp.start + (word.end() if word else 0))
            out.append(attrs.evolve(self._sym(head.text() or "等级", "grades", "", sp, head), children=bands))
        return out

    def _item_symbol(self, it) -> Optional[Symbol]:
        if isinstance(it, ast.IndicatorNode):
            zh, en = LEVELS.get(it.level, (it.level, it.level))
            pts = f" {points_text(it.points.value)}分" if it.points is not None else ""
            kids = tuple(s for s in (self._item_symbol(x) for x in it.body) if s is not None)
            return attrs.evolve(self._sym(it.name.text, it.level, self.t(zh, en) + pts, it.span, it.name.span), children=kids)
        if isinstance(it, ast.InputDecl):
            return self._sym(it.name.text, "input", _one_line(it.type.span.text()), it.span, it.name.span)
        if isinstance(it, ast.Let):
            return self._sym(it.name.text, "local", _one_line(it.value.span.text())[:60], it.span, it.name.span)
        if isinstance(it, ast.Method):
            return self._sym(it.name.text, "method", f"({', '.join(p.name.text for p in it.params)})", it.span, it.name.span)
        return None

    @staticmethod
    def _sym(name, kind, detail, span: Span, sel: Span) -> Symbol:
        return Symbol(name, kind, detail, span_range(span), span_range(sel))

    # ── code actions ──
    def actions(self, rng: Range) -> list[tuple[Problem, Action]]:
        """The code actions of the diagnostics that touch ``rng``."""
        return [(p, a) for p in self.problems if p.range.overlaps(rng) for a in p.actions]


def _one_line(text: str) -> str:
    return " ".join(text.split())
