"""editors/vscode: the TextMate grammar (valid, generated from jixiao's own keyword table,
tokenising a shipped rulebook as VS Code does), the language configuration and the
language-server client. The tokeniser test runs vscode-textmate with vscode-oniguruma
(npm) where Node and ``npm ci`` in editors/vscode have run (.ci/run does where Node is
installed); the Python checks run everywhere."""
from __future__ import annotations

import importlib.util
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from jixiao.dsl.keywords import EN_ZH, ZH_EN
from jixiao.dsl.names import keyword_spellings

ROOT = Path(__file__).resolve().parents[2]
EXT = ROOT / "editors" / "vscode"
GRAMMAR = EXT / "syntaxes" / "jixiao.tmLanguage.json"
WORD = re.compile(r"[^\W\d]\w*")


def load_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def test_grammar_is_valid_json_and_what_make_grammar_writes():
    g = load_json(GRAMMAR)
    assert g["scopeName"] == "source.jixiao"
    spec = importlib.util.spec_from_file_location("make_grammar", EXT / "make_grammar.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert GRAMMAR.read_text(encoding="utf-8") == mod.text(), "run python editors/vscode/make_grammar.py"
    for k in g["patterns"]:
        assert k["include"][1:] in g["repository"]


def _rules():
    g = load_json(GRAMMAR)
    for name, rule in g["repository"].items():
        for key in ("match", "begin", "end"):
            if key in rule:
                yield name, key, rule[key]


def test_every_pattern_compiles_and_every_keyword_spelling_is_highlighted():
    """The Python check (no Node needed): Python's re reads these patterns as Oniguruma does."""
    compiled = {(name, key): re.compile(p) for name, key, p in _rules()}
    keyword_rules = [v for (name, key), v in compiled.items() if name.startswith(("keyword-", "constant")) and key == "match"]
    words = {k for k in keyword_spellings() if WORD.fullmatch(k)}
    assert set(ZH_EN) - {"人数", "项数"} <= words | {"三级指标"} and {k for k in EN_ZH if WORD.fullmatch(k)} <= words
    for kw in words:
        assert any(r.fullmatch(kw) for r in keyword_rules), kw
        assert not any(r.fullmatch(kw + "数") for r in keyword_rules), kw      # a longer name is a name
    number = compiled[("number", "match")]
    for text, unit in (("96.3%", "%"), ("0.1个百分点", "个百分点"), ("2406.98万元", "万元"), ("89人", "人"), ("３分", "分")):
        m = number.fullmatch(text)
        assert m and unit in (m.group(2), m.group(3)), text


def test_language_configuration_and_client():
    conf = load_json(EXT / "language-configuration.json")
    assert conf["comments"]["lineComment"] == "#"
    assert ["「", "」"] in conf["brackets"] and ["（", "）"] in conf["brackets"]
    assert re.search(conf["indentationRules"]["increaseIndentPattern"], "一级指标 投入 15分:")
    assert re.search(conf["indentationRules"]["increaseIndentPattern"], "等级：  # 注释")
    pkg = load_json(EXT / "package.json")
    (lang,) = pkg["contributes"]["languages"]
    assert lang["extensions"] == [".jx", ".jxc", ".jxt"]
    assert pkg["contributes"]["grammars"][0]["path"] == "./syntaxes/jixiao.tmLanguage.json"
    assert "vscode-languageclient" in pkg["dependencies"]
    js = (EXT / "extension.js").read_text(encoding="utf-8")
    assert 'require("vscode-languageclient/node")' in js and '"lsp"' in js
    assert (EXT / "package-lock.json").exists()                 # npm ci builds from the lock file


def _tokenize(*files) -> dict:
    out = subprocess.run(["node", str(EXT / "test" / "tokenize.js"), *map(str, files)], capture_output=True,
                         text=True, timeout=120, cwd=EXT)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


needs_node = pytest.mark.skipif(shutil.which("node") is None or not (EXT / "node_modules" / "vscode-textmate").exists(),
                                reason="Node or editors/vscode/node_modules missing (cd editors/vscode && npm ci)")


@needs_node
def test_vscode_textmate_tokenises_a_shipped_rulebook():
    rulebook = ROOT / "stdlib_indicators" / "部门整体支出.jx"
    (lines,) = _tokenize(rulebook).values()
    text = rulebook.read_text(encoding="utf-8").split("\n")
    assert len(lines) == len(text)
    scopes: dict[str, set] = {}
    for line in lines:
        for tok, sc in line:
            scopes.setdefault(tok.strip(), set()).update(sc)
    for kw, scope in (("规则集", "storage.type.jixiao"), ("一级指标", "storage.type.indicator.jixiao"),
                      ("指标", "storage.type.indicator.jixiao"), ("输入", "storage.type.jixiao"),
                      ("得分", "keyword.other.jixiao"), ("满分", "keyword.other.jixiao"), ("如果", "keyword.control.jixiao"),
                      ("扣完为止", "keyword.other.clamp.jixiao"), ("引用", "storage.type.jixiao"),
                      ("清单", "keyword.other.jixiao"), ("分档", "keyword.control.jixiao"), ("否则", "keyword.control.jixiao"),
                      ("不适用", "constant.language.jixiao"), ("等级", "keyword.other.jixiao"), ("≥", "keyword.operator.jixiao"),
                      ("%", "keyword.other.unit.percent.jixiao"), ("分", "keyword.other.unit.jixiao"),
                      ("万元", "keyword.other.unit.jixiao"), ("金额", "keyword.other.jixiao"), ("完成比率法", "entity.name.function.call.jixiao"),
                      ("max", "support.function.builtin.jixiao")):
        assert scope in scopes.get(kw, set()), (kw, scopes.get(kw))
    # a comment line and a triple-quoted 说明 spanning lines
    first = next(i for i, t in enumerate(text) if t.startswith("#"))
    assert lines[first][0][1] == ["comment.line.number-sign.jixiao"]
    start = next(i for i, t in enumerate(text) if '说明 """' in t and not t.rstrip().endswith('"""'))
    assert all("string.quoted.triple.jixiao" in sc for _tok, sc in lines[start + 1])


@needs_node
def test_vscode_textmate_tokenises_english_keywords_units_and_full_width_operators(tmp_path):
    f = tmp_path / "en.jx"
    f.write_text('rulebook "x"\ntotal_points 10\nindicator 「“三公经费”变动率」 4分:\n'
                 '  score = 4 - max(变动率 - 0.1个百分点, 0) × 10 floor_zero\n'
                 'grades:\n  好: 总分 ＞ 5 且 总分 ≥ 6\n  输入数: 总分 ＞＝ 1\n', encoding="utf-8")
    (lines,) = _tokenize(f).values()
    toks = {(t.strip(), s[-1] if s else "") for line in lines for t, s in line}
    for expected in (("rulebook", "storage.type.jixiao"), ("indicator", "storage.type.indicator.jixiao"),
                     ("「“三公经费”变动率」", "entity.name.section.jixiao"), ("0.1", "constant.numeric.jixiao"),
                     ("个百分点", "keyword.other.unit.jixiao"), ("floor_zero", "keyword.other.clamp.jixiao"),
                     ("＞", "keyword.operator.jixiao"), ("且", "keyword.control.jixiao"), ("×", "keyword.operator.jixiao")):
        assert expected in toks, expected
    assert ("输入数", "storage.type.jixiao") not in toks          # a name that starts with a keyword
