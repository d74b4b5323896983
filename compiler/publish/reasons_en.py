"""The English words of 评分依据 (a part of :class:`.reasons.Reasoner`): conditions and
tier rows as a reviewer writes them in English — ``实际完成值 ≤ 年度指标值``, ``政府采购预算项目数
is not 0``, ``in the tier 95% (inclusive) to 100%`` — with the same content as the Chinese
sentence (the figures, the rule applied, the amount, the cap or floor, the result). The
tier ranges themselves come from the one place that words them
(:meth:`.criteria_tiers.TierWording.range_conds`)."""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from ...dsl import ir
from ...dsl.ir import date_text, fmt_decimal
from .printer import CMP

_DATE = {"<=": "on or before", "<": "before", ">=": "on or after", ">": "after", "==": "on", "!=": "not on"}
_NEGATE = {"==": "!=", "!=": "==", ">=": "<", ">": "<=", "<=": ">", "<": ">="}


def pp_en(v: Decimal) -> str:
    """A difference of rates in English: 3.69 percentage points, 1 percentage point."""
    pp = v * 100
    q = pp.quantize(Decimal("0.01"))
    text = fmt_decimal(q if q != pp else pp)
    return f"{text} percentage point{'' if text == '1' else 's'}"


def points_en(text: str) -> str:
    """3 points, 1 point, 0.5 points."""
    return f"{text} point{'' if text == '1' else 's'}"


class EnglishReasons:
    """Mixed into :class:`.reasons.Reasoner`; uses its ``with_values`` and ``ev``."""

    def operand_en(self, e: ir.Expr) -> str:
        c = e
        while isinstance(c, ir.LocalRef) and isinstance(c.local.expr, (ir.Const, ir.LocalRef)):
            c = c.local.expr
        if isinstance(c, ir.Const) and c.type.kind == "date":
            return date_text(c.value, "en")
        if isinstance(e, ir.Call) and e.func in ("size", "count") and len(e.args) == 1:
            return f"the number {'of' if e.func == 'size' else 'met in'} {self.operand_en(e.args[0])}"
        if isinstance(e, ir.Aggregate) and e.func == "count" and e.cond is None:
            return f"the number of {self.operand_en(e.items)}"
        if isinstance(e, ir.InputRef):
            return e.input.name
        return self.with_values(e, names=True)

    def cond_en(self, e: ir.Expr) -> str:
        """A condition in English: names and constants as the rule has them."""
        if isinstance(e, ir.Compare):
            texts = [self.operand_en(o) for o in e.operands]
            if len(texts) == 2 and e.operands[0].type.kind == "date":
                return f"{texts[0]} {_DATE[e.ops[0]]} {texts[1]}"
            if len(texts) == 2 and e.ops[0] in ("==", "!="):
                return f"{texts[0]} {'is' if e.ops[0] == '==' else 'is not'} {texts[1]}"
            out = texts[0]
            for op, t in zip(e.ops, texts[1:]):
                out += f" {CMP[op]} {t}"
            return out
        if isinstance(e, ir.Logic):
            def side(x):
                t = self.cond_en(x)
                return f"({t})" if isinstance(x, ir.Logic) and x.op != e.op else t
            return f"{side(e.left)} {'and' if e.op == 'and' else 'or'} {side(e.right)}"
        if isinstance(e, ir.Not):
            if isinstance(e.operand, (ir.InputRef, ir.LocalRef)):
                return f"{self.operand_en(e.operand)}: no"
            return f"not ({self.cond_en(e.operand)})"
        if isinstance(e, ir.Call) and e.func in ("all", "any") and len(e.args) == 1:
            return f"{'all of' if e.func == 'all' else 'at least one of'} {self.operand_en(e.args[0])} met"
        if isinstance(e, ir.Call) and e.func == "item":
            k = int(e.args[1].value)
            return f"item {k + 1} of {self.operand_en(e.args[0])} ({e.args[0].type.members[k]}) met"
        return self.operand_en(e)

    def condition_en(self, c: ir.Expr, taken: bool) -> list[str]:
        """A 如果's condition as a finding, as the Chinese says it: what holds."""
        if taken:
            return [self.cond_en(c)]
        if isinstance(c, ir.Compare) and len(c.ops) == 1:
            neg = ir.Compare(c.operands, [_NEGATE[c.ops[0]]], type=c.type, span=c.span)
            return [self.cond_en(neg)]
        return [f"not the case that {self.cond_en(c)}"]

    def tier_en(self, e: ir.Tiers, hit: int, w) -> list[str]:
        """The tier that applies, worded as the table words its range."""
        conds = w.tier_conds(e, "en", cond=self.cond_en)
        cond: Optional[str] = conds[hit]
        if cond is None and e.subject is None and hit == 1 and e.rows[0].kind == "cond":
            return self.condition_en(e.rows[0].key, False)
        if cond is None:
            return ["none of the tiers above applies"]
        if cond.startswith("otherwise "):
            cond = cond[len("otherwise "):]
        if e.subject is not None and (e.subject.type.kind == "enum" or w._checklist_of(e.subject) is not None):
            return []                  # the figures say it: 社会效益评价: 较显著, 要点: 7 of 8 points met
        if e.subject is None:
            return [cond]
        return [f"in the tier {cond}"]
