"""Publishing the 评分表: ``jixiao report`` (a case's scores) and ``jixiao doc`` (the rulebook).

Both render one table model in the layout of 附件2 — 一级指标 / 二级指标 / 三级指标
(each with its points), 指标解释说明, 评分标准, 得分 — to ``.xlsx`` (merged cells for
the hierarchy, A4 landscape), ``.html`` (self-contained, rowspans, prints on A4) or
``.md`` (a pipe table).

- The report adds 评分依据 (:func:`compiler.explain.explain`), the claimed scores
  (自评得分) with their differences, subtotals per 一级指标, the total and the grade
  with the 评价结果 boxes (☑ achieved, □ the others).
- The doc's 评分标准 column is generated from the rule by :func:`criteria_text`, so
  the published table cannot disagree with the rule applied; the rulebook's own
  wording (``评分标准 "…"``) is shown beside it as 原评分标准.

子项 (sub-scores of a composite indicator, e.g. 支付进度率's 半年进度 and 全年进度)
are folded into their indicator's row: the row's score is the indicator's (their sum),
and the 评分标准 and 评分依据 cells list each 子项 on its own line.
"""
from __future__ import annotations

import html
import math
import re
from decimal import Decimal
from pathlib import Path
from typing import Any, Optional

import attrs

from ..files import atomic_write
from .criteria import band_text, criteria_text, grade_boxes, points_text
from ...dsl import ir
from ...dsl.ir import fmt_decimal
from ...dsl.source import display_width

FORMATS = (".xlsx", ".html", ".md")

# ═══════════════════════════ the table model ═══════════════════════════

@attrs.define
class Column:
    key: str
    header: str
    width: float            # xlsx width (characters)
    pct: float              # html width (percent of the table)
    kind: str = "text"      # h (hierarchy), text, num
    group: Optional[str] = None   # a two-row header's upper cell (三级指标 over 指标名称/指标解释说明)


@attrs.define
class Row:
    kind: str                                  # indicator | subtotal | total | grade | note
    l1: Optional[ir.Indicator] = None
    l2: Optional[ir.Indicator] = None
    node: Optional[ir.Indicator] = None
    cells: dict = attrs.field(factory=dict)    # column key -> str | Decimal
    differs: bool = False
    unattainable: bool = False
    diff: Optional[Decimal] = None             # 得分 − 自评得分 (a number, for the workbook)


