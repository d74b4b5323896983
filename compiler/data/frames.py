"""Score a pandas DataFrame: one unit per row (optional extra ``jixiao[pandas]``).

    from ..api import compile_rulebook
    from .frames import score_frame
    rb = compile_rulebook(path="部门整体支出.jx")
    scores = score_frame(rb, df)                      # a new DataFrame, same index

Columns map onto the rulebook's inputs by header exactly as for data files (names
compared after Unicode normalisation and trimming, a mapping for other names, a
checklist as one cell or one column per item); every other column is kept as an id.
Cells are taken as they are: numbers (a float by its shortest repr, so 96.31 is
Decimal('96.31'), never the binary value), Decimals, text as people write it ("96.31%",
"是", "是、否、是"), a checklist's items as a tuple, list or numpy array, numpy scalars; NaN, None and pandas' NA are empty cells.

The result has the id columns, one column per indicator in the rulebook's order, 总分
and 等级; scores are exact ``Decimal`` objects (dtype object): convert with
``.astype(float)`` only for plotting. Bad rows raise ``BadRows`` (``on_error="stop"``)
or are left out and listed in ``errors`` (``"skip"``); a ``RowError.row`` here is the
row's position (``df.iloc[row]``), and ``RowError.column`` its column. A rulebook with
cohort rules scores the rows together (ranks, peer averages, quotas: see compiler/data/cohort.py).
"""
from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Mapping, Optional

from ..api import CompiledRulebook
from .results import DataError, indicator_headers
from .scoring import score_table
from .writers import rows_record


def score_frame(rb: CompiledRulebook, df, *, mapping: Optional[dict] = None, on_error: str = "stop",
                errors: Optional[list] = None):
    """The scores of every row of ``df`` as a new DataFrame indexed like the rows scored."""
    import pandas as pd
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"score_frame takes a pandas DataFrame, not {type(df).__name__}")
    if on_error not in ("stop", "skip"):
        raise ValueError("on_error is 'stop' or 'skip'")
    headers = [str(c) for c in df.columns]
    if len(set(headers)) != len(headers):
        dup = sorted({h for h in headers if headers.count(h) > 1})
        raise DataError("列名重复 / duplicate column names: " + "、".join(dup))
    missing = _missing_test(pd)
    if rb.program.has_cohort:
        # the units scored together: the frame read twice (statistics, then scores)
        from .cohort import score_cohort
        columns, scored, _stats = score_cohort(rb, lambda: (headers, _rows(df, missing)), mapping=mapping,
                                               on_error=on_error, errors=errors)
    else:
        rows = _rows(df, missing)
        columns, scored = score_table(rb, headers, rows, mapping=mapping, on_error=on_error, errors=errors)
    id_cols = list(columns.id_columns)
    names = indicator_headers(rb) + ["总分", "等级"] + (["指标行"] if columns.rows_column is not None else [])
    clash = [headers[c] for c in id_cols if headers[c] in names]
    if clash:
        raise DataError("这些列与结果的列同名 / these columns have the names of result columns: " + "、".join(clash))
    positions, scored_rows = [], []
    for s in scored:
        positions.append(s.row)
        scored_rows.append(s)
    index = df.index[positions]
    out = {headers[c]: df.iloc[positions, c].to_numpy() for c in id_cols}
    for k, h in enumerate(indicator_headers(rb)):
        out[h] = pd.Series([s.scores[k] for s in scored_rows], index=index, dtype=object)
    out["总分"] = pd.Series([s.total for s in scored_rows], index=index, dtype=object)
    out["等级"] = pd.Series([s.grade for s in scored_rows], index=index, dtype=object)
    if columns.rows_column is not None:
        out["指标行"] = pd.Series([rows_record(s.rows) for s in scored_rows], index=index, dtype=object)
    return pd.DataFrame(out, index=index)


def _rows(df, missing, block: int = 10_000):
    """(position, cells) for every row, read a block of rows at a time, column by column
    (memory for one block of Python values, not the whole frame's)."""
    for start in range(0, len(df), block):
        part = df.iloc[start:start + block]
        yield from enumerate(zip(*(_column(part.iloc[:, c], missing) for c in range(part.shape[1]))), start)


def _column(col, missing):
    """A column's cells. A float32 / float16 column is read through numpy's own shortest
    text of each value ("8.24"): pandas would hand out the widened float 8.239999771118164."""
    dtype = getattr(col, "dtype", None)
    if getattr(dtype, "kind", "") == "f" and getattr(dtype, "itemsize", 8) != 8:
        return [None if v != v else str(v) for v in col.to_numpy()]
    return [_cell(v, missing) for v in col.tolist()]


def _missing_test(pd):
    na, nat = pd.NA, pd.NaT
    return lambda v: v is None or v is na or v is nat


def _cell(v: Any, missing):
    """A DataFrame cell as the batch reader takes cells: None when empty; text, numbers,
    Decimals, a 指标行 object as they are; a checklist's items as a tuple; numpy scalars as
    they are (the runtime reads a float32 by its own shortest text)."""
    if isinstance(v, (str, bool, int, Decimal, Mapping)):
        return v
    if isinstance(v, float):                        # numpy's float64 too
        return None if math.isnan(v) else v          # ±inf is refused by validation
    if missing(v):
        return None
    if isinstance(v, (tuple, list)):                 # a checklist as its items
        return tuple(_cell(x, missing) for x in v)
    if type(v).__module__ == "numpy":
        if getattr(v, "ndim", 0):
            return _cell(v.tolist(), missing)        # a numpy array of items
        if type(v).__name__ == "ndarray":
            return _cell(v.item(), missing)          # a 0-d array: its one value
        if getattr(getattr(v, "dtype", None), "kind", "") == "f" and v != v:
            return None                              # a float32 NaN
        return v
    return str(v)
