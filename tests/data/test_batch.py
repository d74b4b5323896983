"""Batch scoring from data files, bad rows, and the rulebook diff."""
import csv
import json
import re
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.cli import main

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "stdlib_indicators" / "部门整体支出.jx"
CASES = {n: ROOT / "examples" / "chenxi-2021" / f"{n}.jxc" for n in ("self-assessment", "report-figures")}


def cell(v):
    if isinstance(v, tuple):
        return "、".join("是" if x else "否" for x in v)
    if isinstance(v, bool):
        return "是" if v else "否"
    return str(v)


def unit_rows(rb):
    """One row per Chenxi case (the self-assessment without its assessed score)."""
    rows = []
    for name, path in CASES.items():
        case = rb.load_case(path)
        rows.append([name] + [cell(case.inputs[i.name]) for i in rb.program.inputs])
    return ["单位"] + [i.name for i in rb.program.inputs], rows


def expected(rb):
    out = {}
    for name, path in CASES.items():
        r = rb.evaluate(rb.load_case(path).inputs)     # computed by rule, no 认定得分
        out[name] = (r.total, r.grade, {"/".join(x.path): x.score for x in r.indicators})
    return out


def write_csv(path, header, rows):
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def read_out_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def test_csv_scores_like_the_case_files(rb, tmp_path):
    header, rows = unit_rows(rb)
    data = tmp_path / "units.csv"
    write_csv(data, header, rows)
    out = tmp_path / "scores.csv"
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(data), "-o", str(out)])
    assert res.exit_code == 0, res.output
    got = read_out_csv(out)
    want = expected(rb)
    assert [r["单位"] for r in got] == list(CASES)
    for r in got:
        total, grade, scores = want[r["单位"]]
        assert Decimal(r["总分"]) == total and r["等级"] == grade
        assert Decimal(r["财政供养人员控制率"]) == scores["投入/预算配置/财政供养人员控制率"]
        assert Decimal(r["资产管理.管理制度健全性"]) == scores["过程/资产管理/管理制度健全性"]
    assert {r["单位"]: r["总分"] for r in got} == {"self-assessment": "94.5", "report-figures": "85.5"}


def test_xlsx_in_and_out_scores_like_the_case_files(rb, tmp_path):
    header, rows = unit_rows(rb)
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        # numbers as spreadsheet numbers, as people type them
        ws.append([float(x) if re.fullmatch(r"-?\d+(\.\d+)?", x) else x for x in r])
    data = tmp_path / "units.xlsx"
    wb.save(data)
    out = tmp_path / "scores.xlsx"
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(data), "-o", str(out)])
    assert res.exit_code == 0, res.output
    ws2 = openpyxl.load_workbook(out).active
    vals = list(ws2.iter_rows(values_only=True))
    head = list(vals[0])
    want = expected(rb)
    for row in vals[1:]:
        rec = dict(zip(head, row))
        total, grade, _ = want[rec["单位"]]
        assert Decimal(str(rec["总分"])) == total and rec["等级"] == grade


def test_json_and_jsonl_out(rb, tmp_path):
    header, rows = unit_rows(rb)
    data = tmp_path / "units.csv"
    write_csv(data, header, rows)
    for suffix in ("json", "jsonl"):
        out = tmp_path / f"scores.{suffix}"
        res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(data), "-o", str(out)])
        assert res.exit_code == 0, res.output
        text = out.read_text(encoding="utf-8")
        recs = json.loads(text) if suffix == "json" else [json.loads(l) for l in text.splitlines()]
        assert [r["总分"] for r in recs] == ["94.5", "85.5"]


def test_bad_rows_are_each_reported(rb, tmp_path):
    header, rows = unit_rows(rb)
    col = {h: i for i, h in enumerate(header)}
    bad1 = list(rows[1]); bad1[col["在职人员数"]] = "一百二十一"
    bad2 = list(rows[1]); bad2[col["部门预算数"]] = "0"; bad2[col["社会公众满意度调查结果"]] = "很好"
    data = tmp_path / "units.csv"
    write_csv(data, header, [rows[0], bad1, rows[1], bad2])
    out = tmp_path / "scores.csv"
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(data), "-o", str(out), "--on-error", "skip"])
    assert res.exit_code == 1
    err = res.stderr
    assert re.search(r"第3行，列「在职人员数」：.*一百二十一", err)
    assert re.search(r"第5行，列「部门预算数」：.*超出允许范围", err)
    assert re.search(r"第5行，列「社会公众满意度调查结果」：.*很好", err)
    assert "2 个单位已评分，2 行有错被跳过" in err
    assert [r["单位"] for r in read_out_csv(out)] == ["self-assessment", "report-figures"]
    # stop (the default): nothing written, exit 1
    out2 = tmp_path / "stop.csv"
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(data), "-o", str(out2)])
    assert res.exit_code == 1 and not out2.exists()
    assert "第3行" in res.stderr and "第5行" not in res.stderr


