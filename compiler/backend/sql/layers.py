"""The query's layers (a part of compile.Compiler): each indicator compiled in the layer
its dependencies allow, not-applicable flags, and the total, rescaling and grade at the
end."""
from __future__ import annotations

import math
from fractions import Fraction


from ....dsl import ir

from .values import Bool, Enum, Layer, NAv, Num, _refuse, _round_frac

# ───────────── values ─────────────

# ───────────── the plan ─────────────

class LayerBuilder:
    """Mixed into :class:`Compiler` (compile.py); uses its state and the rest of its translation."""

    def items(self) -> list:
        """(kind, key, object): locals, raw scores of ruled indicators, rounded scores."""
        out = []
        for inp in self.p.inputs:
            if inp.only_if is not None:
                out.append(("present", ("P", inp.index), inp))
        for n, v in enumerate(self.p.verifies):
            out.append(("verify", ("V", n), v))
        for n, loc in enumerate(self.locals):
            out.append(("local", ("L", n), loc))
        for ind in self.p.walk():
            if ind.score is not None:
                out.append(("raw", ("R", ind.index), ind))
            out.append(("score", ("S", ind.index), ind))
        return out

    def deps_of(self, item) -> set:
        kind, key, obj = item
        if kind == "score":
            if obj.score is not None:
                return {("R", obj.index)}
            return {("S", c.index) for c in obj.children}
        e = {"local": lambda: obj.expr, "raw": lambda: obj.score, "present": lambda: obj.only_if,
             "verify": lambda: obj.cond}[kind]()
        out = set()
        for x in ir.walk(e):
            if isinstance(x, ir.LocalRef):
                out.add(("L", self.local_ix[id(x.local)]))
            elif isinstance(x, ir.ScoreRef):
                out.add(("S", x.indicator.index))
            elif isinstance(x, ir.SubtotalRef) and x.indicator is not None:
                out.update(("S", c.index) for c in x.indicator.children)
            elif isinstance(x, ir.TotalRef):
                _refuse(x.span, "指标规则中的总分", "总分 read by an indicator's rule")
        return out

    def depth_of(self, item, ds: list) -> int:
        """The layer of an item after those it reads (their depths ``ds``)."""
        return 1 + max(ds) if ds else 0

    def depths(self, items) -> dict:
        by = {it[1]: it for it in items}
        deps = {it[1]: self.deps_of(it) for it in items}
        depth: dict = {}

        def visit(k, stack=()):
            if k in depth:
                return depth[k]
            if k in stack:
                raise AssertionError("cycle")
            ds = [visit(x, stack + (k,)) for x in deps[k] if x in by]
            depth[k] = self.depth_of(by[k], ds)
            return depth[k]
        for k in by:
            visit(k)
        return depth

    def compile_item(self, item, layer: Layer):
        kind, key, obj = item
        self.guards, self.path = [], None
        if kind in ("present", "verify"):
            c = self.ev(obj.only_if if kind == "present" else obj.cond)
            if not isinstance(c, Bool):
                _refuse(obj.span, "此种条件", "a condition of this kind")
            alias = f"_pr{obj.index}" if kind == "present" else f"_ck{key[1]}"
            cond = f"(_given{obj.index} = {c.sql})" if kind == "present" else c.sql
            layer.columns.append((alias, "(" + " AND ".join([cond] + self.guards) + ")"))
            self.okcols.append(alias)
            return
        if kind == "local":
            n = key[1]
            v = self.ev(obj.expr)
            if isinstance(v, Num):
                if v.na:
                    _refuse(obj.span, "不适用的中间值", "a not-applicable intermediate value")
                layer.columns.append((f"_v{n}", v.n))
                ds = None
                if v.ds is not None:
                    layer.columns.append((f"_v{n}d", v.ds))
                    ds = f"_v{n}d"
                self.local_val[n] = Num(f"_v{n}", v.lo, v.hi, v.dc, ds, v.dmax, v.c)
            elif isinstance(v, Bool):
                layer.columns.append((f"_v{n}", v.sql))
                self.local_val[n] = Bool(f"_v{n}")
            elif isinstance(v, Enum):
                layer.columns.append((f"_v{n}", v.sql))
                self.local_val[n] = Enum(f"_v{n}")
            else:
                _refuse(obj.span, "此种中间值", "an intermediate value of this kind")
            if self.guards:
                layer.columns.append((f"_v{n}g", "(" + " AND ".join(self.guards) + ")"))
                self.local_ok[n] = f"_v{n}g"
            return
        ind, i = obj, obj.index
        if kind == "raw":
            v = self.ev(ind.score)
            if isinstance(v, NAv):
                v = Num(self.lit(0), 0, 0, na="TRUE")
            if not isinstance(v, Num):
                _refuse(ind.score.span, "非数值的得分", "a score that is not a number")
            layer.columns.append((f"_r{i}", v.n))
            ds = None
            if v.ds is not None:
                layer.columns.append((f"_r{i}d", v.ds))
                ds = f"_r{i}d"
            if v.na:
                layer.columns.append((f"_na{i}", v.na))
                self.NA[i] = f"_na{i}"
            self.R[i] = Num(f"_r{i}", v.lo, v.hi, v.dc, ds, v.dmax, v.c)
            if self.guards:
                layer.columns.append((f"_g{i}", "(" + " AND ".join(self.guards) + ")"))
                self.okcols.append(f"_g{i}")
            return
        # the rounded score (and the points it counts under 剔除)
        P = 10 ** self.scale
        EP = 10 ** self.escale
        exclude = self.p.na_policy == "exclude"
        if ind.score is not None:
            r = self.R[i]
            s, lo, hi = self.round_to(r, self.scale, self.st, self.p.rounding, ind.score)
            na = self.NA.get(i)
            pts = int(ind.points * EP)
            if na is not None:
                if exclude:
                    full, flo = self.lit(0), 0
                else:
                    k = _round_frac(Fraction(ind.points) * P / self.st, self.p.rounding) * self.st
                    full, flo = self.lit(k), k
                s = f"(CASE WHEN {na} THEN {full} ELSE {s} END)"
                lo, hi = min(lo, flo), max(hi, flo)
                e = f"(CASE WHEN {na} THEN {self.lit(0 if exclude else pts)} ELSE {self.lit(pts)} END)"
            else:
                e = self.lit(pts)
            layer.columns.append((f"_s{i}", s))
            pmax = Fraction(ind.points) * P
            if lo < 0 or hi > pmax:              # E0704: outside [0, points]
                x = f"_s{i}"          # PostgreSQL: the layer is split before this (values._unlateral)
                layer.columns.append((f"_h{i}", f"({x} >= 0 AND {x} <= {self.lit(math.floor(pmax))})"))
                self.okcols.append(f"_h{i}")
                lo, hi = max(lo, 0), min(hi, math.floor(pmax))
            self.S[i] = (f"_s{i}", lo, hi)
            if exclude:
                layer.columns.append((f"_e{i}", e))
                self.E[i] = (f"_e{i}", pts)
            if self.need_raw:
                self._raw_na(i, ind, layer)
            return
        # a node without a rule: the sum of its children (加分项 added, 扣分项 deducted)
        v = self.signed_sum(ind.children, ind)
        layer.columns.append((f"_s{i}", v.n if v.dc == P else self.mulk(v.n, P // v.dc)))
        self.S[i] = (f"_s{i}", v.lo * (P // v.dc), v.hi * (P // v.dc))
        nas = [self.NA.get(c.index) for c in ind.children]
        if all(x is not None for x in nas):
            layer.columns.append((f"_na{i}", "(" + " AND ".join(nas) + ")"))
            self.NA[i] = f"_na{i}"
        if exclude:
            es = [self.E[c.index][0] for c in ind.ordinary]
            layer.columns.append((f"_e{i}", " + ".join(es) if es else self.lit(0)))
            self.E[i] = (f"_e{i}", sum(self.E[c.index][1] for c in ind.ordinary))
        if self.need_raw:
            acc = None
            for c in ind.children:
                rv = self.R[c.index]
                acc = (rv if c.sign > 0 else self.mul(self.const(Fraction(-1)), rv, ind)) if acc is None \
                    else self.add(acc, rv, c.sign, ind)
            self._store_raw(i, acc if acc is not None else self.const(Fraction(0)), layer)

    def _raw_na(self, i, ind, layer):
        """The raw score as the total counts it (定级 按原始总分): 不适用 is the points (计满分) or 0."""
        na = self.NA.get(i)
        if na is None:
            return
        r = self.R[i]
        full = self.const(Fraction(0) if self.p.na_policy == "exclude" else Fraction(ind.points))
        self.guards = []
        v = self.choose([(na, full), (None, r)], ind.score)
        self._store_raw(i, v, layer)

    def _store_raw(self, i, v: Num, layer):
        layer.columns.append((f"_q{i}", v.n))
        ds = None
        if v.ds is not None:
            layer.columns.append((f"_q{i}d", v.ds))
            ds = f"_q{i}d"
        self.R[i] = Num(f"_q{i}", v.lo, v.hi, v.dc, ds, v.dmax, v.c)

    def total_layers(self, layers: list):
        p, d = self.p, self.d
        P = 10 ** self.scale
        self.guards, self.path = [], None
        roots = [x for x in p.roots if not x.adjusts]
        adjusts = [x for x in p.roots if x.adjusts]
        L1 = Layer()
        tot = self.signed_sum(roots, p.roots[0])
        exact = None
        if self.need_raw:
            acc = None
            for x in roots:
                acc = self.R[x.index] if acc is None else self.add(acc, self.R[x.index], 1, p.roots[0])
            exact = acc
        if p.na_policy == "exclude":
            nas = [self.NA[i.index] for i in p.walk() if i.score is not None and self.NA.get(i.index)]
            if nas:
                any_na = "(" + " OR ".join(nas) + ")"
                eff = " + ".join(self.E[x.index][0] for x in roots)
                eff_top = sum(self.E[x.index][1] for x in roots)
                EP = 10 ** self.escale
                T = int(p.total * EP)
                L1.columns += [("_eff", f"({eff})"), ("_anyna", any_na), ("_rawtot", tot.n)]
                layers.append(L1)
                L1 = Layer([("_okeff", "(NOT _anyna OR _eff <> 0)"),
                            ("_effz", f"(CASE WHEN _eff = 0 THEN {self.lit(1)} ELSE _eff END)")])
                self.okcols.append("_okeff")
                layers.append(L1)
                L1 = Layer()
                # 总分 × 满分 ÷ the points applicable, rounded: t0 × T ÷ (t0's denominator × eff)
                self.check(tot.top * T, p.roots[0])
                q = Num(self.mulk("_rawtot", T), tot.lo * T, tot.hi * T, tot.dc, "_effz", max(eff_top, 1))
                r, lo, hi = self.round_to(q, self.scale, self.st, p.rounding, p.roots[0])
                t0 = self.mulk("_rawtot", P // tot.dc)
                tot = Num(f"(CASE WHEN NOT _anyna OR _eff = {self.lit(T)} THEN {t0} ELSE {r} END)",
                          min(lo, tot.lo * (P // tot.dc)), max(hi, tot.hi * (P // tot.dc)), P)
                if exact is not None:
                    ex = self.div(self.mul(exact, self.const(Fraction(T)), p.roots[0]),
                                  Num("_effz", 1, max(eff_top, 1)), p.roots[0])
                    exact = self.choose([(f"(NOT _anyna OR _eff = {self.lit(T)})", exact), (None, ex)], p.roots[0])
        for x in adjusts:
            col, lo, hi = self.S[x.index]
            tot = self.add(tot, Num(col, lo, hi, P), x.sign, p.roots[0])
            if exact is not None:
                exact = self.add(exact, self.R[x.index], x.sign, p.roots[0])
        if p.total_rule is not None:
            self.subtotal = tot
            tot = self.ev(p.total_rule)
            if exact is not None:
                self.subtotal = exact
                exact = self.ev(p.total_rule)
        # 总分 as an integer at a fixed scale
        ts = self._dec_scale(tot, p.total_rule)
        L1.columns.append(("_tot", self.mulk(tot.n, 10 ** ts // tot.dc) if tot.dc != 10 ** ts else tot.n))
        tot_col = Num("_tot", tot.lo * (10 ** ts // tot.dc), tot.hi * (10 ** ts // tot.dc), 10 ** ts)
        self.total_bounds = (tot_col.lo, tot_col.hi)
        if exact is not None:
            L1.columns.append(("_ex", exact.n))
            if exact.ds is not None:
                L1.columns.append(("_exd", exact.ds))
        if self.guards:
            L1.columns.append(("_okt", "(" + " AND ".join(self.guards) + ")"))
            self.okcols.append("_okt")
        layers.append(L1)
        self.total_sql, self.total_scale = "_tot", ts
        # the grade, on the rounded, exact or whole-number total
        self.guards = []
        if p.grade_on == "exact":
            gt = Num("_ex", exact.lo, exact.hi, exact.dc, "_exd" if exact.ds is not None else None, exact.dmax)
        elif p.grade_on == "integer":
            s, lo, hi = self.round_to(tot_col, 0, 1, p.rounding, p.roots[0])
            gt = Num(s, lo, hi)
        else:
            gt = tot_col
        self.grade_total = gt
        conds = []
        for b in p.grades:
            conds.append(None if b.cond is None else self.ev(b.cond).sql)
        names = [b.name for b in p.grades]
        if conds and conds[-1] is None:
            idx = "(CASE " + " ".join(f"WHEN {c} THEN {k}" for k, c in enumerate(conds[:-1])) + f" ELSE {len(conds) - 1} END)" \
                if len(conds) > 1 else "0"
        else:
            idx = "(CASE " + " ".join(f"WHEN {c} THEN {k}" for k, c in enumerate(conds)) + " ELSE -1 END)"
        L2 = Layer([("_gi0", idx)])
        layers.append(L2)
        self.okcols.append("_okg")
        L2.columns.append(("_okg", f"({idx} >= 0)"))
        g = "_gi0"
        for n, v in enumerate(p.vetoes):
            c = self.ev(v.cond).sql
            vi = names.index(v.grade)
            new = f"GREATEST({g}, {vi})" if v.cap else str(vi)
            layers.append(Layer([(f"_gi{n + 1}", f"(CASE WHEN {c} THEN {new} ELSE {g} END)")]))
            g = f"_gi{n + 1}"
        if self.guards:
            layers[-1].columns.append(("_okv", "(" + " AND ".join(self.guards) + ")"))
            self.okcols.append("_okv")
        self.grade_ix = g
        self.grade_sql = "(CASE " + " ".join(f"WHEN {g} = {k} THEN {d.string(nm)}" for k, nm in enumerate(names)) + " END)"

    def _dec_scale(self, v: Num, e) -> int:
        if v.ds is not None:
            _refuse(getattr(e, "span", None), "总分中的除法", "a division in 总分's rule")
        dc, a, b = v.dc, 0, 0
        while dc % 2 == 0:
            dc //= 2
            a += 1
        while dc % 5 == 0:
            dc //= 5
            b += 1
        if dc != 1:
            _refuse(getattr(e, "span", None), "不是有限小数的总分", "a total that is not a finite decimal")
        return max(a, b, self.scale)
