"""Case-supplied indicator rows (指标行): the Chenxi self-evaluation (附件3) end to end,
the rows' diagnostics (E0609, E0610, E0706, E0707), the rulebook-level checks (E0211,
E0201), the Python API (``evaluate(rows=...)``) and .jxt suites with rows.

Tests marked ``xfail(strict=True)`` state behaviour that is wanted but not there yet;
each reason says what happens instead. When one starts to pass, remove its marker.
"""
from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from jixiao.compiler.verify import suites as testing
from jixiao.compiler.api import Row, compile_rulebook
from jixiao.compiler.backend.runtime import to_decimal
from jixiao.compiler.cli import main
from jixiao.dsl.check import check_text
from jixiao.dsl.diagnostics import JixiaoError, render_text

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "stdlib_indicators" / "部门整体支出自评.jx"
CASE = ROOT / "examples" / "chenxi-2021" / "self-evaluation.jxc"
CASE_TEXT = CASE.read_text(encoding="utf-8")

# 附件3 of the Chenxi report: each row's printed 分值 and 得分, in the case's order
ROWS_附件3 = {
    "安置帮教对象无重新犯罪发生": (10, 10),
    "政府采购执行率": (10, 10),
    "各项工作按时完成": (15, 15),
    "人员、公用经费等不超出预算": (13, 13),
    "优化经济环境": (10, 10),
    "群众法制观念加强": (10, 10),
    "生态法治建设制度创新与实践": (5, 5),
    "落实各项惠农扶贫政策": (5, 5),
    "满意度": (12, 11),
}
TEXT_FIELDS = {"一级指标", "二级指标", "三级指标", "指标值原文", "偏差原因"}


@pytest.fixture(scope="module")
def rb():
    return compile_rulebook(path=RULEBOOK)


def diagnostics_of(fn, *args, **kw) -> list:
    with pytest.raises(JixiaoError) as ei:
        fn(*args, **kw)
    return ei.value.diagnostics


def codes(diags) -> list[str]:
    return [d.code for d in diags]


def case_rows_in_text(text: str) -> dict[str, dict[str, str]]:
    """The rows of a case file as written: title -> field -> value text (comments and
    自评得分 left out). A reader independent of the parser, to compare against."""
    rows: dict[str, dict[str, str]] = {}
    cur = None
    for line in text.splitlines():
        line = line.split("#")[0].rstrip()
        m = re.match(r'^  行 "(.+)":$', line)
        if m:
            cur = rows.setdefault(m.group(1), {})
            continue
        m = re.match(r"^    (\S+) = (.+)$", line)
        if m and cur is not None:
            if m.group(1) != "自评得分":
                cur[m.group(1)] = m.group(2).strip()
            continue
        if line and not line.startswith("    "):
            cur = None
    return rows


def as_number(text: str) -> Decimal:
    return Decimal(text[:-1]) / 100 if text.endswith("%") else Decimal(text)


def row_lines(text: str) -> dict[str, int]:
    """Line number (1-based) of each ``行 "title":`` in a case text."""
    return {m.group(1): n for n, line in enumerate(text.splitlines(), 1)
            for m in [re.match(r'^\s*行 "(.+)":', line)] if m}


# ════════════════════════════════════════════════════════════════════════
# 1. The Chenxi self-evaluation (附件3) end to end
# ════════════════════════════════════════════════════════════════════════

def score_json(*args) -> dict:
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(CASE), "--format", "json", *args])
    assert res.exit_code == 0, res.output
    return json.loads(res.stdout)


def test_cli_json_total_grade_and_budget_execution():
    data = score_json()
    assert data["total"] == "98"
    assert data["grade"] == "优"
    assert data["claimed_total"] == "98"
    by_path = {"/".join(r["path"]): r for r in data["indicators"]}
    assert by_path["预算执行/预算执行率"]["score"] == "9"
    assert by_path["预算执行/预算执行率"]["claimed"] == "9"
    assert by_path["预算执行"]["score"] == "9"
    assert by_path["绩效指标"]["score"] == "89"
    assert by_path["绩效指标"]["points"] == "90"
    assert by_path["绩效指标"]["leaf"] is False


def test_cli_json_each_row_matches_附件3():
    data = score_json()
    rows = [r for r in data["indicators"] if r["level"] == "row"]
    assert [r["path"] for r in rows] == [["绩效指标", t] for t in ROWS_附件3]
    for r in rows:
        title = r["path"][-1]
        points, printed = ROWS_附件3[title]
        assert r["level"] == "row"
        assert Decimal(r["points"]) == points, title
        assert Decimal(r["score"]) == printed, title
        assert Decimal(r["claimed"]) == printed, title          # the case's 自评得分 is 附件3's 得分
        assert r["leaf"] is True
    assert sum(Decimal(r["score"]) for r in rows) == 89
    assert sum(Decimal(r["points"]) for r in rows) == 90


def test_cli_json_rows_carry_their_fields_as_given():
    data = score_json()
    written = case_rows_in_text(CASE_TEXT)
    assert list(written) == list(ROWS_附件3)
    rows = {r["path"][-1]: r for r in data["indicators"] if r["level"] == "row"}
    for title, fields in written.items():
        got = rows[title]["row"]
        assert set(got) == set(fields), title                  # 自评得分 is not a field
        for name, text in fields.items():
            if name in TEXT_FIELDS:
                assert got[name] == text.strip('"'), (title, name)
            elif name in ("计分方法", "完成情况"):
                assert got[name] == text, (title, name)
            else:
                # a plain number field keeps a percentage as written ("98%"), others are numbers
                assert to_decimal(got[name], "number") == as_number(text), (title, name)
    assert rows["满意度"]["row"]["计分方法"] == "越高越好"
    assert rows["满意度"]["row"]["实际完成值"] == "98%"
    assert rows["满意度"]["row"]["分值"] == "12"
    assert rows["政府采购执行率"]["row"]["完成情况"] == "达成"


def test_api_evaluate_case_agrees_with_附件3(rb):
    case = rb.load_case(CASE)
    assert set(case.rows) == {"绩效指标"}
    assert [r.title for r in case.rows["绩效指标"]] == list(ROWS_附件3)
    result = rb.evaluate_case(case)
    assert result.total == 98 and result.grade == "优"
    assert result.score("预算执行率") == 9
    for title, (points, printed) in ROWS_附件3.items():
        r = result.indicator(("绩效指标", title))
        assert r.level == "row" and r.points == points and r.score == printed
        assert r.claimed == printed and not r.differs
        assert r.row["分值"] == points
    # rows are reachable by title and by path, like any indicator
    assert result.score("满意度") == 11
    assert result.score("绩效指标/满意度") == 11
    assert result.score("绩效指标.满意度") == 11
    # rows are leaves; the indicator holding them is not
    leaf_paths = {r.path for r in result.leaves}
    assert ("绩效指标",) not in leaf_paths
    assert all(("绩效指标", t) in leaf_paths for t in ROWS_附件3)


def test_rows_are_truncated_to_whole_points_like_any_score(rb):
    # 满意度: 98% of 12 = 11.76 → 11 under 精度 1, 舍入 截断; the indicator is the sum of rounded rows
    result = rb.evaluate_case(rb.load_case(CASE))
    assert result.score("满意度") == 11
    assert result.score("绩效指标") == 89
    # 人员、公用经费等不超出预算: 越低越好, 96.31% ≤ 100% → full points
    assert result.score("人员、公用经费等不超出预算") == 13


def test_cli_text_table_shows_every_row_and_no_difference():
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(CASE)])
    assert res.exit_code == 0, res.output
    out = res.stdout
    assert "≠" not in out
    assert "与自评不一致" not in out
    for title, (points, printed) in ROWS_附件3.items():
        line = next(l for l in out.splitlines() if l.strip().startswith(title))
        assert line.split()[1:] == [str(points), str(printed), str(printed)], line
    assert re.search(r"总分 / total\s+100\s+98\s+98$", out, re.M)


