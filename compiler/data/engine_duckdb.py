"""The DuckDB engine's plan: `jixiao score RULEBOOK DATA -o OUT --engine duckdb`.

DuckDB reads the file (a CSV's lines each one text value, numbered; a Parquet or XLSX
file as a table, ``engine_sources``), splits the cells, parses and validates them and
scores every unit with the rulebook's exact SQL (``compiler.backend.sql``), formats the
scores as the Python path formats them and writes the lines (``COPY … TO``): no Python
work per row. A row the SQL does not take — a cell not in plain form (``96.3%``, ``是 ``
with a space), a bad value, a rule that fails on it — is marked, and ``engine_files``
scores it by the Python path (``scoring.score_cells``), which also words its errors: the
output and the bad-row report are those of the Python engine, byte for byte
(tests/data/test_engine_duckdb.py, test_engine_duckdb_formats.py).

This module decides whether the engine takes a job (``eligible``, ``use``), plans the
query (``plan_query``) and runs it (``_run``); ``engine_files`` delivers the file.
A CSV must be UTF-8 without quote characters or bare carriage returns (a record is then
a line and a cell what lies between commas, exactly as the csv module reads it); other
CSV files take the Python engine.
"""
from __future__ import annotations

import csv
import importlib.util
import io
import os
import re
from re import escape as re_escape
from pathlib import Path
from typing import Optional

from ..api import CompiledRulebook
from .columns import Columns
from .results import DataError
from .parquet import sql_string
from ..safe_text import FORMULA_START, clean, csv_cell

# Python's str.strip() whitespace: a row of only these (and commas) is blank and skipped
_SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}"
# below this many bytes of CSV (~10,000 units) the Python engine is as fast (DuckDB's start and the
# planning of a large query cost ~0.5 s); `--engine auto` then keeps Python
AUTO_MIN_BYTES = 4_000_000
# a CSV header with more columns than this: `--engine auto` keeps Python (the columns the rules do
# not read are ids: DuckDB plans ~0.45 s per 1,000 of them, Python copies them at no cost)
AUTO_MAX_COLUMNS = 1000
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


_BARE_CR = re.compile(rb"\r(?!\n)")


def plain_csv(path: Path) -> Optional[str]:
    """None when the file can be read line by line (no quotes, no bare CR, no \\x01, no CRLF
    after a header ending in LF); else why not."""
    import mmap
    try:
        if path.stat().st_size == 0:
            return "empty"
        # mapped, not read: each test a scan at memory speed (~0.25 s for 376 MB, a third of reading
        # it in blocks and counting CRs and CRLFs)
        with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as m:
            if m.find(b'"') >= 0:
                return "quotes"
            if m.find(b"\x01") >= 0:
                return "control characters"
            if m.find(b"\r") >= 0:
                if _BARE_CR.search(m) is not None:
                    return "bare carriage returns"
                # a header ending in LF makes DuckDB read each later CRLF as a line and an empty
                # one: the rows' numbers would differ from the csv module's
                first = m.find(b"\n")
                if first >= 0 and m[first - 1:first] != b"\r" and m.find(b"\r\n") >= 0:
                    return "mixed line endings"
    except (OSError, ValueError) as e:
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
            if data.suffix.lower() == ".csv" and _header_columns(data) > AUTO_MAX_COLUMNS:
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


def _header_columns(data: Path) -> int:
    """About how many columns the CSV's header has (its commas in the first MB, plus one)."""
    with open(data, "rb") as f:
        head = f.read(1 << 20)
    return head.split(b"\n", 1)[0].count(b",") + 1


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
               source=None, raw: bool = False):
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
    forms: dict = {}               # alias of a cell -> the pattern of its plain form (a number's)

    def plain(sql: str, pattern: str):
        # a line's cells are matched in one regular expression (_lp, below): one match of
        # each line, not one of each cell, ~4× cheaper; a cell read as two forms keeps its own
        if source is not None or sql not in used.values() or forms.setdefault(sql, pattern) != pattern:
            return None
        return "_lp"
    pl = plan(rb.program, "duckdb", cells, narrow=narrow, cohort=cohort, plain=plain)
    d = pl.dialect
    names = [b.name for b in rb.program.grades]
    # the grade's name as the Python path writes it (writers.csv_record: cleaned for a raw
    # results file, which another format is made from; else neutralised for a spreadsheet)
    grade_csv = "(CASE " + " ".join(f"WHEN {pl.grade_index} = {k} THEN {d.string(_csv_text(clean(nm) if raw else csv_cell(nm)))}"
                                    for k, nm in enumerate(names)) + " END)"
    for c in columns.id_columns:
        cell(c)
    # the ids joined once, where the source is read (_ids, and _idok below), and carried through
    # the layers as one column: a file of 20,000 columns not read by the rules (each an id) took
    # 18 s to plan with each carried; a table's ids may hold commas and quotes: quoted as
    # csv.writer quotes them
    ids = [(_quoted if source is not None else lambda x: x)(f"COALESCE({cell(c)}, '')") for c in columns.id_columns]
    parts = ["_ids"] if ids else []
    parts += [sql for _, sql in pl.formatted()[:len(pl.scores) + 1]] + [grade_csv]
    # a cohort's statistics and 名额 after 等级, quoted as csv.writer quotes (a 名额 note is text)
    parts += [_quoted(sql) for _, sql in pl.extra]
    line = "concat_ws(',', " + ", ".join(parts) + ") || chr(13)"
    blank = f"regexp_full_match(COALESCE(_line, ''), '[{_SPACE},]*')"
    if source is not None:
        src, ok_src = _table_rows(source, columns, used, cohort)
        passthrough = [("_rn", "_rn")] * cohort + [("_r", "_r"), ("_n", "_n"), ("_tok", "_tok")]
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
        # each cell the rules read in a column of its own, extracted once; _lp: the line has
        # as many cells as the header, each number's in its plain form (``plain``)
        by_alias = {a: c for c, a in used.items()}
        at = {by_alias[a]: p for a, p in forms.items()}
        line_form = ",".join(f"({at[c]})" if c in at else "[^,]*" for c in range(len(columns.headers)))
        src = ("(SELECT " + ("_rn, " if cohort else "") + "_line, " + "".join(f"list_extract(_c, {c + 1}) AS {a}, " for c, a in sorted(used.items()))
               + f"len(_c) AS _n, {'regexp_full_match(_line, ' + sql_string(line_form) + ')' if forms else 'FALSE'} AS _lp FROM {lines})")
        passthrough = [("_rn", "_rn")] * cohort + [("_line", "_line"), ("_n", "_n")]
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
    plain_ids = " AND ".join(f"NOT regexp_matches(COALESCE({cell(c)}, ''), '^[{starts}]|[\x00-\x08\x0b\x0c\x0e-\x1f]')"
                             for c in columns.id_columns)
    if ids:
        src = f"(SELECT *, concat_ws(',', {', '.join(ids)}) AS _ids, {plain_ids} AS _idok FROM {src})"
        passthrough += [("_ids", "_ids"), ("_idok", "_idok")]
    pl.layers.append(Layer([("_okall", f"({pl.ok}) AND _n <= {len(columns.headers)}{' AND _idok' if ids else ''}{limits}")]))
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
    src = ("(SELECT " + ("_rn, " if cohort else "") + "_r, " + "".join(e + ", " for e in exprs)
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
