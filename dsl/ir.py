"""Checked IR: names resolved, types and units attached, Decimal constants.

Produced by :func:`dsl.check.check_rulebook`; consumed by the code generator and the
reference interpreter. Every expression node keeps the span of the AST node it came from.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

import attrs

from .source import Span


from .ir_types import (  # noqa: F401  (the IR's types, re-exported)
    AMOUNT_UNITS, BOOL, COUNT_UNITS, DATE, DATE_MAX, DATE_MIN, KNOWN_UNITS, MONEY_UNITS, NA, NUM, RESERVED_UNITS, Type,
    date_of, date_text, is_count_unit, money_factor,
)


# ───────────── declarations ─────────────

@attrs.define(eq=False)
class Input:
    name: str
    kind: str                 # amount count rate score number boolean grade checklist
    type: Type
    lo: Optional[Decimal] = None
    lo_open: bool = False
    hi: Optional[Decimal] = None
    hi_open: bool = False
    doc: Optional[str] = None
    span: Optional[Span] = attrs.field(default=None, repr=False)
    index: int = 0
    used: bool = False
    only_if: Optional["Expr"] = attrs.field(default=None, repr=False)   # 仅当: given only when this holds
    rated_of: Optional["Indicator"] = attrs.field(default=None, repr=False)  # the indicator whose 评定得分 this is
    cohort: Optional["CohortStat"] = attrs.field(default=None, repr=False)  # a statistic of the units scored together

    @property
    def optional(self) -> bool:
        """May the case leave it out? A conditional input (仅当) and an evaluator's pick
        (评定得分) may; whether it must be given is decided when the case is scored."""
        return self.only_if is not None or self.rated_of is not None or self.cohort is not None

    @property
    def members(self) -> tuple[str, ...]:
        return self.type.members

    def range_text(self) -> str:
        show = (lambda v: fmt_decimal(v * 100) + "%") if self.kind == "rate" else \
            (lambda v: date_text(v)) if self.kind == "date" else fmt_decimal
        lo = "-∞" if self.lo is None else show(self.lo)
        hi = "+∞" if self.hi is None else show(self.hi)
        return f"{'(' if self.lo_open or self.lo is None else '['}{lo}, {hi}{')' if self.hi_open or self.hi is None else ']'}"


@attrs.define(eq=False)
class Local:
    name: str
    expr: "Expr" = None
    type: Type = NUM
    span: Optional[Span] = attrs.field(default=None, repr=False)
    owner: Optional["Indicator"] = None   # None for a rulebook-level definition
    index: int = 0
    used: bool = False


@attrs.define(eq=False)
class Indicator:
    """A node of the hierarchy (一级/二级/三级指标, 子项)."""
    name: str
    level: str
    points: Decimal
    path: tuple[str, ...]
    span: Optional[Span] = attrs.field(default=None, repr=False)
    name_span: Optional[Span] = attrs.field(default=None, repr=False)
    doc: Optional[str] = None
    criteria: Optional[str] = None
    parent: Optional["Indicator"] = attrs.field(default=None, repr=False)
    children: list["Indicator"] = attrs.field(factory=list, repr=False)
    locals: list[Local] = attrs.field(factory=list, repr=False)
    score: Optional["Expr"] = attrs.field(default=None, repr=False)   # None: sum of children
    index: int = 0
    depends: list["Indicator"] = attrs.field(factory=list, repr=False)
    node: object = attrs.field(default=None, repr=False)   # the AST node it came from
    broken: bool = False    # its rule had errors: later passes leave it alone
    points_missing: bool = False
    monotone: list = attrs.field(factory=list, repr=False)   # (Input, +1 | -1) declared by 单调不减/单调不增
    rows: Optional["RowPart"] = attrs.field(default=None, repr=False)   # 指标行: rows supplied by the case
    pick: Optional[Input] = attrs.field(default=None, repr=False)       # 评定得分: the evaluator's pick (人工评定, 评定 A 至 B)
    row_of: Optional["Indicator"] = attrs.field(default=None, repr=False)  # a row method's own pseudo-indicator
    kind: str = "score"      # score | bonus (加分项) | penalty (扣分项): an amount in [0, points] added / deducted
    at_most: bool = False    # 加分项 … 最多 N分: the amount is capped at the points
    uses_subtotal: bool = False   # its rule reads 合计 (so its ordinary children's points add up)

    @property
    def is_leaf(self) -> bool:
        return not self.children

    @property
    def adjusts(self) -> bool:
        """A 加分项 or 扣分项: outside its parent's points (and 满分), added or deducted."""
        return self.kind != "score"

    @property
    def sign(self) -> int:
        """How its score enters its parent's sum (or 总分): +1, or -1 for a 扣分项."""
        return -1 if self.kind == "penalty" else 1

    @property
    def ordinary(self) -> list["Indicator"]:
        """The children that count in its points (not 加分项 / 扣分项)."""
        return [c for c in self.children if not c.adjusts]

    @property
    def sums_with_signs(self) -> bool:
        """A node without a rule whose children include 加分项 / 扣分项: it scores Σ ordinary
        children + Σ bonus − Σ penalty."""
        return self.score is None and any(c.adjusts for c in self.children)

    @property
    def qualified(self) -> str:
        return "/".join(self.path)


