"""compiler.editor.analysis in-process: the quick fixes for the slips a newcomer makes,
and hostile text — every request answered, never a traceback or a hang."""
from __future__ import annotations

import random
import time
from pathlib import Path

import pytest

from jixiao.compiler.editor.analysis import Document, Range

ROOT = Path(__file__).resolve().parents[2]
SMALL = """\
规则集 "t"
满分 5

输入 编制数: 人数 > 0
输入 在职人员数: 人数

一级指标 投入 5分:
  指标 财政供养人员控制率 5分:
    得分 = 5 - max(在职人员数 - 编制数, 0) × 0.1 扣完为止

等级:
  合格: 总分 ≥ 3
  不合格: 总分 < 3
"""


def fixed(text: str, lang: str = "en") -> tuple[Document, str]:
    """The document, and its text after the first quick fix of its first error."""
    d = Document("/tmp/slip.jx", lang)
    d.update(text)
    err = next(p for p in d.problems if p.severity == "error")
    assert err.actions, (err.code, err.message)
    lines = text.split("\n")
    for e in sorted(err.actions[0].edits, key=lambda e: (e.range.line, e.range.col), reverse=True):
        assert e.range.line == e.range.end_line
        line = lines[e.range.line]
        lines[e.range.line] = line[:e.range.col] + e.text + line[e.range.end_col:]
    return d, "\n".join(lines)


@pytest.mark.parametrize("glyph", ["＞＝", "≧"])
def test_full_width_comparisons_of_printed_tables_are_read_as_written(glyph):
    d = Document("/tmp/geq.jx", "en")
    d.update(SMALL.replace("总分 ≥ 3", f"总分 {glyph} 3"))
    assert not [p for p in d.problems if p.severity == "error"]


@pytest.mark.parametrize("indent", ["\u3000\u3000", "\t"])
def test_indentation_that_is_not_spaces_gets_a_fix(indent):
    text = SMALL.replace("  指标 财政供养人员控制率", indent + "指标 财政供养人员控制率", 1)
    d = Document("/tmp/slip.jx", "en")
    d.update(text)
    if not any(p.severity == "error" for p in d.problems):
        pytest.skip("the parser accepts this indentation")
    _d, out = fixed(text)
    assert out == SMALL


@pytest.mark.parametrize("char, repl", [("\u00a0", " "), ("\u200b", "")])
def test_invisible_characters_get_a_fix(char, repl):
    _d, text = fixed(SMALL.replace("- max", "-" + char + "max"))
    assert text == SMALL.replace("- max", "-" + repl + "max")


def test_diagnostics_in_the_documents_language():
    d = Document("/tmp/x.jx", "zh")
    d.update(SMALL.replace("- 编制数", "- 编制树"))
    (e,) = [p for p in d.problems if p.code == "E0201"]
    assert e.message.split("\n")[:2] == ["未定义的名称「编制树」", "help: 是否应为「编制数」？"]
    assert e.actions[0].title == "改为「编制数」"


def test_a_did_you_mean_for_a_bracketed_name_keeps_its_brackets():
    text = SMALL.replace("输入 编制数: 人数 > 0", "输入 「编制.数」: 人数 > 0").replace("- 编制数", "- 「编制。数」")
    d = Document("/tmp/x.jx", "en")
    d.update(text)
    (e,) = [p for p in d.problems if p.code == "E0201"]
    assert e.actions[0].edits[0].text == "「编制.数」"


HOSTILE = {
    "empty": "", "bom": "\ufeff", "newlines": "\n" * 50,
    "huge number": SMALL.replace("满分 5", "满分 " + "9" * 500),
    "quote in a name": SMALL.replace("指标 财政供养人员控制率", "指标 「财政\"供养\n人员」"),
    "deep brackets": '规则集 "x"\n满分 1\n一级指标 a 1分:\n  得分 = ' + "(" * 3000 + "1" + ")" * 3000 + "\n",
    "deep ifs": '规则集 "x"\n满分 1\n一级指标 a 1分:\n  得分 = ' + "如果 是 则 " * 2000 + "1" + " 否则 0" * 2000 + "\n",
    "astral": SMALL.replace("编制数", "编制😀数"),
    "unclosed 「": SMALL.replace("指标 财政", "指标 「财政"),
    "unclosed triple quote": SMALL.replace("满分 5", '满分 5\n说明 """…'),
    "many inputs": '规则集 "x"\n' + "输入 a: 数值\n" * 2000,
    "injection": (ROOT / "tests" / "fixtures" / "hostile" / "injection.jx").read_text(encoding="utf-8"),
    "a case": (ROOT / "examples" / "chenxi-2021" / "report-figures.jxc").read_text(encoding="utf-8"),
    "a library": (ROOT / "stdlib_indicators" / "计分方法.jx").read_text(encoding="utf-8"),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_text_gets_answers_not_tracebacks(name):
    text = HOSTILE[name]
    rng = random.Random(name)
    lines = text.split("\n")
    for path in ("/tmp/h.jx", "/tmp/h.jxc", None):
        start = time.monotonic()
        d = Document(path, "both")
        d.update(text)
        for _ in range(60):
            line = rng.randrange(len(lines) + 2)
            col = rng.randrange((len(lines[line]) if line < len(lines) else 0) + 3)
            d.hover(line, col)
            d.complete(line, col)
            d.definition(line, col)
            d.actions(Range(line, col, line, col + 1))
        d.outline()
        assert time.monotonic() - start < 20, name
