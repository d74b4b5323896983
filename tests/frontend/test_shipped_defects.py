"""Issue 13: a literal defect written into a copy of a shipped rulebook gives its diagnostic.

Each case copies one of the new 评分表 (with the method library it imports) into a
scratch folder, makes one edit a policy officer could make by mistake, and runs
``jixiao check --strict`` there; the whole output is a golden (tests/golden/defects/).
The unedited copy is clean, so the diagnostic is the edit's.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STD = ROOT / "stdlib_indicators"
GOLDEN = ROOT / "tests" / "golden" / "defects"

DEFECTS = {
    # a penalty item whose header lost its 最多 (its points are then a bound to prove, not a cap): each problem found deducts 1 without end
    "penalty-no-cap": ("专项资金绩效评价.jx",
                       "扣分项 监督检查问题 最多 10分:", "扣分项 监督检查问题 10分:", "E0501"),
    # a band narrowed so that 88 < 总分 < 89 has no grade; the veto block below the bands does not fill it
    "gap-under-veto": ("专项资金绩效评价.jx",
                       "  良: 80 ≤ 总分 ≤ 89", "  良: 80 ≤ 总分 ≤ 88", "E0502"),
    # the cross-check reads 参训新进人员数 (given only when 有新进人员) without asking first
    "conditional-input-unguarded": ("部门整体支出评价（含评定）.jx",
                                    "核对 如果 有新进人员 则 参训新进人员数 ≤ 新进人员数 否则 是",
                                    "核对 参训新进人员数 ≤ 新进人员数", "E0524"),
}


def _copy(tmp_path: Path, name: str) -> Path:
    shutil.copy(STD / "计分方法.jx", tmp_path / "计分方法.jx")
    return Path(shutil.copy(STD / name, tmp_path / name))


@pytest.mark.parametrize("defect", sorted(DEFECTS))
def test_a_defect_in_a_copy_of_a_new_rulebook_gives_its_diagnostic(defect, tmp_path, cli, golden):
    name, before, after, code = DEFECTS[defect]
    path = _copy(tmp_path, name)
    clean = cli(["check", "--strict", name], cwd=tmp_path)
    assert clean.exit_code == 0, clean.output
    text = path.read_text(encoding="utf-8")
    assert text.count(before) == 1, f"the shipped {name} no longer holds {before!r}"
    path.write_text(text.replace(before, after), encoding="utf-8")
    r = cli(["check", "--strict", name], cwd=tmp_path)
    assert r.exit_code == 1
    assert f"error[{code}]" in r.output
    golden(GOLDEN / f"{defect}.out", r.output)
