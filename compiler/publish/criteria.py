"""评分标准 in words, generated from the rule (the checked IR), for the published tables.

:func:`criteria_text` words one indicator's rule: the local definitions it names as
formulas first, then tiers as ranges (``80%（含）至90%得1分``), conditions in words, clamps
as a suffix (``扣完为止``, ``最高3分``); a composite (子项) one line per 子项. Because the
wording is generated, the published 评分标准 cannot disagree with the rule applied.
:func:`rows_criteria` words an indicator whose rows the case supplies (指标行),
:func:`band_text` and :func:`grade_boxes` the grade bands of 评价结果, and
:func:`points_text` prints points as the tables show them.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from .printer import CMP, expr_text
from ...dsl import ir
from ...dsl.builtins import DISPLAY_ZH
from ...dsl.ir import date_text, fmt_decimal

_SYM = CMP
_ARITH = {"+": "+", "-": "-", "*": "×", "/": "/"}
_FUNC = DISPLAY_ZH


def _num_text(v: Decimal, unit: Optional[str]) -> str:
    if unit == "%":
        return f"{fmt_decimal(v * 100)}%"
    if unit == "pp":
        return f"{fmt_decimal(v * 100)}个百分点"
    return fmt_decimal(v) + (unit if unit and unit not in ("分",) else "")


def points_text(v: Decimal) -> str:
    """Points as printed: ``5``, ``0.5``."""
    return fmt_decimal(v)


class _Criteria:
    """Turns one indicator's rule (IR) into 评分标准 wording; remembers which local
    definitions the wording names, so they can be shown as formulas first."""

    def __init__(self, ind: ir.Indicator, program: ir.Program):
        self.ind = ind
        self.program = program
        # a 加分项 words its points as 加, a 扣分项 as 扣: 每1次扣1分，最多扣10分
        self.verb = {"bonus": "加", "penalty": "扣"}.get(ind.kind, "得")
        self.most = f"最多{self.verb}" if ind.adjusts else "最高"
        self.used: dict[int, ir.Local] = {}
        # the rule is one formula, not a branch of a table: 逾期事项数每1项扣1分 says it all
        e = ind.score
        while isinstance(e, (ir.Clamp, ir.Call)) and (isinstance(e, ir.Clamp) or e.func == "require"):
            e = e.operand if isinstance(e, ir.Clamp) else e.args[2]
        self.top = e is not None and not isinstance(e, (ir.If, ir.Tiers))
        self._names: dict[str, int] = {}
        for n in program.walk():
            self._names[n.name] = self._names.get(n.name, 0) + 1

    # ── constants ──
    def const(self, e) -> Optional[ir.Const]:
        """A constant, looking through locals defined as a constant (目标值 = 100%)."""
        while isinstance(e, ir.LocalRef) and isinstance(e.local.expr, (ir.Const, ir.LocalRef)):
            e = e.local.expr
        return e if isinstance(e, ir.Const) else None

    def number(self, e) -> Optional[Decimal]:
        c = self.const(e)
        return c.value if c is not None and isinstance(c.value, Decimal) else None

    def score_const(self, e) -> Optional[Decimal]:
        """A score value that is a constant, folding clamps around it."""
        if isinstance(e, ir.Clamp):
            v = self.score_const(e.operand)
            if v is None:
                return None
            if e.kind == "floor_zero":
                return max(v, Decimal(0))
            b = self.number(e.bound) if e.bound is not None else None
            if b is None:
                return None
            return min(v, b) if e.kind in ("capped", "at_most") else max(v, b)
        if isinstance(e, ir.BinOp) and e.op in ("*", "+", "-"):
            a, b = self.score_const(e.left), self.score_const(e.right)
            if a is not None and b is not None:
                return a * b if e.op == "*" else a + b if e.op == "+" else a - b
        if isinstance(e, ir.Call) and e.func == "require":
            return self.score_const(e.args[2])
        return self.number(e)

    def const_text(self, c: ir.Const) -> str:
        v = c.value
        if isinstance(v, bool):
            return "是" if v else "否"
        if c.type.kind == "date":
            return date_text(v)
        if isinstance(v, Decimal):
            return _num_text(v, c.type.unit if c.type.kind == "num" else None)
        return str(v)

    # ── expressions (formulas) ──
    def expr(self, e: ir.Expr, prec: int = 0) -> str:
        return expr_text(e, self._leaf, self._node, div=_ARITH["/"], funcs=_FUNC, prec=prec)

    def _leaf(self, e: ir.Expr) -> Optional[str]:
        if isinstance(e, ir.InputRef):
            return e.input.name
        if isinstance(e, ir.LocalRef):
            self.used.setdefault(id(e.local), e.local)
            return e.local.name
        if isinstance(e, ir.ScoreRef):
            n = e.indicator
            return f"{n.path[-2]}.{n.name}" if self._names.get(n.name, 0) > 1 and len(n.path) > 1 else n.name
        return None

    def _node(self, e: ir.Expr, prec: int) -> Optional[str]:
        """The nodes the 评分标准 words its own way: constants with their units, clamps as
        a suffix, conditions in words, 如果/分档 inline."""
        if isinstance(e, ir.Const):
            return self.const_text(e)
        if isinstance(e, ir.LocalRef):
            c = self.const(e)
            return self.const_text(c) if c is not None else None
        if isinstance(e, ir.TotalRef):
            return "总分"
        if isinstance(e, ir.SubtotalRef) and e.indicator is not None:
            # 合计: the children, a 扣分项 deducted (A + 优质工程 - 质量问题)
            text = "".join((" - " if c.kind == "penalty" else " + ") * (k > 0) + ("-" if k == 0 and c.kind == "penalty" else "")
                           + self._leaf(ir.ScoreRef(c)) for k, c in enumerate(e.indicator.children))
            return f"({text})" if prec > 0 and len(e.indicator.children) > 1 else text
        if isinstance(e, ir.SubtotalRef):
            return "合计"
        if isinstance(e, ir.NotApplicable):
            return "不适用"
        if isinstance(e, (ir.Rated, ir.Unscorable)):
            return self.value(e)[1]
        if isinstance(e, ir.Clamp):
            inner, suffix = self.peel(e)
            return f"({self.expr(inner)}，{'，'.join(suffix)})"
        if isinstance(e, (ir.Compare, ir.Logic, ir.Not)):
            text = self.cond(e)
            return f"({text})" if prec > 0 else text
        if isinstance(e, ir.If):
            text = f"如果{self.cond(e.cond)}则{self.expr(e.then)}，否则{self.expr(e.else_)}"
            return f"({text})" if prec > 0 else text
        if isinstance(e, ir.Tiers):
            return f"（{self.tiers(e)}）"
        if isinstance(e, ir.Aggregate):
            return self.aggregate(e)
        if isinstance(e, ir.FieldRef):
            return e.field.name
        if isinstance(e, ir.Call) and e.func in ("points_met", "points_unmet"):
            inp = e.args[0]
            items = "、".join(f"{m}{points_text(w)}分" for m, w in zip(inp.type.members, inp.type.weights))
            return f"{self.expr(inp)}中{'符合' if e.func == 'points_met' else '不符合'}的要点分值之和（{items}）"
        if isinstance(e, ir.Call) and e.func == "item":
            k = int(e.args[1].value)
            return f"{self.expr(e.args[0])}第{k + 1}项「{e.args[0].type.members[k]}」"
        if isinstance(e, ir.Call):
            return self.call_words(e, prec)
        return None

    def call_words(self, e: ir.Call, prec: int) -> Optional[str]:
        """A function in words, as a table writes it: 超出…的部分, 符合的项数, （向上取整）."""
        a = e.args
        if e.func in ("min", "max") and len(a) == 2:
            x, k = a
            if self.number(k) is None and self.number(x) is not None:
                x, k = k, x
            if e.func == "max" and self.number(k) == 0 and isinstance(x, ir.BinOp) and x.op == "-":
                return f"{self.expr(x.left, 4)}超出{self.expr(x.right, 4)}的部分（未超出的为0）"
            if self.number(k) is not None:
                if e.func == "max" and self.number(k) == 0 and self.nonneg(x):
                    return self.expr(x, prec)
                word = "最高" if e.func == "min" else "最低"
                return f"{self.expr(x, 5)}（{word}为{self.expr(k)}）"
            return f"{self.expr(x, 4)}与{self.expr(k, 4)}中{'较小' if e.func == 'min' else '较大'}者"
        if e.func in ("ceil", "floor") and len(a) == 1:
            return f"{self.expr(a[0], 5)}（{'不足1的按1计' if e.func == 'ceil' else '不足1的部分不计'}）"
        if e.func == "abs" and len(a) == 1:
            return f"{self.expr(a[0], 5)}的绝对值"
        if e.func == "count" and len(a) == 1:
            return f"{self.expr(a[0])}符合的项数"
        if e.func == "size" and len(a) == 1:
            return f"{self.expr(a[0])}的项数"
        if e.func in ("months", "days") and len(a) == 2:
            return f"{self.expr(a[0])}至{self.expr(a[1])}相差的{'月' if e.func == 'months' else '天'}数"
        if e.func in ("all", "any") and len(a) == 1:
            return f"{self.expr(a[0])}{'全部符合' if e.func == 'all' else '至少一项符合'}"
        return None

    def is_excess(self, e: ir.Expr) -> bool:
        """An amount over a limit, zero when not over (超编人数 = max(在职人员数 - 编制数, 0)):
        deducting per unit of it reads 超编人数每1人扣0.1分."""
        while isinstance(e, ir.LocalRef) and e.local.expr is not None:
            e = e.local.expr
        return isinstance(e, ir.Call) and e.func == "max" and any(self.number(x) == 0 for x in e.args)

    def nonneg(self, e: ir.Expr) -> bool:
        """Is ``e`` never negative by its type (a count, an amount read as given)?"""
        while isinstance(e, ir.LocalRef) and e.local.expr is not None:
            e = e.local.expr
        if isinstance(e, ir.Call) and e.func in ("count", "size") or isinstance(e, ir.Call) and e.func == "max" \
                and any(self.number(x) == 0 for x in e.args):
            return True
        return isinstance(e, ir.InputRef) and e.input.lo is not None and e.input.lo >= 0

    def aggregate(self, e: ir.Aggregate) -> str:
        """计数(专项资金, 下达日期 > …) as words: 专项资金中下达日期在…后的项数."""
        name = self.expr(e.items)
        where = f"中{self.cond(e.cond)}的" if e.cond is not None else "的"
        if e.func == "count":
            return f"{name}{where}项数" if e.cond is not None else f"{name}的项数"
        if e.func == "sum":
            return f"{name}{where}{self.expr(e.value)}合计"
        if e.func == "any":
            return f"{name}中有一项{self.cond(e.cond)}"
        if e.func == "all":
            return f"{name}各项均{self.cond(e.cond)}"
        word = "最大值" if e.func == "max" else "最小值"
        out = f"{name}{where}{self.expr(e.value)}{word}"
        if e.default is not None:
            out += f"（没有这样的项时为{self.expr(e.default)}）"
        return out

    def peel(self, e: ir.Expr) -> tuple[ir.Expr, list[str]]:
        """Clamps around ``e`` as wording, innermost first: 扣完为止, 最高3分 …"""
        suffix = []
        while isinstance(e, ir.Clamp):
            if e.kind == "floor_zero":
                suffix.append("扣完为止")
            elif e.kind in ("capped", "at_most"):
                b = self.number(e.bound) if e.bound is not None else None
                suffix.append(f"{self.most}{points_text(b)}分" if b is not None else f"{self.most}{self.expr(e.bound)}")
            elif e.kind == "at_least":
                b = self.number(e.bound) if e.bound is not None else None
                suffix.append(f"最低{points_text(b)}分" if b is not None else f"最低{self.expr(e.bound)}")
            e = e.operand
        suffix.reverse()
        return e, suffix

    # ── conditions ──
    def cond(self, e: ir.Expr) -> str:
        if isinstance(e, ir.Compare) and len(e.ops) == 1 and e.operands[0].type.kind == "date":
            # a deadline says whether its own day counts: 6月30日（含）前
            a, b = (self.expr(o, 4) for o in e.operands)
            word = {"<=": f"在{b}（含）前", "<": f"在{b}前（不含当日）", ">=": f"在{b}（含）后", ">": f"在{b}后（不含当日）",
                    "==": f"为{b}", "!=": f"不为{b}"}[e.ops[0]]
            return f"{a}{word}"
        if isinstance(e, ir.Call) and e.func == "item":
            return f"{self.expr(e)}符合"
        if isinstance(e, ir.Compare):
            texts = [self.expr(o, 4) for o in e.operands]
            if len(texts) == 2 and e.ops[0] in ("==", "!="):
                return f"{texts[0]}{'为' if e.ops[0] == '==' else '不为'}{texts[1]}"
            out = texts[0]
            for op, t in zip(e.ops, texts[1:]):
                out += f"{_SYM[op]}{t}"
            return out
        if isinstance(e, ir.Logic):
            word = "且" if e.op == "and" else "或"
            def side(x):
                t = self.cond(x)
                return f"（{t}）" if isinstance(x, ir.Logic) and x.op != e.op else t
            return f"{side(e.left)}{word}{side(e.right)}"
        if isinstance(e, ir.Not):
            if isinstance(e.operand, (ir.InputRef, ir.LocalRef)):
                return f"{self.expr(e.operand)}为否"
            return f"非（{self.cond(e.operand)}）"
        if isinstance(e, ir.Call) and e.func in ("all", "any") and len(e.args) == 1:
            return f"{self.expr(e.args[0])}{'全部符合' if e.func == 'all' else '至少一项符合'}"
        return self.expr(e)

    # ── score values ──
    def value(self, e: ir.Expr) -> tuple[str, str]:
        """(kind, text): const (a number of points), qty (a constant rate, amount or count:
        the value of a local's table, 100%), na, formula (得分 = …), rule (nested)."""
        v = self.score_const(e)
        if v is not None:
            unit = e.type.unit if e.type.kind == "num" else None
            if unit not in (None, "分"):
                return "qty", _num_text(v, unit)
            return "const", points_text(v)
        if isinstance(e, ir.NotApplicable):
            return "na", "不适用"
        if isinstance(e, ir.Rated):
            lo, hi = points_text(e.lo.value), points_text(e.hi.value)
            if e.lo.value == 0 and e.hi.value == self.ind.points:
                return "rated", f"由评价组酌情评分（0–{hi}分）"
            return "rated", f"由评价组在{lo}–{hi}分内评定"
        if isinstance(e, ir.Unscorable):
            return "unscorable", f"无法计分（{e.reason}）"
        if isinstance(e, (ir.If, ir.Tiers)):
            return "rule", self.rule(e)
        return "formula", self.formula(e)

    def _per_unit(self, x: ir.Expr, c: ir.Expr, verb: str) -> str:
        unit = x.type.unit if x.type.kind == "num" else None
        k = self.number(c)
        if k is None or unit is None or unit in ("%", "pp", "分"):
            return ""
        return f"（每1{unit}{verb}{points_text(k)}分）"

    def strip(self, e: ir.Expr) -> ir.Expr:
        """A method's 要求 guard its value: the value."""
        while isinstance(e, ir.Call) and e.func == "require":
            e = e.args[2]
        return e

    def formula(self, e: ir.Expr) -> str:
        origin = e.origin
        e = self.strip(e)
        origin = origin or e.origin
        text = self.step_deduction(e)
        if text is None:
            e, suffix = self.peel(e)
            e = self.strip(e)
            more, suffix2 = self.peel(e)
            e, suffix = self.strip(more), suffix2 + suffix
            text = self.shape(e, suffix)
        if origin is not None and origin.name.endswith("法"):
            # a method of the field (完成比率法, 比率扣分法) is named as the tables name it
            return f"采用{origin.name}计分：{text}"
        return text

    def _min_caps(self, e: ir.Expr, suffix: list) -> ir.Expr:
        """min(E, P): 最高P分;  max(E, P): 最低P分 (into ``suffix``)."""
        while isinstance(e, ir.Call) and e.func in ("min", "max") and len(e.args) == 2:
            a, b = e.args
            if self.number(b) is None and self.number(a) is not None:
                a, b = b, a
            k = self.number(b)
            if k is None or (e.func == "max" and k == 0 and not suffix):
                break
            suffix.insert(0, f"{self.most if e.func == 'min' else '最低'}{points_text(k)}分")
            e = self.strip(a)
        return e

    def _ratio(self, e: ir.Expr) -> Optional[tuple[ir.Expr, Optional[ir.Const]]]:
        """X / T with a constant T (T = 100% reads as X itself)."""
        if isinstance(e, ir.BinOp) and e.op == "/" and self.const(e.right) is not None:
            return e.left, self.const(e.right)
        return None

    def shape(self, e: ir.Expr, suffix: list) -> str:
        """A formula in the words of a table: completion ratios, deductions per unit and
        capped deductions, points per item; anything else as 得分 = the formula."""
        tail = lambda: ("，" + "，".join(suffix)) if suffix else ""
        # min(X / T, 1) × P  and  min(X / T × P, P): the completion ratio
        if (isinstance(e, ir.BinOp) and e.op == "*" and isinstance(e.left, ir.Call) and e.left.func == "min"
                and len(e.left.args) == 2 and self.number(e.left.args[1]) == 1 and self.number(e.right) is not None):
            return self.completion(self.strip(e.left.args[0]), self.number(e.right), suffix)
        e = self._min_caps(e, suffix)
        if isinstance(e, ir.BinOp) and e.op == "*" and self.number(e.right) is not None and self._ratio(e.left) is not None \
                and suffix and suffix[0] == f"{self.most}{points_text(self.number(e.right))}分":
            return self.completion(e.left, self.number(e.right), suffix[1:])
        p = self.number(e.left) if isinstance(e, ir.BinOp) and e.op == "-" else None
        if p is not None:
            ded = self.strip(e.right)
            # P - min(D, M): a deduction of at most M
            if isinstance(ded, ir.Call) and ded.func == "min" and len(ded.args) == 2 and self.number(ded.args[1]) is not None:
                d, m = self.strip(ded.args[0]), self.number(ded.args[1])
                lead = self.over_lead(d, p)
                return f"{lead}扣分 = {self.expr(self.drop_floor(d))}，最多扣{points_text(m)}分" + tail()
            if isinstance(ded, ir.BinOp) and ded.op in ("*", "/") and self.number(ded.right) is not None:
                n, c = self.strip(ded.left), self.number(ded.right)
                if ded.op == "*":
                    # (项数(L) - 符合数(L)) × c: each item not met
                    if isinstance(n, ir.BinOp) and n.op == "-" and isinstance(n.left, ir.Call) and n.left.func == "size" \
                            and isinstance(n.right, ir.Call) and n.right.func == "count":
                        lst = self.expr(n.left.args[0])
                        return f"{lst}全部符合得{points_text(p)}分；每1项不符合扣{points_text(c)}分" + tail()
                    unit = self.unit_of(n)
                    base = self.drop_floor(n)
                    if unit is not None and unit not in ("%", "pp", "分"):
                        name = self.expr(base, 4)
                        if p == self.ind.points and (self.is_excess(base) or (self.top and self.nonneg(base))):
                            return f"{name}每1{unit}扣{points_text(c)}分" + tail()
                        return f"{self.verb}分 = {points_text(p)} - {name} × {points_text(c)}（每1{unit}扣{points_text(c)}分）" + tail()
                if ded.op == "/" and self.const(ded.right) is not None:
                    pass
            # P - D / S × c: in proportion to the excess
            if isinstance(ded, ir.BinOp) and ded.op == "*" and self.number(ded.right) is not None \
                    and isinstance(ded.left, ir.BinOp) and ded.left.op == "/" and self.const(ded.left.right) is not None:
                d, s_ = self.strip(ded.left.left), self.const_text(self.const(ded.left.right))
                lead = self.over_lead(d, p)
                return f"{lead}每超出{s_}扣{points_text(self.number(ded.right))}分（不足{s_}的按比例扣）" + tail()
        # N × k, capped: points per item or per unit
        if isinstance(e, ir.BinOp) and e.op == "*" and self.number(e.right) is not None:
            n, k = self.strip(e.left), points_text(self.number(e.right))
            if isinstance(n, ir.Call) and n.func == "count" and len(n.args) == 1:
                return f"{self.expr(n.args[0])}每符合1项{self.verb}{k}分" + tail()
            unit = self.unit_of(n)
            if unit is not None and unit not in ("%", "pp", "分"):
                return f"{self.expr(self.drop_floor(n), 4)}每1{unit}{self.verb}{k}分" + tail()
        return f"{self.verb}分 = {self.expr(e)}" + tail()

    def completion(self, ratio: ir.Expr, p: Decimal, suffix: list) -> str:
        """X达到T得P分；未达到的，得分 = X / T × P."""
        x, t = self._ratio(ratio) or (ratio, ir.Const(Decimal(1), type=ir.Type("num", "%")))
        xs, ts, ps = self.expr(x, 6), self.const_text(t), points_text(p)
        how = f"{xs} × {ps}" if t.value == 1 else f"{xs} / {ts} × {ps}"
        if isinstance(x, ir.BinOp) and x.op == "/":
            xs = f"{self.expr(x.left, 5)}与{self.expr(x.right, 5)}之比"
        return f"{xs}达到{ts}得{ps}分；未达到的，{self.verb}分 = {how}，超过{ts}不加分" + ("，" + "，".join(suffix) if suffix else "")

    def unit_of(self, e: ir.Expr) -> Optional[str]:
        return e.type.unit if e.type.kind == "num" else None

    def drop_floor(self, e: ir.Expr) -> ir.Expr:
        """max(X, 0) of a value that is never negative anyway: X."""
        if isinstance(e, ir.BinOp):
            return ir.BinOp(e.op, self.drop_floor(e.left), e.right, span=e.span, type=e.type)
        if isinstance(e, ir.Call) and e.func == "max" and len(e.args) == 2 and self.number(e.args[1]) == 0 \
                and self.nonneg(e.args[0]):
            return e.args[0]
        return e

    def over_lead(self, d: ir.Expr, p: Decimal) -> str:
        """X不超过T得P分；超过T的， — for a deduction by ``d`` (max(X - T, 0) × …)."""
        x = d
        while isinstance(x, ir.BinOp) and x.op in ("*", "/"):
            x = self.strip(x.left)
        if isinstance(x, ir.Call) and x.func == "max" and len(x.args) == 2 and self.number(x.args[1]) == 0:
            x = self.strip(x.args[0])
            if isinstance(x, ir.BinOp) and x.op == "-" and self.const(x.right) is not None:
                t = self.const_text(self.const(x.right))
                return f"{self.expr(x.left, 6)}不超过{t}得{points_text(p)}分；超过{t}的，"
            return f"{self.expr(x, 6)}不超过0得{points_text(p)}分；超过的，"
        return f"满分{points_text(p)}分，"

    def step_deduction(self, e: ir.Expr) -> Optional[str]:
        """``P - 向上取整(max(X - T, 0) / S) × c 扣完为止``: X不超过T得P分；超过T的，每超出S扣c分（不足S按S计），扣完为止."""
        floor = False
        if isinstance(e, ir.Clamp) and e.kind == "floor_zero":
            floor, e = True, self.strip(e.operand)
        if not (isinstance(e, ir.BinOp) and e.op == "-" and isinstance(e.right, ir.BinOp) and e.right.op == "*"):
            return None
        p, ceil_, c = self.number(e.left), e.right.left, self.number(e.right.right)
        if p is None or c is None or not (isinstance(ceil_, ir.Call) and ceil_.func in ("ceil", "floor")):
            return None
        div = ceil_.args[0]
        if not (isinstance(div, ir.BinOp) and div.op == "/" and self.const(div.right) is not None):
            return None
        mx = div.left
        if not (isinstance(mx, ir.Call) and mx.func == "max" and len(mx.args) == 2 and self.number(mx.args[1]) == 0):
            return None
        diff = mx.args[0]
        s = self.const_text(self.const(div.right))
        part = f"（不足{s}按{s}计）" if ceil_.func == "ceil" else f"（不足{s}的部分不扣）"
        if isinstance(diff, ir.BinOp) and diff.op == "-" and self.const(diff.right) is not None:
            x = self.expr(diff.left, 4)
            t = self.const_text(self.const(diff.right))
            out = f"{x}不超过{t}得{points_text(p)}分；超过{t}的，每超出{s}扣{points_text(c)}分{part}"
        else:
            x = self.expr(diff, 6)
            out = f"{x}为0得{points_text(p)}分；{x}每{s}扣{points_text(c)}分{part}"
        return out + ("，扣完为止" if floor else "")

    # ── rules ──
    def rule(self, e: ir.Expr) -> str:
        if isinstance(e, ir.Tiers):
            return self.tiers(e)
        if isinstance(e, ir.If):
            return self.if_(e)
        kind, text = self.value(e)
        return {"const": f"{self.verb}{text}分", "na": "不适用"}.get(kind, text)

    def after_cond(self, cond: str, e: ir.Expr, then_word: str = "") -> str:
        kind, text = self.value(e)
        if kind == "const":
            return f"{cond}{then_word}{self.verb}{text}分"
        if kind == "qty":
            return f"{cond}{then_word}为{text}"
        if kind == "na":
            return f"{cond}时不适用"
        if kind in ("rated", "unscorable"):
            return f"{cond}的，{text}"
        if kind == "formula":
            return f"{cond}{then_word or '时，'}{text}"
        return f"{cond}时：{text}"

    def otherwise(self, e: ir.Expr, word: str = "否则") -> str:
        kind, text = self.value(e)
        if kind == "const":
            return f"{word}{self.verb}{text}分"
        if kind == "qty":
            return f"{word}为{text}"
        if kind == "na":
            return f"{word}不适用"
        if kind in ("formula", "rated", "unscorable"):
            return f"{word}{text}"
        return f"{word}：{text}"

    def if_(self, e: ir.If) -> str:
        parts, first = [], True
        while isinstance(e, ir.If):
            c = self.cond(e.cond)
            if isinstance(e.then, ir.NotApplicable):
                parts.append((f"{c}时不适用" if first else f"否则{c}时不适用", "；"))
            else:
                parts.append((self.after_cond(c if first else "否则" + c, e.then), "；"))
            first = False
            e = e.else_
        out = ""
        for text, sep in parts:
            out += text + sep
        return out + self.otherwise(e)

    def _checklist_of(self, subject: ir.Expr) -> Optional[ir.Input]:
        e = subject
        if isinstance(e, ir.LocalRef):
            e = e.local.expr
        if isinstance(e, ir.Call) and e.func == "count" and len(e.args) == 1 and isinstance(e.args[0], ir.InputRef):
            return e.args[0].input
        return None

    def tiers(self, e: ir.Tiers) -> str:
        rows = e.rows
        if e.subject is None:
            out = []
            for r in rows:
                if r.kind == "else":
                    out.append(self.otherwise(r.value))
                else:
                    out.append(self.after_cond(self.cond(r.key), r.value))
            return "；".join(out)
        checklist = self._checklist_of(e.subject)
        is_eq = [r.kind == "eq" or (r.kind == "cmp" and r.op == "==") for r in rows if r.kind != "else"]
        if checklist is not None:
            word = {">=": "及以上", ">": "以上", "<=": "及以下", "<": "以下"}
            out = []
            for r in rows:
                if r.kind == "else":
                    out.append(self.otherwise(r.value, "其余"))
                    continue
                n = self.const_text(r.key) if isinstance(r.key, ir.Const) else self.expr(r.key)
                cond = f"符合{n}项" + ("" if r.kind == "eq" or r.op == "==" else word.get(r.op, ""))
                out.append(self.after_cond(cond, r.value))
            return f"{checklist.name}（共{len(checklist.members)}项）：" + "；".join(out)
        subj = self.expr(e.subject)
        if all(is_eq):
            enum = e.subject.type.kind == "enum"
            out = []
            for r in rows:
                if r.kind == "else":
                    kind, text = self.value(r.value)
                    out.append(f"其余{text}{'分' if kind == 'const' else ''}" if enum and kind in ("const", "qty")
                               else self.otherwise(r.value, "其余"))
                    continue
                key = self.expr(r.key)
                kind, text = self.value(r.value)
                if enum and kind in ("const", "qty"):
                    out.append(f"{key}{text}{'分' if kind == 'const' else ''}")
                elif enum:
                    out.append(self.after_cond(key, r.value))
                else:
                    out.append(self.after_cond(f"{subj}为{key}", r.value))
            return (f"{subj}：" if enum else "") + "；".join(out)
        return self.ranges(subj, rows, e.subject if e.subject.type.kind == "date" else None)

    def ranges(self, subj: str, rows: list, date_subject: Optional[ir.Expr] = None) -> str:
        out = []
        for r, cond in zip(rows, self.range_conds(subj, rows, date_subject)):
            if cond is None:
                out.append(self.rule(r.value) if r.kind == "else" and r is rows[0] else self.otherwise(r.value))
            else:
                out.append(self.after_cond(cond, r.value, "" if self.value(r.value)[0] != "formula" else "的，"))
        return "；".join(out)

    def range_conds(self, subj: str, rows: list, date_subject: Optional[ir.Expr] = None) -> list[Optional[str]]:
        """Each tier row's condition as a table writes it (None: a plain 否则)."""
        cmp_rows = [r for r in rows if r.kind != "else"]
        keys = [self.number(r.key) for r in cmp_rows]
        ops = [r.op for r in cmp_rows]
        desc = all(op in (">=", ">") for op in ops) and None not in keys and all(a > b for a, b in zip(keys, keys[1:]))
        asc = all(op in ("<=", "<") for op in ops) and None not in keys and all(a < b for a, b in zip(keys, keys[1:]))
        out: list[Optional[str]] = []
        prev = None
        # a date is earlier or later, and says whether its own day counts
        dates = date_subject is not None
        above, below = ("晚于", "早于") if dates else ("高于", "低于")
        at_or_below, at_or_above = ("（含）前", "（含）后") if dates else ("及以下", "及以上")
        for r in rows:
            if r.kind == "else":
                if prev is None or not (desc or asc):
                    out.append(None)
                    continue
                pop, pkey = prev
                if desc:
                    out.append(f"{below}{pkey}" if pop == ">=" else f"{pkey}{at_or_below}")
                else:
                    out.append(f"{above}{pkey}" if pop == "<=" else f"{pkey}{at_or_above}")
                continue
            key = self.expr(r.key)
            if prev is None or not (desc or asc):
                op = r.op or "=="               # a bare value row (1 : 10) is an equality
                cond = f"{subj}{_SYM.get(op, op)}{key}"
                if dates and r.op in (">=", ">", "<=", "<"):
                    cond = self.cond(ir.Compare([date_subject, r.key], [r.op], type=ir.BOOL))
                if prev is not None:
                    cond = "否则" + cond
            elif desc:
                pop, pkey = prev
                lo = f"{key}（含）" if r.op == ">=" else f"{above}{key}"
                cond = f"{lo}至{pkey}" + ("（含）" if pop == ">" else "")
            else:
                pop, pkey = prev
                lo = f"{above}{pkey}" if pop == "<=" else f"{pkey}（含）"
                cond = f"{lo}至{key}" + ("（含）" if r.op == "<=" else "")
            out.append(cond)
            prev = (r.op, key)
        return out

    def tier_conds(self, e: ir.Tiers) -> list[Optional[str]]:
        """The condition of each row of a 分档 in the table's words (None: 否则 / 其余)."""
        rows = e.rows
        if e.subject is None:
            return [None if r.kind == "else" else self.cond(r.key) for r in rows]
        checklist = self._checklist_of(e.subject)
        if checklist is not None:
            word = {">=": "及以上", ">": "以上", "<=": "及以下", "<": "以下"}
            return [None if r.kind == "else" else
                    f"符合{self.const_text(r.key) if isinstance(r.key, ir.Const) else self.expr(r.key)}项"
                    + ("" if r.kind == "eq" or r.op == "==" else word.get(r.op, "")) for r in rows]
        subj = self.expr(e.subject)
        if all(r.kind == "eq" or (r.kind == "cmp" and r.op == "==") for r in rows if r.kind != "else"):
            enum = e.subject.type.kind == "enum"
            return [None if r.kind == "else" else self.expr(r.key) if enum else f"{subj}为{self.expr(r.key)}" for r in rows]
        return self.range_conds(subj, rows, e.subject if e.subject.type.kind == "date" else None)

    # ── the whole indicator ──
    def definitions(self) -> list[str]:
        done: dict[int, str] = {}
        while True:
            todo = [l for k, l in list(self.used.items()) if k not in done]
            if not todo:
                break
            for l in todo:
                done[id(l)] = f"{l.name} = {self.expr(l.expr)}" if l.expr is not None else l.name
        order = {id(n): k for k, n in enumerate(self.program.walk())}
        locs = sorted(self.used.values(), key=lambda l: (order.get(id(l.owner), -1), l.index))
        return [done[id(l)] for l in locs]


def criteria_text(ind: ir.Indicator, program: ir.Program) -> str:
    """The 评分标准 of ``ind`` in Chinese, generated from its rule: local definitions as
    formulas first (one line, ``；``-separated), then the rule. A composite indicator lists
    its 子项 one per line, then how they combine."""
    if ind.rows is not None:
        return rows_criteria(ind.rows)
    if ind.children:
        # every child with its own rule (a 三级指标 nested under another is a row of it,
        # like a 子项), then how they combine
        lines = []
        for c in ind.children:
            head = f"{c.name}（{'加分项' if c.kind == 'bonus' else '扣分项'}，最多{points_text(c.points)}分）" if c.adjusts \
                else f"{c.name}（{points_text(c.points)}分）"
            lines.append(f"{head}：" + criteria_text(c, program).replace("\n", "；"))
        if ind.score is None:
            lines.append("得分 = " + "".join((" - " if c.kind == "penalty" else " + ") * (k > 0) + ("-" if k == 0 and c.kind == "penalty" else "")
                                            + c.name for k, c in enumerate(ind.children)))
        else:
            cr = _Criteria(ind, program)
            rule = cr.rule(ind.score)
            defs = cr.definitions()
            lines.extend(["；".join(defs)] if defs else [])
            lines.append(rule)
        return "\n".join(lines)
    if ind.score is None:
        return ""
    cr = _Criteria(ind, program)
    rule = cr.rule(ind.score)
    defs = cr.definitions()
    return ("；".join(defs) + "\n" + rule) if defs else rule


def composite_criteria(ind: ir.Indicator, program: ir.Program) -> str:
    """The rule by which a parent that is not a row of the table (一级/二级指标) combines
    its children (weights of blocks: ``得分 = 产出 × 0.6 + 效益 × 0.4``): definitions, then the rule."""
    cr = _Criteria(ind, program)
    rule = cr.rule(ind.score)
    defs = cr.definitions()
    return ("；".join(defs) + "\n" + rule) if defs else rule


def method_criteria(e: ir.Expr, ind: ir.Indicator, program: ir.Program) -> str:
    """A rule that is one call of a library method: the method's own 评分标准 in the
    library's wording, each parameter it names replaced by the argument of the call
    (``达到目标值得满分`` with 目标值 = 年度指标值 reads ``达到年度指标值得满分``);
    otherwise the rule in words."""
    o = e.origin
    if o is not None and o.criteria:
        text, rest = library_wording(o)
        args = "，".join(f"{p}{a}" for p, a in rest)
        return f"按{o.name}，其中{args}：{text}" if args else f"按{o.name}：{text}"
    cr = _Criteria(ind, program)
    rule = cr.rule(e)
    defs = cr.definitions()
    return ("；".join(defs) + "；" + rule) if defs else rule


def library_wording(o: ir.MethodCall) -> tuple[str, list[tuple[str, str]]]:
    """The method's 评分标准 with the parameters it names replaced by the call's arguments,
    and the (parameter, argument) pairs it does not name (said beside it)."""
    import re
    pairs = [(p, a) for p, a in zip(o.params, o.args) if p != a]
    named = [(p, a) for p, a in pairs if p in o.criteria]
    text = o.criteria
    if named:
        by = dict(named)
        pat = re.compile("|".join(re.escape(p) for p in sorted(by, key=len, reverse=True)))
        text = pat.sub(lambda m: by[m.group(0)], text)
    return text.rstrip("。"), [(p, a) for p, a in pairs if p not in o.criteria]


def rows_criteria(part: ir.RowPart) -> str:
    """评分标准 of an indicator whose rows the case supplies: the rule that the points add
    up, then each scoring method a row may choose."""
    lines = [f"各行由填报单位逐行填写，分值合计{points_text(part.indicator.points)}分；每行按所选计分方法计分，得分不超过该行分值"
             + ({"exclude": "；不适用的行剔除，其余各行得分按分值折算", "full_points": "；不适用的行计满分"}.get(part.na_policy, "")) + "："]
    for name, prog in part.methods.items():
        pseudo = prog.roots[0]
        lines.append(f"{name}：" + method_criteria(pseudo.score, pseudo, prog).replace("\n", "；"))
    return "\n".join(lines)


def adjustment_notes(program: ir.Program) -> list[str]:
    """What a table with 加分项 / 扣分项, a 总分 = 合计 … rule, 否决 or 按取整总分 says under it."""
    out = []
    top = [r for r in program.roots if r.adjusts]
    if any(n.adjusts for n in program.walk()):
        caps = "、".join(f"{r.name}{'加' if r.kind == 'bonus' else '扣'}分最多{points_text(r.points)}分" for r in top)
        out.append("加分项、扣分项不计入分值合计：加分项所得加入、扣分项所扣减去其上级指标的得分"
                   + (f"，一级的加分项、扣分项加入或减去总分（{caps}）" if top else "") + "。")
    ordinary = next((r for r in program.roots if not r.adjusts), None)
    if ordinary is None:
        return out
    words = _Criteria(ordinary, program)
    if program.total_rule is not None:
        _inner, suffix = words.peel(program.total_rule)
        held = "，".join(w.replace("最高", "总分最高") for w in suffix)
        out.append(f"总分 = 一级指标得分之和 + 加分 − 扣分，{held}。")
    if program.vetoes:
        rows = []
        for v in program.vetoes:
            cond = words.cond(v.cond)
            rows.append(f"{cond}的，等级最高为{v.grade}" if v.cap else f"{cond}的，等级为{v.grade}")
        out.append("否决（按总分定等级后依次适用）：" + "；".join(rows) + "。")
    return out


def band_text(cond: Optional[ir.Expr]) -> str:
    """A grade band's range as printed in 评价结果: ``90分≤得分≤100分``."""
    if cond is None:
        return "其余"
    if isinstance(cond, ir.Compare):
        def side(o):
            if isinstance(o, ir.TotalRef):
                return "得分"
            if isinstance(o, ir.Const) and isinstance(o.value, Decimal):
                return f"{fmt_decimal(o.value)}分"
            return " ".join(o.span.text().split()) if o.span is not None else "?"
        out = side(cond.operands[0])
        for op, o in zip(cond.ops, cond.operands[1:]):
            out += _SYM[op] + side(o)
        return out
    if isinstance(cond, ir.Logic):
        return band_text(cond.left) + ("且" if cond.op == "and" else "或") + band_text(cond.right)
    return " ".join(cond.span.text().split()) if cond.span is not None else "?"


def grade_boxes(program: ir.Program, grade: Optional[str]) -> str:
    """评价结果: ``☑优秀 90分≤得分≤100分；□良好 80分≤得分<90分；…``."""
    return "；".join(f"{'☑' if b.name == grade else '□'}{b.name} {band_text(b.cond)}" for b in program.grades)
