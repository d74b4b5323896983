"""评分依据: every score explained in words (the audit of claimed scores is audit.py, the
figures in words figures.py).

Built from the trace of an evaluation and the checked IR: the inputs an indicator reads
(with their units), each intermediate value with its formula, the tier or branch taken,
any clamp (扣完为止, 不加分), not-applicable and assessed scores, then the score out of
the indicator's points. Chinese by default, English with ``lang="en"``.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

import attrs

from ...dsl import ir
from ...dsl.checks.attain import attainable, can_round_to, describe_set
from ...dsl.checks.grades import graded_total
from ...dsl.ir import fmt_decimal

from ..api import CompiledRulebook, Result
from .figures import _aggregate_text, _items_text, _num, _value, every_records, substitute, subtotal_value  # noqa: F401  (used beside explain)
from .printer import CMP


def _inputs_read(ind: ir.Indicator) -> list[ir.Input]:
    """The inputs an indicator's rule reads (through its locals), in declaration order
    (its pick, 评定得分, is said where the rule takes it)."""
    if ind.score is None:
        return []
    return [i for i in ir.inputs_read(ind.score) if i.rated_of is None]


def _picked(r, band: Optional[ir.Rated], lang: str) -> str:
    """评价组评定8.5分（理由） — the evaluator's pick, in its band."""
    zh = lang == "zh"
    shown = fmt_decimal(r.pick) if r.pick is not None else "?"
    note = r.pick_note
    if zh:
        return f"评价组评定{shown}分" + (f"（{note}）" if note else "")
    return f"the evaluators gave {shown}" + (f" ({note})" if note else "")


def _band(e: ir.Rated) -> str:
    return e.band()


def _aggregate_at(score: ir.Expr, t) -> Optional[ir.Aggregate]:
    """The IR aggregate a trace event points at (by its source line and text)."""
    want = " ".join((t.name or "").split())
    for x in ir.walk(score, into_locals=True):
        if isinstance(x, ir.Aggregate) and x.span is not None and x.span.line == t.line \
                and " ".join(x.span.text().split()) == want:
            return x
    return None


def _src(span) -> str:
    return " ".join(span.text().split()) if span is not None else "?"


def _tier_row(score: ir.Expr, t) -> Optional[ir.TierRow]:
    """The IR tier row the trace event points at (by its source line and text)."""
    want = " ".join((t.name or "").split())
    stack = [score]
    while stack:
        e = stack.pop()
        if isinstance(e, ir.Tiers):
            for r in e.rows:
                if r.span is not None and r.span.line == t.line and " ".join(r.span.text().split()) == want:
                    return r
        stack.extend(ir.children(e))
    return None


def _if_branch(score: ir.Expr, t) -> Optional[ir.Expr]:
    """The IR of the branch of the 如果 the trace event points at (by its source line and text)."""
    want = " ".join((t.name or "").split())
    stack = [score]
    while stack:
        e = stack.pop()
        if isinstance(e, ir.If) and e.span is not None and e.span.line == t.line \
                and " ".join(e.span.text().split()) == want:
            return e.then if t.before else e.else_
        stack.extend(ir.children(e))
    return None


def _shows_arithmetic(e: Optional[ir.Expr]) -> bool:
    """Is ``e`` a value worth its own ``formula = values = result`` (not a constant, not
    不适用, not a branch or table that is explained by its own events)?"""
    while isinstance(e, ir.Clamp):
        e = e.operand
    return e is not None and not isinstance(e, (ir.Const, ir.NotApplicable, ir.If, ir.Tiers, ir.Rated, ir.Unscorable))


def _tier_value(score: ir.Expr, t) -> Optional[ir.Expr]:
    """The IR of the tier row's value the trace event points at."""
    r = _tier_row(score, t)
    return r.value if r is not None else None


