"""指标行 of many units: a table of their own (``RowTable``: the sheet 指标行 of a
workbook, or a file of rows, a line per row, the unit in its first column), or a
record's rows in a cell of its own (an object, or its JSON text); both scored by
``rows.score_all``.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Iterable, Optional

import attrs

from ...dsl.diagnostics import Diagnostic, JixiaoError, Msg, make
from ...dsl.ir import fmt_decimal

from ..api import CompiledRulebook
from ..rows import score_all
from .readers import _norm, _short, loads_json, read_rows
from .results import DataError, RowError


class RowTable:
    """指标行 kept in a table of their own (a sheet 指标行 of the workbook, or --rows FILE):
    a line per row. The first column names the unit (an id column of the data, such as
    单位编码); 指标 the indicator (may be left out, or left empty, when the rulebook has
    one 指标行 indicator); 行 or 名称 the row's title; 自评得分 its claimed score; every
    other column a field. Empty cells are fields not given. Single use: it remembers
    which units took their rows, to report the rows of no unit."""

    def __init__(self, rb: CompiledRulebook, headers: list[str], rows: Iterable[tuple[int, list]], source: str):
        parts = [p.indicator.name for p in rb.program.row_parts]
        if not parts:
            raise DataError("规则集没有指标行，不需要指标行表 / the rulebook has no 指标行: a rows table does not apply")
        if not headers or not str(headers[0]).strip():
            raise DataError(f"{source}: 指标行表的第一列应为单位（如 单位编码） / the rows table's first column "
                            "should name the unit (e.g. 单位编码)")
        self.source = source
        self.key = str(headers[0]).strip()
        norm = [_norm(h) for h in headers]
        part_col = norm.index("指标") if "指标" in norm else None
        titles = [c for c in range(len(norm)) if norm[c] in ("行", "名称")]
        if part_col is None and len(parts) != 1:
            raise DataError(f"{source}: 规则集有多个指标行指标（{'、'.join(parts)}），指标行表需要「指标」列 / "
                            "the rulebook has several 指标行 indicators: the rows table needs a column 指标")
        if len(titles) != 1:
            raise DataError(f"{source}: 指标行表需要一列「行」（或「名称」）作各行的标题 / the rows table needs one "
                            "column 行 (or 名称) for the rows' titles" + ("，不是两列 / not both" if titles else ""))
        title_col = titles[0]
        fields = [(c, "自评得分" if norm[c] == "自评得分" else str(headers[c]).strip())
                  for c in range(len(headers)) if c not in (0, part_col, title_col)]
        self.units: dict[str, dict] = {}
        self.lines: dict[str, list[int]] = {}
        self.taken: set[str] = set()
        for rowno, cells in rows:
            n = len(cells)
            key = _key(cells[0] if n else None)
            part = _key(cells[part_col]) if part_col is not None and part_col < n else ""
            title = cells[title_col] if title_col < n else None
            row = {} if title in (None, "") else {"名称": title}        # untitled: numbered in its unit
            row.update({name: cells[c] for c, name in fields if c < n and cells[c] not in (None, "")})
            self.units.setdefault(key, {}).setdefault(part or (parts[0] if len(parts) == 1 else ""), []).append(row)
            self.lines.setdefault(key, []).append(rowno)

    def score(self, rb: CompiledRulebook, raw: dict, cell) -> tuple[dict, dict]:
        """The rows of the unit named by ``cell`` scored (see rows.score_all); every problem
        names this table and the unit's lines in it. Raises JixiaoError."""
        key = _key(cell)
        if not key:
            raise JixiaoError([_rows_shape(f"：单位没有标识（「{self.key}」列为空），无法在 {self.source} 中找到它的行",
                                           f": the unit has no `{self.key}`, so its rows in {self.source} cannot be found")])
        if key in self.taken:
            raise JixiaoError([_rows_shape(f"：数据中「{self.key}」为「{key}」的单位不止一个，{self.source} 中的行分不清属于谁",
                                           f": more than one unit of the data has `{self.key}` = `{key}`; the rows in "
                                           f"{self.source} cannot tell them apart")])
        self.taken.add(key)
        given = self.units.get(key)
        if given is None:
            raise JixiaoError([_rows_shape(f"：{self.source} 中没有单位「{key}」的行", f": {self.source} has no rows for unit `{key}`")])
        lines = self.lines[key]
        where = f"{self.source} 第{lines[0]}–{lines[-1]}行" if len(lines) > 1 else f"{self.source} 第{lines[0]}行"
        try:
            return score_all(rb, raw, given)
        except JixiaoError as e:
            where_en = f"{self.source} rows {lines[0]}–{lines[-1]}" if len(lines) > 1 else f"{self.source} row {lines[0]}"
            context = Msg(f"{where}（单位「{key}」）", f"{where_en} (unit `{key}`)")
            raise JixiaoError([attrs.evolve(d, context=context) for d in e.diagnostics]) from None

    def unclaimed(self) -> list[RowError]:
        """Rows of units that are not in the data: reported, never silently dropped."""
        return [RowError(lines[0], self.key, None,
                         Msg(f"{self.source} 第{lines[0]}行：指标行表中的单位「{key}」不在数据中",
                             f"{self.source} row {lines[0]}: the rows of unit `{key}` belong to no unit of the data"), self.source)
                for key, lines in self.lines.items() if key not in self.taken]


