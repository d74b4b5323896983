"""The audit of a case's claims (jixiao explain --audit): every assessed score with the
rule's beside it (规则 / 认定 / 差 / 理由), every claim that differs from the score, and
every claim no input could produce under the rule; and its text."""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

import attrs

from ...dsl.checks.attain import can_round_to
from ...dsl.checks.intervals import Interval
from ...dsl.ir import fmt_decimal

from ..api import CompiledRulebook, Result
from .explain import _signed, explain, explain_total


@attrs.frozen
class AuditFinding:
    path: tuple[str, ...]
    computed: Optional[Decimal]          # the score by the rule (None: an assessed one it cannot compute)
    claimed: Optional[Decimal]
    attainable: bool
    attainable_text: str
    explanation: str
    assessed: Optional[Decimal] = None   # the assessed score (认定得分), if any
    note: str = ""                       # its reason


def audit(rb: CompiledRulebook, result: Result, lang: str = "zh", assessed_notes=None) -> list[AuditFinding]:
    """Every indicator (or row) with an assessed score — the rule's score beside it —,
    every one whose claimed score differs from its score, and every claim that no input
    could produce under the rule (even where it equals an assessed score)."""
    out = []
    for e in explain(rb, result, lang, assessed_notes):
        if e.assessed:
            claim_ok = e.claim_attainable if e.claim_attainable is not None else True
            out.append(AuditFinding(e.path, e.computed, e.claimed, claim_ok, e.attainable_text, e.text, e.score, e.note))
            continue
        if e.claimed is None or e.claim_attainable is None:
            continue
        if e.claimed != e.score or not e.claim_attainable:
            out.append(AuditFinding(e.path, e.score, e.claimed, e.claim_attainable, e.attainable_text, e.text))
    claimed = result.claimed_total
    if claimed is not None and claimed != result.total:
        lo, hi = rb.program.total_range()
        ok = can_round_to([Interval(lo, hi)], claimed, rb.program.precision, rb.program.rounding)
        out.append(AuditFinding(("总分",) if lang == "zh" else ("total",), result.total, claimed, ok,
                                f"[{fmt_decimal(lo)}, {fmt_decimal(hi)}]", explain_total(rb, result, lang)))
    return out


def format_audit(findings: list[AuditFinding], lang: str = "zh") -> str:
    if not findings:
        return "自评得分与计算结果一致 / every claimed score agrees with the rule"
    lines = []
    zh = lang == "zh"
    for f in findings:
        name = "/".join(f.path)
        if f.assessed is not None:
            # 规则 30 / 认定 27 / 差 −3 / 理由 … / 自评 …
            rule = fmt_decimal(f.computed) if f.computed is not None else ("无法计算" if zh else "not computable")
            cells = [f"规则 {rule}" if zh else f"rule {rule}", f"认定 {fmt_decimal(f.assessed)}" if zh else f"assessed {fmt_decimal(f.assessed)}"]
            if f.computed is not None:
                cells.append(("差 " if zh else "difference ") + _signed(f.assessed - f.computed))
            if f.note:
                cells.append(("理由 " if zh else "reason ") + f.note)
            if f.claimed is not None:
                cells.append(("自评 " if zh else "claimed ") + fmt_decimal(f.claimed))
            head = f"✎ {name}：" + " / ".join(cells) if zh else f"✎ {name}: " + " / ".join(cells)
            if not f.attainable:
                head += (f"；自评得分按规则不可能得到（可得分值：{f.attainable_text}）" if zh
                         else f"; the claim is unattainable under the rule (attainable: {f.attainable_text})")
        elif zh:
            head = f"✗ {name}：自评{fmt_decimal(f.claimed)}分，计算{fmt_decimal(f.computed)}分"
            if not f.attainable:
                head += f"；自评得分按规则不可能得到（可得分值：{f.attainable_text}）"
        else:
            head = f"✗ {name}: claimed {fmt_decimal(f.claimed)}, computed {fmt_decimal(f.computed)}"
            if not f.attainable:
                head += f"; the claim is unattainable under the rule (attainable: {f.attainable_text})"
        lines.append(head)
        lines.append(f"    {f.explanation}")
    n_assessed = sum(1 for f in findings if f.assessed is not None)
    n_diff = sum(1 for f in findings if f.claimed is not None and f.claimed != (f.assessed if f.assessed is not None else f.computed))
    n_imp = sum(1 for f in findings if not f.attainable)
    if n_assessed:
        lines.append(f"{len(findings)} 项需复核：{n_assessed} 项认定得分，{n_diff} 项与自评不一致，{n_imp} 项自评不可得 / "
                     f"{len(findings)} to review: {n_assessed} assessed, {n_diff} differ from the claim, {n_imp} unattainable claims")
    else:
        lines.append(f"{len(findings)} 项需复核：{n_diff} 项与计算不一致，{n_imp} 项自评不可得 / "
                     f"{len(findings)} to review: {n_diff} differ, {n_imp} unattainable claims")
    return "\n".join(lines)
