"""Reports for many units at once (``jixiao report RULEBOOK FOLDER -o OUT``): the cases of
a folder (``.jxc``), each scored and laid out as its own 评分表, then a summary.

- ``OUT.xlsx``: one workbook — a sheet 汇总 first (every unit's total, grade, claimed
  total and the number of indicators that differ from the claim; the units per grade),
  then a sheet per unit named by its case;
- a folder ``OUT`` (or ``OUT/``): one file per unit, ``NN-案例名.EXT`` (``--format``:
  xlsx, html, md or pdf), and the summary as ``汇总.xlsx``.
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path

from ..files import atomic_write
from .tables import Table, report_table


def _sheet_name(title: str, taken: set) -> str:
    """A worksheet name: no []:*?/\\, at most 31 characters, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\']", "_", title).strip() or "单位"
    name, k = base[:31], 2
    while name in taken:
        tail = f"（{k}）"
        name, k = base[:31 - len(tail)] + tail, k + 1
    taken.add(name)
    return name


def _file_name(k: int, title: str, ext: str) -> str:
    stem = re.sub(r'[\\/:*?"<>|\s]+', "_", title).strip("._") or "单位"
    return f"{k:02d}-{stem[:60]}{ext}"


def summary_rows(rb, units) -> list[list]:
    """One line per unit: 单位, 总分, 等级, 自评总分, 与自评不一致."""
    out = []
    for path, case, result in units:
        differ = sum(1 for r in result.indicators if r.claimed is not None and r.claimed != r.score)
        out.append([case.title or Path(path).stem, result.total, result.grade, result.claimed_total, differ])
    return out


def _summary_sheet(ws, rb, units) -> None:
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font
    from ..data.writers import number_format
    fmt = number_format(rb.program.precision)
    ws.append(["单位", "总分", "等级", "自评总分", "与自评不一致（项）"])
    for c in ws[1]:
        c.font = Font(bold=True)
    rows = summary_rows(rb, units)
    for r in rows:
        ws.append([r[0], float(r[1]), r[2], None if r[3] is None else float(r[3]), r[4]])
        for c in (ws.cell(ws.max_row, 2), ws.cell(ws.max_row, 4)):
            c.number_format = fmt
    ws.freeze_panes = "B2"
    ws.auto_filter.ref = f"A1:E{len(rows) + 1}"
    start = len(rows) + 3
    ws.cell(start, 1, "等级").font = Font(bold=True)
    ws.cell(start, 2, "单位数").font = Font(bold=True)
    grades = [b.name for b in rb.program.grades]
    for k, g in enumerate(grades, start=1):
        ws.cell(start + k, 1, g)
        ws.cell(start + k, 2, sum(1 for r in rows if r[2] == g))
    if rows:
        avg = sum((r[1] for r in rows), Decimal(0)) / len(rows)
        ws.cell(start + len(grades) + 1, 1, "平均总分")
        ws.cell(start + len(grades) + 1, 2, float(avg.quantize(rb.program.precision))).number_format = fmt
    chart = BarChart()
    chart.type, chart.title, chart.legend = "col", "等级分布", None
    chart.add_data(Reference(ws, min_col=2, min_row=start, max_row=start + len(grades)), titles_from_data=True)
    chart.set_categories(Reference(ws, min_col=1, min_row=start + 1, max_row=start + len(grades)))
    ws.add_chart(chart, "G2")
    ws.column_dimensions["A"].width = 40


def write_many(rb, units, out, ext: str = ".xlsx", criteria: str = "original", sign=None, template_dir=None) -> list[Path]:
    """``units``: (path, case, result) of each unit, in order. Returns the files written."""
    from openpyxl import Workbook
    from .write import write_table
    from .xlsx import fill_sheet
    out = Path(out)
    tables: list[Table] = [report_table(rb, case, result, criteria, sign=sign) for _p, case, result in units]
    if out.suffix.lower() == ".xlsx":
        wb = Workbook()
        ws = wb.active
        ws.title = "汇总"
        _summary_sheet(ws, rb, units)
        taken = {"汇总"}
        for (path, case, _r), table in zip(units, tables):
            fill_sheet(wb.create_sheet(_sheet_name(case.title or Path(path).stem, taken)), table)
        wb.properties.title = rb.program.title
        atomic_write(out, lambda tmp: wb.save(tmp))
        return [out]
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for k, ((path, case, _r), table) in enumerate(zip(units, tables), start=1):
        f = out / _file_name(k, case.title or Path(path).stem, ext)
        write_table(table, f, template_dir)
        written.append(f)
    wb = Workbook()
    _summary_sheet(wb.active, rb, units)
    wb.active.title = "汇总"
    summary = out / "汇总.xlsx"
    atomic_write(summary, lambda tmp: wb.save(tmp))
    return written + [summary]
