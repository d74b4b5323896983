"""Scored units written out: CSV, JSON, JSON Lines, XLSX (openpyxl's write-only mode,
with a sheet 指标行 for the rows of a rulebook that has them) or Parquet (a CSV of the
results turned into typed columns by DuckDB: ``parquet.csv_to_parquet``), streamed unit
by unit to stdout or to a temporary file renamed into place.
"""
from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Optional

from ...dsl.ir import fmt_decimal

from ..backend import runtime
from ..api import CompiledRulebook
from ..files import atomic_write
from ..safe_text import clean, csv_cell, csv_row, json_text, xlsx_text
from .results import DataError, Scored, indicator_headers


def output_kind(path: Optional[Path]) -> str:
    if path is None:
        return "csv"
    s = path.suffix.lower()
    if s in (".csv", ".json", ".jsonl", ".xlsx", ".parquet"):
        return s[1:]
    raise DataError(f"不支持的输出类型 / unsupported output type {s or path.name}: 用 .csv、.xlsx、.json、.jsonl 或 .parquet")


def write_results(rb: CompiledRulebook, scored: Iterable[Scored], out: Optional[Path], id_headers: list[str],
                  stdout=None, progress: Optional[Callable[[int], None]] = None, extra_headers=()) -> int:
    """Write every scored unit; returns how many. Atomic: a temporary file renamed into place.
    ``extra_headers`` name the columns after 等级 that each Scored's ``extra`` fills (a
    cohort's statistics)."""
    kind = output_kind(out)
    ind_headers = indicator_headers(rb)
    head = list(id_headers) + ind_headers + ["总分", "等级"]
    extra = list(extra_headers)
    if out is None:
        return _write(kind, scored, stdout, head, progress, id_headers, extra)
    if kind == "parquet":
        from .parquet import duckdb_module
        duckdb_module("写 Parquet 文件")          # before any unit is scored
    def write(tmp):
        if kind == "parquet":
            return write_parquet(tmp, head + extra, head[len(id_headers):-1],
                                 lambda f: _write("csv", scored, f, head, progress, id_headers, extra, raw=True))
        if kind == "xlsx":
            return _write_xlsx(scored, Path(tmp), head, progress, id_headers, bool(rb.program.row_parts), rb, extra)
        with open(tmp, "w", encoding="utf-8-sig" if kind == "csv" else "utf-8", newline="") as f:
            return _write(kind, scored, f, head, progress, id_headers, extra)
    return atomic_write(out, write)


def _fmt(d) -> str:
    if isinstance(d, Decimal):
        return fmt_decimal(d)
    if isinstance(d, (list, dict, tuple)):          # an id that is a JSON array or object: as JSON
        try:
            return json.dumps(d, ensure_ascii=False, default=str)
        except (ValueError, RecursionError):
            return runtime._show(d)
    return "" if d is None else str(d)


class _Formats(dict):
    """``str(Decimal)`` -> its plain text (3.00 -> 3), memoised: a rulebook's scores take
    few distinct values. Keyed by the str: a fresh Decimal's hash costs ~5× a str()."""

    def __missing__(self, s):
        if len(self) > 100_000:
            self.clear()
        text = self[s] = fmt_decimal(Decimal(s))
        return text


def csv_record(s: Scored, id_headers, F: _Formats, grades: dict, extra=(), raw: bool = False) -> list:
    """A scored unit's cells of a CSV row: its ids (neutralised: ``safe_text.csv_cell``;
    with ``raw`` only cleaned, for a file that is no spreadsheet's: Parquet, the DuckDB
    engine's results before they become JSON or XLSX), scores, total and grade
    (``grades`` memoises the grades' cells) and ``extra``."""
    text = clean if raw else csv_cell
    ids = s.ids
    row = [text(_fmt(ids.get(h))) for h in id_headers]
    row.extend([F[str(x)] for x in s.scores])
    row.append(F[str(s.total)])
    g = s.grade
    row.append(text(g) if raw else grades[g] if g in grades else grades.setdefault(g, csv_cell(g)))
    if extra:
        row.extend(text(_fmt(x)) for x in s.extra)
    return row


