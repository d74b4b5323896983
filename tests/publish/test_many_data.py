"""jixiao report for the units of a data file (CSV, XLSX), read as jixiao score reads it:
each unit's 评分表 in a workbook (a sheet per unit and 汇总) or a file per unit, its scores
those of jixiao score for the same row; bad rows worded as score words them."""
import csv
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.data import indicator_headers
from jixiao.compiler.publish.tables import row_nodes

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "stdlib_indicators" / "部门整体支出.jx"
COHORT = ROOT / "stdlib_indicators" / "部门整体支出绩效评价（同类比较）.jx"


@pytest.fixture(scope="module")
def rb():
    return compile_rulebook(path=RULEBOOK)


def cell(v):
    if isinstance(v, tuple):
        return "、".join("是" if x else "否" for x in v)
    if isinstance(v, bool):
        return "是" if v else "否"
    return str(v)


def data(rb, tmp_path, names, bad=None) -> Path:
    """A CSV of the Chenxi cases' inputs, one row per name (report-figures, self-assessment
    in turn); ``bad``: row index -> {column: cell}."""
    header = ["单位名称"] + [i.name for i in rb.program.inputs]
    cases = [rb.load_case(ROOT / "examples" / "chenxi-2021" / f"{n}.jxc") for n in ("report-figures", "self-assessment")]
    rows = []
    for k, name in enumerate(names):
        row = [name] + [cell(cases[k % 2].inputs[i.name]) for i in rb.program.inputs]
        for col, v in (bad or {}).get(k, {}).items():
            row[header.index(col)] = v
        rows.append(row)
    path = tmp_path / "units.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([header] + rows)
    return path


def scored(cli, rulebook, path, tmp_path, *extra) -> tuple:
    """jixiao score's rows for the same file (by unit name), and its exit and stderr."""
    out = tmp_path / "scores.csv"
    res = cli(["score", rulebook, path, "-o", out, *extra])
    if not out.exists():
        return {}, res
    with open(out, encoding="utf-8-sig", newline="") as f:
        return {r["单位名称"]: r for r in csv.DictReader(f)}, res


def sheet_scores(ws) -> list[tuple[str, Decimal]]:
    """(指标名称, 得分) of each indicator row of a unit's sheet, in order."""
    head = {ws.cell(4, c).value or ws.cell(3, c).value: c for c in range(1, ws.max_column + 1)}
    out = []
    for r in range(5, ws.max_row + 1):
        name = ws.cell(r, head["指标名称"]).value
        if isinstance(name, str) and name.endswith("分）"):
            out.append((name, Decimal(str(ws.cell(r, head["得分"]).value))))
    return out


