"""The reference interpreter for a cohort (units scored together): each unit's
subjects evaluated on its own values, every statistic of each unit recomputed from its
definition (rank with its tie rule, average, median, min, max, count; among all units
or its 同类), each unit scored with them, then the grade quotas. Independent of the
generated ``evaluate_all`` it is tested against (tests/property/test_cohort_property.py)."""
from __future__ import annotations

from decimal import Decimal, localcontext

from ...dsl import ir

from ..backend import runtime
from .interpreter import ZERO, Interpreter, _signed, _sum


# ───────────── cohorts ─────────────

def _subjects(it: Interpreter, values: list):
    """What a unit contributes to the statistics: (subjects, kind), each subject evaluated
    on the unit's own values (a score by its rule, 不适用 as None), after the case's checks."""
    prog = it.prog
    it.values, it.T, it.keys_mode = list(values), None, True
    it.ind, it.memo, it.scores, it.item = -1, {}, {}, {}
    na = set()
    exclude = prog.na_policy == "exclude"

    def score(ind):
        if ind.index in it.scores:
            return it.scores[ind.index]
        for d in ind.children + ind.depends:
            score(d)
        if ind.score is None:
            kids = [score(c) for c in ind.children]
            v = _signed(ind.children, it.scores) if ind.sums_with_signs else _sum(kids)
        else:
            for x in ir.walk(ind.score, into_locals=True):
                if isinstance(x, ir.ScoreRef) and x.indicator is not ind:
                    score(x.indicator)
            it.ind, it.memo, it.picked = ind.index, {}, False
            raw = it.ev(ind.score, set())
            if raw is None:
                na.add(ind.index)
                v = ZERO if exclude else it.round(ind.points)
            else:
                v = it.round(raw)
        it.scores[ind.index] = v
        return v
    with localcontext(runtime.CONTEXT):
        it.case_checks()
        out = []
        for inp in prog.cohort_inputs:
            sub = inp.cohort.subject
            if sub is None:
                out.append(True)
                continue
            for x in ir.walk(sub, into_locals=True):
                if isinstance(x, ir.ScoreRef):
                    score(x.indicator)
            it.ind, it.memo = -1, {}
            if isinstance(sub, ir.ScoreRef) and sub.indicator.index in na:
                out.append(None)
            else:
                out.append(it.ev(sub, set()))
    it.keys_mode = False
    kind = values[prog.peers.index] if prog.peers is not None else None
    return tuple(out), kind


def _statistic(st: ir.CohortStat, mine, kind, keys, k):
    """One statistic for one unit, straight from its definition (quadratic, for clarity)."""
    peers = [key[0][k] for key in keys if key is not None and (not st.peers or key[1] == kind)]
    have = [v for v in peers if v is not None]
    if st.func in ("rank", "position"):
        if mine is None:
            return None
        better = (lambda v: v > mine) if st.descending else (lambda v: v < mine)
        rank = 1 + (len({v for v in have if better(v)}) if st.dense else sum(1 for v in have if better(v)))
        return Decimal(rank) if st.func == "rank" else Decimal(rank) / Decimal(len(have))
    if not have:
        return None
    if st.func == "count":
        return Decimal(len(have))
    if st.func == "mean":
        total = ZERO
        for v in have:
            total += v
        return total / Decimal(len(have))
    if st.func == "median":
        xs = sorted(have)
        n = len(xs)
        return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
    return max(have) if st.func == "max" else min(have)


def interpret_cohort(program: ir.Program, units: list) -> list:
    """Score validated ``units`` (each a list of input values) together: each unit's
    subjects, then every statistic of each unit from its definition, then each unit with
    them; then the grade quotas. Returns per unit (scores, total, grade, na) or the
    EvaluationError that stopped it (a unit stopped before its subjects is out of the cohort)."""
    it = Interpreter(program)
    keys, out = [], []
    for values in units:
        try:
            keys.append(_subjects(it, values))
        except runtime.EvaluationError as e:
            keys.append(e)
        except ArithmeticError:
            keys.append(runtime.arithmetic_error(-1, "?"))
    good = [k if not isinstance(k, Exception) else None for k in keys]
    stats = program.cohort_inputs
    for u, values in enumerate(units):
        if isinstance(keys[u], Exception):
            out.append(keys[u])
            continue
        vals = list(values)
        with localcontext(runtime.CONTEXT):
            for k, inp in enumerate(stats):
                vals[inp.index] = _statistic(inp.cohort, keys[u][0][k], keys[u][1], good, k)
        try:
            scores, total, grade, na, _t = it.run(vals)
            out.append((scores, total, grade, na))
        except runtime.EvaluationError as e:
            out.append(e)
    done = [u for u, r in enumerate(out) if not isinstance(r, Exception)]
    n = len(done)
    for q in program.quotas:
        places = q.places(n)
        band = [u for u in done if out[u][2] == q.band]
        moved = []
        for u in band:
            mine = out[u][1]
            better = sum(1 for v in band if out[v][1] > mine)
            tied = sum(1 for v in band if out[v][1] == mine)
            keep = better + tied <= places if q.ties == "down" else better < places
            if not keep:
                moved.append(u)
        for u in moved:
            s, t, _g, na = out[u]
            out[u] = (s, t, q.fallback, na)
    return out
