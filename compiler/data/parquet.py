"""Parquet files, read and written through DuckDB (the ``sql`` extra: ``pip install
'jixiao[sql]'``), for both engines.

Reading: the columns' names are the header, each row a unit, numbered as a CSV file's
rows are (the header is row 1, the first unit row 2); values as the other readers give
them — a DOUBLE by its shortest repr (0.1 -> Decimal('0.1')), a DECIMAL exact, an
integer as it is, text as it is, a LIST as a tuple (a checklist of BOOLEANs), a
STRUCT as an object; a row of only NULLs and blank texts is skipped, as a blank CSV line is.

Writing: the results' columns as a CSV file writes them (ids, each indicator's score,
总分, 等级, a cohort's statistics), the scores and the total as DECIMAL(38, s) with the
scale of the finest value written (exact, never DOUBLE), the rest as VARCHAR (texts
cleaned as in a workbook: ``safe_text.clean``; an empty id is NULL).
"""
from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path
from typing import Iterable, Iterator

from .readers import _short
from .results import DataError

BATCH = 4096


def duckdb_module(what: str):
    """The duckdb module, or a DataError saying that ``what`` needs it."""
    try:
        import duckdb
    except ImportError:
        raise DataError(f"{what}需要 duckdb（pip install 'jixiao[sql]'） / {what} needs duckdb "
                        "(pip install 'jixiao[sql]')") from None
    return duckdb


def sql_string(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def sql_name(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def cell(v):
    """A Parquet value as the rows of every reader hold it."""
    if v is None or isinstance(v, (bool, int, str, Decimal)):
        return v
    if isinstance(v, float):
        return Decimal(float.__repr__(v)) if v == v and v not in (float("inf"), float("-inf")) else str(v)
    if isinstance(v, list):
        return tuple(cell(x) for x in v)
    if isinstance(v, dict):
        return {str(k): cell(x) for k, x in v.items()}
    if isinstance(v, datetime.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, datetime.date):
        return v
    if isinstance(v, (bytes, bytearray, memoryview)):
        return bytes(v).decode("utf-8", "replace")
    return str(v)


def blank(cells) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


def _connect(path: Path):
    duckdb = duckdb_module("读取 Parquet 文件")
    con = duckdb.connect(":memory:")
    return duckdb, con


def _source(path: Path) -> str:
    return f"read_parquet({sql_string(str(path))})"


def columns(path: Path) -> list[tuple[str, str]]:
    """(name, DuckDB type) of each column of the Parquet file."""
    duckdb, con = _connect(path)
    try:
        return [(r[0], r[1]) for r in con.execute(f"DESCRIBE SELECT * FROM {_source(path)}").fetchall()]
    except duckdb.Error as e:
        raise DataError(f"无法读取 Parquet 文件 / cannot read the Parquet file {path}: {_short(e)}") from None
    finally:
        con.close()


def read_parquet_rows(path: Path) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """(headers, iterator of (row number, cells)), as ``readers.read_rows`` gives them."""
    duckdb, con = _connect(path)
    try:
        cur = con.execute(f"SELECT * FROM {_source(path)}")
    except duckdb.Error as e:
        con.close()
        raise DataError(f"无法读取 Parquet 文件 / cannot read the Parquet file {path}: {_short(e)}") from None
    headers = [d[0] for d in cur.description]

    def rows():
        i = 1
        try:
            while True:
                batch = cur.fetchmany(BATCH)
                if not batch:
                    return
                for r in batch:
                    i += 1
                    cells = [cell(v) for v in r]
                    if not blank(cells):
                        yield i, cells
        except duckdb.Error as e:
            raise DataError(f"无法读取 Parquet 文件 {path} 第{i + 1}行附近 / cannot read the Parquet file {path} "
                            f"near row {i + 1}: {_short(e)}") from None
        finally:
            con.close()
    return headers, rows()


def fetch_rows(path: Path, numbers: Iterable[int]) -> Iterator[tuple[int, list]]:
    """(row number, cells) of the rows numbered ``numbers`` (as ``read_parquet_rows``
    numbers them; ascending), read in one scan."""
    _, con = _connect(path)
    try:
        wanted = sorted(set(numbers))
        con.execute("CREATE TEMP TABLE _want (r BIGINT)")
        for k in range(0, len(wanted), 100_000):
            con.execute("INSERT INTO _want SELECT unnest(?::BIGINT[])", [[n - 2 for n in wanted[k:k + 100_000]]])
        cur = con.execute(f"SELECT p.* FROM read_parquet({sql_string(str(path))}, file_row_number=true) p "
                          f"SEMI JOIN _want ON p.file_row_number = _want.r ORDER BY p.file_row_number")
        while True:
            batch = cur.fetchmany(BATCH)
            if not batch:
                return
            for r in batch:
                yield r[-1] + 2, [cell(v) for v in r[:-1]]
    finally:
        con.close()


def csv_to_parquet(src: str, dst: str, names: list[str], numbers: set[str]) -> None:
    """The results written as CSV (``src``: a header of ``names``, then rows; no BOM) as
    Parquet (``dst``): the columns in ``numbers`` as DECIMAL(38, s), s the most decimals
    any of its values has, the others VARCHAR (an empty cell NULL)."""
    duckdb = duckdb_module("写 Parquet 文件")
    folded: dict[str, str] = {}
    for n in names:
        if n.casefold() in folded:
            raise DataError(f"Parquet 的列名不分大小写：「{folded[n.casefold()]}」与「{n}」会重名，请改名 / Parquet "
                            f"column names ignore case: `{folded[n.casefold()]}` and `{n}` clash; rename one")
        folded[n.casefold()] = n
    con = duckdb.connect(":memory:")
    try:
        spec = "{" + ", ".join(f"{sql_string(f'c{k}')}: 'VARCHAR'" for k in range(len(names))) + "}"
        table = (f"read_csv({sql_string(src)}, header=true, columns={spec}, delim=',', quote='\"', escape='\"', "
                 f"auto_detect=false, strict_mode=true, null_padding=false)")
        nums = [k for k, n in enumerate(names) if n in numbers]
        scales = {}
        if nums:
            # a number's text (at most one sign, one point: as fmt_decimal writes it) measured by
            # where its point is (3× faster than splitting it: 1.7 s, not 5.5, for a million rows)
            def digits(k):
                p = f"strpos(c{k}, '.')"
                return (f"COALESCE(max(CASE WHEN {p} = 0 THEN 0 ELSE length(c{k}) - {p} END), 0), "
                        f"COALESCE(max(CASE WHEN {p} = 0 THEN length(c{k}) ELSE {p} - 1 END"
                        f" - CASE WHEN starts_with(c{k}, '-') THEN 1 ELSE 0 END), 0)")
            got = con.execute("SELECT " + ", ".join(digits(k) for k in nums) + f" FROM {table}").fetchone()
            # (decimals, integer digits); a column wider than DECIMAL(38) stays text, never rounded
            scales = {k: (got[2 * j], got[2 * j + 1]) for j, k in enumerate(nums) if got[2 * j] + got[2 * j + 1] <= 38}
        cols = []
        for k, n in enumerate(names):
            if k in scales:
                cols.append(f"CAST(c{k} AS DECIMAL(38, {int(scales[k][0])})) AS {sql_name(n)}")
            else:
                cols.append(f"c{k} AS {sql_name(n)}")
        con.execute(f"COPY (SELECT {', '.join(cols)} FROM {table}) TO {sql_string(dst)} (FORMAT parquet)")
    finally:
        con.close()