def test_cli_text_table_marks_a_row_whose_claim_differs(tmp_path):
    case = tmp_path / "claim.jxc"
    case.write_text(CASE_TEXT.replace("    自评得分 = 11", "    自评得分 = 12"), encoding="utf-8")
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(case)])
    assert res.exit_code == 0, res.output
    line = next(l for l in res.stdout.splitlines() if l.strip().startswith("满意度"))
    assert line.split() == ["满意度", "12", "11", "12", "≠"]
    assert "绩效指标/满意度: 计算 11，自评 12" in res.stdout


def test_cli_score_of_a_case_whose_rows_do_not_add_up_exits_1(tmp_path):
    case = tmp_path / "bad.jxc"
    case.write_text(CASE_TEXT.replace("    分值 = 12\n", "    分值 = 17\n"), encoding="utf-8")
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(case), "--format", "json"])
    assert res.exit_code == 1
    assert "error[E0610]" in res.stderr and "95" in res.stderr
    assert res.stdout == ""


# ── explain ──

def explain_out(*args, case=CASE):
    res = CliRunner().invoke(main, ["explain", str(RULEBOOK), str(case), *args])
    return res


@pytest.mark.parametrize("args", [[], ["--lang", "en"], ["--audit"], ["--indicator", "预算执行率"]])
def test_explain_runs_on_the_rows_rulebook(args):
    res = explain_out(*args)
    assert res.exit_code == 0, res.output
    assert res.exception is None


def test_explain_explains_every_row():
    res = explain_out()
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    for title, (points, printed) in ROWS_附件3.items():
        line = next((l for l in lines if l.startswith(f"绩效指标/{title}：")), None)
        assert line is not None, title
        assert line.endswith(f"得{printed}分（满分{points}分）。"), line
    satisfaction = next(l for l in lines if l.startswith("绩效指标/满意度："))
    assert "越高越好" in satisfaction and "实际完成值98%" in satisfaction and "计11.76分" in satisfaction


def test_explain_of_the_rows_indicator_is_the_sum_of_its_rows():
    res = explain_out("--indicator", "绩效指标")
    assert res.exit_code == 0, res.output
    head = next(l for l in res.stdout.splitlines() if l.startswith("绩效指标："))
    assert "由各行得分相加" in head and "满意度11分" in head and head.endswith("得89分（满分90分）。")
    # not the hidden total nor the 指标行 block's source text
    assert "·各行得分" not in res.stdout
    assert "字段 " not in res.stdout and "方法 越高越好 =" not in res.stdout and "#" not in res.stdout


def test_explain_of_the_rows_indicator_has_no_formula_of_another_indicator():
    res = explain_out("--indicator", "绩效指标")
    # (an earlier working tree carried 预算执行率's formula over into this line)
    head = next(l for l in res.stdout.splitlines() if l.startswith("绩效指标："))
    assert "完成比率法(执行率" not in head and "96.31%" not in head


def test_explain_one_row():
    res = explain_out("--indicator", "绩效指标.满意度")
    assert res.exit_code == 0, res.output
    [line] = [l for l in res.stdout.splitlines() if l.strip()]
    assert line.startswith("绩效指标/满意度：") and line.endswith("得11分（满分12分）。")


def test_audit_flags_a_row_whose_claim_differs(tmp_path):
    case = tmp_path / "claim.jxc"
    case.write_text(CASE_TEXT.replace("    自评得分 = 11", "    自评得分 = 12"), encoding="utf-8")
    res = explain_out("--audit", case=case)
    assert res.exit_code == 0
    assert "满意度" in res.stdout and "自评12分，计算11分" in res.stdout


# ── report ──

def report(tmp_path, suffix, case=CASE):
    out = tmp_path / f"report{suffix}"
    res = CliRunner().invoke(main, ["report", str(RULEBOOK), str(case), "-o", str(out)])
    return res, out


def report_text(out: Path) -> str:
    if out.suffix == ".xlsx":
        import openpyxl
        wb = openpyxl.load_workbook(out)
        return "\n".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c is not None)
    return out.read_text(encoding="utf-8")


@pytest.mark.parametrize("suffix", [".html", ".xlsx", ".md"])
def test_report_runs_on_the_rows_rulebook(tmp_path, suffix):
    res, out = report(tmp_path, suffix)
    assert res.exit_code == 0, res.output
    assert res.exception is None
    assert out.exists() and out.stat().st_size > 0
    assert "总分 98，优" in res.stderr
    text = report_text(out)
    assert "绩效指标" in text and "98" in text


@pytest.mark.parametrize("suffix", [".html", ".xlsx", ".md"])
def test_report_lists_every_row(tmp_path, suffix):
    res, out = report(tmp_path, suffix)
    assert res.exit_code == 0, res.output
    text = report_text(out)
    for title, (points, printed) in ROWS_附件3.items():
        assert title in text, title
        assert f"得{printed}分（满分{points}分）" in text, title


def test_report_md_row_lines(tmp_path):
    res, out = report(tmp_path, ".md")
    assert res.exit_code == 0, res.output
    lines = out.read_text(encoding="utf-8").splitlines()
    for title, (points, printed) in ROWS_附件3.items():
        line = next(l for l in lines if f"| {title}（{points}分） |" in l)
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[5:7] == [str(printed), str(printed)], line       # 得分, 自评得分
        assert cells[7] == ""                                         # no 差异
    parent = next(l for l in lines if l.startswith("| 绩效指标（90分）"))
    assert "| 89 |" in parent
    assert "·各行得分" not in parent and "字段 计分方法" not in parent


def test_report_counts_a_row_whose_claim_differs(tmp_path):
    case = tmp_path / "claim.jxc"
    case.write_text(CASE_TEXT.replace("    自评得分 = 11", "    自评得分 = 12"), encoding="utf-8")
    res, out = report(tmp_path, ".md", case=case)
    assert res.exit_code == 0, res.output
    assert "与计算不一致 1 项" in out.read_text(encoding="utf-8")


# ════════════════════════════════════════════════════════════════════════
# 2. E0610: the rows' points must add up to the indicator's
# ════════════════════════════════════════════════════════════════════════

@pytest.mark.parametrize("new_points, total", [(17, 95), (7, 85)])
def test_rows_not_adding_up(rb, new_points, total):
    text = CASE_TEXT.replace("    分值 = 12\n", f"    分值 = {new_points}\n")
    assert text != CASE_TEXT
    case = rb.case_from_text(text, "附件3-bad.jxc")       # the case itself parses and reads
    diags = diagnostics_of(rb.evaluate_case, case)
    assert codes(diags) == ["E0610"]
    d = diags[0]
    assert "「绩效指标」" in d.message
    assert f"合计{total}分" in d.message and "分值90分" in d.message
    rendered = render_text(diags)
    assert "「绩效指标」" in rendered
    assert str(total) in rendered and "90" in rendered
    assert f"（差 {total - 90}）" in rendered and f"(off by {total - 90})" in rendered
    for title, (points, _) in ROWS_附件3.items():
        shown = new_points if title == "满意度" else points
        assert f"{title} {shown}分" in rendered, title
    # one label per row, on the row's line of the case file, captioned with its points
    lines = row_lines(text)
    assert len(d.labels) == len(ROWS_附件3)
    assert all(lab.span.file.name == "附件3-bad.jxc" for lab in d.labels)
    assert [lab.span.line for lab in d.labels] == [lines[t] for t in ROWS_附件3]
    assert [lab.caption for lab in d.labels] == [
        f"{new_points if t == '满意度' else p}分" for t, (p, _) in ROWS_附件3.items()]
    assert [lab.primary for lab in d.labels] == [True] + [False] * (len(ROWS_附件3) - 1)
    for t in ROWS_附件3:
        assert f'行 "{t}":' in rendered


