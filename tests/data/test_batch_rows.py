"""Batch scoring of a rulebook with 指标行: each record carries its own rows (JSON, JSON
Lines, or the JSON text of the rows in a CSV or spreadsheet cell)."""
import copy
import csv
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.data import BadRows, score_rows
from jixiao.compiler.cli import main

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "stdlib_indicators" / "部门整体支出自评.jx"
CASE = ROOT / "examples" / "chenxi-2021" / "self-evaluation.jxc"


@pytest.fixture(scope="module")
def rb():
    return compile_rulebook(path=RULEBOOK)


def plain(v):
    return str(v) if isinstance(v, Decimal) else v


def record(rb, unit="辰溪县司法局"):
    case = rb.load_case(CASE)
    rows = [{"名称": r.title, **{k: plain(v) for k, v in r.fields.items()}, "自评得分": plain(r.claimed)}
            for r in case.rows["绩效指标"]]
    return {"单位": unit, **{k: plain(v) for k, v in case.inputs.items()}, "指标行": {"绩效指标": rows}}


def records(rb):
    """附件3 as printed, then the same unit with 满意度 at 91.66% (one point less) and with
    预算执行率 at 90%."""
    a = record(rb, "附件3")
    b = copy.deepcopy(a)
    b["单位"] = "满意度91.66%"
    row = next(r for r in b["指标行"]["绩效指标"] if r["名称"] == "满意度")
    row["实际完成值"] = "91.66%"
    c = copy.deepcopy(a)
    c["单位"] = "执行率90%"
    c["全年执行数"] = str(Decimal(c["年初预算数"]) * Decimal("0.9"))
    return [a, b, c]


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def expect(rb, recs):
    out = {}
    for r in recs:
        inputs = {k: v for k, v in r.items() if k not in ("单位", "指标行")}
        res = rb.evaluate(inputs, rows=r["指标行"])
        out[r["单位"]] = (res.total, res.grade)
    return out


@pytest.mark.parametrize("kind", ["json", "jsonl", "csv", "xlsx"])
def test_records_with_their_rows_score_like_the_case(rb, tmp_path, kind):
    recs = records(rb)
    src = tmp_path / f"units.{kind}"
    if kind == "json":
        src.write_text(json.dumps(recs, ensure_ascii=False), encoding="utf-8")
    elif kind == "jsonl":
        src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")
    else:
        head = list(recs[0])
        table = [[json.dumps(r[h], ensure_ascii=False) if h == "指标行" else r[h] for h in head] for r in recs]
        if kind == "csv":
            with open(src, "w", encoding="utf-8", newline="") as f:
                csv.writer(f).writerows([head] + table)
        else:
            wb = openpyxl.Workbook()
            wb.active.append(head)
            for t in table:
                wb.active.append(t)
            wb.save(src)
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    got = {r["单位"]: (Decimal(r["总分"]), r["等级"], r["绩效指标"]) for r in read_csv(out)}
    assert {k: v[:2] for k, v in got.items()} == expect(rb, recs)
    assert got["附件3"] == (Decimal(98), "优", "89")            # as the case file: 预算执行率 9 + rows 89
    assert got["满意度91.66%"][2] == "88"
    assert list(read_csv(out)[0]) == ["单位", "预算执行", "预算执行率", "绩效指标", "总分", "等级"]


def test_json_out_lists_each_row_score(rb, tmp_path):
    """JSON and JSON Lines output give each unit's rows with their points, score and claim
    (a CSV keeps one line per unit: the rows' total only)."""
    recs = records(rb)
    src = tmp_path / "units.json"
    src.write_text(json.dumps(recs, ensure_ascii=False), encoding="utf-8")
    for kind in ("json", "jsonl"):
        out = tmp_path / f"out.{kind}"
        res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src), "-o", str(out)])
        assert res.exit_code == 0, res.output
        text = out.read_text(encoding="utf-8-sig")
        got = json.loads(text) if kind == "json" else [json.loads(line) for line in text.splitlines()]
        assert [g["总分"] for g in got] == ["98", "97", "98"]
        rows = got[1]["指标行"]["绩效指标"]
        assert len(rows) == 9 and sum(Decimal(r["得分"]) for r in rows) == Decimal(got[1]["绩效指标"]) == 88
        assert rows[-1] == {"名称": "满意度", "分值": "12", "得分": "10", "自评得分": "11"}
        assert got[0]["指标行"]["绩效指标"][-1]["得分"] == "11"


