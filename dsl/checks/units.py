"""Types and units of expressions (docs/language.md#units).

:class:`Units` is the typing half of name resolution: what ``a + b``, ``a × b``,
``a ÷ b``, a comparison or the branches of a conditional are, given the operands'
types, and the E0301 / E0302 / E0303 diagnostics when they do not fit. A unit already
reported as unknown (:data:`UNKNOWN_UNIT`) agrees with everything, so that one
misspelt unit is reported once.
"""
from __future__ import annotations

from .. import ir
from ..diagnostics import Label, Msg, tr
from ..ir import COUNT_UNITS, MONEY_UNITS, Type, is_count_unit, money_factor

OP_TEXT = {"+": "+", "-": "-", "*": "×", "/": "÷", ">=": "≥", ">": ">", "<=": "≤", "<": "<", "==": "=", "!=": "≠"}
UNKNOWN_UNIT = "?"   # a unit already reported as unknown (E0304): agrees with everything
ORDERED = ("num", "date")     # kinds that compare by size (dates by their day)
DAYS = Type("num", "天")


def unit_text(t: Type) -> Msg:
    return Msg(*t.describe())


def unit_help() -> Msg:
    """E0304's help: the money units, and that any other name counts something."""
    common = "、".join(sorted(COUNT_UNITS, key=lambda u: ("人项个件次家户天所名例月年台套篇份".find(u), u)))
    return tr(f"金额单位：元、千元、万元、亿元（互相换算）；其他任何单位名称都是计数单位，常用的有：{common}",
              "money units: `元`, `千元`, `万元`, `亿元` (converted into each other); any other unit name is a count "
              "unit, e.g. " + ", ".join(f"`{u}`" for u in common.split("、")))


def convert(x: ir.Expr, unit: str) -> ir.Expr:
    """``x`` (an amount) in the money unit ``unit``, converted exactly; ``x`` itself when it
    is in that unit already or is not an amount."""
    u = x.type.unit if x.type.kind == "num" else None
    if u not in MONEY_UNITS or unit not in MONEY_UNITS or u == unit:
        return x
    if isinstance(x, ir.Const):       # 72890元 beside 万元: the constant itself, converted
        return ir.Const(x.value * money_factor(u, unit), span=x.span, type=Type("num", unit))
    return ir.Convert(x, money_factor(u, unit), span=x.span, type=Type("num", unit), origin=x.origin)


def align(a: ir.Expr, b: ir.Expr) -> ir.Expr:
    """``b`` in ``a``'s money unit when both are amounts in different money units."""
    ua = a.type.unit if a.type.kind == "num" else None
    return convert(b, ua) if ua in MONEY_UNITS else b