def test_a_workbook_of_the_rows_scores_as_jixiao_score(rb, tmp_path, cli):
    path = data(rb, tmp_path, ["辰溪县司法局", "辰溪县司法局（自评）"])
    out = tmp_path / "评分表.xlsx"
    res = cli(["report", RULEBOOK, path, "-o", out])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "辰溪县司法局", "辰溪县司法局（自评）"]
    want, res2 = scored(cli, RULEBOOK, path, tmp_path)
    assert res2.exit_code == 0
    s = wb["汇总"]
    summary = {s.cell(r, 1).value: (s.cell(r, 2).value, s.cell(r, 3).value) for r in (2, 3)}
    assert summary == {n: (float(w["总分"]), w["等级"]) for n, w in want.items()}
    assert summary["辰溪县司法局"] == (85.5, "良好") and summary["辰溪县司法局（自评）"] == (94.5, "优秀")
    # every indicator row's score is jixiao score's for that indicator of the same row
    headers = dict(zip((n.path for n in sorted(rb.program.walk(), key=lambda n: n.index)), indicator_headers(rb)))
    rows = [n for (_l1, _l2, n) in row_nodes(rb.program)]
    for unit in ("辰溪县司法局", "辰溪县司法局（自评）"):
        got = sheet_scores(wb[unit])
        assert len(got) == len(rows) == 33
        assert [g[1] for g in got] == [Decimal(want[unit][headers[n.path]]) for n in rows], unit
        assert all(g[0].startswith(n.name) for n, g in zip(rows, got))
    # the 评分依据 of the unit's row, in words: 财政供养人员控制率 of the report figures
    ws = wb["辰溪县司法局"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any("超编32人" in t and "扣3.2分" in t for t in texts)
    assert any(t.startswith("评价结论：经评价，辰溪县司法局总分85.5分") for t in texts)


def test_a_file_per_unit_named_by_its_id(rb, tmp_path, cli):
    path = data(rb, tmp_path, ["司法局/报告数字", "司法局", "司法局", "CON"])
    xlsx = tmp_path / "units.xlsx"                      # the same rows as a workbook
    wb = openpyxl.Workbook()
    with open(path, encoding="utf-8", newline="") as f:
        for row in csv.reader(f):
            wb.active.append(row)
    wb.save(xlsx)
    out = tmp_path / "报告"
    res = cli(["report", RULEBOOK, xlsx, "-o", out, "--format", "md"])
    assert res.exit_code == 0, res.output
    assert sorted(p.name for p in out.iterdir()) == ["_CON.md", "司法局.md", "司法局_报告数字.md", "司法局（2）.md", "汇总.xlsx"]
    assert "总分85.5分" in (out / "司法局_报告数字.md").read_text(encoding="utf-8")
    assert "总分94.5分" in (out / "司法局.md").read_text(encoding="utf-8")
    s = openpyxl.load_workbook(out / "汇总.xlsx")["汇总"]
    assert [s.cell(r, 1).value for r in range(2, 6)] == ["司法局/报告数字", "司法局", "司法局", "CON"]
    assert [s.cell(r, 2).value for r in range(2, 6)] == [85.5, 94.5, 85.5, 94.5]


def test_bad_rows_as_jixiao_score_reports_them(rb, tmp_path, cli):
    path = data(rb, tmp_path, ["甲", "乙", "丙"], bad={1: {"在职人员数": "一百二十一"}})
    out = tmp_path / "评分表.xlsx"
    # stop (the default): the row's diagnostic, nothing written, exit 1
    res = cli(["report", RULEBOOK, path, "-o", out])
    _want, sres = scored(cli, RULEBOOK, path, tmp_path)
    assert res.exit_code == 1 and sres.exit_code == 1 and not out.exists()
    lines = [l for l in res.stderr.splitlines() if l.startswith("error: ")]
    assert lines == [l for l in sres.stderr.splitlines() if l.startswith("error: ")]
    assert len(lines) == 1 and re.search(r"第3行，列「在职人员数」：.*一百二十一", lines[0])
    # skip: the other units reported, the bad row listed, exit 1
    res = cli(["report", RULEBOOK, path, "-o", out, "--on-error", "skip"])
    want, sres = scored(cli, RULEBOOK, path, tmp_path, "--on-error", "skip")
    assert res.exit_code == 1 and sres.exit_code == 1
    skipped = [l for l in res.stderr.splitlines() if l.startswith("skipped: ")]
    assert skipped == [l for l in sres.stderr.splitlines() if l.startswith("skipped: ")] and len(skipped) == 1
    assert "1 行有错被跳过" in res.stderr
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "甲", "丙"] and sorted(want) == ["丙", "甲"]


