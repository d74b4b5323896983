"""The 评分表 as an Excel workbook (``.xlsx``), in the layout of 附件2.

One sheet, 评分表: the title and subtitle over the table, a two-row header (三级指标 over
指标名称 / 指标解释说明), the 一级/二级 hierarchy as merged cells, scores as numbers, rows
differing from the claimed score filled, row heights from the text's display width, the
notes below. Printed A4 landscape, fitted to the page's width, the header repeated on every
page, page numbers in the footer. The page breaks are set here (:func:`_page_starts`), and
a 一级/二级 block that runs over a break is merged in parts, one per page, so every page
that holds its rows carries its label (the continued part's 「投入（15分）（续）」, as the
HTML report prints it); no page starts with a subtotal row. Written atomically (:func:`compiler.files.atomic_write`).
"""
from __future__ import annotations

import math
from decimal import Decimal

from ..files import atomic_write
from ..safe_text import clean, xlsx_text
from .tables import Table, cell_text, row_layout, row_spans
from ...dsl.source import display_width


LINE = 13.5          # points per line of 10pt text


def _page_starts(table: Table, heights: list[float], width: float, titles: float) -> list[int]:
    """The rows (indices into ``table.rows``) that start a printed page after the first, for
    A4 landscape at the fit-to-width scale. A page never starts with a subtotal, total or
    grade row (the break moves up so the row stays with the indicators above it), nor
    between an indicator whose rows the case supplies and its first row; rows are never
    split (each indicator is one row, its 子项 folded in). ``heights``: points per row."""
    printable_w, printable_h = (297 - 24) / 25.4 * 72, (210 - 24 - 10) / 25.4 * 72     # points, less the footer
    scale = min(1.0, printable_w / (width * 5.6 + 10))
    room = printable_h / scale - titles
    rows = table.rows

    def glued(k: int) -> bool:          # rows[k] may not start a page
        if rows[k].kind in ("subtotal", "total", "grade"):
            return True
        prev = rows[k - 1]
        return prev.kind == "indicator" and prev.node is rows[k].node and prev.node is not None \
            and prev.node.rows is not None and (k < 2 or rows[k - 2].node is not prev.node)
    starts, used = [], 28 + 20          # the title and subtitle rows on the first page
    for i in range(len(rows)):
        h = heights[i]
        if used + h > room and i > (starts[-1] if starts else 0):
            k = i
            while k > (starts[-1] if starts else 0) + 1 and glued(k):
                k -= 1
            starts.append(k)
            used = sum(heights[k:i + 1])
        else:
            used += h
    return starts


def _label_parts(table: Table, starts: list[int]) -> dict[str, dict[int, tuple[int, bool]]]:
    """For l1 and l2: row index -> (rows spanned, continued) for the first row of each
    part of a 一级/二级 block, the block cut at each page start, so that every page's
    part carries its label (a continued part's as 「…（续）」)."""
    cut = set(starts)
    out: dict[str, dict[int, tuple[int, bool]]] = {}
    for key in ("l1", "l2"):
        parts: dict[int, tuple[int, bool]] = {}
        for i, span in row_spans(table.rows, key).items():
            if span <= 0:
                continue
            a = i
            for j in range(i + 1, i + span + 1):
                if j == i + span or j in cut:
                    parts[a] = (j - a, a != i)
                    a = j
        out[key] = parts
    return out


def render_xlsx(table: Table, path) -> None:
    from openpyxl import Workbook
    wb = Workbook()
    ws = wb.active
    ws.title = "评分表"
    fill_sheet(ws, table)
    wb.properties.title = clean(table.title)
    wb.properties.creator = clean(table.title)
    atomic_write(path, lambda tmp: wb.save(tmp))


