"""Plain-text and JSON renderings of a result (the 评分表 as a table)."""
from __future__ import annotations

import json

from ...dsl.ir import fmt_decimal
from ...dsl.source import display_width

from ..api import Result

LEVEL_ZH = {"level1": "一级指标", "level2": "二级指标", "level3": "三级指标", "item": "子项"}


def _pad(text: str, width: int, right: bool = False) -> str:
    gap = max(0, width - display_width(text))
    return (" " * gap + text) if right else (text + " " * gap)


def score_table(result: Result, title: str = "", case_title: str = "") -> str:
    has_claims = result.claimed_total is not None or any(r.claimed is not None for r in result.indicators)
    rows = []
    for r in result.indicators:
        depth = len(r.path) - 1
        label = "  " * depth + r.name
        score = fmt_decimal(r.score)
        points = fmt_decimal(r.points)
        if r.kind != "score":
            # a 加分项 / 扣分项: its amount with the sign it enters its parent (or 总分) with, its cap
            label += "（加分）" if r.kind == "bonus" else "（扣分）"
            score = ("+" if r.kind == "bonus" else "-") + score if r.score else score
            points = "≤" + points
        if not r.applicable:
            score += " 不适用"
        if r.assessed:
            score += " 认定"
        claimed = fmt_decimal(r.claimed) if r.claimed is not None else ""
        mark = "≠" if r.differs else ""
        rows.append((label, points, score, claimed, mark))
    top = [r for r in result.indicators if len(r.path) == 1]
    total_points = sum((r.points for r in top if r.kind == "score"), start=type(result.total)(0))
    footer = []
    adjusts = [r for r in top if r.kind != "score"]
    if adjusts or result.subtotal is not None:
        # 小计: the 一级指标 (rescaled under 剔除); 合计: with the top-level bonus and penalty
        subtotal = result.subtotal if result.subtotal is not None else result.total
        base = subtotal - sum((r.score if r.kind == "bonus" else -r.score for r in adjusts), start=type(result.total)(0))
        footer.append(("小计 / subtotal", fmt_decimal(total_points), fmt_decimal(base), "", ""))
        if result.subtotal is not None:
            footer.append(("合计 / with bonus and penalty", "", fmt_decimal(result.subtotal), "", ""))
    rows.extend(footer)
    rows.append(("总分 / total", fmt_decimal(total_points), fmt_decimal(result.total),
                 fmt_decimal(result.claimed_total) if result.claimed_total is not None else "",
                 "≠" if result.claimed_total is not None and result.claimed_total != result.total else ""))
    rows.append(("等级 / grade", "", result.grade, "", ""))
    head = ("指标 / indicator", "分值", "得分", "自评" if has_claims else "", "")
    widths = [max(display_width(x[i]) for x in rows + [head]) for i in range(5)]
    out = []
    if title:
        out.append(title)
    if case_title:
        out.append(f"案例 / case: {case_title}")
    if out:
        out.append("")

    def line(cells):
        parts = [_pad(cells[0], widths[0]), _pad(cells[1], widths[1], True), _pad(cells[2], max(widths[2], 4), True)]
        if has_claims:
            parts.append(_pad(cells[3], max(widths[3], 4), True))
            parts.append(cells[4])
        return "  ".join(parts).rstrip()

    out.append(line(head))
    out.append("─" * (sum(widths[:4]) + 8))
    tail = 2 + len(footer)
    for row in rows[:-tail]:
        out.append(line(row))
    out.append("─" * (sum(widths[:4]) + 8))
    for row in rows[-tail:]:
        out.append(line(row))
    # every claim that differs: leaves, parents and 总分
    diffs = [("/".join(r.path), r.score, r.claimed) for r in result.indicators if r.differs]
    if result.claimed_total is not None and result.claimed_total != result.total:
        diffs.append(("总分", result.total, result.claimed_total))
    if diffs:
        out.append("")
        out.append(f"与自评不一致 {len(diffs)} 项 / {len(diffs)} differ from the claimed scores:")
        assessed_paths = {"/".join(r.path) for r in result.indicators if r.assessed}
        for path, score, claimed in diffs:
            out.append(f"  {path}: {'认定' if path in assessed_paths else '计算'} {fmt_decimal(score)}，自评 {fmt_decimal(claimed)}")
    assessed = [r for r in result.indicators if r.assessed]
    if assessed:
        # the rule's score is kept beside each assessed one (规则 / 认定 / 差)
        out.append("")
        out.append("认定得分 / assessed scores（规则 → 认定）:")
        for r in assessed:
            rule = fmt_decimal(r.computed) if r.computed is not None else "无法计算 / not computable"
            diff = f"，差 {_signed(r.score - r.computed)}" if r.computed is not None else ""
            why = f"，理由：{r.note}" if r.note else ""
            out.append(f"  {'/'.join(r.path)}: 规则 {rule} → 认定 {fmt_decimal(r.score)}{diff}{why}")
    return "\n".join(out)


def _signed(d) -> str:
    return ("+" if d > 0 else "−" if d < 0 else "") + fmt_decimal(abs(d))


def result_json(result: Result) -> str:
    return json.dumps(result.to_dict(), ensure_ascii=False, indent=2)
