"""Code generation of an indicator's section (a part of ``codegen.Gen``): the statements
that score a leaf (its rule, rounding, override, not-applicable), sum a parent (with
加分项/扣分项), the total with its rule, the vetoes, and the checks of the case itself
(仅当 inputs given only where allowed, 核对, picks given and used)."""
from __future__ import annotations

from ...dsl import ir
from ...dsl.ops import may_be_na



class SectionGen:
    """Mixed into :class:`Gen` (codegen.py); uses its state and ``err``."""

    def _case_checks(self) -> list[str]:
        """Before scoring: each conditional input given exactly when its condition holds
        (仅当), then each 核对 of the data."""
        out = []
        if not self.checks:
            return out
        for inp in self.prog.inputs:
            if inp.only_if is not None:
                cond = " ".join(inp.only_if.span.text().split()) if inp.only_if.span else "?"
                out.append(f"present(i_{inp.index}, {self.ex(inp.only_if, set(), False, -1)}, {self.sp(inp.span)}, "
                           f"{inp.name!r}, {cond!r})")
        for v in self.prog.verifies:
            shown = "".join(f"({i.name!r}, i_{i.index}, {i.type.unit!r}), " for i in ir.inputs_read(v.cond))
            out.append(f"if not {self.ex(v.cond, set(), False, -1)}: verify_failed({self.sp(v.span)}, {v.message!r}, ({shown}))")
        return out

    @property
    def _exclude(self) -> bool:
        return self.has_na and self.prog.na_policy == "exclude"

    def _subtotal(self, ind: ir.Indicator, trace: bool) -> list[str]:
        """A node without a rule of its own: the sum of its children (an assessed score
        replaces it on the traced path)."""
        i = ind.index
        if ind.sums_with_signs:
            # 加分项 added, 扣分项 deducted; only the ordinary children count in its points
            terms = _signed_sum_code([(c.sign, f"s_{c.index}") for c in ind.children])
            raw = _signed_sum_code([(c.sign, f"r_{c.index}") for c in ind.children])
            counted = ind.ordinary
        else:
            terms = _sum_code([f"s_{c.index}" for c in ind.children])
            raw = _sum_code([f"r_{c.index}" for c in ind.children])
            counted = ind.children
        applicable = _sum_code([f"e_{c.index}" for c in counted])
        exact, exclude = self.prog.grade_on == "exact", self._exclude
        if not trace:
            return ([f"s_{i} = {terms}"] + ([f"r_{i} = {raw}"] if exact else [])
                    + ([f"e_{i} = {applicable}"] if exclude else []))
        # an assessed score replaces the sum, which is kept beside it (规则 / 认定)
        out = [f"if {i} in O:", f"    s_{i} = O[{i}]", f"    T.append(('override', {i}, {terms}, s_{i}))"]
        out += [f"    r_{i} = s_{i}"] if exact else []
        out += [f"    e_{i} = {self.k(ind.points)}"] if exclude else []
        out += ["else:", f"    s_{i} = {terms}", f"    T.append(('sum', {i}, s_{i}))"]
        out += [f"    r_{i} = {raw}"] if exact else []
        out += [f"    e_{i} = {applicable}"] if exclude else []
        return out

    def _scored(self, ind: ir.Indicator, trace: bool, A: set) -> list[str]:
        """An indicator's rule: raw value ``r_i``, rounded score ``s_i``, the
        not-applicable policy, the applicable points ``e_i`` under 剔除, and the run-time
        bounds check of a rule the checker could not prove (W0505)."""
        prog, i, P = self.prog, ind.index, self.k(ind.points)
        exclude = self._exclude
        # the fast path computes the rounded score directly (the raw one is needed only
        # to grade on the exact total)
        presized = not trace and prog.grade_on != "exact"
        if trace:
            # with an assessed score the rule is skipped: what it computes is not definite
            code = self.ex(ind.score, set(A), trace, ind=i)
        elif presized:
            code = self.ex_round(ind.score, A, i)
        else:
            code = self.ex(ind.score, A, trace, ind=i)
        out = []
        pick = ind.pick
        # a pick given where the rule computed the score itself is refused
        checked = pick is not None and self.checks
        unused = ([f"if u_{i} is None and i_{pick.index} is not None: rated_unused({self.sp(pick.span)}, "
                   f"{ind.name!r}, i_{pick.index}, {pick.name!r})"] if checked else [])
        first = [f"u_{i} = None"] if checked else []
        if trace:
            # an assessed score replaces the rule; what the rule gives is kept beside it when
            # the case has what it reads (an error of the rule just leaves it unknown)
            needs = " or ".join(f"i_{x.index} is None" for x in ir.inputs_read(ind.score) if not x.optional)
            computed = f"None if ({needs}) else {code}" if needs else code
            out += [f"if {i} in O:", f"    r_{i} = O[{i}]", f"    tn = len(T)", "    try:",
                    f"        c_{i} = {computed}",
                    f"        if c_{i} is not None: c_{i} = {self.round_code(f'c_{i}')}",
                    "    except (EvaluationError, ArithmeticError):", "        del T[tn:]", f"        c_{i} = None",
                    f"    T.append(('override', {i}, c_{i}, r_{i}))",
                    "else:"] + ["    " + x for x in first + [f"r_{i} = {code}"] + unused]
        na_capable = may_be_na(ind.score)
        if not trace and presized and not na_capable and not exclude and i not in prog.runtime_checked:
            return first + [f"s_{i} = {code}"] + unused    # computed rounded, nothing else to do
        if not trace:
            out += first + [f"r_{i} = {code}"] + unused
        pad = ""
        if na_capable:
            out += [f"if r_{i} is None:", f"    na.append({i})"]
            if exclude:
                out += [f"    s_{i} = r_{i} = ZERO", f"    e_{i} = ZERO"]
            else:
                out += [f"    r_{i} = {P}", f"    s_{i} = {self.round_code(f'r_{i}')}"]
            if trace:
                out.append(f"    T.append(('na', {i}, s_{i}))")
            out.append("else:")
            pad = "    "
        out.append(f"{pad}s_{i} = r_{i}   # rounded as computed" if presized else f"{pad}s_{i} = {self.round_code(f'r_{i}')}")
        if exclude:
            out.append(f"{pad}e_{i} = {P}")
        if trace:
            out.append(f"{pad}T.append(('score', {i}, r_{i}, s_{i}))")
        if i in prog.runtime_checked:
            # bounds the checker could not prove (W0505): checked on both paths, every case
            out.append(f"{pad}if not (ZERO <= s_{i} <= {P}): out_of_points({self.sp(ind.span)}, {ind.name!r}, s_{i}, {P})")
        return out

    def _total(self, trace: bool = False) -> list[str]:
        """总分 (rescaled over the applicable points under 剔除), top-level 加分项 added and
        扣分项 deducted, held by the 总分 = 合计 … rule; the grade (on the whole number under
        按取整总分), the vetoes; the return."""
        prog, exact = self.prog, self.prog.grade_on == "exact"
        roots = [r for r in prog.roots if not r.adjusts]
        adjusts = [r for r in prog.roots if r.adjusts]
        out = ["# ── 总分 / total ──", "tot = " + _sum_code([f"s_{r.index}" for r in roots])]
        if exact:
            out.append("totx = " + _sum_code([f"r_{r.index}" for r in roots]))
        if self._exclude:
            out += ["eff = " + _sum_code([f"e_{r.index}" for r in roots]), "if not eff:", "    nothing_applicable()",
                    "if eff != TOTAL_POINTS:", f"    tot = {self.round_code('(tot * TOTAL_POINTS / eff)')}"]
            if exact:
                out.append("    totx = totx * TOTAL_POINTS / eff")
        if adjusts:
            # after any rescaling: a bonus or penalty is not re-weighted
            out.append("tot = " + _signed_sum_code([(1, "tot")] + [(r.sign, f"s_{r.index}") for r in adjusts]))
            if exact:
                out.append("totx = " + _signed_sum_code([(1, "totx")] + [(r.sign, f"r_{r.index}") for r in adjusts]))
        if prog.total_rule is not None:
            self.subtotal_var = "tot"
            out.append(f"tot = {self.ex(prog.total_rule, set(), trace, -1)}")
            if exact:
                self.subtotal_var = "totx"
                out.append(f"totx = {self.ex(prog.total_rule, set(), False, -1)}")
                self.subtotal_var = "tot"
        graded = "totx" if exact else "tot"
        if prog.grade_on == "integer":
            out.append("totg = tot.quantize(ONE, ROUNDING)")
            graded = "totg"
        out.append(f"grade = {self.grade_expr(graded)}")
        out.extend(self._vetoes(trace))
        scores = ", ".join(f"s_{ind.index}" for ind in sorted(prog.walk(), key=lambda n: n.index))
        out.append(f"return ({scores},), tot, grade, {'na' if self.has_na else '()'}")
        return out

    def _vetoes(self, trace: bool) -> list[str]:
        """否决, in order after the bands: a condition that holds sets the grade, or (最高)
        lowers a better one to it — better by the order of the bands, best first."""
        out = []
        names = [b.name for b in self.prog.grades]
        for v in self.prog.vetoes:
            cond = self.ex(v.cond, set(), False, -1)
            new = f"{v.grade!r} if GRADES.index(grade) < {names.index(v.grade)} else grade" if v.cap else repr(v.grade)
            out += [f"if {cond}:"]
            if trace:
                out += ["    g0 = grade", f"    grade = {new}", f"    T.append(('veto', -1, {self.sp(v.span)}, g0, grade))"]
            else:
                out += [f"    grade = {new}"]
        return out


def _sum_code(terms: list[str]) -> str:
    """a + b + c, or sum((…), ZERO) for long sums (a deep left-nested + chain overflows
    the compiler's recursion on thousands of terms; both add in the same order)."""
    if not terms:
        return "ZERO"
    if len(terms) <= 32:
        return " + ".join(terms)
    return f"sum(({', '.join(terms)},), ZERO)"


def _signed_sum_code(terms: list[tuple[int, str]]) -> str:
    """a + b - c for (sign, name) terms (a 扣分项 deducted); sum((a, b, -c), ZERO) when long."""
    if not terms:
        return "ZERO"
    if len(terms) <= 32:
        first = terms[0][1] if terms[0][0] > 0 else f"-{terms[0][1]}"
        return first + "".join(f" {'+' if sign > 0 else '-'} {name}" for sign, name in terms[1:])
    return f"sum(({', '.join(name if sign > 0 else f'-{name}' for sign, name in terms)},), ZERO)"