def test_bad_rows_of_a_record_are_reported_with_its_row_number(rb, tmp_path):
    recs = records(rb)
    wrong_sum = copy.deepcopy(recs[0])
    wrong_sum["单位"] = "分值合计95"
    next(r for r in wrong_sum["指标行"]["绩效指标"] if r["名称"] == "满意度")["分值"] = "17"
    no_rows = {k: v for k, v in recs[0].items() if k != "指标行"}
    no_rows["单位"] = "无指标行"
    not_object = dict(recs[0], 单位="指标行是列表", 指标行=[1, 2])
    bad_field = copy.deepcopy(recs[0])
    bad_field["单位"] = "字段错"
    bad_field["指标行"]["绩效指标"][0]["实际完成值"] = "很多"
    bad_claim = copy.deepcopy(recs[0])
    bad_claim["单位"] = "自评得分错"
    bad_claim["指标行"]["绩效指标"][0]["自评得分"] = "满分"
    rows_not_list = dict(recs[0], 单位="行不是列表", 指标行={"绩效指标": "全部达成"})
    unknown_part = dict(recs[0], 单位="没有这个指标", 指标行={"产出": []})
    data = [recs[0], wrong_sum, no_rows, not_object, bad_field, bad_claim, rows_not_list, unknown_part, recs[1]]
    src = tmp_path / "units.json"
    src.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    errors = []
    _, scored = score_rows(rb, src, on_error="skip", errors=errors)
    assert [s.ids["单位"] for s in scored] == ["附件3", "满意度91.66%"]
    by_row = {}
    for e in errors:
        by_row.setdefault(e.row, []).append(e)
    assert sorted(by_row) == [2, 3, 4, 5, 6, 7, 8]
    assert all(e.column == "指标行" for e in errors)
    text = {k: " ".join(e.text() for e in v) for k, v in by_row.items()}
    assert "合计95分" in text[2] and "90" in text[2]
    assert "没有给出指标行" in text[3]
    assert "应为对象" in text[4]
    assert "实际完成值" in text[5] and "很多" in text[5]
    assert "自评得分" in text[6] and "满分" in text[6]
    assert "应为各行的列表" in text[7]
    assert "产出" in text[8]
    with pytest.raises(BadRows) as e:
        list(score_rows(rb, src)[1])
    assert e.value.errors[0].row == 2


def test_rows_as_invalid_json_text_in_a_csv_cell(rb, tmp_path):
    rec = records(rb)[0]
    src = tmp_path / "units.csv"
    with open(src, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(list(rec))
        w.writerow([rec[h] if h != "指标行" else '{"绩效指标": [' for h in rec])
        w.writerow([rec[h] if h != "指标行" else "[" * 100_000 for h in rec])     # nested past the recursion limit
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src), "--on-error", "skip", "-j", "2"])
    assert res.exit_code == 1
    assert res.output.count("不是合法的 JSON") == 2 and "第2行" in res.output and "第3行" in res.output
    assert "0 个单位已评分，2 行有错被跳过" in res.output


def test_a_record_may_give_the_rows_total_instead(rb, tmp_path):
    """Without a 指标行 column the hidden input of the rows' total is a column, as before."""
    rec = {"单位": "x", "年初预算数": "2406.98", "全年执行数": "2318.14", "绩效指标·各行得分": "89"}
    src = tmp_path / "units.json"
    src.write_text(json.dumps([rec], ensure_ascii=False), encoding="utf-8")
    _, scored = score_rows(rb, src)
    assert [(s.total, s.grade) for s in scored] == [(Decimal(98), "优")]


