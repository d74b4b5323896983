"""Hypothesis strategies: random well-typed jixiao rulebooks (as text) and admissible inputs.

``rulebooks()`` draws a :class:`Book`: a rulebook text with 2–6 inputs, a 1–3 level
hierarchy whose points add up to 满分, leaf rules built from the language's constructs
(arithmetic, min/max, 如果/则/否则, 分档 with and without subject, clamps, 向上取整,
符合数/全部符合, grade lookups, locals shared from a parent, guarded divisions, 不适用 with
a policy) and grade bands. Rules are written so their bounds are provable (clamps,
``min(max(x, 0), P)``), so nearly every book passes ``check``. Some books hold 加分项 / 扣分项
(at the top level, added to 总分 and sometimes held by ``总分 = 合计 不加分 扣完为止``; or
inside a node, whose rule is then ``得分 = 合计 不加分 扣完为止``), some a ``否决`` block after
the bands, some grade on the whole-number total (``定级 按取整总分``); the bands cover the
total's real range. Keywords are Chinese or
English at random, per occurrence; the cosmetic choices come from one drawn seed so
that they shrink together.

``inputs_for(book)`` draws admissible values, favouring the constants each input is
compared with in the rulebook (and those ± 0.01, ± 1 for counts).
"""
from __future__ import annotations

import datetime
import os
import random
from decimal import ROUND_FLOOR
from decimal import Decimal as D
from typing import Optional

import attrs
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from jixiao.dsl.ir import fmt_decimal

KW = {
    "rulebook": ["规则集", "rulebook"], "total": ["满分", "total_points"], "precision": ["精度", "precision"],
    "rounding": ["舍入", "rounding"], "grade_on": ["定级", "grade_on"], "na_set": ["不适用", "not_applicable"],
    "half_up": ["四舍五入", "half_up"], "half_even": ["银行家舍入", "half_even"], "down": ["截断", "去尾", "down"],
    "up": ["进一", "up"], "rounded": ["按舍入后总分", "rounded"], "exact": ["按原始总分", "exact"],
    "full_points": ["计满分", "full_points"], "exclude": ["剔除", "exclude"], "input": ["输入", "input"],
    "level1": ["一级指标", "level1"], "level2": ["二级指标", "level2"],
    "level3": ["指标", "三级指标", "indicator", "level3"], "item": ["子项", "item"],
    "score": ["得分", "score"], "tiers": ["分档", "查表", "tiers", "lookup"], "else": ["否则", "else"],
    "if": ["如果", "if"], "then": ["则", "then"], "grades": ["等级", "grades"], "na": ["不适用", "not_applicable"],
    "floor_zero": ["扣完为止", "floor_zero"], "capped": ["不加分", "超出不加分", "capped"],
    "at_most": ["最多", "at_most"], "at_least": ["最少", "at_least"], "and": ["且", "and"], "or": ["或", "or"],
    "not": ["非", "not"], "true": ["是", "true", "符合"], "false": ["否", "false", "不符合"],
    "total_ref": ["总分", "total"], "doc": ["说明", "doc"], "criteria": ["评分标准", "criteria"],
    "min": ["min", "最小值"], "max": ["max", "最大值"], "ceil": ["向上取整", "ceil"], "floor": ["向下取整", "floor"],
    "abs": ["绝对值", "abs"], "count": ["符合数", "count", "符合项数"], "all": ["全部符合", "all"],
    "any": ["任一符合", "any"], "size": ["项数", "size", "要点数"], "range": ["范围", "range"], "to": ["至", "to"],
    "amount": ["金额(万元)", "amount(万元)", "金额（万元）"], "rate": ["比率", "rate"], "boolean": ["是否", "boolean"],
    "grade": ["等级", "grade"], "checklist": ["清单", "checklist"],
    "bonus": ["加分项", "bonus"], "penalty": ["扣分项", "penalty"], "subtotal": ["合计", "subtotal"],
    "integer": ["按取整总分", "integer"], "veto": ["否决", "一票否决", "veto"], "at_best": ["最高", "at_best"],
    "date": ["日期", "date"], "list": ["列表", "list"], "field": ["字段", "field"], "text": ["文本", "text"],
    "at_most_items": ["最多", "at_most"], "months": ["相差月数", "months_between"], "days": ["相差天数", "days_between"],
    "lcount": ["计数", "count"], "lsum": ["合计", "sum"], "lany": ["任一", "any"], "lall": ["全部", "all"],
    "lmax": ["最大", "max"], "lmin": ["最小", "min"], "points_met": ["符合分", "points_met"],
    "points_unmet": ["不符合扣分", "points_unmet"], "yuan": ["金额(元)", "amount(元)"],
    ">=": ["≥", ">="], "<=": ["≤", "<="], "!=": ["≠", "!="], "==": ["=", "=="], ">": [">"], "<": ["<"],
    "*": ["×", "*"], "/": ["÷", "/"], ":": [":", "："], ",": [", ", "，"],
    "rated_full": ["人工评定", "rated"], "rated": ["评定", "rated"], "only_if": ["仅当", "only_if"],
    "verify": ["核对", "verify"], "unscorable": ["无法计分", "unscorable"],
}
COUNT_TYPES = {"人": ["人数", "计数(人)", "count(人)"], "项": ["项数", "计数(项)", "count(项)"], "个": ["计数(个)", "count(个)"]}
INPUT_NAMES = ["预算数", "执行数", "本年数", "上年数", "在职人数", "编制数", "完成率", "满意率", "职责明确",
               "档次", "要点", "支出额", "项目数", "覆盖率", "amount", "rate_x", "「“三公”经费」"]
NODE_NAMES = ["投入", "过程", "产出", "效益", "目标设定", "预算配置", "预算执行", "资产管理", "职责明确度",
              "活动合规性", "目标覆盖", "管理制度健全性", "item", "「质量（达标）」"]
LOCAL_NAMES = ["变动率", "超编人数", "比例", "系数", "差额", "完成度", "k", "ratio"]
MEMBER_SETS = [("优秀", "良好", "合格", "不合格"), ("A级", "B级", "C级"), ("高", "低")]
PRECISIONS = [D("0.01"), D("0.01"), D("0.1"), D("1"), D("0.5"), D("0.25"), D("0.05")]
LEAF_POINTS = [D("0.5"), D("1"), D("1"), D("1.5"), D("2"), D("3"), D("4"), D("5")]
SMALL = [D(0), D("0.5"), D(1), D(2), D(3), D("0.25"), D("1.5"), D(10), D("0.1")]
DEADLINES = [datetime.date(2024, 6, 30), datetime.date(2024, 2, 29), datetime.date(2023, 12, 31), datetime.date(2024, 1, 31)]
WEIGHTS = [D(1), D(2), D("0.5"), D(3)]


