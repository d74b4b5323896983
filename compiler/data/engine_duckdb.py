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
import shutil
import tempfile
from pathlib import Path
from typing import Optional

from ..api import CompiledRulebook
from ..files import atomic_write
from .columns import Columns
from .readers import read_rows
from .results import BadRows, DataError, indicator_headers
from .scoring import check_columns, score_cells
from .writers import _fmt, _Formats

# Python's str.strip() whitespace: a row of only these (and commas) is blank and skipped
_SPACE = "\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}"
# below this many bytes of CSV (~10,000 units) the Python engine is as fast (DuckDB's start and the
# planning of a large query cost ~0.5 s); `--engine auto` then keeps Python
AUTO_MIN_BYTES = 4_000_000


def available() -> bool:
    return importlib.util.find_spec("duckdb") is not None


def plan_of(rb: CompiledRulebook):
    """The rulebook's SQL plan for text cells (cached on the compiled rulebook), or the
    Unsupported error that refuses it."""
    from ..backend.sql import Unsupported, plan
    cache = rb.__dict__.setdefault("_sql_plans", {})
    if "check" not in cache:
        try:
            plan(rb.program, "duckdb", lambda inp: "''")
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
    if data.is_dir() or data.suffix.lower() != ".csv":
        return "DuckDB 引擎只读 CSV 文件 / the duckdb engine reads CSV files"
    if out is None or out.suffix.lower() != ".csv":
        return "DuckDB 引擎只写 CSV 文件（-o 结果.csv） / the duckdb engine writes CSV files (-o OUT.csv)"
    if rows is not None:
        return "DuckDB 引擎不读指标行表 / the duckdb engine does not read tables of 指标行"
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
            if data.is_dir() or data.stat().st_size < AUTO_MIN_BYTES:
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


def score_csv_duckdb(rb: CompiledRulebook, data: Path, out: Path, *, mapping: Optional[dict] = None,
                     on_error: str = "stop", progress=None, threads: Optional[int] = None) -> tuple[int, list]:
    """Score ``data`` into ``out`` with DuckDB; returns (units scored, RowErrors skipped).
    Raises BadRows under "stop", DataError for a file that cannot be read, Unsupported for
    a rulebook the SQL backend refuses."""
    import duckdb
    from ..backend.sql import plan
    refused = plan_of(rb)
    if refused is not None:
        raise refused
    headers, rows = read_rows(data)
    rows.close()
    columns = Columns(rb, headers, mapping, None)
    check_columns(columns)
    col_of = {name: col for col, name in columns.to_input.items()}

    def cell(c: int) -> str:
        return f"list_extract(_c, {c + 1})"

    def cells(inp):
        if inp.name in columns.checklist_parts:
            return [cell(c) for _, c in sorted(columns.checklist_parts[inp.name])]
        if inp.name not in col_of:
            return "NULL"
        return cell(col_of[inp.name])
    pl = plan(rb.program, "duckdb", cells)
    d = pl.dialect
    id_headers = [columns.headers[c] for c in columns.id_columns]
    names = [b.name for b in rb.program.grades]
    grade_csv = "(CASE " + " ".join(f"WHEN {pl.grade_index} = {k} THEN {d.string(_csv_text(nm))}"
                                    for k, nm in enumerate(names)) + " END)"
    parts = [f"COALESCE({cell(c)}, '')" for c in columns.id_columns]
    parts += [sql for _, sql in pl.formatted()[:-1]] + [grade_csv]
    line = "concat_ws(',', " + ", ".join(parts) + ") || chr(13)"
    src = (f"(SELECT * FROM (SELECT row_number() OVER () AS _rn, line AS _line FROM read_csv({d.string(str(data))}, "
           f"columns={{'line': 'VARCHAR'}}, header=false, delim='\x01', quote='', escape='', auto_detect=false, "
           f"strict_mode=false, null_padding=false)) "
           f"WHERE _rn > 1 AND NOT regexp_full_match(COALESCE(_line, ''), '[{_SPACE},]*'))")
    passthrough = [("_rn", "_rn"), ("_line", "_line"), ("_c", "string_split(_line, ',')")]
    from ..backend.sql.compile import Layer
    pl.layers.append(Layer([("_okall", f"({pl.ok})")]))       # once, read by the three columns below
    final = [("_rn", "_rn"), ("_ok", "_okall"), ("_out", f"CASE WHEN _okall THEN {line} END"),
             ("_src", "CASE WHEN NOT _okall THEN _line END")]
    query = pl.query(src, passthrough, final)
    con = duckdb.connect(":memory:")
    try:
        if threads:
            con.execute(f"SET threads = {int(threads)}")
        con.execute("SET preserve_insertion_order = true")
        try:
            con.execute("CREATE TEMP TABLE _res AS " + query)
        except duckdb.InvalidInputException as e:
            if "unicode" in str(e).lower() or "utf" in str(e).lower():
                raise DataError(f"{data} 不是 UTF-8 编码的 CSV / is not a UTF-8 CSV file (Excel: 另存为 “CSV UTF-8”)") from None
            raise
        bad = con.execute("SELECT _rn, _src FROM _res WHERE NOT _ok ORDER BY _rn").fetchall()
        n_sql = con.execute("SELECT count(*) FROM _res WHERE _ok").fetchone()[0]
        errors: list = []
        extra = []                     # (row number, CSV line) of rows the Python path scored
        F = _Formats()
        for rowno, text in bad:
            res = score_cells(rb, columns, int(rowno), text.split(","))
            if isinstance(res, list):
                if on_error == "stop":
                    raise BadRows(res)
                errors.extend(res)
                continue
            row = [_fmt(res.ids.get(h)) for h in id_headers] + [F[str(x)] for x in res.scores]
            row += [F[str(res.total)], res.grade]
            buf = io.StringIO()
            csv.writer(buf).writerow(row)
            extra.append((int(rowno), buf.getvalue()[:-1]))       # the \n comes from COPY
        if extra:
            con.execute("CREATE TEMP TABLE _fb (_rn BIGINT, _out VARCHAR)")
            con.executemany("INSERT INTO _fb VALUES (?, ?)", extra)
            body = ("SELECT _out FROM (SELECT _rn, _out FROM _res WHERE _ok UNION ALL SELECT _rn, _out FROM _fb) "
                    "ORDER BY _rn")
        else:
            body = "SELECT _out FROM _res WHERE _ok ORDER BY _rn"
        head = io.StringIO()
        csv.writer(head).writerow(id_headers + indicator_headers(rb) + ["总分", "等级"])

        def write(tmp):
            fd, part = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".part", dir=out.absolute().parent)
            os.close(fd)
            try:
                con.execute(f"COPY ({body}) TO {d.string(part)} (FORMAT csv, HEADER false, QUOTE '', ESCAPE '', "
                            f"DELIMITER '\x01')")
                with open(tmp, "wb") as f, open(part, "rb") as g:
                    f.write(b"\xef\xbb\xbf" + head.getvalue().encode("utf-8"))
                    shutil.copyfileobj(g, f, 1 << 20)
            finally:
                os.unlink(part)
        atomic_write(out, write)
    finally:
        con.close()
    n = n_sql + len(extra)
    if progress:
        progress(n)
    return n, errors
