"""Files of many units: read, map columns to inputs, score, write, compare rulebooks.

    results.py        Scored, RowError (a bad row), DataError, BadRows; indicator_headers
    readers.py        CSV / XLSX / JSON / JSON Lines -> a header and numbered rows; mapping files
    columns.py        headers -> inputs (Columns), checklist cells, the generated row converter
    rowtable.py       指标行 of many units: a table of their own (RowTable), or a cell per record
    scoring.py        score_rows (a file, a case, a folder of cases), score_table, score_cells
    writers.py        scored units out as CSV / JSON / JSON Lines / XLSX (write_results)
    rulebook_diff.py  diff: the units whose scores or grades change from one rulebook to another
    parallel.py       CSV to CSV in worker processes (the fast path of `jixiao score … -j N`)
    frames.py         a pandas DataFrame scored (the optional extra jixiao[pandas])

The names below are the public API (``from jixiao.compiler.data import score_table``);
``parallel`` and ``frames`` are imported on their own.
"""
from .results import BadRows, DataError, RowError, Scored, indicator_headers
from .readers import load_mapping, read_rows
from .columns import Columns
from .rowtable import RowTable, load_row_table, workbook_row_table
from .scoring import case_files, score_cases, score_cells, score_rows, score_table
from .writers import output_kind, rows_record, write_results
from .rulebook_diff import DiffReport, UnitChange, diff

__all__ = [
    "BadRows", "DataError", "RowError", "Scored", "indicator_headers",
    "load_mapping", "read_rows",
    "Columns",
    "RowTable", "load_row_table", "workbook_row_table",
    "case_files", "score_cases", "score_cells", "score_rows", "score_table",
    "output_kind", "rows_record", "write_results",
    "DiffReport", "UnitChange", "diff",
]
