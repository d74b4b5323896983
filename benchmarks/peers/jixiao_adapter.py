"""jixiao as a peer of /work/shared/bench/peers (installed there as adapters/template_project.py
by benchmarks/peers/run_with_jixiao.sh; the rulebook goes to rules/project.jx).

Two columns:

* ``project``: the public API path -- ``rb.validate(unit)`` (type and range checks,
  Decimal conversion of the unit's ints) then ``run(values)`` (which enters the
  evaluation's decimal context itself).  This is what an embedding application calls.
* ``project-run``: the evaluator alone.  The adapter turns the unit's dict into the
  value list with ``Decimal(int)`` and no checks; ``one`` calls ``run`` (a decimal context
  per call), ``batch`` enters the context once and calls the generated ``_fast``.

The only glue both need: data.py gives the 8 compliance checks as booleans c1..c8, the
rulebook declares them as one checklist ``checks`` (the language's type for 评价要点).
``compile`` is ``compile_rulebook`` of the rules text with the cache cleared, so the
setup columns show a real compile.
"""
from decimal import Decimal
from decimal import localcontext

from harness import Peer

from jixiao.compiler import api
from jixiao.compiler.backend.runtime import CONTEXT

CHECKS = ("c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8")


def compile_rules(text):
    api._CACHE.clear()
    rb = api.compile_rulebook(text, name="project.jx")
    return rb, rb.validate, rb.evaluator.run, rb.evaluator.fast, _converter(rb)


def _converter(rb):
    """unit dict -> the validated value list, without validation (project-run)."""
    getters = []
    for inp in rb.program.inputs:
        if inp.name == "checks":
            getters.append(lambda u: (u["c1"], u["c2"], u["c3"], u["c4"], u["c5"], u["c6"], u["c7"], u["c8"]))
        elif inp.kind == "grade":
            getters.append(lambda u, n=inp.name: u[n])
        else:
            getters.append(lambda u, n=inp.name: Decimal(u[n]))
    getters = tuple(getters)
    return lambda u: [g(u) for g in getters]


def one_api(state, u):
    _rb, validate, run, _fast, _conv = state
    raw = dict(u)
    raw["checks"] = (u["c1"], u["c2"], u["c3"], u["c4"], u["c5"], u["c6"], u["c7"], u["c8"])
    _scores, total, grade, _na = run(validate(raw))
    return total, grade


def one_run(state, u):
    _scores, total, grade, _na = state[2](state[4](u))
    return total, grade


def batch_run(state, units):
    fast, conv = state[3], state[4]
    totals, grades = [], []
    with localcontext(CONTEXT):
        for u in units:
            _scores, total, grade, _na = fast(conv(u))
            totals.append(total)
            grades.append(grade)
    return totals, grades


PEERS = {
    "project": Peer(name="jixiao (validate + run)", compile=compile_rules, one=one_api,
                    rules_file="project.jx", packages=("jixiao", "lark"),
                    fmt="jixiao rulebook (.jx), compiled to Python/Decimal",
                    note="public API: rb.validate(dict) + run(values)"),
    "project-run": Peer(name="jixiao (run only)", compile=compile_rules, one=one_run, batch=batch_run,
                        rules_file="project.jx", packages=("jixiao", "lark"),
                        fmt="jixiao rulebook (.jx), compiled to Python/Decimal",
                        note="values built without validation; batch: _fast in one decimal context"),
}
