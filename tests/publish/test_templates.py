"""Reports from templates: the shipped Jinja2 templates, and a bureau's own folder
(``jixiao report … --template DIR``) that extends them and fills the letterhead and seal."""
from pathlib import Path

import pytest

from jixiao import compile_rulebook
from jixiao.compiler import publish
from jixiao.compiler.publish.html import render_html
from jixiao.compiler.publish.markdown import render_markdown
from jixiao.compiler.publish.tables import report_table

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "stdlib_indicators" / "部门整体支出.jx"
CASE = ROOT / "examples" / "chenxi-2021" / "report-figures.jxc"


@pytest.fixture(scope="module")
def table():
    rb = compile_rulebook(path=RULEBOOK)
    case = rb.load_case(CASE)
    return report_table(rb, case, rb.evaluate_case(case, trace=True), sign={"evaluator": "<b>某某</b>评价中心"})


def test_shipped_templates_are_package_data():
    folder = Path(publish.__file__).resolve().parent / "templates"
    assert {p.name for p in folder.iterdir()} >= {"report.html.j2", "report.md.j2", "report.css"}


def test_bureau_template_extends_the_shipped_one(table, tmp_path):
    (tmp_path / "report.html.j2").write_text(
        '{% extends "base/report.html.j2" %}\n'
        '{% block letterhead %}<div class="letterhead">辰溪县财政局 预算绩效管理股</div>{% endblock %}\n'
        '{% block seal %}<div class="seal">（盖章）</div>{% endblock %}\n'
        '{% block styles %}.letterhead { text-align: center; }{% endblock %}\n', encoding="utf-8")
    page = render_html(table, tmp_path)
    assert '<div class="letterhead">辰溪县财政局 预算绩效管理股</div>' in page
    assert '<div class="seal">（盖章）</div>' in page and ".letterhead { text-align: center; }" in page
    # the rest of the page is the shipped one, still escaped
    assert "&lt;b&gt;某某&lt;/b&gt;评价中心" in page and "<b>某某</b>" not in page
    assert '"Noto Sans CJK SC"' in page          # the style sheet is not escaped
    assert page.count("<tbody") >= 10 and "评价结论：" in page


def test_markdown_template_of_a_bureau(table, tmp_path):
    (tmp_path / "report.md.j2").write_text(
        '{% extends "base/report.md.j2" %}\n{% block heading %}# 辰溪县财政局\n\n{{ title }}\n\n{% endblock %}\n',
        encoding="utf-8")
    md = render_markdown(table, tmp_path)
    assert md.startswith("# 辰溪县财政局\n\n部门整体支出绩效评价指标体系评分表\n")
    assert "**评价结论：**经评价" in md and "评价机构（盖章）：&lt;b>某某&lt;/b>评价中心" in md


def test_cli_template_option(tmp_path, cli):
    (tmp_path / "tpl").mkdir()
    (tmp_path / "tpl" / "report.html.j2").write_text(
        '{% extends "base/report.html.j2" %}{% block letterhead %}<p id="lh">某县财政局</p>{% endblock %}', encoding="utf-8")
    out = tmp_path / "r.html"
    res = cli(["report", RULEBOOK, CASE, "-o", out, "--template", tmp_path / "tpl", "--reviewer", "县财政局绩效科"])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert '<p id="lh">某县财政局</p>' in text and "县财政局绩效科" in text
    assert cli(["report", RULEBOOK, CASE, "-o", out, "--template", tmp_path / "missing"]).exit_code == 2
