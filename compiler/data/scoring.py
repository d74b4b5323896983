"""Scoring many units: a data file, a .jxc case or a folder of cases (``score_rows``),
a table from anywhere (``score_table``), one row of it (``score_cells``). A bad row is
a list of RowErrors: raised as BadRows (``on_error="stop"``) or kept (``"skip"``).
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Optional

from ...dsl.diagnostics import JixiaoError, Msg, render_concise

from ..backend import runtime
from ..api import CompiledRulebook, error_msg
from .columns import Columns
from .readers import FORMULA_NO_VALUE, _column_letter, read_rows
from .results import BadRows, DataError, RowError, Scored
from .rowtable import _with_rows

if TYPE_CHECKING:
    from .rowtable import RowTable


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
    """The Scored (or other units) of ``results``; a list of RowErrors raises BadRows (stop)
    or is kept (skip)."""
    for result in results:
        if not isinstance(result, list):
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
    check_columns(columns)
    errs = errors if errors is not None else []
    convert = (columns.fast_converter(rb) if text_cells and columns.rows_column is None and columns.row_key is None
               else None)
    id_cols = [(columns.headers[c], c) for c in columns.id_columns]
    run = rb.evaluator.run
    where = columns.row_to_inputs([])[2]      # input -> its column's header (the same for every row)

    def results():
        for rowno, cells in rows:
            values = convert(cells) if convert is not None else None
            if values is None:
                yield score_cells(rb, columns, rowno, cells)
                continue
            try:                             # a CSV row in the common form: validated already
                scores, total, grade, na = run(values)
            except runtime.EvaluationError as e:
                # worded as score_cells words it (a 核对 or 仅当 failing names its column; it did not before 2026-12-04)
                yield [RowError(rowno, where.get(e.field), e.field, error_msg(e))]
                continue
            n = len(cells)
            yield Scored(rowno, {h: (cells[c] if c < n else None) for h, c in id_cols}, scores, total, grade, tuple(na))
        if columns.row_table is not None:
            yield from ([e] for e in columns.row_table.unclaimed())
    return columns, _sorted_out(results(), on_error, errs)


def check_columns(columns: Columns) -> None:
    """Refuse a table without a column for an input every unit must give."""
    missing = columns.missing()
    if missing:
        raise DataError("数据中缺少这些输入的列 / the data has no column for: " + "、".join(missing)
                        + "（可用 --mapping 指定列名 / map other header names with --mapping）")


def score_cells(rb: CompiledRulebook, columns: Columns, rowno: int, cells: list):
    """One row of a table: its Scored, or the list of its RowErrors (every bad input, or
    every problem of its 指标行)."""
    extra = columns.extra_cells(rowno, cells)
    if extra:
        return extra
    formulas = [c for c, v in enumerate(cells) if v is FORMULA_NO_VALUE]
    if formulas:
        return [RowError(rowno, columns.headers[c] if c < len(columns.headers) else None, columns.to_input.get(c),
                         Msg(f"单元格 {_column_letter(c)}{rowno} 是公式，但工作簿中没有保存它的计算结果（用 Excel 打开并保存一次）",
                             f"cell {_column_letter(c)}{rowno} is a formula whose computed value the workbook does not hold "
                             "(open and save it in Excel once)"))
                for c in formulas]
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
        scores, total, grade, na = rb.evaluator.run(runtime.validate(raw, rb.evaluator.inputs, rb.evaluator.optional))
    except runtime.InputErrors as e:
        return [RowError(rowno, where.get(x.field), x.field, error_msg(x)) for x in e.errors]
    except runtime.EvaluationError as e:
        return [RowError(rowno, where.get(e.field), e.field, error_msg(e))]
    return Scored(rowno, ids, scores, total, grade, tuple(na), tuple(x for part in row_results.values() for x in part))

