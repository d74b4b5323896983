"""One batch job: a data file (or a folder of cases) scored into an output file.

The command line's ``jixiao score RULEBOOK DATA -o OUT`` is this function: it picks the
worker-process path for CSV to CSV (``parallel``) and the one-process path otherwise
(``scoring`` then ``writers``), with the same columns, bad-row report and atomic write.
"""
from __future__ import annotations

import os
from pathlib import Path
from typing import Callable, Optional, TextIO

from ..api import CompiledRulebook
from .readers import load_mapping
from .results import DataError
from .rowtable import load_row_table, workbook_row_table
from .scoring import score_rows
from .writers import write_results


def check_paths(data: Path, out: Optional[Path], others=()) -> None:
    """Refuse an output that would overwrite an input, or whose folder does not exist, and
    any path no system call takes (a NUL, a name of more than 255 bytes: dsl/paths.py)."""
    from ...dsl.paths import path_problem, shown
    inputs = [p for p in (data, *others) if p is not None]
    for p in (*inputs, out):
        bad = path_problem(p) if p is not None else None
        if bad is not None:
            raise DataError(f"无法使用路径 / cannot use the path {shown(p)}：{bad[0]} / {bad[1]}")
    if out is not None and out.exists() and any(p.exists() and os.path.samefile(out, p) for p in inputs):
        raise DataError("输出文件不能覆盖输入文件 / the output file would overwrite the input")
    if out is not None and not out.absolute().parent.is_dir():
        raise DataError(f"输出文件夹不存在 / the output folder does not exist: {out.absolute().parent}")


def score_file(rb: CompiledRulebook, data: Path, out: Optional[Path], *, mapping: Optional[Path] = None,
               sheet: Optional[str] = None, on_error: str = "stop", jobs: Optional[int] = None,
               rows: Optional[Path] = None, stdout: Optional[TextIO] = None,
               progress: Optional[Callable[[int], None]] = None, cohort: Optional[Path] = None,
               engine: str = "python") -> tuple[int, list]:
    """Score every unit of ``data`` into ``out`` (CSV on ``stdout`` when None); returns
    (units scored, RowErrors of the rows skipped). Raises BadRows when ``on_error`` is
    "stop" and a row is bad, DataError for a file that cannot be read at all. A rulebook
    with cohort rules scores its units together (``cohort.score_cohort_file``; ``cohort``:
    the statistics as given, ``--cohort FILE``). ``engine``: "python", "duckdb"
    (compiler.data.engine_duckdb, engine_files: CSV, Parquet or XLSX to CSV, Parquet, XLSX, JSON or JSON Lines in
    exact SQL; DataError where it cannot take
    the job, Unsupported for a rulebook the SQL backend refuses) or "auto" (DuckDB where
    it is installed, takes the job and the file is large enough)."""
    check_paths(data, out, (rows, mapping, cohort))
    if engine != "python":
        from . import engine_duckdb, engine_files
        if cohort is not None and engine == "duckdb":
            raise DataError("DuckDB 引擎不读给定的同类统计（--cohort） / the duckdb engine does not take --cohort")
        if cohort is None and engine_duckdb.use(rb, data, out, rows, engine):
            return engine_files.score_csv_duckdb(rb, data, out, mapping=load_mapping(mapping) if mapping else None,
                                                  on_error=on_error, progress=progress, threads=jobs, sheet=sheet)
    jobs = jobs or os.cpu_count() or 1
    maps = load_mapping(mapping) if mapping else None
    if rb.program.has_cohort:
        from .cohort import score_cohort_file
        if rows is not None:
            raise DataError("按参评单位比较的规则集暂不支持 --rows / a cohort rulebook does not take --rows yet")
        return score_cohort_file(rb, data, out, mapping=maps, sheet=sheet, on_error=on_error, stdout=stdout,
                                 progress=progress, cohort_file=cohort, jobs=jobs)
    errors: list = []
    table = load_row_table(rb, rows) if rows is not None else workbook_row_table(rb, data)
    if (jobs > 1 and data.suffix.lower() == ".csv" and not rb.program.row_parts
            and (out is None or out.suffix.lower() == ".csv")):
        from .parallel import score_csv_parallel
        return score_csv_parallel(rb, data, out, mapping=maps, on_error=on_error, jobs=jobs,
                                  stdout=stdout, progress=progress)
    columns, scored = score_rows(rb, data, mapping=maps, sheet=sheet, on_error=on_error, errors=errors,
                                 row_table=table)
    ids = ([columns.headers[c] for c in columns.id_columns] if columns is not None
           else ["文件", "案例"] if data.is_dir() else ["案例"])
    n = write_results(rb, scored, out, ids, stdout=stdout, progress=progress)
    return n, errors
