"""A file scored by the DuckDB engine (``engine_duckdb``), delivered as the Python engine
delivers it: `jixiao score RULEBOOK DATA -o OUT --engine duckdb`.

DuckDB writes the results' CSV lines itself; a line it marked (``\x01`` first: a row the
SQL does not take) is replaced by the Python path's line for that row (``_splice``), read
again from a table source where the input is Parquet or XLSX. Output other than CSV is
made from a raw results CSV: Parquet by DuckDB (``parquet.csv_to_parquet``), JSON, JSON
Lines and XLSX by the Python writers. A cohort file with a row the SQL did not score is
scored whole by the Python engine (``cohort.score_cohort_file``).
"""
from __future__ import annotations

import csv
import io
import os
import tempfile
from pathlib import Path
from typing import Optional

from ..api import CompiledRulebook
from ..files import atomic_write
from ..safe_text import clean, csv_row
from .columns import Columns
from .engine_duckdb import _NotUtf8, _kind_of, _run, plan_of, plan_query
from .parquet import blank
from .readers import read_rows
from .results import BadRows, DataError, indicator_headers
from .scoring import check_columns, score_cells
from .writers import _Formats, csv_record


def _marked(path: str) -> bool:
    """Does DuckDB's output hold a line marked for the Python path (``\x01`` first)?"""
    import mmap
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return False
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            # \x01 is in no output line but a mark (plain_csv: nor in the file): found at once if absent
            first = m.find(b"\x01")
            return first >= 0 and m.find(b"\n\x01", max(first - 1, 0)) >= 0


def _splice(src, dst, python_line) -> int:
    """Copy DuckDB's lines from ``src`` to ``dst``, each marked line (``\\x01`` first: a row
    for the Python path) replaced by ``python_line(row number, line)`` (left out when that
    is None); returns the number of marked lines. A block without a mark is copied as it
    is. The k-th line (the header is the first) is the k-th line of the data."""
    marked = 0
    lineno = 0
    rest = b""
    while True:
        block = src.read(1 << 20)
        if not block:
            break
        block = rest + block
        cut = block.rfind(b"\n") + 1
        block, rest = block[:cut], block[cut:]
        if b"\x01" not in block:
            dst.write(block)
            lineno += block.count(b"\n")
            continue
        for line in block.splitlines(keepends=True):
            lineno += 1
            if line.startswith(b"\x01"):
                marked += 1
                got = python_line(lineno, line[1:].rstrip(b"\n"))
                if got is not None:
                    dst.write(got)
            else:
                dst.write(line)
    if rest:
        raise AssertionError("DuckDB's output does not end with a newline")
    return marked


class _WholeFile(Exception):
    """A cohort file the SQL did not score whole: the Python engine scores it."""


def _marked_rows(path: str) -> list[int]:
    """The row numbers of a table's rows DuckDB marked for the Python path (``\x01`` and the number)."""
    out = []
    with open(path, "rb") as f:
        for line in f:
            if line.startswith(b"\x01"):
                out.append(int(line[1:]))
    return out