def fill_sheet(ws, table: Table) -> None:
    """Lay ``table`` out on the worksheet ``ws`` (one unit's 评分表; a workbook of many
    units holds one such sheet per unit)."""
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.properties import PageSetupProperties

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
    xlsx_text(ws["A1"], table.title)      # every text a string cell, never a formula (safe_text)
    ws["A1"].font = Font(name=FONT, size=16, bold=True)
    ws["A1"].alignment = center
    ws.row_dimensions[1].height = 28
    ws.merge_cells(f"A2:{last}2")
    xlsx_text(ws["A2"], table.subtitle + ("　　" + "；".join(table.summary) if table.summary else ""))
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
            xlsx_text(ws.cell(H1, k), c.header)
            ws.merge_cells(start_row=H1, start_column=k, end_row=H2, end_column=k)
        else:
            xlsx_text(ws.cell(H2, k), c.header)
    groups: dict[str, list[int]] = {}
    for k, c in enumerate(table.columns, start=1):
        if c.group:
            groups.setdefault(c.group, []).append(k)
    for g, ks in groups.items():
        xlsx_text(ws.cell(H1, ks[0]), g)
        ws.merge_cells(start_row=H1, start_column=ks[0], end_row=H1, end_column=ks[-1])
    for k, c in enumerate(table.columns, start=1):
        ws.column_dimensions[get_column_letter(k)].width = c.width

    first = H2 + 1
    spans = {key: row_spans(table.rows, key) for key in ("l1", "l2")}
    keys = [c.key for c in table.columns]

    def lines(text: str, width: float) -> int:
        """Wrapped lines of ``text`` in a column ``width`` characters wide: CJK characters
        count 2, as the column width is in halfwidth characters (10pt 宋体: a CJK character
        is about 1.8 of them)."""
        room = max(width - 1, 1)
        return sum(max(1, math.ceil(display_width(t) * 0.9 / room)) for t in text.split("\n")) if text else 1

    def label_text(i: int, key: str, continued: bool) -> str:
        return cell_text(table.rows[i].cells.get(key, "")) + ("（续）" if continued else "")

    # the height each row's text needs (the 一级/二级 labels apart: they span their part of a block)
    heights = []
    for row in table.rows:
        need = 1
        for (a, b, key) in row_layout(table, row):
            if row.kind == "indicator" and key in ("l1", "l2"):
                continue
            need = max(need, lines(cell_text(row.cells.get(key, "")), sum(table.columns[x].width for x in range(a, b + 1))))
        heights.append(min(409, LINE * need + 4))
    # the pages, and each block cut at them; a part too short for its label grows to hold it
    total_width = sum(c.width for c in table.columns)
    titles = sum(ws.row_dimensions[r].height or 15 for r in (H1, H2))
    for _ in range(8):
        starts = _page_starts(table, heights, total_width, titles)
        parts = _label_parts(table, starts)
        grown = False
        for key, ps in parts.items():
            width = table.columns[table.col(key)].width
            for i, (span, continued) in ps.items():
                short = LINE * lines(label_text(i, key, continued), width) + 4 - sum(heights[i:i + span])
                if short > 0.5 and heights[i + span - 1] < 409:
                    heights[i + span - 1] = min(409, heights[i + span - 1] + short)
                    grown = True
        if not grown:
            break

    for i, row in enumerate(table.rows):
        r = first + i
        strong = row.kind in ("subtotal", "total", "grade")
        for k in range(1, ncol + 1):
            cell = ws.cell(r, k)
            cell.border = border
            cell.font = Font(name=FONT, size=10, bold=strong and keys[k - 1] not in ("basis", "doc"))
            if row.kind != "indicator":
                cell.fill = sub_fill
        for (a, b, key) in row_layout(table, row):
            col = table.columns[a]
            v = row.cells.get(key, "")
            part = None
            if row.kind in ("indicator", "subtotal") and key in ("l1", "l2") and a == table.col(key) \
                    and spans[key].get(i) is not None:
                part = parts[key].get(i)
                if part is None:
                    continue                     # covered by its part's merged cell
                if part[0] > 1:
                    ws.merge_cells(start_row=r, start_column=a + 1, end_row=r + part[0] - 1, end_column=a + 1)
                v = label_text(i, key, part[1])
            cell = ws.cell(r, a + 1)
            if key == "diff" and row.diff is not None and not row.unattainable:
                cell.value = float(row.diff) if row.diff != row.diff.to_integral_value() else int(row.diff)
            elif isinstance(v, Decimal):
                cell.value = float(v) if v != v.to_integral_value() else int(v)
            elif cell_text(v):
                xlsx_text(cell, cell_text(v))
            if b > a:
                ws.merge_cells(start_row=r, start_column=a + 1, end_row=r, end_column=b + 1)
            kind = col.kind if a == b else ("h" if key in ("l1", "l2") else "text")
            if row.kind == "grade" and key == "doc":
                cell.alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
            elif key in ("l1", "l2") and (row.kind != "indicator" or part is not None):
                cell.alignment = center          # a label, merged over its part of the block: centred both ways
            else:
                cell.alignment = center if kind in ("h", "num") else top_left
            if row.differs and key in ("score", "claimed", "diff"):
                cell.fill = diff_fill
            if key == "diff" and row.unattainable:
                cell.font = Font(name=FONT, size=10, bold=True, color="C00000")
        ws.row_dimensions[r].height = heights[i]
    from openpyxl.worksheet.pagebreak import Break, RowBreak
    ws.row_breaks = RowBreak()
    for k in starts:
        ws.row_breaks.append(Break(id=first + k - 1))
    end = first + len(table.rows) - 1
    r = end + 1
    for note in table.notes:
        r += 1
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
        xlsx_text(ws.cell(r, 1), note)
        ws.cell(r, 1).font = Font(name=FONT, size=9)
        ws.cell(r, 1).alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
    if table.conclusion:
        r += 2
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
        xlsx_text(ws.cell(r, 1), "评价结论：" + table.conclusion)
        ws.cell(r, 1).font = Font(name=FONT, size=10)
        ws.cell(r, 1).alignment = Alignment(horizontal="left", vertical="center", wrap_text=True)
        ws.row_dimensions[r].height = min(409, 15 * lines(table.conclusion, sum(c.width for c in table.columns)) + 6)
    if table.signature:
        r += 2
        for k, (label_, value) in enumerate(table.signature):
            sig = ws.cell(r + k // 3 * 2, 1 + (k % 3) * max(1, ncol // 3))
            xlsx_text(sig, f"{label_}：{value or '＿＿＿＿＿＿＿＿'}")
            sig.font = Font(name=FONT, size=10)
        r += 2 * ((len(table.signature) - 1) // 3)

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
