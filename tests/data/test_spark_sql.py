"""The Spark SQL of a shipped rulebook, run by PySpark in local mode: 10,000 of the
benchmark's generated units scored by Spark equal the Python engine's scores, every cell.

Needs pyspark and a Java runtime (`pip install pyspark`; `.ci/run` installs a JRE where
`java` is missing); skipped, with the reason, where either is absent."""
from __future__ import annotations

import csv
import os
import shutil
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "stdlib_indicators" / "部门整体支出.jx"

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (pip install pyspark)")
if shutil.which("java") is None and not os.environ.get("JAVA_HOME"):
    pytest.skip("no Java runtime for Spark (apt-get install default-jre-headless)", allow_module_level=True)


def test_spark_scores_equal_python(tmp_path):
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import batch_bench
    from pyspark.sql import SparkSession

    from jixiao.compiler.api import compile_rulebook
    from jixiao.compiler.backend.sql import emit_sql
    from jixiao.compiler.data.job import score_file
    from jixiao.compiler.data.results import indicator_headers

    rb = compile_rulebook(path=RULEBOOK)
    data = tmp_path / "units.csv"
    batch_bench.make_units(data, 10_000)
    out = tmp_path / "py.csv"
    assert score_file(rb, data, out, engine="python")[0] == 10_000
    with open(out, encoding="utf-8-sig", newline="") as f:
        expected = {r[0]: r[1:] for r in list(csv.reader(f))[1:]}

    spark = (SparkSession.builder.master("local[2]").appName("jixiao-test")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2").getOrCreate())
    try:
        spark.read.csv(str(data), header=True).createOrReplaceTempView("inputs")   # every column a string
        query = emit_sql(rb.program, "spark", "inputs", ("单位编码",)).rstrip().rstrip(";")
        heads = indicator_headers(rb) + ["总分", "等级"]
        rows = spark.sql(query).collect()
    finally:
        spark.stop()
    assert len(rows) == 10_000
    for r in rows:
        d = r.asDict()
        assert d["有效"], d["单位编码"]
        assert [d[h] for h in heads] == expected[d["单位编码"]], d["单位编码"]