def score_csv_duckdb(rb: CompiledRulebook, data: Path, out: Path, *, mapping: Optional[dict] = None,
                     on_error: str = "stop", progress=None, threads: Optional[int] = None,
                     sheet: Optional[str] = None) -> tuple[int, list]:
    """Score ``data`` (CSV, Parquet or XLSX) into ``out`` (CSV, Parquet, XLSX, JSON or JSON
    Lines) with DuckDB; returns (units scored, RowErrors skipped). Raises BadRows under
    "stop", DataError for a file that cannot be read, Unsupported for a rulebook the SQL
    backend refuses."""
    from .writers import output_kind
    refused = plan_of(rb)
    if refused is not None:
        raise refused
    kind = output_kind(out)
    headers, rows = read_rows(data, sheet)
    rows.close()
    columns = Columns(rb, headers, mapping, None)
    check_columns(columns)
    id_headers = [columns.headers[c] for c in columns.id_columns]
    cohort = rb.program.has_cohort
    extra = []
    if cohort:
        from .cohort import extra_headers
        extra = extra_headers(rb)
    names = id_headers + indicator_headers(rb) + ["总分", "等级"] + extra
    source = None
    suffix = data.suffix.lower()
    try:
        if suffix == ".parquet":
            from .engine_sources import parquet_source
            source = parquet_source(data)
        elif suffix != ".csv":
            from .engine_sources import xlsx_source
            source = xlsx_source(data, sheet, [_kind_of(columns, c) for c in range(len(headers))],
                                 str(out.absolute().parent))
        if kind == "csv":
            return _score_lines(rb, data, out, columns, id_headers, names, source, cohort, mapping=mapping,
                                on_error=on_error, progress=progress, threads=threads, sheet=sheet)
        # the results as a raw CSV file (ids as they are), then in the format asked for
        fd, mid = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".csv", dir=out.absolute().parent)
        os.close(fd)
        try:
            later = kind in ("json", "jsonl", "xlsx")     # Python writes these: it reports the units
            got = _score_lines(rb, data, Path(mid), columns, id_headers, names, source, cohort, mapping=mapping,
                               on_error=on_error, progress=None if later else progress, threads=threads,
                               sheet=sheet, raw=True, final=out)
            if got[1] == "cohort":
                return got[0]
            if kind == "parquet":
                from .parquet import csv_to_parquet
                heads = [clean(str(h)) for h in names]
                atomic_write(out, lambda tmp: csv_to_parquet(mid, tmp, heads, set(heads[len(id_headers):-len(extra) - 1])))
                return got
            from .writers import write_results
            # a workbook keeps an id's type (a number, a date): from a typed file, the ids as
            # the Python engine reads them; a CSV's are texts, as the results CSV has them
            typed = (_typed_ids(data, sheet, columns, id_headers, {e.row for e in got[1]})
                     if kind == "xlsx" and source is not None else None)
            write_results(rb, _scored_from_csv(mid, id_headers, len(names) - len(id_headers) - len(extra) - 1,
                                               extra, {i.name for i in rb.program.cohort_inputs}, typed),
                          out, id_headers, progress=progress, extra_headers=extra)
            return got
        finally:
            os.unlink(mid)
    finally:
        if source is not None:
            source.close()


def _typed_ids(data: Path, sheet: Optional[str], columns: Columns, id_headers: list, skipped: set):
    """Each unit's ids in order, as the Python engine reads them from ``data`` (its rows
    but the blank ones, which no reader gives, and the ``skipped`` bad ones)."""
    _, rows = read_rows(data, sheet)
    try:
        for i, cells in rows:
            if i not in skipped:
                yield {h: (cells[c] if c < len(cells) else None) for c, h in zip(columns.id_columns, id_headers)}
    finally:
        rows.close()


def _scored_from_csv(path: str, id_headers: list, n_numbers: int, extra: list, statistics: set, typed=None):
    """The units of a raw results CSV as Scored (for the JSON and XLSX writers); with
    ``typed`` (``_typed_ids``) their ids those values, each checked to be the one the CSV
    shows (its text, cleaned)."""
    from decimal import Decimal
    from .results import Scored
    from .writers import _fmt
    k = len(id_headers)
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        next(r)
        for n, row in enumerate(r, 1):
            nums = [Decimal(x) for x in row[k:k + n_numbers]]
            ex = tuple((Decimal(x) if x else None) if h in statistics else x
                       for h, x in zip(extra, row[k + n_numbers + 1:]))
            ids = dict(zip(id_headers, row[:k]))
            if typed is not None:
                got = next(typed, None)
                if got is None or any(clean(_fmt(got[h])) != ids[h] for h in id_headers):
                    # an internal invariant (no file is known to break it): said, not a traceback
                    shown = "、".join(f"{h}={v}" for h, v in ids.items())
                    raise DataError(f"DuckDB 引擎的第{n}个单位（{shown}）不是文件中的下一个单位（{got}），请用 --engine python "
                                    f"评分并报告此问题 / the DuckDB engine's unit {n} ({shown}) is not the file's next "
                                    f"unit ({got}): score with --engine python, and please report this")
                ids = got
            yield Scored(0, ids, tuple(nums[:-1]), nums[-1], row[k + n_numbers], extra=ex)


