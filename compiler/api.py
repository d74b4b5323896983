"""The embedding API: compile a rulebook once, evaluate many cases.

    from .api import compile_rulebook
    rb = compile_rulebook(path="stdlib_indicators/部门整体支出.jx")
    result = rb.evaluate({"编制数": 89, "在职人员数": 121, ...})
    result.total, result.grade, result.score("财政供养人员控制率")

Errors in a rulebook or a case raise :class:`dsl.diagnostics.JixiaoError`, whose
``diagnostics`` render like the command line's.
"""
from __future__ import annotations

import hashlib
import threading
from decimal import Context, Decimal, localcontext
from typing import Any, Mapping, Optional

import attrs

from ..dsl import ast, ir
from ..dsl import check as _check
from ..dsl.check import CheckResult
from ..dsl.diagnostics import FIELD, Diagnostic, JixiaoError, Label, Msg, format_message, has_errors, make, tr
from ..dsl.imports import dependencies_fresh
from ..dsl.ir import fmt_decimal
from ..dsl.names import did_you_mean, narrow_qualified, qualify
from ..dsl.parser import parse_text, read_source
from ..dsl.source import Span

from .backend import loader, runtime
from .backend.codegen import generate, standalone
from .rows import Row, case_rows, score_all  # noqa: F401  (Row: part of the API)
from .verify.search import decide


def check_text(text: str, name: str = "<rulebook>") -> CheckResult:
    """``dsl.check.check_text`` plus what only running the rule can decide (compiler.verify),
    with the file's suppression directives applied."""
    return decide(_check.check_text(text, name)).with_suppressions()


def check_file(path) -> CheckResult:
    """``dsl.check.check_file`` plus what only running the rule can decide, suppressions applied."""
    return decide(_check.check_file(path)).with_suppressions()


def check_path(path, rulebook: Optional["CompiledRulebook"] = None) -> CheckResult:
    """Check any jixiao file by its kind: a rulebook or library (.jx) as ``check_file``;
    a test suite (.jxt): its rulebook, base case and every case; a case (.jxc): its
    syntax, and against ``rulebook`` when given every input and claim."""
    from pathlib import Path
    suffix = Path(path).suffix.lower()
    if suffix == ".jxt":
        from .verify.suites import load_suite
        try:
            load_suite(path)
        except JixiaoError as e:
            return CheckResult(None, list(e.diagnostics))
        return CheckResult(None, [])
    if suffix == ".jxc":
        try:
            if rulebook is not None:
                rulebook.load_case(path)
            else:
                read_case(path)
        except JixiaoError as e:
            return CheckResult(None, list(e.diagnostics))
        return CheckResult(None, [])
    return check_file(path)


def error_msg(err: runtime.EvaluationError) -> Msg:
    """An evaluation error's message (the catalog's template) in both languages."""
    return Msg(err.message_in("zh"), err.message_in("en"))


# ───────────────────────── results ─────────────────────────

@attrs.frozen
class TraceEvent:
    """One step of an evaluation. ``kind``: let (a local value), if (branch taken),
    tier (row taken), clamp (before → after; indicator "" for the 总分 = 合计 … rule),
    score (raw → rounded), sum (a subtotal), na (not applicable), override (assessed
    score used), veto (a 否决 that held: the grade before → after), agg (an aggregate
    over a list: ``before`` the items that met its condition, each ``(名称, fields…)``)."""
    kind: str
    indicator: str            # path joined by "/"
    name: Optional[str]       # local's name, or the source text of the branch/row/clamp
    value: Any
    before: Any = None        # clamp: value before; score: raw value; if: True/False; tier: row number
    line: Optional[int] = None


def trace_event(e: tuple, path_of, local_name, span_of) -> TraceEvent:
    """A raw event of the generated code (``('tier', indicator, span, row, value)`` …) as
    a TraceEvent: indicator index -> path, local index -> name, span number -> source text."""
    kind, ind = e[0], e[1]
    path = path_of(ind) if ind >= 0 else ""
    if kind == "let":
        return TraceEvent("let", path, local_name(e[2]), e[3], e[2])     # before: the local's index
    if kind in ("if", "tier", "clamp", "veto", "agg"):
        sp = span_of(e[2])
        return TraceEvent(kind, path, sp.text() if sp else None, e[4], e[3], sp.line if sp else None)
    if kind == "score":
        return TraceEvent("score", path, None, e[3], e[2])
    if kind == "override":          # before: what the rule gives (None: it cannot be computed)
        return TraceEvent("override", path, None, e[3], e[2])
    return TraceEvent(kind, path, None, e[2])


