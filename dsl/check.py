"""The check driver: parse -> resolve (names, types, units) -> points -> bounds -> grades.

Passes are plain functions; diagnostics of one pass are all collected. Syntax errors
stop everything; after name and type errors the soundness passes still run, leaving
alone the indicators whose rules had errors (``Indicator.broken``), so that one
misspelt name does not hide a gap in the grade bands.
"""
from __future__ import annotations

from decimal import Context, localcontext

import attrs

from .checks.absent import check_absent
from .checks.bounds import check_bounds
from .checks.cohort import check_cohort, set_ranges
from .checks.grades import check_grades
from .checks.lookalikes import check_lookalikes
from .checks.points import check_points
from .checks.resolve import resolve
from .checks.wording import check_wording
from . import ast, ir
from .builtins import FUNCS
from .diagnostics import Diagnostic, JixiaoError, Label, has_errors, make, tr
from .imports import collect_methods
from .parser import parse_text, read_source


@attrs.define
class CheckResult:
    program: ir.Program | None
    diagnostics: list[Diagnostic]
    ranges: dict = attrs.field(factory=dict)   # indicator index -> proven Interval
    unproven: dict = attrs.field(factory=dict)  # indicator index -> E0501 (bounds not proven by intervals)
    suppressions: list = attrs.field(factory=list)  # `# jixiao: 忽略 …` directives of the file (suppress.py)
    suppressed: list = attrs.field(factory=list)    # [(diagnostic, Suppression)] once applied
    source: object = attrs.field(default=None, repr=False)

    def with_suppressions(self) -> "CheckResult":
        """The result with its file's suppression directives applied (call once, after every
        pass — the counterexample search too — has added its diagnostics)."""
        if self.source is None:
            return self
        supps, problems = directives_of(self)
        kept, gone, unused = apply_suppressions(self.diagnostics, supps, self.source)
        return attrs.evolve(self, diagnostics=_sorted(kept + problems + unused), suppressed=gone, source=None)

    @property
    def ok(self) -> bool:
        return self.program is not None and not has_errors(self.diagnostics)


SOUNDNESS_PASSES = (check_points, check_grades, check_absent, check_cohort, check_wording)
ROW_RELATIVE = {"E0501", "W0503", "I0502"}   # bounds against a fixed points value: not for rows


def check_text(text: str, name: str = "<rulebook>") -> CheckResult:
    """Every check of a rulebook (or library). Suppression directives are recorded, not
    applied: ``CheckResult.with_suppressions()`` applies them at the end."""
    try:
        rb, src, comments = parse_text(text, name)
        if isinstance(rb, ast.Library):
            return CheckResult(None, _sorted(check_library(rb)), suppressions=list(comments), source=src)
        if not isinstance(rb, ast.Rulebook):
            parse_text(text, name, expect="rulebook")      # says which kind of file it is
    except JixiaoError as e:
        return CheckResult(None, e.diagnostics)
    # the checks compute with the rulebook's own numbers (up to 60 digits): never in the
    # ambient 28-digit context
    with localcontext(Context(prec=120, Emin=-999999, Emax=999999)):
        prog, diags = resolve(rb)
        diags = check_lookalikes(rb) + list(diags)      # E0213 invisible characters, E0214 look-alike names
        if prog is None:
            return CheckResult(None, _sorted(diags), suppressions=list(comments), source=src)
        for p in SOUNDNESS_PASSES:
            diags.extend(p(prog))
        owners: dict = {}
        bdiags, ranges, unproven = check_bounds(prog, owners)
        if prog.cohort_inputs:
            set_ranges(prog, ranges)
        bdiags = [_at_call_site(prog, d, owners.get(id(d))) for d in bdiags]
        unproven = {k: _at_call_site(prog, d, owners.get(id(d))) for k, d in unproven.items()}
        diags.extend(bdiags)
        if not has_errors(diags):
            for part in prog.row_parts:
                for mprog in part.methods.values():
                    # divisors, tiers, checklists of each row method; its bounds are relative
                    # to the row's own 分值 (compiler.verify searches them, E0707 guards them)
                    rd, _r, _u = check_bounds(mprog)
                    diags.extend(d for d in rd if d.code not in ROW_RELATIVE)
    return CheckResult(prog, _sorted(diags), ranges, unproven, suppressions=list(comments), source=src)


def directives_of(result: CheckResult):
    from .suppress import directives
    return directives(result.suppressions, result.source)


def apply_suppressions(diags, supps, src):
    from .suppress import apply
    return apply(diags, supps, src)


def check_file(path) -> CheckResult:
    try:
        name, text = read_source(path)
    except JixiaoError as e:
        return CheckResult(None, e.diagnostics)
    return check_text(text, name)


def _call_sites(prog: ir.Program, owner: ir.Indicator | None = None) -> dict:
    """(file, start, end) of each node expanded from a method -> the call in the rulebook;
    with ``owner``, only the calls of that indicator's rule (a library line expanded at
    several calls belongs to the call of the indicator where it was found)."""
    main = prog.source_name
    out: dict = {}
    stack = []
    for ind in prog.walk() if owner is None else [owner]:
        stack.extend((e, None) for e in [ind.score, *(l.expr for l in ind.locals)] if e is not None)
    for loc in prog.globals if owner is None else []:
        stack.append((loc.expr, None))
    while stack:
        x, call = stack.pop()
        if x.origin is not None and x.origin.span is not None and x.origin.span.file.name == main:
            call = (x.origin.span, x.origin.name)
        if call is not None and x.span is not None and x.span.file.name != main:
            out.setdefault((x.span.file.name, x.span.start, x.span.end), call)
        for r in getattr(x, "rows", None) or ():
            if call is not None and r.span is not None and r.span.file.name != main:
                out.setdefault((r.span.file.name, r.span.start, r.span.end), call)
        stack.extend((c, call) for c in ir.children(x))
    return out