def _key(v) -> str:
    """A unit's id cell as text, so that 1001 from a workbook and "1001" from a CSV agree."""
    if v is None:
        return ""
    if isinstance(v, Decimal):
        return fmt_decimal(v)
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).strip()


def load_row_table(rb: CompiledRulebook, path: Path, sheet: Optional[str] = None) -> RowTable:
    if sheet is None and path.suffix.lower() in (".xlsx", ".xlsm") and "指标行" in _sheet_names(path):
        sheet = "指标行"
    headers, rows = read_rows(path, sheet)
    return RowTable(rb, headers, rows, path.name + (f"[{sheet}]" if sheet else ""))


def workbook_row_table(rb: CompiledRulebook, path: Path) -> Optional[RowTable]:
    """The sheet 指标行 of a workbook of units, for a rulebook with 指标行 (None if either is missing)."""
    if not rb.program.row_parts or path.suffix.lower() not in (".xlsx", ".xlsm"):
        return None
    return load_row_table(rb, path, "指标行") if "指标行" in _sheet_names(path) else None


def _sheet_names(path: Path) -> list[str]:
    import openpyxl
    try:
        wb = openpyxl.load_workbook(path, read_only=True)
        names = wb.sheetnames
        wb.close()
        return names
    except Exception:
        return []            # read_rows words the error when the workbook is read


def _with_rows(rb: CompiledRulebook, raw: dict, given) -> tuple[dict, dict]:
    """A record's 指标行 (an object: indicator -> list of rows, or its JSON text in a CSV or
    spreadsheet cell) scored: (the inputs with each part's total added, indicator index ->
    the rows' results). Raises JixiaoError."""
    if isinstance(given, str) and given.strip():
        try:
            given = loads_json(given)
        except (ValueError, RecursionError, ArithmeticError) as e:
            raise JixiaoError([_rows_shape(f"：不是合法的 JSON（{_short(e)}）", f": not valid JSON ({_short(e)})")]) from None
    if _rows_missing(given):
        given = None
    elif not isinstance(given, dict):
        raise JixiaoError([_rows_shape("：应为对象（指标 → 各行的列表）", ": should be an object (indicator -> list of rows)")])
    return score_all(rb, raw, given)


def given_rows(columns, cells: list):
    """The 指标行 a good row of the data gives (``columns``: its Columns), as
    ``CompiledRulebook.evaluate(rows=…)`` takes them: its rows cell (an object, or its JSON
    text), or its unit's rows in the rows table; None where it gives none."""
    if columns.rows_column is not None:
        v = cells[columns.rows_column] if columns.rows_column < len(cells) else None
        return None if _rows_missing(v) else loads_json(v) if isinstance(v, str) else v
    if columns.row_key is not None:
        return columns.row_table.units.get(_key(cells[columns.row_key] if columns.row_key < len(cells) else None))
    return None


def _rows_missing(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _rows_shape(zh: str, en: str) -> Diagnostic:
    return make("E0612", reason_zh=zh, reason_en=en)