def _formula(e: ir.Expr, known: dict, clamps, value, lang: str) -> str:
    """``3 - 超编人数 × 0.1 = 3 - 32 × 0.1 = -0.2`` (the value before any clamp)."""
    inner = e
    origin = e.origin
    while isinstance(inner, ir.Clamp) or (isinstance(inner, ir.Call) and inner.func == "require"):
        inner = inner.operand if isinstance(inner, ir.Clamp) else inner.args[2]
        origin = origin or inner.origin
    # a method's expansion is shown as the call written in the rule: 完成比率法(执行率, 100%, 10)
    src = origin.text() if origin is not None else _src(inner.span)
    sub = substitute(inner, known, lang)
    raw = clamps[-1].before if clamps else value
    shown = _short(raw) if isinstance(raw, Decimal) else str(raw)
    if src == sub:
        return f"{src} = {shown}"
    return f"{src} = {sub} = {shown}"


@attrs.frozen
class Explanation:
    path: tuple[str, ...]
    points: Decimal
    score: Decimal
    text: str
    claimed: Optional[Decimal] = None
    claim_attainable: Optional[bool] = None
    attainable_text: str = ""
    assessed: bool = False
    computed: Optional[Decimal] = None      # assessed: what the rule gives (None: not computable)
    note: str = ""                          # assessed: its reason
    reason: str = ""                        # 评分依据 in a reviewer's sentences (``text`` is the trace)