@attrs.frozen
class IndicatorResult:
    path: tuple[str, ...]
    level: str
    points: Decimal
    score: Decimal
    applicable: bool = True
    assessed: bool = False
    claimed: Optional[Decimal] = None
    row: Optional[Mapping[str, Any]] = None     # a case-supplied row: its fields as given
    kind: str = "score"       # score, or bonus / penalty: ``score`` is then the amount added / deducted
    computed: Optional[Decimal] = None          # assessed: what the rule gives (None: not computable for this case)
    note: Optional[str] = None                  # assessed: the reason given with it
    pick: Optional[Decimal] = None              # hand-scored: the evaluator's pick (评定得分)
    pick_note: Optional[str] = None             # and its reason

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def differs(self) -> bool:
        return self.claimed is not None and self.claimed != self.score


@attrs.frozen
class Result:
    rulebook: str
    total: Decimal
    grade: str
    indicators: tuple[IndicatorResult, ...]
    trace: tuple[TraceEvent, ...] = ()
    claimed_total: Optional[Decimal] = None
    inputs: Mapping[str, Any] = attrs.field(factory=dict)
    subtotal: Optional[Decimal] = None    # 合计 before the 总分 = 合计 … rule held it (None: no such rule)
    # checklist input -> the evidence given for each item (None where none was): 佐证材料
    evidence: Mapping[str, tuple] = attrs.field(factory=dict)

    @property
    def vetoes(self) -> tuple["TraceEvent", ...]:
        """The 否决 that held (traced evaluations): each with the grade before and after."""
        return tuple(t for t in self.trace if t.kind == "veto")
    def score(self, name: str) -> Decimal:
        """Score of the indicator named ``name`` (or a path ``父级/名称`` / ``父级.名称``)."""
        return self.indicator(name).score

    def indicator(self, name) -> IndicatorResult:
        if isinstance(name, tuple):
            parts = list(name)
        else:
            exact = [r for r in self.indicators if "/".join(r.path) == name or r.path[-1] == name]
            if len(exact) == 1:
                return exact[0]
            parts = name.replace(".", "/").split("/")
        hits = [r for r in self.indicators if r.path[-len(parts):] == tuple(parts)]
        if len(hits) != 1:
            raise KeyError(name if not hits else f"{name}: ambiguous ({', '.join('/'.join(h.path) for h in hits)})")
        return hits[0]

    @property
    def leaves(self):
        paths = {r.path[:-1] for r in self.indicators}
        return [r for r in self.indicators if r.path not in paths]

    def to_dict(self) -> dict:
        def num(d):
            return None if d is None else fmt_decimal(d)
        out = {"rulebook": self.rulebook, "total": num(self.total), "grade": self.grade}
        if self.subtotal is not None:
            out["subtotal"] = num(self.subtotal)
        if self.claimed_total is not None:
            out["claimed_total"] = num(self.claimed_total)
        parents = {r.path[:-1] for r in self.indicators}
        rows = []
        for r in self.indicators:
            row = {"path": list(r.path), "level": r.level, "points": num(r.points), "score": num(r.score),
                   "leaf": r.path not in parents}
            if not r.applicable:
                row["not_applicable"] = True
                if r.note:
                    row["reason"] = r.note
            if r.kind != "score":
                row["kind"] = r.kind
            if r.assessed:
                row["assessed"] = True
                row["computed"] = num(r.computed)        # the rule's score beside the assessed one
                if r.note:
                    row["reason"] = r.note
            if r.pick is not None:
                row["rated"] = num(r.pick)
                if r.pick_note:
                    row["rated_reason"] = r.pick_note
            if r.claimed is not None:
                row["claimed"] = num(r.claimed)
            if r.row is not None:
                row["row"] = {k: (fmt_decimal(v) if isinstance(v, Decimal) else v) for k, v in r.row.items()}
            rows.append(row)
        out["indicators"] = rows
        if self.evidence:
            out["evidence"] = {k: list(v) for k, v in self.evidence.items()}
        return out


# ───────────────────────── cases ─────────────────────────

@attrs.frozen
class Case:
    """One unit's inputs, and the scores it claims or that were assessed for it."""
    title: str
    inputs: Mapping[str, Any]
    claimed: Mapping[str, Decimal] = attrs.field(factory=dict)      # indicator path "a/b/c" or "总分"
    assessed: Mapping[str, Decimal] = attrs.field(factory=dict)
    assessed_notes: Mapping[str, str] = attrs.field(factory=dict)
    source: Optional[ast.Case] = attrs.field(default=None, eq=False, repr=False)
    input_spans: Mapping[str, Span] = attrs.field(factory=dict, eq=False, repr=False)
    rows: Mapping[str, tuple] = attrs.field(factory=dict)     # 指标行 part path "a/b" -> tuple[Row, ...]
    evidence: Mapping[str, tuple] = attrs.field(factory=dict)  # checklist -> evidence per item ([是 "见附件3", 否])
    rated_notes: Mapping[str, str] = attrs.field(factory=dict)      # indicator path "a/b" -> reason of its pick


def read_case(path) -> ast.Case:
    name, text = read_source(path)
    return parse_text(text, name, expect="case")[0]


# ───────────────────────── compiled rulebook ─────────────────────────

_CACHE: dict[str, "CompiledRulebook"] = {}
_CACHE_LOCK = threading.Lock()


