"""Cohort rules in SQL (a part of compile.Compiler): the statistics of the units scored
together as window functions over the whole table, and the grade quotas (名额) by ranking
the totals.

Which rows are in the cohort is the Python path's rule (``data/cohort.py``): a row whose
cells are valid, whose 核对 hold and on which the subjects of the statistics (and the
indicators they read) evaluate without error; a bad row is left out. The query cannot
tell, of a cell not in the plain form it reads (``1,200``, ``９６％``), whether the Python
path takes it: such a cell anywhere in the table (or more than NMAX rows) leaves every
row unscored (``有效`` false), so the caller scores the whole table on the Python path.

Each statistic takes three layers: the unit's subject (an exact fraction), whether it is
in the cohort and has a value; then the windows, partitioned by that and, for a 同类 one,
by the kind; then the values picked from the windows:

- 排名: ``rank()`` (并列: 1, 1, 3) or ``dense_rank()`` (顺延: 1, 1, 2) over the subject's
  exact order key; 排名位次 the rank over the number of units ranked, a fraction;
- 单位数, 平均: a count and an exact sum over the window, the average the fraction
  sum ÷ (denominator × count) — exact where the subject's denominator is a constant; an
  average of a ratio (a run-time denominator) has no exact bounded form and is refused;
- 最高, 最低, 中位数: the values at the ends or the middle of ``row_number()`` order
  (the median of an even count the mean of the two middle ones);
- 按同类平均得分计: the average of the indicator's score (rounded to 精度) among the
  peers whose rule gives one, 不适用 where none does.

An order key is exact: a constant-denominator subject's numerator itself; a ratio
``n / d`` (d in [1, D]) the digits of its expansion in base M, ``floor(n / d)`` then
``floor(r·M / d)`` … until M^L ≥ D², where two different values differ in some digit.
"""
from __future__ import annotations

import math
from fractions import Fraction

from ....dsl import ir

from .values import Layer, NAv, Num, _refuse, fmt_sql

LIMIT_TOP = 10 ** 38
NMAX = 10 ** 8           # the most units one query ranks: more take the Python path


