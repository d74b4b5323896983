"""项目支出绩效自评表 (stdlib_indicators/项目支出自评.jx): its suite, the example case through the
CLI, the errors a case can make in its rows, and that every row method is a library call."""
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner

from jixiao.compiler.verify import suites as testing
from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.cli import main
from jixiao.dsl.diagnostics import JixiaoError

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "stdlib_indicators" / "项目支出自评.jx"
LIBRARY = ROOT / "stdlib_indicators" / "计分方法.jx"
SUITE = ROOT / "stdlib_indicators" / "tests" / "项目支出自评.jxt"
CASE = ROOT / "examples" / "project-2024" / "饮水工程自评.jxc"

# hand-computed in the case's header comment
EXPECTED_ROWS = {
    "新建改造集中供水工程": ("25", "22.92"),   # 11 / 12 × 25 = 22.9166… → 22.92
    "人均工程投资": ("25", "24"),               # 1200 / 1250 × 25 = 24
    "供水工程故障率": ("15", "15"),             # 2.4% ≤ 3%
    "长效管护机制": ("15", "11.25"),            # 部分达成 75% × 15
    "受益群众满意度": ("10", "10"),             # 93.6% ≥ 90%
}


def rows_text(**changes) -> str:
    """The example's five rows (fields the methods read, and 分值), with per-row replacements
    of whole lines: changes = {title: {field: "value" or None to drop}}."""
    rows = {
        "新建改造集中供水工程": {"计分方法": "越高越好", "年度指标值": "12", "实际完成值": "11", "分值": "25"},
        "人均工程投资": {"计分方法": "越低越好", "年度指标值": "1200", "实际完成值": "1250", "分值": "25"},
        "供水工程故障率": {"计分方法": "越低越好", "年度指标值": "3%", "实际完成值": "2.4%", "分值": "15"},
        "长效管护机制": {"计分方法": "定性", "完成情况": "部分达成", "得分比例": "75%", "分值": "15"},
        "受益群众满意度": {"计分方法": "越高越好", "年度指标值": "90%", "实际完成值": "93.6%", "分值": "10"},
    }
    out = ['案例 "测试"', "", "全年预算数 = 1860万元", "全年执行数 = 1791.32万元", "", "指标行 绩效指标:"]
    for title, fields in rows.items():
        fields = dict(fields)
        for k, v in changes.get(title, {}).items():
            if v is None:
                fields.pop(k, None)
            else:
                fields[k] = v
        out.append(f'  行 "{title}":')
        out += [f"    {k} = {v}" for k, v in fields.items()]
    return "\n".join(out) + "\n"


def evaluate(text):
    rb = compile_rulebook(path=RULEBOOK)
    return rb.evaluate_case(rb.case_from_text(text))


def errors_of(text):
    with pytest.raises(JixiaoError) as exc:
        evaluate(text)
    return exc.value.diagnostics


def full_text(d) -> str:
    return "\n".join([d.message, *map(str, d.notes), *(str(lab.caption) for lab in d.labels)])


# ── (a) the suite ──

def test_suite_passes():
    loaded = testing.load_suite(SUITE)
    outcomes = testing.run_suite(loaded)
    failed = [testing.format_outcome(o, verbose=True) for o in outcomes if not o.passed]
    assert not failed, "\n".join(failed)
    assert len(outcomes) >= 35


def test_check_strict_is_clean():
    res = CliRunner().invoke(main, ["check", "--strict", str(RULEBOOK)])
    assert res.exit_code == 0, res.output
    assert "0 个错误，0 个警告" in res.output


# ── (b) the example case through `jixiao score --format json` ──

def test_score_json_of_the_example():
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(CASE), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    assert Decimal(data["total"]) == Decimal("92.8")       # 9.63 + 83.17
    assert data["grade"] == "优"
    assert Decimal(data["claimed_total"]) == Decimal("92.8")
    by_path = {tuple(i["path"]): i for i in data["indicators"]}
    assert Decimal(by_path[("预算执行", "预算执行率")]["score"]) == Decimal("9.63")   # 1791.32 / 1860 × 10
    assert Decimal(by_path[("绩效指标",)]["score"]) == Decimal("83.17")
    rows = [i for i in data["indicators"] if i["level"] == "row"]
    assert [r["path"][-1] for r in rows] == list(EXPECTED_ROWS)
    for r in rows:
        points, score = EXPECTED_ROWS[r["path"][-1]]
        assert r["path"][0] == "绩效指标"
        assert Decimal(r["points"]) == Decimal(points), r
        assert Decimal(r["score"]) == Decimal(score), r
        assert Decimal(r["claimed"]) == Decimal(score), r      # the case's 自评得分 agree
    assert sum(Decimal(r["points"]) for r in rows) == 90


# ── (c) rows adding up to 95 ──

def test_rows_adding_up_to_95_are_refused_with_E0610():
    text = rows_text(受益群众满意度={"分值": "15"})
    diags = errors_of(text)
    e0610 = [d for d in diags if d.code == "E0610"]
    assert len(e0610) == 1, [d.code for d in diags]
    msg = full_text(e0610[0])
    assert "绩效指标" in e0610[0].message
    assert "95" in e0610[0].message and "90" in e0610[0].message
    for title, points in [("新建改造集中供水工程", 25), ("人均工程投资", 25), ("供水工程故障率", 15),
                          ("长效管护机制", 15), ("受益群众满意度", 15)]:
        assert f"{title} {points}分" in msg, msg
    assert "合计 95，应为 90" in msg and "sum 95, should be 90" in msg


