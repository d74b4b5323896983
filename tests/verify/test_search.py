"""The counterexample search for bounds the interval analysis could not prove (compiler/verify/search.py)."""
from jixiao.compiler.api import check_text

YES_NO_MINUS_ONE = '''规则集 "t"
满分 1
输入 c: 是否
指标 A 1分:
  得分 = 如果 c 则 1 否则 -1
等级:
  好: 0.5 ≤ 总分 ≤ 1
  差: 0 ≤ 总分 < 0.5
'''


def test_search_keeps_a_counterexample_whose_total_falls_in_no_band():
    """A yes/no rule giving −1: the total −1 has no grade (E0702 at run time), which used to
    make the search drop the input and report W0505 "could not decide"."""
    res = check_text(YES_NO_MINUS_ONE, "t.jx")
    codes = [d.code for d in res.diagnostics]
    assert codes == ["E0501"], codes
    note = res.diagnostics[0].notes[-1]
    assert note.zh == "反例：c = 否 → 得分 -1"