@attrs.define(eq=False)
class RowPart:
    """The rows of an ``指标行`` indicator. ``fields`` as declared; ``methods`` maps each
    member of the 计分方法 field to a one-indicator Program whose inputs are the fields
    that method reads; ``total`` is the hidden input through which the rows' sum reaches
    the rulebook's own evaluator (its score rule is that input)."""
    indicator: "Indicator"
    fields: list[Input]
    points_field: str
    method_field: str
    methods: dict = attrs.field(factory=dict)        # method name -> Program
    method_spans: dict = attrs.field(factory=dict)   # method name -> Span
    total: Optional[Input] = None
    doc: Optional[str] = None
    span: Optional[Span] = attrs.field(default=None, repr=False)
    allocations: list = attrs.field(factory=list)    # (field name, {value: points}) from 分值分配
    na_policy: Optional[str] = None                  # 不适用 of a row: full_points | exclude (the block's, else the rulebook's)


@attrs.define(eq=False)
class GradeBand:
    name: str
    cond: Optional["Expr"]
    span: Optional[Span] = attrs.field(default=None, repr=False)


@attrs.define(eq=False)
class Verify:
    """``核对 条件 "说明"``: checked for every case before it is scored."""
    cond: "Expr"
    message: str
    span: Optional[Span] = attrs.field(default=None, repr=False)


@attrs.define(eq=False)
class Veto:
    """A row of ``否决:``: when ``cond`` holds the grade becomes ``grade`` (``cap``: at most
    ``grade``, by the bands' order, best first)."""
    cond: "Expr"
    grade: str
    cap: bool
    span: Optional[Span] = attrs.field(default=None, repr=False)


@attrs.define(eq=False)
class CohortStat:
    """What a cohort input holds: a statistic over the units scored together (the cohort),
    or over those of the unit's own kind (``peers``: the same value of the rulebook's
    ``同类`` input). ``func``: rank | mean | median | max | min | count | position;
    ``subject`` the expression each unit contributes (None for count). A rank is 1 for the
    best (``descending``: the largest value); ties share a rank, the next one counting
    every unit before it (并列: 1, 1, 3) or following it (``dense``, 顺延: 1, 1, 2).
    ``fallback_of``: the indicator whose ``按同类平均得分计`` this is (its subject is that
    indicator's own score where its rule gives one). ``text``: as written, normalised."""
    func: str
    subject: Optional["Expr"]
    peers: bool
    text: str
    descending: bool = True
    dense: bool = False
    fallback_of: Optional["Indicator"] = attrs.field(default=None, repr=False)
    span: Optional[Span] = attrs.field(default=None, repr=False)
    index: int = 0            # its place among the program's cohort inputs (the keys function's order)

    @property
    def integer(self) -> bool:
        return self.func in ("rank", "count")

    def words(self) -> tuple[str, str]:
        """同类平均 / the peers' average …, for explanations."""
        zh = {"rank": "排名", "mean": "平均", "median": "中位数", "max": "最高", "min": "最低", "count": "单位数",
              "position": "排名位次"}[self.func]
        en = {"rank": "rank", "mean": "average", "median": "median", "max": "highest", "min": "lowest",
              "count": "number of units", "position": "rank position"}[self.func]
        return ("同类" + zh if self.peers else zh), (f"peers' {en}" if self.peers else en)