def explain(rb: CompiledRulebook, result: Result, lang: str = "zh",
            assessed_notes: Optional[dict] = None) -> list[Explanation]:
    """One explanation per leaf indicator (and per composite, as the sum of its parts)."""
    prog = rb.program
    locals_ = list(prog.globals) + [l for ind in prog.walk() for l in ind.locals]
    by_path = {"/".join(i.path): i for i in prog.walk()}
    rows = {"/".join(r.path): r for r in result.indicators}
    values = dict(result.inputs)
    events: dict[str, list] = {}
    for t in result.trace:
        events.setdefault(t.indicator, []).append(t)
    out = []
    from .reasons import Reasoner
    says = Reasoner(rb, result, lang)
    for path, ind in by_path.items():
        r = rows[path]
        extra: list[Explanation] = []
        parts_formula = None
        parts: list[str] = []
        zh = lang == "zh"
        if ind.rows is not None:
            kids = [x for x in result.indicators if x.level == "row" and x.path[:-1] == ind.path]
            listing = "、".join(f"{x.name}{fmt_decimal(x.score)}分" for x in kids) if zh else \
                ", ".join(f"{x.name} {fmt_decimal(x.score)}" for x in kids)
            out_ = [x for x in kids if not x.applicable]
            if out_ and ind.rows.na_policy == "exclude":
                # 剔除: the rows that apply, rescaled to the indicator's points
                app = [x for x in kids if x.applicable]
                got, pts = sum((x.score for x in app), Decimal(0)), sum((x.points for x in app), Decimal(0))
                listing = "、".join(f"{x.name}{fmt_decimal(x.score)}分" for x in app) if zh else \
                    ", ".join(f"{x.name} {fmt_decimal(x.score)}" for x in app)
                gone = "、".join(x.name for x in out_) if zh else ", ".join(x.name for x in out_)
                parts.append(f"{gone}不适用，剔除；其余各行得分{listing}，合计{fmt_decimal(got)}分（分值{fmt_decimal(pts)}分），"
                             f"按分值折算：{fmt_decimal(got)} × {fmt_decimal(ind.points)} ÷ {fmt_decimal(pts)}" if zh else
                             f"{gone} not applicable, excluded; the other rows {listing}, {fmt_decimal(got)} of "
                             f"{fmt_decimal(pts)}, rescaled: {fmt_decimal(got)} × {fmt_decimal(ind.points)} ÷ {fmt_decimal(pts)}")
            else:
                parts.append(f"由各行得分相加：{listing}" if zh else f"sum of its rows: {listing}")
            for x in kids:
                extra.append(_row_explanation(rb, ind.rows, x, lang))
        elif ind.score is None:
            kids = "、".join(f"{c.name}{fmt_decimal(rows['/'.join(c.path)].score)}分" for c in ind.ordinary) if zh else \
                ", ".join(f"{c.name} {fmt_decimal(rows['/'.join(c.path)].score)}" for c in ind.ordinary)
            parts.append(f"由{kids}相加" if zh else f"sum of {kids}")
            parts.extend(_adjustments([c for c in ind.children if c.adjusts], rows, lang))
        elif r.assessed and r.computed is None:
            pass                  # the rule could not be computed for this case: said below
        else:
            ins = []
            for inp in _inputs_read(ind):
                v = values.get(inp.name)
                if v is None:
                    continue          # a conditional input this case leaves out (or one it need not give)
                if inp.kind == "checklist" and isinstance(v, tuple):
                    ins.append(_checklist_text(inp, v, result.evidence.get(inp.name, ()), lang))
                else:
                    ins.append(f"{inp.name}{_value(v, inp.type, lang)}" if zh else f"{inp.name} = {_value(v, inp.type, lang)}")
            if ins:
                parts.append(("，" if zh else ", ").join(ins))
            evs = events.get(path, [])
            known = {("input", i.index): values.get(i.name) for i in prog.inputs}
            known.update({("score", n.index): rows["/".join(n.path)].score for n in prog.walk()})
            for t in evs:
                if t.kind == "let":
                    known[("local", id(locals_[t.before]))] = t.value
                elif t.kind == "agg":
                    known[("agg", t.line, " ".join((t.name or "").split()))] = t.value
            clamps = [t for t in evs if t.kind == "clamp" and t.value != t.before]
            order = {"let": 0, "agg": 0, "if": 1, "tier": 1, "clamp": 3}
            evs = sorted(evs, key=lambda t: order.get(t.kind, 2))
            # a branch or tier of the rule itself explains its own arithmetic (those of a
            # local's table do not)
            branched = any((t.kind == "tier" and _tier_row(ind.score, t) is not None)
                           or (t.kind == "if" and _if_branch(ind.score, t) is not None) for t in evs)
            summed = _children_sum(ind)
            if isinstance(ind.score, ir.Rated):
                parts.append((f"由评价组在{_band(ind.score)}内评定：" if zh else f"hand-scored within {_band(ind.score)}: ")
                             + _picked(r, ind.score, lang))
            elif summed is not None:
                # 合计 (or a 加分项's own children, capped by 最多 in its header): say it as a sum
                kids = [rows["/".join(c.path)] for c in ind.ordinary]
                head = ("由" + "、".join(f"{x.name}{fmt_decimal(x.score)}分" for x in kids) + "相加") if zh else \
                    "sum of " + ", ".join(f"{x.name} {fmt_decimal(x.score)}" for x in kids)
                value = subtotal_value(summed, known)
                parts.append(("，" if zh else ", ").join([head] + _adjustments([c for c in ind.children if c.adjusts], rows, lang)
                                                        + ([f"合计{fmt_decimal(value)}分" if zh else f"subtotal {fmt_decimal(value)}"]
                                                           if value is not None else [])))
            elif not branched and not isinstance(ind.score, ir.Const):
                # the value the formula gives, before the score is rounded to 精度
                scored = next((t for t in evs if t.kind == "score"), None)
                if r.assessed:        # the score event holds the assessed value: the rule's is kept apart
                    scored = None
                raw = clamps[-1].before if clamps else (scored.before if scored is not None else
                                                        r.computed if r.assessed else r.score)
                parts_formula = _formula(ind.score, known, clamps, raw, lang)
            for t in evs:
                if t.kind == "let":
                    loc = locals_[t.before]
                    formula = _src(loc.expr.span) if loc is not None and loc.expr.span else ""
                    if loc is not None and isinstance(loc.expr, ir.Tiers):
                        formula = ""          # a lookup table: its value says enough
                    shown = _value(t.value, loc.type if loc else None, lang)
                    if formula and loc is not None and any(x.type.kind == "date" for x in ir.walk(loc.expr)):
                        # a date's arithmetic with the dates themselves: 2024年7月3日 - 2024年6月30日
                        sub = substitute(loc.expr, known, lang)
                        formula = formula if sub == formula else f"{formula} = {sub}"
                    line = f"{t.name} = {formula} = {shown}" if formula and formula != shown else f"{t.name} = {shown}"
                    if line not in parts:          # computed again on a later row: said once
                        parts.append(line)
                elif t.kind == "tier":
                    row = t.name or ""
                    cond = row.partition(":")[0].strip()
                    value_expr = _tier_value(ind.score, t)
                    if isinstance(value_expr, ir.Rated):
                        # 属「≥ 90%」一档（8–9分），评价组评定8.5分
                        which = "「否则」" if cond in ("否则", "else") else f"「{cond}」"
                        parts.append((f"属{which}一档（{_band(value_expr)}），" if zh
                                      else f"in the tier {which} ({_band(value_expr)}); ") + _picked(r, value_expr, lang))
                        continue
                    if cond in ("否则", "else"):
                        parts.append("不满足以上各档，按「否则」" if zh else "no tier above applies, so `else`")
                    else:
                        row_ir = _tier_row(ind.score, t)
                        if row_ir is not None and row_ir.key is not None and row_ir.span.file.name != prog.source_name:
                            # a row of a library method: its bounds are parameters, show their values
                            key = substitute(row_ir.key, known, lang)
                            cond = f"{CMP[row_ir.op]} {key}" if row_ir.kind == "cmp" else key
                        parts.append(f"符合「{cond}」档" if zh else f"tier `{cond}` applies")
                    value_expr = _tier_value(ind.score, t)
                    if _shows_arithmetic(value_expr):
                        parts.append(_formula(value_expr, known, clamps, t.value, lang))
                elif t.kind == "agg":
                    a = _aggregate_at(ind.score, t)
                    if a is not None:
                        text = _aggregate_text(a, t, known, values, lang)
                        if text and text not in parts:
                            parts.append(text)
                elif t.kind == "if":
                    parts.append(("条件成立" if t.before else "条件不成立") if zh else ("the condition holds" if t.before else "the condition fails"))
                    branch = _if_branch(ind.score, t)
                    if isinstance(branch, ir.Rated):
                        parts.append((f"由评价组在{_band(branch)}内评定：" if zh else f"hand-scored within {_band(branch)}: ")
                                     + _picked(r, branch, lang))
                    elif _shows_arithmetic(branch):
                        parts.append(_formula(branch, known, clamps, t.value, lang))
                elif t.kind == "clamp":
                    if t.value != t.before:
                        word = _clamp_word(t.name)
                        if zh:
                            parts.append(f"{word}，取{fmt_decimal(t.value)}")
                        else:
                            parts.append(f"clamped ({word}) to {fmt_decimal(t.value)}")
                elif t.kind == "na":
                    policy = "计满分" if prog.na_policy == "full_points" else "剔除并按比例折算总分"
                    parts.append(f"本项不适用，按规则集「不适用 {policy}」处理" if zh else
                                 f"not applicable; the rulebook's policy: {'full points' if prog.na_policy == 'full_points' else 'excluded, total rescaled'}")
        if ind.score is not None and parts_formula:
            # the arithmetic comes after the values it uses, before the clamp
            k = next((i for i, p in enumerate(parts) if p.startswith(("扣完为止", "不加分", "最多", "最少", "clamped"))), len(parts))
            parts.insert(k, parts_formula)
            scored = None if r.assessed else next((t for t in events.get(path, []) if t.kind == "score"), None)
            if scored is not None and isinstance(scored.before, Decimal) and scored.before != r.score \
                    and not any(t.kind == "clamp" and t.value != t.before for t in events.get(path, [])):
                mode = {"half_up": ("四舍五入", "half up"), "half_even": ("银行家舍入", "half even"),
                        "down": ("截断", "truncated"), "up": ("进一", "rounded up")}[prog.rounding]
                p_ = fmt_decimal(prog.precision)
                parts.append(f"按精度{p_}{mode[0]}" if zh else f"rounded to {p_} ({mode[1]})")
        note = (assessed_notes or {}).get(path, "") or (r.note or "")
        said = None
        if ind.score is None and ind.rows is None:
            kids = [rows["/".join(c.path)] for c in ind.ordinary]
            listing = ("、" if zh else ", ").join(f"{x.name}{fmt_decimal(x.score)}分" if zh else f"{x.name} {fmt_decimal(x.score)}"
                                                   for x in kids)
            said = [("，" if zh else ", ").join([listing] + _adjustments([c for c in ind.children if c.adjusts], rows, lang))]
        if ind.score is not None and ind.rows is None and _children_sum(ind) is None and not (r.assessed and r.computed is None):
            body = says.reason(ind)
            said = [body] if body else []
        if r.assessed:
            parts = _assessed_parts(r, parts, note, ind.score is None, lang)
            if said is not None:
                said = _assessed_parts(r, said, note, False, lang)
        score_txt = _score_text(ind, r.score, lang)
        text = ("；".join(parts) + "；" + score_txt + "。") if zh else ("; ".join(parts) + "; " + score_txt + ".")
        reason = text if said is None else (("；".join(said) + "；" if said else "") + score_txt + ("。" if zh else ".")) if zh \
            else (("; ".join(said) + "; " if said else "") + score_txt + ".")
        claimed = r.claimed
        ok, att = None, ""
        if claimed is not None and ind.rows is None:
            sets = attainable(prog, ind)      # a parent: the sums its children can give
            ok = can_round_to(sets, claimed, prog.precision, prog.rounding)
            att = describe_set(sets)
        if ind.rows is not None:
            claimed = None
        out.append(Explanation(ind.path, ind.points, r.score, text, claimed, ok, att, r.assessed, r.computed,
                               note if r.assessed else "", reason))
        out.extend(extra)
    return out


