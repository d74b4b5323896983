"""CSV to CSV scored by DuckDB: `jixiao score RULEBOOK units.csv -o OUT.csv --engine duckdb`.

DuckDB reads the file (each line one text value, numbered), splits the cells, parses and
validates them and scores every unit with the rulebook's exact SQL
(``compiler.backend.sql``), formats the scores as the Python path formats them and
writes the lines (``COPY … TO``): no Python work per row. A row the SQL does not take —
a cell not in plain form (``96.3%``, ``是 `` with a space), a bad value, a rule that
fails on it — is scored by the Python path (``scoring.score_cells``), which also words
its errors: the output and the bad-row report are those of the Python engine, byte for
byte (tests/data/test_engine_duckdb.py), written atomically in the same way.

The file must be UTF-8 CSV without quote characters or bare carriage returns (a record
is then a line and a cell what lies between commas, exactly as the csv module reads it);
other files take the Python engine.
"""
from __future__ import annotations

import csv
import importlib.util
import io
import os
from re import escape as re_escape
import tempfile
from pathlib import Path
from typing import Optional

from ..api import CompiledRulebook
from ..files import atomic_write
from .columns import Columns
from .readers import read_rows
from .results import BadRows, DataError, indicator_headers
from .scoring import check_columns, score_cells
from .parquet import blank, sql_string
from .writers import _Formats, csv_record
from ..safe_text import FORMULA_START, clean, csv_cell, csv_row

# Python's str.strip() whitespace: a row of only these (and commas) is blank and skipped
_SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}"
# below this many bytes of CSV (~10,000 units) the Python engine is as fast (DuckDB's start and the
# planning of a large query cost ~0.5 s); `--engine auto` then keeps Python
AUTO_MIN_BYTES = 4_000_000
IN_SUFFIXES = (".csv", ".parquet", ".xlsx", ".xlsm")
OUT_SUFFIXES = (".csv", ".parquet", ".xlsx", ".json", ".jsonl")


def available() -> bool:
    return importlib.util.find_spec("duckdb") is not None


def plan_of(rb: CompiledRulebook):
    """The rulebook's SQL plan for text cells (cached on the compiled rulebook), or the
    Unsupported error that refuses it."""
    from ..backend.sql import Unsupported, plan
    cache = rb.__dict__.setdefault("_sql_plans", {})
    if "check" not in cache:
        try:
            plan(rb.program, "duckdb", lambda inp: "''", cohort=rb.program.has_cohort)
            cache["check"] = None
        except Unsupported as e:
            cache["check"] = e
    return cache["check"]


def plain_csv(path: Path) -> Optional[str]:
    """None when the file can be read line by line (no quotes, no bare CR, no \\x01); else why not."""
    try:
        if path.stat().st_size == 0:
            return "empty"
        cr = crlf = 0
        last = b""
        with open(path, "rb") as f:
            while True:
                block = f.read(1 << 24)
                if not block:
                    break
                if b'"' in block:
                    return "quotes"
                if b"\x01" in block:
                    return "control characters"
                cr += block.count(b"\r")
                crlf += block.count(b"\r\n") + (last == b"\r" and block[:1] == b"\n")
                last = block[-1:]
        if cr != crlf:
            return "bare carriage returns"
    except OSError as e:
        return str(e)
    return None


def eligible(rb: CompiledRulebook, data: Path, out: Optional[Path], rows=None) -> Optional[str]:
    """Why this job cannot take the DuckDB engine, or None."""
    if not available():
        return "duckdb 未安装（pip install 'jixiao[sql]'） / duckdb is not installed (pip install 'jixiao[sql]')"
    if data.is_dir() or data.suffix.lower() not in IN_SUFFIXES:
        return ("DuckDB 引擎读 CSV、Parquet、XLSX 文件 / the duckdb engine reads CSV, Parquet and XLSX files")
    if out is None or out.suffix.lower() not in OUT_SUFFIXES:
        return ("DuckDB 引擎写文件（-o 结果.csv/.parquet/.xlsx/.json/.jsonl） / the duckdb engine writes a file "
                "(-o OUT.csv/.parquet/.xlsx/.json/.jsonl)")
    if rows is not None:
        return "DuckDB 引擎不读指标行表 / the duckdb engine does not read tables of 指标行"
    if data.suffix.lower() != ".csv":
        return None
    why = plain_csv(data)
    if why is not None:
        return (f"DuckDB 引擎只读不含引号、单独回车的 CSV（{why}） / the duckdb engine reads CSV files without "
                f"quotes or bare carriage returns ({why})")
    return None


