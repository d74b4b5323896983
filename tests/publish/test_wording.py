"""评分标准 and 评分依据 of every indicator of the shipped rulebooks, pinned and read.

``tests/golden/wording/NAME.criteria.txt`` holds the 评分标准 generated from each rule,
``NAME.reasons.zh.txt`` / ``.reasons.en.txt`` the 评分依据 of the rulebook's example case;
``pytest --update-golden`` rewrites them — read the diff as a reviewer would. The words a
reviewer never writes (function names, internal names, ``max(`` / ``min(``) are checked
absent over every shipped rulebook and case, in both languages.
"""
import functools
import re
from pathlib import Path

import pytest

from jixiao import compile_rulebook
from jixiao.compiler.publish import tables
from jixiao.compiler.publish.explain import explain
from jixiao.dsl.builtins import AGGREGATE_ZH, DISPLAY_ZH, FUNCS

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "wording"
PAIRS = {
    "部门整体支出": ("部门整体支出.jx", "chenxi-2021/report-figures.jxc"),
    "部门整体支出自评": ("部门整体支出自评.jx", "chenxi-2021/self-evaluation.jxc"),
    "项目支出自评": ("项目支出自评.jx", "project-2024/饮水工程自评.jxc"),
    "项目支出绩效评价": ("项目支出绩效评价.jx", "project-2024/饮水工程绩效评价.jxc"),
    "专项资金绩效评价": ("专项资金绩效评价.jx", "special-fund-2024/专项资金评价.jxc"),
    "部门整体支出评价（含评定）": ("部门整体支出评价（含评定）.jx", "dept-2024/部门整体支出评价.jxc"),
}


@functools.lru_cache(maxsize=None)     # read only: each rulebook compiled and scored once per run
def _load(name):
    rbp, cp = PAIRS[name]
    rb = compile_rulebook(path=ROOT / "stdlib_indicators" / rbp)
    case = rb.load_case(ROOT / "examples" / cp)
    return rb, case, rb.evaluate_case(case, trace=True)


def criteria_listing(rb) -> str:
    out = []
    for *_, n in tables.row_nodes(rb.program):
        out.append(f"## {'/'.join(n.path)}（{tables.points_text(n.points)}分）\n{tables._criteria_cell(n, rb.program)}\n")
    return "\n".join(out)


def reasons_listing(rb, case, result, lang) -> str:
    return "\n".join(f"## {'/'.join(e.path)}\n{e.reason}\n"
                     for e in explain(rb, result, lang, case.assessed_notes))


def _method_names():
    lib = (ROOT / "stdlib_indicators" / "计分方法.jx").read_text(encoding="utf-8")
    return re.findall(r"^方法 (\S+?)\(", lib, re.M)


# what a reviewer never writes: a call (NAME(…) of a function or method), an English
# function or keyword of the language, a qualified name of a method's own working
CALLS = sorted(set(DISPLAY_ZH.values()) | set(AGGREGATE_ZH.values()) | set(FUNCS) | set(_method_names()), key=len, reverse=True)
FORBIDDEN_WORDS = ["floor_zero", "at_most", "at_least", "条件成立", "条件不成立", "分档取第", "None", "v_"]


def _bad(text: str) -> list[str]:
    found = [f"{c}(" for c in CALLS if re.search(re.escape(c) + r"\s*[(（]", text)]
    found += [w for w in FORBIDDEN_WORDS if w in text]
    found += re.findall(r"[\u4e00-\u9fff]+\.[\u4e00-\u9fff]+(?=[是否=]|\s)", text)   # 定性三档.在所属区间内
    return found


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_criteria_golden(name, golden):
    rb, _case, _res = _load(name)
    golden(GOLDEN / f"{name}.criteria.txt", criteria_listing(rb))


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("name", sorted(PAIRS))
def test_reasons_golden(name, lang, golden):
    rb, case, res = _load(name)
    golden(GOLDEN / f"{name}.reasons.{lang}.txt", reasons_listing(rb, case, res, lang))


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_no_function_names_or_internal_identifiers(name):
    rb, case, res = _load(name)
    texts = {"评分标准": criteria_listing(rb)}
    for lang in ("zh", "en"):
        texts[f"评分依据 {lang}"] = reasons_listing(rb, case, res, lang)
    for what, text in texts.items():
        assert "max(" not in text and "min(" not in text, what
        assert _bad(text) == [], (what, _bad(text))


