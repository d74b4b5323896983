"""Runtime support for cohorts: the statistics of the units scored together (ranks,
averages, medians, extremes, counts, among all or within 同类) and the grade quotas.

Like runtime.py it uses only the standard library: ``codegen.standalone`` inlines it
into standalone modules where runtime.py imports it (the line marked below). It reads
the runtime's names through that import; inlined, they are simply the module's own.
"""
from .runtime import CONTEXT, ROUND_FLOOR, ZERO, _D, _localcontext  # jixiao: inlined-with-runtime


# ───────────── cohorts: statistics of the units scored together ─────────────

class Cohort:
    """The statistics of the units scored together, collected unit by unit (``add``) and
    computed once (``finish``); then ``value(k, u)`` is statistic ``k`` for unit ``u``.

    ``table``: the module's COHORT rows (name, func, peers, descending, dense, input
    index). What is kept between the passes is what the statistics need: for a rank, each
    unit's value; for a median, each kind's values; for an average, highest, lowest or
    count, a running sum, extreme and count per kind — and each unit's kind. A rank is 1
    for the best, ties sharing a rank, the next counting every unit before it (1, 1, 3),
    or with ``dense`` (顺延) following it (1, 1, 2); a position is rank ÷ the units ranked;
    an average is the exact sum divided once (40 significant digits); a median the middle
    value or the mean of the two middle ones. A unit without a value (不适用) gets its
    kind's statistic; None where no unit of its kind has a value, or it is left out."""

    def __init__(self, table):
        self.table = table
        self.kinds = []                    # per unit: its kind (one object per kind), or Cohort.OUT
        self._same = {}
        self.units = {k: [] for k, row in enumerate(table) if row[1] in ("rank", "position")}
        self.groups = [{} for _ in table]  # per statistic: kind -> [sum, n, max, min, values]
        self.result = None

    OUT = object()

    def add(self, key):
        """One unit's (subjects, kind) from ``_keys``, or None for a unit left out."""
        if key is None:
            self.kinds.append(Cohort.OUT)
            for lst in self.units.values():
                lst.append(None)
            return
        subjects, kind = key
        kind = self._same.setdefault(kind, kind)
        self.kinds.append(kind)
        for k, row in enumerate(self.table):
            v = subjects[k]
            g = kind if row[2] else None
            acc = self.groups[k].get(g)
            if acc is None:
                acc = self.groups[k][g] = [ZERO, 0, None, None, []]
            if k in self.units:
                self.units[k].append(v)
            if v is None:
                continue
            acc[1] += 1
            if k in self.units:
                continue
            func = row[1]
            if func == "mean":
                acc[0] += v
            elif func == "median":
                acc[4].append(v)
            elif func == "max":
                acc[2] = v if acc[2] is None or v > acc[2] else acc[2]
            elif func == "min":
                acc[3] = v if acc[3] is None or v < acc[3] else acc[3]

    def finish(self):
        out = []
        with _localcontext(CONTEXT):
            for k, (_name, func, peers, descending, dense, _ix) in enumerate(self.table):
                if k in self.units:
                    vals = self.units[k]
                    members = {}
                    for u, v in enumerate(vals):
                        if v is not None:
                            members.setdefault(self.kinds[u] if peers else None, []).append(u)
                    ranks = [None] * len(vals)
                    for idx in members.values():
                        idx.sort(key=vals.__getitem__, reverse=descending)
                        rank, prev, distinct = 0, None, 0
                        for pos, u in enumerate(idx):
                            v = vals[u]
                            if pos == 0 or v != prev:
                                distinct += 1
                                rank = distinct if dense else pos + 1
                                prev = v
                            ranks[u] = rank
                    self.units[k] = None           # the values are no longer needed
                    out.append(ranks)
                    continue
                per = {}
                for g, (total, n, hi, lo, xs) in self.groups[k].items():
                    if not n:
                        per[g] = None
                    elif func == "count":
                        per[g] = _D(n)
                    elif func == "mean":
                        per[g] = total / _D(n)
                    elif func == "median":
                        xs.sort()
                        per[g] = xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2
                        self.groups[k][g][4] = []
                    else:
                        per[g] = hi if func == "max" else lo
                out.append(per)
        self.result = out
        return self

    def value(self, k, u):
        kind = self.kinds[u]
        if kind is Cohort.OUT:
            return None
        r = self.result[k]
        func, peers = self.table[k][1], self.table[k][2]
        if func in ("rank", "position"):
            v = r[u]
            if v is None:
                return None
            if func == "rank":
                return _D(v)
            with _localcontext(CONTEXT):
                return _D(v) / _D(self.groups[k][kind if peers else None][1])
        return r.get(kind if peers else None)

    def size(self, k, u):
        """How many units have a value for statistic ``k`` among ``u``'s kind (or all)."""
        kind = self.kinds[u]
        acc = self.groups[k].get(kind if self.table[k][2] else None) if kind is not Cohort.OUT else None
        return acc[1] if acc is not None else 0


def cohort_values(keys, table):
    """The value of each statistic of the cohort for each unit (see ``Cohort``): ``keys``
    per unit, (subjects, kind) as ``_keys`` gives them or None for a unit left out.
    Returns one list per statistic, indexed like ``keys``."""
    c = Cohort(table)
    for key in keys:
        c.add(key)
    c.finish()
    return [[c.value(k, u) for u in range(len(keys))] for k in range(len(table))]


def apply_quotas(totals, grades, quotas):
    """Grade quotas (名额) over the units scored together: for each (band, share, fallback,
    ties) in order, at most ⌊n × share⌋ of the n units keep ``band``, the highest totals
    first; the others fall to ``fallback`` (where a later quota may count them). Tied
    totals at the cut are all pushed down (``ties`` "down": the quota is never exceeded)
    or all kept ("kept"). ``totals``/``grades`` per unit (None for a unit left out).
    Returns the new grades and, per unit pushed down, (band, places, rank by total, n)."""
    grades = list(grades)
    notes = {}
    scored = [u for u, t in enumerate(totals) if t is not None]
    n = len(scored)
    order = sorted(scored, key=lambda u: totals[u], reverse=True)
    rank, prev = {}, None
    for pos, u in enumerate(order):
        if pos == 0 or totals[u] != prev:
            r, prev = pos + 1, totals[u]
        rank[u] = r
    for band, share, fallback, ties in quotas:
        with _localcontext(CONTEXT):
            places = int((_D(n) * share).to_integral_value(ROUND_FLOOR))
        inside = [u for u in order if grades[u] == band]
        if len(inside) <= places:
            continue
        keep = places
        if places > 0 and totals[inside[places - 1]] == totals[inside[places]]:
            cut = totals[inside[places]]
            if ties == "down":
                while keep > 0 and totals[inside[keep - 1]] == cut:
                    keep -= 1
            else:
                while keep < len(inside) and totals[inside[keep]] == cut:
                    keep += 1
        for u in inside[keep:]:
            grades[u] = fallback
            notes[u] = (band, places, rank[u], n)
    return grades, notes
