"""The one place generated Python is compiled and executed.

Generated source is registered in :mod:`linecache` under a name made of the rulebook's
name and the source's hash (tracebacks and debuggers show the generated lines), compiled
once, and executed in a namespace that holds only what :data:`runtime.EXPORTS` declares
generated code may use, plus the constants the generator passes in. The result is a
typed object: callers use its attributes, never the namespace.
"""
from __future__ import annotations

import hashlib
import linecache
import re
from typing import Any, Callable, Mapping, Optional

import attrs

from . import runtime

_UNSAFE = re.compile(r"[^\w.\-]+")


def _filename(kind: str, name: str, source: str) -> str:
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()[:16]
    shown = _UNSAFE.sub("_", name)[:60]          # a rulebook's name, harmless in a file name
    return f"<jixiao {kind} {shown} {digest}>"


def execute(source: str, *, kind: str, name: str = "", constants: Optional[Mapping[str, Any]] = None) -> dict:
    """Compile and run ``source`` with the runtime's exports and ``constants``; returns
    its namespace. For generated code only (``codegen`` and the batch row converter)."""
    filename = _filename(kind, name, source)
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    ns: dict = {n: getattr(runtime, n) for n in runtime.EXPORTS}
    if constants:
        ns.update(constants)
    ns["__name__"] = filename.strip("<>").replace(" ", "_")
    ns["__builtins__"] = __builtins__
    exec(compile(source, filename, "exec"), ns)
    return ns


@attrs.frozen
class Evaluator:
    """A rulebook's generated module, loaded.

    ``run(values, overrides=None, trace=None)`` scores validated values (the fast path
    unless a trace or overrides are asked for); ``fast(values)`` is the plain path alone
    (raises ArithmeticError where ``run`` would locate the error); ``full(values,
    overrides, trace)`` the traced path; ``grade_of(total)`` the bands alone; ``inputs``
    the validation table of ``runtime.validate``; ``indicators``, ``locals``, ``grades``
    name what the scores, trace events and grades index; ``spans`` / ``span_files`` map a
    span number of an event or error to (start, end, file number) / file names;
    ``optional`` names the inputs a case may leave out (``runtime.validate``'s third argument)."""
    source: str = attrs.field(repr=False)
    filename: str
    run: Callable
    fast: Callable
    full: Callable
    grade_of: Callable
    evaluate: Callable
    inputs: tuple
    indicators: tuple
    locals: tuple
    grades: tuple
    spans: tuple
    span_files: tuple
    optional: tuple = ()               # inputs a case may leave out (仅当, 评定得分)
    keys: Optional[Callable] = None    # cohort rulebooks: _keys(values) -> (subjects, kind)
    cohort: tuple = ()                 # (name, func, peers, descending, dense, input index) per statistic
    quotas: tuple = ()                 # (band, share, fallback, ties) per grade quota
    evaluate_all: Optional[Callable] = None   # cohort rulebooks: every unit of a cohort at once


def load(source: str, name: str = "") -> Evaluator:
    """Load a module written by :func:`codegen.generate`."""
    ns = execute(source, kind="rulebook", name=name)
    return Evaluator(source, _filename("rulebook", name, source), ns["run"], ns["_fast"], ns["_full"],
                     ns["grade_of"], ns["evaluate"], ns["INPUTS"], ns["INDICATORS"], ns["LOCALS"],
                     ns["GRADES"], ns["SPANS"], ns["SPAN_FILES"], ns.get("OPTIONAL", ()), ns.get("_keys"),
                     ns.get("COHORT", ()), ns.get("QUOTAS", ()), ns.get("evaluate_all"))


def load_program(prog, checks: bool = True) -> Evaluator:
    """Generate and load the evaluator of a checked program (``checks=False``: see
    ``codegen.generate``)."""
    from .codegen import generate
    return load(generate(prog, checks), prog.source_name)