def test_header_mapping_and_missing_columns(rb, tmp_path):
    header, rows = unit_rows(rb)
    header = ["单位"] + [("实有人数" if h == "在职人员数" else h) for h in header[1:]]
    data = tmp_path / "units.csv"
    write_csv(data, header, rows)
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(data), "-o", str(tmp_path / "o.csv")])
    assert res.exit_code == 1 and "在职人员数" in res.stderr and "--mapping" in res.stderr
    mapping = tmp_path / "map.csv"
    mapping.write_text("实有人数,在职人员数\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(data), "-o", str(tmp_path / "o.csv"),
                                    "--mapping", str(mapping)])
    assert res.exit_code == 0, res.stderr


def test_output_never_overwrites_input(rb, tmp_path):
    header, rows = unit_rows(rb)
    data = tmp_path / "units.csv"
    write_csv(data, header, rows)
    before = data.read_bytes()
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(data), "-o", str(data)])
    assert res.exit_code == 2
    assert data.read_bytes() == before
    mapping = tmp_path / "map.csv"                 # nor over the mapping (or a rows table)
    mapping.write_text("实有人数,在职人员数\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(data), "--mapping", str(mapping), "-o", str(mapping)])
    assert res.exit_code == 2 and mapping.read_text(encoding="utf-8") == "实有人数,在职人员数\n"


def test_diff_lists_exactly_the_units_that_cross_a_moved_boundary(rb, tmp_path):
    """预算完成率 ≥ 90% → 3 moved to ≥ 95%: units at 90–95% drop to 1; others unchanged."""
    text = RULEBOOK.read_text(encoding="utf-8")
    old_rule = "三档计分(完成率, 90%, 3, 80%, 1, 3)"      # 第一档下限 90% → 3
    assert text.count(old_rule) == 1
    new = tmp_path / "new.jx"
    new.write_text(text.replace(old_rule, "三档计分(完成率, 95%, 3, 80%, 1, 3)"), encoding="utf-8")
    header, rows = unit_rows(rb)
    col = {h: i for i, h in enumerate(header)}
    base = rows[1]            # report figures: 85.5, 良好
    units = []
    for k, done in enumerate(["2318.14", "2200", "2166.29", "2286.63", "2286.64", "1900"]):
        r = list(base)
        r[0] = f"单位{k}"
        r[col["部门预算数"]] = "2406.98"
        r[col["预算完成数"]] = done
        units.append(r)
    # rates: 96.31% (stays 3), 91.40% (3 -> 1), 90.00% (3 -> 1), 94.999..% (3 -> 1), 95.0003% (stays), 78.9% (0, stays)
    data = tmp_path / "units.csv"
    write_csv(data, header, units)
    res = CliRunner().invoke(main, ["diff", str(RULEBOOK), str(new), "--data", str(data), "--format", "json"])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    assert rep["units"] == 6
    assert [c["ids"]["单位"] for c in rep["changes"]] == ["单位1", "单位2", "单位3"]
    for c in rep["changes"]:
        assert c["indicators"] == [{"indicator": "预算完成率", "old": "3", "new": "1"}]
        assert Decimal(c["old_total"]) - Decimal(c["new_total"]) == 2
    # 85.5 - 2 = 83.5 stays 良好: no grade change, so --fail-on grade-change passes
    res = CliRunner().invoke(main, ["diff", str(RULEBOOK), str(new), "--data", str(data), "--fail-on", "grade-change"])
    assert res.exit_code == 0
    res = CliRunner().invoke(main, ["diff", str(RULEBOOK), str(new), "--data", str(data), "--fail-on", "score-change"])
    assert res.exit_code == 1
    assert "6 个单位，3 个得分变化，0 个等级变化" in res.stdout


def test_plain_and_quoted_csv_score_alike_in_parallel(rb, tmp_path):
    """The workers split a chunk without quotes on newlines and commas, and hand one with
    quotes to the csv module: blank lines, row numbers, ids and scores come out the same."""
    from jixiao.compiler.data.parallel import score_csv_parallel
    header, rows = unit_rows(rb)
    units = [list(r) for r in rows * 3]
    for k, r in enumerate(units):
        r[0] = f"单位{k}"
    plain = tmp_path / "plain.csv"
    with open(plain, "w", encoding="utf-8", newline="") as f:
        f.write(",".join(header) + "\n")
        for k, r in enumerate(units):
            f.write(",".join(r) + "\n")
            if k == 2:
                f.write("\n")                      # a blank line is skipped but counted
    quoted = tmp_path / "quoted.csv"
    with open(quoted, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, quoting=csv.QUOTE_ALL, lineterminator="\n")
        w.writerow(header)
        for k, r in enumerate(units):
            w.writerow(r)
            if k == 2:
                f.write("\n")
    outs = []
    for src in (plain, quoted):
        out = tmp_path / f"{src.stem}.out.csv"
        n, errors = score_csv_parallel(rb, src, out, jobs=2, chunk_bytes=300)
        assert n == len(units) and errors == []
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    assert outs[0].count(b"\r\n") == len(units) + 1      # the header and one line per unit, as csv writes them


def test_a_case_file_of_a_rows_rulebook_as_data(tmp_path):
    """`jixiao score 附件3.jx self-evaluation.jxc -o out.csv`: one line with the rulebook's
    own indicators in column order (the rows' total under 绩效指标), not the rows."""
    root = RULEBOOK.parent.parent
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(main, ["score", str(root / "stdlib_indicators" / "部门整体支出自评.jx"),
                                    str(root / "examples" / "chenxi-2021" / "self-evaluation.jxc"), "-o", str(out)])
    assert res.exit_code == 0, res.output
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "案例,预算执行,预算执行率,绩效指标,总分,等级"
    assert lines[1].split(",")[1:] == ["9", "9", "89", "98", "优"]


@pytest.mark.parametrize("ending", ["\r\n", "\n", "\r"])
@pytest.mark.parametrize("last_newline", [True, False])
def test_parallel_csv_line_endings_and_block_cuts(rb, tmp_path, ending, last_newline):
    """The main process cuts the file into blocks of whole records without decoding it:
    CRLF, LF and bare-CR files, with or without a final newline, cut into blocks of every
    size from a few bytes (a block boundary inside a record, between CR and LF, inside a
    multi-byte character) up, score exactly as the one-process path does."""
    from jixiao.compiler.data.parallel import score_csv_parallel
    header, rows = unit_rows(rb)
    units = [list(r) for r in rows * 3]
    for k, r in enumerate(units):
        r[0] = f"单位{k}"
    src = tmp_path / "units.csv"
    text = ending.join(",".join(r) for r in [header] + units) + (ending if last_newline else "")
    src.write_bytes(text.encode("utf-8"))
    want = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src), "-o", str(tmp_path / "one.csv"), "-j", "1"])
    assert want.exit_code == 0, want.output
    for size in (1, 7, 299, 1 << 19):
        out = tmp_path / f"par{size}.csv"
        n, errors = score_csv_parallel(rb, src, out, jobs=2, chunk_bytes=size)
        assert (n, errors) == (len(units), [])
        assert out.read_bytes() == (tmp_path / "one.csv").read_bytes(), size