def use(rb: CompiledRulebook, data: Path, out: Optional[Path], rows, engine: str) -> bool:
    """Does the job take the DuckDB engine? "duckdb": yes, or DataError / Unsupported saying
    why it cannot; "auto": when it can and the file is large enough to gain."""
    if engine == "auto":
        try:
            # a workbook's rows are read by openpyxl either way: Python keeps it (Parquet is compressed)
            if data.is_dir() or data.suffix.lower() not in (".csv", ".parquet") or \
                    data.stat().st_size < AUTO_MIN_BYTES // (4 if data.suffix.lower() == ".parquet" else 1):
                return False
        except OSError:
            return False
    why = eligible(rb, data, out, rows)
    if engine == "duckdb":
        if why is not None:
            raise DataError(why)
        refused = plan_of(rb)
        if refused is not None:
            raise refused
        return True
    return why is None and plan_of(rb) is None


def _csv_text(value: str) -> str:
    """A cell as csv.writer writes it within a row."""
    buf = io.StringIO()
    csv.writer(buf).writerow([value, ""])
    return buf.getvalue()[:-3]


def _quoted(sql: str) -> str:
    """A text cell quoted as csv.writer quotes it (a comma, quote, CR or LF in it)."""
    return (f"(CASE WHEN regexp_matches({sql}, '[,\"\r\n]') THEN '\"' || replace({sql}, '\"', '\"\"') || '\"' "
            f"ELSE {sql} END)")


def plan_query(rb: CompiledRulebook, columns: Columns, narrow: bool = False, data: str = "units.csv",
               source=None):
    """(the query scoring the lines of the CSV file ``data`` — or the rows of the table
    ``source``, an ``engine_sources.TableSource`` —, its plan): per line after the
    header, in order, ``_out``: the output line, or for a row the SQL does not score (a
    blank line among them) ``\\x01`` and the line (the file has no \\x01: ``plain_csv``;
    from a table: ``\\x01`` and the row number), which the Python path scores or skips."""
    from ..backend.sql import plan
    from ..backend.sql.values import Layer
    col_of = {name: col for col, name in columns.to_input.items()}
    used: dict = {}                # column number -> alias of its cell, extracted once

    def cell(c: int) -> str:
        return used.setdefault(c, f"_c{c}")

    def cells(inp):
        if inp.name in columns.checklist_parts:
            # fewer item columns than items: the missing ones NULL, the row left to the Python
            # path (which says the checklist has too few items); the SQL read past the list
            parts = [cell(c) for _, c in sorted(columns.checklist_parts[inp.name])]
            return parts + ["NULL"] * (len(inp.members or ()) - len(parts))
        if inp.name not in col_of:
            return "NULL"
        return cell(col_of[inp.name])
    cohort = rb.program.has_cohort
    pl = plan(rb.program, "duckdb", cells, narrow=narrow, cohort=cohort)
    d = pl.dialect
    names = [b.name for b in rb.program.grades]
    grade_csv = "(CASE " + " ".join(f"WHEN {pl.grade_index} = {k} THEN {d.string(_csv_text(csv_cell(nm)))}"
                                    for k, nm in enumerate(names)) + " END)"
    for c in columns.id_columns:
        cell(c)
    # a table's ids may hold commas and quotes: quoted as csv.writer quotes them
    parts = [(_quoted if source is not None else lambda x: x)(f"COALESCE({cell(c)}, '')") for c in columns.id_columns]
    parts += [sql for _, sql in pl.formatted()[:len(pl.scores) + 1]] + [grade_csv]
    # a cohort's statistics and 名额 after 等级, quoted as csv.writer quotes (a 名额 note is text)
    parts += [_quoted(sql) for _, sql in pl.extra]
    line = "concat_ws(',', " + ", ".join(parts) + ") || chr(13)"
    blank = f"regexp_full_match(COALESCE(_line, ''), '[{_SPACE},]*')"
    if source is not None:
        src, ok_src = _table_rows(source, columns, used, cohort)
        passthrough = [("_rn", "_rn")] * cohort + [("_r", "_r"), ("_n", "_n"), ("_tok", "_tok")] + [(cell(c), cell(c)) for c in columns.id_columns]
        limits = f" AND {ok_src}"
        marked = "chr(1) || CAST(_r AS VARCHAR)"
    else:
        # the lines as DuckDB's CSV reader gives them, one a line (a blank one too), read in
        # parallel and kept in order (preserve_insertion_order): no row number (a row_number()
        # would run the whole query on one thread); the Python path counts the lines
        lines = (f"(SELECT line AS _line, string_split(line, ',') AS _c FROM read_csv({sql_string(data)}, "
                 f"columns={{'line': 'VARCHAR'}}, header=true, delim='\x01', quote='', escape='', auto_detect=false, "
                 f"strict_mode=false, null_padding=false))")
        if cohort:
            # the windows see the whole table and sort it: the lines numbered (the table _raw's
            # rowid: ``_run``) to put the output back in order; a blank line is no unit
            lines = (f"(SELECT rowid AS _rn, _line, string_split(_line, ',') AS _c FROM _raw "
                     f"WHERE rowid > 0 AND NOT {blank})")
        # each cell the rules read in a column of its own, extracted once
        src = ("(SELECT " + ("_rn, " if cohort else "") + "_line, " + "".join(f"list_extract(_c, {c + 1}) AS {a}, " for c, a in sorted(used.items()))
               + f"len(_c) AS _n FROM {lines})")
        passthrough = [("_rn", "_rn")] * cohort + [("_line", "_line"), ("_n", "_n")] + [(cell(c), cell(c)) for c in columns.id_columns]
        # a line longer than the csv module's field limit (in bytes: at least its characters),
        # which the Python path refuses as the csv module does if a cell is over the limit;
        # and a blank line (only spaces and commas), which the Python path skips
        limits = f" AND strlen(COALESCE(_line, '')) <= {csv.field_size_limit()} AND NOT {blank}"
        marked = "chr(1) || COALESCE(_line, '')"
    # a row with more cells than the header has columns takes the Python path (an error
    # unless the cells past the header are empty)
    # as does an id that safe_text.csv_cell would change (a leading =, +, -, @, tab: a formula
    # to a spreadsheet; a control character)
    starts = "".join(re_escape(c) for c in FORMULA_START)
    plain_ids = "".join(f" AND NOT regexp_matches(COALESCE({cell(c)}, ''), '^[{starts}]|[\x00-\x08\x0b\x0c\x0e-\x1f]')"
                        for c in columns.id_columns)
    pl.layers.append(Layer([("_okall", f"({pl.ok}) AND _n <= {len(columns.headers)}{plain_ids}{limits}")]))
    final = [("_out", f"CASE WHEN _okall THEN {line} ELSE {marked} END")]
    if cohort:
        final.append(("_rn", "_rn"))
    return pl.query(src, passthrough, final), pl


