"""Many units at once: read CSV / XLSX / JSON / JSON Lines / case files, score, write.

Reading and writing stream row by row (CSV, JSON Lines, XLSX in openpyxl's read-only
and write-only modes), so memory stays flat however many units come in. Output is
written to a temporary file beside the target and renamed into place, and never over
an input file. Bad rows are reported with their row number, column and reason; with
``on_error="skip"`` the rest is scored and every skipped row is listed.
"""
from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterable, Iterator, Optional

import attrs

from ...dsl.diagnostics import JixiaoError, Msg, render_concise
from ...dsl.ir import fmt_decimal

from ..backend import runtime
from ..api import CompiledRulebook, error_msg
from ..files import atomic_write
from .results import BadRows, DataError, RowError, Scored, indicator_headers
from .readers import load_mapping, read_rows
from .rowtable import RowTable, _with_rows, load_row_table, workbook_row_table
from .columns import Columns

# ───────────────────────── scoring ─────────────────────────

def score_rows(rb: CompiledRulebook, path: Path, *, mapping: Optional[dict] = None,
               sheet: Optional[str] = None, on_error: str = "stop",
               errors: Optional[list] = None, row_table: Optional["RowTable"] = None) -> tuple[Columns, Iterator[Scored]]:
    """Validate and score each row; bad rows go to ``errors`` (skip) or raise (stop). A
    .jxc case is one unit (its errors raise JixiaoError); a folder is every .jxc case in
    it and below, one unit each (a bad case is a bad row, named by its file)."""
    if path.is_dir():
        return None, score_cases(rb, path, on_error=on_error, errors=errors)
    if path.suffix.lower() == ".jxc":
        case = rb.load_case(path)
        return None, iter([case_scored(rb, case, rb.evaluate_case(case), 1, {"案例": case.title})])
    headers, rows = read_rows(path, sheet)
    return score_table(rb, headers, rows, mapping=mapping, on_error=on_error, errors=errors,
                       text_cells=path.suffix.lower() == ".csv", row_table=row_table)


def case_files(folder: Path) -> list[Path]:
    """Every .jxc case in ``folder`` and below, in path order (a broken link too: it is
    reported as unreadable; linked folders are not entered, so no cycle is possible)."""
    files = sorted((p for p in folder.rglob("*") if p.suffix.lower() == ".jxc" and not p.is_dir()),
                   key=lambda p: p.relative_to(folder).parts)
    if not files:
        raise DataError(f"{folder} 中没有案例文件（.jxc） / has no case files (.jxc)")
    return files


def score_cases(rb: CompiledRulebook, folder: Path, *, on_error: str = "stop",
                errors: Optional[list] = None) -> Iterator[Scored]:
    """Each case file of a folder scored as `jixiao score RULEBOOK CASE` scores it."""
    return _sorted_out((case_result(rb, path, k, folder) for k, path in enumerate(case_files(folder), 1)),
                       on_error, errors if errors is not None else [])


def _sorted_out(results: Iterable, on_error: str, errs: list) -> Iterator[Scored]:
    """The Scored of ``results``; a list of RowErrors raises BadRows (stop) or is kept (skip)."""
    for result in results:
        if isinstance(result, Scored):
            yield result
        elif on_error == "stop":
            raise BadRows(result)
        else:
            errs.extend(result)


def case_result(rb: CompiledRulebook, path: Path, k: int, folder: Path):
    """One case file of a folder: its Scored (ids 文件 and 案例), or its RowErrors."""
    rel = path.relative_to(folder).as_posix()
    if path.exists() and not path.is_file():
        return [RowError(k, None, None, Msg(f"{rel}: 不是普通文件", f"{rel}: is not a regular file"), rel)]
    try:
        case = rb.load_case(path)
        return case_scored(rb, case, rb.evaluate_case(case), k, {"文件": rel, "案例": case.title})
    except JixiaoError as e:
        def here(d):             # the case's own file and line, or the case named before a place elsewhere
            sp = d.primary
            return sp is not None and Path(sp.file.name).resolve() == path.resolve()
        return [RowError(k, None, None, Msg(*((render_concise(d, lang) if here(d) else f"{rel}: {render_concise(d, lang)}")
                                              for lang in ("zh", "en"))), rel)
                for d in e.diagnostics]
    except (OSError, UnicodeDecodeError) as e:
        return [RowError(k, None, None, Msg(f"{rel}: 无法读取：{e}", f"{rel}: cannot read: {e}"), rel)]