def test_parallel_csv_reports_rows_after_blocks_by_their_number(rb, tmp_path):
    """Row numbers are counted per block by the main process: a bad cell far down the
    file is reported at its own row, whatever the block size."""
    from jixiao.compiler.data.parallel import score_csv_parallel
    header, rows = unit_rows(rb)
    units = [list(r) for r in rows * 20]
    col = header.index("在职人员数")
    units[33][col] = "很多"
    src = tmp_path / "units.csv"
    write_csv(src, header, units)
    for size in (50, 4096):
        n, errors = score_csv_parallel(rb, src, tmp_path / "out.csv", jobs=2, chunk_bytes=size, on_error="skip")
        assert n == len(units) - 1
        assert [(e.row, e.column) for e in errors] == [(35, "在职人员数")]


def test_parallel_csv_that_is_not_utf8(rb, tmp_path):
    from jixiao.compiler.data import DataError
    from jixiao.compiler.data.parallel import score_csv_parallel
    header, rows = unit_rows(rb)
    src = tmp_path / "gbk.csv"
    src.write_bytes((",".join(header) + "\n").encode("utf-8")
                    + "\n".join(",".join(r) for r in rows).encode("gbk") + b"\n")
    out = tmp_path / "out.csv"
    with pytest.raises(DataError, match="UTF-8"):
        score_csv_parallel(rb, src, out, jobs=2, chunk_bytes=64)
    assert not out.exists()


def test_parallel_csv_switches_to_quoted_records_midway(rb, tmp_path):
    """Plain records first, then one whose id holds a quoted comma, quote and newline:
    the blocks before it are cut without decoding, the rest record by record; every
    size of block gives the one-process output and the same row numbers."""
    from jixiao.compiler.data.parallel import score_csv_parallel
    header, rows = unit_rows(rb)
    units = [list(r) for r in rows * 10]
    for k, r in enumerate(units):
        r[0] = f"单位{k}"
    units[13][0] = '第13个,"特殊"\n单位'
    col = header.index("编制数")
    units[17][col] = "-1"                     # a bad row after the quoted one
    src = tmp_path / "units.csv"
    write_csv(src, header, units)
    want = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src), "-o", str(tmp_path / "one.csv"),
                                     "-j", "1", "--on-error", "skip"])
    assert want.exit_code == 1 and "第19行" in want.output, want.output    # a row is a record, newline inside or not
    for size in (1, 40, 500, 1 << 19):
        out = tmp_path / f"par{size}.csv"
        n, errors = score_csv_parallel(rb, src, out, jobs=2, chunk_bytes=size, on_error="skip")
        assert n == len(units) - 1 and [(e.row, e.column) for e in errors] == [(19, "编制数")], size
        assert out.read_bytes() == (tmp_path / "one.csv").read_bytes(), size


