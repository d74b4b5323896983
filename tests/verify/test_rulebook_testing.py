"""`jixiao test` (suites and --properties) and the pytest plugin, on copies of the shipped suite."""
import re
import shutil
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from jixiao.compiler.cli import main

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "stdlib_indicators" / "tests" / "部门整体支出.jxt"
RULEBOOK = ROOT / "stdlib_indicators" / "部门整体支出.jx"


def copy_suite(tmp_path, edit=None):
    """The shipped rulebook, base case and suite, laid out as in the repository (a project:
    jixiao.toml at its top, so the suite may name files up to there)."""
    (tmp_path / "jixiao.toml").write_text("", encoding="utf-8")
    (tmp_path / "stdlib_indicators" / "tests").mkdir(parents=True)
    (tmp_path / "examples").mkdir()
    shutil.copy(RULEBOOK, tmp_path / "stdlib_indicators" / RULEBOOK.name)
    shutil.copytree(ROOT / "examples" / "chenxi-2021", tmp_path / "examples" / "chenxi-2021")
    text = SUITE.read_text(encoding="utf-8")
    if edit:
        text = edit(text)
    path = tmp_path / "stdlib_indicators" / "tests" / SUITE.name
    path.write_text(text, encoding="utf-8")
    return path


def change_first(text, pattern, repl):
    new, n = re.subn(pattern, repl, text, count=1, flags=re.M)
    assert n == 1
    return new


def test_shipped_suite_passes():
    res = CliRunner().invoke(main, ["test", "-q", str(SUITE)])
    assert res.exit_code == 0, res.output
    passed = int(re.search(r"(\d+) passed, 0 failed", res.output).group(1))
    assert passed >= 100


def test_changed_expectation_fails_with_indicator_expected_actual(tmp_path):
    path = copy_suite(tmp_path, lambda t: change_first(t, r"^(\s+财政供养人员控制率 = )2\.9$", r"\g<1>2.8"))
    res = CliRunner().invoke(main, ["test", "-q", str(path)])
    assert res.exit_code == 1
    assert re.search(r"财政供养人员控制率: 预期 / expected 2\.8，实际 / actual 2\.9", res.output), res.output
    assert "超编人数 = 1" in res.output          # the trace of the failing indicator
    assert re.search(r"\d+ passed, 1 failed", res.output)


def test_pytest_plugin_collects_and_reports(tmp_path):
    path = copy_suite(tmp_path, lambda t: change_first(t, r"^(\s+财政供养人员控制率 = )2\.9$", r"\g<1>2.8"))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", str(path)],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "1 failed" in proc.stdout
    assert "财政供养人员控制率: 预期 / expected 2.8，实际 / actual 2.9" in proc.stdout


def test_properties_pass_on_shipped_rulebook():
    res = CliRunner().invoke(main, ["test", "--properties", "--examples", "100", str(RULEBOOK)])
    assert res.exit_code == 0, res.output
    assert "1 passed, 0 failed" in res.output


def test_properties_find_a_missing_floor(tmp_path):
    text = RULEBOOK.read_text(encoding="utf-8")
    # 违规率 scores by 整步扣分, whose 扣完为止 is in the library: write the same rule out by
    # hand without it (the rule 整步扣分(违规资金占比 - 0%, 0.1个百分点, 0.1, 2) expands to)
    rule = "得分 = 整步扣分(违规资金占比 - 0%, 0.1个百分点, 0.1, 2)"
    assert rule in text
    unfloored = "得分 = 2 - 向上取整(max(违规资金占比 - 0%, 0) / 0.1个百分点) × 0.1"
    broken = tmp_path / "部门整体支出.jx"
    broken.write_text(text.replace(rule, unfloored), encoding="utf-8")
    res = CliRunner().invoke(main, ["test", "--properties", "--examples", "100", str(broken)])
    assert res.exit_code == 1
    assert "「违规率」的得分" in res.output and "超出 [0, 2]" in res.output
    assert "反例 / counterexample:" in res.output and "违规资金额 =" in res.output