def case_scored(rb: CompiledRulebook, case, r, k: int, ids: dict) -> Scored:
    """A case's result as a unit of a batch: the rulebook's own indicators in index order
    (a case's 指标行 rows are its ``rows``)."""
    by_path = {x.path: x for x in r.indicators if x.level != "row"}
    inds = sorted(rb.program.walk(), key=lambda n: n.index)
    return Scored(k, ids, tuple(by_path[i.path].score for i in inds), r.total, r.grade,
                  tuple(i.index for i in inds if not by_path[i.path].applicable),
                  tuple(x for x in r.indicators if x.level == "row"))


def score_table(rb: CompiledRulebook, headers: list[str], rows: Iterable[tuple[int, list]], *,
                mapping: Optional[dict] = None, on_error: str = "stop", errors: Optional[list] = None,
                text_cells: bool = False, row_table: Optional["RowTable"] = None) -> tuple[Columns, Iterator[Scored]]:
    """Score a table from anywhere: ``headers`` name the columns, ``rows`` yields (row
    number, cells) with cells as read from a file (text, numbers, Decimals, booleans,
    None for empty). Columns map onto inputs by header as for files; the others are kept
    as ids. ``text_cells``: every cell is a str (CSV), which takes a generated converter.
    Returns (how the columns were matched, an iterator of Scored)."""
    if on_error not in ("stop", "skip"):
        raise ValueError("on_error is 'stop' or 'skip'")
    columns = Columns(rb, headers, mapping, row_table)
    missing = columns.missing()
    if missing:
        raise DataError("数据中缺少这些输入的列 / the data has no column for: " + "、".join(missing)
                        + "（可用 --mapping 指定列名 / map other header names with --mapping）")
    errs = errors if errors is not None else []
    convert = (columns.fast_converter(rb) if text_cells and columns.rows_column is None and columns.row_key is None
               else None)
    id_cols = [(columns.headers[c], c) for c in columns.id_columns]
    run = rb.evaluator.run

    def results():
        for rowno, cells in rows:
            values = convert(cells) if convert is not None else None
            if values is None:
                yield score_cells(rb, columns, rowno, cells)
                continue
            try:                             # a CSV row in the common form: validated already
                scores, total, grade, na = run(values)
            except runtime.EvaluationError as e:
                yield [RowError(rowno, None, e.field, error_msg(e))]
                continue
            n = len(cells)
            yield Scored(rowno, {h: (cells[c] if c < n else None) for h, c in id_cols}, scores, total, grade, tuple(na))
        if columns.row_table is not None:
            yield from ([e] for e in columns.row_table.unclaimed())
    return columns, _sorted_out(results(), on_error, errs)


def score_cells(rb: CompiledRulebook, columns: Columns, rowno: int, cells: list):
    """One row of a table: its Scored, or the list of its RowErrors (every bad input, or
    every problem of its 指标行)."""
    raw, ids, where = columns.row_to_inputs(cells)
    row_results: dict = {}
    rows_col = columns.rows_column if columns.rows_column is not None else columns.row_key
    if rows_col is not None:
        cell = cells[rows_col] if rows_col < len(cells) else None
        try:
            if columns.row_key is not None:
                raw, row_results = columns.row_table.score(rb, raw, cell)
            else:
                raw, row_results = _with_rows(rb, raw, cell)
        except JixiaoError as e:
            where = columns.headers[rows_col] if columns.row_key is None else columns.row_table.source
            return [RowError(rowno, where, None, d.msg) for d in e.diagnostics]
    try:
        scores, total, grade, na = rb.evaluator.run(runtime.validate(raw, rb.evaluator.inputs))
    except runtime.InputErrors as e:
        return [RowError(rowno, where.get(x.field), x.field, error_msg(x)) for x in e.errors]
    except runtime.EvaluationError as e:
        return [RowError(rowno, where.get(e.field), e.field, error_msg(e))]
    return Scored(rowno, ids, scores, total, grade, tuple(na), tuple(x for part in row_results.values() for x in part))


