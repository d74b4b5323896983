"""`--engine duckdb` with inputs and outputs other than CSV (Parquet, XLSX, JSON, JSON
Lines) against the Python engine: the same units, scores, bad-row report and file — on the
benchmark's generated units and on hostile rows (values of the wrong type, a DOUBLE in
exponent form, NaN, a date, ids with commas, quotes and formulas, a blank row)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

duckdb = pytest.importorskip("duckdb")

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.data import BadRows, DataError
from jixiao.compiler.data.job import score_file

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def inputs(tmp_path_factory, make_units):
    """The same 600 units as CSV, as a typed Parquet (DOUBLE, BIGINT columns) and as XLSX
    (numbers as numbers); and a Parquet of hostile rows."""
    import openpyxl
    d = tmp_path_factory.mktemp("formats")
    csv_path = d / "u.csv"
    make_units(csv_path, 600)
    pq = d / "u.parquet"
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{csv_path}')) TO '{pq}' (FORMAT parquet)")
    rows = duckdb.sql(f"SELECT * FROM '{pq}'").fetchall()
    names = [c[0] for c in duckdb.sql(f"DESCRIBE SELECT * FROM '{pq}'").fetchall()]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(names)
    for r in rows:
        ws.append(list(r))
    xlsx = d / "u.xlsx"
    wb.save(xlsx)
    # hostile rows: the first column is the id; a numeric column takes odd values
    num = next(n for n, t, *_ in duckdb.sql(f"DESCRIBE SELECT * FROM '{pq}'").fetchall()[1:] if t == "DOUBLE")
    hostile = d / "hostile.parquet"
    first = names[0]
    duckdb.sql(f"""COPY (
        SELECT * REPLACE (CASE k WHEN 0 THEN '=1+2' WHEN 1 THEN 'a,"b"' WHEN 2 THEN '-5' ELSE "{first}" END AS "{first}")
        FROM (SELECT row_number() OVER () - 1 AS k, * FROM '{pq}' LIMIT 40)
    ) TO '{d / 'ids.parquet'}' (FORMAT parquet)""")
    duckdb.sql(f"""COPY (
        SELECT * EXCLUDE (k) REPLACE (
            CASE k % 5 WHEN 0 THEN 1e20 WHEN 1 THEN 'nan'::DOUBLE WHEN 2 THEN -1.5e-7 WHEN 3 THEN NULL ELSE "{num}" END AS "{num}")
        FROM (SELECT row_number() OVER () - 1 AS k, * FROM '{d / 'ids.parquet'}')
    ) TO '{hostile}' (FORMAT parquet)""")
    return {"csv": csv_path, "parquet": pq, "xlsx": xlsx, "hostile": hostile}


def _read(path: Path):
    """An output file's content, comparable across the engines."""
    s = path.suffix
    if s in (".csv", ".jsonl", ".json"):
        return path.read_bytes()
    if s == ".parquet":
        return (duckdb.sql(f"DESCRIBE SELECT * FROM '{path}'").fetchall(), duckdb.sql(f"SELECT * FROM '{path}'").fetchall())
    import openpyxl
    wb = openpyxl.load_workbook(path)
    return {ws.title: [[c.value for c in r] for r in ws.iter_rows()] for ws in wb.worksheets}


@pytest.mark.parametrize("src", ["csv", "parquet", "xlsx", "hostile"])
@pytest.mark.parametrize("out", [".csv", ".parquet", ".jsonl", ".xlsx"])
def test_engines_equal(rb, inputs, tmp_path, src, out):
    data = inputs[src]
    n_py, e_py = score_file(rb, data, tmp_path / f"py{out}", engine="python", on_error="skip")
    n_dd, e_dd = score_file(rb, data, tmp_path / f"dd{out}", engine="duckdb", on_error="skip")
    assert (n_dd, [e.text() for e in e_dd]) == (n_py, [e.text() for e in e_py])
    assert _read(tmp_path / f"dd{out}") == _read(tmp_path / f"py{out}")
    if src == "hostile":
        assert e_py and n_py == 40 - len({e.row for e in e_py}) > 0
    else:
        assert n_py == 600 and e_py == []


def test_inputs_score_alike(rb, inputs, tmp_path):
    """The same units as CSV, Parquet and XLSX give the same results."""
    outs = []
    for src in ("csv", "parquet", "xlsx"):
        score_file(rb, inputs[src], tmp_path / f"{src}.csv", engine="duckdb")
        outs.append((tmp_path / f"{src}.csv").read_bytes())
    assert outs[0] == outs[1] == outs[2]