def test_rows_adding_up_with_other_points_split(rb):
    # any split works as long as it adds up: move 5 points from one row to another
    text = CASE_TEXT.replace("    分值 = 12\n", "    分值 = 17\n").replace("    分值 = 15\n", "    分值 = 10\n")
    result = rb.evaluate_case(rb.case_from_text(text))
    assert result.indicator(("绩效指标", "各项工作按时完成")).points == 10
    assert result.indicator(("绩效指标", "满意度")).points == 17
    assert result.score("满意度") == 16            # 98% × 17 = 16.66 → 16
    assert result.score("绩效指标") == 10 + 10 + 10 + 13 + 10 + 10 + 5 + 5 + 16
    # the claims (15 and 11) no longer agree with the rows; they are carried, not checked
    assert result.indicator("各项工作按时完成").differs and result.indicator("满意度").differs


def test_E0610_is_not_hidden_by_a_row_title_containing_分值(rb):
    text = CASE_TEXT.replace('行 "满意度"', '行 "分值核定"').replace("    分值 = 12\n", "    分值 = 17\n")
    text = text.replace("    三级指标 = \"服务对象满意度指标\"\n", "    三级指标 = \"服务对象满意度指标\"\n    备注 = \"x\"\n")
    diags = row_errors(rb, text)
    assert sorted(codes(diags)) == ["E0609", "E0610"]


# ════════════════════════════════════════════════════════════════════════
# 3. E0609: a bad row
# ════════════════════════════════════════════════════════════════════════

HEAD = '案例 "行测试"\n年初预算数 = 100万元\n全年执行数 = 100万元\n\n指标行 绩效指标:\n'
GOOD_A = ("甲", ["计分方法 = 越高越好", "年度指标值 = 100%", "实际完成值 = 90%", "分值 = 50"])
GOOD_B = ("乙", ["计分方法 = 定性", "完成情况 = 达成", "得分比例 = 100%", "分值 = 40"])


def rows_case(*rows, head=HEAD) -> str:
    out = head
    for title, fields in rows:
        out += f'  行 "{title}":\n' + "".join(f"    {f}\n" for f in fields)
    return out


def with_field(row, name, value=None):
    """``row`` with field ``name`` set to ``value`` (or removed when value is None)."""
    title, fields = row
    kept = [f for f in fields if f.split(" = ")[0] != name]
    if value is not None:
        kept.append(f"{name} = {value}")
    return title, kept


def evaluate_text(rb, text, name="rows.jxc"):
    return rb.evaluate_case(rb.case_from_text(text, name))


def row_errors(rb, text, name="rows.jxc") -> list:
    """The diagnostics of reading and evaluating a case (from either step)."""
    def go():
        return rb.evaluate_case(rb.case_from_text(text, name))
    return diagnostics_of(go)


def line_of(text: str, fragment: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if fragment in line)


def assert_names_row(d, row, part="绩效指标"):
    assert d.code == "E0609", d.message
    assert f"「{part}」" in d.message and f"「{row}」" in d.message, d.message
    assert f"`{part}`" in d.message and f"`{row}`" in d.message, d.message


def test_the_good_rows_score(rb):
    result = evaluate_text(rb, rows_case(GOOD_A, GOOD_B))
    assert result.score("甲") == 45 and result.score("乙") == 40
    assert result.score("绩效指标") == 85 and result.total == 95
    # fields of the methods a row does not use are optional
    assert "完成情况" not in result.indicator("甲").row
    assert "年度指标值" not in result.indicator("乙").row


def test_unknown_field_with_suggestion(rb):
    text = rows_case(with_field(GOOD_A, "实际完成直", "1"), GOOD_B)
    diags = row_errors(rb, text)
    assert codes(diags) == ["E0609"]
    d = diags[0]
    assert_names_row(d, "甲")
    assert "没有字段「实际完成直」" in d.message
    assert "是否应为「实际完成值」" in d.message and "did you mean `实际完成值`" in d.message
    assert d.primary.file.name == "rows.jxc" and d.primary.line == line_of(text, "实际完成直")


def test_unknown_field_without_a_close_name_has_no_suggestion(rb):
    diags = row_errors(rb, rows_case(with_field(GOOD_A, "备注", '"补充"'), GOOD_B))
    assert codes(diags) == ["E0609"]
    assert_names_row(diags[0], "甲")
    assert "没有字段「备注」" in diags[0].message
    assert "是否应为" not in diags[0].message


def test_missing_method(rb):
    text = rows_case(with_field(GOOD_A, "计分方法"), GOOD_B)
    diags = row_errors(rb, text)
    assert codes(diags) == ["E0609"]
    assert_names_row(diags[0], "甲")
    assert "缺少字段「计分方法」" in diags[0].message
    assert diags[0].primary.line == line_of(text, '行 "甲"')


def test_method_not_one_of_the_choices(rb):
    text = rows_case(with_field(GOOD_A, "计分方法", "越多越好"), GOOD_B)
    diags = row_errors(rb, text)
    assert codes(diags) == ["E0609"]
    d = diags[0]
    assert_names_row(d, "甲")
    assert "越多越好" in d.message
    for choice in ("越高越好", "越低越好", "定性"):
        assert choice in d.message
    assert d.primary.line == line_of(text, "越多越好")


@pytest.mark.parametrize("row, field", [
    (with_field(GOOD_A, "实际完成值"), "实际完成值"),
    (with_field(GOOD_A, "年度指标值"), "年度指标值"),
    (("甲", ["计分方法 = 定性", "得分比例 = 100%", "分值 = 50"]), "完成情况"),
    (("甲", ["计分方法 = 定性", "完成情况 = 达成", "分值 = 50"]), "得分比例"),
    (("甲", ["计分方法 = 越低越好", "年度指标值 = 1%", "分值 = 50"]), "实际完成值"),
])
def test_a_field_the_chosen_method_needs_is_missing(rb, row, field):
    diags = row_errors(rb, rows_case(row, GOOD_B))
    assert codes(diags) == ["E0609"]
    assert_names_row(diags[0], "甲")
    assert f"「{field}」" in diags[0].message


@pytest.mark.parametrize("field, value, fragment", [
    ("年度指标值", "0", "(0, +∞)"),            # declared 数值 > 0
    ("年度指标值", "-5%", "(0, +∞)"),
    ("实际完成值", "-1%", "[0, +∞)"),           # declared 数值 ≥ 0
])
def test_a_number_outside_the_declared_range(rb, field, value, fragment):
    text = rows_case(with_field(GOOD_A, field, value), GOOD_B)
    diags = row_errors(rb, text)
    assert codes(diags) == ["E0609"]
    d = diags[0]
    assert_names_row(d, "甲")
    assert f"「{field}」" in d.message and fragment in d.message
    assert d.primary.line == line_of(text, f"{field} = {value}")


def test_a_grade_field_given_a_word_that_is_not_a_member(rb):
    text = rows_case(GOOD_A, with_field(GOOD_B, "完成情况", "优秀"))
    diags = row_errors(rb, text)
    assert codes(diags) == ["E0609"]
    assert_names_row(diags[0], "乙")
    assert "优秀" in diags[0].message and "达成、部分达成、未达成" in diags[0].message
    assert diags[0].primary.line == line_of(text, "完成情况 = 优秀")


@pytest.mark.parametrize("field, value", [("实际完成值", '"九成"'), ("分值", '"五十"'), ("得分比例", '"全部"')])
def test_text_for_a_number_field_is_an_error_at_the_value(rb, field, value):
    row = GOOD_B if field == "得分比例" else GOOD_A
    text = rows_case(with_field(row, field, value), GOOD_A if row is GOOD_B else GOOD_B)
    diags = row_errors(rb, text)
    assert len(diags) == 1
    assert diags[0].primary.line == line_of(text, f"{field} = {value}")
    assert f"「{field}」" in diags[0].message