def write_parquet(tmp: str, names: list, numbers: list, write_csv) -> int:
    """Write Parquet at ``tmp``: ``write_csv(file)`` writes the results as raw CSV (header
    ``names``), which DuckDB turns into the Parquet file, the columns ``numbers`` (the
    scores and 总分) typed DECIMAL; returns what ``write_csv`` returns."""
    import os
    import tempfile
    from .parquet import csv_to_parquet
    fd, part = tempfile.mkstemp(prefix=f"{os.path.basename(tmp)}.", suffix=".csv", dir=os.path.dirname(tmp) or ".")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            n = write_csv(f)
        heads = [clean(str(h)) for h in names]
        csv_to_parquet(part, tmp, heads, {clean(str(h)) for h in numbers})
        return n
    finally:
        os.unlink(part)


def _write(kind, scored, f, head, progress, id_headers, extra=(), raw: bool = False) -> int:
    n = 0
    if kind == "csv":
        w = csv.writer(f)
        names = head + list(extra)
        # texts a spreadsheet would run as formulas get a ' (safe_text)
        w.writerow([clean(str(h)) for h in names] if raw else csv_row(names))
        F = _Formats()
        grades: dict = {}
        for s in scored:
            w.writerow(csv_record(s, id_headers, F, grades, extra, raw))
            n += 1
            if progress and n % 1000 == 0:
                progress(1000)
    else:
        jsonl = kind == "jsonl"
        if not jsonl:
            f.write("[\n")
        for s in scored:
            rec = {h: _fmt(s.ids.get(h)) for h in id_headers}
            rec.update(zip(head[len(id_headers):-2], (fmt_decimal(x) for x in s.scores)))
            rec["总分"] = fmt_decimal(s.total)
            rec["等级"] = s.grade
            if extra:
                rec.update(zip(extra, (_fmt(x) for x in s.extra)))
            if s.rows:
                rec["指标行"] = rows_record(s.rows, fmt_decimal)
            line = json_text(rec)             # lone surrogates as \\udxxx escapes: the file stays UTF-8
            if jsonl:
                f.write(line + "\n")
            else:
                f.write(("  " if n == 0 else ",\n  ") + line)
            n += 1
            if progress and n % 1000 == 0:
                progress(1000)
        if not jsonl:
            f.write("\n]\n")
    if progress:
        progress(n % 1000)
    return n


def rows_record(rows, fmt=lambda d: d) -> dict:
    """A unit's scored 指标行 as {indicator path: [{名称, 分值, 得分, 自评得分?}, …]}, numbers
    through ``fmt`` (Decimals as they are by default)."""
    parts: dict = {}
    for x in rows:
        parts.setdefault("/".join(x.path[:-1]), []).append(
            {"名称": x.path[-1], "分值": fmt(x.points), "得分": fmt(x.score),
             **({"自评得分": fmt(x.claimed)} if x.claimed is not None else {})})
    return parts


def _xlsx_cell(v):
    """An id as a spreadsheet cell: a number, text or date as it is; anything else (a list or
    object from JSON) as its text. Texts go through ``safe_text.xlsx_text`` (``_text``)."""
    import datetime
    if isinstance(v, Decimal) and (not v.is_finite() or abs(v.adjusted()) > 300):
        return fmt_decimal(v) if v.is_finite() else str(v)      # a workbook number cannot hold it
    if v is None or isinstance(v, (int, float, Decimal, datetime.date, datetime.time)):
        return v
    return v if isinstance(v, str) else _fmt(v)


def number_format(precision: Decimal) -> str:
    """The rulebook's 精度 as a number format: 0.01 -> ``0.00`` (3.3 shows 3.30), 1 -> ``0``."""
    places = max(0, -precision.normalize().as_tuple().exponent)
    return "0." + "0" * places if places else "0"


