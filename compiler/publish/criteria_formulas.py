"""评分标准 of formulas (a part of criteria._Criteria): the shapes rules take — completion
ratios, per-unit and per-step deductions, capped ratios, excesses — in a table's words."""
from __future__ import annotations

from decimal import Decimal
from typing import Optional
from ...dsl import ir
from .criteria_base import _num_text, points_text


class FormulaWording:
    """Mixed into :class:`_Criteria` (criteria.py); uses its ``expr``, ``cond``, ``const`` and the rest of its wording."""

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