@pytest.mark.parametrize("field, value", [("实际完成值", '"九成"'), ("分值", '"五十"')])
def test_text_for_a_number_field_names_the_part_and_the_row(rb, field, value):
    diags = row_errors(rb, rows_case(with_field(GOOD_A, field, value), GOOD_B))
    assert codes(diags) == ["E0609"]
    assert_names_row(diags[0], "甲")


def test_a_wrong_unit_names_the_part_and_the_row(rb):
    diags = row_errors(rb, rows_case(with_field(GOOD_A, "年度指标值", "5万元"), GOOD_B))
    assert codes(diags) == ["E0609"]
    assert_names_row(diags[0], "甲")


def test_a_wrong_unit_is_an_error_at_the_value(rb):
    text = rows_case(with_field(GOOD_A, "年度指标值", "5万元"), GOOD_B)
    diags = row_errors(rb, text)
    assert len(diags) == 1
    assert "万元" in diags[0].message and "年度指标值" in diags[0].message
    assert diags[0].primary.line == line_of(text, "5万元")


def test_points_missing(rb):
    text = rows_case(with_field(GOOD_A, "分值"), GOOD_B)
    diags = row_errors(rb, text)
    assert set(codes(diags)) == {"E0609"}            # no E0610 on top of it
    assert any("缺少字段「分值」" in d.message for d in diags)
    for d in diags:
        assert_names_row(d, "甲")


@pytest.mark.parametrize("points", ["0", "-10"])
def test_points_not_positive(rb, points):
    # the other row takes the rest, so that only the bad points are wrong
    other = with_field(GOOD_B, "分值", str(90 - int(points)))
    text = rows_case(with_field(GOOD_A, "分值", points), other)
    diags = row_errors(rb, text)
    assert set(codes(diags)) == {"E0609"}            # no E0610: the sum is not checked over a bad 分值
    assert any(f"字段「分值」的值 {points} 超出允许范围 (0, +∞)" in d.message for d in diags)
    for d in diags:
        assert_names_row(d, "甲")
        assert d.primary.line == line_of(text, f"分值 = {points}")


def test_points_not_a_multiple_of_the_precision(rb):
    # 精度 1: a row cannot be worth 49.5 points (its score could not be rounded within it)
    text = rows_case(with_field(GOOD_A, "分值", "49.5"), with_field(GOOD_B, "分值", "40.5"))
    diags = row_errors(rb, text)
    assert set(codes(diags)) == {"E0609"}
    assert {r for d in diags for r in ("甲", "乙") if f"「{r}」" in d.message} == {"甲", "乙"}
    assert any("的分值 49.5 不是精度 1 的整数倍" in d.message for d in diags)


def test_points_with_decimals_under_a_finer_precision(nested):
    rows = [dict(ROW_A, 分值="45.5"), dict(ROW_A, 名称="B", 分值="44.5")]
    result = nested.evaluate({"完成率": 1}, rows={"绩效指标": rows})
    assert result.score("A") == Decimal("40.95") and result.score("B") == Decimal("40.05")


@pytest.mark.parametrize("points", [None, "0", "-10", '"五十"'])
def test_bad_points_are_reported_once(rb, points):
    row = with_field(GOOD_A, "分值", points)
    if points == '"五十"':
        diags = diagnostics_of(rb.evaluate, {"年初预算数": 100, "全年执行数": 100},
                               rows={"绩效指标": [{"名称": "甲", **dict(f.split(" = ") for f in GOOD_A[1][:3]),
                                                   "分值": "五十"}]})
    else:
        diags = row_errors(rb, rows_case(row, GOOD_B))
    assert len(diags) == 1, [d.message for d in diags]


def test_duplicate_row_title(rb):
    text = rows_case(GOOD_A, ("甲", GOOD_B[1]))
    diags = row_errors(rb, text)
    dup = [d for d in diags if "重复给出" in d.message]
    assert len(dup) == 1
    assert_names_row(dup[0], "甲")
    assert "is given twice" in dup[0].message
    lines = [n for n, l in enumerate(text.splitlines(), 1) if '行 "甲"' in l]
    assert dup[0].primary.line == lines[1]                 # the second one


def test_duplicate_row_title_is_the_only_error(rb):
    diags = row_errors(rb, rows_case(GOOD_A, ("甲", GOOD_B[1])))
    assert codes(diags) == ["E0609"]


def test_a_case_without_rows(rb):
    diags = row_errors(rb, HEAD.split("指标行")[0])
    assert codes(diags) == ["E0609"]
    d = diags[0]
    assert "「绩效指标」" in d.message and "案例没有给出指标行" in d.message
    assert any("指标行 绩效指标:" in str(h) for h in d.helps)
    # pointed at the rulebook's 指标行 block (the case has no place for it)
    assert d.primary is not None and d.primary.file.name.endswith("部门整体支出自评.jx")
    assert d.primary.text().startswith("指标行")


def test_a_case_without_rows_through_the_cli(tmp_path):
    case = tmp_path / "no-rows.jxc"
    case.write_text(HEAD.split("指标行")[0], encoding="utf-8")
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(case)])
    assert res.exit_code == 1
    assert "error[E0609]" in res.stderr and "指标行 绩效指标" in res.stderr


def test_an_empty_rows_block_is_a_syntax_error(rb):
    # the grammar needs at least one 行 in a 指标行 block (case_rows: … case_row+), so an
    # empty block cannot be written; it is a syntax error, not E0609
    diags = row_errors(rb, HEAD + "\n")
    assert len(diags) == 1 and diags[0].code.startswith("E01")
    diags = row_errors(rb, HEAD + "\n自评得分:\n  总分 = 90\n")
    assert len(diags) == 1 and diags[0].code.startswith("E01")


def test_an_empty_list_of_rows_through_the_api(rb):
    diags = diagnostics_of(rb.evaluate, {"年初预算数": 100, "全年执行数": 100}, rows={"绩效指标": []})
    assert codes(diags) == ["E0609"]
    assert "「绩效指标」" in diags[0].message and "指标行为空" in diags[0].message


def test_every_bad_row_is_reported_at_once(rb):
    text = rows_case(
        with_field(GOOD_A, "计分方法"),                                   # 甲: no method
        with_field(GOOD_B, "计分方法", "越多越好"),                       # 乙: not a choice
        ("丙", ["计分方法 = 越高越好", "分值 = 5"]),                      # 丙: method's fields missing
        ("丁", ["计分方法 = 定性", "完成情况 = 优秀", "得分比例 = 90%", "分值 = 5", "实际完成直 = 1"]),
    )
    diags = row_errors(rb, text)
    assert set(codes(diags)) >= {"E0609"}
    e0609 = [d for d in diags if d.code == "E0609"]
    named = {r for d in e0609 for r in ("甲", "乙", "丙", "丁") if f"「{r}」" in d.message}
    assert named == {"甲", "乙", "丙", "丁"}
    msgs = "\n".join(d.message for d in e0609)
    assert "缺少字段「计分方法」" in msgs
    assert "越多越好" in msgs
    assert "「年度指标值」" in msgs and "「实际完成值」" in msgs
    assert "优秀" in msgs and "没有字段「实际完成直」" in msgs
    # the rows' points add up to 50 + 40 + 5 + 5 = 100: reported with the rest, not instead of it
    assert "E0610" in codes(diags)
    rendered = render_text(diags)
    assert rendered.count("error[E0609]") == len(e0609) >= 6