def _text(ws, v):
    """A text or id cell (the one place text reaches the workbook): a text cleaned and
    never a formula (``safe_text.xlsx_text``), a number or date as it is."""
    from openpyxl.cell import WriteOnlyCell
    v = _xlsx_cell(v)
    cell = WriteOnlyCell(ws)
    if isinstance(v, str):
        xlsx_text(cell, v)
    else:
        cell.value = v
    return cell


def _number(ws, v, fmt: str):
    """A score as a number with the rulebook's number format (the one place numbers do)."""
    from openpyxl.cell import WriteOnlyCell
    cell = WriteOnlyCell(ws, value=None if v is None else float(v))
    cell.number_format = fmt
    return cell


def _header(ws, names):
    from openpyxl.styles import Alignment, Font, PatternFill
    out = []
    for h in names:
        c = _text(ws, h)
        c.font = Font(bold=True)
        c.fill = PatternFill("solid", fgColor="FFD9D9D9")
        c.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        out.append(c)
    return out


def _col(n: int) -> str:
    from openpyxl.utils import get_column_letter
    return get_column_letter(n)


def _write_xlsx(scored, path: Path, head, progress, id_headers, with_rows: bool = False, rb=None, extra=()) -> int:
    """One sheet 评分结果 (a line per unit: scores as numbers in the rulebook's precision,
    the header frozen, an autofilter); with 指标行, a sheet 指标行 with a line per row of
    each unit; cohort statistics (``extra``) after the grade; then a sheet 汇总: the units
    per grade with a bar chart of them, and each indicator's average, lowest and highest score."""
    import openpyxl
    wb = openpyxl.Workbook(write_only=True)
    try:
        return _fill_xlsx(wb, scored, path, head, progress, id_headers, with_rows, rb, extra)
    except BaseException:
        _discard(wb)
        raise


def _save(wb, path: Path) -> None:
    """openpyxl's save, with the archive closed whatever happens: an archive left open
    when the disk is full fails again when it is collected (``Exception ignored in
    ZipFile.__del__``, a traceback after the error has been said)."""
    from zipfile import ZIP_DEFLATED, ZipFile
    from openpyxl.writer.excel import ExcelWriter
    import datetime
    archive = ZipFile(path, "w", ZIP_DEFLATED, allowZip64=True)
    wb.properties.modified = datetime.datetime.now(tz=datetime.timezone.utc).replace(tzinfo=None)
    try:
        ExcelWriter(wb, archive).save()
    except BaseException:
        fp, archive.fp = archive.fp, None
        try:
            if fp is not None:
                fp.close()
        except OSError:
            pass
        raise


def _discard(wb) -> None:
    """A write-only workbook that failed (a full disk): its sheets' streams closed and
    their temporary files removed now, quietly, rather than complaining when collected."""
    for ws in getattr(wb, "_sheets", ()):
        for gen in (getattr(ws, "_rows", None), getattr(getattr(ws, "_writer", None), "xf", None)):
            try:
                if gen is not None:
                    gen.close()
            except Exception:
                pass
        writer = getattr(ws, "_writer", None)
        try:
            if writer is not None and isinstance(writer.out, str):
                writer.cleanup()
        except Exception:
            pass