class CompiledRulebook:
    """A checked, compiled rulebook. Thread-safe: evaluation keeps no shared state."""

    def __init__(self, program: ir.Program, check: CheckResult, source: str):
        self.program = program
        self.check = check
        self.warnings = [d for d in check.diagnostics if d.severity == "warning"]
        self.source = source
        self._file = next((p.span.file for p in program.inputs if p.span), None)
        self._indicators = sorted(program.walk(), key=lambda n: n.index)
        self.evaluator = loader.load(source, program.source_name)
        self._run = self.evaluator.run
        self._spans = self.evaluator.spans
        self._paths = ["/".join(i.path) for i in self._indicators]
        self._inputs_by_name = {i.name: i for i in program.inputs}
        self._optional_cache: dict = {}
        # 指标行: each scoring method is its own small compiled program over the row's fields
        self._row_methods = {}
        self.row_methods: dict[tuple, "CompiledRulebook"] = {}   # (indicator path, method) -> compiled
        for part in program.row_parts:
            for name, prog in part.methods.items():
                sub = CompiledRulebook(prog, CheckResult(prog, []), generate(prog))
                self.row_methods[(part.indicator.path, name)] = sub
                self._row_methods[(part.indicator.index, name)] = (sub._run, sub.evaluator.inputs, prog)

    # ── spans ──
    def span(self, ix: Optional[int]) -> Optional[Span]:
        if ix is None or ix < 0 or self._file is None and not self._indicators:
            return None
        file = self._indicators[0].span.file if self._indicators else self._file
        start, end, f = self._spans[ix]
        if f:
            file = self.program.files.get(self.evaluator.span_files[f], file)
        return Span(file, start, end)

    @property
    def title(self) -> str:
        return self.program.title

    def emit_python(self) -> str:
        """The standalone module (runtime inlined) for ``jixiao compile --emit-python``."""
        return standalone(self.program)

    # ── evaluation ──
    def find_indicator(self, parts: tuple[str, ...]) -> list[ir.Indicator]:
        name = parts[-1]
        return narrow_qualified([i for i in self._indicators if i.name == name], list(parts[:-1]))

    def validate(self, inputs: Mapping[str, Any], spans: Optional[Mapping[str, Span]] = None,
                 optional: Optional[frozenset] = None) -> list:
        try:
            return runtime.validate(inputs, self.evaluator.inputs,
                                    self.evaluator.optional if optional is None else optional)
        except runtime.InputErrors as e:
            raise JixiaoError([self._diag(err, spans) for err in e.errors]) from None

    def _diag(self, err: runtime.EvaluationError, spans=None) -> Diagnostic:
        labels = []
        about_input = err.code.startswith("E06") or err.code in ("E0706", "E0722")
        fields = err.params.get("fields") or (err.field,)
        if spans and about_input and any(f in spans for f in fields):
            # the case's values it concerns (every name a failed 核对 reads)
            at = [f for f in fields if f in spans]
            labels.extend(Label(spans[f], tr("此值", "this value"), k == 0) for k, f in enumerate(at))
        elif spans is not None and err.code in ("E0601", "E0621", "E0625") and "__case__" in spans:
            labels.append(Label(spans["__case__"], tr("案例中没有此项", "this case does not give it")))
        decl = self.span(err.span)
        if decl is not None:
            declared = err.code.startswith("E06") and err.code not in ("E0621", "E0622", "E0623", "E0624")
            caption = tr("声明于此", "declared here") if declared else tr("规则", "rule")
            labels.append(Label(decl, caption, primary=not labels))
        notes, helps = [], []
        inp = self._inputs_by_name.get(err.field)
        if inp is not None and err.code == "E0603" and inp.kind == "rate":
            helps.extend(_rate_help(err.value))
        if inp is not None and err.code in ("E0602", "E0603") and inp.kind not in ("date", "list"):
            u = inp.type.unit
            kz, ke = {"amount": (f"金额（{u}）", f"an amount ({u})"), "count": (f"计数（{u}）", f"a count ({u})"),
                      "rate": ("比率，如 96.3%", "a rate, e.g. 96.3%"), "boolean": ("是 或 否", "yes or no"),
                      "grade": ("、".join(inp.members), ", ".join(inp.members)),
                      "checklist": (f"{len(inp.members)} 项 [是, 否, …]", f"{len(inp.members)} items [yes, no, …]"),
                      "score": ("分数", "a score"), "number": ("数值", "a number"),
                      "rated": (f"评定得分（0 至 {fmt_decimal(inp.hi)} 分）", f"a pick (0 to {fmt_decimal(inp.hi)} points)")
                      }.get(inp.kind, inp.type.describe())
            notes.append(tr(f"「{inp.name}」声明为：{kz}，范围 {inp.range_text()}",
                            f"`{inp.name}` is declared as {ke}, range {inp.range_text()}"))
        return make(err.code, labels, notes=notes, helps=helps, **err.params)

    def evaluate(self, inputs: Mapping[str, Any], *, trace: bool = False,
                 assessed: Optional[Mapping[str, Any]] = None,
                 claimed: Optional[Mapping[str, Any]] = None,
                 rows: Optional[Mapping[str, Any]] = None,
                 rated: Optional[Mapping[str, Any]] = None,
                 notes: Optional[Mapping[str, str]] = None,
                 evidence: Optional[Mapping[str, Any]] = None,
                 _spans: Optional[Mapping[str, Span]] = None) -> Result:
        """Score one unit. ``assessed`` maps indicator paths (or ``指标/行标题`` of a
        case-supplied row) to scores that replace the rule's — the rule's own is kept
        beside it, and inputs only those rules read may be left out; ``claimed`` (paths,
        or 总分) is carried into the result for comparison; ``rows`` maps each 指标行
        indicator (path or name) to its rows (``Row`` objects, or mappings of field ->
        value with an optional ``名称`` and ``自评得分``); ``rated`` maps hand-scored
        indicators to the evaluator's picks (as the inputs ``评定得分.指标`` do);
        ``notes`` maps paths to the reasons of assessed scores and of picks."""
        inputs = dict(inputs) if rated else inputs
        for key, v in (rated or {}).items():
            inputs[self._pick_for(key).name] = v
        overrides, row_overrides = {}, {}
        for key, v in (assessed or {}).items():
            target = self._assessed_target(key, rows)
            value = self._score_value(key, v)
            if isinstance(target, tuple):
                row_overrides[target] = value
                continue
            if not (0 <= value <= target.points):
                raise JixiaoError([make("E0608", [], value=fmt_decimal(value), name=target.name, points=fmt_decimal(target.points))])
            overrides[target.index] = value
        if self.program.row_parts or rows:
            inputs, row_results = score_all(self, inputs, rows, row_overrides)
            row_results = {k: [attrs.evolve(x, note=(notes or {}).get("/".join(x.path))) if x.assessed else x for x in v]
                           for k, v in row_results.items()}
        else:
            row_results = {}
        optional = self._optional(frozenset(overrides)) if overrides else None
        values = self.validate(inputs, _spans, optional)
        # 合计 before the 总分 = 合计 … rule is read from the trace of that rule
        T = [] if trace or overrides or self.program.total_rule is not None else None
        try:
            scores, total, grade, na = self._run(values, overrides or None, T)
        except runtime.EvaluationError as err:
            raise JixiaoError([self._diag(err, _spans)]) from None
        computed = {e[1]: e[2] for e in T if e[0] == "override"} if overrides else {}
        claimed_map = {}
        claimed_total = None
        for key, v in (claimed or {}).items():
            if key in ("总分", "total"):
                claimed_total = self._score_value(key, v)
                continue
            claimed_map[self._indicator_for(key).index] = self._score_value(key, v)
        na = self.program.not_applicable(na, set(overrides))
        notes = notes or {}
        out_rows = []
        for ind in self.program.walk():
            path = "/".join(ind.path)
            pick = values[ind.pick.index] if ind.pick is not None and ind.index not in overrides else None
            out_rows.append(IndicatorResult(ind.path, ind.level, ind.points, scores[ind.index], ind.index not in na,
                                            ind.index in overrides, claimed_map.get(ind.index), kind=ind.kind,
                                            computed=computed.get(ind.index),
                                            note=notes.get(path) if ind.index in overrides else None, pick=pick,
                                            pick_note=notes.get(f"评定得分/{path}") if pick is not None else None))
            out_rows.extend(row_results.get(ind.index, ()))
        rows = tuple(out_rows)
        events = tuple(self._event(e) for e in T) if trace and T is not None else ()
        subtotal = None
        if self.program.total_rule is not None:
            held = next((e for e in T if e[0] == "clamp" and e[1] == -1), None)
            subtotal = held[3] if held is not None else total
        return Result(self.program.title, total, grade, rows, events, claimed_total,
                      {i.name: shown_value(i, v) for i, v in zip(self.program.inputs, values)}, subtotal,
                      {k: tuple(v) for k, v in (evidence or {}).items()})

    def grade_for(self, total: Decimal, result: Optional[Result] = None) -> Optional[str]:
        """The grade a total (a claimed one) would have: the bands (on the whole number under
        按取整总分), then the 否决 that held for ``result``'s case (from its trace); None when
        no band takes it."""
        try:
            with runtime._localcontext(runtime.CONTEXT):
                grade = self.evaluator.grade_of(total)
        except Exception:   # a total outside every band
            return None
        for t in (result.vetoes if result is not None else ()):
            v = self.veto_of(t)
            if v is not None:
                grade = self.program.apply_veto(grade, v)
        return grade

    def veto_of(self, event: "TraceEvent") -> Optional[ir.Veto]:
        """The 否决 row a ``veto`` trace event stands for (by its line and text)."""
        want = (event.line, " ".join((event.name or "").split()))
        return next((v for v in self.program.vetoes
                     if v.span is not None and (v.span.line, " ".join(v.span.text().split())) == want), None)

    def _optional(self, assessed: frozenset) -> frozenset:
        """The inputs a case may leave out when the indicators ``assessed`` have assessed
        scores: the optional ones, and those only their rules read."""
        hit = self._optional_cache.get(assessed)
        if hit is None:
            prog = self.program
            exprs = [i.score for i in prog.walk() if i.score is not None and i.index not in assessed]
            exprs += [b.cond for b in prog.grades if b.cond is not None] + [v.cond for v in prog.verifies]
            exprs += [i.only_if for i in prog.inputs if i.only_if is not None]
            read = {x.name for e in exprs for x in ir.inputs_read(e)}
            hit = frozenset(self.evaluator.optional) | frozenset(i.name for i in prog.inputs if i.name not in read)
            if len(self._optional_cache) < 256:
                self._optional_cache[assessed] = hit
        return hit

    def _pick_for(self, key) -> ir.Input:
        """The pick input (评定得分) of a hand-scored indicator named ``key``."""
        ind = self._indicator_for(key)
        if ind.pick is None:
            raise JixiaoError([make("E0627", [], name="/".join(ind.path))])
        return ind.pick

    def _assessed_target(self, key, rows) -> "ir.Indicator | tuple":
        """The indicator an assessed score is for, or (part path, row title) for a row the
        case supplies (``绩效指标/满意度``)."""
        try:
            return self._indicator_for(key)
        except JixiaoError:
            if not isinstance(key, (str, tuple)):
                raise
            text = "/".join(key) if isinstance(key, tuple) else key
            for part in self.program.row_parts:
                for prefix in ("/".join(part.indicator.path), ".".join(part.indicator.path), part.indicator.name):
                    for sep in ("/", "."):
                        if text.startswith(prefix + sep):
                            title = text[len(prefix) + 1:]
                            given = (rows or {}).get("/".join(part.indicator.path)) or (rows or {}).get(part.indicator.name) or ()
                            titles = {r.title if isinstance(r, Row) else str(r.get("名称", r.get("name", "")))
                                      for r in given if isinstance(r, (Row, Mapping))}
                            if title in titles:
                                return ("/".join(part.indicator.path), title)
            raise

    # ── case-supplied rows ──
    def _indicator_for(self, key) -> ir.Indicator:
        """An indicator from a path tuple, or a string ``父级/名称`` / ``父级.名称`` / ``名称``
        (an exact path string wins, so names holding / or . still work)."""
        if isinstance(key, tuple):
            parts = key
        elif isinstance(key, str):
            exact = [i for i in self._indicators if "/".join(i.path) == key or i.name == key]
            if len(exact) == 1:
                return exact[0]
            parts = tuple(key.replace(".", "/").split("/"))
        else:
            raise JixiaoError([make("E0605", [], name=repr(key)[:40])])
        hits = self.find_indicator(tuple(parts))
        if len(hits) != 1:
            code = "E0202" if hits else "E0605"
            raise JixiaoError([make(code, [], name="/".join(map(str, parts))[:80])])
        return hits[0]

    def _score_value(self, key, v) -> Decimal:
        try:
            return runtime.to_decimal(v)
        except ValueError:
            raise JixiaoError([make("E0602", [], name=str(key)[:80], value=runtime._show(v),
                                    expected_zh="分数", expected_en="a score")]) from None

    def _event(self, e: tuple) -> TraceEvent:
        return trace_event(e, lambda i: self._paths[i], self.evaluator.locals.__getitem__, self.span)

    def evaluate_case(self, case: Case, *, trace: bool = False) -> Result:
        notes = dict(case.assessed_notes)
        notes.update({f"评定得分/{k}": v for k, v in case.rated_notes.items()})
        return self.evaluate(case.inputs, trace=trace, assessed=case.assessed or None,
                             claimed=case.claimed, rows=case.rows or None, evidence=case.evidence or None,
                             notes=notes, _spans=case.input_spans)

    # ── cases ──
    def load_case(self, path) -> Case:
        return self.case_from_ast(read_case(path))

    def case_from_text(self, text: str, name: str = "<case>") -> Case:
        return self.case_from_ast(parse_text(text, name, expect="case")[0])

    def case_from_ast(self, c: ast.Case) -> Case:
        diags: list[Diagnostic] = []
        inputs: dict[str, Any] = {}
        spans: dict[str, Span] = {}
        evidence: dict[str, tuple] = {}
        by_name = {i.name: i for i in self.program.inputs}
        for ci in c.inputs:
            name = ".".join(n.text for n in ci.path)
            inp = by_name.get(ci.path[-1].text) if len(ci.path) == 1 else None
            if inp is None:
                helps = did_you_mean(name, by_name)
                diags.append(make("E0604", [Label(ci.path[-1].span, tr("未声明的输入", "not a declared input"))], helps=helps, name=name))
                continue
            if inp.name in inputs:
                diags.append(make("E0606", [Label(ci.span, ""), Label(spans[inp.name], tr("首次给出", "first given here"), False)], name=inp.name))
                continue
            value, err = _case_value(ci.value, inp)
            if err is not None:
                diags.append(err)
                continue
            inputs[inp.name] = value
            spans[inp.name] = ci.value.span
            if inp.kind == "checklist" and isinstance(ci.value, ast.ListLit) and ci.value.notes:
                evidence[inp.name] = ci.value.notes
        for cl in c.lists:
            inp = by_name.get(cl.name.text)
            if inp is None or inp.kind != "list":
                helps = did_you_mean(cl.name.text, {i.name for i in self.program.inputs if i.kind == "list"})
                diags.append(make("E0604", [Label(cl.name.span, tr("不是列表输入", "not a list input"))], helps=helps,
                                  name=cl.name.text))
                continue
            if inp.name in inputs:
                diags.append(make("E0606", [Label(cl.name.span, ""), Label(spans[inp.name], tr("首次给出", "first given here"), False)],
                                  name=inp.name))
                continue
            inputs[inp.name] = _case_items(inp, cl, diags)
            spans[inp.name] = cl.name.span
        rows = case_rows(self, c.rows, diags)
        rated_notes = {}
        for row in c.rated:
            ind = self._case_indicator(row, diags)
            if ind is None:
                continue
            if ind.pick is None:
                diags.append(make("E0627", [Label(row.path[-1].span, tr("此指标按规则计分", "scored by its rule"))],
                                  name=".".join(n.text for n in row.path)))
                continue
            if ind.pick.name in inputs:
                diags.append(make("E0606", [Label(row.span, "")], name=f"评定得分 {'.'.join(n.text for n in row.path)}"))
                continue
            if row.value is not None and row.value.unit not in (None, "分"):
                diags.append(make("E0607", [Label(row.value.span, "")], name=ind.pick.name, unit=row.value.unit, declared="分"))
                continue
            inputs[ind.pick.name] = None if row.value is None else row.value.value
            spans[ind.pick.name] = (row.value or row).span
            if row.note:
                rated_notes["/".join(ind.path)] = row.note
        claimed, assessed, notes = {}, {}, {}
        for rows_, target in ((c.claimed, claimed), (c.assessed, assessed)):
            for row in rows_:
                parts = tuple(n.text for n in row.path)
                if parts in (("总分",), ("total",)) and target is claimed:
                    claimed["总分"] = row.value.value
                    continue
                hits = self.find_indicator(parts)
                label = Label(row.path[-1].span, "")
                row_key = _row_of(self, rows, parts) if not hits and target is assessed else None
                if row_key is not None:
                    # an assessed score for a row the case supplies: 绩效指标.满意度 = 11
                    if row_key in assessed:
                        diags.append(make("E0606", [Label(row.span, "")], name=".".join(parts)))
                        continue
                    assessed[row_key] = row.value.value
                    notes["/".join(row_key)] = row.note or ""
                    continue
                if not hits:
                    helps = did_you_mean(parts[-1], {i.name for i in self._indicators})
                    diags.append(make("E0605", [label], helps=helps, name=".".join(parts)))
                    continue
                if len(hits) > 1:
                    labels = [Label(row.path[-1].span, tr("指向多个指标", "refers to several indicators"))]
                    labels += [Label(h.name_span, "/".join(h.path), False) for h in hits]
                    helps = [qualify([h.path for h in hits])]
                    diags.append(make("E0202", labels, helps=helps, name=".".join(parts)))
                    continue
                ind = hits[0]
                key = tuple(ind.path)
                if key in target:
                    diags.append(make("E0606", [Label(row.span, "")], name=".".join(parts)))
                    continue
                if target is assessed and not (0 <= row.value.value <= ind.points):
                    diags.append(make("E0608", [Label(row.value.span, "")], value=fmt_decimal(row.value.value),
                                      name=ind.name, points=fmt_decimal(ind.points)))
                    continue
                target[key] = row.value.value
                if target is assessed:
                    notes[key] = row.note or ""
        if has_errors(diags):
            raise JixiaoError(diags)
        head = c.span
        notes = {"/".join(k) if isinstance(k, tuple) else k: v for k, v in notes.items()}
        spans["__case__"] = Span(head.file, head.start, min(head.end, head.file.line_starts[1] - 1 if len(head.file.line_starts) > 1 else head.end))
        return Case(c.title, inputs, claimed, assessed, notes, c, spans, rows, evidence, rated_notes)

    def _case_indicator(self, row: ast.Claim, diags: list) -> Optional[ir.Indicator]:
        """The one indicator a case's line names (E0605 / E0202 otherwise)."""
        parts = tuple(n.text for n in row.path)
        hits = self.find_indicator(parts)
        if not hits:
            helps = did_you_mean(parts[-1], {i.name for i in self._indicators})
            diags.append(make("E0605", [Label(row.path[-1].span, "")], helps=helps, name=".".join(parts)))
            return None
        if len(hits) > 1:
            labels = [Label(row.path[-1].span, tr("指向多个指标", "refers to several indicators"))]
            labels += [Label(h.name_span, "/".join(h.path), False) for h in hits]
            diags.append(make("E0202", labels, helps=[qualify([h.path for h in hits])], name=".".join(parts)))
            return None
        return hits[0]