def test_parallel_csv_to_standard_output(rb, tmp_path):
    """Without -o the workers' bytes go to standard output, as the one-process path
    writes them (no byte-order mark, one line per unit)."""
    header, rows = unit_rows(rb)
    src = tmp_path / "units.csv"
    write_csv(src, header, rows * 4)
    outs = []
    for jobs in ("1", "2"):
        res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src), "-j", jobs])
        assert res.exit_code == 0, res.output
        outs.append(res.stdout_bytes)
    assert outs[0] == outs[1]
    assert outs[1].count(b"\n") == 9 and not outs[1].startswith(b"\xef\xbb\xbf")


def test_score_table_takes_rows_from_anywhere(rb):
    """compiler.batch.score_table: headers and (row number, cells) from any source, typed
    cells (Decimals, bools, tuples) or text; bad rows listed with their number."""
    from jixiao.compiler.data import score_table
    header, rows = unit_rows(rb)
    typed = []
    for name, path in CASES.items():
        inputs = rb.load_case(path).inputs
        typed.append([name] + [inputs[i.name] for i in rb.program.inputs])
    bad = list(rows[0])
    bad[header.index("编制数")] = "x"
    errors = []
    columns, scored = score_table(rb, header, enumerate(typed + rows + [bad], 1), on_error="skip", errors=errors)
    got = [(s.row, s.ids["单位"], s.total, s.grade) for s in scored]
    want = expected(rb)
    assert got == [(k, n, want[n][0], want[n][1]) for k, n in enumerate(list(CASES) * 2, 1)]
    assert [(e.row, e.column) for e in errors] == [(5, "编制数")]


@pytest.mark.parametrize("name, text", [
    ("deep.json", "[" * 100_000),
    ("deep.jsonl", '{"a": ' + "[" * 100_000 + "}\n"),
    ("bigint.json", '[{"a": ' + "1" * 6000 + "}]"),
    ("bigint.jsonl", '{"a": ' + "1" * 6000 + "}\n"),
    ("exponent.json", '[{"a": 1e9999999999999999999999}]'),
    ("exponent.jsonl", '{"a": 1e9999999999999999999999}\n'),
])
def test_hostile_json_data_is_a_diagnostic(tmp_path, name, text):
    """Nesting past the recursion limit and integers past Python's 4300-digit limit are
    refused with a message naming the file, never a traceback."""
    src = tmp_path / name
    src.write_text(text, encoding="utf-8")
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src)])
    assert res.exit_code == 1 and res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert res.output.startswith("error: ") and name in res.output and "Traceback" not in res.output
    assert len(res.output) < 1000


def test_hostile_mapping_file_is_a_diagnostic(rb, tmp_path):
    header, rows = unit_rows(rb)
    src = tmp_path / "units.csv"
    write_csv(src, header, rows)
    mapping = tmp_path / "map.json"
    mapping.write_text("[" * 100_000, encoding="utf-8")
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src), "--mapping", str(mapping)])
    assert res.exit_code == 1 and "映射文件不是合法 JSON" in res.output


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_csv_field_over_the_size_limit(rb, tmp_path, jobs):
    header, rows = unit_rows(rb)
    big = list(rows[0])
    big[0] = "x" * 200_000
    src = tmp_path / "units.csv"
    write_csv(src, header, [rows[1], big, rows[0]])
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src), "-j", jobs, "-o", str(tmp_path / "o.csv")])
    assert res.exit_code == 1 and "第3行" in res.output and "field larger than field limit" in res.output, res.output
    assert not (tmp_path / "o.csv").exists()


def one_vs_parallel(rb, tmp_path, src, sizes=(1, 40, 500, 1 << 19)):
    """(one-process output and error rows, [the same from the parallel path per block size])."""
    from jixiao.compiler.data.parallel import score_csv_parallel
    from jixiao.compiler.data import score_rows, write_results
    errors = []
    columns, scored = score_rows(rb, src, on_error="skip", errors=errors)
    one = tmp_path / "one.csv"
    write_results(rb, scored, one, [columns.headers[c] for c in columns.id_columns])
    want = (one.read_bytes(), [(e.row, e.column, e.message) for e in errors])
    got = []
    for size in sizes:
        out = tmp_path / f"par{size}.csv"
        n, errs = score_csv_parallel(rb, src, out, jobs=2, chunk_bytes=size, on_error="skip")
        got.append((out.read_bytes(), [(e.row, e.column, e.message) for e in errs]))
    return want, got


