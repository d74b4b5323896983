"""The language server through a real client session: pygls' LanguageClient drives
``jixiao lsp`` in a subprocess over stdio (initialize, open, edit, diagnostics, hover,
completion, definition, outline, formatting, code actions)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="the language server needs the `editor` extra (pip install 'jixiao[editor]')")

from lsprotocol import types as lsp  # noqa: E402

from jixiao.compiler import api  # noqa: E402

from .lsp_client import Session, doc_id, jixiao_command, pos  # noqa: E402

RULEBOOK = """\
规则集 "编辑器测试"
满分 10
精度 0.01

引用 "计分方法.jx"

一级指标 投入 10分:
  二级指标 预算配置 10分:
    指标 财政供养人员控制率 4分:
      说明 "在职人员数与编制数的比率"
      评分标准 "每超出1人扣0.1分，扣完为止。"
      输入 编制数: 人数 > 0 "核定编制数"
      输入 在职人员数: 人数
      超编人数 = max(在职人员数 - 编制数, 0)
      得分 = 4 - 超编人数 × 0.1 扣完为止
    指标 目标覆盖率 6分:
      输入 覆盖率: 比率 范围 0 至 100% "申报绩效目标的资金占比"
      得分 = 完成比率法(覆盖率, 100%, 6)

等级:
  合格: 总分 ≥ 6
  不合格: 总分 < 6