def test_every_indicator_is_pinned():
    for name in PAIRS:
        rb, case, res = _load(name)
        listing = reasons_listing(rb, case, res, "zh")
        for n in rb.program.walk():
            assert f"## {'/'.join(n.path)}\n" in listing, n.path
            assert f"## {'/'.join(n.path)}\n\n" not in listing, f"{n.path}: empty 评分依据"


def test_chenxi_staff_control_names_the_figures():
    rb, case, res = _load("部门整体支出")
    e = next(x for x in explain(rb, res) if x.path[-1] == "财政供养人员控制率")
    for words in ("121人", "89人", "超编32人", "扣3.2分", "得0分"):
        assert words in e.reason, (words, e.reason)
    assert "max" not in e.reason and "按单位扣分" not in e.reason
    # the working stays available (jixiao explain --trace)
    assert "按单位扣分(超编人数, 0.1, 3)" in e.text


def test_the_checker_finds_bad_words():
    assert _bad("得分 = max(a, 0)") == ["max("]
    assert _bad("按单位扣分(超编人数, 0.1, 3)") == ["按单位扣分("]
    assert _bad("定性三档.在所属区间内是") == ["定性三档.在所属区间内"]
    assert _bad("超编32人，每1人扣0.1分") == []


def _figures(text: str) -> list[str]:
    """The numbers a sentence states, dates, a checklist item's ordinal (3.要点) and the 1 of
    每符合1项 left out."""
    text = re.sub(r"\d+年\d+月\d+日|\d{4}-\d\d-\d\d|(?:^|[；;:：] ?)\d+\.(?=\D)|每符合1项", "", text)
    return re.findall(r"\d+(?:\.\d+)?", text)


@pytest.mark.parametrize("name", sorted(PAIRS))
def test_english_reasons_say_what_the_chinese_say(name):
    """The English 评分依据 states every figure, amount, cap and result the Chinese one does,
    in words (no rule text in backticks)."""
    rb, case, res = _load(name)
    zh = explain(rb, res, "zh", case.assessed_notes)
    en = explain(rb, res, "en", case.assessed_notes)
    for a, b in zip(zh, en):
        said, got = _figures(a.reason), _figures(b.reason)
        assert [x for x in said if said.count(x) > got.count(x)] == [], (a.path, a.reason, b.reason)
        assert "`" not in b.reason and "applies" not in b.reason and "holds" not in b.reason, b.reason


def test_chenxi_staff_control_in_english():
    rb, case, res = _load("部门整体支出")
    e = next(x for x in explain(rb, res, "en") if x.path[-1] == "财政供养人员控制率")
    assert e.reason == ("在职人员数 121人, 编制数 89人, 超编人数 32人; 0.1 points deducted per 1人, 3.2 points to deduct, "
                        "no lower than 0; scores 0 of 3.")


def test_negative_thresholds_read_as_ranges():
    """A tier on a change rate below zero reads as the table's ranges, the bound each row
    takes marked （含） / (inclusive), in both languages."""
    rb, case, res = _load("项目支出绩效评价")
    crit = criteria_listing(rb)
    assert "节约率≥0%得8分；-5%（含）至0%得5分；-10%（含）至-5%得3分；低于-10%得0分" in crit
    zh = next(x for x in explain(rb, res, "zh") if x.path[-1] == "成本节约率")
    en = next(x for x in explain(rb, res, "en") if x.path[-1] == "成本节约率")
    assert "节约率-2.82%；属于「-5%（含）至0%」一档；得5分（满分8分）" in zh.reason
    assert "节约率 -2.82%; in the tier -5% (inclusive) to 0%; scores 5 of 8" in en.reason
    rb, case, res = _load("专项资金绩效评价")
    assert "成本节约率≥0%得5分；高于-10%至0%得3分；-10%及以下得0分" in criteria_listing(rb)
    en = next(x for x in explain(rb, res, "en") if x.path[-1] == "成本节约率")
    assert "in the tier above -10% to 0%" in en.reason