@pytest.mark.parametrize("where", ["header", "ids", "opening"])
def test_quotes_inside_fields_read_as_the_csv_module_reads_them(rb, tmp_path, where):
    """A quote that does not open a field is a literal character to the csv module; one
    that opens a field runs it on over the lines that follow. The parallel path finds the
    same records, with the same row numbers, whatever the block size (it used to count
    quotes: a quote in the header lost every record, quotes in ids shifted row numbers)."""
    header, rows = unit_rows(rb)
    units = [list(r) for r in rows * 20]
    for k, r in enumerate(units):
        r[0] = f"单位{k}"
    if where == "header":
        header = ['单位"名称'] + header[1:]
    elif where == "ids":
        units[1][0], units[5][0] = '单位1"', '单位5"'
    else:
        units[3][0] = 'a"b'
        units[3][1] = '"c'          # opens a quoted field that runs over the next lines
    units[30][header.index("编制数")] = "x"
    src = tmp_path / "units.csv"
    src.write_text("\n".join(",".join(r) for r in [header] + units) + "\n", encoding="utf-8")
    if where == "opening":      # a quote never closed: the file is refused alike by both paths (issue 18 item 3)
        from jixiao.compiler.data.results import DataError
        with pytest.raises(DataError, match="第5行") as e:
            one_vs_parallel(rb, tmp_path, src, sizes=())
        for size in (1, 40, 500, 1 << 19):
            with pytest.raises(DataError) as p:
                one_vs_parallel(rb, tmp_path, src, sizes=(size,))
            assert str(p.value) == str(e.value)
        return
    want, got = one_vs_parallel(rb, tmp_path, src)
    for g in got:
        assert g == want
    if where != "opening":
        assert [e[0] for e in want[1]] == [32]
        assert want[0].count(b"\r\n") == 1 + len(units) - 1


def test_csv_header_and_mapping_over_the_field_limit(rb, tmp_path):
    header, rows = unit_rows(rb)
    src = tmp_path / "units.csv"
    write_csv(src, ["x" * 200_000] + header[1:], rows)
    for jobs in ("1", "2"):
        res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src), "-j", jobs])
        assert res.exit_code == 1 and "表头" in res.output and "Traceback" not in res.output, res.output
    good = tmp_path / "good.csv"
    write_csv(good, header, rows)
    mapping = tmp_path / "map.csv"
    mapping.write_text("x" * 200_000 + ",编制数\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(good), "--mapping", str(mapping)])
    assert res.exit_code == 1 and "映射文件第1行" in res.output, res.output


def test_parallel_stop_lists_every_problem_of_the_first_bad_row(rb, tmp_path):
    header, rows = unit_rows(rb)
    units = [list(r) for r in rows * 3]
    units[2][header.index("编制数")] = "x"
    units[2][header.index("在职人员数")] = "y"
    units[4][header.index("编制数")] = "z"
    src = tmp_path / "units.csv"
    write_csv(src, header, units)
    outs = []
    for jobs in ("1", "2"):
        res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src), "-j", jobs, "-o", str(tmp_path / "o.csv")])
        assert res.exit_code == 1
        outs.append(sorted(line for line in res.output.splitlines() if line.startswith("error:")))
    assert outs[0] == outs[1] and len(outs[0]) == 2 and all("第4行" in x for x in outs[0])


def test_parallel_stdout_uses_the_streams_encoding(rb, tmp_path):
    import subprocess
    import sys
    header, rows = unit_rows(rb)
    src = tmp_path / "units.csv"
    write_csv(src, header, rows * 2)
    outs = []
    for jobs in ("1", "2"):
        proc = subprocess.run([sys.executable, "-m", "jixiao.compiler.cli", "score", str(RULEBOOK), str(src), "-j", jobs],
                              capture_output=True, env={**__import__("os").environ, "PYTHONIOENCODING": "gbk"},
                              cwd=ROOT, timeout=120)
        assert proc.returncode == 0, proc.stderr.decode("gbk", "replace")
        outs.append(proc.stdout)
    assert outs[0] == outs[1]
    assert outs[1].decode("gbk").startswith("单位,投入")


def test_parallel_scoring_refuses_rows_data(tmp_path):
    from jixiao.compiler.data import DataError
    from jixiao.compiler.data.parallel import score_csv_parallel
    rb2 = compile_rulebook(path=ROOT / "stdlib_indicators" / "部门整体支出自评.jx")
    src = tmp_path / "units.csv"
    write_csv(src, ["单位", "年初预算数", "全年执行数", "指标行"], [["a", "1", "1", "{}"]])
    with pytest.raises(DataError, match="-j 1"):
        score_csv_parallel(rb2, src, tmp_path / "o.csv")


def test_odd_ids_in_xlsx_output(rb, tmp_path):
    """An id that is a JSON array or object, or text with control characters a workbook
    cannot hold, is written as text (it crashed openpyxl)."""
    header, rows = unit_rows(rb)
    recs = [dict(zip(header, r)) for r in rows]
    recs[0]["单位"] = {"编码": [1, 2]}
    recs[1]["单位"] = "单位\x01名"
    src = tmp_path / "units.json"
    src.write_text(json.dumps(recs, ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out.xlsx"
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    ids = [r[0] for r in openpyxl.load_workbook(out).active.iter_rows(min_row=2, values_only=True)]
    assert ids == ['{"编码": [1, 2]}', "单位\ufffd名"]
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src), "-o", str(tmp_path / "out.csv")])
    assert read_out_csv(tmp_path / "out.csv")[0]["单位"] == '{"编码": [1, 2]}'