def test_errors_of_several_rows_do_not_stop_at_the_first_row(rb):
    text = rows_case(with_field(GOOD_A, "年度指标值", "0"), with_field(GOOD_B, "得分比例", "70%"))
    diags = row_errors(rb, text)
    assert len(diags) == 2 and set(codes(diags)) <= {"E0609", "E0706"}
    assert any("「甲」" in d.message for d in diags) and any("「乙」" in d.message for d in diags)


def test_rows_for_an_indicator_that_has_none(rb):
    text = rows_case(GOOD_A, GOOD_B).replace("指标行 绩效指标:", "指标行 绩效指:")
    diags = row_errors(rb, text)
    assert codes(diags) == ["E0605"]
    assert "绩效指" in diags[0].message and any("绩效指标" in str(h) for h in diags[0].helps)


def test_a_rows_block_given_twice(rb):
    text = rows_case(GOOD_A, GOOD_B) + '指标行 绩效指标:\n  行 "丙":\n    分值 = 90\n'
    diags = row_errors(rb, text)
    assert "E0606" in codes(diags)
    assert any("指标行 绩效指标" in d.message for d in diags)


def test_a_field_given_twice_in_a_row(rb):
    text = rows_case(("甲", GOOD_A[1] + ["分值 = 50"]), GOOD_B)
    diags = row_errors(rb, text)
    assert codes(diags) == ["E0606"]
    assert "甲.分值" in diags[0].message


# ════════════════════════════════════════════════════════════════════════
# 4. E0706: a method's 要求 not met by a row
# ════════════════════════════════════════════════════════════════════════

BAD_RATIO = with_field(GOOD_B, "得分比例", "70%")       # 达成 needs 80%–100%


def test_a_row_breaking_a_requirement_names_the_part_the_row_and_the_requirement(rb):
    text = rows_case(GOOD_A, BAD_RATIO)
    diags = row_errors(rb, text)
    assert len(diags) == 1
    d = diags[0]
    assert d.code in ("E0706", "E0609")
    assert "「绩效指标」" in d.message and "「乙」" in d.message
    assert "定性三档：得分比例应在完成情况所属的区间内" in d.message
    assert d.primary.file.name == "rows.jxc"
    assert line_of(text, '行 "乙"') <= d.primary.line <= line_of(text, "得分比例 = 70%")


def test_a_row_breaking_a_requirement_is_E0706(rb):
    diags = row_errors(rb, rows_case(GOOD_A, BAD_RATIO))
    assert codes(diags) == ["E0706"]


@pytest.mark.parametrize("grade, ratio, score", [
    ("达成", "100%", 40), ("达成", "80%", 32), ("部分达成", "79%", 31), ("部分达成", "60%", 24),
    ("未达成", "59%", 23), ("未达成", "0%", 0),
])
def test_qualitative_rows_within_their_band(rb, grade, ratio, score):
    row = ("乙", ["计分方法 = 定性", f"完成情况 = {grade}", f"得分比例 = {ratio}", "分值 = 40"])
    result = evaluate_text(rb, rows_case(GOOD_A, row))
    assert result.score("乙") == score            # 精度 1, 舍入 截断: 79% × 40 = 31.6 → 31


@pytest.mark.parametrize("grade, ratio", [("达成", "79%"), ("部分达成", "80%"), ("部分达成", "59%"),
                                          ("未达成", "60%"), ("达成", "101%")])
def test_qualitative_rows_outside_their_band(rb, grade, ratio):
    row = ("乙", ["计分方法 = 定性", f"完成情况 = {grade}", f"得分比例 = {ratio}", "分值 = 40"])
    diags = row_errors(rb, rows_case(GOOD_A, row))
    assert len(diags) == 1
    # 101%: a rate field is refused above 100% when it is read, before the method runs
    assert "「乙」" in diags[0].message and ("超出允许范围" if ratio == "101%" else "不满足要求") in diags[0].message


# ════════════════════════════════════════════════════════════════════════
# 5. E0707: a row's method scoring outside the row's points
# ════════════════════════════════════════════════════════════════════════

UNCAPPED = '''规则集 "行分值越界"
满分 100
精度 0.01

引用 "计分方法.jx"

一级指标 基础 10分:
  输入 完成率: 比率
  得分 = 完成比率法(完成率, 100%, 10)

一级指标 绩效指标 90分:
  指标行:
    字段 计分方法: 等级(越高越好, 倍数, 扣减)
    字段 年度指标值: 数值 > 0
    字段 实际完成值: 数值 ≥ 0
    字段 分值: 分数 > 0
    方法 越高越好 = 完成比率法(实际完成值, 年度指标值, 分值)
    方法 倍数 = 分值 × 实际完成值
    方法 扣减 = 分值 - 实际完成值

等级:
  优: 总分 ≥ 90
  良: 否则
'''


@pytest.fixture(scope="module")
def uncapped():
    """The rulebook compiled without compiler.verify's search for row methods that leave
    their points (E0212): E0707 is the run-time guard behind that search, reached here
    directly. (compile_rulebook refuses this rulebook: see the E0212 test below.)"""
    from jixiao.compiler.api import CompiledRulebook
    from jixiao.compiler.backend.codegen import generate
    res = check_text(UNCAPPED, "uncapped.jx")
    assert res.ok, [d.message for d in res.diagnostics]
    return CompiledRulebook(res.program, res, generate(res.program))


def one_row_case(method, actual, points=90, extra=()):
    fields = [f"计分方法 = {method}", f"实际完成值 = {actual}", f"分值 = {points}", *extra]
    return rows_case(("甲", fields), head='案例 "越界"\n完成率 = 100%\n\n指标行 绩效指标:\n')


def test_an_uncapped_row_method_passes_the_dsl_checks():
    res = check_text(UNCAPPED, "uncapped.jx")
    assert res.ok, [d.message for d in res.diagnostics]


def test_an_uncapped_row_method_is_refused_by_compile_rulebook_with_a_counterexample():
    diags = diagnostics_of(compile_rulebook, UNCAPPED, name="uncapped-e0212.jx")
    assert codes(diags) == ["E0212", "E0212"]
    by_method = {m: d for d in diags for m in ("倍数", "扣减") if f"「{m}」" in d.message}
    assert set(by_method) == {"倍数", "扣减"}
    for m, d in by_method.items():
        assert "指标行「绩效指标」" in d.message
        assert d.primary.text().startswith(f"方法 {m} =")
        assert any(n.zh.startswith("反例：") and n.en.startswith("counterexample:") for n in d.notes)
    # the capped method is not flagged
    assert not any("越高越好" in d.message for d in diags)


@pytest.mark.parametrize("method, actual, value", [("倍数", "1.5", "135"), ("扣减", "100", "-10")])
def test_a_row_scoring_outside_its_points(uncapped, method, actual, value):
    text = one_row_case(method, actual)
    diags = row_errors(uncapped, text, "越界.jxc")
    assert codes(diags) == ["E0707"]
    d = diags[0]
    assert "「绩效指标」" in d.message and "「甲」" in d.message
    assert f"得分 {value} 超出 [0, 90]" in d.message
    assert f"scores {value}, outside [0, 90]" in d.message
    assert d.primary.file.name == "越界.jxc" and d.primary.line == line_of(text, '行 "甲"')


def test_an_uncapped_row_within_its_points_scores(uncapped):
    result = evaluate_text(uncapped, one_row_case("倍数", "0.5"))
    assert result.score("甲") == 45 and result.total == 55
    result = evaluate_text(uncapped, one_row_case("扣减", "90"))
    assert result.score("甲") == 0
    result = evaluate_text(uncapped, one_row_case("倍数", "1"))
    assert result.score("甲") == 90


