"""The DuckDB engine's tables other than plain CSV: Parquet, read by DuckDB itself, and
XLSX, whose rows openpyxl reads (``readers.read_rows``) into a CSV file DuckDB then reads.

Each column the rules read becomes the text the SQL parses — but only where that text
means what the Python path makes of the typed value (a number of a DECIMAL, DOUBLE or
integer column for a numeric input, a BOOLEAN for a yes/no input, any text): a value of
another type (a DATE, a LIST, a number given to a grade or a text input, a FLOAT whose
Python value is not its printed one) makes the row one the SQL does not score, and the
Python path scores it from the file's own values (``fetch``), as the Python engine reads
them. A row the SQL does not take is marked ``\\x01`` and its row number.
"""
from __future__ import annotations

import csv
import os
from decimal import Decimal
from pathlib import Path
from typing import Callable, Iterator, Optional

import attrs

from .parquet import sql_name, sql_string
from .readers import FORMULA_NO_VALUE

NUMBER_KINDS = frozenset({"amount", "count", "rate", "score", "number", "rated", "cohort"})
INTEGER_TYPES = frozenset({"TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
                           "UINTEGER", "UBIGINT", "UHUGEINT"})
_PLAIN = "'-?[0-9]+(\\.[0-9]+)?'"


@attrs.define
class TableSource:
    """``table``: SQL giving the rows in order, with ``_r`` the row number (the header is
    row 1); ``types``: each header column's DuckDB type; ``fetch(numbers)``: (row number,
    cells as the Python engine reads them) of those rows, ascending."""
    table: str
    types: list
    fetch: Callable[[list], Iterator[tuple[int, list]]]
    temp: Optional[str] = None
    ok: Optional[str] = None           # a condition on the row the SQL may score

    def cell(self, col: int, kind: Optional[str]) -> tuple[str, Optional[str]]:
        """(the SQL text of column ``col``'s cell for an input of ``kind`` — None: an id —,
        the condition under which the SQL may take it), per the rules of the module doc."""
        c = f"_t{col}"
        t = self.types[col].upper()
        num = kind in NUMBER_KINDS
        if t == "VARCHAR":
            return c, None
        if t in INTEGER_TYPES and (num or kind in (None, "boolean")):
            return f"CAST({c} AS VARCHAR)", None
        if t.startswith("DECIMAL") and num:
            return f"CAST({c} AS VARCHAR)", None
        if t == "DOUBLE" and num:
            # its shortest repr, as Python's (100.0, 0.1); an exponent (1e+20) is left to Python
            return f"CAST({c} AS VARCHAR)", f"({c} IS NULL OR regexp_full_match(CAST({c} AS VARCHAR), {_PLAIN}))"
        if t == "BOOLEAN" and kind == "boolean":
            return f"CAST({c} AS VARCHAR)", None        # true / false: yes/no words, as True / False are
        return "NULL", f"{c} IS NULL"

    def blank(self, space: str) -> str:
        """A row of only NULLs and blank texts (skipped by every reader); a row ``ok`` refuses
        is never blank (a workbook's row whose values have no text is written as blanks:
        in a cohort query it would be dropped before the windows, not left to Python)."""
        return "(" + (f"({self.ok}) AND " if self.ok else "") + " AND ".join(f"(_t{k} IS NULL OR regexp_full_match(_t{k}, '[{space}]*'))" if t.upper() == "VARCHAR"
                                  else f"_t{k} IS NULL" for k, t in enumerate(self.types)) + ")"

    def close(self) -> None:
        if self.temp is not None:
            try:
                os.unlink(self.temp)
            except OSError:
                pass


def parquet_source(path: Path) -> TableSource:
    from .parquet import columns, fetch_rows
    cols_types = columns(path)
    types = [t for _, t in cols_types]
    cols = ", ".join(f"{sql_name(n)} AS _t{k}" for k, (n, _) in enumerate(cols_types))
    table = (f"(SELECT {cols}, file_row_number + 2 AS _r FROM read_parquet({sql_string(str(path))}, "
             f"file_row_number=true))")
    return TableSource(table, types, lambda numbers: fetch_rows(path, numbers))


def _text(v, kind) -> Optional[str]:
    """An XLSX cell (as ``readers.read_rows`` gives it) as the text the SQL reads, or None
    where its text would not mean what the value does (the row is left to Python)."""
    if v is None:
        return ""
    if type(v) is str:                          # not FORMULA_NO_VALUE, a str subclass
        return v
    if v is FORMULA_NO_VALUE:                   # a formula saved without its value: the Python path's error
        return None
    if kind is None:                            # an id: as the results show it (writers._fmt)
        from .writers import _fmt
        return _fmt(v)
    if isinstance(v, bool):
        return ("true" if v else "false") if kind == "boolean" else None
    if isinstance(v, int):
        return str(v) if kind in NUMBER_KINDS or kind == "boolean" else None
    if isinstance(v, Decimal):
        return format(v, "f") if kind in NUMBER_KINDS and v.is_finite() and abs(v.adjusted()) < 40 else None
    return None


def xlsx_source(path: Path, sheet: Optional[str], kinds: list, folder: str) -> TableSource:
    """The sheet's rows written as a CSV file (in ``folder``) of their texts, a row number
    and a flag for a row whose values the SQL cannot take as texts (``_text``)."""
    import tempfile
    from .readers import not_utf8, read_rows
    headers, rows = read_rows(path, sheet)
    fd, temp = tempfile.mkstemp(prefix=".jixiao-xlsx.", suffix=".csv", dir=folder)
    n = len(headers)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="", errors="surrogatepass") as f:
            w = csv.writer(f)
            w.writerow([f"c{k}" for k in range(n)] + ["_r", "_x"])
            for i, cells in rows:
                texts = [_text(v, kinds[k] if k < n else "") for k, v in enumerate(cells)]
                bad = len(cells) > n or any(t is None for t in texts)
                texts = [t or "" for t in texts[:n]] + [""] * (n - min(n, len(texts)))
                if bad or not_utf8(texts):
                    texts = [""] * n
                    bad = True
                w.writerow(texts + [i, "1" if bad else ""])
    except BaseException:
        rows.close()
        os.unlink(temp)
        raise
    spec = "{" + ", ".join(f"'c{k}': 'VARCHAR'" for k in range(n)) + ", '_r': 'BIGINT', '_x': 'VARCHAR'}"
    cols = ", ".join(f"c{k} AS _t{k}" for k in range(n))
    table = (f"(SELECT {cols}, _r, _x FROM read_csv({sql_string(temp)}, header=true, columns={spec}, delim=',', "
             f"quote='\"', escape='\"', auto_detect=false, strict_mode=true, null_padding=false, "
             f"max_line_size=1073741824))")

    def fetch(numbers):
        want = set(numbers)
        _, again = read_rows(path, sheet)
        try:
            for i, cells in again:
                if i in want:
                    yield i, cells
        finally:
            again.close()
    return TableSource(table, ["VARCHAR"] * n, fetch, temp, ok="_x IS NULL")