def test_score_table_checks_on_error(rb):
    from jixiao.compiler.data import score_table
    header, rows = unit_rows(rb)
    with pytest.raises(ValueError):
        score_table(rb, header, enumerate(rows, 2), on_error="ignore")


def case_folder(tmp_path, rb, budgets):
    """A folder of .jxc cases, one per budget completion figure, in subfolders."""
    text = CASES["report-figures"].read_text(encoding="utf-8")
    assert text.count("预算完成数 = 2318.14万元") == 1
    folder = tmp_path / "cases"
    for k, done in enumerate(budgets):
        sub = folder / ("甲" if k % 2 else "乙")
        sub.mkdir(parents=True, exist_ok=True)
        (sub / f"单位{k}.jxc").write_text(text.replace("预算完成数 = 2318.14万元", f"预算完成数 = {done}万元"),
                                        encoding="utf-8")
    return folder


def test_a_folder_of_cases_is_a_data_source(rb, tmp_path):
    """`jixiao score R folder/ -o out.csv`: every .jxc below it is one unit (ids 文件 and
    案例), scored as `jixiao score R case.jxc` scores it; a bad case is a bad row named by
    its file and line, skipped or stopping."""
    folder = case_folder(tmp_path, rb, ["2318.14", "2166.29", "1900"])
    (folder / "乙" / "坏.jxc").write_text('案例 "坏"\n编制数 = 很多\n', encoding="utf-8")
    out = tmp_path / "out.csv"
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(folder), "-o", str(out), "--on-error", "skip"])
    assert res.exit_code == 1
    assert "乙/坏.jxc:2:" in res.output and "3 个单位已评分，1 行有错被跳过" in res.output, res.output
    got = read_out_csv(out)
    assert [r["文件"] for r in got] == ["乙/单位0.jxc", "乙/单位2.jxc", "甲/单位1.jxc"]
    one = CliRunner().invoke(main, ["score", str(RULEBOOK), str(folder / "甲" / "单位1.jxc"), "--format", "json"])
    assert got[2]["总分"] == json.loads(one.stdout)["total"]
    assert [r["预算完成率"] for r in got] == ["3", "0", "3"]        # 96.31%, 78.9%, 90.00%
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(folder), "-o", str(out)])
    assert res.exit_code == 1 and "坏.jxc" in res.output and "未写出结果" in res.output
    empty = tmp_path / "empty"
    empty.mkdir()
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(empty)])
    assert res.exit_code == 1 and "没有案例文件" in res.output


def test_diff_over_a_folder_of_cases(rb, tmp_path):
    text = RULEBOOK.read_text(encoding="utf-8")
    new = tmp_path / "new.jx"
    new.write_text(text.replace("三档计分(完成率, 90%, 3, 80%, 1, 3)", "三档计分(完成率, 95%, 3, 80%, 1, 3)"),
                   encoding="utf-8")
    folder = case_folder(tmp_path, rb, ["2318.14", "2200", "2166.29", "2286.64", "1900"])
    res = CliRunner().invoke(main, ["diff", str(RULEBOOK), str(new), "--data", str(folder), "--format", "json"])
    assert res.exit_code == 0, res.output
    rep = json.loads(res.stdout)
    assert rep["units"] == 5
    assert [c["ids"]["文件"] for c in rep["changes"]] == ["乙/单位2.jxc", "甲/单位1.jxc"]   # 90.00%, 91.40%
    res = CliRunner().invoke(main, ["diff", str(RULEBOOK), str(new), "--data", str(folder / "甲" / "单位1.jxc")])
    assert res.exit_code == 0 and "1 个单位，1 个得分变化" in res.output, res.output


def test_a_folder_of_rows_cases_lists_their_rows(tmp_path):
    root = RULEBOOK.parent.parent
    rb2 = root / "stdlib_indicators" / "部门整体支出自评.jx"
    folder = tmp_path / "自评"
    folder.mkdir()
    (folder / "a.jxc").write_text((root / "examples" / "chenxi-2021" / "self-evaluation.jxc").read_text(encoding="utf-8"),
                                  encoding="utf-8")
    out = tmp_path / "out.json"
    res = CliRunner().invoke(main, ["score", str(rb2), str(folder), "-o", str(out)])
    assert res.exit_code == 0, res.output
    [unit] = json.loads(out.read_text(encoding="utf-8"))
    assert (unit["文件"], unit["总分"], unit["等级"]) == ("a.jxc", "98", "优")
    assert [r["得分"] for r in unit["指标行"]["绩效指标"]] == ["10", "10", "15", "13", "10", "10", "5", "5", "11"]


