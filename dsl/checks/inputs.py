"""Resolution of the inputs (the Resolver's part for them): declarations anywhere in the
rulebook with their types, units, ranges and checklist weights, 仅当 conditions, record
lists and their fields, and 核对 statements."""
from __future__ import annotations

from decimal import Decimal

from .. import ast, ir
from ..diagnostics import Label, tr
from ..ir import AMOUNT_UNITS, MONEY_UNITS, Type, is_count_unit, money_factor
from ..ops import fold_constant
from .units import ORDERED, UNKNOWN_UNIT, unit_help


class InputsResolver:
    """Mixed into :class:`Resolver` (resolve.py); uses its state and ``err``."""

    # ───────────── declarations ─────────────
    def _collect_inputs(self, items):
        for it in items:
            if isinstance(it, ast.InputDecl):
                self._input(it)
            elif isinstance(it, ast.IndicatorNode):
                self._collect_inputs(it.body)

    def _input(self, d: ast.InputDecl):
        name = d.name.text
        if name in self.inputs:
            self.err("E0203", [Label(d.name.span, tr("再次声明", "declared again")),
                               Label(self.inputs[name].span, tr("首次声明", "first declared here"), False)],
                     name=name)
            return
        self.inputs[name] = inp = self._make_input(d, len(self.inputs))
        if d.only_if is not None:
            self._only_if.append((inp, d.only_if))

    def _condition(self, inp: ir.Input, cond):
        """The condition of ``输入 X: … 仅当 C``: a yes/no over inputs that are always given."""
        c = self.expr(cond, {})
        self.units.want_bool(c, cond.span)
        conditional = {id(i) for i, _c in self._only_if}
        for x in ir.walk(c):
            bad = None
            if isinstance(x, (ir.LocalRef, ir.ScoreRef, ir.TotalRef)):
                bad = tr("只能使用输入项", "only inputs")
            elif isinstance(x, ir.InputRef) and id(x.input) in conditional:
                bad = tr(f"「{x.input.name}」本身也是仅当才给出的输入", f"`{x.input.name}` is itself given only sometimes")
            if bad is not None:
                self.err("E0207", [Label(x.span or cond.span, bad)], name=x.span.text() if x.span else "?",
                         expected_zh="总会给出的输入（「仅当」的条件只能用这样的输入）",
                         expected_en="an input that is always given (a `仅当` condition reads only those)")
                break
        inp.only_if = c

    def _verify(self, st: ast.Verify):
        """``核对 条件 "说明"``: over inputs and rulebook-level values, checked before scoring."""
        c = self.expr(st.cond, self._global_scope())
        self.units.want_bool(c, st.cond.span)
        for x in ir.walk(c):
            if isinstance(x, (ir.ScoreRef, ir.TotalRef)):
                self.err("E0207", [Label(x.span or st.span, tr("核对在评分之前进行", "checks run before scoring"))],
                         name=x.span.text() if x.span else "?", expected_zh="输入项或中间值（核对不能使用得分）",
                         expected_en="an input or a value (a `核对` cannot read scores)")
                break
        self.verifies.append(ir.Verify(c, st.message or " ".join(st.cond.span.text().split()), span=st.span))

    def _make_input(self, d: ast.InputDecl, index: int, in_list: bool = False) -> ir.Input:
        name = d.name.text
        t = d.type
        kind = t.kind
        if kind == "amount" and t.unit not in AMOUNT_UNITS:
            self.err("E0304", [Label(t.span, "")], unit=t.unit, helps=[unit_help()])
            typ = Type("num", UNKNOWN_UNIT)
        elif kind == "count" and not is_count_unit(t.unit):
            what = ("金额" if t.unit in AMOUNT_UNITS else "比率或分值", "an amount" if t.unit in AMOUNT_UNITS else "a rate or points")
            self.err("E0303", [Label(t.span, "")], what_zh=f"计数的单位不能是「{t.unit}」（{what[0]}）",
                     what_en=f"a count cannot be in `{t.unit}` ({what[1]})",
                     helps=[tr(f"金额写作 金额({t.unit})，比率写作 比率", f"write an amount as `金额({t.unit})`, a rate as `比率`")
                            if t.unit in AMOUNT_UNITS else unit_help()])
            typ = Type("num", UNKNOWN_UNIT)
        elif kind in ("amount", "count"):
            typ = Type("num", t.unit)
        elif kind == "date":
            typ = ir.DATE
        elif kind == "list":
            return self._make_list(d, index, in_list)
        elif kind == "rate":
            typ = Type("num", "%")
        elif kind in ("score", "number"):
            typ = Type("num", None)
        elif kind == "boolean":
            typ = ir.BOOL
        elif kind == "grade":
            typ = Type("enum", None, t.members)
        elif kind == "text":
            typ = Type("text")
        else:
            typ = Type("checklist", None, t.members, self._weights(t))
        inp = ir.Input(name, kind, typ, doc=d.doc, span=d.name.span, index=index)
        if kind in ("amount", "count", "rate", "score"):
            inp.lo = Decimal(0)
        if kind == "rate":
            # a rate above 100% is refused unless the declaration allows it: a bare 2.4 in a
            # case means 240%, more often a slip for 2.4% than a real figure
            inp.hi = Decimal(1)
        lo_set = hi_set = False      # a written constraint replaces the default; two written ones combine
        for c in d.constraints:
            if typ.kind not in ORDERED:
                self.err("E0303", [Label(c.span, "")], what_zh="只有数值输入可以限定范围", what_en="only numeric inputs take a range")
                continue
            v = fold_constant(self.expr(c.value, {}, allow_names=False))
            if not isinstance(v, ir.Const) or not isinstance(v.value, Decimal):
                self.err("E0303", [Label(c.value.span, tr("应为常数", "expected a constant"))], what_zh="范围须为常数", what_en="a bound must be a constant")
                continue
            val = v.value
            if typ.unit in MONEY_UNITS and v.type.unit in MONEY_UNITS and v.type.unit != typ.unit:
                val = val * money_factor(v.type.unit, typ.unit)      # 金额(元) ≤ 1万元: exactly 10000元
            else:
                self.units.unify(typ, v.type, c.span, c.op)
            if c.op in (">=", ">"):
                if not lo_set or val > inp.lo or (val == inp.lo and c.op == ">"):
                    inp.lo, inp.lo_open = val, c.op == ">"
                lo_set = True
            elif c.op in ("<=", "<"):
                if not hi_set or val < inp.hi or (val == inp.hi and c.op == "<"):
                    inp.hi, inp.hi_open = val, c.op == "<"
                hi_set = True
            else:
                self.err("E0303", [Label(c.span, "")], what_zh="范围只能用 > ≥ < ≤", what_en="a bound uses > ≥ < ≤")
        if inp.lo is not None and inp.hi is not None and (inp.lo > inp.hi or (inp.lo == inp.hi and (inp.lo_open or inp.hi_open))):
            self.err("E0303", [Label(d.span, tr(f"范围 {inp.range_text()} 为空", f"the range {inp.range_text()} is empty"))],
                     what_zh="各约束合起来不容许任何值", what_en="the constraints together admit no value")
        return inp

    def _weights(self, t: ast.TypeSpec) -> tuple:
        """The points of each item of a weighted checklist (``清单["甲" 2分, "乙" 1分]``), or ()."""
        if not t.weights:
            return ()
        out = []
        for member, w in zip(t.members, t.weights):
            if w is None:
                self.err("E0303", [Label(t.span, tr(f"「{member}」没有分值", f"`{member}` has no points"))],
                         what_zh="清单的要点要么都写分值，要么都不写", what_en="either every checklist item has its points or none has")
                return ()
            if w.unit not in (None, "分") or w.value <= 0:
                self.err("E0303", [Label(w.span, "")], what_zh=f"要点「{member}」的分值应为大于0的分数",
                         what_en=f"the points of `{member}` must be a positive number of points")
                return ()
            out.append(w.value)
        return tuple(out)

    def _make_list(self, d: ast.InputDecl, index: int, in_list: bool) -> ir.Input:
        """``输入 专项资金: 列表 [最多 50项]:`` with its ``字段`` lines: each item a record of
        those fields (declared like 指标行 fields); ``hi`` the most items, if given."""
        t = d.type
        if in_list:
            self.err("E0303", [Label(t.span, "")], what_zh="列表的字段不能再是列表", what_en="a list's field cannot be a list")
        fields: list[ir.Input] = []
        for fd in t.fields:
            if any(f.name == fd.name.text for f in fields):
                prev = next(f for f in fields if f.name == fd.name.text)
                self.err("E0203", [Label(fd.name.span, ""), Label(prev.span, tr("首次声明", "first declared here"), False)],
                         name=fd.name.text)
                continue
            if fd.type.kind == "checklist":
                self.err("E0303", [Label(fd.type.span, "")], what_zh="列表的字段不能是清单", what_en="a list's field cannot be a checklist")
                continue
            f = self._make_input(fd, len(fields), in_list=True)
            f.used = True            # a field nobody reads is still part of the table
            fields.append(f)
        inp = ir.Input(d.name.text, "list", Type("list", fields=tuple(fields)), lo=Decimal(0), doc=d.doc,
                       span=d.name.span, index=index)
        if t.size is not None:
            n = t.size.value
            if t.size.unit not in (None, "项", "个") or n != n.to_integral_value() or n < 0:
                self.err("E0303", [Label(t.size.span, "")], what_zh="列表的项数上限应为整数项，如「最多 50项」",
                         what_en="a list's size limit is a whole number of items, e.g. `最多 50项`")
            else:
                inp.hi = n
        return inp