# ── (d) a 越低越好 row without 实际完成值 ──

def test_row_missing_the_field_its_method_reads_is_E0609():
    text = rows_text(人均工程投资={"实际完成值": None})
    diags = errors_of(text)
    assert [d.code for d in diags] == ["E0609"], [d.code for d in diags]
    msg = diags[0].message
    assert "绩效指标" in msg and "人均工程投资" in msg and "实际完成值" in msg


def test_qualitative_row_need_not_give_quantitative_fields():
    # the 定性 row gives neither 年度指标值 nor 实际完成值; the 越高越好 row no 完成情况
    result = evaluate(rows_text())
    assert result.total == Decimal("92.8")


# ── (e) a qualitative row outside its band ──

BAD_BAND = dict(长效管护机制={"完成情况": "部分达成", "得分比例": "85%"})


def test_qualitative_ratio_outside_its_band_is_refused():
    diags = errors_of(rows_text(**BAD_BAND))
    assert len(diags) == 1
    msg = diags[0].message
    assert "长效管护机制" in msg
    assert "不满足要求" in msg and "得分比例应在完成情况所属的区间内" in msg   # E0706's text, from 定性三档's 要求


def test_qualitative_ratio_outside_its_band_is_E0706():
    diags = errors_of(rows_text(**BAD_BAND))
    assert "E0706" in [d.code for d in diags]


@pytest.mark.parametrize("grade,ratio,ok", [
    ("达成", "80%", True), ("达成", "79.99%", False),
    ("部分达成", "79.99%", True), ("部分达成", "80%", False),
    ("部分达成", "60%", True), ("部分达成", "59.99%", False),
    ("未达成", "59.99%", True), ("未达成", "60%", False),
])
def test_qualitative_band_edges(grade, ratio, ok):
    text = rows_text(长效管护机制={"完成情况": grade, "得分比例": ratio})
    if ok:
        evaluate(text)
    else:
        diags = errors_of(text)
        assert "得分比例应在完成情况所属的区间内" in diags[0].message


# ── (f) every row method is a call of a library method ──

def test_row_methods_are_library_calls():
    library = {m for m in re.findall(r"^方法\s+(\w+)\s*\(", LIBRARY.read_text(encoding="utf-8"), flags=re.M)}
    assert {"完成比率法", "反向完成比率法", "定性三档"} <= library
    lines = [ln.split("#", 1)[0].rstrip() for ln in RULEBOOK.read_text(encoding="utf-8").splitlines()]
    start = next(i for i, ln in enumerate(lines) if ln.strip() == "指标行:")
    indent = len(lines[start]) - len(lines[start].lstrip())
    block = []
    for ln in lines[start + 1:]:
        if ln.strip() and len(ln) - len(ln.lstrip()) <= indent:
            break
        block.append(ln.strip())
    methods = [ln for ln in block if ln.startswith("方法")]
    members = re.search(r"字段 计分方法: 等级\(([^)]*)\)", "\n".join(block)).group(1)
    declared = [m.strip() for m in members.split(",")]
    assert len(methods) == len(declared) == 3
    seen = []
    for ln in methods:
        m = re.fullmatch(r"方法 (\w+) = (\w+)\((.*)\)", ln)
        assert m, f"not a single call: {ln}"
        assert m.group(2) in library, f"{ln}: {m.group(2)} is not a method of 计分方法.jx"
        assert not re.search(r"[-+×*/÷]", m.group(3)), f"arithmetic in the arguments: {ln}"
        seen.append(m.group(1))
    assert seen == declared
    # no rule of the rulebook does its own arithmetic: each 得分 is one library call
    scores = [ln.strip() for ln in lines if re.match(r"\s*得分\s*=", ln)]
    assert scores, "the 预算执行率 rule"
    for ln in scores:
        m = re.fullmatch(r"得分 = (\w+)\((.*)\)", ln)
        assert m and m.group(1) in library, ln
        assert not re.search(r"[-+×*/÷]", m.group(2)), ln
    assert not any(ln.startswith("得分") for ln in block)


def test_the_national_split_can_be_imposed_with_one_line():
    """The header's 分值分配 line, added to the 指标行 block: the example (产出 25 + 25,
    效益 15 + 15, 满意度 10) still scores 92.8; moving 5 points from 效益 to 产出 is refused."""
    from jixiao.compiler.api import compile_rulebook
    from jixiao.dsl.diagnostics import JixiaoError
    text = RULEBOOK.read_text(encoding="utf-8").replace(
        "    方法 越高越好 =", "    分值分配 一级指标: 产出指标 50分、效益指标 30分、满意度指标 10分\n    方法 越高越好 =", 1)
    rb = compile_rulebook(text, name=str(RULEBOOK.parent / "项目支出自评-分配.jx"))
    case_text = CASE.read_text(encoding="utf-8")
    assert rb.evaluate_case(rb.case_from_text(case_text)).total == Decimal("92.8")
    moved = case_text.replace("    分值 = 25\n", "    分值 = 30\n", 1).replace("    分值 = 15\n", "    分值 = 10\n", 1)
    with pytest.raises(JixiaoError) as e:
        rb.evaluate_case(rb.case_from_text(moved))
    assert sorted(d.code for d in e.value.diagnostics) == ["E0611", "E0611"]
