"""Files of many units: reading CSV/XLSX/JSON(L) and folders of cases, mapping columns to
inputs, scoring in one process (``batch``) or in worker processes (``parallel``),
pandas DataFrames (``frames``), and rulebook diffs over a data set."""