def _row_of(rb, rows: dict, parts: tuple) -> Optional[tuple]:
    """(part path, row title) when ``parts`` names a row the case supplies (绩效指标.满意度)."""
    if len(parts) < 2:
        return None
    for k in range(len(parts) - 1, 0, -1):
        hits = [h for h in rb.find_indicator(parts[:k]) if h.rows is not None]
        title = ".".join(parts[k:])
        if len(hits) == 1:
            key = "/".join(hits[0].path)
            if any(r.title == title for r in rows.get(key, ())):
                return hits[0].path + (title,)
    return None



def shown_value(inp: ir.Input, v):
    """A validated value as the API gives it back: a date as a ``datetime.date``, a list
    as a tuple of mappings (``名称`` and each field)."""
    if v is None:
        return v
    if inp.kind == "date":
        return ir.date_of(v)
    if inp.kind == "list":
        return tuple({"名称": r[0], **{f.name: shown_value(f, x) for f, x in zip(inp.type.fields, r[1:])}} for r in v)
    return v


def _rate_help(raw) -> list:
    """E0603 of a rate given as a bare number above 1: 2.4 is 240%, probably meant 2.4%."""
    if isinstance(raw, str) and raw.strip().endswith(("%", "％", "百分点", "pp")):
        return []
    try:
        v = runtime.to_decimal(raw)
    except ValueError:
        return []
    if v <= 1:
        return []
    t, pct = fmt_decimal(v), fmt_decimal(v * 100)
    return [tr(f"比率写作小数时 {t} 即 {pct}%，若是 {t}% 请写 {t}%；比率确可超过 100% 的，在声明中写明范围（如 比率 范围 0 至 300%）",
               f"a rate written as a plain number {t} is {pct}%; if you mean {t}%, write {t}%; a rate that can "
               f"exceed 100% states its range in the declaration (e.g. `比率 范围 0 至 300%`)")]