def _at_call_site(prog: ir.Program, d: Diagnostic, owner: ir.Indicator | None = None) -> Diagnostic:
    """A finding inside an expanded method is shown at the call in the rulebook (the
    library's line stays, as a secondary label): the call in ``owner``'s rule, where the
    finding was made, if known."""
    if not d.labels or any(l.span.file.name == prog.source_name for l in d.labels):
        return d
    sites = _call_sites(prog, owner) if owner is not None else {}
    if not sites:
        sites = _call_sites(prog)
    for l in d.labels:
        hit = sites.get((l.span.file.name, l.span.start, l.span.end))
        if hit is not None:
            span, name = hit
            return attrs.evolve(d, labels=(Label(span, tr(f"在此调用「{name}」", f"`{name}` called here")),)
                                + tuple(attrs.evolve(x, primary=False) for x in d.labels))
    return d


def check_library(lib: ast.Library) -> list[Diagnostic]:
    """A 方法库 on its own: imports found, names unique, and in each method every name a
    parameter, a value defined above it or a grade member (a bare name used as a tier key
    or compared for equality); calls to known functions or methods with the right number
    of arguments; defaults constant; a 得分 result. Types and units are checked where the
    method is called, with the caller's arguments."""
    diags: list[Diagnostic] = []
    methods = collect_methods(lib, diags)
    for it in lib.items:
        if isinstance(it, ast.Method):
            diags.extend(_check_method(it, methods))
    return diags


def _check_method(m: ast.Method, methods) -> list[Diagnostic]:
    out = []
    known = set()
    for p in m.params:
        if p.name.text in known:
            out.append(make("E0203", [Label(p.name.span, "")], name=p.name.text))
        known.add(p.name.text)
        if p.default is not None and _refs(p.default):
            out.append(make("E0210", [Label(p.default.span, tr("应为常数", "expected a constant"))], name=m.name.text,
                            reason_zh="的参数默认值须为常数", reason_en="needs constant parameter defaults"))
    result = False
    for st in m.body:
        value = getattr(st, "value", None) if not isinstance(st, ast.Require) else st.cond
        if value is None:
            continue
        enum_keys = _enum_keys(value)
        for ref in _refs(value):
            if ref.text not in known and id(ref) not in enum_keys:
                out.append(make("E0201", [Label(ref.span, tr("不是此方法的参数或中间值", "not a parameter or value of this method"))],
                                notes=[tr(f"方法「{m.name.text}」只能使用其参数和自身的中间值", f"method `{m.name.text}` sees only its parameters and its own values")],
                                name=ref.text))
        for call in _calls(value):
            f = call.func.text
            if f in FUNCS:
                continue
            if f not in methods:
                out.append(make("E0204", [Label(call.func.span, "")], name=f, reason_zh="不存在", reason_en="does not exist"))
                continue
            callee = methods[f][0]
            need = sum(p.default is None for p in callee.params)
            if not need <= len(call.args) <= len(callee.params):
                out.append(make("E0210", [Label(call.span, tr(f"给了 {len(call.args)} 个参数", f"{len(call.args)} given"))], name=f,
                                reason_zh=f"需要 {need}–{len(callee.params)} 个参数", reason_en=f"takes {need}–{len(callee.params)} arguments"))
        if isinstance(st, ast.Let):
            known.add(st.name.text)
        if isinstance(st, ast.ScoreRule):
            result = True
    if not result:
        out.append(make("E0210", [Label(m.name.span, "")], name=m.name.text, reason_zh="没有「得分 = …」",
                        reason_en="has no `得分 = …` result"))
    return out


def _refs(e):
    return [x for x in ast.walk(e) if isinstance(x, ast.Ref) and len(x.parts) == 1]


def _calls(e):
    return [x for x in ast.walk(e) if isinstance(x, ast.Call)]


def _enum_keys(e) -> set:
    """ids of bare names that can only be grade members: keys of value rows in tiers with
    a subject, and the right side of an equality."""
    out = set()
    for x in ast.walk(e):
        if isinstance(x, ast.Tiers) and x.subject is not None:
            out.update(id(r.key) for r in x.rows if r.kind == "value" and isinstance(r.key, ast.Ref))
        if isinstance(x, ast.Compare):
            for op, b in zip(x.ops, x.operands[1:]):
                if op in ("==", "!=") and isinstance(b, ast.Ref):
                    out.add(id(b))
    return out


def _sorted(diags):
    uniq, seen = [], set()
    for d in diags:
        key = (d.code, repr(sorted(d.args.items())), tuple((l.span.start, l.span.end) for l in d.labels))
        if key not in seen:
            seen.add(key)
            uniq.append(d)
    return sorted(uniq, key=Diagnostic.sort_key)