# ───────────────────────── writing ─────────────────────────

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
    wb.save(path)
    if progress:
        progress(n % 1000)
    return n


# ───────────────────────── rulebook diff ─────────────────────────

@attrs.frozen
class UnitChange:
    row: int
    ids: dict
    old_total: Decimal
    new_total: Decimal
    old_grade: str
    new_grade: str
    changed: tuple   # (indicator header, old score, new score)


@attrs.define
class DiffReport:
    units: int = 0
    changes: list = attrs.field(factory=list)
    transitions: dict = attrs.field(factory=dict)    # (old grade, new grade) -> count
    errors: list = attrs.field(factory=list)
    only_old: list = attrs.field(factory=list)       # indicators only in the old rulebook
    only_new: list = attrs.field(factory=list)

    @property
    def grade_changes(self) -> int:
        return sum(1 for c in self.changes if c.old_grade != c.new_grade)


def diff(old: CompiledRulebook, new: CompiledRulebook, path: Path, *, mapping=None, sheet=None,
         rows_path: Optional[Path] = None) -> DiffReport:
    """Score every unit of ``path`` (a data file, a .jxc case or a folder of cases) with
    both rulebooks and report what changes."""
    if path.is_dir() or path.suffix.lower() == ".jxc":
        folder = path if path.is_dir() else path.parent
        files = case_files(path) if path.is_dir() else [path]
        units = (((k, p), (case_result(old, p, k, folder), case_result(new, p, k, folder)))
                 for k, p in enumerate(files, 1))
    else:
        tables = [(load_row_table(rb, rows_path) if rows_path is not None and rb.program.row_parts
                   else workbook_row_table(rb, path) if rows_path is None else None) for rb in (old, new)]
        headers, rows = read_rows(path, sheet)
        cols_old, cols_new = Columns(old, headers, mapping, tables[0]), Columns(new, headers, mapping, tables[1])
        for cols, label in ((cols_old, "旧规则集 / old"), (cols_new, "新规则集 / new")):
            if cols.missing():
                raise DataError(f"数据中缺少{label}所需输入的列 / no column for: " + "、".join(cols.missing()))
        ids_cols = [c for c in cols_old.id_columns if c in cols_new.id_columns]
        units = (((rowno, {headers[c]: (cells[c] if c < len(cells) else None) for c in ids_cols}),
                  (score_cells(old, cols_old, rowno, cells), score_cells(new, cols_new, rowno, cells)))
                 for rowno, cells in rows)
    h_old = dict(zip((tuple(i.path) for i in sorted(old.program.walk(), key=lambda n: n.index)), indicator_headers(old)))
    h_new = dict(zip((tuple(i.path) for i in sorted(new.program.walk(), key=lambda n: n.index)), indicator_headers(new)))
    ix_old = {tuple(i.path): i.index for i in old.program.walk()}
    ix_new = {tuple(i.path): i.index for i in new.program.walk()}
    common = [p for p in ix_old if p in ix_new]
    rep = DiffReport(only_old=[h_old[p] for p in ix_old if p not in ix_new],
                     only_new=[h_new[p] for p in ix_new if p not in ix_old])
    for (rowno, ids), results in units:
        bad = [r for r in results if not isinstance(r, Scored)]
        if bad:
            rep.errors.extend(bad[0])
            continue
        rep.units += 1
        (s_old, t_old, g_old), (s_new, t_new, g_new) = ((r.scores, r.total, r.grade) for r in results)
        changed = tuple((h_new[p], s_old[ix_old[p]], s_new[ix_new[p]]) for p in common
                        if s_old[ix_old[p]] != s_new[ix_new[p]] and len(p) == max(len(q) for q in common if q[:len(p)] == p))
        if t_old != t_new or g_old != g_new or changed:
            if isinstance(ids, Path):
                ids = dict(results[1].ids)
            rep.changes.append(UnitChange(rowno, ids, t_old, t_new, g_old, g_new, changed))
            if g_old != g_new:
                rep.transitions[(g_old, g_new)] = rep.transitions.get((g_old, g_new), 0) + 1
    if not (path.is_dir() or path.suffix.lower() == ".jxc"):
        for cols in (cols_new, cols_old):
            if cols.row_table is not None:
                rep.errors.extend(cols.row_table.unclaimed())
                break
    return rep
