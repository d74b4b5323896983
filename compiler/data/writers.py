"""Scored units written out: CSV, JSON, JSON Lines or XLSX (openpyxl's write-only mode,
with a sheet 指标行 for the rows of a rulebook that has them), streamed unit by unit to
stdout or to a temporary file renamed into place.
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
from .results import DataError, Scored, indicator_headers


def output_kind(path: Optional[Path]) -> str:
    if path is None:
        return "csv"
    s = path.suffix.lower()
    if s in (".csv", ".json", ".jsonl", ".xlsx"):
        return s[1:]
    raise DataError(f"不支持的输出类型 / unsupported output type {s or path.name}: 用 .csv、.xlsx、.json 或 .jsonl")


def write_results(rb: CompiledRulebook, scored: Iterable[Scored], out: Optional[Path], id_headers: list[str],
                  stdout=None, progress: Optional[Callable[[int], None]] = None) -> int:
    """Write every scored unit; returns how many. Atomic: a temporary file renamed into place."""
    kind = output_kind(out)
    ind_headers = indicator_headers(rb)
    head = list(id_headers) + ind_headers + ["总分", "等级"]
    if out is None:
        return _write(kind, scored, stdout, head, progress, id_headers)
    def write(tmp):
        if kind == "xlsx":
            return _write_xlsx(scored, Path(tmp), head, progress, id_headers, bool(rb.program.row_parts))
        with open(tmp, "w", encoding="utf-8-sig" if kind == "csv" else "utf-8", newline="") as f:
            return _write(kind, scored, f, head, progress, id_headers)
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


def _write(kind, scored, f, head, progress, id_headers) -> int:
    n = 0
    if kind == "csv":
        w = csv.writer(f)
        w.writerow(head)
        F = _Formats()
        for s in scored:
            ids = s.ids
            row = [_fmt(ids.get(h)) for h in id_headers]
            row.extend([F[str(x)] for x in s.scores])
            row.append(F[str(s.total)])
            row.append(s.grade)
            w.writerow(row)
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
            if s.rows:
                rec["指标行"] = rows_record(s.rows, fmt_decimal)
            line = json.dumps(rec, ensure_ascii=False)
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
    object from JSON) as its text."""
    import datetime
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    if isinstance(v, Decimal) and (not v.is_finite() or abs(v.adjusted()) > 300):
        return fmt_decimal(v) if v.is_finite() else str(v)      # a workbook number cannot hold it
    if v is None or isinstance(v, (int, float, Decimal, datetime.date, datetime.time)):
        return v
    text = v if isinstance(v, str) else _fmt(v)
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", text)    # control characters a workbook cannot hold


def _write_xlsx(scored, path: Path, head, progress, id_headers, with_rows: bool = False) -> int:
    """One sheet 评分结果 (a line per unit); with 指标行, a second sheet 指标行 with a line
    per row of each unit (the unit's ids, the indicator, the row, its points, score and
    the score it claimed)."""
    import openpyxl
    wb = openpyxl.Workbook(write_only=True)
    try:
        return _fill_xlsx(wb, scored, path, head, progress, id_headers, with_rows)
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


def _fill_xlsx(wb, scored, path: Path, head, progress, id_headers, with_rows: bool) -> int:
    ws = wb.create_sheet("评分结果")
    ws.append(head)
    rows_ws = None
    n = 0
    for s in scored:
        # scores as numbers (Excel sums them); Decimal -> float only for the cell, the
        # text of each value has at most a few decimals, so nothing is lost on display
        ids = [_xlsx_cell(s.ids.get(h)) for h in id_headers]
        ws.append(ids + [float(x) for x in s.scores] + [float(s.total), s.grade])
        if with_rows and s.rows:
            if rows_ws is None:
                rows_ws = wb.create_sheet("指标行")
                rows_ws.append(list(id_headers) + ["指标", "行", "分值", "得分", "自评得分"])
            for x in s.rows:
                rows_ws.append(ids + [_xlsx_cell("/".join(x.path[:-1])), _xlsx_cell(x.path[-1]), float(x.points), float(x.score),
                                     None if x.claimed is None else float(x.claimed)])
        n += 1
        if progress and n % 1000 == 0:
            progress(1000)
    _save(wb, path)
    if progress:
        progress(n % 1000)
    return n