def _score_lines(rb: CompiledRulebook, data: Path, out: Path, columns: Columns, id_headers: list, names: list,
                 source, cohort: bool, *, mapping, on_error, progress, threads, sheet, raw: bool = False,
                 final: Optional[Path] = None):
    """The results as CSV lines at ``out`` (atomically; with ``raw`` ids as they are, no BOM,
    at ``out`` as it is); returns (units, RowErrors) — or, where the Python engine scored a
    cohort file whole into ``final`` itself, ((units, RowErrors), "cohort")."""
    import duckdb
    # BIGINT where the bounds allow, then (planned only if that overflows) HUGEINT
    queries = [lambda: plan_query(rb, columns, narrow=True, data=str(data), source=source, raw=raw)[0],
               lambda: plan_query(rb, columns, data=str(data), source=source, raw=raw)[0]]
    head = io.StringIO()
    csv.writer(head).writerow([clean(str(h)) for h in names] if raw else csv_row(names))
    F = _Formats()
    grades: dict = {}
    errors: list = []
    counts = [0, 0, 0]             # lines DuckDB wrote; of them rows for the Python path; of those scored
    shown = [0]                    # units reported to ``progress`` while DuckDB ran

    fetched = [None]               # a table's marked rows, as the Python engine reads them

    def python_line(rowno: int, line: bytes) -> Optional[bytes]:
        """A row the SQL did not score through the Python path: its output line, or None (a
        blank line, skipped; its errors kept, or raised under "stop")."""
        if source is not None:
            rowno = int(line)
            got = next(fetched[0], None)
            if got is None or got[0] != rowno:
                return None               # a blank row: no reader gives it
            cells = got[1]
            if blank(cells):
                return None
        else:
            text = line.decode("utf-8")
            cells = text.split(",")
            if len(text) > limit and max(map(len, cells)) > limit:
                e = f"field larger than field limit ({limit})"       # the csv module's words
                raise DataError(f"{data} 第{rowno}行：{e} / row {rowno}: {e}")
            if not text.replace(",", "").strip():
                return None
        res = score_cells(rb, columns, rowno, cells)
        if isinstance(res, list):
            if on_error == "stop":
                raise BadRows(res)
            errors.extend(res)
            return None
        buf = io.StringIO()
        csv.writer(buf).writerow(csv_record(res, id_headers, F, grades, raw=raw))
        counts[2] += 1
        return buf.getvalue().encode("utf-8")

    limit = csv.field_size_limit()
    con = duckdb.connect(":memory:")
    try:
        # a division whose divisor is 0 on a row the SQL leaves to the Python path (an input
        # out of its range: -0, 0.0 for "> 0") gives NULL, not an error: every query is
        # evaluated on every row, and such a row's _okall is false (compile.py's guards)
        con.execute("SET error_on_division_by_zero = false")
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        con.execute("SET preserve_insertion_order = true")

        def write(tmp):
            # DuckDB writes the file itself, the header (with the BOM) its column's name; only
            # where it marked rows for the Python path is the file copied, those rows spliced in
            header = ("" if raw else "\ufeff") + head.getvalue()[:-1]     # csv.writer's \r\n: DuckDB adds the \n
            counts[0], shown[0] = _run(con, queries, tmp, data, progress, header, cohort, source)
            if not _marked(tmp):
                return
            if cohort:
                # a unit the SQL did not score may be one the Python engine takes (so in the
                # cohort): it cannot be scored alone (E0630), the file is scored by Python
                raise _WholeFile()
            if source is not None:
                fetched[0] = source.fetch(_marked_rows(tmp))
            fd, part = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.absolute().parent)
            os.close(fd)
            try:
                os.replace(tmp, part)
                with open(tmp, "wb") as f, open(part, "rb") as g:
                    counts[1] = _splice(g, f, python_line)
            finally:
                os.unlink(part)
                if fetched[0] is not None:
                    fetched[0].close()
        try:
            if raw:
                write(str(out))
            else:
                atomic_write(out, write)
        except _NotUtf8 as e:
            # the Python engine names the row (or stops at a bad row before it): read the
            # file as it does, which raises its error
            if source is not None:
                raise e.error from None
            if cohort:
                raise _WholeFile() from None
            from .scoring import score_rows
            _, scored = score_rows(rb, data, mapping=mapping, on_error=on_error, errors=[])
            for _ in scored:
                pass
            raise e.error from None
    except _WholeFile:
        from .cohort import score_cohort_file
        if progress and shown[0]:
            progress(-shown[0])           # counted again by the Python engine
        got = score_cohort_file(rb, data, final or out, mapping=mapping, sheet=sheet, on_error=on_error,
                                progress=progress, jobs=threads or os.cpu_count() or 1)
        return (got, "cohort") if final is not None else got
    finally:
        con.close()
    n = counts[0] - counts[1] + counts[2]
    if progress and n != shown[0]:
        progress(n - shown[0])
    return n, errors