def _assessed_parts(r, parts: list, note: str, summed: bool, lang: str) -> list:
    """认定得分27分（理由）；按规则：…，计30分；认定较规则 −3分 — the rule's working kept beside
    the assessed score."""
    zh = lang == "zh"
    head = (f"认定得分{fmt_decimal(r.score)}分" + (f"（{note}）" if note else "") if zh
            else f"assessed score {fmt_decimal(r.score)}" + (f" ({note})" if note else ""))
    if r.computed is None:
        return [head, "按规则无法计算（案例未给出规则所需的输入，或规则对此案例无法计分）" if zh
                else "the rule cannot be computed for this case (an input it reads is not given, or it cannot score it)"]
    working = ("，".join(parts) if zh else ", ".join(parts))
    rule = (("各子项" if summed else "按规则") + (f"：{working}，" if working else "") + f"计{fmt_decimal(r.computed)}分" if zh
            else ("the parts" if summed else "by the rule") + (f": {working};" if working else "") + f" it gives {fmt_decimal(r.computed)}")
    d = r.score - r.computed
    diff = (("认定与规则一致" if not d else f"认定较规则{_signed(d)}分") if zh
            else ("the same as the rule" if not d else f"{_signed(d)} against the rule"))
    return [head, rule, diff]


def _signed(d: Decimal) -> str:
    return ("+" if d > 0 else "−" if d < 0 else "") + fmt_decimal(abs(d))