@attrs.define(eq=False)
class InputSpec:
    name: str                       # as written in the rulebook
    kind: str                       # amount count rate boolean grade checklist
    unit: Optional[str]             # 万元 人 项 个 % or None
    lo: Optional[D] = None
    lo_open: bool = False
    hi: Optional[D] = None
    hi_open: bool = False
    members: tuple = ()
    decl: str = ""
    placed: bool = False            # declared inside an indicator's block
    marks: set = attrs.field(factory=set)     # constants it is compared with (dates for a date)
    weights: tuple = ()             # a weighted checklist's points
    most: Optional[int] = None      # a list's most items
    only_if: Optional[str] = None   # 仅当: the condition as written
    guards: tuple = ()              # conditions a rule may read it under (each implies only_if)
    present: object = None          # drawn case values -> does the condition hold

    @property
    def key(self):
        """The name in a case (「…」 only delimits a name in rulebook text)."""
        return self.name.strip("「」")

    @property
    def positive(self):
        return self.lo is not None and (self.lo > 0 or (self.lo == 0 and self.lo_open))

    @property
    def nonneg(self):
        return self.lo is not None and self.lo >= 0


@attrs.define(eq=False)
class Book:
    text: str
    inputs: list
    total: D
    uses_na: bool
    picks: dict = attrs.field(factory=dict)   # pick input name -> (points, [(lo, hi), …]) of its bands


@attrs.define(eq=False)
class Local:
    name: str
    unit: Optional[str]


