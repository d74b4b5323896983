"""The check driver: parse -> resolve (names, types, units) -> points -> bounds -> grades.

Passes are plain functions; diagnostics of one pass are all collected. Syntax errors
stop everything; after name and type errors the soundness passes still run, leaving
alone the indicators whose rules had errors (``Indicator.broken``), so that one
misspelt name does not hide a gap in the grade bands.
"""
from __future__ import annotations

from decimal import Context, localcontext

import attrs

from . import ir
from .checks.bounds import check_bounds
from .checks.grades import check_grades
from .checks.points import check_points
from .checks.resolve import resolve
from .diagnostics import Diagnostic, JixiaoError, has_errors
from .parser import parse_text, read_source


@attrs.define
class CheckResult:
    program: ir.Program | None
    diagnostics: list[Diagnostic]
    ranges: dict = attrs.field(factory=dict)   # indicator index -> proven Interval
    unproven: dict = attrs.field(factory=dict)  # indicator index -> E0501 (bounds not proven by intervals)

    @property
    def ok(self) -> bool:
        return self.program is not None and not has_errors(self.diagnostics)


SOUNDNESS_PASSES = (check_points, check_grades)


def check_text(text: str, name: str = "<rulebook>") -> CheckResult:
    try:
        rb, _src, _comments = parse_text(text, name, expect="rulebook")
    except JixiaoError as e:
        return CheckResult(None, e.diagnostics)
    # the checks compute with the rulebook's own numbers (up to 60 digits): never in the
    # ambient 28-digit context
    with localcontext(Context(prec=120, Emin=-999999, Emax=999999)):
        prog, diags = resolve(rb)
        if prog is None:
            return CheckResult(None, _sorted(diags))
        for p in SOUNDNESS_PASSES:
            diags.extend(p(prog))
        bdiags, ranges, unproven = check_bounds(prog)
        diags.extend(bdiags)
    return CheckResult(prog, _sorted(diags), ranges, unproven)


def check_file(path) -> CheckResult:
    try:
        name, text = read_source(path)
    except JixiaoError as e:
        return CheckResult(None, e.diagnostics)
    return check_text(text, name)


def _sorted(diags):
    uniq, seen = [], set()
    for d in diags:
        key = (d.code, d.message, tuple((l.span.start, l.span.end) for l in d.labels))
        if key not in seen:
            seen.add(key)
            uniq.append(d)
    return sorted(uniq, key=Diagnostic.sort_key)