@attrs.define(eq=False)
class Quota:
    """A row of ``名额:``: at most ``share`` of the units scored together in ``band`` (the
    number of places rounded down); units beyond it, by total from the highest, get
    ``fallback``. ``ties``: down (同分均降) | kept (同分均保留)."""
    band: str
    share: Decimal
    fallback: str
    ties: str = "down"
    span: Optional[Span] = attrs.field(default=None, repr=False)

    def places(self, n: int) -> int:
        """名额: ⌊n × share⌋."""
        return int((Decimal(n) * self.share).to_integral_value(rounding="ROUND_FLOOR"))


@attrs.define(eq=False)
class Program:
    title: str
    version: Optional[str]
    total: Decimal
    precision: Decimal
    rounding: str
    grade_on: str
    na_policy: Optional[str]
    inputs: list[Input]
    globals: list[Local]
    roots: list[Indicator]
    grades: list[GradeBand]
    source_name: str = ""
    source_text: str = attrs.field(default="", repr=False)
    grades_broken: bool = False   # a band's condition had errors: the grade check is skipped
    runtime_checked: set = attrs.field(factory=set)   # indicator indices whose bounds are checked at run time
    row_parts: list = attrs.field(factory=list)       # RowPart of each 指标行 indicator
    files: dict = attrs.field(factory=dict, repr=False)  # file name -> SourceFile (the rulebook and its libraries)
    deps: list = attrs.field(factory=list, repr=False)   # (path, mtime_ns, size) of each imported library
    verifies: list = attrs.field(factory=list)           # 核对: Verify statements, in source order
    total_rule: Optional["Expr"] = attrs.field(default=None, repr=False)   # 总分 = 合计 不加分 …: clamps over SubtotalRef
    vetoes: list = attrs.field(factory=list)            # Veto rows of 否决:, in order
    peers: Optional[Input] = attrs.field(default=None, repr=False)   # 同类 单位类别: the input that says a unit's kind
    quotas: list = attrs.field(factory=list)            # Quota rows of 名额:, in order
    cohort_dependent: set = attrs.field(factory=set)    # indicator indices whose score reads a cohort statistic

    @property
    def cohort_inputs(self) -> list:
        """The hidden inputs that hold statistics of the units scored together, in order."""
        return sorted((i for i in self.inputs if i.cohort is not None), key=lambda i: i.cohort.index)

    @property
    def has_cohort(self) -> bool:
        """Must it be scored with the other units (a cohort statistic, or a grade quota)?"""
        return bool(self.quotas) or any(i.cohort is not None for i in self.inputs)

    def apply_veto(self, grade: str, veto: "Veto") -> str:
        """The grade after ``veto`` held: its grade, or with 最高 (``cap``) its grade only when
        ``grade`` is better — earlier in the bands, which are listed best first."""
        names = [b.name for b in self.grades]
        if not veto.cap or names.index(grade) < names.index(veto.grade):
            return veto.grade
        return grade

    @property
    def adjusts_total(self) -> bool:
        """Top-level 加分项 / 扣分项 (or a 总分 = … rule): 总分 is more than the sum of the 一级指标."""
        return self.total_rule is not None or any(r.adjusts for r in self.roots)

    def walk(self):
        """All indicators, parents before children, in source order."""
        stack = list(reversed(self.roots))
        while stack:
            n = stack.pop()
            yield n
            stack.extend(reversed(n.children))

    def order(self) -> list[Indicator]:
        """Evaluation order: every indicator after those it depends on (children, refs)."""
        out, state = [], {}

        def visit(n):
            if state.get(id(n)) == 2:
                return
            state[id(n)] = 1
            for d in n.children + n.depends:
                visit(d)
            state[id(n)] = 2
            out.append(n)
        for r in self.roots:
            visit(r)
        return out

    def not_applicable(self, na, assessed=()) -> set:
        """Indices of the indicators not applicable when the rules made those in ``na`` so:
        those, and every parent whose children all are (unless it has an assessed score)."""
        out = set(na)
        for n in reversed(list(self.walk())):
            if n.children and n.index not in assessed and all(c.index in out for c in n.children):
                out.add(n.index)
        return out

    def leaves(self):
        return [n for n in self.walk() if n.is_leaf]

    def total_range(self) -> tuple[Decimal, Decimal]:
        """The totals the rulebook can give: [0, 满分] plus the caps of the top-level 加分项,
        minus those of the 扣分项, held as the ``总分 = 合计 …`` rule says."""
        lo = -sum((r.points for r in self.roots if r.kind == "penalty"), Decimal(0))
        hi = self.total + sum((r.points for r in self.roots if r.kind == "bonus"), Decimal(0))
        chain = []
        e = self.total_rule
        while isinstance(e, Clamp):
            chain.append(e)
            e = e.operand
        for c in reversed(chain):          # innermost first
            if c.kind == "floor_zero":
                lo, hi = max(lo, Decimal(0)), max(hi, Decimal(0))
                continue
            b = c.bound.value if isinstance(c.bound, Const) and isinstance(c.bound.value, Decimal) else None
            if b is None:
                continue
            if c.kind in ("capped", "at_most"):
                lo, hi = min(lo, b), min(hi, b)
            else:
                lo, hi = max(lo, b), max(hi, b)
        return lo, hi


