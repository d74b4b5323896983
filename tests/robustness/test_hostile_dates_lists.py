"""Hostile rulebooks and values for dates, lists and weighted checklists: a diagnostic,
never a traceback or a hang."""
import datetime
from decimal import Decimal as D

import pytest

from jixiao.compiler.api import check_text, compile_rulebook
from jixiao.dsl.diagnostics import JixiaoError

H = '规则集 "t"\n满分 3\n'
G = "等级:\n  全: 否则\n"


def nested(n):
    return (H + "输入 L: 列表:\n  字段 x: 数值\n指标 A 3分:\n  得分 = 如果 " + "任一(L, " * n + "x > 0" + ")" * n
            + " 则 3 否则 0\n" + G)


def test_aggregates_nested_past_pythons_limits_are_E0107():
    assert "E0107" in {d.code for d in check_text(nested(40), "t.jx").diagnostics}
    rb = compile_rulebook(nested(14), name="t.jx")            # deep, but within the limit: both paths run
    assert rb.evaluate({"L": [{"x": 1}]}, trace=True).total == 3
    assert rb.evaluate({"L": [{"x": -1}]}).total == 0


@pytest.mark.parametrize("decl, rule, inputs, total", [
    # names holding quotes and newlines, as fields and as item titles
    ('输入 「a"b\\n」: 列表:\n  字段 「x"y」: 数值\n', 'min(max(合计(「a"b\\n」, 「x"y」), 0), 3)',
     {'a"b\\n': [{"名称": 'q"\n__import__("os")', 'x"y': 2}]}, D(2)),
    # 5000 weighted items
    ("输入 c: 清单[" + ", ".join(f'"i{k}" 0.0006分' for k in range(5000)) + "]\n", "符合分(c)",
     {"c": "全部符合"}, D(3)),
    # a list that can hold nothing
    ("输入 L: 列表 最多 0项:\n  字段 x: 数值\n", "3 - 计数(L) × 1", {"L": []}, D(3)),
    # the last day of the calendar
    ("输入 a: 日期\n", "如果 a ≤ 9999-12-31 则 3 否则 0", {"a": datetime.date(9999, 12, 31)}, D(3)),
    ("输入 a: 日期\n", "如果 相差月数(a, 9999-12-31) ≥ 0 则 3 否则 0", {"a": "0001-01-01"}, D(3)),
])
def test_hostile_but_valid(decl, rule, inputs, total):
    rb = compile_rulebook(f"{H}{decl}指标 A 3分:\n  得分 = {rule}\n{G}", name="t.jx")
    assert rb.evaluate(inputs).total == total
    assert rb.evaluate(inputs, trace=True).total == total
    compile(rb.emit_python(), "standalone.py", "exec")


@pytest.mark.parametrize("value", [
    [{"x": 1}] * 100001,                        # past the default size limit
    iter(lambda: {"x": 1}, None),               # an endless iterator
    "[{\"x\": 1}]", {"x": 1}, 3, [1, 2], [{"x": float("nan")}], [{"x": "1e999999"}], [{"名称": ["a"], "x": 1}],
])
def test_hostile_list_values_are_diagnostics(value):
    rb = compile_rulebook(f"{H}输入 L: 列表:\n  字段 x: 数值\n指标 A 3分:\n  得分 = min(max(合计(L, x), 0), 3)\n{G}", name="t.jx")
    try:
        rb.evaluate({"L": value})
    except JixiaoError as e:
        assert e.diagnostics
    else:
        assert isinstance(value, list) and value and isinstance(value[0].get("名称"), list)   # a title is shown as text


@pytest.mark.parametrize("value", ["9999-12-32", "10000-01-01", "2024-00-10", "   ", "2024-07-03T10:00", object(),
                                   datetime.datetime(2024, 7, 3, 10), b"2024-07-03", "2024-07-03" * 10])
def test_hostile_date_values_are_diagnostics(value):
    rb = compile_rulebook(f"{H}输入 a: 日期\n指标 A 3分:\n  得分 = 如果 a ≤ 2024-06-30 则 3 否则 0\n{G}", name="t.jx")
    with pytest.raises(JixiaoError) as e:
        rb.evaluate({"a": value})
    assert {d.code for d in e.value.diagnostics} <= {"E0601", "E0602"}
