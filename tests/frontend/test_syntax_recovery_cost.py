"""Syntax-error recovery follows the parser's states, never copies the parse so far.

After a syntax error, the expected-token list and the "does a block start here" question
try each candidate terminal. They used to feed it to a copy of lark's interactive parser,
values and all: deep in a long file that copy is the whole tree parsed so far, once per
candidate per error, and a mutated 计分方法.jx took 2.6 s (10 s, the fuzz test's hang
limit, on a busy machine). Now only the stack of LALR states is followed.
"""
from pathlib import Path

from lark.parsers.lalr_interactive_parser import InteractiveParser

from jixiao.compiler.api import check_text
from jixiao.dsl.diagnostics import render_full

LIBRARY = Path(__file__).resolve().parents[2] / "stdlib_indicators" / "计分方法.jx"


def test_recovery_never_copies_the_parser(monkeypatch):
    def refuse(self, *a, **k):
        raise AssertionError("the interactive parser was copied")
    monkeypatch.setattr(InteractiveParser, "copy", refuse)
    lines = LIBRARY.read_text(encoding="utf-8").split("\n")
    # three slips late in the file: an unclosed call, a stray dedent, a missing colon
    k = [i for i, line in enumerate(lines) if "=" in line and "(" in line][-3:]
    lines[k[0]] = lines[k[0]].replace("(", "(最大(", 1)
    lines[k[1]] = lines[k[1]].lstrip()
    lines[k[2]] = lines[k[2]].replace("=", "", 1)
    res = check_text("\n".join(lines), "mut.jx")
    codes = [d.code for d in res.diagnostics]
    assert codes and set(codes) <= {"E0101", "E0102", "E0103", "E0110"}, codes
    assert all(render_full(d, "en").startswith("error[") for d in res.diagnostics)


def test_the_expected_list_still_names_what_the_parser_takes():
    # a header whose block is missing: the parser wants the indented block (its 得分 line)
    res = check_text('规则集 "t"\n满分 1\n指标 A 1分:\n等级:\n  全: 否则\n', "t.jx")
    (d,) = [d for d in res.diagnostics if d.code.startswith("E01")]
    assert "缩进" in render_full(d, "zh")