# ───────────── expressions ─────────────

@attrs.define(eq=False)
class Expr:
    span: Optional[Span] = attrs.field(kw_only=True, default=None, repr=False)
    type: Type = attrs.field(kw_only=True, default=NUM)
    # the expansion of a method call: MethodCall(name, criteria, arguments as written)
    origin: Optional["MethodCall"] = attrs.field(kw_only=True, default=None, repr=False)


@attrs.frozen
class MethodCall:
    """Where an expanded expression came from: ``完成比率法(覆盖率, 100%, 1)``."""
    name: str
    params: tuple[str, ...]
    args: tuple[str, ...]          # each argument as written at the call
    criteria: Optional[str] = None  # the method's 评分标准
    doc: Optional[str] = None
    span: Optional[Span] = None     # the call

    def text(self) -> str:
        return f"{self.name}({', '.join(self.args)})"


@attrs.define(eq=False)
class Const(Expr):
    value: object           # Decimal | bool | str (grade member)


@attrs.define(eq=False)
class InputRef(Expr):
    input: Input


@attrs.define(eq=False)
class LocalRef(Expr):
    local: Local


@attrs.define(eq=False)
class ScoreRef(Expr):
    indicator: Indicator


@attrs.define(eq=False)
class TotalRef(Expr):
    pass


@attrs.define(eq=False)
class SubtotalRef(Expr):
    """``合计``: in the rule of ``indicator`` (a node with children), the sum of its children's
    scores with its 加分项 added and 扣分项 deducted; in the top-level ``总分 = 合计 …`` rule
    (``indicator`` None), the sum of the top-level scores so (rescaled under 剔除), before
    the rule holds it. One node, not a chain of additions: a node may have many children."""
    indicator: Optional["Indicator"] = attrs.field(default=None, repr=False)


@attrs.define(eq=False)
class BinOp(Expr):
    op: str
    left: Expr
    right: Expr


@attrs.define(eq=False)
class Neg(Expr):
    operand: Expr


@attrs.define(eq=False)
class Compare(Expr):
    operands: list[Expr]
    ops: list[str]


@attrs.define(eq=False)
class Logic(Expr):
    op: str
    left: Expr
    right: Expr


@attrs.define(eq=False)
class Not(Expr):
    operand: Expr


@attrs.define(eq=False)
class If(Expr):
    cond: Expr
    then: Expr
    else_: Expr


@attrs.define(eq=False)
class Clamp(Expr):
    kind: str               # floor_zero capped at_most at_least
    operand: Expr
    bound: Optional[Expr]   # resolved bound (capped: the node's points)


@attrs.define(eq=False)
class NotApplicable(Expr):
    pass


