"""What scoring many units gives: a scored unit (``Scored``), a bad row (``RowError``),
the errors that stop a run (``DataError``: a file that cannot be read at all;
``BadRows``: the bad row that stops a run under ``on_error="stop"``), and the indicator
headers of the result columns, which the writers, frames and the diff share.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

import attrs

from ...dsl.diagnostics import Msg

from ..api import CompiledRulebook


class DataError(Exception):
    """A data file that cannot be read at all (not a bad row: those are RowErrors)."""


@attrs.frozen
class RowError:
    row: int                 # 1-based row number as a spreadsheet shows it (header = row 1)
    column: Optional[str]    # the column (header) concerned
    field: Optional[str]     # the rulebook input
    message: Msg             # what is wrong, in both languages
    file: Optional[str] = None   # a case file of a folder of cases (the message then says where)

    def text(self, lang: str = "both") -> str:
        if self.file is not None:
            return self.message.text(lang)
        col = f"，列「{self.column}」" if self.column else ""
        col_en = f", column `{self.column}`" if self.column else ""
        return Msg(f"第{self.row}行{col}：{self.message.zh}", f"row {self.row}{col_en}: {self.message.en}").text(lang)


@attrs.frozen
class Scored:
    row: int
    ids: dict
    scores: tuple
    total: Decimal
    grade: str
    na: tuple = ()
    rows: tuple = ()         # 指标行 scored: IndicatorResult per row (level "row"), in order
    extra: tuple = ()        # cohort rulebooks: the unit's statistics (rank, peers' average …) and quota note


class BadRows(Exception):
    def __init__(self, errors: list[RowError]):
        super().__init__("\n".join(e.text() for e in errors))
        self.errors = errors


def indicator_headers(rb: CompiledRulebook) -> list[str]:
    """One header per indicator: its name, qualified by its parent where the name is shared."""
    return indicator_headers_of(rb.program)


def indicator_headers_of(program) -> list[str]:
    """``indicator_headers`` of a checked program."""
    inds = sorted(program.walk(), key=lambda n: n.index)
    counts: dict[str, int] = {}
    for i in inds:
        counts[i.name] = counts.get(i.name, 0) + 1
    out = []
    for i in inds:
        if counts[i.name] > 1 and i.parent is not None:
            out.append(f"{i.parent.name}.{i.name}")
        else:
            out.append(i.name)
    return out
