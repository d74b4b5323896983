"""The units of ``jixiao report`` for many (:mod:`.many` lays them out): each case of a
folder, or each row of a data file — CSV, XLSX, JSON or JSON Lines, read, mapped onto the
rulebook's inputs and checked as ``jixiao score`` reads it (``compiler.data``: readers,
Columns, score_cells; a rulebook with cohort rules scored with its cohort, grade quotas
applied). Each good unit is a :class:`Unit`: its name, its Case and its Result with the
trace the 评分依据 are written from. A bad case or row is its RowErrors, worded as
``jixiao score`` words them: raised as BadRows (``on_error="stop"``) or kept in ``errors``
(``"skip"``).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import attrs

from ..api import CompiledRulebook
from ..results import Case, Result
from ..data.columns import Columns
from ..data.readers import read_rows
from ..data.rowtable import _key, given_rows
from ..data.scoring import _sorted_out, case_files, case_result, check_columns, score_cells


@attrs.frozen
class Unit:
    name: str                # the case's title, or the row's first id cell (第N行 without one)
    case: Case
    result: Result           # with the trace
    row: Optional[int] = None       # the row of the data file (None for a case file)
    note: str = ""           # the grade quota's note where it moved the unit to a lower grade
    band: str = ""           # then the grade of its total's band (the result's grade is the quota's)
    cohort: tuple = ()       # a cohort rulebook: the unit against its cohort, in sentences (参评比较)


def case_units(rb: CompiledRulebook, folder: Path, *, on_error: str = "stop",
               errors: Optional[list] = None) -> list[Unit]:
    """Every .jxc case of ``folder`` (and below), in path order."""
    def each():
        for k, path in enumerate(case_files(folder), 1):
            got = case_result(rb, path, k, folder)          # a bad case: jixiao score's diagnostics
            if isinstance(got, list):
                yield got
                continue
            case = rb.load_case(path)
            yield Unit(case.title or path.stem, case, rb.evaluate_case(case, trace=True))
    return list(_sorted_out(each(), on_error, errors if errors is not None else []))


def unit_name(ids: dict, rowno: int) -> str:
    """A row's name: its first non-empty id cell (单位名称, 单位代码 …), else 第N行."""
    for v in ids.values():
        text = _key(v)
        if text:
            return text
    return f"第{rowno}行"


def data_units(rb: CompiledRulebook, path: Path, *, mapping: Optional[dict] = None, sheet: Optional[str] = None,
               on_error: str = "stop", errors: Optional[list] = None, row_table=None,
               given: Optional[dict] = None) -> list[Unit]:
    """Every row of the data file ``path``, one unit each, in row order. ``row_table``: the
    指标行 as ``jixiao score --rows`` takes them; ``given``: a cohort's statistics as given
    (``--cohort FILE``)."""
    if on_error not in ("stop", "skip"):
        raise ValueError("on_error is 'stop' or 'skip'")
    errs = errors if errors is not None else []
    if rb.program.has_cohort:
        return list(_sorted_out(_cohort_units(rb, path, mapping, sheet, given), on_error, errs))
    headers, rows = read_rows(path, sheet)
    columns = Columns(rb, headers, mapping, row_table)
    check_columns(columns)

    def each():
        for rowno, cells in rows:
            got = score_cells(rb, columns, rowno, cells)      # the checks and diagnostics of jixiao score
            if isinstance(got, list):
                yield got
                continue
            raw, ids, _where = columns.row_to_inputs(cells)
            name = unit_name(ids, rowno)
            case = Case(name, raw, rows=given_rows(columns, cells) or {})
            yield Unit(name, case, rb.evaluate_case(case, trace=True), rowno)
        if columns.row_table is not None:
            yield from ([e] for e in columns.row_table.unclaimed())
    return list(_sorted_out(each(), on_error, errs))


def _cohort_units(rb: CompiledRulebook, path: Path, mapping, sheet, given):
    """The rows of a cohort rulebook's data file: scored together as ``jixiao score`` scores
    them (statistics over the good rows, quotas over the scored units), then each good one
    again with the trace and the statistics of its own cohort."""
    import attrs as _attrs
    from ..backend import runtime
    from ..data.cohort import cohort_sentences, score_cohort, unit_keys
    columns, out, stats = score_cohort(rb, path, mapping=mapping, sheet=sheet, on_error="each", given=given)
    _headers, rows = read_rows(path, sheet)
    for u, ((rowno, cells), got) in enumerate(zip(rows, out)):
        if isinstance(got, list):
            yield got
            continue
        raw, ids, _where = columns.row_to_inputs(cells)
        name = unit_name(ids, rowno)
        case = Case(name, raw)
        result = rb.evaluate_case(case, trace=True, cohort=stats.unit(u))
        note = band = ""
        if got.grade != result.grade:          # a grade quota moved it: the grade of jixiao score
            note, band = (got.extra[-1] if got.extra else ""), result.grade
            result = _attrs.evolve(result, grade=got.grade)
        values = runtime.validate(raw, rb.evaluator.inputs, rb.evaluator.optional)
        lines = tuple(cohort_sentences(rb, stats, u, unit_keys(rb, list(values)), "zh"))
        yield Unit(name, case, result, rowno, note, band, lines)