@attrs.define(eq=False)
class Rated(Expr):
    """``人工评定`` / ``评定 8 至 9``: the evaluator's pick for ``indicator`` (its input
    ``pick``), required on this path and checked to lie in [lo, hi]."""
    lo: Expr
    hi: Expr
    pick: Input
    indicator: "Indicator" = attrs.field(repr=False)
    where: str = ""         # the tier row's condition as written (≥ 90%), for the messages

    def band(self) -> str:
        """8–9分"""
        return f"{fmt_decimal(self.lo.value)}–{fmt_decimal(self.hi.value)}分"

    def where_texts(self) -> tuple[str, str]:
        """（「≥ 90%」一档） and its English, or empty when the band is not a tier's."""
        return (f"（「{self.where}」一档）", f" (tier `{self.where}`)") if self.where else ("", "")


@attrs.define(eq=False)
class PeerScore(Expr):
    """``按同类平均得分计``: the average score of ``indicator`` among its peers where the rule
    gives one (the cohort input ``input``); not applicable when no peer has one."""
    input: Input
    indicator: "Indicator" = attrs.field(repr=False)


@attrs.define(eq=False)
class Unscorable(Expr):
    """``无法计分 "理由"``: the case cannot be scored by the table — an evaluation error."""
    reason: str


@attrs.define(eq=False)
class Call(Expr):
    func: str               # min max ceil floor abs count all any size
    args: list[Expr]


@attrs.define(eq=False)
class Convert(Expr):
    """An amount in another money unit, converted exactly: ``operand × factor``
    (an amount in 元 used beside one in 万元 is × 0.0001)."""
    operand: Expr
    factor: Decimal


@attrs.define(eq=False)
class FieldRef(Expr):
    """A field of the item an aggregate is looking at: ``金额`` in ``合计(专项资金, 金额)``.
    ``var`` numbers the aggregate, ``pos`` the field's place in an item (0 is its title)."""
    field: Input
    var: int
    pos: int


@attrs.define(eq=False)
class Aggregate(Expr):
    """``计数(专项资金, 下达日期 > 2024-06-30)``, ``合计(专项资金, 金额[, 条件])``,
    ``任一`` / ``全部(专项资金, 条件)``, ``最大`` / ``最小(专项资金, 表达式[, 条件][, 默认])``:
    func count | sum | any | all | max | min over the items of a list."""
    func: str
    items: Expr
    var: int
    value: Optional[Expr] = None
    cond: Optional[Expr] = None
    default: Optional[Expr] = None


@attrs.define(eq=False)
class TierRow:
    kind: str               # cmp | eq | cond | else
    op: Optional[str]
    key: Optional[Expr]
    value: Expr
    span: Optional[Span] = attrs.field(default=None, repr=False)


@attrs.define(eq=False)
class Tiers(Expr):
    subject: Optional[Expr]
    rows: list[TierRow]


def fmt_decimal(d: Decimal) -> str:
    """Plain notation without exponent or trailing zeros: 3, 0.1, 93.5 (exact: no context
    rounding; absurd magnitudes keep their exponent)."""
    if not isinstance(d, Decimal):
        return str(d)
    if not d.is_finite() or abs(d.adjusted()) > 80:
        return str(d)
    s = format(d, "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def children(e: Expr):
    """The sub-expressions of ``e``, in evaluation order."""
    if isinstance(e, Aggregate):
        for x in (e.items, e.cond, e.value, e.default):
            if x is not None:
                yield x
        return
    for attr in ("subject", "cond", "left", "right", "operand", "then", "else_", "bound", "lo", "hi"):
        x = getattr(e, attr, None)
        if isinstance(x, Expr):
            yield x
    for attr in ("operands", "args"):
        for x in getattr(e, attr, None) or ():
            yield x
    for r in getattr(e, "rows", None) or ():
        if r.key is not None:
            yield r.key
        yield r.value


def inputs_read(e: Expr) -> list:
    """The inputs an expression reads (through its locals), in declaration order."""
    seen = {x.input.index: x.input for x in walk(e, into_locals=True) if isinstance(x, InputRef)}
    return [seen[k] for k in sorted(seen)]


def walk(e: Expr, into_locals: bool = False):
    """Every node of ``e`` (and, with ``into_locals``, of the locals it reads), iteratively."""
    stack, seen = [e], set()
    while stack:
        x = stack.pop()
        if x is None:
            continue
        yield x
        if into_locals and isinstance(x, LocalRef) and id(x.local) not in seen:
            seen.add(id(x.local))
            stack.append(x.local.expr)
        stack.extend(reversed(list(children(x))))