def _children_sum(ind: ir.Indicator) -> Optional[ir.Expr]:
    """The sum of ``ind``'s children (合计, or a 加分项's capped children) that its rule
    holds with clamps, or None when the rule is something else."""
    e = ind.score
    while isinstance(e, ir.Clamp):
        e = e.operand
    return e if isinstance(e, ir.SubtotalRef) and e.indicator is ind else None


CLAMP_WORDS = {"扣完为止", "floor_zero", "不加分", "超出不加分", "capped", "最多", "at_most", "最少", "at_least"}


def _clamp_word(text: Optional[str]) -> str:
    """The clamp as written, from its source text: 扣完为止, 不加分, 最多3, 最多10分 (a 加分项's
    header cap)."""
    toks = (text or "").split()
    for k in range(len(toks) - 1, -1, -1):
        if toks[k] in CLAMP_WORDS:
            return "".join(toks[k:])
    return toks[-1] if toks else ""


def _score_text(ind: ir.Indicator, score: Decimal, lang: str) -> str:
    """得3分（满分3分）; a 加分项 加2分（最多加5分）, a 扣分项 扣1分（最多扣10分）."""
    s, p = fmt_decimal(score), fmt_decimal(ind.points)
    if lang == "zh":
        if ind.adjusts:
            verb = "加" if ind.kind == "bonus" else "扣"
            return f"{verb}{s}分（最多{verb}{p}分）"
        return f"得{s}分（满分{p}分）"
    if ind.adjusts:
        return f"{'adds' if ind.kind == 'bonus' else 'deducts'} {s} (at most {p})"
    return f"scores {s} of {p}"