def test_E0707_in_one_row_and_E0609_in_another_are_reported_together(uncapped):
    text = rows_case(("甲", ["计分方法 = 倍数", "实际完成值 = 2", "分值 = 45"]),
                     ("乙", ["计分方法 = 越高越好", "实际完成值 = 1", "分值 = 45"]),
                     head='案例 "越界"\n完成率 = 100%\n\n指标行 绩效指标:\n')
    diags = row_errors(uncapped, text)
    assert sorted(codes(diags)) == ["E0609", "E0707"]
    assert "「甲」" in next(d for d in diags if d.code == "E0707").message
    assert "「乙」" in next(d for d in diags if d.code == "E0609").message


# ════════════════════════════════════════════════════════════════════════
# 6. The rulebook side: E0211 and the scope of row methods (E0201)
# ════════════════════════════════════════════════════════════════════════

FIELDS = [
    "字段 计分方法: 等级(越高越好, 越低越好)",
    "字段 年度指标值: 数值 > 0",
    "字段 实际完成值: 数值 ≥ 0",
    "字段 分值: 分数 > 0",
    "方法 越高越好 = 完成比率法(实际完成值, 年度指标值, 分值)",
    "方法 越低越好 = 反向完成比率法(实际完成值, 年度指标值, 分值)",
]


def rulebook(items=FIELDS, before="", after="", top=""):
    block = "".join(f"    {x}\n" for x in items)
    return f'''规则集 "行检查"
满分 100
引用 "计分方法.jx"
{top}
一级指标 基础 10分:
  输入 完成率: 比率
  得分 = 完成比率法(完成率, 100%, 10)

一级指标 绩效指标 90分:
{before}  指标行:
{block}{after}
等级:
  优: 总分 ≥ 90
  良: 否则
'''


def replace_item(old, new):
    return [new if x == old else x for x in FIELDS]


def errors_of_rulebook(text):
    res = check_text(text, "rows.jx")
    return [d for d in res.diagnostics if d.severity == "error"]


def test_the_base_rulebook_is_clean():
    res = check_text(rulebook(), "rows.jx")
    assert res.ok and not [d for d in res.diagnostics if d.severity in ("error", "warning")]
    assert [p.indicator.name for p in res.program.row_parts] == ["绩效指标"]
    assert set(res.program.row_parts[0].methods) == {"越高越好", "越低越好"}


E0211_CASES = {
    "no 分值 field": ([x for x in FIELDS if not x.startswith("字段 分值")][:-2]
                      + ["方法 越高越好 = 完成比率法(实际完成值, 年度指标值, 10)",
                         "方法 越低越好 = 反向完成比率法(实际完成值, 年度指标值, 10)"],
                      "缺少「字段 分值: 分数」"),
    "分值 not 分数": (replace_item("字段 分值: 分数 > 0", "字段 分值: 数值 > 0"), "缺少「字段 分值: 分数」"),
    "no 计分方法 field": (FIELDS[1:], "缺少「字段 计分方法: 等级(…)」"),
    "计分方法 not 等级": (replace_item(FIELDS[0], "字段 计分方法: 文本"), "缺少「字段 计分方法: 等级(…)」"),
    "method for a name not a choice": (FIELDS + ["方法 其他 = 分值"], "的方法「其他」不是计分方法的选项（越高越好、越低越好）"),
    "choice without a method": (FIELDS[:-1], "缺少计分方法「越低越好」的「方法 越低越好 = …」"),
    "不加分 in a row method": (replace_item(FIELDS[4], "方法 越高越好 = 分值 × 实际完成值 / 年度指标值 不加分"),
                               "中不能用「不加分」，请写「最多 分值」"),
}
# 不适用 from a row method is allowed now, under the rows' policy (tests/e2e/test_issue13.py)


@pytest.mark.parametrize("name", list(E0211_CASES))
def test_E0211(name):
    items, fragment = E0211_CASES[name]
    errs = errors_of_rulebook(rulebook(items))
    e0211 = [d for d in errs if d.code == "E0211"]
    assert len(e0211) == 1, [d.message for d in errs]
    assert "指标行「绩效指标」" in e0211[0].message and fragment in e0211[0].message
    assert e0211[0].primary is not None and e0211[0].primary.file.name == "rows.jx"
    with pytest.raises(JixiaoError):
        compile_rulebook(rulebook(items), name="rows.jx")


def test_E0211_rows_beside_a_score_rule():
    errs = errors_of_rulebook(rulebook(before="  得分 = 90\n"))
    assert codes(errs) == ["E0211"]
    assert "指标行「绩效指标」与另一得分规则并存" in errs[0].message
    assert errs[0].primary.text().startswith("指标行")


def test_E0211_rows_before_a_score_rule():
    errs = errors_of_rulebook(rulebook(after="  得分 = 90\n"))
    assert codes(errs) == ["E0211"]


def test_E0211_rows_in_an_indicator_with_children():
    errs = errors_of_rulebook(rulebook(before="  指标 子项 90分:\n    得分 = 90\n"))
    e0211 = [d for d in errs if d.code == "E0211"]
    assert len(e0211) == 1
    assert "所在指标不能再有下级指标" in e0211[0].message


def test_duplicate_field_and_duplicate_method_are_E0203():
    errs = errors_of_rulebook(rulebook([FIELDS[0]] + FIELDS))
    assert codes(errs) == ["E0203"] and "「计分方法」" in errs[0].message
    errs = errors_of_rulebook(rulebook(FIELDS + [FIELDS[4]]))
    assert codes(errs) == ["E0203"] and "「越高越好」" in errs[0].message


@pytest.mark.parametrize("expr, name", [
    ("完成比率法(完成率, 年度指标值, 分值)", "完成率"),        # an input of the rulebook
    ("min(基础, 分值)", "基础"),                                # another indicator's score
    ("min(基础.完成率, 分值)", "基础.完成率"),
    ("min(系数 × 分值, 分值)", "系数"),                         # a rulebook-level value
    ("完成比率法(实际完成直, 年度指标值, 分值)", "实际完成直"),  # a misspelt field
])
def test_a_row_method_sees_only_the_rows_fields(expr, name):
    text = rulebook(replace_item(FIELDS[4], f"方法 越高越好 = {expr}"), top="系数 = 1\n")
    errs = errors_of_rulebook(text)
    assert codes(errs) == ["E0201"], [d.message for d in errs]
    assert f"「{name}」" in errs[0].message
    assert errs[0].primary.text() == name


def test_a_misspelt_field_in_a_row_method_gets_a_suggestion():
    text = rulebook(replace_item(FIELDS[4], "方法 越高越好 = 完成比率法(实际完成直, 年度指标值, 分值)"))
    errs = errors_of_rulebook(text)
    assert any("实际完成值" in str(h) for h in errs[0].helps)


def test_E0201_in_a_row_method_says_only_fields_are_visible():
    errs = errors_of_rulebook(rulebook(replace_item(FIELDS[4], "方法 越高越好 = min(基础, 分值)")))
    assert any("字段" in str(n) for n in errs[0].notes + errs[0].helps)


def test_a_field_not_used_by_any_method_is_fine():
    # 文本 fields and fields of other methods are descriptive: no W0201 for unused fields
    res = check_text(rulebook(FIELDS + ['字段 备注: 文本 "说明"']), "rows.jx")
    assert res.ok
    assert not [d for d in res.diagnostics if d.code == "W0201" and "备注" in d.message]


def test_the_stdlib_rulebook_checks_clean():
    res = check_text(RULEBOOK.read_text(encoding="utf-8"), str(RULEBOOK))
    assert res.ok
    assert not [d for d in res.diagnostics if d.severity == "warning"]


# ════════════════════════════════════════════════════════════════════════
# 7. The Python API: evaluate(inputs, rows={...})
# ════════════════════════════════════════════════════════════════════════

