"""The rulebook diff: every unit of a data set (a data file, a .jxc case or a folder of
cases) scored with an old and a new rulebook, and what changes (scores, totals, grades).
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Optional

import attrs

from ..api import CompiledRulebook
from .columns import Columns
from .readers import read_rows
from .results import DataError, Scored, indicator_headers
from .rowtable import load_row_table, workbook_row_table
from .scoring import case_files, case_result, score_cells


def _together(rb: CompiledRulebook, path: Path, mapping, sheet):
    from .cohort import score_cohort
    return score_cohort(rb, path, mapping=mapping, sheet=sheet, on_error="each")[1]


@attrs.frozen
class UnitChange:
    row: int
    ids: dict
    old_total: Decimal
    new_total: Decimal
    old_grade: str
    new_grade: str
    changed: tuple   # (indicator header, old score, new score)


@attrs.define
class DiffReport:
    units: int = 0
    changes: list = attrs.field(factory=list)
    transitions: dict = attrs.field(factory=dict)    # (old grade, new grade) -> count
    errors: list = attrs.field(factory=list)
    only_old: list = attrs.field(factory=list)       # indicators only in the old rulebook
    only_new: list = attrs.field(factory=list)

    @property
    def grade_changes(self) -> int:
        return sum(1 for c in self.changes if c.old_grade != c.new_grade)


def diff(old: CompiledRulebook, new: CompiledRulebook, path: Path, *, mapping=None, sheet=None,
         rows_path: Optional[Path] = None) -> DiffReport:
    """Score every unit of ``path`` (a data file, a .jxc case or a folder of cases) with
    both rulebooks and report what changes."""
    if path.is_dir() or path.suffix.lower() == ".jxc":
        folder = path if path.is_dir() else path.parent
        files = case_files(path) if path.is_dir() else [path]
        units = (((k, p), (case_result(old, p, k, folder), case_result(new, p, k, folder)))
                 for k, p in enumerate(files, 1))
    else:
        tables = [(load_row_table(rb, rows_path) if rows_path is not None and rb.program.row_parts
                   else workbook_row_table(rb, path) if rows_path is None else None) for rb in (old, new)]
        headers, rows = read_rows(path, sheet)
        cols_old, cols_new = Columns(old, headers, mapping, tables[0]), Columns(new, headers, mapping, tables[1])
        for cols, label in ((cols_old, "旧规则集 / old"), (cols_new, "新规则集 / new")):
            if cols.missing():
                raise DataError(f"数据中缺少{label}所需输入的列 / no column for: " + "、".join(cols.missing()))
        ids_cols = [c for c in cols_old.id_columns if c in cols_new.id_columns]
        # a rulebook with cohort rules scores its units together (in row order, bad rows too)
        together = [_together(rb, path, mapping, sheet) if rb.program.has_cohort else None for rb in (old, new)]
        units = (((rowno, {cols_old.headers[c]: (cells[c] if c < len(cells) else None) for c in ids_cols}),
                  tuple(next(t) if t is not None else score_cells(rb, cols, rowno, cells)
                        for t, rb, cols in zip(together, (old, new), (cols_old, cols_new))))
                 for rowno, cells in rows)
    h_old = dict(zip((tuple(i.path) for i in sorted(old.program.walk(), key=lambda n: n.index)), indicator_headers(old)))
    h_new = dict(zip((tuple(i.path) for i in sorted(new.program.walk(), key=lambda n: n.index)), indicator_headers(new)))
    ix_old = {tuple(i.path): i.index for i in old.program.walk()}
    ix_new = {tuple(i.path): i.index for i in new.program.walk()}
    common = [p for p in ix_old if p in ix_new]
    # the indicators compared: the deepest of the common paths (a changed leaf, not each of
    # its parents again), found once — not once per unit and path (that was quadratic)
    parents = {p[:k] for p in common for k in range(1, len(p))}
    leaves = [(h_new[p], ix_old[p], ix_new[p]) for p in common if p not in parents]
    rep = DiffReport(only_old=[h_old[p] for p in ix_old if p not in ix_new],
                     only_new=[h_new[p] for p in ix_new if p not in ix_old])
    for (rowno, ids), results in units:
        bad = [r for r in results if not isinstance(r, Scored)]
        if bad:
            rep.errors.extend(bad[0])
            continue
        rep.units += 1
        (s_old, t_old, g_old), (s_new, t_new, g_new) = ((r.scores, r.total, r.grade) for r in results)
        changed = tuple((h, s_old[i], s_new[j]) for h, i, j in leaves if s_old[i] != s_new[j])
        if t_old != t_new or g_old != g_new or changed:
            if isinstance(ids, Path):
                ids = dict(results[1].ids)
            rep.changes.append(UnitChange(rowno, ids, t_old, t_new, g_old, g_new, changed))
            if g_old != g_new:
                rep.transitions[(g_old, g_new)] = rep.transitions.get((g_old, g_new), 0) + 1
    if not (path.is_dir() or path.suffix.lower() == ".jxc"):
        for cols in (cols_new, cols_old):
            if cols.row_table is not None:
                rep.errors.extend(cols.row_table.unclaimed())
                break
    return rep