class Writer:
    """Builds one rulebook; ``draw`` makes the structural choices, ``rs`` the cosmetic ones."""

    def __init__(self, draw, seed):
        self.draw, self.rs = draw, random.Random(seed)
        self.serial = 0
        self.inputs: list[InputSpec] = []
        self.uses_na = False
        self.na_ok = False
        self.picks: dict = {}
        self.node_name: Optional[str] = None     # the leaf whose rule is being written (its pick)
        self.adjust_ok = False       # may draw 加分项 / 扣分项

    # ── choices ──
    def kw(self, key):
        return self.rs.choice(KW[key])

    def pick(self, seq):
        return self.draw(st.sampled_from(list(seq)))

    def chance(self, percent):
        return self.draw(st.integers(0, 99)) < percent

    def fresh(self, pool):
        self.serial += 1
        base = self.pick(pool)
        if base.startswith("「"):
            return base[:-1] + str(self.serial) + "」"
        return f"{base}{self.serial}"

    def num(self, d: D, unit=None) -> str:
        """A constant, written with its unit or as a percentage now and then."""
        if unit == "%" and self.rs.random() < 0.6 and (d * 100) == (d * 100).to_integral_value():
            return fmt_decimal(d * 100) + self.rs.choice(["%", "％"])
        if unit not in (None, "%") and self.rs.random() < 0.4:
            return fmt_decimal(d) + unit
        text = fmt_decimal(d)
        return "(" + text + ")" if d < 0 else text

    # ── inputs ──
    def date(self, d: datetime.date) -> str:
        """A date constant, in either written form."""
        return d.isoformat() if self.rs.random() < 0.6 else f"{d.year}年{d.month}月{d.day}日"

    def deadline(self, spec: Optional[InputSpec] = None) -> datetime.date:
        d = self.pick(DEADLINES)
        if spec is not None:
            spec.marks.add(d)
        for s in self.inputs:
            if s.kind == "list":
                s.marks.add(d)
        return d

    def make_inputs(self):
        kinds = self.draw(st.lists(st.sampled_from(["amount", "amount", "count", "rate", "rate", "boolean",
                                                    "grade", "checklist", "date", "list", "yuan"]), min_size=2, max_size=6))
        for kind in kinds + ["amount", "rate"]:     # at least one amount and one rate
            self.add_input(kind)
        if self.chance(30):
            self.conditional_input()

    def conditional_input(self):
        """A rate given only when a yes/no input holds or an amount is positive (仅当); the
        rules read it only under a condition implying that."""
        from jixiao.compiler.backend import runtime
        if self.chance(60):
            b = self.of("boolean") or self.add_input("boolean")
            cond = b.name
            guards = (b.name, f"{b.name} {self.kw('==')} {self.kw('true')}", f"{b.name} {self.kw('and')} {b.name}")
            present = lambda vals, b=b: runtime.to_bool(vals[b.key])
        else:
            a = self.of("amount") or self.add_input("amount")
            a.marks.update({D(0), D(1)})
            cond = f"{a.name} > 0"
            guards = (cond, f"0 < {a.name}", f"{a.name} {self.kw('>=')} 1")
            present = lambda vals, a=a: runtime.to_decimal(vals[a.key]) > 0
        y = self.add_input("rate", "default", only_if=cond)
        y.guards, y.present = guards, present

    def add_input(self, kind, shape=None, only_if=None) -> InputSpec:
        name = self.fresh(INPUT_NAMES)
        spec = InputSpec(name, kind, None)
        cons = ""
        if kind in ("amount", "count", "rate"):
            spec.unit = {"amount": "万元", "rate": "%"}.get(kind) or self.pick(["人", "项", "个"])
            spec.lo = D(0)
            shape = shape or self.pick(["default", "pos", "range", "neg"] if kind != "count" else ["default", "pos", "range"])
            hi = {"amount": D(500), "count": D(50), "rate": D(1)}[kind]
            if shape == "pos":
                spec.lo_open, cons = True, f" > 0"
            elif shape == "range":
                spec.hi = hi
                cons = f" {self.kw('range')} 0 {self.kw('to')} {self.num(hi, spec.unit)}"
            elif shape == "neg":
                spec.lo, spec.hi = -hi, hi * 10 if kind == "rate" else hi
                cons = f" {self.kw('range')} -{self.num(hi, spec.unit)} {self.kw('to')} {self.num(spec.hi, spec.unit)}"
            if kind == "rate" and spec.hi is None:
                spec.hi = D(1)          # a rate is at most 100% unless declared otherwise
            typ = {"amount": lambda: self.kw("amount"), "rate": lambda: self.kw("rate"),
                   "count": lambda: self.rs.choice(COUNT_TYPES[spec.unit])}[kind]()
        elif kind == "yuan":                   # an amount in 元, used beside the 万元 ones
            spec.kind, spec.unit, spec.lo, spec.hi = "amount", "元", D(0), D(5000000)
            typ = self.kw("yuan")
            cons = f" {self.kw('range')} 0 {self.kw('to')} 500万元"
        elif kind == "date":
            typ = self.kw("date")
        elif kind == "list":
            spec.most = self.pick([None, 3, 5])
                                               # several lines: always at the top level (see node)
            most = f" {self.kw('at_most_items')} {spec.most}项" if spec.most is not None else ""
            fields = [f"  {self.kw('field')} 名称{self.kw(':')} {self.kw('text')}",
                      f"  {self.kw('field')} 金额{self.kw(':')} {self.kw('amount')} > 0",
                      f"  {self.kw('field')} 下达日期{self.kw(':')} {self.kw('date')}",
                      f"  {self.kw('field')} 按时{self.kw(':')} {self.kw('boolean')}"]
            spec.decl = f"{self.kw('input')} {name}{self.kw(':')} {self.kw('list')}{most}{self.kw(':')}\n" + "\n".join(fields)
            self.inputs.append(spec)
            return spec
        elif kind == "boolean":
            typ = self.kw("boolean")
        elif kind == "grade":
            spec.members = self.pick(MEMBER_SETS)
            typ = f"{self.kw('grade')}({self.kw(',').join(spec.members)})"
        else:
            n = self.draw(st.integers(2, 4))
            spec.members = tuple(f"评价要点{i + 1}" for i in range(n))
            if self.chance(40):
                spec.weights = tuple(self.pick(WEIGHTS) for _ in range(n))
                typ = f"{self.kw('checklist')}[" + ", ".join(f'"{m}" {fmt_decimal(w)}分' for m, w in zip(spec.members, spec.weights)) + "]"
            else:
                typ = f"{self.kw('checklist')}[" + ", ".join(f'"{m}"' for m in spec.members) + "]"
        doc = ' "说明文字"' if self.rs.random() < 0.2 else ""
        spec.only_if = only_if
        cond = f" {self.kw('only_if')} {only_if}" if only_if else ""
        spec.decl = f"{self.kw('input')} {name}{self.kw(':')} {typ}{cons}{cond}{doc}"
        self.inputs.append(spec)
        return spec

    def of(self, *kinds, where=lambda s: True):
        found = [s for s in self.inputs if s.kind in kinds and where(s) and s.only_if is None]
        return self.pick(found) if found else None

    # ── numeric expressions: (text, unit), unit None or "%" ──
    def expr(self, depth, locs) -> tuple[str, Optional[str]]:
        atoms = ["const", "rate", "ratio", "count", "check", "days", "months", "agg", "points", "yuan"] + \
            (["local"] * 5 if any(l.unit in (None, "%") for l in locs) else [])
        compound = ["add", "sub", "mul", "div", "minmax", "round", "if", "guard"] if depth > 0 else []
        if any(s.only_if for s in self.inputs):
            compound.append("cond_input")
        what = self.pick(atoms + compound)
        if what == "cond_input":
            # a conditional input, read only where its condition is known to hold
            y = self.pick([s for s in self.inputs if s.only_if])
            return f"({self.kw('if')} {self.pick(y.guards)} {self.kw('then')} {y.name} {self.kw('else')} {self.num(self.pick(SMALL))})", "%"
        if what == "const":
            return self.num(self.pick(SMALL)), None
        if what == "rate":
            return self.of("rate").name, "%"
        if what == "ratio":
            b = self.of("amount", "count", where=lambda s: s.positive)
            if b is not None:
                a = self.of(b.kind, where=lambda s: s.unit == b.unit)
                return f"({a.name} {self.kw('/')} {b.name})", "%"
            what = "count"
        if what == "count":
            n = self.of("count")
            if n is not None:
                return f"({n.name} {self.kw('*')} {self.num(self.pick([D('0.1'), D('0.5'), D(1)]))})", None
            what = "check"
        if what == "check":
            c = self.of("checklist")
            if c is None:
                return self.num(self.pick(SMALL)), None
            if self.chance(50):
                return f"({self.kw('count')}({c.name}) {self.kw('*')} 0.5)", None
            return f"({self.kw('count')}({c.name}) {self.kw('/')} {self.kw('size')}({c.name}))", "%"
        if what == "days":
            d = self.of("date")
            if d is not None:
                a, b = (d.name, self.date(self.deadline(d))) if self.chance(70) else (self.date(self.deadline(d)), d.name)
                if self.chance(30):
                    return f"({self.kw('days')}({b}{self.kw(',')}{a}) {self.kw('*')} 0.1)", None
                return f"(({a} - {b}) {self.kw('*')} {self.num(self.pick([D('0.1'), D('0.01')]))})", None
            what = "const"
        if what == "months":
            d = self.of("date")
            if d is not None:
                return f"({self.kw('months')}({self.date(self.deadline(d))}{self.kw(',')}{d.name}) {self.kw('*')} 0.5)", None
            what = "const"
        if what == "agg":
            lst = self.of("list")
            if lst is not None:
                f = self.pick(["count", "sum", "max"])
                if f == "count":
                    cond = self.field_cond(lst)
                    return (f"({self.kw('lcount')}({lst.name}" + (f"{self.kw(',')}{cond}" if cond else "") + f") {self.kw('*')} 0.5)", None)
                if f == "sum":
                    cond = self.field_cond(lst)
                    return (f"({self.kw('lsum')}({lst.name}{self.kw(',')}金额" + (f"{self.kw(',')}{cond}" if cond else "")
                            + f") {self.kw('/')} 100万元)", "%")
                fn = self.pick(["lmax", "lmin"])
                return f"({self.kw(fn)}({lst.name}{self.kw(',')}金额{self.kw(',')}{self.num(self.pick(SMALL))}万元) {self.kw('/')} 100万元)", "%"
            what = "const"
        if what == "points":
            c = self.of("checklist", where=lambda s: bool(s.weights))
            if c is not None:
                f = self.pick(["points_met", "points_unmet"])
                return f"{self.kw(f)}({c.name})", None
            what = "const"
        if what == "yuan":
            y = self.of("amount", where=lambda s: s.unit == "元")
            b = self.of("amount", where=lambda s: s.unit == "万元" and s.positive)
            if y is not None and b is not None:
                return f"({y.name} {self.kw('/')} {b.name})", "%"
            what = "const"
        if what == "const":
            return self.num(self.pick(SMALL)), None
        if what == "local":
            loc = self.pick([l for l in locs if l.unit in (None, "%")])
            return loc.name, loc.unit
        a, ua = self.expr(depth - 1, locs)
        if what in ("add", "sub", "mul", "minmax"):
            b, ub = self.expr(depth - 1, locs)
            unit = ua or ub
            if what == "add":
                return f"({a} + {b})", unit
            if what == "sub":
                if ua == ub == "%":      # a rate minus a rate is percentage points: count the points
                    return f"(({a} - {b}) {self.kw('/')} {self.num(self.pick([D(1), D('0.1')]))}{self.rs.choice(['个百分点', 'pp', '百分点'])})", None
                return f"({a} - {b})", unit
            if what == "mul":
                return f"({a} {self.kw('*')} {b})", unit
            f = self.pick(["min", "max"])
            return f"{self.kw(f)}({a}{self.kw(',')}{b})", unit
        if what == "div":
            k = self.pick([D(2), D(3), D("0.5"), D("0.8")])
            if k == D("0.8") and self.chance(50):
                return f"({a} {self.kw('/')} 80%)", (None if ua == "%" else ua)
            return f"({a} {self.kw('/')} {self.num(k)})", ua
        if what == "round":
            f = self.pick(["ceil", "floor", "abs"])
            return f"{self.kw(f)}({a})", ua
        if what == "if":
            b, ub = self.expr(depth - 1, locs)
            return f"({self.kw('if')} {self.cond(depth - 1, locs)} {self.kw('then')} {a} {self.kw('else')} {b})", ua or ub
        # guard: a division by an input that may be 0, behind a test
        q = self.of("amount", "count", where=lambda s: s.nonneg)
        if q is None:
            return a, ua
        p = self.of(q.kind, where=lambda s: s.unit == q.unit)
        q.marks.add(D(0))
        test = self.pick([f"{q.name} > 0", f"{q.name} {self.kw('!=')} 0", f"{self.kw('not')} ({q.name} {self.kw('==')} 0)"])
        return (f"({self.kw('if')} {test} {self.kw('then')} {p.name} {self.kw('/')} {q.name} "
                f"{self.kw('else')} {self.num(self.pick(SMALL))})", "%")

    def field_cond(self, lst: InputSpec) -> str:
        """A condition over a list item's fields (or none)."""
        what = self.pick(["none", "amount", "date", "bool", "and"])
        if what == "amount":
            k = self.pick([D(50), D(100), D("0.5")])
            lst.marks.add(k)
            return f"金额 {self.kw(self.pick(['>=', '>', '<']))} {fmt_decimal(k)}万元"
        if what == "date":
            return f"下达日期 {self.kw(self.pick(['<=', '>']))} {self.date(self.deadline())}"
        if what == "bool":
            return self.pick(["按时", f"{self.kw('not')} 按时"])
        if what == "and":
            return f"按时 {self.kw('and')} 下达日期 {self.kw('<=')} {self.date(self.deadline())}"
        return ""

    def threshold(self, spec: Optional[InputSpec]) -> D:
        """A constant worth comparing ``spec`` (or a score-like expression) with."""
        if spec is None:
            return self.pick(SMALL + [D("0.8"), D("0.6")])
        if spec.kind == "rate":
            d = self.pick([D("0.9"), D("0.8"), D("0.6"), D(1), D(0), D("0.95"), D("0.333")])
        elif spec.kind == "count":
            d = D(self.draw(st.integers(0, 12)))
        else:
            d = self.pick([D(0), D(30), D(100), D("250.5"), D(-20)] if spec.lo and spec.lo < 0 else [D(0), D(30), D(100), D("250.5")])
        spec.marks.add(d)
        return d

    def subject(self, depth, locs):
        """Something numeric to compare: (text, input spec or None, unit)."""
        usable = [l for l in locs if l.unit in (None, "%")]
        if usable and self.chance(35):
            loc = self.pick(usable)
            return loc.name, None, loc.unit
        s = self.of("amount", "count", "rate") if self.chance(70) else None
        if s is not None:
            return s.name, s, s.unit
        text, unit = self.expr(depth, locs)
        return text, None, unit

    def cond(self, depth, locs) -> str:
        kinds = ["cmp", "cmp", "bool", "grade", "check", "chain", "date", "list", "item"] + (["logic", "not"] if depth > 0 else [])
        what = self.pick(kinds)
        if what == "date":
            d = self.of("date")
            if d is not None:
                return f"{d.name} {self.kw(self.pick(['<=', '<', '>=', '>', '==']))} {self.date(self.deadline(d))}"
            what = "cmp"
        if what == "list":
            lst = self.of("list")
            if lst is not None:
                f = self.pick(["lany", "lall", "count"])
                cond = self.field_cond(lst) or "按时"
                if f == "count":
                    return f"{self.kw('lcount')}({lst.name}{self.kw(',')}{cond}) {self.kw('>=')} {self.draw(st.integers(0, 2))}"
                return f"{self.kw(f)}({lst.name}{self.kw(',')}{cond})"
            what = "cmp"
        if what == "item":
            c = self.of("checklist")
            if c is not None:
                k = self.draw(st.integers(1, len(c.members)))
                return f'{c.name}[{k}]' if self.chance(60) else f'{c.name}["{c.members[k - 1]}"]'
            what = "cmp"
        if what == "bool":
            b = self.of("boolean")
            if b is not None:
                return self.pick([b.name, f"{self.kw('not')} {b.name}", f"{b.name} {self.kw('==')} {self.kw('true')}"])
            what = "cmp"
        if what == "grade":
            g = self.of("grade")
            if g is not None:
                return f"{g.name} {self.kw(self.pick(['==', '!=']))} {self.pick(g.members)}"
            what = "cmp"
        if what == "check":
            c = self.of("checklist")
            if c is not None:
                f = self.pick(["all", "any", "count"])
                if f == "count":
                    return f"{self.kw('count')}({c.name}) {self.kw('>=')} {self.draw(st.integers(1, len(c.members)))}"
                return f"{self.kw(f)}({c.name})"
            what = "cmp"
        if what == "logic":
            return f"({self.cond(depth - 1, locs)} {self.kw(self.pick(['and', 'or']))} {self.cond(depth - 1, locs)})"
        if what == "not":
            return f"{self.kw('not')} ({self.cond(depth - 1, locs)})"
        text, spec, unit = self.subject(depth - 1 if depth else 0, locs)
        if what == "chain":
            a, b = sorted([self.threshold(spec), self.threshold(spec)])
            if a == b:
                b = a + 1
            return f"{self.num(a, unit)} {self.kw(self.pick(['<=', '<']))} {text} {self.kw(self.pick(['<=', '<']))} {self.num(b, unit)}"
        op = self.pick([">=", ">", "<=", "<", "==", "!="])
        return f"{text} {self.kw(op)} {self.num(self.threshold(spec), unit)}"

    # ── scores provably within [0, P] ──
    def bounded(self, P, depth, locs, na_ok) -> str:
        opts = ["const", "minmax", "clamp", "deduct", "ratio", "check", "ceil", "late", "items", "weighted"] + (["if"] if depth > 0 else [])
        if na_ok:
            opts += ["na", "na_clamp"]
        if self.node_name is not None:
            opts += ["rated"]
            if depth < 2 and self.chance(25):
                opts += ["unscorable"]
        what = self.pick(opts)
        if what == "rated":
            # 评定 lo 至 hi: the evaluator's pick within a band at the precision
            steps = int(P / self.step)
            a, b = (0, steps) if self.chance(25) else sorted(self.draw(st.integers(0, steps)) for _ in range(2))
            lo, hi = self.step * a, self.step * b
            key = f"评定得分.{self.node_name}"
            self.picks.setdefault(key, (P, []))[1].append((lo, hi))
            if lo == 0 and hi == P and self.chance(50):
                return self.kw("rated_full")
            return f"{self.kw('rated')} {self.num(lo)} {self.kw('to')} {self.num(hi)}"
        if what == "unscorable":
            return f'{self.kw("unscorable")} "表中未规定"'
        if what == "const":
            # a multiple of 精度: the fast path mis-rounds a rule whose results are all constants
            # when one is not (test_constant_results_round_like_the_traced_path)
            c = self.pick([D(0), P, P / 2, P / 4])
            return self.num((c / self.step).to_integral_value(ROUND_FLOOR) * self.step)
        if what == "na":
            self.uses_na = True
            return self.kw("na")
        if what == "late":            # 每延迟1天扣0.1分，扣完为止
            d = self.of("date")
            if d is not None:
                late = f"{self.kw('max')}({d.name} - {self.date(self.deadline(d))}{self.kw(',')}0)"
                return f"{self.num(P)} - {late} {self.kw('*')} {self.num(self.pick([D('0.1'), D('0.5')]))} {self.kw('floor_zero')}"
            what = "const"
        if what == "items":           # 每项扣0.5分，扣完为止
            lst = self.of("list")
            if lst is not None:
                cond = self.field_cond(lst)
                n = f"{self.kw('lcount')}({lst.name}" + (f"{self.kw(',')}{cond}" if cond else "") + ")"
                return f"{self.num(P)} - {n} {self.kw('*')} {self.num(self.pick([D('0.5'), D('0.25')]))} {self.kw('floor_zero')}"
            what = "const"
        if what == "weighted":
            c = self.of("checklist", where=lambda s: bool(s.weights))
            if c is not None:
                total = sum(c.weights, D(0))
                return f"{self.kw('points_met')}({c.name}) {self.kw('/')} {fmt_decimal(total)} {self.kw('*')} {self.num(P)}"
            what = "const"
        if what == "const":
            c = self.pick([D(0), P, P / 2, P / 4])
            return self.num((c / self.step).to_integral_value(ROUND_FLOOR) * self.step)
        e, _ = self.expr(depth, locs)
        if what == "minmax":
            if self.chance(50):
                return f"{self.kw('min')}({self.kw('max')}({e}{self.kw(',')}0){self.kw(',')}{self.num(P)})"
            return f"{self.kw('max')}({self.kw('min')}({e}{self.kw(',')}{self.num(P)}){self.kw(',')}0)"
        if what in ("clamp", "na_clamp"):
            if what == "na_clamp":    # a clamp over a branch that is 不适用 (the clamp is pushed into the branch)
                self.uses_na = True
                e = f"({self.kw('if')} {self.cond(0, locs)} {self.kw('then')} {self.kw('na')} {self.kw('else')} {e})"
            lo = self.pick([self.kw("floor_zero"), f"{self.kw('at_least')} 0"])
            hi = self.pick([self.kw("capped"), f"{self.kw('at_most')} {self.num(P)}"])
            return f"{e} {lo} {hi}" if self.chance(50) else f"{e} {hi} {lo}"
        if what == "deduct":
            n = self.of("count")
            if n is not None:
                return f"{self.num(P)} - {n.name} {self.kw('*')} {self.num(self.pick([D('0.1'), D('0.5')]))} {self.kw('floor_zero')}"
            what = "ratio"
        if what == "ratio":
            r = self.of("rate", where=lambda s: s.nonneg) or self.add_input("rate", "default")
            target = self.num(self.pick([D("0.8"), D("0.9"), D(1), D("0.7")]), "%")
            return f"{self.kw('min')}({r.name} {self.kw('/')} {target} {self.kw('*')} {self.num(P)}{self.kw(',')}{self.num(P)})"
        if what == "check":
            c = self.of("checklist")
            if c is not None:
                return f"{self.kw('count')}({c.name}) {self.kw('/')} {self.kw('size')}({c.name}) {self.kw('*')} {self.num(P)}"
            return self.num(P)
        if what == "ceil":
            return f"{self.kw('min')}({self.kw('ceil')}({self.kw('max')}({e}{self.kw(',')}0)){self.kw(',')}{self.num(P)})"
        a, b = self.bounded(P, depth - 1, locs, na_ok), self.bounded(P, depth - 1, locs, na_ok)
        return f"({self.kw('if')} {self.cond(depth - 1, locs)} {self.kw('then')} {a} {self.kw('else')} {b})"

    # ── tiers: a list of lines, the first ending in ':' ──
    def tiers(self, P, locs, na_ok, pad) -> list[str]:
        c = self.kw(":")
        what = self.pick(["numeric", "numeric", "grade", "bool", "count", "conds", "change"])
        value = lambda: self.bounded(P, 1, locs, na_ok)
        rows, head = [], self.kw("tiers")
        if what == "grade" and self.of("grade"):
            g = self.of("grade")
            listed = self.draw(st.permutations(g.members))[: self.draw(st.integers(1, len(g.members)))]
            rows = [f"{m} {c} {value()}" for m in listed]
            if len(listed) < len(g.members) or self.chance(20):
                rows.append(f"{self.kw('else')} {c} {value()}")
            return [f"{head} {g.name}{c}"] + [pad + r for r in rows]
        if what == "bool" and self.of("boolean"):
            b = self.of("boolean")
            return [f"{head} {b.name}{c}", f"{pad}{self.kw('true')} {c} {value()}", f"{pad}{self.kw('false')} {c} {value()}"]
        if what == "count" and self.of("checklist"):
            ck = self.of("checklist")
            n = len(ck.members)
            ks = list(range(n, -1, -1))[: self.draw(st.integers(1, n + 1))]
            rows = [f"{self.pick(['', self.kw('==') + ' '])}{k} {c} {value()}" for k in ks]
            if ks[-1] != 0 or self.chance(30):
                rows.append(f"{self.kw('else')} {c} {value()}")
            return [f"{head} {self.kw('count')}({ck.name}){c}"] + [pad + r for r in rows]
        if what == "change":
            return self.change(P, locs, na_ok, pad)
        if what == "conds" or not self.chance(80):
            rows = [f"{self.cond(1, locs)} {c} {value()}" for _ in range(self.draw(st.integers(1, 3)))]
            return [f"{head}{c}"] + [pad + r for r in rows] + [f"{pad}{self.kw('else')} {c} {value()}"]
        text, spec, unit = self.subject(1, locs)
        ks = sorted({self.threshold(spec) for _ in range(self.draw(st.integers(1, 3)))})
        down = self.chance(50)
        ops = [">=", ">"] if down else ["<=", "<"]
        if down:
            ks.reverse()
        rows = [f"{self.kw(self.pick(ops))} {self.num(k, unit)} {c} {value()}" for k in ks]
        if self.chance(25):     # the complement of the last row instead of 否则
            last = rows[-1].split()[0]
            comp = {"≥": "<", ">=": "<", ">": "<=", "≤": ">", "<=": ">", "<": ">="}[last]
            rows.append(f"{self.kw(comp)} {self.num(ks[-1], unit)} {c} {value()}")
        else:
            rows.append(f"{self.kw('else')} {c} {value()}")
        return [f"{head} {text}{c}"] + [pad + r for r in rows]

    def change(self, P, locs, na_ok, pad) -> tuple[list[str], str]:
        """The 变动率 pattern: a local dividing by last year's figure, used behind a guard.
        Returns the tier lines and the local's definition."""
        last = self.of("amount", where=lambda s: s.nonneg) or self.add_input("amount", "default")
        cur = self.of("amount", where=lambda s: s.unit == last.unit)
        last.marks.add(D(0))
        name = self.guarded_local
        c = self.kw(":")
        if na_ok and self.chance(60):
            first, self.uses_na = self.kw("na"), True
        else:
            first = self.num(self.pick([P, D(0)]))
        k = self.pick([D(0), D("0.05"), D("0.1")])
        return [f"{self.kw('tiers')}{c}",
                f"{pad}{last.name} {self.kw('==')} 0 {c} {first}",
                f"{pad}{name} {self.kw('<=')} {self.num(k, '%')} {c} {self.num(P)}",
                f"{pad}{self.kw('else')} {c} {self.num(P)} - {name} {self.kw('*')} {self.num(self.pick([D(1), D(2), D(10)]))} {self.kw('floor_zero')}"], \
            f"{name} = ({cur.name} - {last.name}) {self.kw('/')} {last.name}"

    # ── hierarchy ──
    def node(self, level, depth, locs, ind):
        pad = "  "
        children = self.draw(st.integers(1, 3)) if depth > 0 and self.chance(60) else 0
        name = self.fresh(NODE_NAMES)
        lines = []
        if self.chance(15):
            lines.append(f'{self.kw("doc")} "指标解释说明"')
        if self.chance(10):
            lines.append(f'{self.kw("criteria")} """评分标准第一行\n{ind}{pad}    第二行"""')
        mine = list(locs)
        if self.chance(15):
            spec = self.pick(self.inputs)
            if not spec.placed and "\n" not in spec.decl:
                spec.placed = True
                lines.append(spec.decl)
        for _ in range(self.draw(st.integers(0, 2))):
            lname = self.fresh(LOCAL_NAMES)
            if self.chance(20):
                lines.append(f"{lname} = " + "\n".join(self.local_tiers(mine, ind + pad + pad)))
                mine.append(Local(lname, None))
            else:
                e, u = self.expr(2, mine)
                lines.append(f"{lname} = {e}")
                mine.append(Local(lname, u))
        body, points = [], D(0)
        if children:
            sub = {"level1": "level2", "level2": "level3"}.get(level, "item")
            for _ in range(children):
                text, p = self.node(sub, depth - 1, mine, ind + pad)
                body.append(text)
                points += p
            if self.adjust_ok and self.chance(30):
                # 加分项 / 扣分项 inside: the node says how it stays within its points
                for _ in range(self.draw(st.integers(1, 2))):
                    body.append(self.adjust_item(ind + pad, mine)[0])
                clamps = [self.kw("capped"), self.kw("floor_zero")]
                self.rs.shuffle(clamps)
                lines.append(f"{self.kw('score')} = {self.kw('subtotal')} {' '.join(clamps)}")
        else:
            # points a multiple of 精度 (else a full score can round above the points: see
            # test_points_not_a_multiple_of_precision)
            points = self.pick([p for p in LEAF_POINTS if p % self.step == 0] or [self.step])
            self.guarded_local = self.fresh(LOCAL_NAMES)
            self.node_name = name.strip("「」") if self.chance(30) else None    # this rule may be hand-scored
            if self.chance(40):
                rule = self.tiers(points, mine, self.na_ok, ind + pad + pad)
            else:
                rule = [self.bounded(points, 2, mine, self.na_ok)]
            self.node_name = None
            if isinstance(rule, tuple):       # the 变动率 pattern brings its local along
                rule, let = rule
                lines.append(let)
            lines.append(f"{self.kw('score')} = " + "\n".join(rule))
        pts = fmt_decimal(points) + self.rs.choice(["分", " 分", ""])
        head = f"{ind}{self.kw(level)} {name} {pts}{self.kw(':')}"
        text = "\n".join([head] + [ind + pad + l for l in lines] + body)
        return text, points

    def adjust_item(self, ind, locs) -> tuple[str, str, D]:
        """A 加分项 or 扣分项: a leaf capped by 最多 in its header, a leaf whose rule stays
        within its points, or (最多) 子项 whose points may add up to more. Returns (text,
        kind, points)."""
        kind = self.pick(["bonus", "penalty"])
        name = self.fresh(NODE_NAMES)
        N = self.pick([p for p in LEAF_POINTS if p % self.step == 0] or [self.step])
        pts = fmt_decimal(N) + self.rs.choice(["分", " 分", ""])
        pad = ind + "  "
        shape = self.pick(["capped", "bounded", "children"])
        if shape == "capped":
            e, _ = self.expr(2, locs)
            return (f"{ind}{self.kw(kind)} {name} {self.kw('at_most')} {pts}{self.kw(':')}\n"
                    f"{pad}{self.kw('score')} = {self.kw('max')}({e}{self.kw(',')}0)"), kind, N
        if shape == "bounded":
            return (f"{ind}{self.kw(kind)} {name} {pts}{self.kw(':')}\n"
                    f"{pad}{self.kw('score')} = {self.bounded(N, 2, locs, False)}"), kind, N
        lines = [f"{ind}{self.kw(kind)} {name} {self.kw('at_most')} {pts}{self.kw(':')}"]
        for _ in range(self.draw(st.integers(1, 3))):
            P = self.pick([p for p in LEAF_POINTS if p % self.step == 0] or [self.step])
            lines.append(f"{pad}{self.kw('item')} {self.fresh(NODE_NAMES)} {fmt_decimal(P)}{self.kw(':')}")
            lines.append(f"{pad}  {self.kw('score')} = {self.bounded(P, 1, locs, False)}")
        return "\n".join(lines), kind, N

    def local_tiers(self, locs, pad):
        text, spec, unit = self.subject(1, locs)
        ks = sorted({self.threshold(spec) for _ in range(2)}, reverse=True)
        c = self.kw(":")
        rows = [f"{pad}{self.kw('>=')} {self.num(k, unit)} {c} {self.num(self.pick(SMALL))}" for k in ks]
        return [f"{self.kw('tiers')} {text}{c}"] + rows + [f"{pad}{self.kw('else')} {c} {self.num(self.pick(SMALL))}"]

    def grades(self, total, step, lo=D(0), hi=None) -> list[str]:
        """Bands best first over the totals [lo, hi] (beyond [0, 满分] with top-level bonus
        and penalty); then, now and then, a 否决 block."""
        hi = total if hi is None else hi
        c, T = self.kw(":"), self.kw("total_ref")
        if self.chance(10):
            return [f"{self.kw('grades')}{c}", f"  全部{c} {self.kw('else')}"] + self.vetoes(["全部"])
        fracs = sorted(set(self.draw(st.lists(st.sampled_from([D("0.9"), D("0.8"), D("0.6"), D("0.5"), D("0.75")]),
                                              min_size=1, max_size=3))), reverse=True)
        cuts = sorted({(total * f / step).to_integral_value() * step for f in fracs}, reverse=True)
        names = ["优", "良", "中", "差"]
        out = [f"{self.kw('grades')}{c}"]
        le, lt = self.kw("<="), self.kw("<")
        prev = None
        for n, cut in zip(names, cuts):
            if prev is None:
                cond = self.pick([f"{fmt_decimal(cut)} {le} {T} {le} {fmt_decimal(hi)}", f"{T} {self.kw('>=')} {fmt_decimal(cut)}"])
            else:
                cond = self.pick([f"{fmt_decimal(cut)} {le} {T} {lt} {fmt_decimal(prev)}",
                                  f"{T} {self.kw('>=')} {fmt_decimal(cut)} {self.kw('and')} {T} {lt} {fmt_decimal(prev)}"])
            out.append(f"  {n}{c} {cond}")
            prev = cut
        last = self.pick([self.kw("else"), f"{T} {lt} {fmt_decimal(prev)}", f"{fmt_decimal(lo)} {le} {T} {lt} {fmt_decimal(prev)}"])
        out.append(f"  {names[len(cuts)]}{c} {last}")
        return out + self.vetoes(names[: len(cuts) + 1])

    def vetoes(self, names) -> list[str]:
        """A 否决 block (sometimes): conditions over the inputs, a grade set or capped."""
        if not self.chance(30):
            return []
        c = self.kw(":")
        out = [f"{self.kw('veto')}{c}"]
        for _ in range(self.draw(st.integers(1, 3))):
            cond = self.cond(1, [])
            if self.chance(20):
                cond = f"({cond}) {self.kw('and')} {self.kw('total_ref')} {self.kw('>=')} {self.num(self.pick(SMALL))}"
            g = self.pick(names)
            out.append(f"  {cond} {c} {self.kw('at_best') + ' ' if self.chance(60) else ''}{g}")
        return out

    def book(self) -> Book:
        self.step = step = self.pick(PRECISIONS)
        self.make_inputs()
        self.na_ok = self.chance(45)
        self.adjust_ok = self.chance(40)
        glob = []
        if self.chance(25):
            e, u = self.expr(1, [])
            glob.append((self.fresh(LOCAL_NAMES), e, u))
        roots, total = [], D(0)
        for _ in range(self.draw(st.integers(1, 3))):
            text, p = self.node("level1", self.draw(st.integers(0, 2)), [Local(n, u) for n, _e, u in glob], "")
            roots.append(text)
            total += p
        lo, hi, held = D(0), total, []
        if self.adjust_ok and self.chance(60):
            # top-level 加分项 / 扣分项: added to / deducted from 总分
            for _ in range(self.draw(st.integers(1, 2))):
                text, kind, N = self.adjust_item("", [Local(n, u) for n, _e, u in glob])
                roots.append(text)
                lo, hi = (lo, hi + N) if kind == "bonus" else (lo - N, hi)
            if self.chance(50):
                clamps = [self.pick([self.kw("capped"), f"{self.kw('at_most')} {fmt_decimal(total)}"]),
                          self.pick([self.kw("floor_zero"), f"{self.kw('at_least')} 0"])]
                self.rs.shuffle(clamps)
                held = [f"{self.kw('total_ref')} = {self.kw('subtotal')} {' '.join(clamps)}"]
                lo, hi = D(0), total
        head = [f'{self.kw("rulebook")} "随机规则集"', f"{self.kw('total')} {fmt_decimal(total)}"]
        if step != D("0.01") or self.chance(50):
            head.append(f"{self.kw('precision')} {fmt_decimal(step)}")
        if self.chance(70):
            head.append(f"{self.kw('rounding')} {self.kw(self.pick(['half_up', 'half_even', 'down', 'up']))}")
        if self.chance(50):
            grade_on = self.pick(['rounded', 'exact', 'integer'])
            head.append(f"{self.kw('grade_on')} {self.kw(grade_on)}")
            if grade_on == "integer":      # the bands see whole numbers: [round(lo), round(hi)] covers them
                lo, hi = lo.to_integral_value(ROUND_FLOOR), -(-hi).to_integral_value(ROUND_FLOOR)
        if self.uses_na or self.chance(10):
            head.append(f"{self.kw('na_set')} {self.kw(self.pick(['full_points', 'exclude']))}")
        decls = [s.decl for s in self.inputs if not s.placed]
        checks = []
        if self.chance(15):      # 核对: a cross-check of the data, before scoring (most hold)
            a = self.of("amount", "count", where=lambda s: s.nonneg)
            b = self.of("amount", "count", where=lambda s: a is not None and s.unit == a.unit and s.nonneg)
            cond = (self.cond(0, []) if a is None or self.chance(30) else
                    f"{a.name} {self.kw('<=')} {a.name} + {b.name}" if self.chance(50) else f"{a.name} {self.kw('>=')} 0")
            checks.append(f'{self.kw("verify")} {cond} "数据应一致"')
        body = head + [""] + decls + [f"{n} = {e}" for n, e, _u in glob] + checks + [""] + roots + held + [""] \
            + self.grades(total, step, lo, hi)
        return Book("\n".join(body) + "\n", self.inputs, total, self.uses_na, self.picks)


