"""A table's headers -> the rulebook's inputs (``Columns``): which column gives which
input, which are the unit's ids, checklists (one cell, or a column per item), the
指标行 column; a row's cells as inputs for validation, and the converter generated for
a column layout (the fast path for rows of text cells, CSV).
"""
from __future__ import annotations

import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Optional

from ..backend import loader, runtime
from ..api import CompiledRulebook
from .readers import _column_letter, _norm, loads_json
from .results import DataError, indicator_headers

if TYPE_CHECKING:
    from .rowtable import RowTable

MAX_HEADER_CHARS = 1000     # a longer header names no checklist item
CHECKLIST_SEPARATORS = runtime.CHECKLIST_SEPARATORS
ROWS_HEADERS = ("指标行", "rows")


class Columns:
    """How the data file's headers map onto the rulebook's inputs."""

    def __init__(self, rb: CompiledRulebook, headers: list[str], mapping: Optional[dict] = None,
                 row_table: Optional["RowTable"] = None):
        self.inputs = {i.name: i for i in rb.program.inputs}
        norm_inputs = {_norm(n): n for n in self.inputs}
        mapping = {_norm(k): v for k, v in (mapping or {}).items()}     # header names compared normalised
        self.headers = headers
        self.to_input: dict[int, str] = {}
        self.checklist_parts: dict[str, list[tuple[int, int]]] = {}   # input -> [(item no, col)]
        self.id_columns: list[int] = []
        self.rows_column: Optional[int] = None        # 指标行: a record's rows (JSON)
        self.hidden = {p.total.name for p in rb.program.row_parts if p.total is not None}
        for col, h in enumerate(headers):
            key = _norm(h)
            if self.hidden and key.casefold() in ROWS_HEADERS and self.rows_column is None:
                self.rows_column = col
                continue
            name = mapping.get(key) or norm_inputs.get(key)
            if name is not None and name in self.inputs:
                if name in self.to_input.values():
                    other = headers[next(c for c, n in self.to_input.items() if n == name)]
                    raise DataError(f"两列都是输入「{name}」：「{other}」和「{h}」 / two columns give the input `{name}`: "
                                    f"`{other}` and `{h}`")
                self.to_input[col] = name
                continue
            part = _checklist_part(key, self.inputs, norm_inputs)
            if part is not None:
                self.checklist_parts.setdefault(part[0], []).append((part[1], col))
                continue
            if key.startswith("评定得分."):
                picks = sorted(n for n, i in self.inputs.items() if i.rated_of is not None)
                raise DataError(f"列「{h}」：规则集中没有人工评定的指标「{key[5:]}」 / column `{h}`: the rulebook has no "
                                f"hand-scored indicator `{key[5:]}`（评定得分的列 / pick columns: {'、'.join(picks) or '—'}）")
            self.id_columns.append(col)
        self.headers = headers = _id_headers(headers, self.id_columns)
        self.row_table = row_table if self.hidden else None     # 指标行 from a table of their own
        self.row_key: Optional[int] = None                         # the id column that names the unit there
        if self.row_table is not None and self.rows_column is not None:
            raise DataError(f"指标行给了两处：数据的「{headers[self.rows_column]}」列和指标行表 {row_table.source} / "
                            f"the rows are given twice: in the data's column `{headers[self.rows_column]}` and in "
                            f"the rows table {row_table.source}")
        if self.row_table is not None:
            self.row_key = next((c for c in self.id_columns if _norm(headers[c]) == _norm(row_table.key)), None)
            if self.row_key is None:
                raise DataError(f"指标行表的第一列「{row_table.key}」不是数据中的列 / the rows table's first column "
                                f"`{row_table.key}` (the unit it belongs to) is not a column of the data")
        taken = set(indicator_headers(rb)) | {"总分", "等级"}
        clash = [headers[c] for c in self.id_columns if str(headers[c]).strip() in taken]
        if clash:
            raise DataError("这些列与结果的列同名，请改名（如「自评总分」） / these columns have the names of result "
                            "columns; rename them (e.g. 自评总分): " + "、".join(clash))
        bad_map = [v for v in mapping.values() if v not in self.inputs]
        if bad_map:
            raise DataError(f"映射文件中的输入不存在 / the mapping names unknown inputs: {', '.join(bad_map)}")

    def fast_converter(self, rb: CompiledRulebook):
        """A function ``cells -> validated values`` for rows of text cells (CSV), generated
        for this column layout: plain numbers, yes/no words, grades and checklists are
        converted inline; anything else (a percent sign, a bad value) returns None and the
        row goes through the general validation, which also words the errors."""
        lines = ["def convert(c, _D=_D, B=B, SPLIT=SPLIT, len=len):", "    try:",
                 f"        if len(c) > {len(self.headers)}: return None"]     # cells beyond the header: reported
        col_of = {name: col for col, name in self.to_input.items()}
        consts = {}

        def k(v):
            name = f"K{len(consts)}"
            consts[name] = v
            return name
        def outside(inp, v, far=None) -> list:
            """The tests that the value ``v`` lies outside the input's declared range (an open
            end, with ``far``: beyond ±far)."""
            conds = []
            if inp.lo is not None:
                conds.append(f"{v} {'<=' if inp.lo_open else '<'} {k(inp.lo)}")
            elif far is not None:
                conds.append(f"{v} < {k(-far)}")
            if inp.hi is not None:
                conds.append(f"{v} {'>=' if inp.hi_open else '>'} {k(inp.hi)}")
            elif far is not None:
                conds.append(f"{v} > {k(far)}")
            return conds
        out = []
        for n, inp in enumerate(rb.program.inputs):
            v = f"x{n}"
            out.append(v)
            if inp.name not in col_of and inp.name not in self.checklist_parts:
                lines.append(f"        {v} = None")        # an input the case may leave out, with no column
                continue
            if inp.kind == "checklist":
                m = len(inp.members)
                if inp.name in self.checklist_parts:
                    cols = [c for _, c in sorted(self.checklist_parts[inp.name])]
                    lines.append(f"        {v} = (" + ", ".join(f"B[c[{c}].strip()]" for c in cols) + ",)")
                else:
                    # a checklist cell takes few distinct values: memoise its parse
                    memo = k({})
                    cell = f"c[{col_of[inp.name]}]"
                    lines.append(f"        {v} = {memo}.get({cell})")
                    lines.append(f"        if {v} is None:")
                    lines.append(f"            {v} = tuple([B[p] for p in SPLIT({cell}, {m})])")
                    lines.append(f"            if len({v}) != {m}: return None")
                    lines.append(f"            if len({memo}) < 4096: {memo}[{cell}] = {v}")
                continue
            s = f"c[{col_of[inp.name]}]"
            if inp.kind == "boolean":
                lines.append(f"        {v} = B[{s}.strip()]")
            elif inp.kind == "grade":
                lines.append(f"        {v} = {s}.strip()")
                lines.append(f"        if {v} not in {k(frozenset(inp.members))}: return None")
            elif inp.kind == "count":
                # whole numbers written as digits (anything else takes the full path); a
                # count takes few distinct values, so each cell text's value is memoised
                memo = k({})
                lines.append(f"        {v} = {memo}.get({s})")
                lines.append(f"        if {v} is None:")
                lines.append(f"            if len({s}) > 28 or not DIGITS({s}): return None")
                lines.append(f"            {v} = _D({s})")
                conds = outside(inp, v)
                if conds:
                    lines.append(f"            if {' or '.join(conds)}: return None")
                lines.append(f"            if len({memo}) < 4096: {memo}[{s}] = {v}")
            elif inp.kind == "date":
                # a date as runtime.validate reads it (a bare number is none: 0 is no date); not
                # a date -> the general path words the error
                lines.append(f"        {v} = _D(TO_DATE({s}).toordinal())")
                conds = outside(inp, v)
                if conds:
                    lines.append(f"        if {' or '.join(conds)}: return None")
            elif inp.kind not in ("amount", "number", "score", "rate", "rated"):
                # a text, a list: the general path (before 2026-12-04 they, and dates, were read
                # as numbers here: a date column holding 0 scored as day 0)
                lines.append("        return None")
            else:
                # the one number grammar's plain form (runtime.to_decimal): -12.5, at most 28 characters;
                # anything else (2,406.98, 96.3%, a bad value) takes the general path
                lines.append(f"        if len({s}) > 28 or not PLAIN({s}): return None")
                lines.append(f"        {v} = _D({s})")
                # NaN fails every comparison by raising (-> None); ±Infinity and absurd
                # magnitudes fail a bound (the full path then words the error)
                lines.append(f"        if {' or '.join(outside(inp, v, Decimal('1e30')))}: return None")
        lines.append(f"        return [{', '.join(out)}]")
        lines.append("    except Exception:")
        lines.append("        return None")
        ns = loader.execute("\n".join(lines), kind="converter", name=rb.program.source_name,
                            constants={"B": _BOOLS, "SPLIT": _split_items, "PLAIN": _PLAIN_NUMBER, "TO_DATE": runtime.to_date,
                                       "DIGITS": _DIGITS, **consts})
        return ns["convert"]

    def missing(self) -> list[str]:
        given = set(self.to_input.values()) | set(self.checklist_parts)
        if self.rows_column is not None or self.row_key is not None:
            given |= self.hidden                       # the rows' totals come from the rows
        return [n for n, i in self.inputs.items() if n not in given and not i.optional]   # 仅当 / picks may be absent

    def extra_cells(self, rowno: int, cells: list) -> Optional[list]:
        """A row with cells beyond the header (the usual sign of a comma in a number that
        was not quoted: 1,000 read as two cells): its RowError, never silently dropped.
        Empty cells past the header (a spreadsheet's trailing commas) are no problem."""
        n = len(self.headers)
        if len(cells) <= n:
            return None
        extra = [c for c in cells[n:] if c not in (None, "")]
        if not extra:
            return None
        from .results import RowError
        from ...dsl.diagnostics import Msg
        shown = "、".join(runtime._show(c) for c in extra[:3]) + ("…" if len(extra) > 3 else "")
        return [RowError(rowno, None, None, Msg(
            f"此行有 {len(cells)} 个单元格，表头只有 {n} 列：多出的 {shown} 没有列名（常见原因：数字中的逗号未加引号，如 1,000）",
            f"the row has {len(cells)} cells, the header {n} columns: {shown} has no column (usually a comma in "
            "a number that was not quoted, as in 1,000)"))]

    def row_to_inputs(self, cells: list) -> tuple[dict, dict, dict]:
        """(inputs for validation, id values, input -> column header)."""
        raw: dict[str, Any] = {}
        where: dict[str, str] = {}
        n = len(cells)
        for col, name in self.to_input.items():
            v = cells[col] if col < n else None
            inp = self.inputs[name]
            if inp.kind == "list" and isinstance(v, str):     # a checklist's text: runtime.validate splits it
                v = _list_cell(v)
            raw[name] = v
            where[name] = self.headers[col]
        for name, parts in self.checklist_parts.items():
            vals = [cells[c] if c < n else None for _, c in sorted(parts)]
            raw[name] = tuple(vals) if all(x not in (None, "") for x in vals) else None
            where[name] = self.headers[sorted(parts)[0][1]]
        ids = {self.headers[c]: (cells[c] if c < n else None) for c in self.id_columns}
        return raw, ids, where


