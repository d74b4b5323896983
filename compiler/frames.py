"""Score a pandas DataFrame: one unit per row (optional extra ``jixiao[pandas]``).

    from compiler.api import compile_rulebook
    from compiler.frames import score_frame
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
row's position (``df.iloc[row]``), and ``RowError.column`` its column.
"""
from __future__ import annotations

import math
from decimal import Decimal
from typing import Any, Optional

from .api import CompiledRulebook
from .batch import DataError, indicator_headers, score_table


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
    rows = ((i, [_cell(v, missing) for v in rec])
            for i, rec in enumerate(df.itertuples(index=False, name=None)))
    columns, scored = score_table(rb, headers, rows, mapping=mapping, on_error=on_error, errors=errors)
    id_cols = list(columns.id_columns)
    names = indicator_headers(rb)
    positions, scores, totals, grades = [], [], [], []
    for s in scored:
        positions.append(s.row)
        scores.append(s.scores)
        totals.append(s.total)
        grades.append(s.grade)
    index = df.index[positions]
    out = {headers[c]: df.iloc[positions, c].to_numpy() for c in id_cols}
    for k, h in enumerate(names):
        out[h] = pd.Series([row[k] for row in scores], index=index, dtype=object)
    out["总分"] = pd.Series(totals, index=index, dtype=object)
    out["等级"] = pd.Series(grades, index=index, dtype=object)
    return pd.DataFrame(out, index=index)


def _missing_test(pd):
    na, nat = pd.NA, pd.NaT
    return lambda v: v is None or v is na or v is nat


def _cell(v: Any, missing):
    """A DataFrame cell as the batch reader takes cells: None when empty, else plain Python."""
    if isinstance(v, (str, bool, int, Decimal)):
        return v
    if isinstance(v, float):                        # numpy's float64 too
        return None if math.isnan(v) else v          # ±inf is refused by validation
    if missing(v):
        return None
    if isinstance(v, (tuple, list)):                 # a checklist as its items
        return tuple(_cell(x, missing) for x in v)
    tolist = getattr(v, "tolist", None)
    if callable(tolist) and type(v).__module__ == "numpy" and getattr(v, "ndim", 0):
        return _cell(tolist(), missing)              # a numpy array of items
    item = getattr(v, "item", None)                  # numpy scalars -> int, float, bool
    if callable(item) and type(v).__module__ == "numpy":
        return _cell(item(), missing)
    return str(v)