def _adjustments(items, rows, lang: str) -> list[str]:
    """加表彰2分、扣违规1分: what the 加分项 and 扣分项 among ``items`` added and deducted."""
    out = []
    for c in items:
        v = fmt_decimal(rows["/".join(c.path)].score)
        if lang == "zh":
            out.append(f"{'加' if c.kind == 'bonus' else '扣'}{c.name}{v}分")
        else:
            out.append(f"{'plus' if c.kind == 'bonus' else 'minus'} {c.name} {v}")
    return out


def _checklist_text(inp: ir.Input, v: tuple, evidence: tuple, lang: str) -> str:
    """要点3项中符合2项（得3分，共4分），未符合：2.程序规范；佐证：1.见附件3 — the items, their
    points where the checklist weighs them, and the evidence the case gives."""
    zh = lang == "zh"
    w = inp.type.weights
    label = lambda k, m: f"{k + 1}.{m}" + (f"（{fmt_decimal(w[k])}分）" if w and zh else f" ({fmt_decimal(w[k])})" if w else "")
    unmet = [label(k, m) for k, (m, ok) in enumerate(zip(inp.members, v)) if not ok]
    met = sum(v)
    pts = ""
    if w:
        got = sum((x for x, ok in zip(w, v) if ok), Decimal(0))
        pts = (f"，符合的要点计{fmt_decimal(got)}分（共{fmt_decimal(sum(w, Decimal(0)))}分）" if zh
               else f", worth {fmt_decimal(got)} of {fmt_decimal(sum(w, Decimal(0)))} points")
    proof = [f"{k + 1}.{e}" for k, e in enumerate(evidence) if e]
    if zh:
        return (f"{inp.name}{len(v)}项中符合{met}项{pts}" + (f"，未符合：{'；'.join(unmet)}" if unmet else "")
                + (f"，佐证：{'；'.join(proof)}" if proof else ""))
    return (f"{inp.name}: {met} of {len(v)} points met{pts}" + (f"; not met: {'; '.join(unmet)}" if unmet else "")
            + (f"; evidence: {'; '.join(proof)}" if proof else ""))