@st.composite
def rulebooks(draw) -> Book:
    return Writer(draw, draw(st.integers(0, 2**32 - 1))).book()


# ───────────── inputs ─────────────

def _in_range(s: InputSpec, v: D) -> bool:
    if s.lo is not None and (v < s.lo or (s.lo_open and v == s.lo)):
        return False
    if s.hi is not None and (v > s.hi or (s.hi_open and v == s.hi)):
        return False
    return True


def _number(s: InputSpec):
    lo = s.lo if s.lo is not None else D(-1000)
    hi = s.hi if s.hi is not None else {"rate": D(3), "count": D(60)}.get(s.kind, D(1000))
    if s.kind == "count":
        near = sorted({m + d for m in s.marks | {lo, hi} for d in (-1, 0, 1)})
        free = st.integers(int(lo), int(hi)).map(D)
    else:
        step = D("0.0001") if s.kind == "rate" else D("0.01")
        near = sorted({m + d for m in s.marks | {lo, hi} for d in (D("-0.01"), D(0), D("0.01"))})
        free = st.integers(int(lo / step), int(hi / step)).map(lambda n: n * step)
    near = [v for v in near if _in_range(s, v)]
    base = st.one_of(st.sampled_from(near), free) if near else free
    return base.filter(lambda v: _in_range(s, v))


