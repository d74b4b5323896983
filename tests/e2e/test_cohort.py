"""Cohorts end to end: examples/cohort-2024/参评单位.csv (24 units) scored with
stdlib_indicators/部门整体支出绩效评价（同类比较）.jx — ranks, peer averages, 按同类平均得分计
and the 30% 优秀 quota — checked against a computation by hand of the table's own words
(plain Python over the CSV, nothing of jixiao), with -j 2 and from XLSX; a single case
without the cohort is refused; --cohort FILE gives the statistics."""
import csv
import io
import json
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest

from jixiao.compiler.api import compile_rulebook
from jixiao.dsl.check import check_text

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "stdlib_indicators" / "部门整体支出绩效评价（同类比较）.jx"
DATA = ROOT / "examples" / "cohort-2024" / "参评单位.csv"
AGE_RANK = "排名(平均年龄, 升序, 并列)"
RATE_RANK = "排名(支出数 / 预算数, 降序, 顺延)"
D = Decimal


def read(text):
    return list(csv.DictReader(io.StringIO(text)))


def units():
    with open(DATA, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def r2(x):
    return x.quantize(D("0.01"), ROUND_HALF_UP)


def pct(s):
    return D(s.rstrip("%")) / 100


def by_hand(rows):
    """Every unit's total and grade, from the 评分标准 of each indicator."""
    for u in rows:
        u["_rate"] = D(u["支出数"]) / D(u["预算数"])
        u["_share"] = D(u["人员经费"]) / D(u["支出数"])
    kinds = {u["单位类别"] for u in rows}
    mean_share = {k: sum(u["_share"] for u in rows if u["单位类别"] == k) / len([u for u in rows if u["单位类别"] == k])
                  for k in kinds}
    mean_rate = {k: sum(u["_rate"] for u in rows if u["单位类别"] == k) / len([u for u in rows if u["单位类别"] == k])
                 for k in kinds}
    rates = sorted({u["_rate"] for u in rows}, reverse=True)
    out = {}
    trained = {}
    for u in rows:
        if u["有新进人员"] == "是":
            trained[u["单位名称"]] = r2(min(D(u["参训新进人员数"]) / D(u["新进人员数"]), D(1)) * 10)
    for u in rows:
        s = {}
        s["编制使用率"] = max(D(5) - max(D(u["实有人数"]) - D(u["编制数"]), D(0)) * D("0.5"), D(0))
        # 平均年龄由低到高，相同并列（1, 1, 3）
        rank = 1 + sum(1 for v in rows if D(v["平均年龄"]) < D(u["平均年龄"]))
        s["人员队伍年轻化"] = D(10) if rank == 1 else D(9) if rank <= 3 else D(8) if rank <= 5 else D(6) if rank <= 10 else D(4)
        over = max(u["_share"] - mean_share[u["单位类别"]], D(0))
        s["人员经费占比"] = r2(max(D(5) - over * 100 * D("0.5"), D(0)))
        gap = max(mean_rate[u["单位类别"]] - u["_rate"], D(0))
        s["预算执行率"] = r2(max(D(20) - gap * 100, D(0)))
        # 执行率由高到低，相同并列，其后顺延（1, 1, 2）
        rr = 1 + rates.index(u["_rate"])
        s["执行率排名"] = D(20) if rr <= 10 else D(15) if rr <= 15 else D(10)
        if u["单位名称"] in trained:
            s["新进人员培训率"] = trained[u["单位名称"]]
        else:   # 按同类单位平均得分计
            peers = [trained[v["单位名称"]] for v in rows if v["单位类别"] == u["单位类别"] and v["单位名称"] in trained]
            s["新进人员培训率"] = r2(sum(peers) / len(peers))
        s["服务对象满意度"] = r2(pct(u["满意度"]) * 30)
        total = sum(s.values())
        grade = "优秀" if total >= 90 else "良好" if total >= 80 else "中" if total >= 60 else "差"
        out[u["单位名称"]] = (s, total, grade, rank, rr)
    # 优秀不超过 30%：按总分由高到低，名额之外的降为良好（同分均降）
    places = int(len(rows) * D("0.3"))
    excellent = sorted((n for n in out if out[n][2] == "优秀"), key=lambda n: out[n][1], reverse=True)
    keep = set()
    for n in excellent:
        better_or_tied = sum(1 for m in excellent if out[m][1] >= out[n][1])
        if better_or_tied <= places:
            keep.add(n)
    for n in excellent:
        if n not in keep:
            s, t, _g, a, b = out[n]
            out[n] = (s, t, "良好", a, b)
    return out, places


@pytest.fixture(scope="module")
def scored(cli_module):
    res = cli_module(["score", str(RULEBOOK), str(DATA), "-j", "1"], ROOT)
    assert res.code == 0, res.transcript
    return res.stdout


@pytest.fixture(scope="module")
def cli_module():
    from click.testing import CliRunner
    from jixiao.compiler.cli import main
    import os

    class R:
        pass

    def run(args, cwd):
        old = os.getcwd()
        os.chdir(cwd)
        try:
            r = CliRunner().invoke(main, args, catch_exceptions=False)
        finally:
            os.chdir(old)
        out = R()
        out.code, out.stdout = r.exit_code, r.stdout
        out.transcript = r.output
        return out
    return run


def test_every_score_equals_the_hand_computation(scored):
    got = {r["单位名称"]: r for r in read(scored)}
    want, _places = by_hand(units())
    assert len(got) == len(want) == 24
    for name, (s, total, grade, _a, _b) in want.items():
        row = got[name]
        for ind, v in s.items():
            assert D(row[ind]) == v, (name, ind, row[ind], v)
        assert D(row["总分"]) == total, name
        assert row["等级"] == grade, name


def test_ranks_are_consistent_with_the_data_and_the_tie_rule(scored):
    rows = read(scored)
    data = {u["单位名称"]: u for u in units()}
    ages = {n: D(data[n]["平均年龄"]) for n in data}
    rates = {n: D(data[n]["支出数"]) / D(data[n]["预算数"]) for n in data}
    age_rank = {r["单位名称"]: int(r[AGE_RANK]) for r in rows}
    rate_rank = {r["单位名称"]: int(r[RATE_RANK]) for r in rows}
    # 并列 (1, 1, 3): ties share a rank, the next counts every unit before it; a rank is
    # the place of the unit in the order, so sorted ranks step by the size of each tie
    order = sorted(age_rank.values())
    assert order[0] == 1 and len(order) == 24
    for n, k in age_rank.items():
        assert k == 1 + sum(1 for m in ages if ages[m] < ages[n])
        assert all((age_rank[m] == k) == (ages[m] == ages[n]) for m in ages)
        assert all((age_rank[m] < k) == (ages[m] < ages[n]) for m in ages)
    assert any(order.count(k) > 1 for k in order)          # the data has ties
    # 顺延 (1, 1, 2): the distinct values numbered from the highest
    distinct = sorted(set(rates.values()), reverse=True)
    assert sorted(set(rate_rank.values())) == list(range(1, len(distinct) + 1))
    for n, k in rate_rank.items():
        assert distinct[k - 1] == rates[n]


def test_the_quota_is_met_and_explained(scored):
    rows = read(scored)
    _want, places = by_hand(units())
    assert places == 7
    excellent = [r for r in rows if r["等级"] == "优秀"]
    pushed = [r for r in rows if r["名额"]]
    assert len(excellent) <= places
    assert pushed, "the example's data exceeds the quota"
    lowest = min(D(r["总分"]) for r in excellent)
    for r in pushed:
        assert r["等级"] == "良好" and D(r["总分"]) >= 90 and D(r["总分"]) <= lowest
        assert r["名额"].startswith("按总分排名第") and "优秀名额7个，评为良好" in r["名额"]


def test_two_jobs_and_xlsx_give_the_same_output(scored, cli_module, tmp_path):
    out = tmp_path / "j2.csv"
    assert cli_module(["score", str(RULEBOOK), str(DATA), "-j", "2", "-o", str(out)], ROOT).code == 0
    assert read(out.read_text(encoding="utf-8-sig")) == read(scored)
    import openpyxl
    wb = openpyxl.Workbook()
    ws = wb.active
    with open(DATA, encoding="utf-8") as f:
        for k, line in enumerate(csv.reader(f)):
            # numbers as numbers, as a spreadsheet holds them
            ws.append(line if k == 0 else [float(c) if c.replace(".", "", 1).isdigit() else c for c in line])
    xlsx = tmp_path / "units.xlsx"
    wb.save(xlsx)
    out2 = tmp_path / "x.csv"
    res = cli_module(["score", str(RULEBOOK), str(xlsx), "-o", str(out2)], ROOT)
    assert res.code == 0, res.transcript
    assert read(out2.read_text(encoding="utf-8-sig")) == read(scored)


def test_one_case_without_the_cohort_is_refused_and_a_cohort_file_scores_it(cli_module, tmp_path):
    case = tmp_path / "one.jxc"
    case.write_text("案例 \"县财政局\"\n单位类别 = 行政单位\n编制数 = 40\n实有人数 = 40\n平均年龄 = 39\n预算数 = 1000\n"
                    "支出数 = 950\n人员经费 = 380\n有新进人员 = 否\n满意度 = 96%\n", encoding="utf-8")
    res = cli_module(["score", str(RULEBOOK), str(case)], ROOT)
    assert res.code == 1
    assert "E0630" in res.transcript and "不能单独为一个案例计分" in res.transcript and "one case cannot be scored alone" in res.transcript
    given = tmp_path / "last-year.json"
    given.write_text(json.dumps({AGE_RANK: 3, "同类平均(占比)": {"行政单位": "45%", "事业单位": "50%"},
                                 "同类平均(执行率)": {"行政单位": "94%", "事业单位": "90%"}, RATE_RANK: 8,
                                 "同类平均得分(新进人员培训率)": {"行政单位": 9.55, "事业单位": 10}}, ensure_ascii=False),
                     encoding="utf-8")
    res = cli_module(["score", str(RULEBOOK), str(case), "--cohort", str(given), "--format", "json"], ROOT)
    assert res.code == 0, res.transcript
    data = json.loads(res.stdout)
    # 5 + 9 + 5 + 20 + 20 + 9.55 (按同类平均得分计) + 28.8
    assert D(data["total"]) == D("97.35")
    del_kind = json.loads(given.read_text(encoding="utf-8"))
    del del_kind["同类平均(占比)"]["行政单位"]
    given.write_text(json.dumps(del_kind, ensure_ascii=False), encoding="utf-8")
    res = cli_module(["score", str(RULEBOOK), str(case), "--cohort", str(given)], ROOT)
    assert res.code == 1 and "E0631" in res.transcript and "没有「行政单位」类单位的值" in res.transcript


def test_explain_names_the_rank_and_the_peer_average(cli_module):
    res = cli_module(["explain", str(RULEBOOK), str(DATA), "--unit", "县人社局"], ROOT)
    assert res.code == 0, res.transcript
    text = res.stdout
    assert "同类（单位类别 = 行政单位）" in text and "个单位平均" in text
    assert "本单位" in text and "个百分点" in text
    assert "排第" in text and "名" in text


@pytest.mark.parametrize("text,words", [
    ("同类平均(x)", "须先声明同类的依据"),
    ("平均(平均(x))", "统计值不能嵌套"),
    ("排名(x, 横向)", "的参数为"),
])
def test_wrong_cohort_rules(text, words):
    src = f"""规则集 "t"
满分 10
输入 x: 数值 范围 0 至 10
指标 甲 10分:
  得分 = min(max({text}, 0), 10)
等级:
  合格: 总分 ≥ 0
"""
    r = check_text(src)
    msgs = [d for d in r.diagnostics if d.code == "E0530"]
    assert msgs and any(words in d.msg.text("zh") for d in msgs), [d.msg.text("zh") for d in r.diagnostics]


def test_quota_rows_are_checked():
    src = """规则集 "t"
满分 10
输入 x: 数值 范围 0 至 10
指标 甲 10分:
  得分 = x
等级:
  优: 总分 ≥ 9
  良: 总分 < 9
名额:
  良: 最多 30% 降为 优
"""
    r = check_text(src)
    assert any(d.code == "E0530" and "降为较低的等级" in d.msg.text("zh") for d in r.diagnostics)


def test_the_api_scores_all_units_at_once_like_the_batch(scored):
    rb = compile_rulebook(path=RULEBOOK)
    rows = units()
    res = rb.evaluator.evaluate_all([{k: v for k, v in u.items() if k != "单位名称"} for u in rows])
    got = {r["单位名称"]: r for r in read(scored)}
    for u, r in zip(rows, res):
        assert r["total"] == D(got[u["单位名称"]]["总分"]) and r["grade"] == got[u["单位名称"]]["等级"]


def test_diff_of_a_quota_change_scores_both_cohorts(cli_module, tmp_path):
    new = tmp_path / "new.jx"
    new.write_text(RULEBOOK.read_text(encoding="utf-8").replace("最多 30% 降为 良好", "最多 20% 降为 良好"), encoding="utf-8")
    res = cli_module(["diff", str(RULEBOOK), str(new), "--data", str(DATA), "--format", "json"], ROOT)
    assert res.code == 0, res.transcript
    rep = json.loads(res.stdout)
    # 24 × 20% = 4 places instead of 7: the three lowest 优秀 totals fall to 良好, no score moves
    moved = [c for c in rep["changes"] if c["old_grade"] != c["new_grade"]]
    assert len(moved) == 3 and all(c["old_grade"] == "优秀" and c["new_grade"] == "良好" for c in moved)
    assert all(c["old_total"] == c["new_total"] for c in moved)


def test_a_dataframe_is_scored_as_a_cohort(scored):
    import pandas as pd
    from jixiao.compiler.data.frames import score_frame
    rb = compile_rulebook(path=RULEBOOK)
    out = score_frame(rb, pd.read_csv(DATA, dtype=str))
    want = {r["单位名称"]: (D(r["总分"]), r["等级"]) for r in read(scored)}
    assert {n: (t, g) for n, t, g in zip(out["单位名称"], out["总分"], out["等级"])} == want


def test_explain_of_a_unit_the_quota_pushed_down(cli_module):
    res = cli_module(["explain", str(RULEBOOK), str(DATA), "--unit", "县教育局"], ROOT)
    assert res.code == 0, res.transcript
    assert "评价结果为优秀；但按总分排名第10/24，优秀名额7个，评为良好。" in res.stdout
    en = cli_module(["explain", str(RULEBOOK), str(DATA), "--unit", "县教育局", "--lang", "en"], ROOT)
    assert "ranked 10 of 24 by total; 7 place(s) for 优秀: graded 良好" in en.stdout
    assert "percentage points below" in en.stdout or "percentage points above" in en.stdout


def test_bad_rows_are_left_out_of_the_cohort_alike_with_one_and_two_jobs(cli_module, tmp_path):
    lines = DATA.read_text(encoding="utf-8").splitlines()
    bad_value = lines[3].split(",")
    bad_value[4] = "老"                                    # 平均年龄 not a number
    bad_check = lines[5].split(",")
    bad_check[7] = "99999"                                 # 人员经费 > 支出数: the 核对 fails
    data = tmp_path / "bad.csv"
    data.write_text("\n".join(lines[:3] + [",".join(bad_value), lines[4], ",".join(bad_check)] + lines[6:]) + "\n",
                    encoding="utf-8")
    outs = []
    for j in ("1", "2"):
        (tmp_path / j).mkdir()
        out = tmp_path / j / "o.csv"
        res = cli_module(["score", str(RULEBOOK), str(data), "--on-error", "skip", "-j", j, "-o", str(out)], ROOT)
        assert res.code == 1 and "22 个单位已评分，2 行有错被跳过" in res.transcript, res.transcript
        assert "人员经费不能多于支出数" in res.transcript and "平均年龄" in res.transcript
        outs.append((out.read_text(encoding="utf-8-sig"), res.transcript.replace(str(tmp_path / j), "")))
    assert outs[0] == outs[1]
    rows = read(outs[0][0])
    assert len(rows) == 22
    # the ranks are over the 22 units left
    ages = {u["单位名称"]: D(u["平均年龄"]) for u in units()}
    left = {r["单位名称"] for r in rows}
    assert bad_value[0] not in left and bad_check[0] not in left
    for r in rows:
        assert int(r[AGE_RANK]) == 1 + sum(1 for n in left if ages[n] < ages[r["单位名称"]])


def test_the_rulebook_in_english_keywords_scores_the_same(scored):
    from jixiao.dsl.keywords import translate_keywords
    from jixiao.dsl.parser import parse_text
    zh = RULEBOOK.read_text(encoding="utf-8")
    en = translate_keywords(zh, "en")
    assert "peer_mean(执行率)" in en and "rank(平均年龄, 升序, 并列)" in en and "demote_to 良好" in en
    assert "peer_average_score" in en and "peers 单位类别" in en
    assert parse_text(en, "en.jx")[0] == parse_text(zh, "zh.jx")[0]
    assert parse_text(translate_keywords(en, "zh"), "zh2.jx")[0] == parse_text(zh, "zh.jx")[0]
    rb = compile_rulebook(en, name=str(RULEBOOK.with_name("en.jx")))
    res = rb.evaluator.evaluate_all([{k: v for k, v in u.items() if k != "单位名称"} for u in units()])
    assert [(r["total"], r["grade"]) for r in res] == [(D(r["总分"]), r["等级"]) for r in read(scored)]


def test_explain_of_one_case_with_the_statistics_given(cli_module, tmp_path):
    case = tmp_path / "one.jxc"
    case.write_text("案例 \"县财政局\"\n单位类别 = 行政单位\n编制数 = 40\n实有人数 = 40\n平均年龄 = 39\n预算数 = 1000\n"
                    "支出数 = 950\n人员经费 = 380\n有新进人员 = 否\n满意度 = 96%\n", encoding="utf-8")
    given = tmp_path / "given.json"
    given.write_text(json.dumps({AGE_RANK: 3, "同类平均(占比)": "45%", "同类平均(执行率)": {"行政单位": "97.2%"},
                                 RATE_RANK: 8, "同类平均得分(新进人员培训率)": 9.55}, ensure_ascii=False), encoding="utf-8")
    res = cli_module(["explain", str(RULEBOOK), str(case), "--cohort", str(given)], ROOT)
    assert res.code == 0, res.transcript
    # 执行率 95% against the given 97.2%: 2.2 points below, 20 - 2.2
    assert "同类平均(执行率)97.2%" in res.stdout and "得17.8分" in res.stdout
    # the data's 事业单位 have no given average: refused, naming the statistic and the kind
    res = cli_module(["explain", str(RULEBOOK), str(DATA), "--unit", "县财政局", "--cohort", str(given)], ROOT)
    assert res.code == 2 and "「同类平均(执行率)」没有「事业单位」类单位的值" in res.transcript
    given.write_text(json.dumps({AGE_RANK: 3, "同类平均(占比)": "45%", "同类平均(执行率)": {"行政单位": "97.2%", "事业单位": "90%"},
                                 RATE_RANK: 8, "同类平均得分(新进人员培训率)": 9.55}, ensure_ascii=False), encoding="utf-8")
    res = cli_module(["explain", str(RULEBOOK), str(DATA), "--unit", "县财政局", "--cohort", str(given)], ROOT)
    assert res.code == 0, res.transcript
    assert "给定的同类统计值平均 97.2%" in res.stdout