def _row_explanation(rb: CompiledRulebook, part: ir.RowPart, row, lang: str) -> "Explanation":
    """A case-supplied row explained like an indicator: its method's rule run with a trace."""
    zh = lang == "zh"
    fields = dict(row.row or {})
    method = fields.get(part.method_field)
    sub = rb.row_methods.get((part.indicator.path, method))
    head = f"按「{method}」" if zh else f"by the method {method}"
    score_txt = (f"得{fmt_decimal(row.score)}分（满分{fmt_decimal(row.points)}分）" if zh
                 else f"scores {fmt_decimal(row.score)} of {fmt_decimal(row.points)}")
    body = said = ""
    if not row.applicable:
        policy = "计满分" if part.na_policy == "full_points" else "剔除，其余各行按分值折算"
        why = f"（{row.note}）" if row.note else ""
        text = (f"本行不适用{why}，按「不适用 {policy}」处理；得{fmt_decimal(row.score)}分（分值{fmt_decimal(row.points)}分）。" if zh
                else f"not applicable{(' (' + row.note + ')') if row.note else ''}; "
                     f"{'full points' if part.na_policy == 'full_points' else 'excluded, the other rows rescaled'}; "
                     f"scores {fmt_decimal(row.score)} of {fmt_decimal(row.points)}.")
        return Explanation(row.path, row.points, row.score, text, row.claimed, True if row.claimed is not None else None, "",
                           reason=text)
    if sub is not None:
        try:
            res = sub.evaluate({k: v for k, v in fields.items()}, trace=True)
            # values shown as the row gave them ("1%" for a plain number field, not 0.01)
            shown = {k: (fields[k] if isinstance(fields.get(k), str) and fields[k].endswith("%") else v)
                     for k, v in res.inputs.items()}
            sub_exp = explain(sub, attrs.evolve(res, inputs=shown), lang)[0]
            body = sub_exp.text.rsplit("；得" if zh else "; scores", 1)[0]
            said = sub_exp.reason.rsplit("；得" if zh else "; scores", 1)[0]
        except Exception:       # the row was scored already; an explanation is never worth a crash
            body = said = ""
    if row.assessed:
        note = row.note or ""
        lead = (f"认定得分{fmt_decimal(row.score)}分" + (f"（{note}）" if note else "") if zh
                else f"assessed score {fmt_decimal(row.score)}" + (f" ({note})" if note else ""))
        if row.computed is None:
            body = lead + ("；按规则无法计算" if zh else "; the method cannot be computed")
        else:
            d = row.score - row.computed
            body = lead + (f"；{head}计算为{fmt_decimal(row.computed)}分" + ("" if not d else f"，认定较规则{_signed(d)}分") if zh
                           else f"; {head} {fmt_decimal(row.computed)}" + ("" if not d else f", {_signed(d)} against the rule"))
        head = ""
        said = body

    def sentence(body):
        return (head + ("：" if zh and head else ": " if head else "") + body + ("；" if zh else "; ") + score_txt
                + ("。" if zh else ".")) if body else head + ("，" if zh else ", ") + score_txt + ("。" if zh else ".")
    text = sentence(body)
    # a row's claim is compared with its score (its attainable set is not computed)
    ok = True if row.claimed is not None else None
    return Explanation(row.path, row.points, row.score, text, row.claimed, ok, "", row.assessed, row.computed,
                       row.note or "" if row.assessed else "", sentence(said))


def explain_total(rb: CompiledRulebook, result: Result, lang: str = "zh") -> str:
    """总分 in words: the top-level scores added up, the top-level 加分项 added and 扣分项
    deducted, and how ``总分 = 合计 …`` held them."""
    prog = rb.program
    zh = lang == "zh"
    rows = {"/".join(r.path): r for r in result.indicators}
    roots = [rows["/".join(n.path)] for n in prog.roots if not n.adjusts]
    if zh:
        parts = ["由" + "、".join(f"{x.name}{fmt_decimal(x.score)}分" for x in roots) + "相加"]
    else:
        parts = ["sum of " + ", ".join(f"{x.name} {fmt_decimal(x.score)}" for x in roots)]
    parts.extend(_adjustments([n for n in prog.roots if n.adjusts], rows, lang))
    if prog.total_rule is not None and result.subtotal is not None:
        parts.append(f"合计{fmt_decimal(result.subtotal)}分" if zh else f"subtotal {fmt_decimal(result.subtotal)}")
        for t in result.trace:
            if t.kind == "clamp" and t.indicator == "" and t.value != t.before:
                word = _clamp_word(t.name)
                parts.append(f"{word}，取{fmt_decimal(t.value)}" if zh else f"held ({word}) to {fmt_decimal(t.value)}")
    if zh:
        return "，".join(parts) + f"，总分{fmt_decimal(result.total)}分（满分{fmt_decimal(prog.total)}分）。"
    return ", ".join(parts) + f": total {fmt_decimal(result.total)} of {fmt_decimal(prog.total)}."


