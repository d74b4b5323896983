"""A checklist given as one text is read the same everywhere: `rb.validate` / `rb.evaluate`
(a case's or a caller's string), a CSV cell (the fast converter and the full path) and
the SQL backend split it with runtime.checklist_words and runtime.CHECKLIST_SEPARATORS.

Bug: `rb.validate({"要点": "是 否"})` refused the string (E0602) that a CSV cell splits and
accepts; a one-item checklist's cell "是" was refused by the CSV path too."""
from __future__ import annotations

import pytest

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.backend import runtime
from jixiao.compiler.data.columns import Columns
from jixiao.compiler.data.scoring import score_cells
from jixiao.dsl.diagnostics import JixiaoError

BOOK = '''规则集 "t"
满分 4
输入 要点: 清单["一", "二", "三"]
输入 单项: 清单["唯一"]
指标 A 3分:
  得分 = 符合数(要点) × 1
指标 B 1分:
  得分 = 如果 全部(单项) 则 1 否则 0
等级:
  全: 否则
'''

GOOD = [("是 否 是", (True, False, True)), ("是、否、是", (True, False, True)), ("是,否 ,是", (True, False, True)),
        ("101", (True, False, True)), ("全部符合", (True, True, True)), (" 否；否；是 ", (False, False, True)),
        ("符合|不符合|符合", (True, False, True)), ("1 0 1", (True, False, True))]
BAD = ["是 否", "是、否、是、是", "110 1", "好 否 是", "", "1011"]


@pytest.fixture(scope="module")
def rb():
    return compile_rulebook(BOOK, name="t.jx")


def test_the_one_split():
    assert runtime.checklist_words("是 否", 2) == ["是", "否"]
    assert runtime.checklist_words("10", 2) == ["1", "0"]
    assert runtime.checklist_words("全部符合", 2) == ["是", "是"]
    assert runtime.checklist_words("是，否 否", 2) == ["是", "否 否"]       # the first separator that occurs
    assert runtime.checklist_words("是", 1) == ["是"]


@pytest.mark.parametrize("text,items", GOOD)
def test_validate_and_the_csv_path_agree_on_good_texts(rb, text, items):
    vals = rb.validate({"要点": text, "单项": "是"})
    assert vals[0] == items and vals[1] == (True,)
    res = rb.evaluate({"要点": text, "单项": "是"})
    assert res.score("A") == sum(items) and res.score("B") == 1
    columns = Columns(rb, ["要点", "单项"])
    csv_res = score_cells(rb, columns, 2, [text, "是"])        # the fast converter, then the full path
    assert not isinstance(csv_res, list), csv_res
    assert list(csv_res.scores) == [res.score("A"), res.score("B")] and csv_res.total == res.total
    assert columns.fast_converter(rb)([text, "是"])[0] == items


@pytest.mark.parametrize("text", BAD)
def test_validate_and_the_csv_path_agree_on_bad_texts(rb, text):
    with pytest.raises(JixiaoError) as e:
        rb.validate({"要点": text, "单项": "是"})
    assert [d.code for d in e.value.diagnostics] == ["E0602" if text else "E0601"]     # empty: not given
    res = score_cells(rb, Columns(rb, ["要点", "单项"]), 2, [text, "是"])
    assert isinstance(res, list) and len(res) == 1
    assert res[0].text("en") and "要点" in res[0].text("en")
