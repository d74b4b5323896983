"""Data files -> a header and numbered rows: CSV, XLSX (openpyxl's read-only mode),
JSON and JSON Lines, Parquet (through DuckDB: ``parquet.py``), streamed row by row, with row numbers as a spreadsheet counts them
(the header is row 1); header mapping files (a JSON object or a two-column CSV). Only
regular files are read; a file that cannot be read at all is a DataError.
"""
from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
from decimal import Decimal
from pathlib import Path
from typing import Any, Callable, Iterator, Optional

from .results import DataError

DATA_SUFFIXES = (".csv", ".xlsx", ".xlsm", ".json", ".jsonl", ".ndjson", ".parquet")   # a data file of many units (.jxc: a case)


def _norm(name: str) -> str:
    return unicodedata.normalize("NFKC", str(name)).strip().replace(" ", "").replace("\u3000", "")


def load_mapping(path) -> dict[str, str]:
    """Header -> input name, from a JSON object or a two-column CSV (表头,输入)."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as e:
        raise DataError(f"无法读取映射文件 / cannot read the mapping file {p}: {e}") from None
    if p.suffix.lower() == ".json":
        try:
            data = loads_json(text)
        except (ValueError, RecursionError, ArithmeticError) as e:           # JSONDecodeError, a 5000-digit int, nesting
            raise DataError(f"映射文件不是合法 JSON / the mapping file is not valid JSON: {e}") from None
        if not isinstance(data, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in data.items()):
            raise DataError("映射文件应为 {\"表头\": \"输入名\"} / the mapping must be an object of header -> input name")
        return {_norm(k): v for k, v in data.items()}
    out = {}
    i = 0
    try:
        for i, row in enumerate(csv.reader(io.StringIO(text)), 1):
            if not row or not "".join(row).strip() or row[0].startswith("#"):
                continue
            if len(row) < 2:
                raise DataError(f"映射文件第{i}行应有两列（表头,输入名） / mapping line {i} needs two columns")
            out[_norm(row[0])] = row[1].strip()
    except csv.Error as e:
        raise DataError(f"映射文件第{i + 1}行：{e} / mapping row {i + 1}: {e}") from None
    return out


def read_rows(path: Path, sheet: Optional[str] = None) -> tuple[list[str], Iterator[tuple[int, list]]]:
    """(headers, iterator of (row number, cells)); row numbers as a spreadsheet counts."""
    suffix = path.suffix.lower()
    regular_file(path)
    if suffix == ".csv":
        try:
            # bytes that are not UTF-8 are kept as lone surrogates, so that the row holding
            # them is found and named (the decoder fails a block of 8 KB, not a row)
            f = open(path, encoding="utf-8-sig", newline="", errors="surrogateescape")
        except OSError as e:
            raise DataError(f"无法读取 / cannot read {path}: {e.strerror or e}") from None
        try:
            reader = csv.reader(f)
            headers = next(reader, None)
        except csv.Error as e:
            f.close()
            raise DataError(f"{path} 第1行（表头）：{e} / row 1 (the header): {e}") from None
        if headers is None:
            f.close()
            raise DataError(f"{path} 是空文件 / is empty")
        if not_utf8(headers):
            f.close()
            raise DataError(f"{path} 不是 UTF-8 编码的 CSV / is not a UTF-8 CSV file (Excel: 另存为 “CSV UTF-8”)")

        def rows():
            i = 1                       # rows are records, as everywhere (a quoted newline is no new row)
            held = None                 # each record is handed on when the next is read: the last one is
            try:                        # checked for a quote that never closed (it ran on to the end)
                line = reader.line_num
                for i, r in enumerate(reader, 2):
                    if held is not None:
                        yield held[:2]
                        held = None
                    if not_utf8(r):
                        raise not_utf8_row(path, i)
                    if any(c.strip() for c in r):
                        held = (i, r, line)
                    line = reader.line_num
                if held is not None:
                    unclosed_quote(path, held[2], held[0], reader.line_num - held[2])
                    yield held[:2]
            except csv.Error as e:
                if held is not None:
                    yield held[:2]
                raise DataError(f"{path} 第{i + 1}行：{e} / row {i + 1}: {e}") from None
            finally:
                f.close()
        return headers, rows()
    if suffix in (".xlsx", ".xlsm"):
        import openpyxl
        from .parquet import blank
        try:
            wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as e:
            raise DataError(f"无法读取工作簿 / cannot read the workbook {path}: {e}") from None
        if sheet is not None and sheet not in wb.sheetnames:
            raise DataError(f"工作簿中没有工作表「{sheet}」 / no sheet `{sheet}` (有 / has: {', '.join(wb.sheetnames)})")
        if sheet:
            ws = wb[sheet]
        else:       # the first sheet, unless it is the 指标行 of the units on another sheet
            ws = next((w for w in wb.worksheets if w.title != "指标行"), wb.worksheets[0])
        it = _sheet_rows(wb, ws)

        def damaged(e, row):          # openpyxl parses a sheet's XML only as its rows are read
            wb.close()
            return DataError(f"无法读取工作簿 {path} 的工作表「{ws.title}」第{row}行 / cannot read row {row} of "
                             f"sheet `{ws.title}` in {path}: {_short(e)}")
        try:
            first = next(it, None)
        except Exception as e:
            raise damaged(e, 1) from None
        if first is None:
            wb.close()
            raise DataError(f"{path} 的工作表「{ws.title}」是空的 / the sheet `{ws.title}` is empty")
        headers = ["" if h is None or h is FORMULA_NO_VALUE else str(h) for h in first[1]]

        def xrows():
            i = first[0]
            try:
                for i, r in it:
                    cells = [_cell(c) for c in r]
                    # a row of empty cells and spaces is blank, as in a CSV or Parquet file (and
                    # as the DuckDB engine reads a workbook); a formula without its value is not
                    if any(c is FORMULA_NO_VALUE for c in cells) or not blank(cells):
                        yield i, cells
            except (GeneratorExit, DataError):
                raise
            except Exception as e:
                raise damaged(e, i + 1) from None
            finally:
                wb.close()
        return headers, xrows()
    if suffix in (".jsonl", ".ndjson"):
        return _json_records(path, _jsonl_lines(path))
    if suffix == ".json":
        try:
            data = loads_json(path.read_text(encoding="utf-8-sig"))
        except (OSError, ValueError, RecursionError, ArithmeticError) as e:
            # UnicodeDecodeError and JSONDecodeError are ValueErrors; 1e99999999999999999999 an ArithmeticError
            raise DataError(f"无法读取 JSON / cannot read {path}: {_short(e)}") from None
        if isinstance(data, dict):     # {"units": [...]} / {"单位": [...]}, or one unit
            listed = [k for k, v in data.items() if k in ("units", "单位") and isinstance(v, list)
                      and all(isinstance(x, dict) for x in v)]
            if len(listed) > 1:
                raise DataError(f"{path} 有两个单位列表（{'、'.join(listed)}），不知应读哪一个 / has two lists of units "
                                f"({', '.join(listed)}): which one is meant?")
            data = data[listed[0]] if listed else [data]
        if not isinstance(data, list):
            raise DataError(f"{path}: 应为对象的列表 / expected a list of objects")
        return _json_records(path, lambda: enumerate(data, 1), text=False)
    if suffix == ".parquet":
        from .parquet import read_parquet_rows
        return read_parquet_rows(path)
    raise DataError(f"不支持的数据文件类型 / unsupported data file type: {path.suffix or path.name}")


class _NoCachedValue(str):
    """A formula cell saved without the value it computes (a workbook written by a program,
    never opened in Excel): said as such, not taken as an empty cell."""

    def __repr__(self):
        return "FORMULA_NO_VALUE"


FORMULA_NO_VALUE = _NoCachedValue("")


def _sheet_rows(wb, ws) -> Iterator[tuple[int, list]]:
    """(row number, values) of each row a sheet's XML holds, as its cells say (their own
    ``r`` references), never trusting the sheet's ``<dimension>`` tag: some writers set it
    wrongly, and openpyxl's read-only rows are cut to it. A formula cell without a
    cached value is FORMULA_NO_VALUE."""
    from openpyxl.worksheet._reader import FORMULA_TAG, WorkSheetParser

    class Parser(WorkSheetParser):
        def parse_cell(self, element):
            cell = super().parse_cell(element)
            if cell["value"] is None and element.find(FORMULA_TAG) is not None:
                cell["value"] = FORMULA_NO_VALUE
            return cell
    src = ws._get_source()
    try:
        parser = Parser(src, ws._shared_strings, data_only=True, epoch=wb.epoch,
                        date_formats=wb._date_formats, timedelta_formats=wb._timedelta_formats)
        for rowno, cells in parser.parse():
            width = max((c["column"] for c in cells), default=0)
            row: list = [None] * width
            for c in cells:
                row[c["column"] - 1] = c["value"]
            yield rowno, row
    finally:
        src.close()


MAX_KEY_CHARS = 1000      # a JSON key (a column's header): longer is no header


def _object(pairs):
    """A JSON object whose keys are each given once, each of a header's length: a record
    with a key twice would otherwise keep its last value silently."""
    d = dict(pairs)
    if len(d) != len(pairs):
        seen: set = set()
        k = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise ValueError(f"键「{_clip(k)}」在同一对象中出现两次 / the key `{_clip(k)}` appears twice in one object")
    for k in d:
        if len(k) > MAX_KEY_CHARS:
            raise ValueError(f"键长 {len(k)} 个字符，超过 {MAX_KEY_CHARS} / a key of {len(k)} characters, "
                             f"over {MAX_KEY_CHARS}")
    return d


def _clip(k: str) -> str:
    return k if len(k) <= 40 else k[:40] + "…"


def loads_json(text: str):
    """JSON text as data files hold it: numbers exact (Decimal), every object's keys
    distinct and of a reasonable length. Raises ValueError (JSONDecodeError is one),
    RecursionError or ArithmeticError."""
    return json.loads(text, parse_float=Decimal, object_pairs_hook=_object)


_SURROGATE = re.compile("[\udc80-\udcff]")


def not_utf8(cells) -> bool:
    """Do the cells of a record read with ``errors="surrogateescape"`` hold bytes that are not UTF-8?"""
    text = "".join(cells)
    return not text.isascii() and _SURROGATE.search(text) is not None


def not_utf8_row(path, row: int) -> DataError:
    return DataError(f"{path} 第{row}行不是 UTF-8 编码（Excel: 另存为 “CSV UTF-8”） / row {row} is not UTF-8 "
                     "(Excel: save as “CSV UTF-8”)")


def unclosed_quote(path: Path, line: int, row: int, lines: int, offset: int = 0) -> None:
    """Raise a DataError if the record that starts after ``line`` lines (counted from byte
    ``offset``) opens a quote that is never closed: the csv module then reads the rest of
    the file as one cell, and every row after it would be lost without a word. Only a
    record over several lines can be one; it is read again, strictly."""
    if lines <= 1:
        return
    import itertools
    with open(path, "rb") as raw:
        raw.seek(offset)
        text = io.TextIOWrapper(raw, encoding="utf-8-sig" if offset == 0 else "utf-8", newline="",
                                errors="replace")
        try:
            for _ in csv.reader(itertools.islice(text, line, None), strict=True):
                pass
        except csv.Error as e:
            if "unexpected end of data" not in str(e):
                return
            raise DataError(f"{path} 第{row}行：引号没有闭合，其后的 {lines - 1} 行都被读进了这一行的一个单元格 / "
                            f"row {row}: a quote is never closed, and the {lines - 1} line(s) after it were read "
                            "as one cell of this row") from None


def _cell(c):
    if isinstance(c, float):
        # a spreadsheet number: its shortest repr is what the person typed (0.1, 2406.98)
        return Decimal(float.__repr__(c)) if c == c and c not in (float("inf"), float("-inf")) else str(c)
    if isinstance(c, bool) or c is None or isinstance(c, (int, str)):
        return c
    return str(c)


def regular_file(path: Path) -> None:
    """Data is read from regular files (a pipe could not be read twice, nor cut into
    blocks, and would hang those readers): anything else is a DataError."""
    try:
        st = path.stat()
    except OSError as e:
        raise DataError(f"无法读取 / cannot read {path}: {e.strerror or e}") from None
    import stat
    if not stat.S_ISREG(st.st_mode):
        raise DataError(f"{path} 不是普通文件 / is not a regular file")


def _json_records(path, numbered: Callable[[], Iterator[tuple[int, Any]]], text: bool = True):
    """JSON records become rows over the union of every record's keys, in the order they
    first appear (a record without a key has an empty cell there). ``numbered`` gives
    (record number, record or its JSON text) afresh each time: a first pass collects the
    keys (JSON Lines are parsed twice rather than held in memory)."""
    def parse(i, rec):
        if text and isinstance(rec, str):        # a JSON Lines line
            try:
                rec = loads_json(rec)
            except (ValueError, RecursionError, ArithmeticError) as e:
                raise DataError(f"{path} 第{i}行不是合法 JSON / line {i} is not valid JSON: {_short(e)}") from None
        if not isinstance(rec, dict):
            raise DataError(f"{path} 第{i}条记录不是对象 / record {i} is not an object")
        return _flatten_picks(rec)
    keys: dict[str, None] = {}
    before = _stamp(path) if text else None     # JSON Lines are read twice: the file must not change
    for i, r in numbered():
        keys.update(dict.fromkeys(str(k) for k in parse(i, r)))
        if len(keys) > MAX_COLUMNS:
            raise DataError(f"{path} 的记录共有超过 {MAX_COLUMNS} 个不同的键 / the records have more than "
                            f"{MAX_COLUMNS} different keys")
    if not keys:
        raise DataError(f"{path} 没有记录 / has no records")
    headers = list(keys)

    def changed():
        if text and _stamp(path) != before:
            raise DataError(f"{path} 在读取时被改动 / changed while it was being read")

    def rows():
        changed()
        for i, r in numbered():
            rec = {str(k): v for k, v in parse(i, r).items()}
            yield i, [_json_value(rec.get(h)) for h in headers]
        changed()
    return headers, rows()


MAX_COLUMNS = 10_000     # keys of a JSON file's records: each becomes a column of every row
PICK_KEYS = ("评定得分", "rated")


def _flatten_picks(rec: dict) -> dict:
    """A record's ``"评定得分": {"指标": 8.5}`` (the evaluators' picks) as the columns
    ``评定得分.指标`` a table has."""
    if not any(isinstance(rec.get(k), dict) for k in PICK_KEYS):
        return rec
    out = {}
    for k, v in rec.items():
        if k in PICK_KEYS and isinstance(v, dict):
            out.update((f"评定得分.{name}", x) for name, x in v.items())
        else:
            out[k] = v
    return out


def _stamp(path):
    try:
        st = path.stat()
        return st.st_size, st.st_mtime_ns
    except OSError:
        return None


def _jsonl_lines(path):
    def numbered():
        try:
            with open(path, encoding="utf-8-sig") as f:
                yield from ((i, line) for i, line in enumerate(f, 1) if line.strip())
        except UnicodeDecodeError:
            raise DataError(f"{path} 不是 UTF-8 编码 / is not UTF-8") from None
        except OSError as e:
            raise DataError(f"无法读取 / cannot read {path}: {e.strerror or e}") from None
    return numbered


def _json_value(v):
    if isinstance(v, list):
        return tuple(v)
    if isinstance(v, float):
        return Decimal(float.__repr__(v))
    return v


def _short(e: Exception) -> str:
    """An exception's message, cut short (a parser may quote the whole input)."""
    text = str(e) or type(e).__name__
    return text if len(text) <= 200 else text[:200] + "…"


def _column_letter(col: int) -> str:
    """A 0-based column number as a spreadsheet names it (0 -> A, 26 -> AA)."""
    out = ""
    col += 1
    while col:
        col, r = divmod(col - 1, 26)
        out = chr(65 + r) + out
    return out