def test_a_folder_reports_broken_links_and_takes_any_case_of_suffix(rb, tmp_path):
    folder = case_folder(tmp_path, rb, ["2318.14"])
    (folder / "乙" / "大写.JXC").write_text(CASES["report-figures"].read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "断链.jxc").symlink_to(tmp_path / "nowhere.jxc")
    errors = []
    from jixiao.compiler.data import score_rows
    _, scored = score_rows(rb, folder, on_error="skip", errors=errors)
    assert [s.ids["文件"] for s in scored] == ["乙/单位0.jxc", "乙/大写.JXC"]
    assert [(e.file, "E0106" in e.text()) for e in errors] == [("断链.jxc", True)]


def test_stopping_prints_the_same_rows_in_both_paths(rb, tmp_path):
    """On standard output, stopping at a bad row (or at a record the csv module refuses)
    prints the rows before it — with one process and with workers, whatever the block."""
    header, rows = unit_rows(rb)
    units = [list(r) for r in rows * 3]
    for k, r in enumerate(units):
        r[0] = f"单位{k}"
    units[3][header.index("编制数")] = "0"          # 在职/编制: division by zero -> a bad row
    src = tmp_path / "units.csv"
    write_csv(src, header, units)
    big = list(units[4])
    big[0] = "x" * 200_000
    src2 = tmp_path / "big.csv"
    write_csv(src2, header, units[:2] + [big] + units[2:])
    for path, flags in ((src, []), (src2, ["--on-error", "skip"])):
        outs = []
        for jobs in ("1", "2"):
            res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(path), "-j", jobs, *flags])
            assert res.exit_code == 1
            outs.append(res.stdout)
        assert outs[0] == outs[1]
        assert outs[0].count("\n") == (1 + 3 if path == src else 1 + 2), outs[0]
    from jixiao.compiler.data.parallel import score_csv_parallel
    import io as _io
    for size in (1, 64, 1 << 19):
        buf = _io.StringIO()
        with pytest.raises(Exception):
            score_csv_parallel(rb, src, None, jobs=2, chunk_bytes=size, stdout=buf)
        assert buf.getvalue().replace("\r\n", "\n") == outs_for(rb, src)      # CliRunner reads \r\n as \n


def outs_for(rb, src):
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src), "-j", "1"])
    return res.stdout


@pytest.mark.parametrize("case", ["fifo", "missing", "two_columns", "result_name", "single_json", "bad_xml"])
def test_more_data_files_that_are_refused_with_a_message(rb, tmp_path, case):
    import os
    import zipfile
    header, rows = unit_rows(rb)
    src = tmp_path / "units.csv"
    if case == "fifo":
        src = tmp_path / "units.jsonl"
        os.mkfifo(src)
        want = "不是普通文件"
    elif case == "missing":
        src = tmp_path / "nope.jsonl"
        want = "无法读取"
    elif case == "two_columns":
        write_csv(src, header + ["在职人员数 "], [r + ["1"] for r in rows])
        want = "两列都是输入「在职人员数」"
    elif case == "result_name":
        write_csv(src, header + ["总分"], [r + ["93.5"] for r in rows])
        want = "自评总分"
    elif case == "single_json":
        src = tmp_path / "one.json"
        src.write_text(json.dumps(dict(zip(header, rows[1])), ensure_ascii=False), encoding="utf-8")
        res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src)])
        assert res.exit_code == 0 and res.stdout.splitlines()[1].startswith("report-figures,"), res.output
        return
    else:
        good = tmp_path / "good.xlsx"
        wb = openpyxl.Workbook()
        wb.active.append(header)
        wb.active.append(rows[0])
        wb.save(good)
        src = tmp_path / "bad.xlsx"
        with zipfile.ZipFile(good) as zin, zipfile.ZipFile(src, "w") as zout:
            for item in zin.infolist():
                data = zin.read(item.filename)
                if item.filename == "xl/worksheets/sheet1.xml":
                    data = data[: len(data) // 2]          # a truncated sheet
                zout.writestr(item, data)
        want = "无法读取工作簿"
    for jobs in ("1", "2"):
        res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src), "-j", jobs, "-o", str(tmp_path / "o.csv")])
        assert res.exit_code == 1 and want in res.output and "Traceback" not in res.output, res.output
        assert not (tmp_path / "o.csv").exists()


def test_odd_numeric_ids_are_text_in_a_workbook(rb, tmp_path):
    header, rows = unit_rows(rb)
    recs = [dict(zip(header, r)) for r in rows]
    src = tmp_path / "units.json"
    src.write_text(json.dumps(recs, ensure_ascii=False).replace('"self-assessment"', "NaN")
                   .replace('"report-figures"', "1e999999999"), encoding="utf-8")
    out = tmp_path / "o.xlsx"
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src), "-o", str(out)])
    assert res.exit_code == 0, res.output
    ids = [r[0] for r in openpyxl.load_workbook(out).active.iter_rows(min_row=2, values_only=True)]
    assert ids == ["NaN", "1E+999999999"]