@attrs.define
class Table:
    title: str
    subtitle: str
    columns: list[Column]
    rows: list[Row]
    notes: list[str] = attrs.field(factory=list)
    summary: list[str] = attrs.field(factory=list)

    def col(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def has(self, key: str) -> bool:
        return any(c.key == key for c in self.columns)

    @property
    def indicator_rows(self) -> list[Row]:
        return [r for r in self.rows if r.kind == "indicator"]


def label(ind: Optional[ir.Indicator]) -> str:
    return f"{ind.name}（{points_text(ind.points)}分）" if ind is not None else ""


def row_nodes(program: ir.Program) -> list[tuple]:
    """(一级, 二级, node) for each row of the table: the 三级指标, with 子项 folded in."""
    out = []

    def visit(n, l1, l2):
        if n.level == "level1":
            l1, l2 = n, None
        elif n.level == "level2":
            l2 = n
        if n.level in ("level3", "item") or not n.children or all(c.level == "item" for c in n.children):
            out.append((l1, l2, n))
            return
        for c in n.children:
            visit(c, l1, l2)
    for r in program.roots:
        visit(r, None, None)
    return out


def _name_cell(l1, l2, node) -> str:
    return "" if node is l1 or node is l2 else label(node)


def _signed(d: Decimal) -> str:
    return ("+" if d > 0 else "") + fmt_decimal(d)


_HIER = [Column("l1", "一级指标", 11, 5, "h"), Column("l2", "二级指标", 15, 5.5, "h"),
         Column("name", "指标名称", 16, 7.5, "h", "三级指标")]


def report_table(rb, case, result, criteria: str = "rule", lang: str = "zh") -> Table:
    """The 评分表 of one case: scores, 评分依据, claimed scores and differences."""
    from .explain import explain
    prog = rb.program
    exps = {e.path: e for e in explain(rb, result, lang, getattr(case, "assessed_notes", None))}
    res = {r.path: r for r in result.indicators}
    has_claims = result.claimed_total is not None or any(r.claimed is not None for r in result.indicators)
    cols = list(_HIER) + [Column("doc", "指标解释说明", 34, 20.5, "text", "三级指标")]
    if criteria in ("rule", "both"):
        cols.append(Column("criteria", "评分标准", 32, 18 if criteria == "rule" else 14, "text"))
    if criteria in ("original", "both"):
        cols.append(Column("original", "原评分标准" if criteria == "both" else "评分标准", 28, 13, "text"))
    cols.append(Column("score", "得分", 7, 4.5, "num"))
    if has_claims:
        cols += [Column("claimed", "自评得分", 7, 4.5, "num"), Column("diff", "差异", 11, 6.5, "num")]
    used = sum(c.pct for c in cols)
    cols.append(Column("basis", "评分依据", 48, round(100 - used, 2), "text"))

    rows: list[Row] = []
    nodes = row_nodes(prog)
    for k, (l1, l2, n) in enumerate(nodes):
        r = res[n.path]
        e = exps.get(n.path)
        basis = e.text if e else ""
        for c in n.children:
            ce = exps.get(c.path)
            if ce is not None:
                basis += f"\n{c.name}：{ce.text}"
        flags = []
        if not r.applicable:
            flags.append("不适用")
        if r.assessed:
            flags.append("认定")
        if flags:
            basis = f"【{'，'.join(flags)}】" + basis
        row = Row("indicator", l1, l2, n, {
            "l1": label(l1), "l2": label(l2), "name": _name_cell(l1, l2, n), "doc": n.doc or "",
            "criteria": criteria_text(n, prog), "original": n.criteria or "", "score": r.score, "basis": basis})
        if r.claimed is not None:
            row.cells["claimed"] = r.claimed
            if r.claimed != r.score:
                row.differs = True
                row.diff = r.score - r.claimed
        if e is not None and e.claim_attainable is False:
            row.unattainable = True
        diff_text = _signed(row.diff) if row.diff is not None else ""
        if row.unattainable:
            diff_text = (diff_text + "\n" if diff_text else "") + f"自评不可得（可得分值：{e.attainable_text}）"
        row.cells["diff"] = diff_text
        rows.append(row)
        if n.rows is not None:
            rows.extend(_case_rows(n, result, exps))
        last_of_l1 = k + 1 == len(nodes) or nodes[k + 1][0] is not l1
        if l1 is not None and last_of_l1 and l1 is not n:
            r1 = res[l1.path]
            sub = Row("subtotal", l1, None, l1, {"l1": label(l1), "l2": f"{l1.name}小计", "score": r1.score,
                                                 "basis": exps[l1.path].text if l1.path in exps else ""})
            claims = [res[m.path].claimed for (a, _, m) in nodes if a is l1]
            if claims and None not in claims:
                ct = sum(claims, Decimal(0))
                sub.cells["claimed"] = ct
                if ct != r1.score:
                    sub.differs, sub.diff = True, r1.score - ct
                    sub.cells["diff"] = _signed(sub.diff)
            rows.append(sub)

    roots = [res[r.path] for r in prog.roots]
    total = Row("total", cells={"l1": f"合计（{points_text(prog.total)}分）", "score": result.total,
                                "basis": "由" + "、".join(f"{x.name}{fmt_decimal(x.score)}分" for x in roots)
                                         + f"相加，总分{fmt_decimal(result.total)}分（满分{points_text(prog.total)}分）。"})
    if prog.na_policy == "exclude" and any(not r.applicable for r in result.indicators):
        total.cells["basis"] += "不适用的指标已剔除，总分按比例折算。"
    claimed_grade = None
    if result.claimed_total is not None:
        total.cells["claimed"] = result.claimed_total
        if result.claimed_total != result.total:
            total.differs, total.diff = True, result.total - result.claimed_total
            total.cells["diff"] = _signed(total.diff)
        try:
            claimed_grade = rb.evaluator.grade_of(result.claimed_total)
        except Exception:   # a claimed total outside every band
            claimed_grade = None
    rows.append(total)
    band = next((b for b in prog.grades if b.name == result.grade), None)
    gbasis = f"总分{fmt_decimal(result.total)}分，在「{band_text(band.cond) if band else ''}」之内，评价结果为{result.grade}。"
    grade = Row("grade", cells={"l1": "评价结果", "doc": grade_boxes(prog, result.grade), "score": result.grade,
                                "basis": gbasis})
    if result.claimed_total is not None:
        grade.cells["claimed"] = claimed_grade or ""
        gbasis_c = f"自评总分{fmt_decimal(result.claimed_total)}分" + (f"，为{claimed_grade}" if claimed_grade else "") + "。"
        grade.cells["basis"] += gbasis_c
        if claimed_grade != result.grade:
            grade.differs = True
            grade.cells["diff"] = "等级不同"
    rows.append(grade)

    n_diff = sum(1 for r in rows if r.kind == "indicator" and r.differs)
    n_unatt = sum(1 for r in rows if r.kind == "indicator" and r.unattainable)
    summary = [f"总分 {fmt_decimal(result.total)} 分，评价结果：{result.grade}"]
    if has_claims:
        ct = f"自评总分 {fmt_decimal(result.claimed_total)} 分" + (f"（{claimed_grade}）" if claimed_grade else "") \
            if result.claimed_total is not None else "自评"
        summary.append(f"{ct}；与计算不一致 {n_diff} 项，自评不可得 {n_unatt} 项")
    notes = ["得分按规则集计算；评分依据由计算过程生成（jixiao explain）。"]
    if "criteria" in {c.key for c in cols}:
        notes.append("评分标准由规则生成（jixiao doc）" + ("，原评分标准为规则集所录原文。" if criteria == "both" else "。"))
    if has_claims:
        notes.append("差异 = 得分 − 自评得分；标色的行与自评不一致；“自评不可得”表示按规则任何输入都得不到该自评分值。")
    if any(n.children for (_, _, n) in nodes):
        notes.append("子项并入所属指标的一行：得分为各子项之和，评分标准和评分依据逐项列出子项。")
    sub = f"{case.title}" if getattr(case, "title", None) else ""
    sub += f"　　规则集：{prog.title}" + (f"（{prog.version}）" if prog.version else "")
    return Table(prog.title, sub.strip(), cols, rows, notes, summary)


def _case_rows(n: ir.Indicator, result, exps) -> list[Row]:
    """The rows a case supplied for ``n``, one table row each, under ``n``'s 一级/二级 cells:
    the row's title and points, its text fields as the 说明, its method, score and basis."""
    part = n.rows
    l1 = n if n.level == "level1" else n.parent if n.parent is not None and n.parent.level == "level1" else None
    l2 = n if n.level == "level2" else None
    out = []
    for r in (x for x in result.indicators if x.level == "row" and x.path[:-1] == n.path):
        fields = dict(r.row or {})
        texts = [str(fields[f.name]) for f in part.fields if f.kind == "text" and fields.get(f.name) not in (None, "")]
        e = exps.get(r.path)
        row = Row("indicator", l1, l2, n, {
            "l1": label(l1), "l2": label(l2), "name": f"{r.name}（{points_text(r.points)}分）", "doc": "；".join(texts),
            "criteria": f"{part.method_field}：{fields.get(part.method_field, '')}", "original": "",
            "score": r.score, "basis": e.text if e is not None else ""})
        if r.claimed is not None:
            row.cells["claimed"] = r.claimed
            if r.claimed != r.score:
                row.differs, row.diff = True, r.score - r.claimed
        row.cells["diff"] = _signed(row.diff) if row.diff is not None else ""
        out.append(row)
    return out


def doc_table(rb) -> Table:
    """The rulebook as the published 评分表: 评分标准 generated from each rule, the
    original wording beside it, an empty 得分 column."""
    prog = rb.program if hasattr(rb, "program") else rb
    cols = list(_HIER) + [Column("doc", "指标解释说明", 36, 26, "text", "三级指标"),
                          Column("criteria", "评分标准（按规则生成）", 40, 29, "text"),
                          Column("original", "原评分标准", 30, 21, "text"),
                          Column("score", "得分", 7, 6, "num")]
    rows = []
    nodes = row_nodes(prog)
    for l1, l2, n in nodes:
        rows.append(Row("indicator", l1, l2, n, {
            "l1": label(l1), "l2": label(l2), "name": _name_cell(l1, l2, n), "doc": n.doc or "",
            "criteria": criteria_text(n, prog), "original": n.criteria or "", "score": ""}))
    rows.append(Row("total", cells={"l1": f"合计（{points_text(prog.total)}分）", "score": ""}))
    rows.append(Row("grade", cells={"l1": "评价结果", "doc": grade_boxes(prog, None), "score": ""}))
    na = {"full_points": "不适用的指标计满分。", "exclude": "不适用的指标剔除，总分按比例折算。"}.get(prog.na_policy or "", "")
    rounding = {"half_up": "四舍五入", "half_even": "银行家舍入", "down": "截断", "up": "进一"}.get(prog.rounding, prog.rounding)
    grade_on = "按舍入后的总分定等级" if prog.grade_on == "rounded" else "按原始总分定等级"
    notes = ["评分标准由规则生成（jixiao doc），与计分所用的规则一致；原评分标准为规则集所录原文，供对照。",
             f"分数按 {fmt_decimal(prog.precision)} 分{rounding}后相加；{grade_on}。" + na]
    if any(n.children for (_, _, n) in nodes):
        notes.append("子项并入所属指标的一行，评分标准逐项列出子项。")
    sub = (f"版本 {prog.version}　　" if prog.version else "") + f"满分 {points_text(prog.total)} 分"
    return Table(prog.title, sub, cols, rows, notes)


def library_table(lib) -> Table:
    """A 方法库 as a reference table: each method, its parameters (with defaults), 说明 and
    评分标准, as written in the library."""
    from ...dsl import ast
    cols = [Column("name", "方法", 14, 12, "h"), Column("params", "参数", 24, 20, "text"),
            Column("doc", "说明", 50, 40, "text"), Column("criteria", "评分标准", 34, 28, "text")]
    rows = []
    for m in (it for it in lib.items if isinstance(it, ast.Method)):
        docs = {}
        for d in m.body:
            if isinstance(d, ast.Doc):
                docs[d.kind] = (docs[d.kind] + "\n" if d.kind in docs else "") + d.text
        params = "、".join(p.name.text + (f"（默认 {' '.join(p.default.span.text().split())}）" if p.default is not None else "")
                          for p in m.params)
        reqs = [r.message or r.cond.span.text() for r in m.body if isinstance(r, ast.Require)]
        doc = docs.get("doc", "") + ("\n要求：" + "；".join(reqs) if reqs else "")
        rows.append(Row("indicator", cells={"name": m.name.text, "params": params, "doc": doc,
                                            "criteria": docs.get("criteria", "")}))
    intro = [d.text for d in lib.items if isinstance(d, ast.Doc)]
    notes = ["在规则集中写「引用 \"文件名.jx\"」后即可调用，如 得分 = 完成比率法(覆盖率, 100%, 1)；调用在编译时展开，按实际参数检查单位、得分范围和除数。",
             "“要求”是参数须满足的条件：参数为常数时编译时检查，否则逐案例检查，不满足即报错（E0706），不会悄悄截断。"]
    return Table(lib.title, "；".join(intro), cols, rows, notes)


# ═══════════════════════════ renderers ═══════════════════════════

def _fmt(v: Any) -> str:
    if isinstance(v, Decimal):
        return fmt_decimal(v)
    return "" if v is None else str(v)


def _spans(rows: list[Row], key: str) -> dict[int, int]:
    """Row index -> rowspan for the first row of each run of a hierarchy column (l1, l2);
    later rows of a run map to 0 (covered)."""
    out = {}
    i = 0
    while i < len(rows):
        r = rows[i]
        owner = r.l1 if key == "l1" else r.l2
        if r.kind not in ("indicator", "subtotal") or owner is None or (key == "l2" and r.kind == "subtotal"):
            i += 1
            continue
        j = i + 1
        while j < len(rows) and rows[j].kind in ("indicator", "subtotal") and \
                (rows[j].l1 if key == "l1" else rows[j].l2) is owner and not (key == "l2" and rows[j].kind == "subtotal"):
            j += 1
        out[i] = j - i
        for k in range(i + 1, j):
            out[k] = 0
        i = j
    return out


def _row_layout(table: Table, row: Row) -> list[tuple[int, int, str]]:
    """(first column, last column, key) of the cells a non-indicator row shows; merged
    cells span several columns."""
    keys = [c.key for c in table.columns]
    if row.kind == "indicator" or "score" not in keys:
        return [(k, k, keys[k]) for k in range(len(keys))]
    s = keys.index("score")
    if row.kind == "subtotal":
        return [(1, s - 1, "l2")] + [(k, k, keys[k]) for k in range(s, len(keys))]
    if row.kind == "total":
        return [(0, s - 1, "l1")] + [(k, k, keys[k]) for k in range(s, len(keys))]
    if row.kind == "grade":
        return [(0, 2, "l1"), (3, s - 1, "doc")] + [(k, k, keys[k]) for k in range(s, len(keys))]
    return [(k, k, keys[k]) for k in range(len(keys))]


# ── xlsx ──

def render_xlsx(table: Table, path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

    wb = Workbook()
    ws = wb.active
    ws.title = "评分表"
    ncol = len(table.columns)
    last = get_column_letter(ncol)
    FONT = "宋体"
    thin = Side(style="thin", color="000000")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    head_fill = PatternFill("solid", fgColor="D9D9D9")
    sub_fill = PatternFill("solid", fgColor="F2F2F2")
    diff_fill = PatternFill("solid", fgColor="FCE4D6")
    top_left = Alignment(horizontal="left", vertical="top", wrap_text=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    ws.merge_cells(f"A1:{last}1")
    ws["A1"] = table.title
    ws["A1"].font = Font(name=FONT, size=16, bold=True)
    ws["A1"].alignment = center
    ws.row_dimensions[1].height = 28
    ws.merge_cells(f"A2:{last}2")
    ws["A2"] = table.subtitle + ("　　" + "；".join(table.summary) if table.summary else "")
    ws["A2"].font = Font(name=FONT, size=10)
    ws["A2"].alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    ws.row_dimensions[2].height = 20

    # header: two rows (三级指标 over 指标名称 / 指标解释说明, as in 附件2)
    H1, H2 = 3, 4
    for k, c in enumerate(table.columns, start=1):
        for r in (H1, H2):
            cell = ws.cell(r, k)
            cell.font = Font(name=FONT, size=10, bold=True)
            cell.fill = head_fill
            cell.alignment = center
            cell.border = border
        if c.group is None:
            ws.cell(H1, k, c.header)
            ws.merge_cells(start_row=H1, start_column=k, end_row=H2, end_column=k)
        else:
            ws.cell(H2, k, c.header)
    groups: dict[str, list[int]] = {}
    for k, c in enumerate(table.columns, start=1):
        if c.group:
            groups.setdefault(c.group, []).append(k)
    for g, ks in groups.items():
        ws.cell(H1, ks[0], g)
        ws.merge_cells(start_row=H1, start_column=ks[0], end_row=H1, end_column=ks[-1])
    for k, c in enumerate(table.columns, start=1):
        ws.column_dimensions[get_column_letter(k)].width = c.width

    first = H2 + 1
    spans = {key: _spans(table.rows, key) for key in ("l1", "l2")}
    heights: dict[int, float] = {}
    keys = [c.key for c in table.columns]

    def lines(text: str, width: float) -> int:
        return sum(max(1, math.ceil(display_width(t) / max(width - 1.5, 1))) for t in text.split("\n")) if text else 1

    for i, row in enumerate(table.rows):
        r = first + i
        strong = row.kind in ("subtotal", "total", "grade")
        for k in range(1, ncol + 1):
            cell = ws.cell(r, k)
            cell.border = border
            cell.font = Font(name=FONT, size=10, bold=strong and keys[k - 1] not in ("basis", "doc"))
            if row.kind != "indicator":
                cell.fill = sub_fill
        need = 1
        for (a, b, key) in _row_layout(table, row):
            col = table.columns[a]
            if row.kind in ("indicator", "subtotal") and key in ("l1", "l2") and a == table.col(key):
                span = spans[key].get(i)
                if span == 0:
                    continue
                if span and span > 1:
                    ws.merge_cells(start_row=r, start_column=a + 1, end_row=r + span - 1, end_column=a + 1)
            v = row.cells.get(key, "")
            cell = ws.cell(r, a + 1)
            if key == "diff" and row.diff is not None and not row.unattainable:
                cell.value = float(row.diff) if row.diff != row.diff.to_integral_value() else int(row.diff)
            elif isinstance(v, Decimal):
                cell.value = float(v) if v != v.to_integral_value() else int(v)
            else:
                cell.value = _fmt(v) or None
            if b > a:
                ws.merge_cells(start_row=r, start_column=a + 1, end_row=r, end_column=b + 1)
            kind = col.kind if a == b else ("h" if key in ("l1", "l2") else "text")
            if row.kind == "grade" and key == "doc":
                cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
            elif row.kind != "indicator" and key in ("l1", "l2"):
                cell.alignment = center
            elif key in ("l1", "l2") and spans[key].get(i, 1) > 1:
                # a block may run over pages: its label at the top, where the block starts
                cell.alignment = Alignment(horizontal="center", vertical="top", wrap_text=True)
            else:
                cell.alignment = center if kind in ("h", "num") else top_left
            if row.differs and key in ("score", "claimed", "diff"):
                cell.fill = diff_fill
            if key == "diff" and row.unattainable:
                cell.font = Font(name=FONT, size=10, bold=True, color="C00000")
            width = sum(table.columns[x].width for x in range(a, b + 1))
            span_rows = spans[key].get(i, 1) if key in ("l1", "l2") and row.kind == "indicator" else 1
            if span_rows <= 1:
                need = max(need, lines(_fmt(v), width))
        heights[r] = need
    for r, n in heights.items():
        ws.row_dimensions[r].height = min(409, 15 * n + 4)
    end = first + len(table.rows) - 1
    r = end + 1
    for note in table.notes:
        r += 1
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
        ws.cell(r, 1, note).font = Font(name=FONT, size=9)
        ws.cell(r, 1).alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)

    ws.freeze_panes = ws.cell(first, 1)
    ws.print_title_rows = f"{H1}:{H2}"
    ws.print_area = f"A1:{last}{r}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.horizontalCentered = True
    m = 12 / 25.4
    ws.page_margins.left = ws.page_margins.right = ws.page_margins.top = ws.page_margins.bottom = m
    ws.page_margins.header = ws.page_margins.footer = 0.2
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"
    wb.properties.title = table.title
    wb.properties.creator = "jixiao"
    _atomic(path, lambda tmp: wb.save(tmp))


# ── html ──

_CSS = """
@page { size: A4 landscape; margin: 12mm; }
* { box-sizing: border-box; }
html { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
body { margin: 0; color: #000; background: #fff; font-size: 9pt; line-height: 1.45;
  font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Hiragino Sans GB",
    "Microsoft YaHei", "WenQuanYi Micro Hei", "SimSun", "Songti SC", "Noto Serif CJK SC", sans-serif; }
@media screen { body { margin: 16px auto; padding: 0 16px; max-width: 1560px; } }
@media print { body { font-size: 8pt; } h1 { font-size: 14pt; } ul.notes { font-size: 7pt; } }
h1 { font-size: 16pt; text-align: center; margin: 0 0 4pt; }
p.sub { text-align: center; margin: 0 0 2pt; }
p.summary { text-align: center; margin: 0 0 8pt; font-weight: bold; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
thead { display: table-header-group; }
td:not(.h) { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.6pt solid #000; padding: 2pt 3pt; vertical-align: top; white-space: pre-line;
  overflow-wrap: anywhere; word-break: break-word; }
th { background: #d9d9d9; text-align: center; vertical-align: middle; font-weight: bold; }
td.h { text-align: center; vertical-align: middle; }
td.num { text-align: center; vertical-align: middle; white-space: pre-line; }
tr.total, tr.grade { break-before: avoid; page-break-before: avoid; }
tr.subtotal td, tr.total td, tr.grade td { background: #f2f2f2; font-weight: bold; }
tr.grade td.boxes { font-weight: normal; vertical-align: middle; }
td.diff { background: #fce4d6 !important; }
.unattainable { color: #c00000; font-weight: bold; }
.pts { white-space: nowrap; }
ul.notes { margin: 6pt 0 0; padding-left: 14pt; font-size: 8pt; }
"""


def render_html(table: Table) -> str:
    e = html.escape
    out = ["<!DOCTYPE html>", '<html lang="zh-CN">', "<head>", '<meta charset="utf-8">',
           f"<title>{e(table.title)}</title>", f"<style>{_CSS}</style>", "</head>", "<body>",
           f"<h1>{e(table.title)}</h1>", f'<p class="sub">{e(table.subtitle)}</p>']
    if table.summary:
        out.append(f'<p class="summary">{e("；".join(table.summary))}</p>')
    out.append("<table>")
    out.append("<colgroup>" + "".join(f'<col style="width:{c.pct}%">' for c in table.columns) + "</colgroup>")
    # two header rows as in 附件2
    top, bottom = [], []
    seen = set()
    for c in table.columns:
        if c.group is None:
            top.append(f'<th rowspan="2">{e(c.header)}</th>')
        elif c.group not in seen:
            seen.add(c.group)
            n = sum(1 for x in table.columns if x.group == c.group)
            top.append(f'<th colspan="{n}">{e(c.group)}</th>')
        if c.group is not None:
            bottom.append(f"<th>{e(c.header)}</th>")
    out.append(f"<thead><tr>{''.join(top)}</tr><tr>{''.join(bottom)}</tr></thead>")
    out.append("<tbody>")
    spans = {key: _spans(table.rows, key) for key in ("l1", "l2")}
    for i, row in enumerate(table.rows):
        cls = [row.kind] + (["differs"] if row.differs else [])
        tds = []
        for (a, b, key) in _row_layout(table, row):
            attrs_ = []
            if row.kind in ("indicator", "subtotal") and key in ("l1", "l2") and a == table.col(key):
                span = spans[key].get(i)
                if span == 0:
                    continue
                if span and span > 1:
                    attrs_.append(f'rowspan="{span}"')
            if b > a:
                attrs_.append(f'colspan="{b - a + 1}"')
            kind = table.columns[a].kind if a == b else "h"
            if row.kind == "grade" and key == "doc":
                kind = "boxes"
            classes = [kind] + (["diff"] if row.differs and key in ("score", "claimed", "diff") else [])
            text = e(_fmt(row.cells.get(key, "")))
            if key in ("l1", "l2", "name"):
                # wrap before the points, never inside them: 目标设定 / （5分）
                text = re.sub(r"（[0-9.]+分）$", lambda m: f'<span class="pts">{m.group(0)}</span>', text)
            if key == "diff" and row.unattainable:
                text = f'<span class="unattainable">{text}</span>'
            attrs_.insert(0, f'class="{" ".join(classes)}"')
            tds.append(f"<td {' '.join(attrs_)}>{text}</td>")
        out.append(f'<tr class="{" ".join(cls)}">{"".join(tds)}</tr>')
    out.append("</tbody></table>")
    if table.notes:
        out.append('<ul class="notes">' + "".join(f"<li>{e(n)}</li>" for n in table.notes) + "</ul>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)


# ── markdown ──

def _md(text: str) -> str:
    # only what markdown would take as markup: tags, entities, table pipes, emphasis
    text = re.sub(r"&(?=#?[A-Za-z0-9]+;)", "&amp;", text)
    text = re.sub(r"<(?=[A-Za-z/!?])", "&lt;", text)
    for ch in "\\|*_`":
        text = text.replace(ch, "\\" + ch)
    return text.replace("\r", "").replace("\n", "<br>")


def render_markdown(table: Table) -> str:
    """A pipe table: no merged cells, so a 一级/二级 label is printed on the first row
    of its block and left blank below it."""
    out = [f"# {_md(table.title)}", "", _md(table.subtitle), ""]
    if table.summary:
        out += ["**" + _md("；".join(table.summary)) + "**", ""]
    heads = [(f"{c.group}·{c.header}" if c.group and c.header != "指标名称" else (c.group or c.header)) for c in table.columns]
    heads = [h.replace("三级指标·", "") for h in heads]
    out.append("| " + " | ".join(_md(h) for h in heads) + " |")
    out.append("|" + "|".join(":---:" if c.kind in ("h", "num") else "---" for c in table.columns) + "|")
    keys = [c.key for c in table.columns]
    spans = {key: _spans(table.rows, key) for key in ("l1", "l2")}
    for i, row in enumerate(table.rows):
        cells = []
        layout = {a: (b, key) for (a, b, key) in _row_layout(table, row)}
        k = 0
        while k < len(keys):
            b, key = layout.get(k, (k, keys[k]))
            v = _fmt(row.cells.get(key, ""))
            if key in ("l1", "l2") and row.kind in ("indicator", "subtotal") and spans[key].get(i) == 0:
                v = ""
            text = _md(v)
            if row.kind in ("subtotal", "total", "grade") and text and key not in ("doc", "basis"):
                text = f"**{text}**"
            elif row.differs and key in ("score", "diff") and text:
                text = f"**{text}**"
            if key == "diff" and row.unattainable:
                text = "⚠ " + text
            cells.append(text)
            cells.extend([""] * (b - k))
            k = b + 1
        out.append("| " + " | ".join(cells) + " |")
    if table.notes:
        out.append("")
        out += [f"- {_md(n)}" for n in table.notes]
    return "\n".join(out) + "\n"


# ═══════════════════════════ writing files ═══════════════════════════

def _atomic(path, write) -> None:
    atomic_write(path, write)


def write_table(table: Table, path) -> None:
    """Write ``table`` as .xlsx, .html or .md (by the file's suffix)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"unsupported output format {path.suffix or '(none)'}: use {', '.join(FORMATS)}")
    if suffix == ".xlsx":
        render_xlsx(table, path)
        return
    text = render_html(table) if suffix == ".html" else render_markdown(table)
    _atomic(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))


def write_report(rb, case, result, path, criteria: str = "rule") -> Table:
    table = report_table(rb, case, result, criteria)
    write_table(table, path)
    return table


def write_doc(rb, path) -> Table:
    table = doc_table(rb)
    write_table(table, path)
    return table