def _date_value(s: InputSpec):
    near = sorted({m + datetime.timedelta(days=k) for m in s.marks for k in (-1, 0, 1, 31, -31, 366)})
    free = st.dates(datetime.date(2022, 1, 1), datetime.date(2026, 12, 31))
    base = st.one_of(st.sampled_from(near), free) if near else free
    # as people and files give them: a date, ISO text, or text in Chinese
    return base.flatmap(lambda d: st.sampled_from([d, d.isoformat(), f"{d.year}年{d.month}月{d.day}日"]))


def _list_value(s: InputSpec):
    amounts = sorted({m + d for m in s.marks if isinstance(m, D) for d in (D("-0.01"), D(0), D("0.01")) if m + d > 0}) or [D(1)]
    item = st.fixed_dictionaries({
        "名称": st.sampled_from(["农村饮水", "道路", "学校", "「项目」"]),
        "金额": st.one_of(st.sampled_from(amounts), st.integers(1, 30000).map(lambda n: D(n) / 100)),
        "下达日期": _date_value(InputSpec("d", "date", None, marks={m for m in s.marks if isinstance(m, datetime.date)})),
        "按时": st.sampled_from([True, False, "是", "否"])})
    return st.lists(item, max_size=s.most if s.most is not None else 4)


def _value(s: InputSpec):
    if s.kind == "date":
        return _date_value(s)
    if s.kind == "list":
        return _list_value(s)
    if s.kind == "boolean":
        return st.sampled_from([True, False, "是", "否", "符合", "不符合", "true", "false"])
    if s.kind == "grade":
        return st.sampled_from(s.members)
    if s.kind == "checklist":
        n = len(s.members)
        return st.one_of(st.tuples(*[st.booleans()] * n), st.just("全部符合"))
    num = _number(s)
    if s.kind == "rate":   # numbers as people write them: 0.963, "96.3%"
        return num.flatmap(lambda v: st.sampled_from([v, f"{fmt_decimal(v * 100)}%"]))
    return num.flatmap(lambda v: st.sampled_from([v, str(v)] + ([int(v)] if v == v.to_integral_value() else [])))