def explain_grade(rb: CompiledRulebook, result: Result, lang: str = "zh") -> str:
    """The grade in words: the band the total falls in (the whole-number total under
    按取整总分), then each 否决 that held: 存在重大违规，等级最高为良好（按总分95分应为优秀）."""
    from .criteria import band_text
    prog = rb.program
    zh = lang == "zh"
    total = fmt_decimal(result.total)
    vetoes = [t for t in result.trace if t.kind == "veto"]
    band_grade = vetoes[0].before if vetoes else result.grade
    head = f"总分{total}分" if zh else f"total {total}"
    if prog.grade_on == "integer":
        whole = fmt_decimal(graded_total(prog, result.total))
        head += f"，取整为{whole}分" if zh else f", rounded to {whole}"
        total = whole
    if not vetoes:
        band = next((b for b in prog.grades if b.name == result.grade), None)
        where = band_text(band.cond) if band is not None else ""
        return (f"{head}，在「{where}」之内，评价结果为{result.grade}。" if zh
                else f"{head}, within `{where}`: the grade is {result.grade}.")
    parts = []
    for k, t in enumerate(vetoes):
        v = rb.veto_of(t)
        cond = " ".join(v.cond.span.text().split()) if v is not None and v.cond.span is not None else (t.name or "")
        cap = v is not None and v.cap
        if zh:
            what = f"等级最高为{v.grade}" if cap else f"等级定为{t.value}"
            why = f"（按总分{total}分应为{band_grade}）" if k == 0 and t.value != t.before else ""
            parts.append(f"{cond}，{what}{why}" + ("（不变）" if t.value == t.before else ""))
        else:
            what = f"at best {v.grade}" if cap else f"the grade is set to {t.value}"
            why = f" ({band_grade} by the total of {total})" if k == 0 and t.value != t.before else ""
            parts.append(f"{cond}: {what}{why}" + (" (unchanged)" if t.value == t.before else ""))
    if zh:
        return f"{head}；" + "；".join(parts) + f"；评价结果为{result.grade}。"
    return f"{head}; " + "; ".join(parts) + f"; the grade is {result.grade}."


# ───────────── the trace, one line per event (test failures, property counterexamples) ─────────────

def trace_lines(events, path: str) -> list[str]:
    """The trace events of one indicator (path "a/b/c"), one readable line each."""
    lines = []
    for t in events:
        if t.indicator != path:
            continue
        if t.kind == "let":
            lines.append(f"{t.name} = {_short(t.value)}")
        elif t.kind == "tier":
            lines.append(f"分档取第{t.before + 1}行 / tier row {t.before + 1}: {' '.join((t.name or '').split())} → {_short(t.value)}")
        elif t.kind == "if":
            lines.append(f"条件{'成立' if t.before else '不成立'} / condition {'holds' if t.before else 'fails'} → {_short(t.value)}")
        elif t.kind == "clamp":
            lines.append(f"{' '.join((t.name or '').split())}: {_short(t.before)} → {_short(t.value)}")
        elif t.kind == "score":
            lines.append(f"得分 / score {_short(t.before)} → {_short(t.value)}")
        elif t.kind == "sum":
            lines.append(f"小计 / subtotal {_short(t.value)}")
        elif t.kind == "na":
            lines.append(f"不适用 / not applicable → {_short(t.value)}")
        elif t.kind == "override":
            rule = _short(t.before) if t.before is not None else "无法计算 / not computable"
            lines.append(f"认定得分 / assessed {_short(t.value)}（规则 / rule {rule}）")
    return lines


def _short(v) -> str:
    """A traced value, exact but short: long quotients to 6 decimals."""
    if isinstance(v, Decimal):
        if v == v.to_integral_value() or len(v.as_tuple().digits) < 12:
            return fmt_decimal(v)
        return fmt_decimal(v.quantize(Decimal("0.000001")))
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, tuple):
        return "[" + ", ".join(_short(x) for x in v) + "]"
    return str(v)