def test_parquet_output_is_typed(rb, inputs, tmp_path):
    out = tmp_path / "o.parquet"
    score_file(rb, inputs["csv"], out, engine="duckdb")
    types = dict((n, t) for n, t, *_ in duckdb.sql(f"DESCRIBE SELECT * FROM '{out}'").fetchall())
    assert types["总分"].startswith("DECIMAL(38,") and types["等级"] == "VARCHAR"
    got = duckdb.sql(f"SELECT sum(总分), count(*) FROM '{out}'").fetchall()[0]
    assert got[1] == 600 and got[0] > 0


def test_unwritable_kinds_refused(rb, inputs, tmp_path):
    with pytest.raises(DataError, match="duckdb engine writes"):
        score_file(rb, inputs["csv"], tmp_path / "o.txt", engine="duckdb")
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1 not a parquet file")
    with pytest.raises(DataError, match="Parquet"):
        score_file(rb, bad, tmp_path / "o.csv", engine="duckdb")
    with pytest.raises(DataError, match="Parquet"):
        score_file(rb, bad, tmp_path / "o.csv", engine="python")


@pytest.fixture(scope="module")
def cohort_inputs(tmp_path_factory):
    """The cohort example's 24 units (and 600 generated ones with bad rows) as typed
    Parquet (DuckDB's types for the CSV: DOUBLE, BIGINT, VARCHAR) and as XLSX."""
    sys.path.insert(0, str(ROOT / "tests" / "data"))
    import openpyxl
    from test_sql_cohort import EXAMPLE, units, write
    d = tmp_path_factory.mktemp("cohort")
    out = {}
    for name, src in (("example", EXAMPLE), ("messy", write(d / "messy.csv", units(600, seed=5)))):
        pq = d / f"{name}.parquet"
        duckdb.sql(f"COPY (SELECT * FROM read_csv('{src}')) TO '{pq}' (FORMAT parquet)")
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.append([c[0] for c in duckdb.sql(f"DESCRIBE SELECT * FROM '{pq}'").fetchall()])
        for r in duckdb.sql(f"SELECT * FROM '{pq}'").fetchall():
            ws.append(list(r))
        wb.save(d / f"{name}.xlsx")
        out[name] = {"parquet": pq, "xlsx": d / f"{name}.xlsx",
                     "types": {n: t for n, t, *_ in duckdb.sql(f"DESCRIBE SELECT * FROM '{pq}'").fetchall()}}
    return out


@pytest.mark.parametrize("src", ["parquet", "xlsx"])
@pytest.mark.parametrize("out", [".csv", ".parquet", ".xlsx"])
def test_a_cohort_rulebook_on_typed_inputs(cohort_inputs, tmp_path, monkeypatch, src, out):
    """A cohort rulebook (ranks, peer statistics, quotas as window functions) on Parquet and
    XLSX input: both engines give the same units, errors and file — on the example, scored
    in SQL whole (the Python engine's cohort scorer is not called), and on a file with bad
    rows (left whole to the Python engine, a unit cannot be scored alone)."""
    from test_sql_cohort import RULEBOOK
    from jixiao.compiler.data import cohort
    rb = compile_rulebook(path=RULEBOOK)
    ex = cohort_inputs["example"]
    assert ex["types"]["预算数"] in ("DOUBLE", "BIGINT") and ex["types"]["编制数"] == "BIGINT"
    n_py, e_py = score_file(rb, ex[src], tmp_path / f"py{out}", engine="python")
    real = cohort.score_cohort_file

    def no_python(*a, **k):
        raise AssertionError("the example went to the Python engine")
    monkeypatch.setattr(cohort, "score_cohort_file", no_python)
    n_dd, e_dd = score_file(rb, ex[src], tmp_path / f"dd{out}", engine="duckdb")
    assert n_dd == n_py == 24 and e_dd == e_py == []
    assert _read(tmp_path / f"dd{out}") == _read(tmp_path / f"py{out}")
    monkeypatch.setattr(cohort, "score_cohort_file", real)
    messy = cohort_inputs["messy"][src]
    n_py, e_py = score_file(rb, messy, tmp_path / f"mpy{out}", engine="python", on_error="skip")
    n_dd, e_dd = score_file(rb, messy, tmp_path / f"mdd{out}", engine="duckdb", on_error="skip")
    assert e_py and (n_dd, [e.text() for e in e_dd]) == (n_py, [e.text() for e in e_py])
    assert _read(tmp_path / f"mdd{out}") == _read(tmp_path / f"mpy{out}")


def test_ids_out_of_step_with_the_file_are_a_data_error(tmp_path):
    """engine_files._scored_from_csv re-reads the typed ids for a workbook's output and checks
    each against the unit the SQL wrote; were they ever out of step it says so (a DataError
    naming the unit), not an AssertionError's traceback."""
    from jixiao.compiler.data.engine_files import _scored_from_csv
    raw = tmp_path / "raw.csv"
    raw.write_text("单位编码,A,总分,等级\nU1,1,1,好\nU2,2,2,好\n", encoding="utf-8")
    typed = iter([{"单位编码": "U1"}, {"单位编码": "U3"}])
    got = _scored_from_csv(str(raw), ["单位编码"], 2, [], set(), typed)
    assert next(got).ids == {"单位编码": "U1"}
    with pytest.raises(DataError, match="unit 2 .单位编码=U2. is not the file's next unit"):
        next(got)


