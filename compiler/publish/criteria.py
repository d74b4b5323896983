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

from ...dsl import ir
from ...dsl.ir import date_text, fmt_decimal

from .criteria_base import _ARITH, _FUNC, _SYM, _num_text, points_text  # noqa: F401  (points_text: used by the tables)
from .criteria_formulas import FormulaWording
from .criteria_tiers import TierWording
from .printer import expr_text


class _Criteria(FormulaWording, TierWording):
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
        if isinstance(e, ir.Neg):             # a tier key below zero: -10%
            v = self.number(e.operand)
            return -v if v is not None else None
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