class CohortBuilder:
    """Mixed into :class:`Compiler` (compile.py) before LayerBuilder."""

    # ── the items: a statistic is an item three layers deep ──
    def items(self) -> list:
        out = super().items()
        if self.p.has_cohort:
            self.ok_of = {}
            out += [("stat", ("C", inp.cohort.index), inp) for inp in self.p.cohort_inputs]
        return out

    def _stat_refs(self, e) -> set:
        out = set()
        for x in ir.walk(e):
            if isinstance(x, ir.InputRef) and x.input.cohort is not None:
                out.add(("C", x.input.cohort.index))
            elif isinstance(x, ir.PeerScore):
                out.add(("C", x.input.cohort.index))
        return out

    def deps_of(self, item) -> set:
        kind, key, obj = item
        if kind != "stat":
            out = super().deps_of(item)
            e = {"local": lambda: obj.expr, "raw": lambda: obj.score, "present": lambda: obj.only_if,
                 "verify": lambda: obj.cond}.get(kind, lambda: None)()
            return out | (self._stat_refs(e) if e is not None else set())
        st = obj.cohort
        out = {("P", i.index) for i in self.p.inputs if i.only_if is not None}
        out |= {("V", n) for n in range(len(self.p.verifies))}
        for e in self._subject_exprs(st):
            out |= super().deps_of(("local", None, _Expr(e)))
            if self._stat_refs(e) - ({key} if st.fallback_of is not None else set()):
                _refuse(st.span, "统计值之中的统计值", "a statistic of a statistic")
        return out

    def _subject_exprs(self, st) -> list:
        if st.fallback_of is not None:
            return [st.fallback_of.score]
        return [st.subject] if st.subject is not None else []

    def depth_of(self, item, ds: list) -> int:
        if item[0] == "stat":            # its subject, its windows, its values: three layers, after the _okin one
            return 3 + max(ds, default=0)
        return super().depth_of(item, ds)

    def compile_item(self, item, layer: Layer):
        if not self.p.has_cohort:
            return super().compile_item(item, layer)
        before = len(self.okcols)
        if item[0] == "stat":
            k = next(n for n, x in enumerate(self._layers) if x is layer)
            self.compile_stat(item[2], self._layers[k - 2], self._layers[k - 1], layer)
        else:
            super().compile_item(item, layer)
        self.ok_of[item[1]] = self.okcols[before:]
        if item[0] == "stat":          # a unit on which a subject fails is a bad row (as _keys raising)
            del self.okcols[before:]
            self.okcols.append(f"_zm{item[2].cohort.index}")

    # ── reading a statistic ──
    def peer_score(self, e: ir.PeerScore):
        if getattr(self, "keys_mode", False):       # the unit's own score, before the statistics: unknown
            return NAv()
        return self.inputs[e.input.index]

    def _closure_ok(self, exprs) -> list:
        """The guard columns of what the Python path's ``_keys`` computes for ``exprs``: the
        case's checks and the indicators the expressions read (with theirs)."""
        cols = ["_okin"] if "_okin" in self.okcols else []
        for key, oks in self.ok_of.items():
            if key[0] in ("P", "V"):
                cols += oks
        seen: set = set()

        def want(ind):
            if ind.index in seen:
                return
            seen.add(ind.index)
            cols.extend(self.ok_of.get(("R", ind.index), []) + self.ok_of.get(("S", ind.index), []))
            for d in ind.children + ind.depends:
                want(d)
            for e in [ind.score] + [loc.expr for loc in ind.locals]:
                for x in ir.walk(e, into_locals=True) if e is not None else ():
                    if isinstance(x, ir.ScoreRef):
                        want(x.indicator)
        for e in exprs:
            for x in ir.walk(e, into_locals=True):
                if isinstance(x, ir.ScoreRef):
                    want(x.indicator)
        return cols

    def compile_stat(self, inp: ir.Input, L0: Layer, L1: Layer, L2: Layer) -> None:
        st = inp.cohort
        j, d = st.index, self.d
        self.guards, self.path = [], None
        na = None
        if st.func == "count":
            v = None
        elif st.fallback_of is not None:            # 按同类平均得分计: the score by its rule, in keys mode
            ind = st.fallback_of
            self.keys_mode = True
            try:
                raw = self.ev(ind.score)
            finally:
                self.keys_mode = False
            if isinstance(raw, NAv):
                raw = Num(self.lit(0), 0, 0, na="TRUE")
            self.need_num(raw, ind.score)
            na = raw.na
            s, lo, hi = self.round_to(raw, self.scale, self.st, self.p.rounding, ind.score)
            pmax = math.floor(Fraction(ind.points) * 10 ** self.scale)
            if lo < 0 or hi > pmax:               # E0704 in _keys: the unit is left out
                self.guard(f"({na} OR ({s} >= 0 AND {s} <= {self.lit(pmax)}))" if na else
                           f"({s} >= 0 AND {s} <= {self.lit(pmax)})")
                lo, hi = max(lo, 0), min(hi, pmax)
            v = Num(s, lo, hi, 10 ** self.scale)
        else:
            v = self.ev(st.subject)
            self.need_num(v, st.subject)
            sub = st.subject
            if v.na or (isinstance(sub, ir.ScoreRef) and self.NA.get(sub.indicator.index)):
                _refuse(st.span, "可能不适用的值的统计", "a statistic of a value that may be not applicable")
        member = " AND ".join(["TRUE"] + self._closure_ok(self._subject_exprs(st)) + self.guards)
        L0.columns.append((f"_zm{j}", f"COALESCE({member}, FALSE)"))
        if na is not None:           # (no column of a layer reads another of the same layer: PostgreSQL, Spark)
            L0.columns.append((f"_zh{j}", f"(COALESCE({member}, FALSE) AND NOT COALESCE({na}, FALSE))"))
        has = f"_zh{j}" if na is not None else f"_zm{j}"
        kind = f", _x{self.p.peers.index}" if st.peers else ""
        by_has, by_mem = f"PARTITION BY {has}{kind}", f"PARTITION BY _zm{j}{kind}"
        if v is not None:
            L0.columns.append((f"_zn{j}", v.n))
            if v.ds is not None:
                L0.columns.append((f"_zd{j}", v.ds))
        I = d.int_type

        def keys(desc: bool) -> str:
            return ", ".join(f"{k} {'DESC' if desc else 'ASC'}" for k in self._order_keys(v, j, L0))
        f = st.func
        if f in ("rank", "position"):
            fn = "dense_rank" if st.dense else "rank"
            L1.columns.append((f"_zr{j}", f"CAST({fn}() OVER ({by_has} ORDER BY {keys(st.descending)}) AS {I})"))
            if f == "rank":
                val = Num(f"_zr{j}", 1, NMAX)
            else:
                L1.columns.append((f"_zc{j}", f"CAST(count(*) OVER ({by_has}) AS {I})"))
                val = Num(f"_zr{j}", 1, NMAX, 1, f"_zc{j}", NMAX)
        elif f == "count":
            L1.columns.append((f"_zc{j}", f"CAST(count(*) OVER ({by_mem}) AS {I})"))
            val = Num(f"_zc{j}", 1, NMAX)
        elif f == "mean":
            if v.ds is not None:
                _refuse(st.span, "比值（运行时的除数）的平均：其精确值无法用有界整数表示",
                        "an average of a ratio (a divisor known at run time): its exact value has no bounded integer form")
            self.check(max(abs(v.lo), abs(v.hi)) * NMAX, st)
            L1.columns.append((f"_zs{j}", f"sum(CASE WHEN {has} THEN _zn{j} ELSE {self.lit(0)} END) OVER ({by_mem})"))
            L1.columns.append((f"_zc{j}", f"CAST(sum(CASE WHEN {has} THEN 1 ELSE 0 END) OVER ({by_mem}) AS {I})"))
            L2.columns.append((f"_zq{j}", f"(CASE WHEN _zc{j} = 0 THEN {self.lit(1)} ELSE _zc{j} END)"))
            val = Num(f"_zs{j}", min(v.lo, 0) * NMAX, max(v.hi, 0) * NMAX, v.dc, f"_zq{j}", NMAX,
                      na=f"(_zc{j} = 0)" if na is not None else None)
        else:                                         # max, min, median: the values at places of the order
            L1.columns.append((f"_zo{j}", f"row_number() OVER ({by_has} ORDER BY {keys(False)})"))
            L1.columns.append((f"_zt{j}", f"count(*) OVER ({by_has})"))
            places = {"min": ["1"], "max": [f"_zt{j}"],
                      "median": [d.tdiv(f"(_zt{j} + 1)", "2"), f"({d.tdiv(f'_zt{j}', '2')} + 1)"]}[f]
            picked = []
            for m, pos in enumerate(places):
                def pick(col, m=m, pos=pos):
                    return f"max(CASE WHEN {has} AND _zo{j} = {pos} THEN {col} END) OVER ({by_mem})"
                L2.columns.append((f"_zp{j}_{m}", pick(f"_zn{j}")))
                ds = None
                if v.ds is not None:
                    L2.columns.append((f"_zp{j}_{m}d", pick(f"_zd{j}")))
                    ds = f"_zp{j}_{m}d"
                picked.append(Num(f"_zp{j}_{m}", v.lo, v.hi, v.dc, ds, v.dmax))
            val = picked[0] if len(picked) == 1 else \
                self.mul(self.const(Fraction(1, 2)), self.add(picked[0], picked[1], 1, st), st)
        self.inputs[inp.index] = val
        self.stat_cols.append((inp, val))

    # ── the table's own checks, the quotas and the statistics' columns ──
    def cohort_cells(self, first: Layer) -> None:
        """Columns of the first layer saying which cells are given (not empty), to tell a
        cell the query does not read from one left empty."""
        for inp in self.p.inputs:
            if inp.cohort is None:
                cell = self.cells(inp)
                for m, c in enumerate(cell if isinstance(cell, list) else [cell]):
                    first.columns.append((f"_ne{inp.index}_{m}", f"NOT ({c} IS NULL OR {c} = '')"))

    def _unread(self) -> str:
        """SQL: the row has a cell given but not read (not in the plain form)."""
        parts = []
        for inp in self.p.inputs:
            if inp.cohort is not None:
                continue
            i = inp.index
            if inp.kind == "checklist":
                cell = self.cells(inp)
                n = len(inp.members)
                if isinstance(cell, list):
                    parts += [f"(_ne{i}_{m} AND _x{i}_{m} IS NULL)" for m in range(n)]
                else:
                    parts.append(f"(_ne{i}_0 AND (" + " OR ".join(f"_x{i}_{m} IS NULL" for m in range(n)) + "))")
            else:
                parts.append(f"(_ne{i}_0 AND _x{i} IS NULL)")
        return "(" + " OR ".join(parts) + ")" if parts else "FALSE"

    def cohort_final(self, layers: list) -> None:
        """After the grade: the rows scored (``_okr``), whether the whole table is read
        (``_uns``: a cell not read, or too many rows, and no row is scored here), the grade
        quotas (a layer of windows each) and the columns of the statistics."""
        p, d, I = self.p, self.d, self.d.int_type
        ok_rows = " AND ".join(f"COALESCE({c}, FALSE)" for c in self.okcols) or "TRUE"
        layers.append(Layer([("_okr", f"({ok_rows})")]))
        cols = [("_qn", f"CAST(sum(CASE WHEN _okr THEN 1 ELSE 0 END) OVER () AS {I})"),
                ("_uns", f"(max(CASE WHEN {self._unread()} THEN 1 ELSE 0 END) OVER () > 0 "
                         f"OR count(*) OVER () > {NMAX})")]
        if p.quotas:
            cols += [("_qr", f"CAST(rank() OVER (PARTITION BY _okr ORDER BY _tot DESC) AS {I})"), ("_qw0", "-1")]
        layers.append(Layer(cols))
        names = [b.name for b in p.grades]
        g = self.grade_ix
        notes = []
        for m, q in enumerate(p.quotas):
            bi, fi = names.index(q.band), names.index(q.fallback)
            layers.append(Layer([(f"_qb{m}", f"(_okr AND {g} = {bi})")]))
            fr = Fraction(q.share)
            places = d.tdiv(f"(_qn * {self.lit(fr.numerator)})", self.lit(fr.denominator))
            better = f"(rank() OVER (PARTITION BY _qb{m} ORDER BY _tot DESC) - 1)"
            tied = f"count(*) OVER (PARTITION BY _qb{m}, _tot)"
            # 同分均降: a unit keeps the band when it and every unit tied with it fit in the places;
            # 同分均保留: when the units above it leave a place
            keep = f"({better} + {tied} <= {places})" if q.ties == "down" else f"({better} < {places})"
            layers.append(Layer([(f"_qp{m}", places), (f"_qx{m}", f"COALESCE(_qb{m} AND NOT {keep}, FALSE)")]))
            layers.append(Layer([(f"_gq{m}", f"(CASE WHEN _qx{m} THEN {fi} ELSE {g} END)"),
                                 (f"_qw{m + 1}", f"(CASE WHEN _qx{m} THEN {m} ELSE _qw{m} END)")]))
            g = f"_gq{m}"
            notes.append((m, q))
        self.grade_ix = g
        self.grade_sql = "(CASE " + " ".join(f"WHEN {g} = {k} THEN {d.string(nm)}" for k, nm in enumerate(names)) + " END)"
        layers.append(Layer([("_okc", "(NOT _uns)")]))
        self.okcols.append("_okc")
        # the statistics as the Python path writes them (6 decimals, half-even), and the quota's note
        extra = []
        for inp, val in self.stat_cols:
            s, lo, hi = self.round_to(val, 6, 1, "half_even", inp.cohort)
            text = fmt_sql(d, s, 6, (lo, hi))
            extra.append((inp.name, f"(CASE WHEN {val.na} THEN '' ELSE {text} END)" if val.na else text))
        if p.quotas:
            t = d.to_text
            grade = self.grade_sql
            whens = " ".join(
                f"WHEN {m} THEN '按总分排名第' || {t('_qr')} || '/' || {t('_qn')} || '，' || {d.string(q.band)} "
                f"|| '名额' || {t(f'_qp{m}')} || '个，评为' || {grade}" for m, q in notes)
            last = f"_qw{len(notes)}"
            extra.append(("名额", f"(CASE {last} {whens} ELSE '' END)"))
        self.extra = extra

    def _order_keys(self, v: Num, j: int, L0: Layer) -> list:
        """SQL keys (over the subject layer's columns) whose lexicographic order is the exact
        order of the subjects' values, equal exactly where the values are."""
        if v.ds is None:
            return [f"_zn{j}"]
        d, D = self.d, v.dtop
        L0.columns.append((f"_zw{j}", v.den(d)))
        n, w = f"_zn{j}", f"_zw{j}"
        digits = 37 - len(str(D))
        if digits < 1:
            self.check(LIMIT_TOP, v)
        M = 10 ** digits
        levels = 1
        while M ** levels < D * D:
            levels += 1
        out = [self.floordiv(n, w)]
        r = d.mod(f"({d.mod(n, w)} + {w})", w)          # the remainder of the floor division, in [0, w)
        for _level in range(levels):
            x = f"({r} * {self.lit(M)})"
            out.append(d.tdiv(x, w))
            r = d.mod(x, w)
        return out


class _Expr:
    """An expression seen as a local's (for LayerBuilder.deps_of)."""

    def __init__(self, e):
        self.expr = e