def test_a_workbook_id_that_is_a_formula_without_its_value_is_the_python_engines_bad_row(tmp_path):
    """Found 2026-12-04 by attacking the engine: an id cell holding a formula whose value the
    workbook did not save was read by the DuckDB engine as an empty id (2 units, no error);
    the Python engine reports the cell. The row is now left to Python: the same units,
    report and file, under skip and stop."""
    import openpyxl
    small = compile_rulebook(path=ROOT / "tests" / "data" / "attack_small.jx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["单位", "有新进人员", "新进人员数", "参训新进人员数", "要点", "上年数", "本年数"])
    ws.append(["U1", "是", 10, 8, "是、是、否", 100, 105])
    ws.append(['="U"&2', "是", 5, 5, "111", 1, 1])
    data = tmp_path / "u.xlsx"
    wb.save(data)
    got = {}
    for engine in ("python", "duckdb"):
        n, errors = score_file(small, data, tmp_path / f"{engine}.csv", engine=engine, on_error="skip")
        got[engine] = (n, [e.text() for e in errors], (tmp_path / f"{engine}.csv").read_bytes())
        with pytest.raises(BadRows):
            score_file(small, data, tmp_path / f"stop-{engine}.csv", engine=engine)
    assert got["duckdb"] == got["python"]
    assert got["python"][0] == 1 and "公式" in got["python"][1][0]


def test_results_csv_to_parquet_types_each_number_column_by_its_finest_value(tmp_path):
    """parquet.csv_to_parquet (both engines' Parquet output): a number column is DECIMAL(38, s),
    s the most decimals of any of its values, exact; one that needs more than 38 digits, or
    an id, stays text (the digits are measured by where the point is since 2026-12-04)."""
    from decimal import Decimal
    from jixiao.compiler.data.parquet import csv_to_parquet
    raw = tmp_path / "raw.csv"
    rows = [["U1", "-0.5", "100", "99999999999999999999.123456789", "1" + "0" * 30 + ".123456789", "好"],
            ["U2", "12.25", "", "-0.001", "7", "差"],
            ["U3", "0", "-123", "0.01", "1", "好"]]
    names = ["单位", "A", "B", "C", "D", "等级"]
    raw.write_text("\n".join(",".join(r) for r in [names] + rows) + "\n", encoding="utf-8")
    out = tmp_path / "o.parquet"
    csv_to_parquet(str(raw), str(out), names, {"A", "B", "C", "D"})
    types = {r[0]: r[1] for r in duckdb.sql(f"DESCRIBE SELECT * FROM '{out}'").fetchall()}
    assert types == {"单位": "VARCHAR", "A": "DECIMAL(38,2)", "B": "DECIMAL(38,0)", "C": "DECIMAL(38,9)",
                     "D": "VARCHAR", "等级": "VARCHAR"}
    got = duckdb.sql(f"SELECT * FROM '{out}'").fetchall()
    assert got[0][1:4] == (Decimal("-0.50"), Decimal("100"), Decimal("99999999999999999999.123456789"))
    assert got[1][2] is None and got[1][3] == Decimal("-0.001000000") and got[2][2] == Decimal("-123")
    assert got[0][4] == "1" + "0" * 30 + ".123456789"


def test_a_cohort_workbook_row_of_only_an_unsaved_formula_is_not_dropped(cohort_inputs, tmp_path):
    """A workbook row whose one value is a formula without its saved value is written to the
    SQL as blanks (its text refused); in a cohort query the blank rows are dropped before
    the windows, so the row and its error were lost. A refused row is never blank: the
    file goes to the Python engine, the same units, report and file."""
    import openpyxl
    from test_sql_cohort import RULEBOOK
    rb = compile_rulebook(path=RULEBOOK)
    wb = openpyxl.load_workbook(cohort_inputs["example"]["xlsx"])
    ws = wb.active
    ws.append([None, '=1+1'])
    data = tmp_path / "u.xlsx"
    wb.save(data)
    got = {}
    for engine in ("python", "duckdb"):
        n, errors = score_file(rb, data, tmp_path / f"{engine}.csv", engine=engine, on_error="skip")
        got[engine] = (n, [e.text() for e in errors], (tmp_path / f"{engine}.csv").read_bytes())
    assert got["duckdb"] == got["python"]
    assert got["python"][0] == 24 and got["python"][1] and all(e.startswith("第26行") for e in got["python"][1])