NESTED = '''规则集 "嵌套的指标行"
满分 100
精度 0.01

引用 "计分方法.jx"

一级指标 产出 100分:
  二级指标 绩效指标 90分:
    指标行:
      字段 计分方法: 等级(越高越好, 定性)
      字段 年度指标值: 数值 > 0
      字段 实际完成值: 数值 ≥ 0
      字段 完成情况: 等级(达成, 部分达成, 未达成)
      字段 得分比例: 比率
      字段 分值: 分数 > 0
      方法 越高越好 = 完成比率法(实际完成值, 年度指标值, 分值)
      方法 定性 = 定性三档(完成情况, 得分比例, 分值)
  二级指标 其他 10分:
    输入 完成率: 比率
    得分 = 完成比率法(完成率, 100%, 10)

等级:
  优: 总分 ≥ 90
  良: 否则
'''
ROW_A = {"名称": "A", "计分方法": "越高越好", "年度指标值": "100%", "实际完成值": "90%", "分值": 90}
BUDGET = {"年初预算数": 2406.98, "全年执行数": 2318.14}


@pytest.fixture(scope="module")
def nested():
    return compile_rulebook(NESTED, name="nested.jx")


def test_plain_dict_rows_keyed_by_name(rb):
    result = rb.evaluate(BUDGET, rows={"绩效指标": [dict(ROW_A)]})
    assert result.score(("绩效指标", "A")) == 81          # 90% × 90
    assert result.score("绩效指标") == 81
    assert result.total == 9 + 81 and result.grade == "优"
    a = result.indicator("A")
    assert a.level == "row" and a.points == 90 and a.claimed is None
    assert a.row["计分方法"] == "越高越好" and "名称" not in a.row


@pytest.mark.parametrize("key", ["绩效指标", "产出/绩效指标"])
def test_plain_dict_rows_keyed_by_name_or_path(nested, key):
    result = nested.evaluate({"完成率": 1}, rows={key: [dict(ROW_A)]})
    assert result.indicator("A").path == ("产出", "绩效指标", "A")
    assert result.score("A") == 81 and result.score("绩效指标") == 81
    assert result.score("产出") == 91 and result.total == 91


def test_rows_given_as_Row_objects(nested):
    rows = [Row("甲", {"计分方法": "定性", "完成情况": "达成", "得分比例": Decimal("0.9"), "分值": Decimal(50)}),
            Row("乙", {"计分方法": "越高越好", "年度指标值": 1, "实际完成值": Decimal("0.5"), "分值": 40}, Decimal(20))]
    result = nested.evaluate({"完成率": Decimal("0.5")}, rows={"产出/绩效指标": rows})
    assert result.score("甲") == 45 and result.score("乙") == 20
    assert result.indicator("乙").claimed == 20 and not result.indicator("乙").differs
    assert result.total == 45 + 20 + 5


def test_dict_rows_claimed_score_and_default_titles(nested):
    rows = [{"计分方法": "定性", "完成情况": "部分达成", "得分比例": "70%", "分值": 45, "自评得分": 40},
            {"计分方法": "越高越好", "年度指标值": 2, "实际完成值": 1, "分值": 45}]
    result = nested.evaluate({"完成率": 1}, rows={"绩效指标": rows})
    assert [r.path[-1] for r in result.indicators if r.level == "row"] == ["1", "2"]
    one = result.indicator(("绩效指标", "1"))
    assert one.score == Decimal("31.5") and one.claimed == 40 and one.differs
    assert result.score(("绩效指标", "2")) == Decimal("22.5")
    d = result.to_dict()
    row = next(r for r in d["indicators"] if r["path"] == ["产出", "绩效指标", "1"])
    assert row["level"] == "row" and row["claimed"] == "40" and row["score"] == "31.5"


def test_rows_and_order_in_the_result(nested):
    result = nested.evaluate({"完成率": 1}, rows={"绩效指标": [dict(ROW_A)]})
    assert [r.path for r in result.indicators] == [
        ("产出",), ("产出", "绩效指标"), ("产出", "绩效指标", "A"), ("产出", "其他")]


def test_api_without_rows_for_a_rows_rulebook(rb, nested):
    diags = diagnostics_of(rb.evaluate, BUDGET)
    assert codes(diags) == ["E0609"] and "案例没有给出指标行" in diags[0].message
    diags = diagnostics_of(nested.evaluate, {"完成率": 1}, rows={"其他": [dict(ROW_A)]})
    assert codes(diags) == ["E0605"] and "其他" in diags[0].message      # rows for no such indicator


def test_api_rows_that_do_not_add_up(nested):
    diags = diagnostics_of(nested.evaluate, {"完成率": 1}, rows={"绩效指标": [dict(ROW_A, 分值=80)]})
    assert codes(diags) == ["E0610"]
    assert "合计80分" in diags[0].message and "A 80分" in render_text(diags)


def test_api_bad_values_in_dict_rows(nested):
    diags = diagnostics_of(nested.evaluate, {"完成率": 1}, rows={"绩效指标": [dict(ROW_A, 实际完成值="九成")]})
    assert codes(diags) == ["E0609"]
    assert_names_row(diags[0], "A", part="产出/绩效指标")
    assert "九成" in diags[0].message
    diags = diagnostics_of(nested.evaluate, {"完成率": 1}, rows={"绩效指标": [dict(ROW_A, 计分方法="越多越好")]})
    assert codes(diags) == ["E0609"] and "越多越好" in diags[0].message


def test_api_a_row_that_is_not_a_mapping(nested):
    diags = diagnostics_of(nested.evaluate, {"完成率": 1}, rows={"绩效指标": [5]})
    bad = [d for d in diags if d.code == "E0609"]
    assert len(bad) == 1 and "不是字段映射" in bad[0].message and "「1」" in bad[0].message


def test_api_a_row_that_is_not_a_mapping_is_the_only_error(nested):
    diags = diagnostics_of(nested.evaluate, {"完成率": 1}, rows={"绩效指标": [5]})
    assert codes(diags) == ["E0609"]


def test_api_evaluations_are_independent(nested):
    # the rows of one evaluation do not leak into the next
    r1 = nested.evaluate({"完成率": 1}, rows={"绩效指标": [dict(ROW_A)]})
    r2 = nested.evaluate({"完成率": 1}, rows={"绩效指标": [dict(ROW_A, 名称="B", 实际完成值="50%")]})
    assert r1.score("A") == 81 and r2.score("B") == 45
    with pytest.raises(KeyError):
        r2.indicator("A")


# ════════════════════════════════════════════════════════════════════════
# 8. .jxt suites with rows
# ════════════════════════════════════════════════════════════════════════

SUITE = '''测试 "附件3 指标行"
规则集 "部门整体支出自评.jx"
基于 "self-evaluation.jxc"

案例 "基准":
  预期:
    绩效指标.满意度 = 11
    满意度 = 11
    绩效指标.安置帮教对象无重新犯罪发生 = 10
    绩效指标 = 89
    总分 = 98
    等级 = 优

案例 "换掉指标行":
  指标行 绩效指标:
    行 "满意度":
      计分方法 = 越高越好
      年度指标值 = 100%
      实际完成值 = 98%
      分值 = 80
    行 "其他":
      计分方法 = 定性
      完成情况 = 部分达成
      得分比例 = 70%
      分值 = 10
  预期:
    绩效指标.满意度 = 78
    绩效指标.其他 = 7
    绩效指标 = 85
    总分 = 94

案例 "只改输入，沿用基准的指标行":
  全年执行数 = 2406.98万元
  预期:
    预算执行率 = 10
    绩效指标.满意度 = 11
    总分 = 99
'''


@pytest.fixture
def suite_dir(tmp_path):
    shutil.copy(RULEBOOK, tmp_path / RULEBOOK.name)
    shutil.copy(CASE, tmp_path / CASE.name)
    return tmp_path


def run(path):
    return testing.run_suite(testing.load_suite(path))