def test_expected_error_passes_only_when_the_case_is_refused_with_that_code(tmp_path):
    """预期: 错误 = E0610 — the case must be refused with that code; a case that scores, or
    fails with another code, is a failed expectation naming what happened."""
    import shutil
    from jixiao.compiler.verify import suites as testing
    root = Path(__file__).resolve().parents[2]
    shutil.copy(root / "stdlib_indicators" / "部门整体支出自评.jx", tmp_path / "r.jx")
    shutil.copy(root / "examples" / "chenxi-2021" / "self-evaluation.jxc", tmp_path / "c.jxc")
    (tmp_path / "t.jxt").write_text(
        '测试 "错误"\n规则集 "r.jx"\n基于 "c.jxc"\n\n'
        '案例 "不会报错":\n  预期:\n    错误 = E0610\n\n'
        '案例 "执行数不是金额":\n  全年执行数 = 是\n  预期:\n    错误 = E0610\n\n'
        '案例 "执行数不是金额，预期 E0602":\n  全年执行数 = 是\n  预期:\n    错误 = E0602\n', encoding="utf-8")
    outcomes = testing.run_suite(testing.load_suite(tmp_path / "t.jxt"))
    assert [o.passed for o in outcomes] == [False, False, True]
    assert outcomes[0].mismatches[0].actual.startswith("没有错误")
    assert "E0602" in outcomes[1].mismatches[0].actual


def test_properties_over_the_stdlib_folder_skip_the_library():
    """`jixiao test --properties stdlib_indicators/`: every rulebook passes; the 方法库 is
    named and skipped (its methods are checked in the rulebooks that call them)."""
    root = Path(__file__).resolve().parents[2]
    res = CliRunner().invoke(main, ["test", "--properties", str(root / "stdlib_indicators"), "--examples", "20"])
    assert res.exit_code == 0, res.output
    assert "计分方法.jx（方法库，跳过" in res.output
    rulebooks = [p for p in (root / "stdlib_indicators").rglob("*.jx") if p.name != "计分方法.jx"]
    assert f"{len(rulebooks)} passed, 0 failed" in res.output


def test_properties_leave_no_hypothesis_folder_and_stop_at_the_first_counterexample(tmp_path):
    """`jixiao test --properties` in a rulebook repository: no `.hypothesis/` left in the
    working folder, and a failing rulebook is reported at its first counterexample
    (no shrinking: it took 100 s on a failing rulebook)."""
    src = ROOT / "tests" / "golden" / "checks" / "E0501-no-floor-zero.jx"
    (tmp_path / "r.jx").write_text(src.read_text(encoding="utf-8"), encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "jixiao.compiler.cli", "test", "--properties", "r.jx",
                           "--examples", "5000"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1 and "得分范围 / score bounds" in proc.stdout
    assert not (tmp_path / ".hypothesis").exists()


# ───────────── issue 13: grading with vetoes, bonus and integer totals ─────────────

BAND_WITH_INPUT = ROOT / "tests" / "golden" / "checks" / "E0523-band-mentions-input.jx"


def test_properties_band_mentioning_an_input_has_no_name_error(tmp_path):
    """`jixiao test --properties` on a band that reads an input used to crash with
    NameError: name 'i_0' is not defined (grade_of ran the band without the inputs)."""
    res = CliRunner().invoke(main, ["test", "--properties", "--examples", "50", str(BAND_WITH_INPUT)], catch_exceptions=True)
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert "NameError" not in res.output and "Traceback" not in res.output
    # a real finding instead: 100 with 存在重大违规 is in no band
    assert "总分 100 不属于任何等级" in res.output


def test_properties_with_vetoes_bonus_and_integer_grading_pass():
    res = CliRunner().invoke(main, ["test", "--properties", "--examples", "200",
                                    str(ROOT / "stdlib_indicators" / "专项资金绩效评价.jx"),
                                    str(ROOT / "tests" / "golden" / "checks" / "E0523-band-mentions-input.ok.jx"),
                                    str(ROOT / "tests" / "golden" / "checks" / "E0502-gap-with-bonus.ok.jx")])
    assert res.exit_code == 0, res.output
    assert "3 passed, 0 failed" in res.output


def test_properties_find_a_veto_applied_the_wrong_way(monkeypatch):
    """The property reference applies each held veto itself: a grade that does not follow
    (here the generated code made to ignore 最高) is a failure."""
    from jixiao.compiler.api import check_file
    from jixiao.compiler.backend import codegen
    from jixiao.compiler.verify import properties as P
    real = codegen.Gen._vetoes

    def wrong(self, trace):
        return [line.replace("if GRADES.index(grade) < 1 else grade", "if False else grade") for line in real(self, trace)]
    monkeypatch.setattr(codegen.Gen, "_vetoes", wrong)
    report = P.run_properties(check_file(ROOT / "tests" / "golden" / "checks" / "E0523-band-mentions-input.ok.jx"), examples=200)
    assert [f.prop for f in report.failures] == ["等级 / grade"]
