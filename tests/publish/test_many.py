"""jixiao report for many units: a folder of cases to one workbook (a sheet per unit and
汇总) or to a folder (a file per unit and 汇总.xlsx)."""
import shutil
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "stdlib_indicators" / "部门整体支出.jx"


def units(tmp_path) -> Path:
    folder = tmp_path / "units"
    folder.mkdir()
    for name in ("report-figures", "self-assessment"):
        shutil.copy(ROOT / "examples" / "chenxi-2021" / f"{name}.jxc", folder / f"{name}.jxc")
    return folder


def test_one_workbook_a_sheet_per_unit(tmp_path, cli):
    out = tmp_path / "评分表.xlsx"
    res = cli(["report", RULEBOOK, units(tmp_path), "-o", out])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "辰溪县司法局 2021 年部门整体支出（报告数字）", "辰溪县司法局 2021 年部门整体支出（自评复现）"]
    s = wb["汇总"]
    rows = [[c.value for c in r][:5] for r in s.iter_rows(max_row=3)]
    assert rows[0] == ["单位", "总分", "等级", "自评总分", "与自评不一致（项）"]
    assert rows[1][1:] == [85.5, "良好", 93.5, 4] and rows[2][1:] == [93.5, "优秀", 93.5, 0]
    assert s.cell(2, 2).number_format == "0.00" and s.freeze_panes == "B2"
    grades = {s.cell(r, 1).value: s.cell(r, 2).value for r in range(5, 10)}
    assert grades["优秀"] == 1 and grades["良好"] == 1 and grades["中"] == 0
    assert len(s._charts) == 1
    unit = wb["辰溪县司法局 2021 年部门整体支出（报告数字）"]
    assert unit["A1"].value == "部门整体支出绩效评价指标体系评分表"
    assert any(c.value == 85.5 for row in unit.iter_rows() for c in row)


def test_a_file_per_unit_and_the_summary(tmp_path, cli):
    out = tmp_path / "reports"
    res = cli(["report", RULEBOOK, units(tmp_path), "-o", out, "--format", "md", "--evaluator", "县财政局"])
    assert res.exit_code == 0, res.output
    names = sorted(p.name for p in out.iterdir())
    assert names == ["01-辰溪县司法局_2021_年部门整体支出（报告数字）.md", "02-辰溪县司法局_2021_年部门整体支出（自评复现）.md", "汇总.xlsx"]
    text = (out / names[0]).read_text(encoding="utf-8")
    assert "总分85.5分" in text and "评价机构（盖章）：县财政局" in text
    assert openpyxl.load_workbook(out / "汇总.xlsx")["汇总"].cell(3, 2).value == 93.5


def test_many_units_need_a_workbook_or_a_folder(tmp_path, cli):
    res = cli(["report", RULEBOOK, units(tmp_path), "-o", tmp_path / "x.html"])
    assert res.exit_code == 2


def test_a_bad_case_among_many(tmp_path, cli):
    """A case that does not load: listed as jixiao score lists it; stop writes nothing."""
    folder = units(tmp_path)
    (folder / "broken.jxc").write_text('案例 "坏" {\n  在职人员数: 一百\n}\n', encoding="utf-8")
    out = tmp_path / "评分表.xlsx"
    res = cli(["report", RULEBOOK, folder, "-o", out])
    score = cli(["score", RULEBOOK, folder, "-o", tmp_path / "s.csv"])
    errors = [l for l in res.stderr.splitlines() if l.startswith("error: ")]
    assert res.exit_code == 1 and not out.exists() and errors
    assert errors == [l for l in score.stderr.splitlines() if l.startswith("error: ")]
    assert all("broken.jxc" in l for l in errors)
    res = cli(["report", RULEBOOK, folder, "-o", out, "--on-error", "skip"])
    assert res.exit_code == 1 and any(l.startswith("skipped: ") and "broken.jxc" in l for l in res.stderr.splitlines())
    assert openpyxl.load_workbook(out).sheetnames == ["汇总", "辰溪县司法局 2021 年部门整体支出（报告数字）",
                                                      "辰溪县司法局 2021 年部门整体支出（自评复现）"]