def test_suite_with_rows_passes(suite_dir):
    path = suite_dir / "rows.jxt"
    path.write_text(SUITE, encoding="utf-8")
    outcomes = run(path)
    assert [o.title for o in outcomes] == ["基准", "换掉指标行", "只改输入，沿用基准的指标行"]
    for o in outcomes:
        assert o.passed, testing.format_outcome(o)
    res = CliRunner().invoke(main, ["test", str(path)])
    assert res.exit_code == 0, res.output
    assert "3 passed, 0 failed" in res.stdout


def test_suite_wrong_expectation_of_a_row_fails_naming_the_row(suite_dir):
    path = suite_dir / "wrong.jxt"
    path.write_text(SUITE.split('\n案例 "换掉指标行"')[0].replace("绩效指标.满意度 = 11", "绩效指标.满意度 = 12"),
                    encoding="utf-8")
    [o] = run(path)
    assert not o.passed and not o.errors
    [m] = o.mismatches
    assert m.what == "绩效指标/满意度" and m.expected == "12" and m.actual == "11"
    assert m.line == line_of(path.read_text(encoding="utf-8"), "绩效指标.满意度 = 12")
    text = testing.format_outcome(o)
    assert "✗" in text and "绩效指标/满意度: 预期 / expected 12，实际 / actual 11" in text
    res = CliRunner().invoke(main, ["test", str(path)])
    assert res.exit_code == 1 and "0 passed, 1 failed" in res.stdout


def test_suite_replaced_rows_drop_the_base_rows(suite_dir):
    path = suite_dir / "replace.jxt"
    path.write_text(SUITE.replace("    绩效指标.其他 = 7\n", "    绩效指标.其他 = 7\n    绩效指标.政府采购执行率 = 10\n"),
                    encoding="utf-8")
    outcomes = {o.title: o for o in run(path)}
    o = outcomes["换掉指标行"]
    assert not o.passed and not o.mismatches
    assert codes(o.errors) == ["E0605"] and "绩效指标.政府采购执行率" in o.errors[0].message
    assert outcomes["基准"].passed


def test_suite_case_whose_rows_do_not_add_up_reports_E0610(suite_dir):
    path = suite_dir / "sum.jxt"
    path.write_text(SUITE.replace("      分值 = 80\n", "      分值 = 85\n"), encoding="utf-8")
    o = {o.title: o for o in run(path)}["换掉指标行"]
    assert not o.passed
    assert codes(o.errors) == ["E0610"] and "合计95分" in o.errors[0].message


def test_suite_case_with_a_bad_row_reports_E0609(suite_dir):
    path = suite_dir / "bad.jxt"
    path.write_text(SUITE.replace("      完成情况 = 部分达成\n", ""), encoding="utf-8")
    o = {o.title: o for o in run(path)}["换掉指标行"]
    assert codes(o.errors) == ["E0609"]
    assert "「其他」" in o.errors[0].message and "「完成情况」" in o.errors[0].message


def test_properties_find_a_row_method_that_leaves_the_rows_points(tmp_path):
    """jixiao test --properties draws each row method's fields and the row's 分值 and
    reports a score outside [0, 分值] with the values."""
    from jixiao.compiler.verify.properties import run_properties
    from jixiao.dsl.check import check_text as dsl_check
    text = (ROOT / "tests" / "golden" / "checks" / "E0212-row-method-uncapped.jx").read_text(encoding="utf-8")
    report = run_properties(dsl_check(text, "r.jx"), 60)
    assert [f.prop for f in report.failures] == ["行得分范围 / row score bounds"]
    f = report.failures[0]
    assert f.inputs["实际完成值"] > f.inputs["年度指标值"]
    ok = (ROOT / "tests" / "golden" / "checks" / "E0212-row-method-uncapped.ok.jx").read_text(encoding="utf-8")
    assert run_properties(dsl_check(ok, "r.jx"), 60).failures == []


def test_rows_for_an_unknown_indicator_are_refused():
    """rows= keyed by something that is no 指标行 indicator is an error (E0605), never ignored."""
    rb = compile_rulebook(path=ROOT / "stdlib_indicators" / "部门整体支出自评.jx")
    good = [{"名称": "甲", "计分方法": "越高越好", "年度指标值": "100%", "实际完成值": "100%", "分值": 90}]
    with pytest.raises(JixiaoError) as e:
        rb.evaluate({"年初预算数": 1, "全年执行数": 1}, rows={"绩效指标": good, "绩效指票": good})
    assert [d.code for d in e.value.diagnostics] == ["E0605"]
    assert "绩效指票" in e.value.diagnostics[0].message


ALLOC_RULEBOOK = '''规则集 "分配"
满分 90
引用 "计分方法.jx"

一级指标 绩效指标 90分:
  指标行:
    字段 一级指标: 文本
    字段 计分方法: 等级(越高越好)
    字段 年度指标值: 数值 > 0
    字段 实际完成值: 数值 ≥ 0
    字段 分值: 分数 > 0
    分值分配 一级指标: 产出指标 50分、效益指标 30分、满意度指标 10分
    方法 越高越好 = 完成比率法(实际完成值, 年度指标值, 分值)

等级:
  合格: 总分 ≥ 54
  不合格: 总分 < 54
'''


def _alloc_rows(*shares):
    return [{"名称": f"行{i}", "一级指标": level, "计分方法": "越高越好", "年度指标值": "1", "实际完成值": "1", "分值": pts}
            for i, (level, pts) in enumerate(shares)]


def test_allocation_by_a_field_holds():
    """分值分配 一级指标: 产出指标 50分、效益指标 30分、满意度指标 10分 — the national
    项目支出自评表's split: rows sharing out each level's points are accepted."""
    rb = compile_rulebook(ALLOC_RULEBOOK, name="alloc.jx")
    res = rb.evaluate({}, rows={"绩效指标": _alloc_rows(("产出指标", 25), ("产出指标", 25), ("效益指标", 30), ("满意度指标", 10))})
    assert res.total == 90


def test_allocation_violations_name_the_value_rows_and_sums():
    rb = compile_rulebook(ALLOC_RULEBOOK, name="alloc.jx")
    with pytest.raises(JixiaoError) as e:
        rb.evaluate({}, rows={"绩效指标": _alloc_rows(("产出指标", 45), ("效益指标", 35), ("满意度指标", 10))})
    diags = e.value.diagnostics
    assert [d.code for d in diags] == ["E0611", "E0611"]
    assert "一级指标为「产出指标」的各行分值合计45分，应为50分" in diags[0].message
    assert "一级指标为「效益指标」的各行分值合计35分，应为30分" in diags[1].message
    assert "行0 45分" in str(diags[0].notes[0])
    # a row whose level is none of those allocated
    with pytest.raises(JixiaoError) as e:
        rb.evaluate({}, rows={"绩效指标": _alloc_rows(("产出指标", 50), ("效益指标", 30), ("成本指标", 10))})
    assert [d.code for d in e.value.diagnostics] == ["E0609", "E0611"]
    assert "「一级指标」为成本指标，不在分值分配（产出指标、效益指标、满意度指标）之中" in e.value.diagnostics[0].message


@pytest.mark.parametrize("line,reason", [
    ("    分值分配 一级指标: 产出指标 50分、效益指标 30分、满意度指标 5分", "的分值分配合计85分，不等于其分值90分"),
    ("    分值分配 年度指标值: 产出指标 50分、效益指标 30分、满意度指标 10分", "的分值分配须按文本或等级字段"),
])
def test_allocation_checked_in_the_rulebook(line, reason):
    text = ALLOC_RULEBOOK.replace("    分值分配 一级指标: 产出指标 50分、效益指标 30分、满意度指标 10分", line)
    diags = check_text(text, "alloc.jx").diagnostics
    assert any(d.code == "E0211" and reason in d.message for d in diags), [d.message for d in diags]
