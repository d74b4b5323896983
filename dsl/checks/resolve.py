"""Name resolution: AST -> IR (the driver of the checks that need names).

:func:`resolve` runs a :class:`Resolver` over a rulebook: settings, the indicator
hierarchy and the inputs declared anywhere in it, rulebook-level and indicator-level
values, each rule's expressions with their names looked up, indicators that use each
other's scores (E0205), the grade bands, and unused inputs and values.

Scopes, innermost first: the node's locals defined above the use, its ancestors'
locals defined above the node, rulebook-level definitions, inputs, then indicator
scores by name (qualified ``父级.名称`` when a name is shared).

The rest of resolution lives beside this module: the inputs (inputs.py) and the
indicator tree (tree.py), both mixed into the Resolver; the types and units of
expressions (units.py, docs/language.md#units), calls and method inlining (methods.py),
指标行 blocks (rowblocks.py) and clamps pushed into branches (clamps.py).
"""
from __future__ import annotations

from decimal import Decimal

from .. import ast, ir
from ..diagnostics import Diagnostic, Label, make, tr
from ..imports import collect_methods
from ..ir import MONEY_UNITS, Type, fmt_decimal
from .units import align
from ..names import did_you_mean, fixes, narrow_qualified, qualified_paths, qualify, suggest, suggest_among
from ..ops import fold_constant
from . import cohort
from .methods import copy_argument, resolve_call
from .rowblocks import row_programs
from .units import OP_TEXT, ORDERED, Units, unit_help
from .inputs import InputsResolver
from .tree import TreeResolver

TOTAL_NAMES = {"总分", "total"}
SCORE_DIGITS = 30       # the runtime's SNAP: significant digits a score keeps before it is rounded to 精度
SUBTOTAL_NAMES = {"合计", "subtotal"}     # children (or 一级指标) with bonus added and penalty deducted
UNIT_ALIASES = {"个月": "月", "天数": "天"}
MONEY_PREFIXES = {"万", "亿", "千", "百万", "千万"}     # 30万: an amount missing its 元
SETTING_NAMES = {"version": ("版本", "version"), "total": ("满分", "total points"), "precision": ("精度", "precision"),
                 "rounding": ("舍入", "rounding"), "grade_on": ("定级", "grade on"), "na_policy": ("不适用", "not-applicable policy"),
                 "peers": ("同类", "peers")}
MAX_EXPR_DEPTH = 50     # generated code nests a few parentheses per level; Python allows ~200


