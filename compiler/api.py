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
from decimal import Decimal
from typing import Any, Mapping, Optional

import attrs

from ..dsl import ast, ir
from ..dsl import check as _check
from ..dsl.check import CheckResult
from ..dsl.diagnostics import Diagnostic, JixiaoError, Label, Msg, has_errors, make, tr
from ..dsl.imports import dependencies_fresh
from ..dsl.ir import fmt_decimal
from ..dsl.names import narrow_qualified
from ..dsl.parser import parse_text, read_source
from ..dsl.source import Span

from .backend import loader, runtime
from .backend.codegen import generate, standalone
from .cases import CaseReader, _rate_help, shown_value  # noqa: F401  (shown_value: used by publish)
from .results import Case, IndicatorResult, Result, TraceEvent, trace_event  # noqa: F401  (part of the API)
from .rows import Row, score_all  # noqa: F401  (Row: part of the API)
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


def read_case(path) -> ast.Case:
    name, text = read_source(path)
    return parse_text(text, name, expect="case")[0]


# ───────────────────────── compiled rulebook ─────────────────────────

_CACHE: dict[str, "CompiledRulebook"] = {}
_CACHE_LOCK = threading.Lock()


class CompiledRulebook(CaseReader):
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

    def __reduce__(self):
        """Pickled as its checked program and generated source (a spawned worker process
        loads the source again; the loaded module itself is not picklable)."""
        return (CompiledRulebook, (self.program, self.check, self.source))

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
                 cohort: Optional[Mapping[str, Any]] = None,
                 _spans: Optional[Mapping[str, Span]] = None) -> Result:
        """Score one unit. ``assessed`` maps indicator paths (or ``指标/行标题`` of a
        case-supplied row) to scores that replace the rule's — the rule's own is kept
        beside it, and inputs only those rules read may be left out; ``claimed`` (paths,
        or 总分) is carried into the result for comparison; ``rows`` maps each 指标行
        indicator (path or name) to its rows (``Row`` objects, or mappings of field ->
        value with an optional ``名称`` and ``自评得分``); ``rated`` maps hand-scored
        indicators to the evaluator's picks (as the inputs ``评定得分.指标`` do);
        ``notes`` maps paths to the reasons of assessed scores and of picks; ``cohort`` maps
        each statistic of the units scored together (as the rulebook writes it,
        ``同类平均(执行率)``) to its value, or a 同类 one to {kind: value} — a rulebook with
        cohort rules cannot score a unit without it (E0630)."""
        if self.program.cohort_inputs:
            inputs = self.with_cohort(inputs, cohort)
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

    def with_cohort(self, inputs: Mapping[str, Any], cohort: Optional[Mapping[str, Any]]) -> dict:
        """The unit's inputs with the values of the cohort's statistics (E0630 without them;
        E0631 for one missing, or a 同类 one without the unit's kind)."""
        prog = self.program
        if cohort is None and all(inputs.get(i.name) is not None for i in prog.cohort_inputs):
            return inputs            # the case gives the statistics itself (「同类平均(执行率)」 = 93.2%)
        if cohort is None:
            stats = "、".join([i.name for i in prog.cohort_inputs] + (["名额"] if prog.quotas else []))
            raise JixiaoError([make("E0630", [], title=prog.title, stats=stats, helps=[tr(
                "与其他参评单位一起评分：jixiao score 规则集 数据文件 -o 结果（每行一个单位）；或以 --cohort 文件给出统计值，"
                "或在案例中写出，如「同类平均(执行率)」 = 94%",
                "score it with the other units: jixiao score RULEBOOK DATA -o OUT (one unit a row); or give the "
                "statistics with --cohort FILE, or in the case, e.g. 「同类平均(执行率)」 = 94%")])])
        given = {"".join(str(k).split()): v for k, v in cohort.items()}
        out = dict(inputs)
        for inp in prog.cohort_inputs:
            v = given.get("".join(inp.name.split()))
            if v is None:
                raise JixiaoError([make("E0631", [], reason_zh=f"缺少统计值「{inp.name}」", reason_en=f"no value for `{inp.name}`")])
            if isinstance(v, Mapping):
                kind = inputs.get(prog.peers.name) if prog.peers is not None else None
                if kind not in v:
                    raise JixiaoError([make("E0631", [], reason_zh=f"「{inp.name}」没有「{kind}」类单位的值",
                                            reason_en=f"`{inp.name}` has no value for units of kind `{kind}`")])
                v = v[kind]
            try:
                out[inp.name] = v if isinstance(v, Decimal) else runtime.to_decimal(v, inp.kind, inp.type.unit)   # computed: exact as it is
            except (ValueError, ArithmeticError, TypeError):
                raise JixiaoError([make("E0631", [], reason_zh=f"「{inp.name}」的值 {v!r} 不是数值",
                                        reason_en=f"the value {v!r} of `{inp.name}` is not a number")]) from None
        return out

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

    def evaluate_case(self, case: Case, *, trace: bool = False, cohort: Optional[Mapping[str, Any]] = None) -> Result:
        notes = dict(case.assessed_notes)
        notes.update({f"评定得分/{k}": v for k, v in case.rated_notes.items()})
        return self.evaluate(case.inputs, trace=trace, assessed=case.assessed or None,
                             claimed=case.claimed, rows=case.rows or None, evidence=case.evidence or None,
                             notes=notes, cohort=cohort, _spans=case.input_spans)

    # ── cases ──
    def load_case(self, path) -> Case:
        return self.case_from_ast(read_case(path))

    def case_from_text(self, text: str, name: str = "<case>") -> Case:
        return self.case_from_ast(parse_text(text, name, expect="case")[0])

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
