"""Rulebook tests: ``.jxt`` suites of cases with expected scores (``jixiao test``, pytest).

A suite names its rulebook (or uses the ``.jx`` beside it with the same stem), may take
its inputs from a base case (``基于 "…jxc"``), and lists cases that override a few inputs
and state what they expect:

    测试 "部门整体支出：边界值"
    规则集 "部门整体支出.jx"
    基于 "../examples/chenxi-2021/self-assessment.jxc"

    案例 "超编1人":
      在职人员数 = 90
      预期:
        财政供养人员控制率 = 2.9
        总分 = 93.4
        等级 = 优秀
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Optional

import attrs

from ...dsl import ast
from ...dsl.diagnostics import Diagnostic, JixiaoError, Label, make
from ...dsl.ir import fmt_decimal
from ...dsl.parser import parse_text, read_source

from .. import api

TOTAL_NAMES = {"总分", "total"}
SUBTOTAL_NAMES = {"合计", "subtotal"}    # 合计 before 总分 = 合计 … holds it (总分 where there is no such rule)
GRADE_NAMES = {"等级", "grade"}
NA_WORDS = {"不适用", "not_applicable"}
ERROR_NAMES = {"错误", "error"}      # 预期: 错误 = E0610 — the case must be refused with that code


@attrs.frozen
class Mismatch:
    what: str                 # indicator path, 总分 or 等级
    expected: str
    actual: str
    indicator: Optional[str] = None   # path for the trace
    line: Optional[int] = None


@attrs.frozen
class CaseOutcome:
    suite: str
    title: str
    file: str
    line: int
    mismatches: tuple[Mismatch, ...] = ()
    errors: tuple[Diagnostic, ...] = ()
    trace: dict = attrs.field(factory=dict)   # indicator path -> list of trace lines

    @property
    def passed(self) -> bool:
        return not self.mismatches and not self.errors


@attrs.frozen
class LoadedSuite:
    path: Path
    ast: ast.Suite
    rulebook: api.CompiledRulebook
    base: Optional[api.Case]


def find_suites(paths) -> list[Path]:
    out = []
    for p in paths:
        p = Path(p)
        if p.is_dir():
            out.extend(sorted(p.rglob("*.jxt")))
        else:
            out.append(p)
    return out


def load_suite(path) -> LoadedSuite:
    path = Path(path)
    name, text = read_source(path)
    suite = parse_text(text, name, expect="suite")[0]
    rb_path = _rulebook_path(path, suite)
    rulebook = api.compile_rulebook(path=rb_path)
    base = rulebook.load_case(_named_file(path, suite, suite.base, ".jxc")) if suite.base else None
    return LoadedSuite(path, suite, rulebook, base)


def _named_file(path: Path, suite: ast.Suite, rel: str, suffix: str) -> Path:
    """The file a suite names (``规则集`` a .jx, ``基于`` a .jxc), relative to the suite. A
    hostile suite (pytest collects ``.jxt`` files, so a pull request reaches CI) must not read
    what lies outside its project: the path must be relative, end in ``suffix``, and lead —
    every symlink followed — inside the suite's project (the nearest folder above it with a
    .git, pyproject.toml or jixiao.toml; the suite's own folder when there is none), or inside
    the standard library. See docs/security.md."""
    from ...dsl.imports import STDLIB
    from ...dsl.paths import inside, path_problem, project_root, shown
    src = suite.span.file
    at = src.text.find(f'"{rel}"')
    span = suite.span.__class__(src, at, at + len(rel) + 2) if at >= 0 else \
        suite.span.__class__(src, suite.span.start, suite.span.start + 2)

    def refuse(zh, en):
        raise JixiaoError([make("E0106", [Label(span, "")], path=shown(rel), reason_zh=zh, reason_en=en)])
    bad = path_problem(rel)
    if bad is not None:
        refuse(*bad)
    pure = Path(rel.replace("\\", "/"))
    if pure.is_absolute() or rel.startswith(("/", "\\")) or (len(rel) > 1 and rel[1] == ":"):
        refuse("测试集只能用相对路径指明文件", "a suite names its files by relative paths only")
    if not rel.lower().endswith(suffix):
        refuse(f"应为 {suffix} 文件", f"not a {suffix} file")
    target = path.parent / pure
    root = project_root(path)
    if not (inside(target, root) or inside(target, STDLIB)):
        refuse(f"在测试集所在项目（{shown(root)}）之外，不予读取",
               f"it lies outside the suite's project ({shown(root)}); not read")
    return target


def _rulebook_path(path: Path, suite: ast.Suite) -> Path:
    if suite.rulebook:
        return _named_file(path, suite, suite.rulebook, ".jx")
    stem = path.name.split(".")[0]
    for d in (path.parent, path.parent.parent):
        cand = d / f"{stem}.jx"
        if cand.exists():
            return cand
    raise JixiaoError([make("E0106", [Label(suite.span.__class__(suite.span.file, suite.span.start, suite.span.start + 2), "")],
                            path=f"{stem}.jx", reason_zh="找不到规则集，请用「规则集 \"路径\"」指明",
                            reason_en="no rulebook found; name it with 规则集 \"path\"")])


def run_suite(loaded: LoadedSuite) -> list[CaseOutcome]:
    return [run_case(loaded, tc) for tc in loaded.ast.cases]


def run_case(loaded: LoadedSuite, tc: ast.TestCase) -> CaseOutcome:
    rb = loaded.rulebook
    file = str(loaded.path)
    line = tc.span.line
    want_errors = [r for r in tc.expected if tuple(n.text for n in r.path) in {(n,) for n in ERROR_NAMES}]
    if want_errors:
        return _expect_errors(loaded, tc, want_errors)
    try:
        result = _evaluate(loaded, tc)
    except JixiaoError as e:
        return CaseOutcome(loaded.ast.title, tc.title, file, line, errors=tuple(e.diagnostics))
    mismatches, errors = [], []
    for row in tc.expected:
        parts = tuple(n.text for n in row.path)
        want = row.value
        if parts in {(n,) for n in TOTAL_NAMES}:
            exp = _num(want)
            if exp is None or exp != result.total:
                mismatches.append(Mismatch("总分", _show(want), fmt_decimal(result.total), None, row.span.line))
            continue
        if parts in {(n,) for n in SUBTOTAL_NAMES}:
            got_sub = result.subtotal if result.subtotal is not None else result.total
            exp = _num(want)
            if exp is None or exp != got_sub:
                mismatches.append(Mismatch("合计", _show(want), fmt_decimal(got_sub), None, row.span.line))
            continue
        if parts in {(n,) for n in GRADE_NAMES}:
            exp = want.text if isinstance(want, ast.Ref) else None
            if exp != result.grade:
                mismatches.append(Mismatch("等级", _show(want), result.grade, None, row.span.line))
            continue
        hits = rb.find_indicator(parts)
        got = None
        if not hits:        # a case-supplied row: 绩效指标.安置帮教对象无重新犯罪发生
            found = [r for r in result.indicators if r.level == "row" and r.path[-len(parts):] == parts]
            if len(found) == 1:
                got = found[0]
        if got is None and len(hits) != 1:
            errors.append(make("E0605" if not hits else "E0202", [Label(row.path[-1].span, "")], name=".".join(parts)))
            continue
        if got is None:
            got = next(r for r in result.indicators if r.path == hits[0].path)
        path = "/".join(got.path)
        if isinstance(want, ast.Ref) and want.text in NA_WORDS or isinstance(want, ast.NotApplicable):
            if got.applicable:
                mismatches.append(Mismatch(path, "不适用", fmt_decimal(got.score), path, row.span.line))
            continue
        exp = _num(want)
        if exp is None or exp != got.score or not got.applicable:
            actual = fmt_decimal(got.score) + ("（不适用）" if not got.applicable else "")
            mismatches.append(Mismatch(path, _show(want), actual, path, row.span.line))
    traces = {}
    for m in mismatches:
        if m.indicator:
            traces[m.indicator] = explain_trace(result, m.indicator)
    return CaseOutcome(loaded.ast.title, tc.title, file, line, tuple(mismatches), tuple(errors), traces)


def _evaluate(loaded: LoadedSuite, tc: ast.TestCase, trace: bool = True):
    """The case's own inputs, scores and rows over the base case's (a case's 指标行 block
    replaces the base case's for that indicator), evaluated."""
    rb = loaded.rulebook
    case_ast = ast.Case(tc.title, tc.inputs, tc.claimed, tc.assessed, tc.rows, tc.lists, tc.rated, span=tc.span)
    own = rb.case_from_ast(case_ast)
    inputs = dict(loaded.base.inputs) if loaded.base else {}
    inputs.update(own.inputs)
    assessed = dict(loaded.base.assessed) if loaded.base else {}
    assessed.update(own.assessed)
    spans = dict(loaded.base.input_spans) if loaded.base else {}
    spans.update(own.input_spans)
    rows = dict(loaded.base.rows) if loaded.base else {}
    rows.update(own.rows)
    evidence = dict(loaded.base.evidence) if loaded.base else {}
    evidence = {k: v for k, v in evidence.items() if k not in own.inputs}
    evidence.update(own.evidence)
    notes = {**(loaded.base.assessed_notes if loaded.base else {}), **own.assessed_notes}
    for c in ((loaded.base,) if loaded.base else ()) + (own,):
        notes.update({f"评定得分/{k}": v for k, v in c.rated_notes.items()})
    return rb.evaluate(inputs, trace=trace, assessed=assessed or None, rows=rows or None, evidence=evidence or None,
                       notes=notes, _spans=spans)


def _expect_errors(loaded: LoadedSuite, tc: ast.TestCase, wanted) -> CaseOutcome:
    """A case expected to be refused: every code named by ``错误 = E0610`` must be among
    the diagnostics (and the other expectations are not checked)."""
    codes = {(w.value.text if isinstance(w.value, ast.Ref) else _show(w.value)): w for w in wanted}
    try:
        _evaluate(loaded, tc, trace=False)
        got: set = set()
        detail = "没有错误 / no error"
    except JixiaoError as e:
        got = {d.code for d in e.diagnostics}
        detail = "、".join(sorted(got))
    mismatches = tuple(Mismatch("错误", code, detail, None, w.span.line) for code, w in codes.items() if code not in got)
    return CaseOutcome(loaded.ast.title, tc.title, str(loaded.path), tc.span.line, mismatches)


def _num(e) -> Optional[Decimal]:
    if isinstance(e, ast.Num) and e.unit in (None, "分"):
        return e.value
    if isinstance(e, ast.Neg) and isinstance(e.operand, ast.Num):
        return -e.operand.value
    return None


def _show(e) -> str:
    if isinstance(e, ast.Num):
        return fmt_decimal(e.value)
    return e.span.text() if e.span else "?"


def explain_trace(result: api.Result, path: str) -> list[str]:
    """The trace events of one indicator, one readable line each."""
    from ..publish.explain import trace_lines
    return trace_lines(result.trace, path)


def format_outcome(o: CaseOutcome, verbose: bool = False) -> str:
    mark = "✓" if o.passed else "✗"
    head = f"{mark} {o.file}:{o.line} {o.title}"
    if o.passed:
        return head
    out = [head]
    for m in o.mismatches:
        out.append(f"    {m.what}: 预期 / expected {m.expected}，实际 / actual {m.actual}")
        for line in o.trace.get(m.indicator, []) if m.indicator else []:
            out.append(f"        {line}")
    from ...dsl.diagnostics import render_concise
    for d in o.errors:
        out.append("    " + render_concise(d))
    return "\n".join(out)