class Resolver(InputsResolver, TreeResolver):
    """One rulebook being resolved: the names found so far and where resolution stands
    (the state that methods.py and rowblocks.py read and set, too)."""

    def __init__(self, rb: ast.Rulebook):
        self.rb = rb
        self.diags: list[Diagnostic] = []
        self.units = Units(self.err)          # types and units of expressions
        self.inputs: dict[str, ir.Input] = {}
        self.suggested: set[str] = set()      # names a misspelt reference was told to mean
        self.globals: list[ir.Local] = []
        self.indicators: list[ir.Indicator] = []
        self.by_name: dict[str, list[ir.Indicator]] = {}
        self.uses_na = False
        self._depth = 0
        self._deep_reported = False
        self.let_owners: dict[str, list[str]] = {}   # local name -> indicators defining it
        self.na_span = None
        self._current: ir.Indicator | None = None   # indicator whose rule is being resolved
        self.deps: list = []                               # libraries read: (path, mtime, size)
        self.methods = collect_methods(rb, self.diags, self.deps)   # name -> (ast.Method, file)
        self._inline_stack: list[str] = []   # methods being expanded (methods.py), outermost first
        self._expansions = 0                 # method calls expanded so far
        self._in_method = False              # resolving a method's body: only its parameters and values are visible
        self.row_parts: list[ir.RowPart] = []
        self._in_rows = False                # resolving a row's scoring method: only its fields are visible
        self._only_if: list = []             # (Input, condition as written): resolved once every input is known
        self.precision = Decimal("0.01")
        self.na_policy = None                # the rulebook's 不适用 setting
        self.verifies: list[ir.Verify] = []
        self._subtotal = None                # what 合计 means here: an indicator (its children), "top", or nothing
        self.total_points = Decimal(0)
        self.peer_input: ir.Input | None = None   # 同类 单位类别: what makes units peers

    def err(self, code, labels, helps=(), notes=(), fixes=(), **args):
        self.diags.append(make(code, labels, notes=notes, helps=helps, fixes=fixes, **args))

    # ───────────── driver ─────────────
    def run(self) -> ir.Program | None:
        rb = self.rb
        settings = {}
        for it in rb.items:
            if isinstance(it, ast.Setting):
                if it.key in settings:
                    zh, en = SETTING_NAMES[it.key]
                    self.err("E0206", [Label(it.span, tr("重复设置，以首次为准", "set twice; the first one counts")),
                                       Label(settings[it.key].span, tr("首次设置", "first set here"), False)],
                             name=f"{zh}", reason_zh="重复", reason_en=f"({en}) is set twice")
                    continue
                settings[it.key] = it
        total = settings.get("total")
        if total is None:
            self.err("E0404", [Label(rb.span.__class__(rb.span.file, rb.span.start, rb.span.start + 3), "")])
        precision = settings["precision"].value.value.normalize() if "precision" in settings else Decimal("0.01")
        if precision <= 0:
            self.err("E0206", [Label(settings["precision"].span, "")], name="精度", reason_zh="必须大于0", reason_en="(precision) must be positive")
            precision = Decimal("0.01")
        if total is not None and total.value.value <= 0:
            self.err("E0206", [Label(total.span, "")], name="满分", reason_zh="必须大于0", reason_en="(total points) must be positive")
        elif total is not None and "precision" in settings and precision > 0:
            # a score is snapped to SCORE_DIGITS significant digits, then rounded to 精度: a
            # 精度 so fine that 满分 needs more digits can never be honoured (it was reported
            # at run time as 除数为零, E0701, by a rule with no division at all)
            need = total.value.value.adjusted() - precision.adjusted() + 2     # one digit to spare: 加分项
            if need > SCORE_DIGITS:
                self.err("E0206", [Label(settings["precision"].span, tr(f"需要 {need} 位有效数字", f"needs {need} digits"))],
                         name="精度",
                         reason_zh=f"过细：满分 {fmt_decimal(total.value.value)} 分按此精度需要 {need} 位有效数字，"
                                   f"得分只保留 {SCORE_DIGITS} 位",
                         reason_en=f"(precision) is too fine: {fmt_decimal(total.value.value)} points at this precision "
                                   f"need {need} significant digits; scores keep {SCORE_DIGITS}")
                precision = Decimal("0.01")
        self.precision = precision
        self.na_policy = settings["na_policy"].value if "na_policy" in settings else None
        self.total_points = total.value.value if total is not None else Decimal(0)
        # inputs everywhere
        self._collect_inputs(rb.items)
        for inp, cond in self._only_if:
            self._condition(inp, cond)
        self.peer_input = cohort.peers_setting(self, settings.get("peers"))
        # indicators
        roots = []
        seen: dict[str, ast.IndicatorNode] = {}
        for it in rb.items:
            if isinstance(it, ast.IndicatorNode):
                self._dup_sibling(seen, it)
                roots.append(self._build(it, None))
        # globals, then rules
        for it in rb.items:
            if isinstance(it, ast.Let):
                self._define_local(it, None, self.globals)
        for it in rb.items:
            if isinstance(it, ast.Verify):
                self._verify(it)
        for ind in self.indicators:
            before = sum(d.severity == "error" for d in self.diags)
            self._resolve_body(ind)
            ind.broken = ind.broken or sum(d.severity == "error" for d in self.diags) > before
        self._cycles()
        total_rule = self._total_rule(rb)
        grades = []
        gseen = {}
        errors_before_grades = sum(d.severity == "error" for d in self.diags)
        for band in rb.grades:
            if band.name.text in gseen:
                self.err("E0203", [Label(band.name.span, ""), Label(gseen[band.name.text], "", False)], name=band.name.text)
            gseen[band.name.text] = band.name.span
            cond = None
            if band.cond is not None:
                cond = self.expr(band.cond, self._global_scope(), grades=True)
                if cond.type.kind != "bool":
                    self.err("E0303", [Label(band.cond.span, tr("应为条件", "expected a condition"))],
                             what_zh="等级条件应为真假判断", what_en="a grade band needs a condition")
                self._band_reads_only_the_total(band, cond)
            grades.append(ir.GradeBand(band.name.text, cond, span=band.span))
        grades_broken = sum(d.severity == "error" for d in self.diags) > errors_before_grades
        vetoes = self._vetoes(rb, [b.name for b in grades])
        quota_rows = cohort.quotas(self, rb, [b.name for b in grades])
        if not rb.grades:
            self.err("E0507", [Label(ast_span_head(rb), "")])
        na_policy = settings["na_policy"].value if "na_policy" in settings else None
        if self.uses_na and na_policy is None:
            self.err("E0505", [Label(self.na_span, tr("此处不适用", "not applicable here"))])
        for name, inds in self.by_name.items():
            if len(inds) > 1:
                labels = [Label(i.name_span, "/".join(i.path), n == 0) for n, i in enumerate(inds)]
                self.diags.append(make("I0201", labels, name=name, count=len(inds),
                                       helps=[qualify([i.path for i in inds], references=True)]))
        for inp in self.inputs.values():
            if not inp.used and inp.name not in self.suggested:
                self.diags.append(make("W0201", [Label(inp.span, "")], name=inp.name))
        for loc in self._all_locals():
            if not loc.used and loc.name not in self.suggested:
                self.diags.append(make("W0202", [Label(loc.span, "")], name=loc.name))
        if total is None:
            return None
        rounding = settings["rounding"].value if "rounding" in settings else "half_up"
        row_programs(self, precision, rounding, na_policy)
        return ir.Program(
            title=rb.title, version=settings["version"].value if "version" in settings else None,
            total=total.value.value, precision=precision, rounding=rounding,
            grade_on=settings["grade_on"].value if "grade_on" in settings else "rounded",
            na_policy=na_policy, inputs=list(self.inputs.values()), globals=self.globals,
            roots=roots, grades=grades, source_name=rb.span.file.name, source_text=rb.span.file.text,
            grades_broken=grades_broken, row_parts=self.row_parts, files=self._files(rb), deps=self.deps,
            total_rule=total_rule, vetoes=vetoes, verifies=self.verifies, peers=self.peer_input, quotas=quota_rows)

    # ───────────── 总分 = 合计 …, 否决, what a band may read ─────────────
    def _total_rule(self, rb: ast.Rulebook):
        """``总分 = 合计 不加分 扣完为止``: clamps (with constant bounds) around 合计, the sum of
        the top-level scores with bonus added and penalty deducted."""
        rule, first = None, None
        for it in rb.items:
            if not isinstance(it, ast.TotalRule):
                continue
            if first is not None:
                self.err("E0203", [Label(it.span, ""), Label(first.span, tr("首次定义", "first defined here"), False)], name="总分")
                continue
            first = it
            before = len(self.diags)
            self._subtotal = "top"
            try:
                e = self.expr(it.value, self._global_scope())
            finally:
                self._subtotal = None
            x, ok = e, True
            while isinstance(x, ir.Clamp):
                if x.bound is not None and not isinstance(x.bound, ir.Const):
                    ok = False
                x = x.operand
            if not ok or not isinstance(x, ir.SubtotalRef):
                if len(self.diags) == before:
                    self.err("E0508", [Label(it.value.span, tr("应为「合计」加上「不加分」「扣完为止」「最多 N」「最少 N」",
                                                                "expected `合计` with `不加分`, `扣完为止`, `最多 N` or `最少 N`"))],
                             name="总分 = …", notes=[tr("总分 = 合计 不加分 扣完为止：说明加分、扣分之后的总分如何保持在 [0, 满分] 之内",
                                                         "总分 = 合计 不加分 扣完为止 says how the total holds bonus and penalty within [0, 满分]")])
                continue
            rule = e
        return rule

    def _band_reads_only_the_total(self, band: ast.GradeBand, cond: ir.Expr):
        """A band divides 总分; a condition on inputs or scores is a veto (E0523)."""
        bad = next((x for x in ir.walk(cond, into_locals=True) if isinstance(x, (ir.InputRef, ir.ScoreRef))), None)
        if bad is None:
            return
        name = bad.input.name if isinstance(bad, ir.InputRef) else bad.indicator.name
        what = tr("是输入项，不是总分", "an input, not the total") if isinstance(bad, ir.InputRef) else \
            tr("是指标得分，不是总分", "an indicator's score, not the total")
        self.err("E0523", [Label(bad.span, what)], band=band.name.text,
                 name=name, helps=[tr(f"按总分划分等级，条件写在「否决」块中，例如：否决: {name} : 最高 …",
                                      f"divide the total only, and write the condition in a `否决` (veto) block: `{name} : 最高 …`")])

    def _vetoes(self, rb: ast.Rulebook, bands: list) -> list:
        out = []
        for v in rb.vetoes:
            cond = self.expr(v.cond, self._global_scope(), grades=True)
            if cond.type.kind != "bool":
                self.err("E0303", [Label(v.cond.span, tr("应为条件", "expected a condition"))],
                         what_zh="否决条件应为真假判断", what_en="a veto needs a condition")
            if v.grade.text not in bands:
                self.err("E0207", [Label(v.grade.span, tr("不是「等级」中的等级", "not a grade of the bands"))],
                         did_you_mean(v.grade.text, set(bands)), name=v.grade.text,
                         expected_zh="等级划分中的等级", expected_en="a grade of the bands")
                continue
            out.append(ir.Veto(cond, v.grade.text, v.cap, span=v.span))
        return out

    # ───────────── expressions ─────────────
    def lookup(self, ref: ast.Ref, scope: dict, grades: bool, allow_names=True, enum_members=()):
        parts = ref.parts
        name = parts[-1].text
        if len(parts) == 1:
            if grades and name in TOTAL_NAMES:
                return ir.TotalRef(span=ref.span, type=Type("num", None))
            if name in scope:
                loc = scope[name]
                if isinstance(loc, ir.FieldRef):  # a field of the item an aggregate is reading
                    return ir.FieldRef(loc.field, loc.var, loc.pos, span=ref.span, type=loc.type)
                if isinstance(loc, ir.Expr):      # a method's parameter bound to a simple argument
                    return copy_argument(loc)
                loc.used = True
                return ir.LocalRef(loc, span=ref.span, type=loc.type)
            if self._in_method and name not in enum_members:
                m = self._inline_stack[-1]
                self.err("E0201", [Label(ref.span, tr("不是此方法的参数或中间值", "not a parameter or value of this method"))],
                         notes=[tr(f"方法「{m}」只能使用其参数和自身的中间值", f"method `{m}` sees only its parameters and its own values")],
                         name=ref.text)
                return ir.Const(Decimal(0), span=ref.span)
            if name in self.inputs and allow_names:
                inp = self.inputs[name]
                inp.used = True
                return ir.InputRef(inp, span=ref.span, type=inp.type)
            if name in enum_members:
                return ir.Const(name, span=ref.span, type=Type("enum", None, tuple(enum_members)))
            if name in SUBTOTAL_NAMES and allow_names and not self._in_rows and not self.by_name.get(name):
                return self._subtotal_ref(ref)
            cands = self.by_name.get(name, []) if allow_names and not self._in_rows else []
        else:
            quals = [p.text for p in parts[:-1]]
            cands = narrow_qualified(self.by_name.get(name, []), quals)
        if len(cands) == 1:
            ind = cands[0]
            return self._score_ref(ind, ref)
        if len(cands) > 1:
            labels = [Label(ref.span, tr("指向多个指标", "refers to several indicators"))]
            labels += [Label(c.name_span, "/".join(c.path), False) for c in cands]
            helps = [qualify([c.path for c in cands])]
            self.err("E0202", labels, helps, name=ref.text, fixes=fixes(ref.span, qualified_paths([c.path for c in cands])))
            return ir.Const(Decimal(0), span=ref.span)
        # unknown
        known = (scope, self.inputs, self.by_name, enum_members) + ((TOTAL_NAMES,) if grades else ())
        found = suggest_among(name, known) if allow_names else []     # bounded work per name (names.py)
        self.suggested.update(found)        # a misspelt use: their "never used" would be a cascade
        helps = did_you_mean(name, found=found)
        notes = [tr("输入项用「输入」声明，中间值用「名称 = 表达式」定义", "inputs are declared with `输入`, local values with `name = expr`")]
        if not allow_names:
            notes = [tr("此处只能用常数", "only constants are allowed here")]
        if self._in_rows:
            notes = [tr("指标行的计分方法只能使用该行的字段", "a row's scoring method sees only the row's fields")]
        if grades is False and name in TOTAL_NAMES:
            notes = [tr("「总分」只能用于等级划分", "`总分` is only available in grade bands")]
        elsewhere = self.let_owners.get(name, [])
        if elsewhere and len(parts) == 1:
            where = "、".join(f"「{o}」" for o in elsewhere[:3])
            notes = [tr(f"「{name}」定义于{where}，只在该处及其下级可见",
                        f"`{name}` is defined in {', '.join(elsewhere[:3])} and visible only there and below")]
            helps = [tr("在使用处定义它，或移到共同的上级", "define it here, or move it to a common parent")]
            found = []
        self.err("E0201", [Label(ref.span, tr("既不是输入项也不是中间值或指标", "not an input, a local value or an indicator"))],
                 helps, notes, name=ref.text, fixes=fixes(ref.span, found if len(parts) == 1 else ()))
        return ir.Const(Decimal(0), span=ref.span)

    def _subtotal_ref(self, ref) -> ir.Expr:
        if self._subtotal == "top":
            return ir.SubtotalRef(span=ref.span, type=Type("num", None))
        if isinstance(self._subtotal, ir.Indicator):
            self._subtotal.uses_subtotal = True
            return self.subtotal_expr(self._subtotal, ref.span)
        self.err("E0508", [Label(ref.span, tr("只能用于有下级指标的得分规则，或「总分 = 合计 …」",
                                              "only in the score rule of a node with children, or in `总分 = 合计 …`"))],
                 name=ref.text)
        return ir.Const(Decimal(0), span=ref.span)

    def _score_ref(self, ind: ir.Indicator, ref) -> ir.Expr:
        cur = self._current
        if cur is not None:
            # an indicator may use its own descendants and any indicator outside its ancestry
            anc = cur
            while anc is not None:
                if anc is ind:
                    self.err("E0205", [Label(ref.span, "")], cycle=f"{cur.name} → {ind.name}" if cur is not ind else f"{cur.name} → {cur.name}",
                             notes=[tr("指标不能引用自身或其上级的得分", "an indicator cannot use its own or an ancestor's score")])
                    return ir.Const(Decimal(0), span=ref.span)
                anc = anc.parent
            if not _is_descendant(ind, cur):
                cur.depends.append(ind)
        return ir.ScoreRef(ind, span=ref.span, type=Type("num", None))

    def tiers(self, t: ast.Tiers, scope, score_ctx=False, grades=False) -> ir.Expr:
        subject = self.expr(t.subject, scope, grades=grades) if t.subject is not None else None
        rows = []
        vtype = None
        for row in t.rows:
            key = None
            if row.kind == "else":
                kind = "else"
            elif subject is None:
                if row.kind == "cmp":
                    self.err("E0101", [Label(row.span, tr("没有分档对象时，每行应是完整条件", "without a subject each row is a full condition"))],
                             found_zh=f"「{OP_TEXT[row.op]}」", found_en=f"`{OP_TEXT[row.op]}`")
                    continue
                key = self.expr(row.key, scope, grades=grades)
                kind = "cond"
                if key.type.kind != "bool":
                    self.err("E0303", [Label(row.key.span, tr("应为条件", "expected a condition"))],
                             what_zh="分档条件应为真假判断", what_en="a tier row needs a condition")
            else:
                members = subject.type.members if subject.type.kind == "enum" else ()
                key = align(subject, self.expr(row.key, scope, grades=grades, enum_members=members))
                if row.kind == "cmp":
                    kind = "cmp"
                    if row.op not in ("==", "!=") and subject.type.kind not in ORDERED:
                        self.err("E0303", [Label(row.span, "")], what_zh="只有数值可以比较大小", what_en="only numbers can be ordered")
                else:
                    kind = "eq"
                self.units.compare(subject.type, key.type, row.span, row.op or "==")
            value = self.expr(row.value, scope, score_ctx=score_ctx, grades=grades)
            if rows:
                value = align(rows[0].value, value)
            if isinstance(value, ir.Rated):
                value.where = " ".join(row.span.text().partition(":" if ":" in row.span.text() else "：")[0].split())
            vtype = value.type if vtype is None else self.units.merge(vtype, value.type, row.value.span)
            rows.append(ir.TierRow(kind, row.op, key, value, span=row.span))
        return ir.Tiers(subject, rows, span=t.span, type=vtype or Type("num"))

    def expr(self, e, scope, score_ctx=False, grades=False, allow_names=True, enum_members=()) -> ir.Expr:
        self._depth += 1
        try:
            if self._depth > MAX_EXPR_DEPTH:
                if not self._deep_reported:
                    self._deep_reported = True
                    self.err("E0107", [Label(e.span, tr(f"表达式嵌套超过 {MAX_EXPR_DEPTH} 层", f"expressions nest more than {MAX_EXPR_DEPTH} levels"))])
                return ir.Const(Decimal(0), span=e.span)
            return self._expr(e, scope, score_ctx, grades, allow_names, enum_members)
        finally:
            self._depth -= 1

    def _expr(self, e, scope, score_ctx, grades, allow_names, enum_members) -> ir.Expr:
        rec = lambda x, **kw: self.expr(x, scope, grades=grades, allow_names=allow_names, **kw)
        if isinstance(e, ast.Num):
            unit = UNIT_ALIASES.get(e.unit, e.unit)
            if unit is not None and (unit in MONEY_PREFIXES or (unit.endswith("元") and unit not in MONEY_UNITS)):
                self.err("E0304", [Label(e.span, "")], unit=unit, helps=[unit_help()])
                unit = None
            if unit == "分":
                unit = None
            return ir.Const(e.value, span=e.span, type=Type("num", unit))
        if isinstance(e, ast.DateLit):
            return ir.Const(Decimal(e.value.toordinal()), span=e.span, type=ir.DATE)
        if isinstance(e, ast.ItemRef):
            return self._item(e, rec)
        if isinstance(e, ast.Bool):
            return ir.Const(e.value, span=e.span, type=ir.BOOL)
        if isinstance(e, ast.Ref):
            return self.lookup(e, scope, grades, allow_names, enum_members)
        if isinstance(e, ast.NotApplicable):
            if not score_ctx:
                self.err("E0508", [Label(e.span, tr("只能作为得分规则的结果", "only as the result of a score rule"))], name="不适用")
            self.uses_na = True
            self.na_span = self.na_span or e.span
            return ir.NotApplicable(span=e.span, type=ir.NA)
        if isinstance(e, ast.Rated):
            return self._rated(e, scope, score_ctx)
        if isinstance(e, ast.PeerScore):
            return cohort.peer_score(self, e, score_ctx)
        if isinstance(e, ast.Unscorable):
            if not score_ctx:
                self.err("E0508", [Label(e.span, tr("只能作为得分规则的结果", "only as the result of a score rule"))], name="无法计分")
            return ir.Unscorable(e.reason, span=e.span, type=ir.NA)
        if isinstance(e, ast.Tiers):
            return self.tiers(e, scope, score_ctx, grades)
        if isinstance(e, ast.If):
            cond = rec(e.cond)
            self.units.want_bool(cond, e.cond.span)
            a = rec(e.then, score_ctx=score_ctx)
            b = align(a, rec(e.else_, score_ctx=score_ctx))
            return ir.If(cond, a, b, span=e.span, type=self.units.merge(a.type, b.type, e.span))
        if isinstance(e, ast.Clamp):
            x = rec(e.operand, score_ctx=score_ctx)
            self.units.want_num(x, e.operand.span)
            bound = None
            if e.kind == "capped":
                if self._current is not None and self._current.row_of is not None:
                    self.err("E0211", [Label(e.span, tr("各行分值不同", "each row has its own points"))], name=self._current.row_of.name,
                             reason_zh="中不能用「不加分」，请写「最多 分值」", reason_en="cannot use 不加分: write `最多 分值` (at_most points)")
                    bound = ir.Const(Decimal(0), type=Type("num"))
                elif self._current is None and self._subtotal == "top":
                    bound = ir.Const(self.total_points, span=e.span, type=Type("num"))     # 总分 = 合计 不加分: 满分
                elif self._current is None:
                    self.err("E0508", [Label(e.span, tr("「不加分」只能用于指标的得分", "`不加分` caps an indicator's score"))], name="不加分")
                    bound = ir.Const(Decimal(0), type=Type("num"))
                else:
                    bound = ir.Const(self._current.points, span=e.span, type=Type("num"))
            elif e.kind in ("at_most", "at_least"):
                bound = align(x, rec(e.bound))
                self.units.want_num(bound, e.bound.span)
                self.units.unify(x.type, bound.type, e.span, "≤")
            t = x.type if x.type.kind != "na" else Type("num")
            return ir.Clamp(e.kind, x, bound, span=e.span, type=t)
        if isinstance(e, ast.BinOp):
            a, b = rec(e.left), rec(e.right)
            if not (e.op in "+-" and "date" in (a.type.kind, b.type.kind)):
                self.units.want_num(a, e.left.span)
                self.units.want_num(b, e.right.span)
            if e.op in "+-/":
                b = align(a, b)          # 元 - 万元: the right side converted to 元, exactly
            return ir.BinOp(e.op, a, b, span=e.span, type=self.units.arith(e.op, a.type, b.type, e.span))
        if isinstance(e, ast.Neg):
            a = rec(e.operand)
            self.units.want_num(a, e.operand.span)
            return ir.Neg(a, span=e.span, type=a.type)
        if isinstance(e, ast.Compare):
            ops = list(e.operands)
            first = rec(ops[0])
            items = [first]
            prev = first
            for op, o in zip(e.ops, ops[1:]):
                members = prev.type.members if prev.type.kind == "enum" else ()
                cur = align(first, rec(o, enum_members=members))
                if prev.type.kind in ORDERED or op not in ("==", "!="):
                    if prev.type.kind not in ORDERED or cur.type.kind not in ORDERED:
                        if op not in ("==", "!="):
                            self.err("E0303", [Label(e.span, "")], what_zh="只有数值可以比较大小", what_en="only numbers can be ordered")
                self.units.compare(prev.type, cur.type, e.span, op)
                items.append(cur)
                prev = cur
            return ir.Compare(items, list(e.ops), span=e.span, type=ir.BOOL)
        if isinstance(e, ast.Logic):
            a, b = rec(e.left), rec(e.right)
            self.units.want_bool(a, e.left.span)
            self.units.want_bool(b, e.right.span)
            return ir.Logic(e.op, a, b, span=e.span, type=ir.BOOL)
        if isinstance(e, ast.Not):
            a = rec(e.operand)
            self.units.want_bool(a, e.operand.span)
            return ir.Not(a, span=e.span, type=ir.BOOL)
        if isinstance(e, ast.Call):
            return resolve_call(self, e, scope, grades, allow_names, score_ctx)
        if isinstance(e, ast.ListLit):
            self.err("E0303", [Label(e.span, "")], what_zh="列表只能出现在案例中", what_en="a list can only be a case value")
            return ir.Const(Decimal(0), span=e.span)
        raise AssertionError(type(e))

    def _item(self, e: ast.ItemRef, rec) -> ir.Expr:
        """``要点[2]`` / ``要点["程序规范"]``: one item of a checklist, met or not."""
        base = rec(e.base)
        if base.type.kind != "checklist":
            zh, en = base.type.describe()
            self.err("E0303", [Label(e.base.span, tr(f"这是{zh}", f"this is {en}"))], what_zh="只有清单可以按项取值",
                     what_en="only a checklist has items")
            return ir.Const(False, span=e.span, type=ir.BOOL)
        members = base.type.members
        if isinstance(e.index, str):
            if e.index not in members:
                self.err("E0201", [Label(e.span, tr("不是此清单的要点", "not an item of this checklist"))],
                         did_you_mean(e.index, set(members)), name=e.index)
                return ir.Const(False, span=e.span, type=ir.BOOL)
            k = members.index(e.index)
        else:
            if e.index != e.index.to_integral_value() or not 1 <= e.index <= len(members):
                self.err("E0303", [Label(e.span, tr(f"共{len(members)}项", f"{len(members)} items"))],
                         what_zh=f"清单只有第1至第{len(members)}项", what_en=f"the checklist has items 1 to {len(members)}")
                return ir.Const(False, span=e.span, type=ir.BOOL)
            k = int(e.index) - 1
        return ir.Call("item", [base, ir.Const(Decimal(k), type=Type("num"))], span=e.span, type=ir.BOOL)


    def _rated(self, e: ast.Rated, scope, score_ctx: bool) -> ir.Expr:
        """``人工评定`` / ``评定 A 至 B``: the indicator's pick, within a constant band."""
        ind = self._current
        word = "人工评定" if e.lo is None else "评定"
        if not score_ctx or ind is None or ind.row_of is not None:
            where = tr("指标行的计分方法不能人工评定", "a row's scoring method cannot be hand-scored") if (
                ind is not None and ind.row_of is not None) else tr("只能作为得分规则的结果", "only as the result of a score rule")
            self.err("E0508", [Label(e.span, where)], name=word)
            return ir.Const(Decimal(0), span=e.span)
        bounds = []
        for b in (e.lo, e.hi):
            if b is None:
                bounds.append(ir.Const(Decimal(0) if not bounds else ind.points, span=e.span, type=Type("num")))
                continue
            v = fold_constant(self.expr(b, scope))
            if not isinstance(v, ir.Const) or not isinstance(v.value, Decimal) or v.type.unit not in (None, "分"):
                self.err("E0303", [Label(b.span, tr("应为分数常数", "expected a constant number of points"))],
                         what_zh="评定区间的上下限须为分数常数", what_en="the ends of a rated band are constant points")
                v = ir.Const(Decimal(0), span=b.span, type=Type("num"))
            bounds.append(ir.Const(v.value, span=b.span, type=Type("num")))
        lo, hi = bounds
        reason = None
        if lo.value > hi.value:
            reason = tr("下限高于上限", "its lower end is above its upper end")
        elif lo.value < 0 or hi.value > ind.points:
            reason = tr(f"超出「{ind.name}」的分值范围 [0, {ir.fmt_decimal(ind.points)}]",
                        f"it leaves the points of `{ind.name}`, [0, {ir.fmt_decimal(ind.points)}]")
        elif lo.value % self.precision or hi.value % self.precision:
            reason = tr(f"上下限不是精度 {ir.fmt_decimal(self.precision)} 的整数倍",
                        f"its ends are not multiples of the precision {ir.fmt_decimal(self.precision)}")
        if reason is not None:
            self.err("E0525", [Label(e.span, reason)], band=f"{ir.fmt_decimal(lo.value)}–{ir.fmt_decimal(hi.value)}",
                     reason_zh=reason.zh, reason_en=reason.en)
        if ind.pick is None:
            pick = ir.Input(f"评定得分.{self._short_name(ind)}", "rated", Type("num"), lo=Decimal(0), hi=ind.points,
                            doc=f"「{ind.name}」的评定得分（由评价组给出）", span=e.span, index=len(self.inputs), used=True,
                            rated_of=ind)
            self.inputs[pick.name] = pick
            ind.pick = pick
        return ir.Rated(lo, hi, ind.pick, ind, span=e.span, type=Type("num"))

    def _short_name(self, ind: ir.Indicator) -> str:
        """The shortest tail of the indicator's path that names it alone: 完成率, or
        资产管理.管理制度健全性 when the name is shared."""
        for k in range(1, len(ind.path) + 1):
            tail = ind.path[-k:]
            if len([i for i in self.indicators if i.path[-k:] == tail]) == 1:
                return ".".join(tail)
        return ".".join(ind.path)
def _is_descendant(ind, anc) -> bool:
    p = ind.parent
    while p is not None:
        if p is anc:
            return True
        p = p.parent
    return False


def ast_span_head(rb: ast.Rulebook):
    sp = rb.span
    return sp.__class__(sp.file, sp.start, min(sp.end, sp.start + 3))


def resolve(rb: ast.Rulebook) -> tuple[ir.Program | None, list[Diagnostic]]:
    r = Resolver(rb)
    prog = r.run()
    return prog, r.diags
