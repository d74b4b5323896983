"""Comparison glyphs printed in official 评分表 (≧ ≦ ⩾ ⩽ ＞＝ ＜＝, and ≥= ≤= as typed) read
as ≥ and ≤: one spelling table (dsl/ops.SPELLINGS), one terminal (CMP_OP)."""
from decimal import Decimal as D

import pytest

from jixiao.compiler.api import compile_rulebook
from jixiao.dsl.ops import SPELLINGS
from jixiao.dsl.parser import parse_rulebook

PLAIN = '''规则集 "t"
满分 3
输入 率: 比率 范围 0 至 100%
指标 A 3分:
  得分 = 分档 率:
    {ge} 90% : 3
    {le} 50% : 0
    否则 : 1
等级:
  好: 总分 {ge} 2
  差: 总分 {le} 2 且 总分 < 2
'''


@pytest.mark.parametrize("ge, le", [("≧", "≦"), ("⩾", "⩽"), ("＞＝", "＜＝"), ("≥=", "≤=")])
def test_table_glyphs_mean_ge_and_le(ge, le):
    assert SPELLINGS[ge] == ">=" and SPELLINGS[le] == "<="
    assert parse_rulebook(PLAIN.format(ge=ge, le=le), "a.jx") == parse_rulebook(PLAIN.format(ge="≥", le="≤"), "b.jx")
    rb = compile_rulebook(PLAIN.format(ge=ge, le=le), name="t.jx")
    assert [rb.evaluate({"率": r}).total for r in ("90%", "89.99%", "50%", "50.01%")] == [D(3), D(1), D(0), D(1)]
    assert rb.evaluate({"率": "90%"}).grade == "好"
