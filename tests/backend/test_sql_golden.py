"""`jixiao compile --emit-sql` of the shipped rulebooks: the query of each one the SQL
backend translates (in each dialect), and the refusal (code and place) of each one it
does not, pinned as golden files (tests/golden/sql; `pytest --update-golden` rewrites
them). Running the DuckDB query is tests/data/test_engine_duckdb.py's business."""
from pathlib import Path

import pytest

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.backend.sql import Unsupported, emit_sql
from jixiao.dsl.diagnostics import render_concise

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "sql"
SHIPPED = sorted(p for p in (ROOT / "stdlib_indicators").glob("*.jx") if p.name != "计分方法.jx")
TRANSLATED = {"部门整体支出.jx"}


@pytest.mark.parametrize("path", SHIPPED, ids=[p.stem for p in SHIPPED])
def test_shipped_rulebooks(path, golden):
    rb = compile_rulebook(path=path)
    if path.name in TRANSLATED:
        for dialect in ("duckdb", "postgres", "spark"):
            golden(GOLDEN / f"{path.stem}.{dialect}.sql", emit_sql(rb.program, dialect, "inputs", ("单位编码",)))
        return
    with pytest.raises(Unsupported) as e:
        emit_sql(rb.program)
    d = e.value.diagnostics[0]
    assert d.code == "E0801"
    text = render_concise(d, "zh").replace(str(ROOT) + "/", "") + "\n" + render_concise(d, "en").replace(str(ROOT) + "/", "") + "\n"
    golden(GOLDEN / f"{path.stem}.refused.txt", text)


def test_cli_emit_sql(cli, tmp_path):
    out = tmp_path / "q.sql"
    r = cli(["compile", str(ROOT / "stdlib_indicators" / "部门整体支出.jx"), "--emit-sql", str(out), "--dialect", "postgres",
             "--keep", "单位编码"])
    assert r.exit_code == 0, r.output
    assert out.read_text(encoding="utf-8") == (GOLDEN / "部门整体支出.postgres.sql").read_text(encoding="utf-8")
    r = cli(["compile", str(ROOT / "stdlib_indicators" / "项目支出绩效评价.jx"), "--emit-sql", "-", "--lang", "en"])
    assert r.exit_code == 1
    assert "E0801" in r.output and "list inputs" in r.output


def test_unbounded_intermediate_is_refused():
    """E0802 names the expression whose intermediate values may reach 10^38."""
    text = ('规则集 "t"\n满分 1\n输入 a: 数值\n输入 b: 数值\n输入 c: 数值\n'
            '指标 A 1分:\n  得分 = 如果 a × b × c > 1 则 1 否则 0\n等级:\n  全: 否则\n')
    rb = compile_rulebook(text, name="t.jx")
    with pytest.raises(Unsupported) as e:
        emit_sql(rb.program)
    d = e.value.diagnostics[0]
    assert d.code == "E0802"
    assert "a × b × c" in d.args["expr"]


COHORT = GOLDEN / "同类比较（可译为SQL）.jx"


def test_a_cohort_rulebook_in_each_dialect(golden):
    """Ranks (并列, 顺延, a rank position of a ratio), peer highest/lowest of a ratio, a
    peer average and median, a count, 按同类平均得分计 and two quotas as window functions;
    tests/data/test_sql_cohort.py runs the DuckDB query."""
    rb = compile_rulebook(path=COHORT)
    for dialect in ("duckdb", "postgres", "spark"):
        golden(GOLDEN / f"{COHORT.stem}.{dialect}.sql", emit_sql(rb.program, dialect, "inputs", ("单位名称",)))


def test_a_peer_average_of_a_ratio_is_refused_naming_it():
    """The shipped 同类比较 rulebook averages 占比 = 人员经费 / 支出数 among peers: a sum of
    fractions with run-time denominators has no exact bounded form (E0801 at the average)."""
    rb = compile_rulebook(path=ROOT / "stdlib_indicators" / "部门整体支出绩效评价（同类比较）.jx")
    with pytest.raises(Unsupported) as e:
        emit_sql(rb.program)
    d = e.value.diagnostics[0]
    assert d.code == "E0801" and d.labels[0].span.text() == "同类平均(占比)"


def test_the_scoring_engine_still_refuses_a_cohort_plan():
    """plan() without cohort=True (the engine's call, which scores a file in parts) refuses."""
    from jixiao.compiler.backend.sql import plan
    rb = compile_rulebook(path=COHORT)
    with pytest.raises(Unsupported):
        plan(rb.program, "duckdb")
    pl = plan(rb.program, "duckdb", cohort=True)
    assert [h for h, _ in pl.extra][-1] == "名额" and pl.table_ok == "_okc"
    assert plan(compile_rulebook(path=ROOT / "stdlib_indicators" / "部门整体支出.jx").program, "duckdb").table_ok is None


def test_spark_quotient_past_32_digits_is_refused():
    """Spark divides DECIMAL(38,0)s into DECIMAL(38,6): an exact integer division whose
    quotient may reach 10^32 would overflow (NULL, or an error in ANSI mode). The Spark
    dialect refuses it with E0802 naming the expression and the limit; DuckDB and
    PostgreSQL, exact to 10^38, translate it."""
    text = ('规则集 "t"\n满分 3\n精度 0.01\n输入 a: 人数 范围 0 至 1000000000000000\n输入 b: 人数 范围 1 至 1000\n'
            '指标 A 3分:\n  得分 = (a ÷ b) × (a ÷ b) 最多 3\n等级:\n  全: 否则\n')
    rb = compile_rulebook(text, name="t.jx")
    with pytest.raises(Unsupported) as e:
        emit_sql(rb.program, "spark")
    d = e.value.diagnostics[0]
    assert d.code == "E0802" and d.args["expr"] == "(a ÷ b) × (a ÷ b) 最多 3" and d.args["limit"] == "10^32"
    assert "under 10^32" in render_concise(d, "en")
    for dialect in ("duckdb", "postgres"):
        assert "SELECT" in emit_sql(rb.program, dialect)
    # a thousand times smaller, the quotients stay under 10^32: Spark translates it too
    small = compile_rulebook(text.replace("1000000000000000", "1000000000000"), name="t.jx")
    assert "SELECT" in emit_sql(small.program, "spark")
