"""Chinese and English keywords: the same rulebook in both spellings gives the same evaluator."""
from pathlib import Path

from jixiao.compiler.api import compile_rulebook
from jixiao.dsl.keywords import translate_keywords
from jixiao.dsl.parser import parse_rulebook

ROOT = Path(__file__).resolve().parents[2]
ZH = (ROOT / "stdlib_indicators" / "部门整体支出.jx").read_text(encoding="utf-8")
CASES = [ROOT / "examples" / "chenxi-2021" / n for n in ("self-assessment.jxc", "report-figures.jxc")]


def test_english_spelling_has_no_chinese_keywords_left():
    en = translate_keywords(ZH, "en")
    code = [l.split("#")[0] for l in en.splitlines()]
    for kw in ("一级指标", "输入", "得分 =", "分档", "否则", "如果", "扣完为止", "等级:"):
        assert not any(kw in l and '"' not in l for l in code), kw
    assert "level1 投入 15分:" in en
    assert "score = " in en


def test_same_tree_in_both_spellings():
    en = translate_keywords(ZH, "en")
    assert parse_rulebook(en, "en.jx") == parse_rulebook(ZH, "zh.jx")


def test_same_scores_in_both_spellings():
    zh_rb = compile_rulebook(ZH, name="zh.jx")
    en_rb = compile_rulebook(translate_keywords(ZH, "en"), name="en.jx")
    for case in CASES:
        a = zh_rb.evaluate_case(zh_rb.load_case(case), trace=True)
        b = en_rb.evaluate_case(en_rb.load_case(case), trace=True)
        assert a.to_dict() == b.to_dict()
        assert [(t.kind, t.indicator, t.value) for t in a.trace] == [(t.kind, t.indicator, t.value) for t in b.trace]


def test_case_files_in_english():
    rb = compile_rulebook(ZH, name="zh.jx")
    text = CASES[0].read_text(encoding="utf-8")
    en = translate_keywords(text, "en")
    assert en.startswith("case ") or "\ncase " in en
    a = rb.evaluate_case(rb.case_from_text(text, "zh.jxc"))
    b = rb.evaluate_case(rb.case_from_text(en, "en.jxc"))
    assert a == b


def test_card_example_is_valid_as_written():
    rb = compile_rulebook('''rulebook "card"
total_points 3
input rate: rate range 0 to 100%
level1 x 3:
  indicator y 3:
    score = min(rate/0.7*3, 3)
grades:
  ok: total >= 0
''', name="card.jx")
    assert str(rb.evaluate({"rate": "56%"}).total) == "2.40"
    assert str(rb.evaluate({"rate": "70%"}).total) == "3.00"


def test_methods_rows_and_libraries_in_both_spellings(tmp_path):
    """方法库/方法/要求/引用 and 指标行/行/字段/文本 translate too: the library, the 附件3
    rulebook and its case give the same trees, and the English rulebook (importing the
    English library) the same scores."""
    from jixiao.dsl.parser import parse_text
    lib = (ROOT / "stdlib_indicators" / "计分方法.jx").read_text(encoding="utf-8")
    rb = (ROOT / "stdlib_indicators" / "部门整体支出自评.jx").read_text(encoding="utf-8")
    case = (ROOT / "examples" / "chenxi-2021" / "self-evaluation.jxc").read_text(encoding="utf-8")
    for text in (lib, rb, case):
        en = translate_keywords(text, "en")
        for kw in ("方法 ", "要求 ", "引用 ", "指标行", "字段 ", "行 \""):
            assert not any(l.lstrip().startswith(kw) for l in en.splitlines()), kw
        assert parse_text(en, "en")[0] == parse_text(text, "zh")[0]
    (tmp_path / "计分方法.jx").write_text(translate_keywords(lib, "en"), encoding="utf-8")
    (tmp_path / "自评.jx").write_text(translate_keywords(rb, "en"), encoding="utf-8")
    zh_rb = compile_rulebook(path=ROOT / "stdlib_indicators" / "部门整体支出自评.jx")
    en_rb = compile_rulebook(path=tmp_path / "自评.jx")
    a = zh_rb.evaluate_case(zh_rb.case_from_text(case))
    b = en_rb.evaluate_case(en_rb.case_from_text(translate_keywords(case, "en")))
    assert a.total == b.total == 98
    assert [(r.path, r.score) for r in a.indicators] == [(r.path, r.score) for r in b.indicators]