from hypothesis import HealthCheck, given, settings, strategies as st

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-10**30, 10**30) | st.text(max_size=12)
    | st.sampled_from(["100%", "98%", "-1", "1e999", "NaN", "越高越好", "定性", "达成", "12", ""]),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_records_with_rows(rb, tmp_path, data):
    """Any JSON in place of a row's field, a row, the rows or the whole 指标行: every record
    is scored or reported (never both, never neither), and nothing raises."""
    recs = []
    for k in range(3):
        rec = record(rb, f"u{k}")
        where = data.draw(st.sampled_from(["field", "row", "rows", "all", "claim", "none"]))
        rows = rec["指标行"]["绩效指标"]
        i = data.draw(st.integers(0, len(rows) - 1))
        value = data.draw(JSON)
        if where == "field":
            rows[i][data.draw(st.sampled_from(sorted(rows[i])))] = value
        elif where == "row":
            rows[i] = value
        elif where == "rows":
            rec["指标行"]["绩效指标"] = value
        elif where == "all":
            rec["指标行"] = value
        elif where == "claim":
            rows[i]["自评得分"] = value
        recs.append(rec)
    src = tmp_path / "fuzz.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in recs) + "\n", encoding="utf-8")
    errors = []
    _, scored = score_rows(rb, src, on_error="skip", errors=errors)
    done = [s.row for s in scored]
    bad = {e.row for e in errors}
    assert sorted(done + sorted(bad)) == [1, 2, 3] and not set(done) & bad
    assert all(e.message for e in errors)


def test_diff_of_a_rows_rulebook_scores_each_units_rows(rb, tmp_path):
    """jixiao diff with records carrying their rows: 舍入 截断 → 四舍五入 (96.31% × 10 =
    9.63 → 10; 满意度 12 × 98% = 11.76 → 12) changes every unit, no grade."""
    src = tmp_path / "units.json"
    src.write_text(json.dumps(records(rb), ensure_ascii=False), encoding="utf-8")
    new = tmp_path / "四舍五入.jx"
    text = RULEBOOK.read_text(encoding="utf-8")
    assert text.count("\n舍入 截断\n") == 1
    new.write_text(text.replace("\n舍入 截断\n", "\n舍入 四舍五入\n"), encoding="utf-8")
    res = CliRunner().invoke(main, ["diff", str(RULEBOOK), str(new), "--data", str(src), "--format", "json"])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    got = {c["ids"]["单位"]: (c["old_total"], c["new_total"]) for c in rep["changes"]}
    assert got == {"附件3": ("98", "100"), "满意度91.66%": ("97", "99"), "执行率90%": ("98", "99")}
    assert (rep["units"], rep["grade_changes"]) == (3, 0)


def test_xlsx_out_has_a_sheet_of_rows(rb, tmp_path):
    src = tmp_path / "units.jsonl"
    src.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records(rb)) + "\n", encoding="utf-8")
    out = tmp_path / "out.xlsx"
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["评分结果", "指标行", "汇总"]
    units = list(wb["评分结果"].iter_rows(values_only=True))
    rows = list(wb["指标行"].iter_rows(values_only=True))
    assert rows[0] == ("单位", "指标", "行", "分值", "得分", "自评得分")
    assert len(rows) == 1 + 3 * 9
    assert rows[9] == ("附件3", "绩效指标", "满意度", 12, 11, 11)
    assert rows[18] == ("满意度91.66%", "绩效指标", "满意度", 12, 10, 11)
    for unit in units[1:]:
        mine = [r for r in rows[1:] if r[0] == unit[0]]
        assert sum(r[4] for r in mine) == unit[units[0].index("绩效指标")]


def row_table(rb, recs, key="单位"):
    """records -> (units header, unit lines, rows header, row lines) as a bureau keeps them
    in a workbook: one sheet of units, one sheet of rows keyed by the unit."""
    fields = []
    for r in recs:
        for row in r["指标行"]["绩效指标"]:
            for f in row:
                if f not in ("名称", "自评得分") and f not in fields:
                    fields.append(f)
    units_head = [key, "年初预算数", "全年执行数"]
    units = [[r["单位"], r["年初预算数"], r["全年执行数"]] for r in recs]
    rows_head = [key, "指标", "行"] + fields + ["自评得分"]
    lines = [[r["单位"], "绩效指标", row["名称"]] + [row.get(f, "") for f in fields] + [row.get("自评得分", "")]
             for r in recs for row in r["指标行"]["绩效指标"]]
    return units_head, units, rows_head, lines