def test_a_cohort_rulebook_scores_the_rows_together(tmp_path, cli):
    """同类比较: statistics over the file's units and the 优秀 quota, as jixiao score gives them."""
    lines = (ROOT / "examples" / "cohort-2024" / "参评单位.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "参评单位.csv"
    path.write_text("\n".join(lines[:11]) + "\n", encoding="utf-8")        # 10 units
    out = tmp_path / "评分表.xlsx"
    res = cli(["report", COHORT, path, "-o", out])
    assert res.exit_code == 0, res.output
    want, sres = scored(cli, COHORT, path, tmp_path, "-j", "1")      # in one process, as the report scores it
    assert sres.exit_code == 0 and len(want) == 10
    wb = openpyxl.load_workbook(out)
    s = wb["汇总"]
    got = {s.cell(r, 1).value: (Decimal(str(s.cell(r, 2).value)), s.cell(r, 3).value) for r in range(2, 12)}
    assert got == {n: (Decimal(w["总分"]), w["等级"]) for n, w in want.items()}
    moved = [n for n, w in want.items() if w.get("等级说明") or "名额" in "".join(w.values())]
    assert moved                                     # the quota moved some unit down
    for n in moved:
        texts = [c.value for row in wb[n].iter_rows() for c in row if isinstance(c.value, str)]
        assert any("名额" in t and f"评为{want[n]['等级']}" in t for t in texts), n
    # the unit against its cohort, as jixiao explain --unit words it
    unit = moved[0]
    said = [l for l in cli(["explain", COHORT, path, "--unit", unit]).stdout.splitlines() if l.startswith("参评比较：")]
    texts = [c.value for row in wb[unit].iter_rows() for c in row if isinstance(c.value, str)]
    assert said and [t for t in texts if t.startswith("参评比较：")] == said


def test_the_rows_a_record_gives(tmp_path, cli):
    """指标行 in a CSV cell (JSON text): the unit's sheet lists them under 绩效指标 as the
    case's own report does."""
    import json
    rulebook = ROOT / "stdlib_indicators" / "部门整体支出自评.jx"
    rb = compile_rulebook(path=rulebook)
    case = rb.load_case(ROOT / "examples" / "chenxi-2021" / "self-evaluation.jxc")
    plain = lambda v: str(v) if isinstance(v, Decimal) else v
    rows = [{"名称": r.title, **{k: plain(v) for k, v in r.fields.items()}, "自评得分": plain(r.claimed)}
            for r in case.rows["绩效指标"]]
    names = list(case.inputs)
    path = tmp_path / "units.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([["单位名称", *names, "指标行"],
                                 ["附件3", *(plain(case.inputs[n]) for n in names),
                                  json.dumps({"绩效指标": rows}, ensure_ascii=False)]])
    res = cli(["report", rulebook, path, "-o", tmp_path / "评分表.xlsx"])
    assert res.exit_code == 0, res.output
    one = tmp_path / "one.xlsx"
    assert cli(["report", rulebook, ROOT / "examples" / "chenxi-2021" / "self-evaluation.jxc", "-o", one]).exit_code == 0
    got = sheet_scores(openpyxl.load_workbook(tmp_path / "评分表.xlsx")["附件3"])
    assert got == sheet_scores(openpyxl.load_workbook(one).active)
    assert len(got) == len(rows) + 2 and got[1] == ("各行合计（90分）", Decimal(89)) and got[-1] == ("满意度（12分）", Decimal(11))
    want, _res = scored(cli, rulebook, path, tmp_path)
    assert Decimal(want["附件3"]["总分"]) == Decimal(98)


def test_a_file_without_an_input_column(rb, tmp_path, cli):
    path = data(rb, tmp_path, ["甲"])
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(l.replace("在职人员数", "实有人数", 1) for l in lines) + "\n", encoding="utf-8")
    res = cli(["report", RULEBOOK, path, "-o", tmp_path / "评分表.xlsx"])
    _w, sres = scored(cli, RULEBOOK, path, tmp_path)
    assert res.exit_code == sres.exit_code == 1 and res.stderr == sres.stderr
    assert "在职人员数" in res.stderr and "--mapping" in res.stderr and not (tmp_path / "评分表.xlsx").exists()
    mapping = tmp_path / "map.csv"
    mapping.write_text("实有人数,在职人员数\n", encoding="utf-8")
    res = cli(["report", RULEBOOK, path, "-o", tmp_path / "评分表.xlsx", "--mapping", mapping])
    assert res.exit_code == 0, res.stderr
    assert openpyxl.load_workbook(tmp_path / "评分表.xlsx")["汇总"].cell(2, 2).value == 85.5


def test_unit_names_made_safe_and_unique():
    from jixiao.compiler.publish.many import _file_name, _sheet_name
    taken: set = set()
    long = "某某县" * 60 + "局"
    names = [_file_name(n, ".xlsx", taken) for n in ("Abc", "abc", long, long, "a\x00b\tc", "..隐藏", "nul.txt", "")]
    assert names[:2] == ["Abc.xlsx", "abc（2）.xlsx"]                      # unique without case
    assert all(len(n.encode("utf-8")) <= 150 for n in names) and names[3].endswith("（2）.xlsx") and names[2] != names[3]
    assert names[4:] == ["a_b_c.xlsx", "隐藏.xlsx", "_nul.txt.xlsx", "单位.xlsx"]
    sheets: set = {"汇总"}
    got = [_sheet_name(n, sheets) for n in ("汇总", "a[1]:b", long, long)]
    assert got[:2] == ["汇总（2）", "a_1__b"] and all(len(s) <= 31 for s in got) and got[2] != got[3]