def _id_headers(headers: list[str], id_columns: list[int]) -> list[str]:
    """The headers with each blank id column named by its letter (列C): every id column
    is kept in the results, under a name of its own. Two id columns with the same header
    cannot both be (the results would show one column's values under both): refused."""
    out = [str(h) for h in headers]
    for c in id_columns:
        if not out[c].strip():
            out[c] = f"列{_column_letter(c)}"
    seen: dict[str, int] = {}
    for c in id_columns:
        h = out[c].strip()
        if h in seen:
            raise DataError(f"第{seen[h] + 1}列和第{c + 1}列的表头都是「{h}」，结果中无法区分，请改名 / columns "
                            f"{seen[h] + 1} and {c + 1} both have the header `{h}`: rename one of them")
        seen[h] = c
    return out


_PLAIN_NUMBER = runtime._PLAIN_NUMBER.fullmatch
_DIGITS = re.compile(r"[0-9]+").fullmatch
_BOOLS = {w: True for w in runtime.TRUE_WORDS} | {w: False for w in runtime.FALSE_WORDS}


_split_items = runtime.checklist_words      # the fast converter's split of a checklist cell


def _checklist_part(key: str, inputs, norm_inputs):
    """``资金使用合规性要点.1`` / ``资金使用合规性要点[1]`` / ``资金使用合规性要点1`` -> (input, 1)."""
    # cut from the end, in linear time (a lazy prefix before a run of digits backtracks
    # quadratically over a long header of digits); an item number has at most 4 digits
    if len(key) > MAX_HEADER_CHARS:
        return None
    body = key[:-1] if key[-1:] in ("]", "）", ")") else key
    digits = len(body) - len(body.rstrip("0123456789"))
    if not 1 <= digits <= 4 or digits == len(body):
        return None
    stem, number = body[:-digits], body[-digits:]
    if stem[-1:] in (".", "[", "（", "(", "-", "_") and len(stem) > 1:
        stem = stem[:-1]
    name = norm_inputs.get(stem)
    if name is None or inputs[name].kind != "checklist":
        return None
    k = int(number)
    if not 1 <= k <= len(inputs[name].members):
        return None
    return name, k


def _list_cell(v: str):
    """A list input's cell: its items as JSON text, ``[{"名称": "…", "金额": 120, …}, …]``
    (an empty cell is no items); text that is not JSON stays text and is refused as no list."""
    if not v.strip():
        return ()
    try:
        return loads_json(v)
    except (ValueError, RecursionError, ArithmeticError):
        return v


