"""评分依据 as a reviewer writes it: the figures, the rule applied in words, the amount
deducted or added, the cap or floor, the result.

    在职人员数121人，编制数89人，超编32人；每1人扣0.1分，应扣3.2分，扣完为止；得0分（满分3分）。

:func:`reason` words one indicator's score from the checked IR and the case's values; each
value it names is computed by the reference interpreter (``compiler.verify.interpreter``),
so the sentence states the figures the score was computed from. The step-by-step trace
(formulas, tiers, clamps) stays in :mod:`.explain` (``jixiao explain --trace``, JSON).
No function names, no internal names: conditions and tiers read as the 评分标准 reads them
(:class:`.criteria._Criteria`).
"""
from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Optional

from ...dsl import ir
from ...dsl.ir import date_text, fmt_decimal
from ...dsl.ops import COMPARE
from ..verify import interpreter as I
from .criteria import _Criteria, points_text
from .printer import expr_text
from .reasons_en import EnglishReasons, points_en, pp_en

_VERB_EN = {"得": "given", "加": "added", "扣": "deducted"}
_NEG = {">=": "<", ">": "≤", "<=": ">", "<": "≥", "==": "≠", "!=": "="}
# a local named for what it counts reads with its value: 超编人数 32人 -> 超编32人
_COUNTED = ("人数", "项数", "个数", "次数", "月数", "天数", "批次数")


def _num(v: Decimal, unit: Optional[str]) -> str:
    if unit == "%":
        pct = v * 100
        q = pct.quantize(Decimal("0.01"))
        return f"{fmt_decimal(q if q != pct else pct)}%"
    if unit == "pp":
        pp = v * 100
        q = pp.quantize(Decimal("0.01"))
        return f"{fmt_decimal(q if q != pp else pp)}个百分点"
    q = v.quantize(Decimal("0.0001"))
    return fmt_decimal(q if q != v else v) + (unit if unit and unit != "分" else "")


def _pts(v: Decimal) -> str:
    """Points: at most 4 decimals (a long quotient rounded for reading)."""
    q = v.quantize(Decimal("0.0001"))
    return fmt_decimal(q if q != v else v)


