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
        return None

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

    def formula(self, e: ir.Expr) -> str:
        step = self.step_deduction(e)
        if step is not None:
            return step
        e, suffix = self.peel(e)
        # min(E, P): 最高P分;  max(E, P): 最低P分
        while isinstance(e, ir.Call) and e.func in ("min", "max") and len(e.args) == 2:
            a, b = e.args
            if self.number(b) is None and self.number(a) is not None:
                a, b = b, a
            k = self.number(b)
            if k is None:
                break
            suffix.insert(0, f"{self.most if e.func == 'min' else '最低'}{points_text(k)}分")
            e = a
        # min(X / T, 1) × P  ->  X / T × P，最高P分 (completion ratio written the other way round)
        if (isinstance(e, ir.BinOp) and e.op == "*" and isinstance(e.left, ir.Call) and e.left.func == "min"
                and len(e.left.args) == 2 and self.number(e.left.args[1]) == 1 and self.number(e.right) is not None):
            suffix.insert(0, f"{self.most}{points_text(self.number(e.right))}分")
            e = ir.BinOp("*", e.left.args[0], e.right, span=e.span, type=e.type)
        hint = ""
        if isinstance(e, ir.BinOp) and e.op == "-" and isinstance(e.right, ir.BinOp) and e.right.op == "*":
            hint = self._per_unit(e.right.left, e.right.right, "扣")
        elif isinstance(e, ir.BinOp) and e.op == "*":
            hint = self._per_unit(e.left, e.right, self.verb)
        text = f"{self.verb}分 = {self.expr(e)}{hint}"
        return text + ("，" + "，".join(suffix) if suffix else "")

    def step_deduction(self, e: ir.Expr) -> Optional[str]:
        """``P - 向上取整(max(X - T, 0) / S) × c 扣完为止``: X不超过T得P分；超过T的，每超出S扣c分（不足S按S计），扣完为止."""
        floor = False
        if isinstance(e, ir.Clamp) and e.kind == "floor_zero":
            floor, e = True, e.operand
        if not (isinstance(e, ir.BinOp) and e.op == "-" and isinstance(e.right, ir.BinOp) and e.right.op == "*"):
            return None
        p, ceil_, c = self.number(e.left), e.right.left, self.number(e.right.right)
        if p is None or c is None or not (isinstance(ceil_, ir.Call) and ceil_.func == "ceil"):
            return None
        div = ceil_.args[0]
        if not (isinstance(div, ir.BinOp) and div.op == "/" and self.const(div.right) is not None):
            return None
        mx = div.left
        if not (isinstance(mx, ir.Call) and mx.func == "max" and len(mx.args) == 2 and self.number(mx.args[1]) == 0):
            return None
        diff = mx.args[0]
        if not (isinstance(diff, ir.BinOp) and diff.op == "-" and self.const(diff.right) is not None):
            return None
        x = self.expr(diff.left)
        t = self.const_text(self.const(diff.right))
        s = self.const_text(self.const(div.right))
        out = f"{x}不超过{t}得{points_text(p)}分；超过{t}的，每超出{s}扣{points_text(c)}分（不足{s}按{s}计）"
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
                parts.append((self.after_cond(("如果" if first else "否则如果") + c, e.then, "则"), "，"))
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
        cmp_rows = [r for r in rows if r.kind != "else"]
        keys = [self.number(r.key) for r in cmp_rows]
        ops = [r.op for r in cmp_rows]
        desc = all(op in (">=", ">") for op in ops) and None not in keys and all(a > b for a, b in zip(keys, keys[1:]))
        asc = all(op in ("<=", "<") for op in ops) and None not in keys and all(a < b for a, b in zip(keys, keys[1:]))
        out = []
        prev = None
        # a date is earlier or later, and says whether its own day counts
        dates = date_subject is not None
        above, below = ("晚于", "早于") if dates else ("高于", "低于")
        at_or_below, at_or_above = ("（含）前", "（含）后") if dates else ("及以下", "及以上")
        for r in rows:
            if r.kind == "else":
                if prev is None:
                    out.append(self.rule(r.value))
                    continue
                pop, pkey = prev
                if desc:
                    cond = f"{below}{pkey}" if pop == ">=" else f"{pkey}{at_or_below}"
                elif asc:
                    cond = f"{above}{pkey}" if pop == "<=" else f"{pkey}{at_or_above}"
                else:
                    out.append(self.otherwise(r.value))
                    continue
                out.append(self.after_cond(cond, r.value, "" if self.value(r.value)[0] != "formula" else "的，"))
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
            out.append(self.after_cond(cond, r.value, "" if self.value(r.value)[0] != "formula" else "的，"))
            prev = (r.op, key)
        return "；".join(out)

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
    """A rule that is one call of a library method: the method's own 评分标准 with its
    arguments; otherwise the rule's formula."""
    o = e.origin
    if o is not None and o.criteria:
        args = "，".join(f"{p}={a}" for p, a in zip(o.params, o.args) if p != a)
        return f"按{o.name}（{args}）：{o.criteria}" if args else f"按{o.name}：{o.criteria}"
    cr = _Criteria(ind, program)
    rule = cr.rule(e)
    defs = cr.definitions()
    return ("；".join(defs) + "；" + rule) if defs else rule


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