def workbook(path, sheets):
    """Save a workbook of (sheet title, lines) in that order."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for title, lines in sheets:
        ws = wb.create_sheet(title)
        for line in lines:
            ws.append(line)
    wb.save(path)
    return path


@pytest.mark.parametrize("rows_first", [False, True])
def test_a_workbook_with_a_sheet_of_rows(rb, tmp_path, rows_first):
    """A sheet of units and a sheet 指标行, a line per row (first column the unit), in
    either order: scored as the records with nested rows; the output workbook has the
    same two sheets."""
    recs = records(rb)
    uh, units, rh, lines = row_table(rb, recs)
    sheets = [("单位", [uh] + units), ("指标行", [rh] + lines)]
    src = workbook(tmp_path / "units.xlsx", sheets[::-1] if rows_first else sheets)
    out = tmp_path / "out.xlsx"
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    got = list(openpyxl.load_workbook(out)["评分结果"].iter_rows(values_only=True))
    assert {g[0]: (Decimal(str(g[-2])), g[-1]) for g in got[1:]} == expect(rb, recs)
    assert len(list(openpyxl.load_workbook(out)["指标行"].iter_rows())) == 1 + 27


def test_rows_from_a_csv_of_their_own(rb, tmp_path):
    """--rows rows.csv: rows keyed by the unit's id; a unit without rows and rows of a unit
    that is not in the data are both reported, nothing silently dropped."""
    recs = records(rb)
    uh, units, rh, lines = row_table(rb, recs)
    units.append(["无行单位", "100", "90"])
    lines.append(["不存在的单位", "绩效指标", "满意度", "越高越好", "", "", "", "", "100%", "98%", "12", "", "11"][:len(rh)])
    data, rows = tmp_path / "units.csv", tmp_path / "rows.csv"
    for path, head, body in ((data, uh, units), (rows, rh, lines)):
        with open(path, "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([head] + body)
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(data), "--rows", str(rows), "-o", str(out),
                                    "--on-error", "skip"])
    assert res.exit_code == 1
    assert "第5行" in res.output and "rows.csv 中没有单位「无行单位」的行" in res.output
    assert "rows.csv 第29行" in res.output and "不存在的单位" in res.output
    got = {r["单位"]: (Decimal(r["总分"]), r["等级"]) for r in read_csv(out)}
    assert got == expect(rb, recs)
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(data), "--rows", str(rows), "-o", str(out)])
    assert res.exit_code == 1 and "未写出结果" in res.output
    # diff over the same tables: 截断 -> 四舍五入
    new = tmp_path / "new.jx"
    new.write_text(RULEBOOK.read_text(encoding="utf-8").replace("\n舍入 截断\n", "\n舍入 四舍五入\n"), encoding="utf-8")
    res = CliRunner().invoke(main, ["diff", str(RULEBOOK), str(new), "--data", str(data), "--rows", str(rows),
                                    "--format", "json"])
    rep = json.loads(res.stdout)
    assert rep["units"] == 3 and [c["ids"]["单位"] for c in rep["changes"]] == ["附件3", "满意度91.66%", "执行率90%"]


def test_a_rows_table_that_cannot_be_used(rb, tmp_path):
    recs = records(rb)
    uh, units, rh, lines = row_table(rb, recs)
    data = tmp_path / "units.csv"
    with open(data, "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([uh] + units)
    for head, why in ((["编码"] + rh[1:], "第一列"), ([rh[0], "指标", "标题"] + rh[3:], "行")):
        rows = tmp_path / "rows.csv"
        with open(rows, "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([head] + lines)
        res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(data), "--rows", str(rows)])
        assert res.exit_code == 1 and why in res.output, res.output
    plain = ROOT / "stdlib_indicators" / "部门整体支出.jx"
    res = CliRunner().invoke(main, ["score", str(plain), str(data), "--rows", str(rows)])
    assert res.exit_code == 1 and "没有指标行" in res.output


def write_table(path, head, body):
    if path.suffix == ".csv":
        with open(path, "w", encoding="utf-8", newline="") as f:
            csv.writer(f).writerows([head] + body)
    elif path.suffix == ".jsonl":                # empty cells left out, as JSON writers do
        path.write_text("\n".join(json.dumps({h: v for h, v in zip(head, line) if v != ""}, ensure_ascii=False)
                                  for line in body) + "\n", encoding="utf-8")
    else:
        wb = openpyxl.Workbook()
        ws = wb.active
        ws.title = "说明"                         # --rows FILE.xlsx takes its sheet 指标行, wherever it is
        ws.append(["这一页不是指标行"])
        ws2 = wb.create_sheet("指标行")
        for line in [head] + body:
            ws2.append(line)
        wb.save(path)


@pytest.mark.parametrize("suffix", [".csv", ".jsonl", ".xlsx"])
def test_rows_tables_in_every_format(rb, tmp_path, suffix):
    """A JSON Lines rows table whose lines have different keys (quantitative and
    qualitative rows) keeps every key; an empty 指标 cell is the one 指标行 indicator."""
    recs = records(rb)
    uh, units, rh, lines = row_table(rb, recs)
    lines[0][1] = ""
    data, rows = tmp_path / "units.csv", tmp_path / f"rows{suffix}"
    write_table(data, uh, units)
    write_table(rows, rh, lines)
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(data), "--rows", str(rows), "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert {r["单位"]: (Decimal(r["总分"]), r["等级"]) for r in read_csv(out)} == expect(rb, recs)


def test_what_a_rows_table_reports(rb, tmp_path):
    """Problems in a rows table name the table and the unit's lines in it; a unit id given
    twice in the data cannot take rows; the summary counts data rows and table lines apart."""
    recs = records(rb)
    uh, units, rh, lines = row_table(rb, recs)
    units.append(list(units[0]))                 # 附件3 twice
    lines[4][rh.index("计分方法")] = "越快越好"   # a bad method on line 6 (unit 附件3: lines 2-10)
    data, rows = tmp_path / "units.csv", tmp_path / "rows.csv"
    write_table(data, uh, units)
    write_table(rows, rh, lines)
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(data), "--rows", str(rows), "--on-error", "skip"])
    assert res.exit_code == 1
    assert "rows.csv 第2–10行（单位「附件3」）" in res.output and "越快越好" in res.output
    assert "第5行" in res.output and "不止一个" in res.output
    assert "2 个单位已评分，2 行有错被跳过" in res.output, res.output
    both = tmp_path / "both.csv"
    write_table(both, rh[:3] + ["名称"] + rh[3:], [line[:3] + ["x"] + line[3:] for line in lines])
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(data), "--rows", str(both)])
    assert res.exit_code == 1 and "not both" in res.output
    jsoncol = tmp_path / "jsoncol.csv"
    write_table(jsoncol, list(recs[0]), [[json.dumps(r[h], ensure_ascii=False) if h == "指标行" else r[h] for h in r]
                                         for r in recs])
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(jsoncol), "--rows", str(rows)])
    assert res.exit_code == 1 and "given twice" in res.output


def test_an_empty_sheet_of_rows_is_named(rb, tmp_path):
    uh, units, _rh, _lines = row_table(rb, records(rb))
    src = workbook(tmp_path / "units.xlsx", [("单位", [uh] + units), ("指标行", [])])
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src), "-o", str(out)])
    assert res.exit_code == 1 and "「指标行」是空的" in res.output


def test_options_that_do_not_apply_are_refused(rb, tmp_path):
    recs = records(rb)
    uh, units, rh, lines = row_table(rb, recs)
    data, rows = tmp_path / "units.csv", tmp_path / "rows.csv"
    write_table(data, uh, units)
    write_table(rows, rh, lines)
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "a.jxc").write_text(CASE.read_text(encoding="utf-8"), encoding="utf-8")
    plain = ROOT / "stdlib_indicators" / "部门整体支出.jx"
    for args in (["score", str(RULEBOOK), str(cases), "--rows", str(rows)],
                 ["score", str(RULEBOOK), str(CASE), "--rows", str(rows), "-o", str(tmp_path / "o.csv")],
                 ["score", str(RULEBOOK), str(cases), "--format", "json"],
                 ["score", str(RULEBOOK), str(data), "--rows", str(rows), "--trace"],
                 ["diff", str(RULEBOOK), str(RULEBOOK), "--data", str(cases), "--rows", str(rows)]):
        res = CliRunner().invoke(main, args)
        assert res.exit_code == 2, (args, res.output)
    res = CliRunner().invoke(main, ["diff", str(plain), str(plain), "--data", str(data), "--rows", str(rows)])
    assert res.exit_code == 1 and "neither rulebook has 指标行" in res.output


def test_a_case_of_a_folder_is_named_when_the_problem_lies_elsewhere(tmp_path):
    """A case that gives no rows: the diagnostic points into the rulebook, so the case's
    file is named before it."""
    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "a.jxc").write_text(CASE.read_text(encoding="utf-8"), encoding="utf-8")
    (cases / "坏.jxc").write_text('案例 "坏"\n年初预算数 = 1\n全年执行数 = 1\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(cases), "--on-error", "skip"])
    assert res.exit_code == 1
    [line] = [x for x in res.output.splitlines() if x.startswith("skipped:")]
    assert line.startswith("skipped: 坏.jxc: ") and "E0609" in line
