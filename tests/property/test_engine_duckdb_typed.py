"""`--engine duckdb` on typed Parquet files (and the same rows in a workbook) against the
Python engine, by property: each
column of a rulebook's inputs (every kind: amounts, a rate, a count, a score, a number, a
yes/no, a grade, a checklist, a date) and of its id is stored with a drawn DuckDB type —
VARCHAR texts (plain, with %, spaces, full-width digits, exponents), DOUBLE (NaN, ±inf,
1e20, shortest reprs), FLOAT (whose Python value is not its printed one), DECIMAL (up to
38 digits, more than a Python context's 28), BIGINT and HUGEINT (±2^127), BOOLEAN, DATE,
TIMESTAMP, LIST(BOOLEAN) and LIST(VARCHAR) — and the values drawn for that type. Both
engines must give the same units, the same bad-row report and the same output file
(CSV, JSON Lines, Parquet or XLSX: every cell's value and type).

The engine decides per cell whether the SQL may read the typed value's text
(engine_sources.TableSource.cell); a wrong decision is a score or an error that differs.
"""
from __future__ import annotations

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given, note, strategies as st

duckdb = pytest.importorskip("duckdb")

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.data.job import score_file

from .rulebook_gen import profile

RULEBOOK = '''规则集 "类型"
满分 30
精度 0.01
输入 预算数: 金额(万元) > 0
输入 支出数: 金额(万元) 范围 0 至 100000
输入 完成率: 比率 范围 0 至 300%
输入 人数: 人数
输入 自评: 分数 范围 0 至 5
输入 偏差: 数值 范围 -50 至 50
输入 合规: 是否
输入 满意度: 等级(优秀, 良好, 合格)
输入 要点: 清单["符合申报条件" 2分, "程序规范" 1分, "有佐证材料" 1分]
输入 下达日期: 日期
一级指标 A 5分:
  得分 = 如果 支出数 / 预算数 ≥ 0.9 则 5 否则 2
一级指标 B 5分:
  得分 = min(完成率, 100%) × 5
一级指标 C 5分:
  得分 = 自评
一级指标 D 5分:
  得分 = 如果 合规 则 5 否则 0
一级指标 E 4分:
  得分 = 符合分(要点)
一级指标 F 3分:
  得分 = 如果 下达日期 ≤ 2024-06-30 则 3 否则 1
一级指标 G 3分:
  得分 = 如果 满意度 = 优秀 则 3 否则 如果 人数 > 10 且 偏差 < 0 则 2 否则 1
等级:
  好: 总分 ≥ 20
  差: 否则
'''

NUMBERS = ["预算数", "支出数", "完成率", "人数", "自评", "偏差"]
COLUMNS = ["单位编码"] + NUMBERS + ["合规", "满意度", "要点", "下达日期"]
DECIMALS = ["DECIMAL(9,0)", "DECIMAL(18,2)", "DECIMAL(18,4)", "DECIMAL(38,0)", "DECIMAL(38,10)", "DECIMAL(38,30)"]
# the types a column may be stored as: each input kind's own, and others a file may hold
TYPES = {
    "number": ["VARCHAR", "DOUBLE", "FLOAT", "BIGINT", "HUGEINT", "BOOLEAN", "DATE"] + DECIMALS,
    "id": ["VARCHAR", "BIGINT", "DOUBLE", "DECIMAL(18,2)", "DATE", "BOOLEAN"],
    "合规": ["BOOLEAN", "VARCHAR", "BIGINT", "DOUBLE"],
    "满意度": ["VARCHAR", "BIGINT", "BOOLEAN"],
    "要点": ["BOOLEAN[]", "VARCHAR[]", "VARCHAR", "BOOLEAN", "BIGINT"],
    "下达日期": ["DATE", "VARCHAR", "TIMESTAMP", "BIGINT", "DOUBLE"],
}


def kind_of(col: str) -> str:
    return "id" if col == "单位编码" else "number" if col in NUMBERS else col


@pytest.fixture(scope="module")
def rb():
    return compile_rulebook(text=RULEBOOK, name="types.jx")