def _case_items(inp: ir.Input, cl: ast.CaseList, diags: list) -> tuple:
    """The ``行 "名称":`` blocks of a list input -> mappings (``名称`` and field values),
    each value checked against its field's declaration (E0613 names the item)."""
    fields = {f.name: f for f in inp.type.fields}
    out = []
    for n, row in enumerate(cl.items, 1):
        item: dict = {"名称": row.title}
        seen: dict = {}

        def bad(span, zh, en):
            diags.append(make("E0613", [Label(span, "")], name=inp.name, n=n, item=row.title, reason_zh=zh, reason_en=en))
        if row.claimed is not None:
            bad(row.claimed.span, "：列表的项没有自评得分", ": a list item has no claimed score")
        for ci in row.inputs:
            fname = ".".join(x.text for x in ci.path)
            if fname in seen:
                bad(ci.span, f"的字段「{fname}」重复给出", f": field `{fname}` is given twice")
                continue
            seen[fname] = ci
            f = fields.get(fname)
            if f is None:
                sugg = did_you_mean(fname, fields)
                listed = "、".join(fields)
                bad(ci.path[-1].span, f"没有字段「{fname}」（字段：{listed}）", f" has no field `{fname}` (fields: {', '.join(fields)})")
                if sugg:
                    diags[-1] = attrs.evolve(diags[-1], helps=tuple(sugg))
                continue
            if f.name in ("名称", "name") and f.kind == "text":
                bad(ci.span, f"的名称已由「行 \"{row.title}\"」给出", f": its name is the title `{row.title}`")
                continue
            if isinstance(ci.value, ast.Text):
                if f.kind not in ("text", "grade", "date"):
                    zh, en = f.type.describe()
                    bad(ci.value.span, f"：字段「{fname}」的值 {ci.value.span.text()[:40]} 不是{zh}",
                        f": field `{fname}`: {ci.value.span.text()[:40]} is not {en}")
                    continue
                item[fname] = ci.value.value
                continue
            if f.kind == "text":
                item[fname] = " ".join(ci.value.span.text().split())
                continue
            v, err = _case_value(ci.value, f)
            if err is not None:
                said = {**err.args, **FIELD}      # said of the item's field, not of an input
                diags.append(make("E0613", err.labels, notes=err.notes, helps=err.helps, name=inp.name, n=n, item=row.title,
                                  reason_zh="：" + format_message(err.code, said, "zh"),
                                  reason_en=": " + format_message(err.code, said, "en")))
                continue
            item[fname] = v
        out.append(item)
    return tuple(out)