def _pick(points: D, bands: list, step: D):
    """A pick: absent, at a band's edge or just outside it, or anywhere in [0, points]."""
    edges = sorted({v for lo, hi in bands for v in (lo, hi, lo - step, hi + step, (lo + hi) / 2) if 0 <= v <= points})
    anywhere = st.integers(0, int(points / step)).map(lambda n: n * step)
    return st.one_of(st.none(), st.sampled_from(edges), anywhere) if edges else st.one_of(st.none(), anywhere)


def inputs_for(book: Book):
    """Admissible values of a book's inputs; a conditional input left out where its
    condition fails (and now and then given anyway, or left out where it holds); the
    evaluators' picks, or none."""
    def settle(vals):
        vals = dict(vals)
        for s in book.inputs:
            if s.only_if is not None and s.key in vals:
                keep = s.present(vals)
                if vals.pop("__flip_" + s.key, False):
                    keep = not keep
                if not keep:
                    del vals[s.key]
        for k in [k for k in vals if k.startswith("__flip_")]:
            del vals[k]
        return {k: v for k, v in vals.items() if v is not None}
    parts = {s.key: _value(s) for s in book.inputs}
    parts.update({"__flip_" + s.key: st.integers(0, 9).map(lambda n: n == 0) for s in book.inputs if s.only_if})
    for name, (points, bands) in book.picks.items():
        parts[name] = _pick(points, bands, _book_step(book))
    return st.fixed_dictionaries(parts).map(settle)


