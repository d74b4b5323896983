"""`# jixiao: 忽略 CODE 原因`: a warning or info suppressed for a line or a file, with its
reason; listed in --format json; errors cannot be suppressed; stale directives reported."""
import json

from conftest import run_cli

RULEBOOK = '''规则集 "t"
满分 2

输入 x: 是否
输入 y: 是否     # jixiao: 忽略 W0201 留作下一年度使用
# jixiao: 忽略 W0201 以后再用
输入 z: 是否
输入 w: 是否

一级指标 甲 2分:
  指标 乙 1分:
    得分 = 如果 x 则 1 否则 0
  指标 丙 1分:
    得分 = 如果 x 则 1 否则 0

等级:
  好: 1 ≤ 总分 ≤ 2
  差: 0 ≤ 总分 < 1
'''


def check(tmp_path, text, *args):
    path = tmp_path / "r.jx"
    path.write_text(text, encoding="utf-8")
    return run_cli(["check", *args, "r.jx"], tmp_path)


def test_a_directive_suppresses_its_line_or_the_next_line(tmp_path):
    res = check(tmp_path, RULEBOOK, "--format", "concise", "--strict")
    assert res.stdout.count("W0201") == 1 and "`w`" in res.stdout          # only w is left
    assert "2 条已忽略 / " in res.stderr and res.exit_code == 1             # w still fails --strict


def test_suppressed_diagnostics_are_listed_in_json_with_their_reason(tmp_path):
    rows = json.loads(check(tmp_path, RULEBOOK, "--format", "json").stdout)
    gone = [r for r in rows if "suppressed" in r]
    assert [(r["message"].split("」")[0][-1], r["suppressed"]["reason"]) for r in gone] == \
        [("y", "留作下一年度使用"), ("z", "以后再用")]
    assert all(r["suppressed"]["scope"] == "line" for r in gone)


def test_a_file_directive_and_a_clean_strict_check(tmp_path):
    text = RULEBOOK.replace("输入 w: 是否\n", "输入 w: 是否\n# jixiao: 文件忽略 W0201 本表的输入由系统统一导出\n")
    res = check(tmp_path, text, "--strict")
    assert res.exit_code == 0 and res.stdout == "" and "3 条已忽略" in res.stderr


def test_errors_cannot_be_suppressed_and_stale_directives_are_reported(tmp_path):
    text = RULEBOOK.replace("    得分 = 如果 x 则 1 否则 0\n  指标 丙", "    得分 = 如果 x 则 2 否则 0   # jixiao: 忽略 E0501 原表如此\n  指标 丙")
    text = text.replace("好: 1 ≤ 总分 ≤ 2", "好: 总分 ≥ 1")      # every total graded: the counterexample stands
    out = check(tmp_path, text, "--format", "concise").stdout
    assert "error[E0501]" in out and "不能忽略错误 E0501" in out
    text = RULEBOOK.replace("    得分 = 如果 x 则 1 否则 0\n  指标 丙", "    得分 = 如果 x 则 1 否则 0   # jixiao: ignore W0503 nothing here\n  指标 丙")
    out = check(tmp_path, text, "--format", "concise").stdout
    assert "warning[W0102]" in out and "W0503" in out


def test_the_shipped_rulebook_checks_clean_with_its_three_reasons(cli):
    from pathlib import Path
    root = Path(__file__).resolve().parents[2]
    res = cli(["check", "--strict", "stdlib_indicators/部门整体支出.jx"], root)
    assert res.exit_code == 0 and res.stdout == "" and "3 条已忽略" in res.stderr
