"""The original 评分标准 wording against the rule: W0407.

A rulebook keeps the published table's wording (``评分标准 "…"``) beside the rule it
applies; when the rule changes and the wording does not, the published table says one
thing and the score another (the text still says 9分 after the rule was changed to 7).
This pass reads the numbers the wording gives — points (``3分``), thresholds (``90%``) and
steps (``0.1个百分点``) — and warns about each one that the rule (its constants, the
indicator's points and those of its 子项) does not contain. Numbers written as words
(符合其中七项) and bare factors (×10) are not read.
"""
from __future__ import annotations

import re
from decimal import Decimal

from .. import ast, ir
from ..diagnostics import Label, make, tr
from ..ir import fmt_decimal

# a number and what it measures: 分 (points), % (a threshold), 个百分点 (a step)
_NUMBER = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(个百分点|百分点|％|%|分)(?!值|数|档|项|别)")
_FULLWIDTH = str.maketrans("０１２３４５６７８９．", "0123456789.")


def wording_numbers(text: str) -> list[tuple[str, Decimal, str]]:
    """(as written, value, kind) of each number of the wording; kind 分 | % | pp."""
    out = []
    for m in _NUMBER.finditer(text.translate(_FULLWIDTH)):
        v = Decimal(m.group(1))
        unit = m.group(2)
        if unit == "分":
            # 得分 / 扣分 / 分值 are words, not numbers; 0.5分 is points
            out.append((m.group(0), v, "分"))
        elif unit in ("%", "％"):
            out.append((m.group(0), v / 100, "%"))
        else:
            out.append((m.group(0), v / 1000 * 10, "pp"))
    return out


def _factors(e: ir.Expr) -> list:
    """The constant factors of a product: X × 4 × 10 -> [4, 10]."""
    if isinstance(e, ir.BinOp) and e.op == "*":
        return _factors(e.left) + _factors(e.right)
    if isinstance(e, ir.Const) and isinstance(e.value, Decimal):
        return [e.value]
    return []


def _roles(score: ir.Expr):
    """Each constant of a score and the role it plays there: ``"points"`` (a score, a
    deduction, a factor of one), ``"threshold"`` (a tier's key, a side of a comparison, what
    a condition counts), ``"step"`` (what a difference is divided by: 每0.1个百分点) —
    through the locals it reads. A threshold in 分 (a tier over
    another score) is both: the wording says 8分 for it."""
    stack, seen = [(score, "points")], set()
    while stack:
        x, role = stack.pop()
        if x is None:
            continue
        yield x, role
        if isinstance(x, ir.LocalRef):
            if (id(x.local), role) not in seen:
                seen.add((id(x.local), role))
                stack.append((x.local.expr, role))
            continue
        if isinstance(x, ir.Tiers):
            if x.subject is not None:
                stack.append((x.subject, "threshold"))
            for r in x.rows:
                if r.key is not None:
                    stack.append((r.key, "threshold"))
                stack.append((r.value, role))
            continue
        if isinstance(x, ir.If):
            stack += [(x.cond, "threshold"), (x.then, role), (x.else_, role)]
            continue
        if isinstance(x, ir.Aggregate):
            stack += [(x.items, "threshold"), (x.cond, "threshold"), (x.value, role), (x.default, role)]
            continue
        if isinstance(x, ir.BinOp) and x.op == "/" and role == "points":
            # 差额 / 步长 × 每步扣分: the divisor is a step (0.1个百分点, 每2项), not points
            stack += [(x.left, role), (x.right, "step")]
            continue
        inner = "threshold" if isinstance(x, (ir.Compare, ir.Logic, ir.Not)) else role
        stack.extend((c, inner) for c in ir.children(x))


def rule_numbers(ind: ir.Indicator, prog: ir.Program) -> tuple[set, set, set]:
    """The numbers the rule of ``ind`` (and of its 子项) states, by role: the points it gives
    (its constants in a score's place, through its locals and the methods it calls, the
    points, the precision, 0; where a rate is multiplied by constants, the rate at which
    that reaches a stated number: 扣分值 = 变动率 × 4 × 10 reaches 4 at 10%), every number
    it states (what a threshold, a rate or a step of the wording is read against), and the
    factors of its products. A tier's key is not a score: 符合其中七项（8分） is wrong
    where the rule gives 6 for 7项 even when 8项 is another tier's key."""
    nums = {Decimal(0), Decimal(1), ind.points, prog.precision}
    products, thresholds, others = set(), set(), set()
    stack = [ind]
    scores = []
    while stack:
        n = stack.pop()
        nums.add(n.points)
        if n.score is not None:
            scores.append(n.score)
        if n.rows is not None:
            for m in n.rows.methods.values():
                scores.extend(r.score for r in m.roots if r.score is not None)
        stack.extend(n.children)
    for score in scores:
        for x, role in _roles(score):
            if isinstance(x, ir.BinOp) and x.op == "*" and role == "points":
                f = _factors(x)
                if f:
                    k = Decimal(1)
                    for v in f:
                        k *= v
                    products.add(k)
            if isinstance(x, ir.Const) and isinstance(x.value, Decimal) and not isinstance(x.value, bool):
                # a count (8项) or an amount is not points: only plain numbers say 分
                unit = x.type.unit if x.type.kind == "num" else None
                # a rate (10%) or a step (0.1个百分点) is never points, wherever it stands
                if role != "points" and unit != "分" or unit in ("%", "pp"):
                    thresholds.add(x.value)
                else:
                    (nums if unit in (None, "分") else others).add(x.value)
            if isinstance(x, ir.Clamp) and x.bound is not None and isinstance(x.bound, ir.Const):
                nums.add(x.bound.value)
            if isinstance(x, ir.Rated):
                nums.update({x.lo.value, x.hi.value})
        for inp in ir.inputs_read(score):
            nums.update(w for w in inp.type.weights if isinstance(w, Decimal))
    nums.update(v / k for v in list(nums) for k in products if k)
    rates = {v.normalize() for v in nums | others | thresholds}
    # a score a constant tier or branch gives, minus the points: 扣1分 where the rule gives P - 1
    pts = set(nums)
    nums.update(ind.points - v for v in pts if isinstance(v, Decimal) and v <= ind.points)
    return {v.normalize() for v in nums}, rates, products


def check_wording(prog: ir.Program) -> list:
    diags = []
    for ind in prog.walk():
        if not ind.criteria or ind.broken or (ind.score is None and not ind.children):
            continue
        spans = [st.span for st in getattr(ind.node, "body", ()) if isinstance(st, ast.Doc) and st.kind == "criteria"]
        if not spans:
            continue
        points, rates, products = rule_numbers(ind, prog)
        said = wording_numbers(ind.criteria)
        # 每增长1%扣0.4分 where the rule multiplies the rate by 40
        points = points | {(k * r).normalize() for k in products for _w, r, kind in said if kind != "分"}
        missing = []
        for written, v, kind in said:
            if v.normalize() not in (points if kind == "分" else rates) and written not in missing:
                missing.append(written)
        if missing:
            got = "、".join(missing)
            diags.append(make("W0407", [Label(spans[0], tr(f"规则中没有{got}", f"the rule has no {', '.join(missing)}"))],
                              helps=[tr("按规则改正原评分标准的文字，或按原文改正规则；确属原表写法的，用“# jixiao: 忽略 W0407 原因”说明",
                                        "correct the wording to the rule, or the rule to the wording; where the published table "
                                        "really says so, suppress it with `# jixiao: 忽略 W0407 reason`")],
                              name=ind.name, numbers=got, numbers_en=", ".join(missing)))
    return diags