def _book_step(book: Book) -> D:
    """The precision a book states (0.01 when it states none)."""
    for line in book.text.split("\n"):
        head = line.split(" ")
        if head[0] in ("精度", "precision") and len(head) > 1:
            return D(head[1])
    return D("0.01")


def settle_picks(rb, inputs):
    """The inputs with each pick the rule refuses moved into the band it asks for (E0621,
    E0622, E0623) or dropped (E0624), so that hand-scored cases also score."""
    from jixiao.compiler.backend import runtime
    from jixiao.compiler.verify import interpreter
    from jixiao.dsl import ir
    from jixiao.dsl.diagnostics import JixiaoError
    inputs = dict(inputs)
    for _ in range(8):
        try:
            interpreter.interpret(rb.program, rb.validate(inputs))
            return inputs
        except runtime.EvaluationError as e:
            if e.code == "E0624":
                del inputs[e.field]
                continue
            if e.code not in ("E0621", "E0622", "E0623"):
                return inputs
            ind = next(i for i in rb.program.walk() if i.pick is not None and i.pick.name == e.field)
            lo = next(r.lo.value for r in ir.walk(ind.score) if isinstance(r, ir.Rated) and r.band() == e.params["band"])
            inputs[e.field] = lo
        except JixiaoError:
            return inputs
    return inputs