class Units:
    """Type rules and their diagnostics; ``err`` is the resolver's ``err`` (reports go
    into its list, in the order they are found)."""

    def __init__(self, err):
        self.err = err

    def want_num(self, x: ir.Expr, span):
        if x.type.kind not in ("num", "na"):
            zh, en = x.type.describe()
            self.err("E0303", [Label(span, tr(f"这是{zh}", f"this is {en}"))], what_zh="此处需要数值", what_en="a number is needed here",
                     helps=[tr("判断转为分数：如果 X 则 1 否则 0", "to score a judgement: if X then 1 else 0")] if x.type.kind == "bool" else [])

    def want_bool(self, x: ir.Expr, span):
        if x.type.kind != "bool":
            zh, en = x.type.describe()
            self.err("E0303", [Label(span, tr(f"这是{zh}", f"this is {en}"))], what_zh="此处需要条件（真假判断）", what_en="a condition is needed here")

    def mismatch(self, a: Type, b: Type, span, op):
        self.err("E0301", [Label(span, "")], left=unit_text(a), op=OP_TEXT.get(op, op), right=unit_text(b))

    def unify(self, a: Type, b: Type, span, op) -> Type:
        """Type of a + b, a - b, min(a, b), branches."""
        if a.kind == "na":
            return b
        if b.kind == "na":
            return a
        if a.kind != "num" or b.kind != "num":
            if a == b or (a.kind == b.kind and a.kind in ("date", "checklist", "list", "text")):
                return a
            self.mismatch(a, b, span, op)
            return a
        ua, ub = a.unit, b.unit
        if UNKNOWN_UNIT in (ua, ub):
            return Type("num", UNKNOWN_UNIT)
        if ua == ub or ub is None:
            return a
        if ua is None:
            return b
        if {ua, ub} == {"%", "pp"}:
            return Type("num", "%")
        self.mismatch(a, b, span, op)
        return a

    def compare(self, a: Type, b: Type, span, op):
        if a.kind == "enum" and b.kind == "enum":
            if a.members and b.members and set(a.members) != set(b.members):
                self.mismatch(a, b, span, op)
            return
        if a.kind != b.kind:
            self.mismatch(a, b, span, op)
            return
        if a.kind == "num" and {a.unit, b.unit} == {"%", "pp"}:
            self.mismatch(a, b, span, op)
            return
        self.unify(a, b, span, op)

    def merge(self, a: Type, b: Type, span) -> Type:
        return self.unify(a, b, span, "|")

    def arith(self, op, a: Type, b: Type, span) -> Type:
        if a.kind == "date" or b.kind == "date":
            return self._date_arith(op, a, b, span)
        if a.kind != "num" or b.kind != "num":
            return Type("num")
        ua, ub = a.unit, b.unit
        if UNKNOWN_UNIT in (ua, ub):
            return Type("num", UNKNOWN_UNIT)
        if op in "+-":
            if op == "-" and ua == "%" and ub == "%":
                return Type("num", "pp")
            if op == "-" and ua == "pp" and ub == "%":
                self.mismatch(a, b, span, op)
                return a
            return self.unify(a, b, span, op)
        if op == "*":
            if ua is None and ub is None:
                return Type("num")
            if ua is None or ub is None:
                u = ua or ub
                return Type("num", None if is_count_unit(u) else u)
            if ua == "%" and ub != "%":
                return Type("num", ub)
            if ub == "%" and ua != "%":
                return Type("num", ua)
            if ua == "%" and ub == "%":
                return Type("num", "%")
            self.mismatch(a, b, span, op)
            return a
        # division
        if ub is None:
            return a
        if ua == ub:
            return Type("num", None if ua in ("%", "pp") else "%")
        if {ua, ub} == {"%", "pp"}:
            return Type("num")
        if ub == "%":
            return a
        self.mismatch(a, b, span, op)
        return a

    def _date_arith(self, op, a: Type, b: Type, span) -> Type:
        """A date minus a date is a number of 天; a date plus or minus 天 (or a bare
        number of days) is a date; nothing else is done with dates."""
        if a.kind == "date" and b.kind == "date" and op == "-":
            return DAYS
        days = lambda t: t.kind == "num" and t.unit in (None, "天", UNKNOWN_UNIT)
        if op in "+-" and a.kind == "date" and days(b):
            return ir.DATE
        if op == "+" and b.kind == "date" and days(a):
            return ir.DATE
        if op in "+-":
            self.mismatch(a, b, span, op)
        else:
            self.err("E0303", [Label(span, "")], what_zh="日期只能相减（得天数）或加减天数",
                     what_en="dates can only be subtracted (giving days) or moved by a number of days")
        return ir.DATE if a.kind == "date" and op in "+-" else DAYS

    def check_score(self, ind, span):
        """E0302 unless ``ind``'s score is a plain number, points, a rate or 不适用."""
        t = ind.score.type
        if t.kind == "na":
            return
        if t.kind != "num":
            zh, en = t.describe()
            self.err("E0302", [Label(span, tr(f"这是{zh}", f"this is {en}"))], unit_zh=zh, unit_en=en,
                     helps=[tr("用「如果 … 则 1 否则 0」把判断变为分数", "turn a judgement into points with `如果 … 则 1 否则 0`")])
        elif t.unit not in (None, "%", "pp", "分", UNKNOWN_UNIT):
            zh, en = t.describe()
            self.err("E0302", [Label(span, tr(f"单位为{t.unit}", f"in {t.unit}"))], unit_zh=zh, unit_en=en,
                     helps=[tr("人数乘以每人的分值，金额相除得比率", "multiply a count by points per unit; divide amounts to get a rate")])