def _kind_of(columns: Columns, c: int):
    """The input kind column ``c`` gives (a checklist's item column: yes/no), None for an id."""
    name = columns.to_input.get(c)
    if name is not None:
        return columns.inputs[name].kind
    if any(c == col for parts in columns.checklist_parts.values() for _, col in parts):
        return "boolean"
    return None


def _table_rows(source, columns: Columns, used: dict, cohort: bool) -> tuple[str, str]:
    """(the FROM item of a table's rows: ``_r``, each used cell as text, ``_n``, ``_tok``;
    the condition on a row the SQL may score)."""
    conds = [source.ok] if source.ok else []
    exprs = []
    for c, alias in sorted(used.items()):
        sql, ok = source.cell(c, _kind_of(columns, c))
        exprs.append(f"{sql} AS {alias}")
        if ok:
            conds.append(ok)
    blank = source.blank(_SPACE)
    rows = "(SELECT rowid AS _rn, * FROM _raw)" if cohort else source.table
    where = f" WHERE NOT {blank}" if cohort else ""
    tok = " AND ".join(conds) or "true"
    src = (f"(SELECT " + ("_rn, " if cohort else "") + "_r, " + "".join(e + ", " for e in exprs)
           + f"{len(columns.headers)} AS _n, ({tok}) AND NOT {blank} AS _tok FROM {rows}{where})")
    return src, "_tok"


def _polling(con, lines: int, progress):
    """A thread that reports, every half second, the lines DuckDB's query has got through
    (``query_progress``, a percentage) to ``progress`` as increments; ``stop()`` ends it and
    returns how many it reported."""
    import threading
    done = threading.Event()
    shown = [0]

    def poll():
        while not done.wait(0.5):
            try:
                pct = con.query_progress()
            except Exception:                      # the query ended between two polls
                return
            k = int(lines * min(max(pct, 0.0), 100.0) / 100) - shown[0]
            if k > 0:
                shown[0] += k
                progress(k)
    t = threading.Thread(target=poll, daemon=True)
    t.start()

    def stop() -> int:
        done.set()
        t.join()
        return shown[0]
    return stop