# errors a case may have that the checker cannot rule out: picks (missing, outside their
# band, off the precision, unused), conditional inputs given or left out against their
# condition, a failed 核对, a tier the table leaves undefined (无法计分)
CASE_ERRORS = {"E0621", "E0622", "E0623", "E0624", "E0625", "E0626", "E0721", "E0722"}


# ───────────── compiling a drawn book ─────────────

def compile_book(book: Book):
    """Check and compile a drawn rulebook; rejects (``assume``) the rare one that fails check.
    Returns (CheckResult, CompiledRulebook) — the same steps as ``compile_rulebook``
    (which caches, and raises instead of returning the diagnostics)."""
    from hypothesis import assume, note

    from jixiao.compiler.api import CompiledRulebook, check_text
    from jixiao.compiler.backend.codegen import generate

    note(book.text)
    result = check_text(book.text, "gen.jx")
    assume(result.ok)
    return result, CompiledRulebook(result.program, result, generate(result.program))


# ───────────── settings ─────────────

# deadline=None: compiling a rulebook takes a few ms, more on a loaded CI machine. The
# profiles are registered, not loaded, so other hypothesis tests keep their settings.
settings.register_profile("jixiao", deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# for long bug hunts: report the first failure, don't spend minutes shrinking a rulebook
settings.register_profile("jixiao-hunt", parent=settings.get_profile("jixiao"), database=None,
                          phases=[Phase.explicit, Phase.generate])


def profile(n: int) -> settings:
    """Settings for a property test of ``n`` examples, times ``JIXIAO_PROPERTY_SCALE``
    (default 1); ``JIXIAO_PROPERTY_PROFILE=jixiao-hunt`` for the hunting profile."""
    parent = settings.get_profile(os.environ.get("JIXIAO_PROPERTY_PROFILE", "jixiao"))
    return settings(parent, max_examples=n * int(os.environ.get("JIXIAO_PROPERTY_SCALE", "1")))
