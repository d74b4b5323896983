"""Write syntaxes/jixiao.tmLanguage.json from jixiao's own keyword table, built-in
functions and units, so the highlighting knows every spelling the parser knows (a test
checks the committed grammar is what this script writes).

    python editors/vscode/make_grammar.py
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from jixiao.dsl.builtins import FUNCS
from jixiao.dsl.ir import KNOWN_UNITS
from jixiao.dsl.names import keyword_spellings

OUT = Path(__file__).with_name("syntaxes") / "jixiao.tmLanguage.json"
WORD = re.compile(r"[^\W\d]\w*")

DECLARATIONS = {"规则集", "rulebook", "方法库", "library", "测试", "tests", "案例", "case", "方法", "method",
                "输入", "input", "字段", "field", "引用", "import", "指标行", "rows", "行", "row", "基于", "based_on"}
LEVELS = {"一级指标", "二级指标", "三级指标", "指标", "子项", "level1", "level2", "level3", "indicator", "item"}
CONTROL = {"如果", "if", "则", "then", "否则", "else", "分档", "查表", "tiers", "lookup", "且", "and", "或", "or",
           "非", "not", "要求", "require"}
CLAMPS = {"扣完为止", "floor_zero", "不加分", "超出不加分", "capped", "最多", "at_most", "最少", "at_least"}
CONSTANTS = {"是", "否", "符合", "不符合", "true", "false", "不适用", "not_applicable"}


def alternation(words) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=lambda w: (-len(w), w)))


def word(words) -> str:
    """Whole words only: 输入 is a keyword, 输入数 a name."""
    return rf"(?<![\w])(?:{alternation(words)})(?![\w])"


def grammar() -> dict:
    keywords = {k for k in keyword_spellings() if WORD.fullmatch(k)}
    other = keywords - DECLARATIONS - LEVELS - CONTROL - CLAMPS - CONSTANTS
    name = r"「[^」\n]+」|[^\W\d]\w*"
    units = sorted({u for u in KNOWN_UNITS if u != "%"} | {"个百分点"}, key=lambda u: (-len(u), u))
    return {
        "$schema": "https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json",
        "name": "jixiao",
        "scopeName": "source.jixiao",
        "fileTypes": ["jx", "jxc", "jxt"],
        "patterns": [{"include": f"#{k}"} for k in (
            "comment", "string-triple", "string", "indicator-header", "method-header", "declaration",
            "quoted-name", "type-unit", "number", "keyword-declaration", "keyword-control", "keyword-clamp", "constant",
            "keyword-other", "function-builtin", "function-call", "operator", "punctuation")],
        "repository": {
            "comment": {"name": "comment.line.number-sign.jixiao", "match": "#.*$"},
            "string-triple": {"name": "string.quoted.triple.jixiao", "begin": '"""', "end": '"""',
                              "patterns": [{"name": "constant.character.escape.jixiao", "match": r"\\."}]},
            "string": {"name": "string.quoted.double.jixiao", "begin": '"', "end": '"|$',
                       "patterns": [{"name": "constant.character.escape.jixiao", "match": r"\\."}]},
            "indicator-header": {
                "match": rf"^\s*({alternation(LEVELS)})\s+({name})",
                "captures": {"1": {"name": "storage.type.indicator.jixiao"}, "2": {"name": "entity.name.section.jixiao"}}},
            "method-header": {
                "match": rf"^\s*(方法|method)\s+({name})\s*(?=[(（=])",
                "captures": {"1": {"name": "storage.type.method.jixiao"}, "2": {"name": "entity.name.function.jixiao"}}},
            "declaration": {
                "match": rf"^\s*(输入|input|字段|field)\s+({name})",
                "captures": {"1": {"name": "storage.type.jixiao"}, "2": {"name": "variable.other.declaration.jixiao"}}},
            "quoted-name": {"name": "variable.other.quoted.jixiao", "match": "「[^」\n]+」"},
            "type-unit": {
                "match": r"(?<![\w])(金额|amount|计数|count)\s*([(（])\s*([^\W\d]\w*)\s*([)）])",
                "captures": {"1": {"name": "keyword.other.jixiao"}, "2": {"name": "punctuation.separator.jixiao"},
                             "3": {"name": "keyword.other.unit.jixiao"}, "4": {"name": "punctuation.separator.jixiao"}}},
            "number": {
                "match": rf"(?<![\w.．])([0-9０-９]+(?:[.．][0-9０-９]+)?)(?:([%％])|({'|'.join(map(re.escape, units))})(?![\w]))?",
                "captures": {"1": {"name": "constant.numeric.jixiao"}, "2": {"name": "keyword.other.unit.percent.jixiao"},
                             "3": {"name": "keyword.other.unit.jixiao"}}},
            "keyword-declaration": {"name": "storage.type.jixiao", "match": word(DECLARATIONS | LEVELS)},
            "keyword-control": {"name": "keyword.control.jixiao", "match": word(CONTROL)},
            "keyword-clamp": {"name": "keyword.other.clamp.jixiao", "match": word(CLAMPS)},
            "constant": {"name": "constant.language.jixiao", "match": word(CONSTANTS)},
            "keyword-other": {"name": "keyword.other.jixiao", "match": word(other)},
            "function-builtin": {
                "match": rf"(?<![\w])({alternation(FUNCS)})\s*(?=[(（])",
                "captures": {"1": {"name": "support.function.builtin.jixiao"}}},
            "function-call": {
                "match": r"([^\W\d]\w*)\s*(?=[(（])",
                "captures": {"1": {"name": "entity.name.function.call.jixiao"}}},
            "operator": {"name": "keyword.operator.jixiao",
                         "match": "≥|≤|≠|>=|<=|!=|==|\\.\\.|[><=＞＜＝+\\-＋－×÷*/]"},
            "punctuation": {"name": "punctuation.separator.jixiao", "match": "[:：,，、()（）\\[\\].]"},
        },
    }


def text() -> str:
    return json.dumps(grammar(), ensure_ascii=False, indent=2) + "\n"


if __name__ == "__main__":
    OUT.write_text(text(), encoding="utf-8")
    print(f"wrote {OUT}")