def _run(con, queries: list, part: str, data: Path, progress=None, header: str = "_out",
         cohort: bool = False, source=None) -> tuple[int, int]:
    """COPY the scored lines of ``data`` to ``part``, after the
    line ``header`` (the column's name, written as it is: the delimiter is \x01); returns
    (the number of lines written, the units reported to ``progress`` meanwhile).
    ``queries``: functions giving the BIGINT query, then the
    HUGEINT one: DuckDB raises on any BIGINT overflow (a bound the narrow plan got wrong),
    and the next query runs instead — a rerun, never a wrong score."""
    import duckdb
    try:
        order = ""
        if cohort and source is not None:        # a table's rows, numbered by the rowid of _raw
            con.execute(f"CREATE TEMP TABLE _raw AS SELECT * FROM {source.table}")
            order = " ORDER BY _rn"
        elif cohort:            # the lines in a table, numbered by its rowid (plan_query), put back in order
            con.execute(f"CREATE TEMP TABLE _raw AS SELECT line AS _line FROM read_csv({sql_string(str(data))}, "
                        f"columns={{'line': 'VARCHAR'}}, header=false, delim='\x01', quote='', escape='', "
                        f"auto_detect=false, strict_mode=false, null_padding=false)")
            order = " ORDER BY _rn"
        stop = None
        if progress is not None:
            con.execute("SET enable_progress_bar = true")       # query_progress() is -1 without it
            con.execute("SET enable_progress_bar_print = false")
            stop = _polling(con, _lines_about(data), progress)
        try:
            for k, q in enumerate(queries):
                try:
                    name = '"' + header.replace('"', '""') + '"'
                    n = con.execute(f"COPY (SELECT _out AS {name} FROM ({q()}){order}) TO {sql_string(part)} "
                                    f"(FORMAT csv, HEADER true, QUOTE '', ESCAPE '', DELIMITER '\x01')").fetchone()[0]
                    return n, (stop() if stop else 0)
                except (duckdb.OutOfRangeException, duckdb.ConversionException):
                    if k == len(queries) - 1:
                        raise
        finally:
            if stop:
                stop()
        raise AssertionError("no query")
    except duckdb.InvalidInputException as e:
        if "unicode" in str(e).lower() or "utf" in str(e).lower():
            raise _NotUtf8(DataError(f"{data} 不是 UTF-8 编码的 CSV / is not a UTF-8 CSV file "
                                     "(Excel: 另存为 “CSV UTF-8”)")) from None
        raise


class _NotUtf8(Exception):
    """DuckDB found bytes that are not UTF-8 (``error``: its DataError, naming no row)."""

    def __init__(self, error: DataError):
        super().__init__(str(error))
        self.error = error


def _lines_about(data: Path) -> int:
    """About how many lines ``data`` has (its size over the mean length of its first MB's)."""
    with open(data, "rb") as f:
        head = f.read(1 << 20)
        size = os.fstat(f.fileno()).st_size
    return max(1, round(size * head.count(b"\n") / max(1, len(head))) - 1)


def _marked(path: str) -> bool:
    """Does DuckDB's output hold a line marked for the Python path (``\x01`` first)?"""
    import mmap
    with open(path, "rb") as f:
        if os.fstat(f.fileno()).st_size == 0:
            return False
        with mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            return m.find(b"\n\x01") >= 0


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
            ints = {h for c, h in zip(columns.id_columns, id_headers) if source is not None and c in source.int_columns}
            write_results(rb, _scored_from_csv(mid, id_headers, len(names) - len(id_headers) - len(extra) - 1,
                                               extra, {i.name for i in rb.program.cohort_inputs}, ints),
                          out, id_headers, progress=progress, extra_headers=extra)
            return got
        finally:
            os.unlink(mid)
    finally:
        if source is not None:
            source.close()


def _scored_from_csv(path: str, id_headers: list, n_numbers: int, extra: list, statistics: set, ints: set):
    """The units of a raw results CSV as Scored (for the JSON and XLSX writers); the ids
    ``ints`` (of integer columns) as the integers the Python engine reads there."""
    from decimal import Decimal
    from .results import Scored
    k = len(id_headers)
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        next(r)
        for row in r:
            nums = [Decimal(x) for x in row[k:k + n_numbers]]
            ex = tuple((Decimal(x) if x else None) if h in statistics else x
                       for h, x in zip(extra, row[k + n_numbers + 1:]))
            ids = {h: (int(x) if h in ints and x else x) for h, x in zip(id_headers, row[:k])}
            yield Scored(0, ids, tuple(nums[:-1]), nums[-1], row[k + n_numbers], extra=ex)


def _score_lines(rb: CompiledRulebook, data: Path, out: Path, columns: Columns, id_headers: list, names: list,
                 source, cohort: bool, *, mapping, on_error, progress, threads, sheet, raw: bool = False,
                 final: Optional[Path] = None):
    """The results as CSV lines at ``out`` (atomically; with ``raw`` ids as they are, no BOM,
    at ``out`` as it is); returns (units, RowErrors) — or, where the Python engine scored a
    cohort file whole into ``final`` itself, ((units, RowErrors), "cohort")."""
    import duckdb
    # BIGINT where the bounds allow, then (planned only if that overflows) HUGEINT
    queries = [lambda: plan_query(rb, columns, narrow=True, data=str(data), source=source)[0],
               lambda: plan_query(rb, columns, data=str(data), source=source)[0]]
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