def _case_value(e, inp: ir.Input):
    """A case expression -> a Python value for validation, checking the unit if written
    (an amount in another money unit is converted exactly: 72890元 for 万元 is 7.289);
    ``不适用`` is no value (for an input the case may leave out)."""
    if isinstance(e, ast.NotApplicable):
        if inp.optional:
            return None, None
        return None, make("E0602", [Label(e.span, tr("只有「仅当」的输入可以不给", "only a `仅当` input may be left out"))],
                          name=inp.name, value="不适用", expected_zh=inp.type.describe()[0], expected_en=inp.type.describe()[1])
    if isinstance(e, ast.Neg) and isinstance(e.operand, ast.Num):
        e = ast.Num(-e.operand.value, e.operand.unit, span=e.span)
    if isinstance(e, ast.DateLit):
        if inp.kind != "date":
            zh, en = inp.type.describe()
            return None, make("E0602", [Label(e.span, "")], name=inp.name, value=e.span.text(), expected_zh=zh, expected_en=en)
        return e.value, None
    if inp.kind == "date" and not isinstance(e, ast.Text):
        return None, make("E0602", [Label(e.span, "")], name=inp.name, value=e.span.text()[:40],
                          expected_zh="日期（如 2024-04-10）", expected_en="a date (e.g. 2024-04-10)")
    if inp.kind == "list":
        if isinstance(e, ast.ListLit) and not e.items:
            return (), None
        return None, make("E0602", [Label(e.span, "")], name=inp.name, value=e.span.text()[:40],
                          expected_zh="列表（每项写一个「行 \"名称\":」块，空列表写 []）",
                          expected_en="a list (one `行 \"name\":` block per item, [] for none)")
    if isinstance(e, ast.Num):
        unit = e.unit
        declared = inp.type.unit
        if unit is not None:
            if unit in ir.MONEY_UNITS and declared in ir.MONEY_UNITS and inp.type.kind == "num" and unit != declared:
                with localcontext(Context(prec=120)):
                    return e.value * ir.money_factor(unit, declared), None
            ok = (unit == declared or (unit == "%" and inp.kind in ("rate", "number", "score"))
                  or (unit == "分" and inp.kind == "score"))
            if inp.type.kind != "num" or not ok:
                return None, make("E0607", [Label(e.span, "")], name=inp.name, unit=unit,
                                  declared=declared or inp.type.describe()[0])
        return e.value, None
    if isinstance(e, ast.Text) and inp.kind == "date":
        return e.value, None
    if isinstance(e, ast.Bool):
        return e.value, None
    if isinstance(e, ast.Ref) and len(e.parts) == 1:
        return e.parts[0].text, None
    if isinstance(e, ast.ListLit):
        out = []
        for it in e.items:
            v, err = _case_value(it, ir.Input(inp.name, "boolean", ir.BOOL))
            if err is not None:
                return None, err
            out.append(v)
        return tuple(out), None
    zh, en = inp.type.describe()
    return None, make("E0602", [Label(e.span, "")], name=inp.name, value=e.span.text(), expected_zh=zh, expected_en=en)