def _fill_xlsx(wb, scored, path: Path, head, progress, id_headers, with_rows: bool, rb, extra) -> int:
    from openpyxl.chart import BarChart, Reference
    fmt = number_format(rb.program.precision) if rb is not None else "General"
    ws = wb.create_sheet("评分结果")
    ws.freeze_panes = f"{_col(len(id_headers) + 1)}2"
    ws.append(_header(ws, head + list(extra)))
    for k, h in enumerate(head + list(extra), start=1):
        ws.column_dimensions[_col(k)].width = max(8, min(30, len(str(h)) * 2 + 2))
    rows_ws = None
    n = 0
    n_scores = len(head) - len(id_headers) - 2
    sums = [Decimal(0)] * (n_scores + 1)
    lows: list = [None] * (n_scores + 1)
    highs: list = [None] * (n_scores + 1)
    grades: dict = {}
    for s in scored:
        # scores as numbers (Excel sums them); Decimal -> float only for the cell, the
        # text of each value has at most a few decimals, so nothing is lost on display
        ids = [_text(ws, s.ids.get(h)) for h in id_headers]
        values = list(s.scores) + [s.total]
        ws.append(ids + [_number(ws, x, fmt) for x in values] + [_text(ws, s.grade)]
                  + [_number(ws, x, "General") if isinstance(x, Decimal) else _text(ws, x) for x in s.extra])
        for k, x in enumerate(values):
            sums[k] += x
            lows[k] = x if lows[k] is None or x < lows[k] else lows[k]
            highs[k] = x if highs[k] is None or x > highs[k] else highs[k]
        grades[s.grade] = grades.get(s.grade, 0) + 1
        if with_rows and s.rows:
            if rows_ws is None:
                rows_ws = wb.create_sheet("指标行")
                rows_ws.freeze_panes = "A2"
                rows_ws.append(_header(rows_ws, list(id_headers) + ["指标", "行", "分值", "得分", "自评得分"]))
            for x in s.rows:
                # a cell is written once: each line its own id cells
                rows_ws.append([_text(rows_ws, s.ids.get(h)) for h in id_headers] + [_text(rows_ws, "/".join(x.path[:-1])), _text(rows_ws, x.path[-1]),
                                        _number(rows_ws, x.points, fmt), _number(rows_ws, x.score, fmt),
                                        _number(rows_ws, x.claimed, fmt)])
        n += 1
        if progress and n % 1000 == 0:
            progress(1000)
    ws.auto_filter.ref = f"A1:{_col(len(head) + len(extra))}{n + 1}"
    _summary(wb, rb, head[len(id_headers):-1], grades, sums, lows, highs, n, fmt, BarChart, Reference)
    _save(wb, path)
    if progress:
        progress(n % 1000)
    return n


def _summary(wb, rb, names, grades, sums, lows, highs, n, fmt, BarChart, Reference):
    """汇总: 等级 / 单位数 / 占比 (every band of the rulebook, in its order), a bar chart of
    the units per grade, then 指标 / 平均分 / 最低分 / 最高分 (the total last)."""
    ws = wb.create_sheet("汇总")
    order = [b.name for b in rb.program.grades] if rb is not None else []
    order += [g for g in grades if g not in order]
    ws.append(_header(ws, ["等级", "单位数", "占比"]))
    for g in order:
        share = _number(ws, Decimal(grades.get(g, 0)) / n if n else Decimal(0), "0.0%")
        ws.append([_text(ws, g), _number(ws, grades.get(g, 0), "0"), share])
    ws.append([_text(ws, "合计"), _number(ws, n, "0"), _number(ws, Decimal(1) if n else Decimal(0), "0.0%")])
    if order:
        chart = BarChart()
        chart.type = "col"
        chart.title = "等级分布"
        chart.y_axis.title = "单位数"
        chart.x_axis.title = "等级"
        chart.legend = None
        chart.add_data(Reference(ws, min_col=2, min_row=1, max_row=1 + len(order)), titles_from_data=True)
        chart.set_categories(Reference(ws, min_col=1, min_row=2, max_row=1 + len(order)))
        ws.add_chart(chart, "F2")
    ws.append([])
    ws.append(_header(ws, ["指标", "平均分", "最低分", "最高分"]))
    places = Decimal(1).scaleb(-max(0, -rb.program.precision.normalize().as_tuple().exponent) - 2) if rb is not None else None
    for k, name in enumerate(names):
        avg = (sums[k] / n).quantize(places) if n and places is not None else (sums[k] / n if n else None)
        ws.append([_text(ws, name), _number(ws, avg, fmt + "0" if "." in fmt else "0.0"),
                   _number(ws, lows[k], fmt), _number(ws, highs[k], fmt)])
    ws.column_dimensions["A"].width = 36