small_ints = st.one_of(st.integers(-3, 120), st.sampled_from([0, 1, 10, 11, 100, 100000, 100001]))
texts = st.one_of(
    st.sampled_from(["", " ", "是", "否", "是 ", "true", "false", "1", "0", "96.3%", " 5 ", "1e3", "1,000",
                     "５", "-0", "0.0", "2024-06-30", "2024-07-01", "2024-02-30", "优秀", "良好", "合格",
                     "差", "是,否,是", "是，是，是", "否、否、否", "=1+2", "a,\"b\"", "@x", "-5", "\t3",
                     "N/A", "不适用", "nan", "inf", "99.999", "0.9", "1e-7"]),
    st.decimals(-200, 200, places=3, allow_nan=False).map(str),
    st.text(max_size=6))


def values_for(typ: str):
    """Values a column of DuckDB type ``typ`` holds (None: NULL)."""
    if typ == "VARCHAR":
        v = texts
    elif typ in ("DOUBLE", "FLOAT"):
        v = st.one_of(st.floats(width=32 if typ == "FLOAT" else 64),
                      st.decimals(-200, 200, places=2, allow_nan=False).map(float),
                      st.sampled_from([0.1, 0.9, 1e20, -1.5e-7, 1e16, 123456789.123, 45.0, 4.5, 90.0, 1e-5]))
    elif typ == "BIGINT":
        v = st.one_of(small_ints, st.integers(-2 ** 63, 2 ** 63 - 1))
    elif typ == "HUGEINT":
        v = st.one_of(small_ints, st.integers(-2 ** 127 + 1, 2 ** 127 - 1), st.just(10 ** 28))
    elif typ.startswith("DECIMAL"):
        p, s = map(int, typ[8:-1].split(","))
        top = Decimal(10) ** (p - s) - Decimal(10) ** -s
        v = st.one_of(st.decimals(-top, top, places=s, allow_nan=False, allow_infinity=False),
                      small_ints.map(Decimal))
    elif typ == "BOOLEAN":
        v = st.booleans()
    elif typ == "DATE":
        v = st.one_of(st.dates(), st.sampled_from([datetime.date(2024, 6, 30), datetime.date(2024, 7, 1)]))
    elif typ == "TIMESTAMP":
        v = st.datetimes(min_value=datetime.datetime(1900, 1, 1), max_value=datetime.datetime(2100, 1, 1))
    elif typ == "BOOLEAN[]":
        v = st.lists(st.one_of(st.booleans(), st.none()), max_size=4)
    else:                                       # VARCHAR[]
        v = st.lists(st.sampled_from(["是", "否", "true", " 是", "", "x"]), max_size=4)
    return st.one_of(st.none(), v)


def good_for(typ: str, col: str):
    """A value of type ``typ`` that column ``col``'s input takes (or None where the type
    has none): most rows are then units, not errors."""
    num = (st.integers(0, 40).map(Decimal) if col == "人数" else
           st.decimals(0, 2.5 if col == "完成率" else 5, places=2, allow_nan=False))
    if col in NUMBERS:
        if typ == "VARCHAR":
            return num.map(str)
        if typ in ("DOUBLE", "FLOAT"):
            return num.map(float)
        if typ in ("BIGINT", "HUGEINT"):
            return num.map(int)
        if typ.startswith("DECIMAL"):
            return num
        return None
    if col == "单位编码":
        return st.from_regex(r"[A-Z0-9]{1,6}", fullmatch=True) if typ == "VARCHAR" else values_for(typ)
    good = {("合规", "BOOLEAN"): st.booleans(), ("合规", "VARCHAR"): st.sampled_from(["是", "否"]),
            ("合规", "BIGINT"): st.sampled_from([0, 1]), ("合规", "DOUBLE"): st.sampled_from([0.0, 1.0]),
            ("满意度", "VARCHAR"): st.sampled_from(["优秀", "良好", "合格"]),
            ("要点", "BOOLEAN[]"): st.lists(st.booleans(), min_size=3, max_size=3),
            ("要点", "VARCHAR[]"): st.lists(st.sampled_from(["是", "否"]), min_size=3, max_size=3),
            ("要点", "VARCHAR"): st.lists(st.sampled_from(["是", "否"]), min_size=3, max_size=3).map(",".join),
            ("下达日期", "DATE"): st.dates(datetime.date(2023, 1, 1), datetime.date(2025, 1, 1)),
            ("下达日期", "VARCHAR"): st.dates(datetime.date(2023, 1, 1), datetime.date(2025, 1, 1)).map(str)}
    return good.get((col, typ))