class Reasoner(EnglishReasons):
    """The 评分依据 of every indicator of one evaluated case."""

    def __init__(self, rb, result, lang: str = "zh"):
        prog = rb.program
        self.prog, self.lang, self.zh = prog, lang, lang == "zh"
        self.result = result
        self.rows = {"/".join(r.path): r for r in result.indicators}
        try:
            values = I.validate(prog, dict(result.inputs))
        except Exception:      # the values were validated when scored; never fail an explanation on it
            values = [result.inputs.get(i.name) for i in prog.inputs]
        it = I.Interpreter(prog)
        it.values, it.T, it.memo, it.item, it.ind = list(values), None, {}, {}, -1
        it.scores = {n.index: self.rows["/".join(n.path)].score for n in prog.walk() if "/".join(n.path) in self.rows}
        it.grade_total, it.subtotal, it.picked = result.total, result.subtotal, False
        self.it = it

    # ── values ──
    def ev(self, e: ir.Expr):
        try:
            return self.it.ev(e, set())
        except Exception:      # a value the case cannot give (a condition not met): not said
            return None

    def shown(self, v, typ: Optional[ir.Type]) -> str:
        if isinstance(v, bool):
            return ("是" if v else "否") if self.zh else ("yes" if v else "no")
        if isinstance(v, datetime.date):
            return date_text(v.toordinal(), self.lang)
        if isinstance(v, Decimal) and typ is not None and typ.kind == "date":
            return date_text(v, self.lang)
        if isinstance(v, Decimal):
            return _num(v, typ.unit if typ is not None and typ.kind == "num" else None)
        if isinstance(v, tuple):
            return f"{len(v)}项" if self.zh else f"{len(v)} items"
        return str(v)

    def value_of(self, e: ir.Expr) -> str:
        v = self.ev(e)
        if isinstance(v, Decimal) and isinstance(e, ir.BinOp) and e.op == "/" and e.type.kind == "num" \
                and e.type.unit in (None, ""):
            return _num(v, "%")
        return self.shown(v, e.type) if v is not None else "?"

    def words(self, ind: ir.Indicator) -> _Criteria:
        return _Criteria(ind, self.prog)

    def with_values(self, e: ir.Expr, names: bool = False) -> str:
        """The formula with each name replaced by its value (``names``: the names kept, only
        functions replaced by their values); a min/max/取整 shown as the operand it took
        (the rule's words say the cap)."""
        def leaf(x):
            if isinstance(x, ir.Const):
                return self.shown(x.value, x.type) if not isinstance(x.value, str) else x.value
            if names and isinstance(x, (ir.InputRef, ir.LocalRef, ir.ScoreRef)):
                return x.input.name if isinstance(x, ir.InputRef) else x.local.name if isinstance(x, ir.LocalRef) \
                    else x.indicator.name
            if isinstance(x, (ir.InputRef, ir.LocalRef, ir.Aggregate, ir.ScoreRef)):
                if isinstance(x, ir.InputRef) and x.input.type.kind in ("checklist", "list"):
                    return x.input.name
                v = self.ev(x)
                return self.shown(v, x.type) if v is not None else None
            return None

        def hook(x, prec):
            if isinstance(x, ir.Call) and x.func in ("min", "max") and len(x.args) == 2:
                v, a = self.ev(x), self.ev(x.args[0])
                took = x.args[0] if v == a else x.args[1]
                return expr_text(took, leaf, hook, div="÷", funcs={}, prec=prec)
            if isinstance(x, ir.Call) and x.func in ("count", "size", "ceil", "floor", "abs", "months", "days",
                                                      "points_met", "points_unmet"):
                v = self.ev(x)
                return self.shown(v, x.type) if v is not None else None
            if isinstance(x, ir.Call) and x.func == "require":
                return expr_text(x.args[2], leaf, hook, div="÷", funcs={}, prec=prec)
            return None
        return expr_text(e, leaf, hook, div="÷", funcs={}, prec=0)

    # ── the figures ──
    def figures(self, ind: ir.Indicator) -> list[str]:
        zh = self.zh
        out = []
        seen_inputs = [i for i in ir.inputs_read(ind.score) if i.rated_of is None]
        for inp in seen_inputs:
            v = self.result.inputs.get(inp.name)
            if v is None:
                continue
            if inp.kind == "checklist" and isinstance(v, tuple):
                out.append(self.checklist(inp, v))
            elif inp.type.kind == "list":
                out.append(f"{inp.name}{len(v)}项" if zh else f"{inp.name}: {len(v)} items")
            elif isinstance(v, bool):
                out.append(f"{inp.name}：{'是' if v else '否'}" if zh else f"{inp.name}: {'yes' if v else 'no'}")
            elif inp.type.kind == "enum":
                out.append(f"{inp.name}为{v}" if zh else f"{inp.name}: {v}")
            else:
                out.append(f"{inp.name}{self.shown(v, inp.type)}" if zh else f"{inp.name} {self.shown(v, inp.type)}")
        for loc in self.locals_of(ind):
            v = self.ev(ir.LocalRef(loc, type=loc.type))
            if v is None or isinstance(v, tuple):
                continue
            text = self.shown(v, loc.type)
            name = loc.name
            if zh and isinstance(v, Decimal) and name.endswith(_COUNTED) and len(name) > 2 \
                    and loc.type.unit and loc.type.unit[-1] == name[-2]:
                out.append(f"{name[:-2]}{text}")
            else:
                out.append(f"{name}{text}" if zh else f"{name} {text}")
        return out

    def locals_of(self, ind: ir.Indicator) -> list[ir.Local]:
        """The locals the rule reads that hold a figure (not a constant like 目标值 = 0%)."""
        found: dict[int, ir.Local] = {}
        for x in ir.walk(ind.score, into_locals=True):
            if isinstance(x, ir.LocalRef) and id(x.local) not in found:
                found[id(x.local)] = x.local
        out = []
        for l in found.values():
            e = l.expr
            while isinstance(e, ir.LocalRef):
                e = e.local.expr
            if isinstance(e, ir.Const) or "." in l.name or l.type.kind == "bool":
                continue            # a constant, a method's own working, a condition (said by the rule)
            if isinstance(e, ir.Call) and e.func in ("count", "size") and isinstance(e.args[0], ir.InputRef):
                continue            # the checklist's own figure says it: 要点3项中符合2项
            out.append(l)
        return out

    def checklist(self, inp: ir.Input, v: tuple) -> str:
        zh = self.zh
        unmet = [f"{k + 1}.{m}" for k, (m, ok) in enumerate(zip(inp.members, v)) if not ok]
        w = inp.type.weights
        pts = ""
        if w:
            got = sum((x for x, ok in zip(w, v) if ok), Decimal(0))
            pts = f"，符合的要点计{fmt_decimal(got)}分" if zh else f", worth {fmt_decimal(got)}"
        if zh:
            if not unmet:
                return f"{inp.name}{len(v)}项全部符合{pts}"
            return f"{inp.name}{len(v)}项中符合{sum(v)}项{pts}，未符合：{'；'.join(unmet)}"
        if not unmet:
            return f"{inp.name}: all {len(v)} points met{pts}"
        return f"{inp.name}: {sum(v)} of {len(v)} points met{pts}; not met: {'; '.join(unmet)}"

    # ── the rule applied ──
    def say(self, e: ir.Expr, ind: ir.Indicator, w: _Criteria) -> list[str]:
        zh = self.zh
        while isinstance(e, ir.Call) and e.func == "require":
            e = e.args[2]
        if isinstance(e, (ir.Const, ir.ScoreRef, ir.SubtotalRef)):
            return []
        if isinstance(e, ir.NotApplicable):
            return ["本项不适用"] if zh else ["not applicable"]
        if isinstance(e, ir.Rated):
            r = self.rows["/".join(ind.path)]
            pick = fmt_decimal(r.pick) if r.pick is not None else "?"
            note = f"（{r.pick_note}）" if r.pick_note and zh else f" ({r.pick_note})" if r.pick_note else ""
            return [f"由评价组在{e.band()}内评定为{pick}分{note}" if zh else f"the evaluators gave {pick} within {e.band()}{note}"]
        if isinstance(e, ir.If):
            taken = bool(self.ev(e.cond))
            out = self.condition(e.cond, taken, w)
            return out + self.say(e.then if taken else e.else_, ind, w)
        if isinstance(e, ir.Tiers):
            return self.tier(e, ind, w)
        if isinstance(e, ir.Clamp):
            inner = self.say(e.operand, ind, w)
            x, y = self.ev(e.operand), self.ev(e)
            if x is None or y is None or x == y:
                return inner
            b = _pts(y)
            if e.kind == "floor_zero":
                return inner + (["扣完为止"] if zh else ["no lower than 0"])
            said = bool(inner) and (inner[-1].endswith(f"计{_pts(x)}分") or inner[-1].endswith(f" {points_en(_pts(x))}"))
            if e.kind in ("capped", "at_most"):
                more = "最多" + ("加" if ind.kind == "bonus" else "扣") if ind.adjusts else "最高"
                if zh:
                    return inner + ([f"{more}{b}分"] if said else [f"计{_pts(x)}分，{more}{b}分"])
                return inner + ([f"capped at {points_en(b)}"] if said else [f"{points_en(_pts(x))}, capped at {points_en(b)}"])
            if zh:
                return inner + ([f"最低{b}分"] if said else [f"计{_pts(x)}分，最低{b}分"])
            return inner + ([f"at least {points_en(b)}"] if said else [f"{points_en(_pts(x))}, at least {points_en(b)}"])
        return self.arithmetic(e, ind, w)

    def condition(self, c: ir.Expr, taken: bool, w: _Criteria) -> list[str]:
        """A 如果's condition as a finding; nothing where the figures already say it."""
        zh = self.zh
        if isinstance(c, ir.InputRef) or (isinstance(c, ir.Call) and c.func in ("all", "any")) \
                or (isinstance(c, ir.Not) and isinstance(c.operand, ir.InputRef)):
            return []
        if not zh:
            return self.condition_en(c, taken)
        if taken:
            return [w.cond(c)]
        if isinstance(c, ir.Compare) and len(c.ops) == 1:
            neg = ir.Compare(c.operands, [{"==": "!=", "!=": "==", ">=": "<", ">": "<=", "<=": ">", "<": ">="}[c.ops[0]]],
                             type=c.type, span=c.span)
            return [w.cond(neg)]
        return [f"不属于「{w.cond(c)}」的情形"]

    def tier(self, e: ir.Tiers, ind: ir.Indicator, w: _Criteria) -> list[str]:
        zh = self.zh
        subj = self.ev(e.subject) if e.subject is not None else None
        hit = None
        for k, r in enumerate(e.rows):
            if r.kind == "else":
                hit = k
                break
            key = self.ev(r.key)
            if r.kind == "cond":
                ok = bool(key)
            elif r.kind == "eq":
                ok = subj == key
            else:
                ok = subj is not None and key is not None and COMPARE[r.op](subj, key)
            if ok:
                hit = k
                break
        if hit is None:
            return []
        r = e.rows[hit]
        out = []
        if zh:
            conds = w.tier_conds(e)
            cond = conds[hit]
            if cond is None and e.subject is None and hit == 1 and e.rows[0].kind == "cond":
                out.extend(self.condition(e.rows[0].key, False, w))
            elif cond is None:
                out.append("以上各档均不符合")
            elif cond.startswith("否则"):
                out.append(cond[2:])
            elif e.subject is not None and e.subject.type.kind == "enum":
                pass                   # the figures say the grade: 社会公众满意度调查结果为优秀
            elif e.subject is not None and w._checklist_of(e.subject) is not None:
                pass                   # the checklist's figure says it: 要点8项中符合7项
            elif e.subject is None:
                out.append(cond)
            else:
                out.append(f"属于「{cond}」一档")
        else:
            out.extend(self.tier_en(e, hit, w))
        return out + self.say(r.value, ind, w)

    def arithmetic(self, e: ir.Expr, ind: ir.Indicator, w: _Criteria) -> list[str]:
        """Deductions, completion ratios, points per item; else the formula with its figures."""
        zh = self.zh
        verb = {"bonus": "加", "penalty": "扣"}.get(ind.kind, "得")
        strip = w.strip
        # P - deduction
        if isinstance(e, ir.BinOp) and e.op == "-" and w.number(e.left) is not None:
            p = w.number(e.left)
            ded = strip(e.right)
            dv = self.ev(ded)
            if dv is None:
                return []
            amount = _pts(dv)
            # 向上取整(max(X - T, 0) / S) × c
            if isinstance(ded, ir.BinOp) and ded.op == "*" and isinstance(ded.left, ir.Call) \
                    and ded.left.func in ("ceil", "floor") and w.number(ded.right) is not None:
                c = points_text(w.number(ded.right))
                steps = self.ev(ded.left)
                div = ded.left.args[0]
                s = w.const(div.right) if isinstance(div, ir.BinOp) and div.op == "/" else None
                over = div.left if isinstance(div, ir.BinOp) else None
                s_text = w.const_text(s) if s is not None else "?"
                if not zh and s is not None and s.type.unit == "pp":
                    s_text = pp_en(s.value)
                if steps == 0:
                    return ["未超出，不扣分"] if zh else ["not over: nothing deducted"]
                ov = self.ev(over) if over is not None else None
                unit = "pp" if s is not None and s.type.unit == "pp" else (over.type.unit if over is not None and over.type.kind == "num" else None)
                ov_text = (pp_en(ov) if unit == "pp" and not zh else _num(ov, unit)) if isinstance(ov, Decimal) else "?"
                part = f"不足{s_text}按{s_text}计" if ded.left.func == "ceil" else f"不足{s_text}的部分不扣"
                if zh:
                    return [f"超出{ov_text}，每{s_text}扣{c}分（{part}），计{fmt_decimal(steps)}步，应扣{amount}分"]
                part = f"less than {s_text} counts as {s_text}" if ded.left.func == "ceil" else f"less than {s_text} is not deducted"
                return [f"over by {ov_text}, {points_en(c)} deducted per {s_text} ({part}), {fmt_decimal(steps)} steps, "
                        f"{points_en(amount)} to deduct"]
            # min(D, M): at most M
            if isinstance(ded, ir.Call) and ded.func == "min" and len(ded.args) == 2 and w.number(ded.args[1]) is not None:
                d, m = strip(ded.args[0]), w.number(ded.args[1])
                raw = self.ev(d)
                calc = self.formula_text(d, raw, w, "扣分值" if zh else "deduction")
                if raw is not None and raw > m:
                    return [calc, f"超过最多扣分{points_text(m)}分，扣{points_text(m)}分" if zh
                            else f"more than the most deducted ({points_en(points_text(m))}): {points_en(points_text(m))} deducted"]
                return [calc, f"应扣{amount}分" if zh else f"{points_en(amount)} to deduct"]
            if isinstance(ded, ir.BinOp) and ded.op == "*" and w.number(ded.right) is not None:
                n, c = strip(ded.left), points_text(w.number(ded.right))
                nv = self.ev(n)
                if isinstance(n, ir.BinOp) and n.op == "-" and isinstance(n.left, ir.Call) and n.left.func == "size":
                    k = fmt_decimal(nv) if isinstance(nv, Decimal) else "?"
                    return [f"{k}项不符合，每项扣{c}分，应扣{amount}分" if zh
                            else f"{k} not met, {points_en(c)} deducted for each, {points_en(amount)} to deduct"]
                unit = w.unit_of(n)
                if unit is not None and unit not in ("%", "pp", "分"):
                    return [f"每1{unit}扣{c}分，应扣{amount}分" if zh else f"{points_en(c)} deducted per 1{unit}, {points_en(amount)} to deduct"]
                if isinstance(n, ir.BinOp) and n.op == "/" and w.const(n.right) is not None:
                    s_text = w.const_text(w.const(n.right))
                    if not zh and w.const(n.right).type.unit == "pp":
                        s_text = pp_en(w.const(n.right).value)
                    return [f"每{s_text}扣{c}分，按比例应扣{amount}分" if zh
                            else f"{points_en(c)} deducted per {s_text}, in proportion, {points_en(amount)} to deduct"]
            if isinstance(ded, ir.Call) and ded.func == "points_unmet":
                return [f"不符合的要点计{amount}分，应扣{amount}分" if zh
                        else f"the points not met are worth {points_en(amount)}, {points_en(amount)} to deduct"] \
                    if dv else []
            calc = self.formula_text(ded, dv, w, "扣分值" if zh else "deduction")
            return [calc] if calc else []
        # the completion ratio: min(X / T, 1) × P, min(X / T × P, P)
        ratio = None
        if isinstance(e, ir.BinOp) and e.op == "*" and isinstance(e.left, ir.Call) and e.left.func == "min" \
                and len(e.left.args) == 2 and w.number(e.left.args[1]) == 1:
            ratio, p = strip(e.left.args[0]), e.right
        elif isinstance(e, ir.Call) and e.func == "min" and len(e.args) == 2 and w.number(e.args[1]) is not None:
            inner = strip(e.args[0])
            if isinstance(inner, ir.BinOp) and inner.op == "*" and w.number(inner.right) == w.number(e.args[1]) \
                    and isinstance(strip(inner.left), ir.BinOp) and strip(inner.left).op == "/":
                ratio, p = strip(inner.left), inner.right
        if ratio is not None:
            x, t = (ratio.left, ratio.right) if isinstance(ratio, ir.BinOp) and ratio.op == "/" else (ratio, None)
            rv = self.ev(ratio)
            tc = w.const(t) if t is not None else None
            if tc is not None:
                t_text, lead = w.const_text(tc), ""
            elif t is None:            # min(完成率, 1) × 30: the rate itself
                t_text, lead = "100%", ""
            else:                      # a ratio of two figures: 实际产出数 / 计划产出数达到100%
                t_text = "100%"
                lead = f"{w.expr(x, 5)}与{w.expr(t, 5)}之比" if zh else expr_text(ratio, lambda z: None, funcs={})
            if tc is not None and tc.value == 1:
                shown = self.with_values(x)
            else:
                shown = self.with_values(ratio)
            if rv is not None and rv >= 1:
                return [f"{lead}达到{t_text}，得满分" if zh else f"{lead} reaches {t_text}, full points".strip()]
            raw = self.ev(e)
            p_text = self.with_values(p)
            if zh:
                return [f"{lead}未达到{t_text}，按{shown} × {p_text}计{_pts(raw)}分" if raw is not None else f"{lead}未达到{t_text}"]
            return [f"{lead} below {t_text}: {shown} × {p_text} gives {points_en(_pts(raw))}".strip() if raw is not None
                    else f"{lead} below {t_text}".strip()]
        # min(N × k, P), N × k: points per item / per unit
        core = e
        if isinstance(core, ir.Call) and core.func == "min" and len(core.args) == 2 and w.number(core.args[1]) is not None:
            core = strip(core.args[0])
        if isinstance(core, ir.BinOp) and core.op == "*" and w.number(core.right) is not None:
            n, k = strip(core.left), points_text(w.number(core.right))
            nv, cv = self.ev(n), self.ev(core)
            unit = w.unit_of(n)
            if isinstance(n, ir.Call) and n.func == "count" and isinstance(nv, Decimal):
                out = [f"每符合1项{verb}{k}分，计{_pts(cv)}分" if zh else f"{points_en(k)} {_VERB_EN[verb]} per point met: {points_en(_pts(cv))}"]
                return out + self.capped(e, core, ind)
            if unit is not None and unit not in ("%", "pp", "分") and isinstance(cv, Decimal):
                out = [f"每1{unit}{verb}{k}分，计{_pts(cv)}分" if zh else f"{points_en(k)} {_VERB_EN[verb]} per 1{unit}: {points_en(_pts(cv))}"]
                return out + self.capped(e, core, ind)
        if isinstance(e, (ir.InputRef, ir.LocalRef)) or (isinstance(core, ir.Call) and core.func == "points_met"):
            return []                  # the score is that figure (符合的要点计3.5分)
        raw = self.ev(core)
        calc = self.formula_text(core, raw, w, "得分" if zh else "score")
        return ([calc] if calc else []) + self.capped(e, core, ind)

    def capped(self, e: ir.Expr, core: ir.Expr, ind: ir.Indicator) -> list[str]:
        """min(E, P) that held: 最高P分."""
        if e is core:
            return []
        v, c = self.ev(e), self.ev(core)
        if v is None or c is None or v == c:
            return []
        more = "最多" + ("加" if ind.kind == "bonus" else "扣") if ind.adjusts else "最高"
        return [f"{more}{_pts(v)}分" if self.zh else f"capped at {points_en(_pts(v))}"]

    def formula_text(self, e: ir.Expr, raw, w: _Criteria, head: str) -> str:
        """扣分值 = 变动额 / 上年数 × 2 × 10 = 5万元 ÷ 80万元 × 2 × 10 = 1.25."""
        if raw is None:
            return ""
        if self.zh:
            words = w.expr(e)
            vals = self.with_values(e)
            shown = _pts(raw) if isinstance(raw, Decimal) else str(raw)
            if vals == shown:
                return f"{head} = {words} = {shown}" if words != shown else ""
            return f"{head} = {words} = {vals} = {shown}"
        words, vals = self.with_values(e, names=True), self.with_values(e)
        shown = _pts(raw) if isinstance(raw, Decimal) else str(raw)
        if vals == shown:
            return f"{head} = {words} = {shown}" if words != shown else ""
        return f"{head} = {words} = {vals} = {shown}" if words != vals else f"{head} = {vals} = {shown}"

    # ── one indicator ──
    def reason(self, ind: ir.Indicator) -> str:
        """The sentence: figures；the rule applied；得X分（满分P分）。"""
        zh = self.zh
        r = self.rows["/".join(ind.path)]
        w = self.words(ind)
        figs = self.figures(ind) if ind.score is not None else []
        steps = self.say(ind.score, ind, w) if ind.score is not None else []
        if not r.applicable:
            policy = {"full_points": "按规定计满分" if zh else "full points by the rulebook's policy",
                      "exclude": "不计入总分，总分按比例折算" if zh else "excluded, the total rescaled"}.get(self.prog.na_policy or "", "")
            steps = [s for s in steps if s not in ("本项不适用", "not applicable")] + \
                [("本项不适用" if zh else "not applicable") + (("，" if zh else ", ") + policy if policy else "")]
        raw = self.ev(ind.score) if ind.score is not None and r.applicable else None
        if isinstance(raw, Decimal) and raw != r.score and not r.assessed and not isinstance(ind.score, ir.Rated):
            mode = {"half_up": "四舍五入", "half_even": "银行家舍入", "down": "截断", "up": "进一"}.get(self.prog.rounding, "")
            clamped = any(isinstance(x, ir.Clamp) for x in ir.walk(ind.score))
            if not clamped or raw.quantize(self.prog.precision) != raw:
                steps.append(f"按{fmt_decimal(self.prog.precision)}分{mode}" if zh else f"rounded to {fmt_decimal(self.prog.precision)}")
        sep, big = ("，", "；") if zh else (", ", "; ")
        parts = [sep.join(figs)] if figs else []
        if steps:
            parts.append(sep.join(steps))
        return big.join(parts)

    def score_text(self, ind: ir.Indicator, score: Decimal) -> str:
        s, p = fmt_decimal(score), fmt_decimal(ind.points)
        if self.zh:
            if ind.adjusts:
                verb = "加" if ind.kind == "bonus" else "扣"
                return f"{verb}{s}分（最多{verb}{p}分）"
            return f"得{s}分（满分{p}分）"
        if ind.adjusts:
            return f"{'adds' if ind.kind == 'bonus' else 'deducts'} {s} (at most {p})"
        return f"scores {s} of {p}"
