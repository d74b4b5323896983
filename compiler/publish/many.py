"""Reports for many units at once (``jixiao report RULEBOOK FOLDER|DATA -o OUT``): the
cases of a folder (``.jxc``) or the rows of a data file (:mod:`.units` reads both), each
laid out as its own 评分表, then a summary.

- ``OUT.xlsx``: one workbook — a sheet 汇总 first (every unit's total, grade, claimed
  total and the number of indicators that differ from the claim; the units per grade),
  then a sheet per unit named by its case or its id cell;
- a folder ``OUT`` (or ``OUT/``): one file per unit (``--format``: xlsx, html, md or
  pdf) — ``NN-案例名.EXT`` for cases, ``单位.EXT`` (the row's id cell) for the rows of a
  data file — and the summary as ``汇总.xlsx``.

Names are made safe for a file system or a sheet (no ``\\/:*?"<>|``, control characters
or names Windows reserves, at most 31 characters for a sheet and 150 bytes for a file)
and unique (``单位（2）``; compared without case, as Windows and macOS compare them).
"""
from __future__ import annotations

import re
from decimal import Decimal
from pathlib import Path
from typing import Optional

from ..files import atomic_write
from .tables import Table, report_table


def _unique(base: str, taken: set, limit) -> str:
    """``base`` (shortened by ``limit``) made unique in ``taken`` with （2）, （3） …"""
    name, k = limit(base, ""), 2
    while name.casefold() in taken:
        name, k = limit(base, f"（{k}）"), k + 1
    taken.add(name.casefold())
    return name


def _sheet_name(title: str, taken: set) -> str:
    """A worksheet name: no []:*?/\\, at most 31 characters, unique in the workbook."""
    base = re.sub(r"[\[\]:*?/\\'\x00-\x1f]", "_", title).strip() or "单位"
    return _unique(base, taken, lambda b, tail: b[:31 - len(tail)] + tail)


RESERVED = {"CON", "PRN", "AUX", "NUL", *(f"COM{k}" for k in range(1, 10)), *(f"LPT{k}" for k in range(1, 10))}


def _file_name(title: str, ext: str, taken: set, k: Optional[int] = None) -> str:
    """A unit's file name: ``title`` with what no file system takes replaced by _, ``NN-``
    before it where ``k`` is given, unique in ``taken`` (without case)."""
    stem = re.sub(r'[\\/:*?"<>|\s\x00-\x1f\x7f]+', "_", title).strip("._") or "单位"
    if k is not None:
        stem = f"{k:02d}-{stem}"
    elif stem.split(".")[0].upper() in RESERVED:
        stem = "_" + stem

    def limit(b: str, tail: str) -> str:
        while len((b + tail + ext).encode("utf-8")) > 150:
            b = b[:-1]
        return b + tail + ext
    return _unique(stem, taken, limit)


def summary_rows(rb, units) -> list[list]:
    """One line per unit: 单位, 总分, 等级, 自评总分, 与自评不一致."""
    out = []
    for u in units:
        differ = sum(1 for r in u.result.indicators if r.claimed is not None and r.claimed != r.score)
        out.append([u.name, u.result.total, u.result.grade, u.result.claimed_total, differ])
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
    """``units``: the :class:`.units.Unit` of each unit, in order. Returns the files written."""
    from openpyxl import Workbook
    from .write import write_table
    from .xlsx import fill_sheet
    out = Path(out)
    tables: list[Table] = []
    for u in units:
        table = report_table(rb, u.case, u.result, criteria, sign=sign)
        if u.band:                 # a grade quota moved the unit from its band's grade to a lower one
            import attrs
            from .explain import explain_grade
            grade = next(r for r in table.rows if r.kind == "grade")
            said = explain_grade(rb, u.result)
            banded = explain_grade(rb, attrs.evolve(u.result, grade=u.band)).rstrip("。")
            grade.cells["basis"] = grade.cells["basis"].replace(said, f"{banded}；但{u.note or '按名额评为' + u.result.grade}。")
        table.notes.extend(f"参评比较：{line}" for line in u.cohort)
        tables.append(table)
    if out.suffix.lower() == ".xlsx":
        wb = Workbook()
        ws = wb.active
        ws.title = "汇总"
        _summary_sheet(ws, rb, units)
        taken = {"汇总"}
        for u, table in zip(units, tables):
            fill_sheet(wb.create_sheet(_sheet_name(u.name, taken)), table)
        wb.properties.title = rb.program.title
        atomic_write(out, lambda tmp: wb.save(tmp))
        return [out]
    out.mkdir(parents=True, exist_ok=True)
    written, taken = [], {"汇总.xlsx"}
    for k, (u, table) in enumerate(zip(units, tables), start=1):
        f = out / _file_name(u.name, ext, taken, k if u.row is None else None)
        write_table(table, f, template_dir)
        written.append(f)
    wb = Workbook()
    _summary_sheet(wb.active, rb, units)
    wb.active.title = "汇总"
    summary = out / "汇总.xlsx"
    atomic_write(summary, lambda tmp: wb.save(tmp))
    return written + [summary]