def test_json_records_with_ever_new_keys_are_refused(tmp_path):
    """Every key becomes a column of every row: a JSON Lines file whose records each bring
    new keys is refused past 10,000 keys instead of growing quadratically."""
    src = tmp_path / "keys.jsonl"
    src.write_text("\n".join(json.dumps({f"备注{k}": 1, f"说明{k}": 2}, ensure_ascii=False) for k in range(5001)) + "\n",
                   encoding="utf-8")
    res = CliRunner().invoke(main, ["score", str(RULEBOOK), str(src)])
    assert res.exit_code == 1 and "10000" in res.output


def test_a_json_lines_file_changed_between_its_two_readings(rb, tmp_path):
    from jixiao.compiler.data import DataError, read_rows
    header, rows = unit_rows(rb)
    src = tmp_path / "units.jsonl"
    src.write_text("\n".join(json.dumps(dict(zip(header, r)), ensure_ascii=False) for r in rows) + "\n", encoding="utf-8")
    headers, it = read_rows(src)
    with open(src, "a", encoding="utf-8") as f:
        f.write(json.dumps({"备注": "新"}, ensure_ascii=False) + "\n")
    with pytest.raises(DataError, match="changed"):
        list(it)


def test_a_row_of_spaces_is_blank_in_every_format(tmp_path):
    """A row whose cells are empty or only spaces is skipped, in a CSV, a Parquet file and a
    workbook alike (found 2026-12-04 by tests/property/test_engine_duckdb_typed.py: a
    workbook row holding only " " was a row of errors for the Python engine, blank for
    the DuckDB engine and in a Parquet file)."""
    from jixiao.compiler.data.readers import read_rows
    headers = ["单位编码", "甲", "乙"]
    rows = [["U1", "1", "2"], [None, " ", "\u3000"], [None, None, " \t"], ["U2", "3", None]]
    wb = openpyxl.Workbook()
    wb.active.append(headers)
    for r in rows:
        wb.active.append(r)
    wb.save(tmp_path / "u.xlsx")
    csv_path = tmp_path / "u.csv"
    csv_path.write_text("\n".join(",".join(c or "" for c in r) for r in [headers] + rows) + "\n", encoding="utf-8")
    got = {}
    for p in (tmp_path / "u.xlsx", csv_path):
        _, it = read_rows(p, None)
        got[p.suffix] = [i for i, _ in it]
    try:
        import duckdb
    except ImportError:
        duckdb = None
    if duckdb is not None:
        con = duckdb.connect()
        con.execute("CREATE TABLE t (\"单位编码\" VARCHAR, \"甲\" VARCHAR, \"乙\" VARCHAR)")
        con.executemany("INSERT INTO t VALUES (?, ?, ?)", rows)
        con.execute(f"COPY t TO '{tmp_path / 'u.parquet'}' (FORMAT parquet)")
        con.close()
        _, it = read_rows(tmp_path / "u.parquet", None)
        got[".parquet"] = [i for i, _ in it]
    assert all(v == [2, 5] for v in got.values()), got


def test_a_date_column_in_a_csv_reads_as_the_general_path_reads_it(tmp_path):
    """The CSV converter (columns.fast_converter) read a date cell as a number: 0 or 738000
    in a 日期 column was scored as that day number (found 2026-12-04 by
    tests/property/test_engine_duckdb_cells.py: the DuckDB engine, reading dates as dates,
    refused the row). Each row now scores, or fails with the words, of score_cells."""
    from jixiao.compiler.api import compile_rulebook
    from jixiao.compiler.data.columns import Columns
    from jixiao.compiler.data.job import score_file
    from jixiao.compiler.data.scoring import score_cells
    book = compile_rulebook(text='规则集 "日期"\n满分 3\n输入 下达日期: 日期\n一级指标 F 3分:\n'
                                 '  得分 = 如果 下达日期 ≤ 2024-06-30 则 3 否则 1\n'
                                 '等级:\n  好: 总分 ≥ 2\n  差: 否则\n', name="d.jx")
    dates = ["0", "738000", "2024-06-30", "2024-07-01", " 2024-06-30", "2024/6/30", "2024年6月30日",
             "2024-02-30", "20240630", "1e5", ""]
    data = tmp_path / "u.csv"
    data.write_text("单位编码,下达日期\n" + "".join(f"U{k},{d}\n" for k, d in enumerate(dates)), encoding="utf-8")
    n, errors = score_file(book, data, tmp_path / "o.csv", engine="python", on_error="skip")
    cols = Columns(book, ["单位编码", "下达日期"], None, None)
    want = [score_cells(book, cols, k + 2, [f"U{k}", d]) for k, d in enumerate(dates)]
    assert [e.text() for e in errors] == [e.text() for w in want if isinstance(w, list) for e in w]
    assert n == sum(not isinstance(w, list) for w in want) == 5
    scores = [line.split(",")[1] for line in (tmp_path / "o.csv").read_text(encoding="utf-8-sig").splitlines()[1:]]
    assert scores == ["3", "1", "3", "3", "3"]