@st.composite
def tables(draw):
    """(each column's type, the rows): a column's type is its input's own three times in
    four, a cell a good value 15 times in 16 (where its type has one)."""
    types = []
    for c in COLUMNS:
        own = TYPES[kind_of(c)][:1] if c not in NUMBERS else ["VARCHAR", "DOUBLE", "BIGINT", "DECIMAL(18,2)"]
        pick = own if draw(st.integers(0, 3), label=f"own type of {c}") else TYPES[kind_of(c)]
        types.append(draw(st.sampled_from(pick), label=f"type of {c}"))
    n = draw(st.integers(1, 8), label="rows")
    rows = []
    for _ in range(n):
        row = []
        for c, t in zip(COLUMNS, types):
            good = good_for(t, c)
            row.append(draw(good if good is not None and draw(st.integers(0, 15)) else values_for(t)))
        rows.append(row)
    return types, rows


def write_parquet(path: Path, types: list, rows: list) -> None:
    con = duckdb.connect(":memory:")
    try:
        cols = ", ".join(f'"{c}" {t}' for c, t in zip(COLUMNS, types))
        con.execute(f"CREATE TABLE t ({cols})")
        for r in rows:
            con.execute(f"INSERT INTO t VALUES ({', '.join('?' * len(r))})", r)
        con.execute(f"COPY t TO '{path}' (FORMAT parquet)")
    finally:
        con.close()


def write_xlsx(path: Path, parquet: Path) -> None:
    """The Parquet file's rows as a workbook's cells: numbers, texts, booleans and dates
    as openpyxl stores them; a list as its text (a workbook has no lists)."""
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(COLUMNS)
    for r in duckdb.sql(f"SELECT * FROM '{parquet}'").fetchall():
        ws.append([",".join(map(str, v)) if isinstance(v, list) else
                   None if isinstance(v, float) and v != v else v for v in r])
    wb.save(path)


SEEN = {"examples": 0, "units": 0, "errors": 0}


@profile(80)
@given(table=tables(), src=st.sampled_from([".parquet", ".parquet", ".xlsx"]),
       out=st.sampled_from([".csv", ".jsonl", ".parquet", ".xlsx"]))
def test_typed_parquet_engines_equal(rb, tmp_path_factory, table, src, out):
    types, rows = table
    d = tmp_path_factory.mktemp("typed")
    data = d / "u.parquet"
    try:
        write_parquet(data, types, rows)
    except (duckdb.ConversionException, duckdb.InvalidInputException, duckdb.OutOfRangeException):
        assume(False)                  # a value its column's type does not hold (DuckDB refuses it)
    if src == ".xlsx":
        from openpyxl.utils.exceptions import IllegalCharacterError
        data = d / "u.xlsx"
        try:
            write_xlsx(data, d / "u.parquet")
        except (ValueError, TypeError, OverflowError, IllegalCharacterError) as e:   # a value openpyxl cannot store (±inf, \x1f, …)
            note(f"openpyxl: {e!r}")
            assume(False)
    note(f"types {dict(zip(COLUMNS, types))}")
    note(f"rows {rows}")
    n_py, e_py = score_file(rb, data, d / f"py{out}", engine="python", on_error="skip")
    n_dd, e_dd = score_file(rb, data, d / f"dd{out}", engine="duckdb", on_error="skip")
    assert (n_dd, [e.text() for e in e_dd]) == (n_py, [e.text() for e in e_py])
    assert read(d / f"dd{out}") == read(d / f"py{out}")
    SEEN["examples"] += 1
    SEEN["units"] += n_py
    SEEN["errors"] += len(e_py)


def read(path: Path):
    if path.suffix == ".parquet":
        return (duckdb.sql(f"DESCRIBE SELECT * FROM '{path}'").fetchall(),
                duckdb.sql(f"SELECT * FROM '{path}'").fetchall())
    if path.suffix == ".xlsx":
        import openpyxl
        wb = openpyxl.load_workbook(path)
        return {ws.title: [[(type(c.value).__name__, c.value) for c in r] for r in ws.iter_rows()]
                for ws in wb.worksheets}
    return path.read_bytes()


def test_typed_parquet_property_scored_units(rb, tmp_path_factory):
    """Runs after the property above and guards it against being vacuous: units were scored
    (valid rows drawn) and rows were refused (bad ones)."""
    if SEEN["examples"] == 0:             # another process ran it (pytest-xdist)
        test_typed_parquet_engines_equal(rb, tmp_path_factory)
    assert SEEN["units"] >= 10 and SEEN["errors"] >= 10, SEEN