"""
LINES = RULEBOOK.split("\n")


def at(fragment: str, offset: int = 0, nth: int = 0) -> lsp.Position:
    """The position of ``fragment`` (plus ``offset`` characters) in RULEBOOK."""
    for i, line in enumerate(LINES):
        k = line.find(fragment)
        if k >= 0:
            if nth == 0:
                return pos(i, k + offset)
            nth -= 1
    raise AssertionError(fragment)


@pytest.fixture(scope="module")
def session():
    s = Session(jixiao_command() + ["lsp", "--lang", "en"])
    yield s
    s.close()


@pytest.fixture
def rulebook(tmp_path, session):
    path = tmp_path / "评分表.jx"
    path.write_text(RULEBOOK, encoding="utf-8")
    uri = session.open(path)
    session.wait_diagnostics(uri)
    return path, uri


def test_initialize_announces_the_features(session):
    caps = session.capabilities
    assert caps.hover_provider and caps.definition_provider and caps.document_symbol_provider
    assert caps.document_formatting_provider and caps.code_action_provider
    assert caps.completion_provider is not None
    assert caps.text_document_sync is not None


def test_edit_that_breaks_the_points_sum_reports_E0401_and_the_fix_clears_it(session, rulebook):
    path, uri = rulebook
    assert [d.code for d in session.diagnostics[uri] if d.severity == lsp.DiagnosticSeverity.Error] == []
    # type over the points of one indicator: 4分 -> 5分
    p = at("控制率 4分", 4)
    session.change(uri, lsp.Range(p, pos(p.line, p.character + 1)), "5")
    diags = session.wait_diagnostics(uri)
    e0401 = [d for d in diags if d.code == "E0401"]
    assert len(e0401) == 1, [(d.code, d.message) for d in diags]
    d = e0401[0]
    assert d.severity == lsp.DiagnosticSeverity.Error and d.source == "jixiao"
    # the same text as `jixiao check --lang en`, at the parent whose children no longer add up
    broken = RULEBOOK.replace("控制率 4分", "控制率 5分")
    expected = next(x for x in api.check_text(broken, str(path)).diagnostics if x.code == "E0401")
    assert d.message.split("\n")[0] == expected.message_in("en") == "children of `预算配置` add up to 11, not its 10 points"
    assert d.range.start == at("预算配置") and d.range.end == at("预算配置", 4)
    # the warning that comes with it (full points unattainable) is there too, mapped to Warning
    assert any(x.code == "W0503" and x.severity == lsp.DiagnosticSeverity.Warning for x in diags)
    # typing it back clears the error
    session.change(uri, lsp.Range(p, pos(p.line, p.character + 1)), "4")
    diags = session.wait_diagnostics(uri)
    assert [x.code for x in diags if x.severity == lsp.DiagnosticSeverity.Error] == []


def test_rapid_edits_are_checked_once_the_typing_pauses(session, rulebook):
    _path, uri = rulebook
    p = at("控制率 4分", 4)
    for digit in "56784":                       # five keystrokes within the debounce
        session.change(uri, lsp.Range(p, pos(p.line, p.character + 1)), digit)
    diags = session.wait_diagnostics(uri)
    assert not any(d.code == "E0401" for d in diags)      # the last text (4分) is what was checked


def test_secondary_labels_become_related_information(session, tmp_path):
    text = RULEBOOK.replace("指标 目标覆盖率 6分", "指标 财政供养人员控制率 6分")
    path = tmp_path / "dup.jx"
    path.write_text(text, encoding="utf-8")
    uri = session.open(path)
    diags = session.wait_diagnostics(uri)
    dup = next(d for d in diags if d.code == "E0203")
    assert dup.related_information
    assert dup.related_information[0].location.uri == uri


def test_hover_on_an_input_shows_its_declaration_type_unit_range_and_description(session, rulebook):
    _path, uri = rulebook
    h = session.call(session.client.text_document_hover_async(lsp.HoverParams(doc_id(uri), at("- 编制数", 3))))
    text = h.contents.value
    assert "输入 编制数: 人数 > 0" in text
    assert "a count of 人" in text and "unit: 人" in text and "range: (0, +∞)" in text
    assert "核定编制数" in text
    assert h.range.start == at("- 编制数", 2)


def test_hover_on_an_indicator_shows_points_and_criteria_in_words(session, rulebook):
    _path, uri = rulebook
    h = session.call(session.client.text_document_hover_async(lsp.HoverParams(doc_id(uri), at("财政供养人员控制率", 2))))
    text = h.contents.value
    assert "`财政供养人员控制率` · 4 points" in text
    assert "投入 / 预算配置 / 财政供养人员控制率" in text
    assert "每超出1人扣0.1分，扣完为止。" in text                  # as written
    assert "criteria (from the rule): 超编人数 = 在职人员数超出编制数的部分（未超出的为0）" in text   # generated
    assert "超编人数每1人扣0.1分，扣完为止" in text
    assert "扣完为止" in text.split("criteria (from the rule)")[1]


def test_hover_on_an_indicator_shows_the_score_of_the_case_beside_it(session, tmp_path):
    """With a case next to the rulebook, an indicator's hover gives its 评分依据 as the
    report words it, and the working apart from it."""
    (tmp_path / "报告数字.jxc").write_text('案例 "报告数字"\n编制数 = 89人\n在职人员数 = 121人\n覆盖率 = 95%\n',
                                           encoding="utf-8")
    (tmp_path / "另一规则集.jxc").write_text('案例 "不相干"\n别的输入 = 1\n', encoding="utf-8")   # passed over
    path = tmp_path / "评分表.jx"
    path.write_text(RULEBOOK, encoding="utf-8")
    uri = session.open(path)
    session.wait_diagnostics(uri)
    h = session.call(session.client.text_document_hover_async(lsp.HoverParams(doc_id(uri), at("财政供养人员控制率", 2))))
    sections = h.contents.value.split("\n\n")
    reason = next(x for x in sections if x.startswith("**basis of the score** (case 报告数字.jxc): "))
    assert reason.endswith("编制数 89人, 在职人员数 121人, 超编人数 32人; 0.1 points deducted per 1人, 3.2 points to deduct; "
                           "scores 0.8 of 4."), reason
    working = next(x for x in sections if x.startswith("**working**: "))
    assert "max(" in working and "max(" not in reason            # the trace, kept apart
    h = session.call(session.client.text_document_hover_async(lsp.HoverParams(doc_id(uri), at("目标覆盖率", 2))))
    assert "95%" in h.contents.value and "scores 5.7 of 6." in h.contents.value


def test_hover_on_a_method_shows_its_parameters_and_description(session, rulebook):
    _path, uri = rulebook
    h = session.call(session.client.text_document_hover_async(lsp.HoverParams(doc_id(uri), at("完成比率法", 1))))
    text = h.contents.value
    assert "方法 完成比率法(实际值, 目标值, 分值)" in text
    assert "越高越好" in text and "requires: 目标值 > 0" in text


def test_completion_offers_names_in_scope_and_keywords_of_both_languages(session, rulebook):
    _path, uri = rulebook
    p = at("得分 = 4 - 超编人数", 9)                 # after "得分 = 4 - "
    res = session.call(session.client.text_document_completion_async(lsp.CompletionParams(doc_id(uri), p)))
    items = {i.label: i for i in res.items}
    assert items["编制数"].kind == lsp.CompletionItemKind.Variable and items["编制数"].detail == "人数"
    assert items["超编人数"].detail == "max(在职人员数 - 编制数, 0)"          # a local of this indicator
    assert items["完成比率法"].kind == lsp.CompletionItemKind.Function    # from the imported library
    assert items["完成比率法"].detail == "完成比率法(实际值, 目标值, 分值)"
    assert "目标覆盖率" in items                                          # indicators by name
    for kw in ("扣完为止", "floor_zero", "指标", "indicator", "如果", "if"):
        assert items[kw].kind == lsp.CompletionItemKind.Keyword, kw
    assert items["扣完为止"].detail == "floor_zero"


def test_completion_in_another_indicator_does_not_offer_this_ones_locals(session, rulebook):
    _path, uri = rulebook
    p = at("得分 = 完成比率法", 5)
    res = session.call(session.client.text_document_completion_async(lsp.CompletionParams(doc_id(uri), p)))
    labels = {i.label for i in res.items}
    assert "覆盖率" in labels and "超编人数" not in labels


def test_definition_of_a_library_method_opens_the_library(session, rulebook):
    _path, uri = rulebook
    loc = session.call(session.client.text_document_definition_async(lsp.DefinitionParams(doc_id(uri), at("完成比率法", 2))))
    assert loc.uri.endswith("stdlib_indicators/%E8%AE%A1%E5%88%86%E6%96%B9%E6%B3%95.jx") or loc.uri.endswith("计分方法.jx")
    from pygls.uris import to_fs_path
    lines = Path(to_fs_path(loc.uri)).read_text(encoding="utf-8").split("\n")
    line = lines[loc.range.start.line]
    assert line.startswith("方法 完成比率法(") and line[loc.range.start.character:loc.range.end.character] == "完成比率法"


def test_definition_of_inputs_and_locals_in_the_document(session, rulebook):
    _path, uri = rulebook
    loc = session.call(session.client.text_document_definition_async(lsp.DefinitionParams(doc_id(uri), at("× 0.1", -3))))
    assert loc.uri == uri and loc.range.start == at("超编人数 =")
    loc = session.call(session.client.text_document_definition_async(lsp.DefinitionParams(doc_id(uri), at("完成比率法(覆盖率", 7))))
    assert loc.uri == uri and loc.range.start == at("覆盖率: 比率")


def test_outline_nests_the_levels(session, rulebook):
    _path, uri = rulebook
    syms = session.call(session.client.text_document_document_symbol_async(lsp.DocumentSymbolParams(doc_id(uri))))
    top = [s.name for s in syms]
    assert top == ["投入", "等级"]
    l1 = syms[0]
    assert l1.kind == lsp.SymbolKind.Module and l1.detail == "level 1 10分"
    l2 = l1.children[0]
    assert l2.name == "预算配置" and l2.kind == lsp.SymbolKind.Namespace
    assert [c.name for c in l2.children] == ["财政供养人员控制率", "目标覆盖率"]
    assert [c.name for c in l2.children[0].children] == ["编制数", "在职人员数", "超编人数"]
    assert l2.children[0].selection_range.start == at("财政供养人员控制率")
    assert [b.name for b in syms[1].children] == ["合格", "不合格"]


def test_code_action_applies_the_did_you_mean(session, tmp_path):
    text = RULEBOOK.replace("- 编制数, 0)", "- 编制树, 0)")
    path = tmp_path / "typo.jx"
    path.write_text(text, encoding="utf-8")
    uri = session.open(path)
    diag = next(d for d in session.wait_diagnostics(uri) if d.code == "E0201")
    assert "did you mean `编制数`?" in diag.message
    actions = session.call(session.client.text_document_code_action_async(lsp.CodeActionParams(
        doc_id(uri), diag.range, lsp.CodeActionContext(diagnostics=[diag]))))
    fix = next(a for a in actions if a.title == "change to `编制数`")
    assert fix.kind == lsp.CodeActionKind.QuickFix and fix.diagnostics[0].code == "E0201"
    (edit,) = fix.edit.changes[uri]
    session.change(uri, edit.range, edit.new_text)
    assert not any(d.code == "E0201" for d in session.wait_diagnostics(uri))


def test_code_actions_for_full_width_operators_and_ambiguous_names(session, tmp_path):
    # ＞＝ and ≧, printed in many official tables, are read as ≥ (no error, nothing to fix)
    text = RULEBOOK.replace("总分 ≥ 6", "总分 ＞＝ 6")
    path = tmp_path / "geq.jx"
    path.write_text(text, encoding="utf-8")
    uri = session.open(path)
    assert [d.code for d in session.wait_diagnostics(uri) if d.severity == lsp.DiagnosticSeverity.Error] == []

    amb = RULEBOOK.replace("二级指标 预算配置 10分:", "二级指标 目标覆盖率 10分:").replace("合格: 总分 ≥ 6", "合格: 目标覆盖率 ≥ 6")
    path = tmp_path / "amb.jx"
    path.write_text(amb, encoding="utf-8")
    uri = session.open(path)
    diag = next(d for d in session.wait_diagnostics(uri) if d.code == "E0202")
    assert len(diag.related_information) == 2          # the two indicators it could mean
    actions = session.call(session.client.text_document_code_action_async(lsp.CodeActionParams(
        doc_id(uri), diag.range, lsp.CodeActionContext(diagnostics=[diag]))))
    assert sorted(e.new_text for a in actions for e in a.edit.changes[uri]) == ["投入.目标覆盖率", "目标覆盖率.目标覆盖率"]


STUB = ("import sys; from jixiao.compiler.editor import formatter; "
        "formatter.use(lambda text, name: text.replace('满分   10', '满分 10')); "
        "from jixiao.compiler.cli import main; sys.argv = ['jixiao', 'lsp']; main()")


def test_formatting_goes_through_the_formatter_adapter(tmp_path):
    """The formatter is reached through compiler.editor.formatter; a stub stands in for it."""
    s = Session([sys.executable, "-c", STUB])
    try:
        path = tmp_path / "f.jx"
        text = RULEBOOK.replace("满分 10", "满分   10")
        path.write_text(text, encoding="utf-8")
        uri = s.open(path)
        s.wait_diagnostics(uri)
        edits = s.call(s.client.text_document_formatting_async(lsp.DocumentFormattingParams(
            doc_id(uri), lsp.FormattingOptions(tab_size=2, insert_spaces=True))))
        (edit,) = edits
        assert edit.new_text == RULEBOOK and edit.range.start == pos(0, 0)
        assert edit.range.end == pos(len(text.split("\n")) - 1, 0)
        # a formatted text needs no edit
        s.change(uri, edit.range, edit.new_text)
        assert list(s.call(s.client.text_document_formatting_async(lsp.DocumentFormattingParams(
            doc_id(uri), lsp.FormattingOptions(tab_size=2, insert_spaces=True))))) == []
    finally:
        s.close()


def test_formatting_with_jixiao_fmt(session, tmp_path):
    from jixiao.dsl.fmt import format_text
    messy = RULEBOOK.replace("满分 10", "满分   10").replace("  合格: 总分 ≥ 6", "  合格:   总分 ≥ 6   # 及格线")
    path = tmp_path / "messy.jx"
    path.write_text(messy, encoding="utf-8")
    uri = session.open(path)
    session.wait_diagnostics(uri)
    (edit,) = session.call(session.client.text_document_formatting_async(lsp.DocumentFormattingParams(
        doc_id(uri), lsp.FormattingOptions(tab_size=2, insert_spaces=True))))
    assert edit.new_text == format_text(messy, str(path)) != messy
    assert "满分 10\n" in edit.new_text and "# 及格线" in edit.new_text
    # a text that does not parse is left alone, with a message
    session.change(uri, lsp.Range(pos(1, 0), pos(1, 0)), "满分 ≧\n")
    session.wait_diagnostics(uri)
    assert session.call(session.client.text_document_formatting_async(lsp.DocumentFormattingParams(
        doc_id(uri), lsp.FormattingOptions(tab_size=2, insert_spaces=True)))) is None


def test_hover_and_completion_survive_a_half_typed_line(session, rulebook):
    _path, uri = rulebook
    end = at("得分 = 完成比率法(覆盖率, 100%, 6)", 27)
    session.change(uri, lsp.Range(end, end), "\n      得分 = 完成比率法(")
    diags = session.wait_diagnostics(uri)
    assert any(d.code.startswith("E01") for d in diags)
    h = session.call(session.client.text_document_hover_async(lsp.HoverParams(doc_id(uri), at("- 编制数", 3))))
    assert "核定编制数" in h.contents.value
    res = session.call(session.client.text_document_completion_async(lsp.CompletionParams(doc_id(uri), pos(end.line + 1, 20))))
    assert "覆盖率" in {i.label for i in res.items}
