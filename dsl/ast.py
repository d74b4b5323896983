"""AST of rulebooks and cases: frozen attrs nodes with a source span each.

Spans do not take part in equality, so two trees written differently (Chinese or
English keywords, spacing, comments) compare equal when they mean the same.
Literals are ``Decimal`` built from the token text, never ``float``.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional, Union

import attrs

from .source import Span


@attrs.frozen
class Node:
    span: Span = attrs.field(kw_only=True, eq=False, repr=False)


@attrs.frozen
class Name(Node):
    """A name as written: ``在职人员数`` or ``「“三公经费”变动率」`` (text without the brackets)."""
    text: str


# ───────────── expressions ─────────────

@attrs.frozen
class Num(Node):
    """``3``, ``0.1``, ``70%`` (value 0.70, unit "%"), ``0.1个百分点`` (value 0.001, unit "pp"), ``89人``."""
    value: Decimal
    unit: Optional[str] = None


@attrs.frozen
class DateLit(Node):
    """``2024-04-10`` or ``2024年4月10日``: a calendar date (``datetime.date``)."""
    value: object


@attrs.frozen
class ItemRef(Node):
    """``要点[2]`` / ``要点["程序规范"]``: one item of a checklist (by position from 1, or by name)."""
    base: "Ref"
    index: object      # Decimal position or str name


@attrs.frozen
class Bool(Node):
    """``是``/``true``/``符合`` and ``否``/``false``/``不符合``."""
    value: bool


@attrs.frozen
class Ref(Node):
    """A name, or a qualified ``父级.名称``: ``parts`` from outermost to the name."""
    parts: tuple[Name, ...]

    @property
    def text(self) -> str:
        return ".".join(p.text for p in self.parts)


@attrs.frozen
class Call(Node):
    """``min(a, b)``, ``向上取整(x)``, ``符合数(清单)``. ``func`` is the name as written;
    ``canonical`` the function it means (``ceil`` for 向上取整), which equality compares."""
    func: Name = attrs.field(eq=False)
    args: tuple["Expr", ...] = ()
    canonical: str = ""


@attrs.frozen
class BinOp(Node):
    """``a + b``, ``a - b``, ``a × b``, ``a ÷ b`` (op normalised to + - * /)."""
    op: str
    left: "Expr"
    right: "Expr"


@attrs.frozen
class Neg(Node):
    """``-x``."""
    operand: "Expr"


@attrs.frozen
class Compare(Node):
    """``a ≥ b`` or chained ``90 ≤ 总分 < 100`` (ops normalised to >= > <= < == !=)."""
    operands: tuple["Expr", ...]
    ops: tuple[str, ...]


@attrs.frozen
class Logic(Node):
    """``a 且 b`` (op "and"), ``a 或 b`` (op "or")."""
    op: str
    left: "Expr"
    right: "Expr"


@attrs.frozen
class Not(Node):
    """``非 a``."""
    operand: "Expr"


@attrs.frozen
class If(Node):
    """``如果 c 则 a 否则 b``."""
    cond: "Expr"
    then: "Expr"
    else_: "Expr"


@attrs.frozen
class Clamp(Node):
    """Postfix clamps: ``x 扣完为止`` (kind floor_zero), ``x 不加分`` (capped),
    ``x 最多 N`` (at_most), ``x 最少 N`` (at_least)."""
    kind: str
    operand: "Expr"
    bound: Optional["Expr"] = None


@attrs.frozen
class NotApplicable(Node):
    """``不适用``."""


@attrs.frozen
class Rated(Node):
    """``人工评定`` (``rated``: lo, hi None — the indicator's points) or ``评定 8 至 9``
    (``rated 8 to 9``): the score the evaluator gives in the case's ``评定得分:`` block,
    within the band."""
    lo: Optional["Expr"] = None
    hi: Optional["Expr"] = None


@attrs.frozen
class PeerScore(Node):
    """``按同类平均得分计`` (``peer_average_score``): as a score value, the average of this
    indicator's scores among the units of the same kind (同类) where the rule gives one."""


@attrs.frozen
class Unscorable(Node):
    """``无法计分 "理由"`` (``unscorable "reason"``): a case the table leaves undefined —
    an evaluation error naming the indicator and the reason, never a guessed score."""
    reason: str


@attrs.frozen
class Text(Node):
    """``"产出指标"`` — a text value in a case (for a ``文本`` field)."""
    value: str


@attrs.frozen
class ListLit(Node):
    """``[是, 否, 是]`` (checklist values in cases); ``notes`` the evidence written after an
    item (``[是 "见附件3", 否]``), None where there is none (empty when none has one)."""
    items: tuple["Expr", ...]
    notes: tuple = ()


@attrs.frozen
class TierRow(Node):
    """One row of tiers: ``≥ 90% : 3`` (kind "cmp"), ``优秀 : 5`` (kind "value"),
    ``否则 : 0`` (kind "else"); without a subject a "value" row's key is a condition."""
    kind: str
    op: Optional[str]
    key: Optional["Expr"]
    value: "Expr"


@attrs.frozen
class Tiers(Node):
    """``分档 subject:`` followed by rows; first matching row wins."""
    subject: Optional["Expr"]
    rows: tuple[TierRow, ...]


Expr = Union[Num, Bool, Ref, Call, BinOp, Neg, Compare, Logic, Not, If, Clamp,
             NotApplicable, ListLit, Tiers, DateLit, ItemRef, Rated, Unscorable]


# ───────────── declarations ─────────────

@attrs.frozen
class TypeSpec(Node):
    """``金额(万元)`` (kind amount), ``人数`` (count, 人), ``比率`` (rate), ``分数`` (score),
    ``数值`` (number), ``是否`` (boolean), ``等级(…)`` (grade), ``清单[…]`` (checklist),
    ``日期`` (date), ``列表:`` (list, its ``fields`` declared below it, at most ``size`` items).
    ``weights``: the points written after each checklist item (``"程序规范" 1分``), or ()."""
    kind: str
    unit: Optional[str] = None
    members: tuple[str, ...] = ()
    weights: tuple = ()
    fields: tuple = ()
    size: Optional["Num"] = None


@attrs.frozen
class Constraint(Node):
    """``> 0`` or one side of ``范围 A 至 B``."""
    op: str
    value: Expr


@attrs.frozen
class InputDecl(Node):
    """``输入 编制数: 人数 > 0 "说明"``; ``输入 新进人员数: 人数 仅当 有新进人员``
    (``only_if``: the case gives it only when the condition holds)."""
    name: Name
    type: TypeSpec
    constraints: tuple[Constraint, ...] = ()
    doc: Optional[str] = None
    only_if: Optional["Expr"] = None


@attrs.frozen
class Let(Node):
    """``超编 = max(在职人员数 - 编制数, 0)``."""
    name: Name
    value: Expr


@attrs.frozen
class ScoreRule(Node):
    """``得分 = …``."""
    value: Expr


@attrs.frozen
class Doc(Node):
    """``说明 "…"`` (kind doc) or ``评分标准 "…"`` (kind criteria)."""
    kind: str
    text: str


@attrs.frozen
class Monotone(Node):
    """``单调不减: 完成率`` (direction +1) / ``单调不增: 超编人数`` (-1): the score does not
    decrease (increase) as these inputs grow, all else equal. Checked by property tests."""
    direction: int
    names: tuple[Name, ...]


@attrs.frozen
class IndicatorNode(Node):
    """``一级指标 投入 15分:`` … a node of the hierarchy with its block.

    ``level`` is level1, level2, level3 or item; ``body`` keeps the block's statements
    in source order (Doc, InputDecl, Let, ScoreRule, IndicatorNode).

    ``加分项 表彰 最多 5分:`` / ``扣分项 违规 10分:`` is a node of ``kind`` bonus / penalty
    (level3): an amount in [0, points] added to (deducted from) its parent's sum, or 总分;
    ``at_most`` (``最多`` in the header, spanned by ``cap_span``) caps the amount at the points."""
    level: str
    name: Name
    points: Optional[Num]
    body: tuple
    kind: str = "score"          # score | bonus | penalty
    at_most: bool = False
    cap_span: Optional[Span] = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class GradeBand(Node):
    """``优秀: 90 ≤ 总分 ≤ 100``; ``cond`` None for ``否则``."""
    name: Name
    cond: Optional[Expr]


@attrs.frozen
class Quota(Node):
    """A row of ``名额:``: ``优秀: 最多 30% 降为 良好`` — at most that share of the units scored
    together in the band; the others are given ``fallback``. ``ties``: ``down`` (同分均降:
    units tied at the cut are all pushed down, so the quota is never exceeded) or ``kept``
    (同分均保留: they all keep the band)."""
    band: Name
    share: Expr
    fallback: Name
    ties: str = "down"


@attrs.frozen
class Veto(Node):
    """A row of ``否决:``: ``存在重大违规 : 最高 良好`` (cap: the grade is at most 良好) or
    ``发生重大安全事故 : 较差`` (the grade is set to 较差)."""
    cond: Expr
    grade: Name
    cap: bool


@attrs.frozen
class TotalRule(Node):
    """``总分 = 合计 不加分 扣完为止`` at the top level: how 总分 holds the sum of the
    top-level scores with bonus added and penalty deducted (合计)."""
    value: Expr


@attrs.frozen
class Setting(Node):
    """``满分 100``, ``精度 0.01``, ``舍入 四舍五入``, ``定级 按舍入后总分``, ``不适用 计满分``, ``版本 "2021"``."""
    key: str
    value: object


@attrs.frozen
class Verify(Node):
    """``核对 项目资金合计 = 中央资金 + 地方资金 "项目资金合计应等于各来源之和"``
    (``verify``): a cross-check of the case's data, run before scoring."""
    cond: Expr
    message: Optional[str] = None


@attrs.frozen
class Rulebook(Node):
    """A whole ``.jx`` file: ``规则集 "标题"`` then settings, inputs, globals, nodes, grades."""
    title: str
    items: tuple  # Setting | InputDecl | Let | IndicatorNode | TotalRule | tuple[GradeBand, ...] wrapper
    grades: tuple[GradeBand, ...] = ()
    grades_span: Optional[Span] = attrs.field(default=None, eq=False, repr=False)
    vetoes: tuple[Veto, ...] = ()
    quotas: tuple[Quota, ...] = ()


# ───────────── methods, libraries, case-supplied rows ─────────────

@attrs.frozen
class Import(Node):
    """``引用 "方法库.jx"``: the methods of a library file become callable."""
    path: str


@attrs.frozen
class Param(Node):
    """A method's parameter, with an optional default: ``达成下限 = 80%``."""
    name: Name
    default: Optional[Expr] = None


@attrs.frozen
class Require(Node):
    """``要求 目标值 > 0 "目标值应大于0"``: checked whenever the method's result is used."""
    cond: Expr
    message: Optional[str] = None


@attrs.frozen
class Method(Node):
    """``方法 完成比率法(实际值, 目标值, 分值):`` with its block (Doc, Let, Require, ScoreRule).
    A call is expanded in place (inlined), so every check sees the method's rule at each use."""
    name: Name
    params: tuple[Param, ...]
    body: tuple


@attrs.frozen
class Library(Node):
    """A ``方法库 "标题"`` file: methods (and imports) only."""
    title: str
    items: tuple   # Import | Method | Doc


@attrs.frozen
class RowMethod(Node):
    """``方法 越高越好 = 完成比率法(实际完成值, 年度指标值, 分值)`` in an ``指标行:`` block."""
    name: Name
    value: Expr


@attrs.frozen
class Allocation(Node):
    """``分值分配 一级指标: 产出指标 50分、效益指标 30分、满意度指标 10分``: the rows whose
    field has each value share out that many points."""
    field: Name
    shares: tuple[tuple[Name, "Num"], ...]


@attrs.frozen
class RowsBlock(Node):
    """``指标行:`` — the indicator's rows come from the case: their fields (``字段``) and the
    scoring methods a row may choose (``方法``). The row's points are its ``分值`` field;
    the rows' points must add up to the indicator's."""
    fields: tuple[InputDecl, ...]
    methods: tuple[RowMethod, ...]
    docs: tuple[Doc, ...] = ()
    allocations: tuple[Allocation, ...] = ()
    na_policy: Optional[str] = None     # ``不适用 剔除`` in the block: the rows' own policy


# ───────────── cases ─────────────

@attrs.frozen
class CaseInput(Node):
    """``编制数 = 89人`` — ``path`` may be qualified."""
    path: tuple[Name, ...]
    value: Expr


@attrs.frozen
class Claim(Node):
    """``职责明确 = 1`` in ``自评得分:``, ``认定得分:`` or ``评定得分:`` (with an optional
    reason); in ``评定得分:`` the value may be None (``不适用``: no pick, over a base case)."""
    path: tuple[Name, ...]
    value: Optional[Num]
    note: Optional[str] = None


@attrs.frozen
class CaseRow(Node):
    """``行 "安置帮教对象无重新犯罪发生":`` and its field values (``自评得分`` among them)."""
    title: str
    inputs: tuple[CaseInput, ...]
    claimed: Optional[Claim] = None
    not_applicable: Optional[str] = None    # ``不适用 "理由"``: the row does not apply (the reason, or "")


@attrs.frozen
class CaseRows(Node):
    """``指标行 绩效指标:`` — the rows a case supplies for that indicator."""
    part: Name
    rows: tuple[CaseRow, ...]


@attrs.frozen
class CaseList(Node):
    """``专项资金:`` with one ``行 "名称":`` block per item — the items of a list input."""
    name: Name
    items: tuple[CaseRow, ...]


@attrs.frozen
class Case(Node):
    """A whole ``.jxc`` file."""
    title: str
    inputs: tuple[CaseInput, ...]
    claimed: tuple[Claim, ...] = ()
    assessed: tuple[Claim, ...] = ()
    rows: tuple[CaseRows, ...] = ()
    lists: tuple[CaseList, ...] = ()
    rated: tuple[Claim, ...] = ()       # 评定得分: the evaluator's picks


@attrs.frozen
class Comment(Node):
    """``# …`` kept for the formatter and the language server."""
    text: str


@attrs.frozen
class Expect(Node):
    """``财政供养人员控制率 = 2.9``, ``总分 = 85.5``, ``等级 = 良好``, ``X = 不适用`` in ``预期:``."""
    path: tuple[Name, ...]
    value: Expr


@attrs.frozen
class TestCase(Node):
    """``案例 "超编1人":`` with inputs (over the suite's base case) and ``预期:`` rows."""
    title: str
    inputs: tuple[CaseInput, ...]
    expected: tuple[Expect, ...]
    claimed: tuple[Claim, ...] = ()
    assessed: tuple[Claim, ...] = ()
    rows: tuple[CaseRows, ...] = ()
    lists: tuple[CaseList, ...] = ()
    rated: tuple[Claim, ...] = ()


@attrs.frozen
class Suite(Node):
    """A ``.jxt`` file: ``测试 "标题"``, optional ``规则集 "path"`` and ``基于 "case.jxc"``, cases."""
    title: str
    rulebook: Optional[str]
    base: Optional[str]
    cases: tuple[TestCase, ...]


def walk(node):
    """Every AST node below ``node`` (a node, or a list/tuple of them), itself included."""
    stack = [node]
    while stack:
        x = stack.pop()
        if isinstance(x, (list, tuple)):
            stack.extend(x)
            continue
        if not isinstance(x, Node):
            continue
        yield x
        for f in attrs.fields(type(x)):
            if f.name != "span":
                stack.append(getattr(x, f.name))