# ───────────────────────── entry points ─────────────────────────

def load_library(path) -> Optional[ast.Library]:
    """The file at ``path`` parsed, if it is a 方法库; None if it is another kind of file.
    A library with errors (``jixiao check`` lists them) raises JixiaoError."""
    name, text = read_source(path)
    try:
        tree = parse_text(text, name)[0]
    except JixiaoError:
        return None            # let the caller report it as the file it expected
    if not isinstance(tree, ast.Library):
        return None
    diags = _check.check_library(tree)
    if has_errors(diags):
        raise JixiaoError(diags)
    return tree


def compile_rulebook(text: Optional[str] = None, *, path=None, name: Optional[str] = None) -> CompiledRulebook:
    """Check and compile a rulebook from ``text`` or a file ``path``; cached by content."""
    if text is None:
        if path is None:
            raise TypeError("compile_rulebook needs text or path")
        name, text = read_source(path)
    name = name or "<rulebook>"
    key = hashlib.sha256((name + "\0" + text).encode("utf-8", "surrogatepass")).hexdigest()   # API text may hold lone surrogates
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
    if hit is not None and dependencies_fresh(hit.program.deps):   # an imported library edited: compile again
        return hit
    result = check_text(text, name)
    if result.program is None and not has_errors(result.diagnostics):
        # a 方法库 checks clean but is not something to score
        src = parse_text(text, name)[1]
        raise JixiaoError([make("E0108", [Label(Span(src, 0, min(3, len(src.text))), "")], found_zh="方法库",
                                expected_zh="规则集", found_en="library", expected_en="rulebook",
                                helps=[tr("方法库由规则集用「引用」引入", "a rulebook imports a library with `引用`")])])
    if not result.ok:
        raise JixiaoError(result.diagnostics)
    compiled = CompiledRulebook(result.program, result, generate(result.program))
    with _CACHE_LOCK:
        if len(_CACHE) > 64:
            _CACHE.clear()
        _CACHE[key] = compiled
    return compiled
