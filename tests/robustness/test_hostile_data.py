"""Hostile and messy data files (issue 18, the data half): nothing lost, the same text
the same value everywhere, the one-process and worker paths alike, no traceback.

Each test is named after the item of the issue it pins (test_itemNN_…)."""
from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from decimal import Decimal as D
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.cli import main
from jixiao.compiler.backend import runtime
from jixiao.compiler.data.frames import score_frame
from jixiao.compiler.data.job import score_file
from jixiao.compiler.data.results import DataError
from jixiao.compiler.verify import interpreter
from jixiao.dsl.diagnostics import JixiaoError

# a two-indicator rulebook (a tier on a ratio, a capped sum) and its columns, shared with
# tests/property/test_batch_accounting.py
RULEBOOK = (Path(__file__).resolve().parents[1] / "data" / "two_indicators.jx").read_text(encoding="utf-8")
HEAD = ["单位", "预算数", "执行数", "覆盖率", "人数"]


@pytest.fixture(scope="module")
def rb():
    return compile_rulebook(RULEBOOK, name="t.jx")


@pytest.fixture
def rb_path(tmp_path):
    p = tmp_path / "t.jx"
    p.write_text(RULEBOOK, encoding="utf-8")
    return p


def good_row(k):
    return [f"u{k}", "100", str(50 + k % 60), "50%", "3"]


def write_csv(path, header, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)


def run(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def score(rb_path, data, out, *extra):
    """`jixiao score RULEBOOK DATA -o OUT --on-error skip`: exit 0, or 1 with bad rows; never a traceback."""
    res = run("score", rb_path, data, "-o", out, "--on-error", "skip", *extra)
    assert res.exit_code in (0, 1) and isinstance(res.exception, (SystemExit, type(None))), res.output
    return res


def counts(output):
    """(units scored, bad rows skipped) from the batch summary line."""
    m = re.search(r"(\d+) unit\(s\) scored(?:, (\d+) bad row\(s\) skipped)?", output)
    assert m, output
    return int(m.group(1)), int(m.group(2) or 0)


# ───────────── item 1: an XLSX whose <dimension> understates the sheet ─────────────

def understate_dimension(path: Path, ref: str, sheet_no: int = 1):
    """Rewrite the workbook with the sheet's <dimension> tag set to ``ref``."""
    src = zipfile.ZipFile(path)
    items = [(i, src.read(i.filename)) for i in src.infolist()]
    src.close()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info, data in items:
            if info.filename == f"xl/worksheets/sheet{sheet_no}.xml":
                data, n = re.subn(rb'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>'.encode(), data)
                assert n == 1
            out.writestr(info, data)


def test_item01_xlsx_dimension_understated(rb_path, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEAD)
    for k in range(100):
        ws.append([f"u{k}", 100, 50 + k % 60, D("0.5"), 3])
    ws.append(["bad", "x", 1, D("0.5"), 3])
    data = tmp_path / "units.xlsx"
    wb.save(data)
    for ref in ("A1:E3", "A1:B2", "C3:D4"):          # too few rows; too few columns (the ids vanished); not at A1
        understate_dimension(data, ref)
        out = tmp_path / "out.csv"
        res = score(rb_path, data, out)
        assert counts(res.output) == (100, 1), (ref, res.output)
        got = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        assert [r["单位"] for r in got] == [f"u{k}" for k in range(100)]
        assert "第102行" in res.output


def test_item01_rows_sheet_dimension_understated(tmp_path):
    from jixiao.compiler.data.rowtable import load_row_table
    rows_rb = compile_rulebook(
        (Path(__file__).resolve().parents[2] / "stdlib_indicators" / "项目支出自评.jx").read_text(encoding="utf-8"),
        name="项目支出自评.jx")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "指标行"
    ws.append(["单位编码", "指标", "行", "分值"])
    for k in range(30):
        ws.append([f"u{k % 3}", "绩效指标", f"行{k}", 1])
    path = tmp_path / "rows.xlsx"
    wb.save(path)
    understate_dimension(path, "A1:B2")
    table = load_row_table(rows_rb, path)
    assert sum(len(lines) for lines in table.lines.values()) == 30
    assert table.key == "单位编码"
    rows = [row for part in table.units["u0"].values() for row in part]
    assert len(rows) == 10 and all(row["名称"].startswith("行") and row["分值"] == 1 for row in rows)   # columns C, D kept


# ───────────── item 5: one number grammar for every source ─────────────

NUMBER_TEXTS = [
    # text, declared kind and unit, value (None: refused), the words of the refusal
    ("2,406.98", "amount", "万元", D("2406.98"), None),
    ("１，０００．５", "amount", "万元", D("1000.5"), None),
    ("2,5", "amount", "万元", None, "三位一组"),
    ("1,00", "amount", "万元", None, "三位一组"),
    ("1,000,00", "amount", "万元", None, "三位一组"),
    ("1_0", "amount", "万元", None, "不是数"),
    ("300%", "amount", "万元", None, "%"),
    ("3pp", "amount", "万元", None, "pp"),
    ("3个百分点", "count", "人", None, "个百分点"),
    ("96.3%", "rate", "%", D("0.963"), None),
    ("９６．３％", "rate", "%", D("0.963"), None),
    ("-0.5个百分点", "rate", "%", D("-0.005"), None),
    ("410万元", "amount", "万元", D("410"), None),
    ("72890元", "amount", "万元", D("7.289"), None),
    ("1.5亿元", "amount", "万元", D("15000"), None),
    ("89人", "count", "人", D("89"), None),
    ("89项", "count", "人", None, "项"),
    ("1e3万元", "amount", "万元", None, "科学计数法"),
    ("1E+3", "amount", "万元", None, "科学计数法"),
    (".5", "amount", "万元", None, "小数点"),
    ("5.", "amount", "万元", None, "小数点"),
    ("NaN", "amount", "万元", None, "不是数"),
    ("3分", "score", None, D("3"), None),
]


@pytest.mark.parametrize("text, kind, unit, value, refusal", NUMBER_TEXTS, ids=[t[0] for t in NUMBER_TEXTS])
def test_item05_one_number_grammar(text, kind, unit, value, refusal):
    if value is not None:
        assert runtime.to_decimal(text, kind, unit) == value
    else:
        with pytest.raises(runtime.NumberError) as e:
            runtime.to_decimal(text, kind, unit)
        assert refusal in e.value.zh + (e.value.unit or "")


CASE_RB = """规则集 "t"
满分 5
指标 A 4分:
  输入 覆盖率: 比率
  得分 = 覆盖率 × 4
指标 B 1分:
  输入 预算数: 金额(万元) > 0
  得分 = 如果 预算数 ≥ 1000 则 1 否则 0
等级:
  全: 否则
"""


@pytest.mark.parametrize("budget, rate", [("2,406.98", "96.3%"), ("2,5", "50%"), ("1,00", "50%"), ("300%", "50%"),
                                          ("3pp", "50%"), ("410万元", "3个百分点"), ("72890元", "96.3%"), ("1_0", "50%"),
                                          ("1e3万元", "50%")])
def test_item05_same_text_same_value_in_every_source(tmp_path, budget, rate):
    """A value in a .jxc case, a CSV cell (both paths), an XLSX text cell, a JSON string,
    the Python API and a DataFrame: the same value, or refused by every one of them."""
    rb = compile_rulebook(CASE_RB, name="t.jx")
    rbp = tmp_path / "t.jx"
    rbp.write_text(CASE_RB, encoding="utf-8")
    outcomes = {}

    def outcome(f):
        try:
            r = f()
        except (JixiaoError, DataError) as e:
            return "refused"
        return r

    # .jxc (a case file's grammar: a number and its unit; 2,5 or 1_0 are no number there at all)
    outcomes["jxc"] = outcome(lambda: rb.evaluate_case(rb.case_from_text(
        f'案例 "c"\n预算数 = {budget}\n覆盖率 = {rate}\n', "c.jxc")).total)
    outcomes["api"] = outcome(lambda: rb.evaluate({"预算数": budget, "覆盖率": rate}).total)
    pd = pytest.importorskip("pandas")
    outcomes["frame"] = outcome(lambda: score_frame(rb, pd.DataFrame({"预算数": [budget], "覆盖率": [rate]}),
                                                    on_error="skip")["总分"].tolist() or "refused")
    write_csv(tmp_path / "d.csv", ["单位", "预算数", "覆盖率"], [["u", budget, rate]])
    wb = openpyxl.Workbook()
    wb.active.append(["单位", "预算数", "覆盖率"])
    wb.active.append(["u", budget, rate])
    wb.save(tmp_path / "d.xlsx")
    (tmp_path / "d.json").write_text(json.dumps([{"单位": "u", "预算数": budget, "覆盖率": rate}], ensure_ascii=False),
                                     encoding="utf-8")
    for name, jobs in (("d.csv", 1), ("d.csv", 2), ("d.xlsx", 1), ("d.json", 1)):
        out = tmp_path / f"o-{jobs}-{name}.csv"
        res = score(rbp, tmp_path / name, out, "-j", jobs)
        rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
        outcomes[f"{name} -j {jobs}"] = D(rows[0]["总分"]) if rows else "refused"
    norm = {k: (v[0] if isinstance(v, list) else v) for k, v in outcomes.items()}
    values = {k: v for k, v in norm.items() if k != "jxc"}
    assert len(set(values.values())) == 1, norm
    # the case file's grammar is narrower (no commas at all), never different in value
    assert norm["jxc"] in (next(iter(values.values())), "refused"), norm
    if budget in ("2,5", "1,00", "300%", "3pp", "1_0", "1e3万元"):
        assert set(norm.values()) == {"refused"}, norm


def test_item05_extra_cells_beyond_the_header_are_reported(rb_path, tmp_path):
    data = tmp_path / "d.csv"
    data.write_text("单位,预算数,执行数,覆盖率,人数\nu1,100,100,50%,3\nu2,1,000,100,50%,3\nu3,100,100,50%,3\n",
                    encoding="utf-8")
    outs = []
    for jobs in (1, 2):
        out = tmp_path / f"o{jobs}.csv"
        res = score(rb_path, data, out, "-j", jobs)
        assert counts(res.output) == (2, 1), res.output
        assert "第3行" in res.output and ("多出" in res.output or "more cells" in res.output), res.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]


def test_item05_duplicate_json_keys_are_refused(rb_path, tmp_path):
    data = tmp_path / "d.jsonl"
    data.write_text('{"单位": "u1", "预算数": 100, "执行数": 100, "覆盖率": "50%", "人数": 3}\n'
                    '{"单位": "u2", "预算数": 100, "执行数": 1, "执行数": 100, "覆盖率": "50%", "人数": 3}\n',
                    encoding="utf-8")
    res = score(rb_path, data, tmp_path / "o.csv")
    assert res.exit_code != 0 and "执行数" in res.output and ("重复" in res.output or "twice" in res.output), res.output
    data = tmp_path / "d.json"
    data.write_text('[{"单位": "u1", "预算数": 100, "预算数": 5, "执行数": 100, "覆盖率": "50%", "人数": 3}]', encoding="utf-8")
    res = score(rb_path, data, tmp_path / "o.csv")
    assert res.exit_code != 0 and "预算数" in res.output, res.output


def test_item05_json_with_two_unit_lists_is_refused(rb_path, tmp_path):
    unit = {"单位": "u1", "预算数": 100, "执行数": 100, "覆盖率": "50%", "人数": 3}
    data = tmp_path / "d.json"
    data.write_text(json.dumps({"units": [unit], "单位": [dict(unit, 单位="u2")]}, ensure_ascii=False), encoding="utf-8")
    res = score(rb_path, data, tmp_path / "o.csv")
    assert res.exit_code != 0 and ("两个" in res.output or "two" in res.output), res.output


# ───────────── item 6: values beyond 28 significant digits ─────────────

@pytest.mark.parametrize("value", ["2.4999999999999999999999999999999", "1" * 29, D("0." + "3" * 42),
                                   "1,000,000,000,000,000,000,000,000,000.5"])
def test_item06_values_beyond_28_digits_are_refused_everywhere(rb, rb_path, tmp_path, value):
    inputs = {"预算数": "100", "执行数": value, "覆盖率": "50%", "人数": 3}
    with pytest.raises(JixiaoError) as e:
        rb.evaluate(inputs)
    assert "28" in e.value.diagnostics[0].message
    with pytest.raises(JixiaoError):
        rb.evaluate(inputs, trace=True)
    with pytest.raises(runtime.InputErrors):
        interpreter.validate(rb.program, inputs)
    if isinstance(value, str) and "," not in value:
        with pytest.raises(JixiaoError) as e:
            rb.case_from_text(f'案例 "c"\n预算数 = 100\n执行数 = {value}\n覆盖率 = 50%\n人数 = 3\n', "c.jxc")
        assert "28" in e.value.diagnostics[0].message
    write_csv(tmp_path / "d.csv", HEAD, [["u", "100", str(value), "50%", "3"]])
    for jobs in (1, 2):
        res = score(rb_path, tmp_path / "d.csv", tmp_path / "o.csv", "-j", jobs)
        assert counts(res.output) == (0, 1) and "28" in res.output, res.output


def test_item06_paths_agree_at_28_digits(rb):
    """Ratios of 28-digit values next to a tier boundary: the fast path, the traced path
    and the reference interpreter give the same score."""
    import random
    rnd = random.Random(18)
    for _ in range(300):
        b = D(rnd.randrange(10 ** 27, 10 ** 28)).scaleb(-rnd.randrange(0, 28))
        a = b + rnd.choice([-1, 0, 1]) * D(1).scaleb(b.as_tuple().exponent)
        inputs = {"预算数": b, "执行数": a, "覆盖率": "50%", "人数": 3}
        fast = rb.evaluate(inputs)
        traced = rb.evaluate(inputs, trace=True)
        scores, total, grade, _na, _t = interpreter.interpret(rb.program, interpreter.validate(rb.program, inputs))
        assert fast.total == traced.total == total, (a, b)
        assert fast.score("A") == (5 if a >= b else 2)


# ───────────── item 16: misleading messages ─────────────

def test_item16_xlsx_formula_without_cached_value(rb_path, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEAD)
    ws.append(["u1", 100, 100, D("0.5"), 3])
    ws.append(["u2", 100, "=B3*2", D("0.5"), 3])         # openpyxl writes the formula, no cached value
    data = tmp_path / "d.xlsx"
    wb.save(data)
    res = score(rb_path, data, tmp_path / "o.csv")
    assert counts(res.output) == (1, 1), res.output
    assert "C3" in res.output and "公式" in res.output and "缺少" not in res.output, res.output


def test_item16_exponent_in_a_case_is_a_number_diagnostic(rb):
    with pytest.raises(JixiaoError) as e:
        rb.case_from_text('案例 "c"\n预算数 = 1e3万元\n执行数 = 1\n覆盖率 = 50%\n人数 = 3\n', "c.jxc")
    msg = e.value.diagnostics[0].message
    assert "科学计数法" in msg and "unit" not in msg and "单位为" not in msg, msg


# ───────────── item 2: duplicate and blank id column headers ─────────────

def test_item02_duplicate_or_blank_id_headers(rb_path, tmp_path):
    rows = [["a1", "b1", "c1"] + good_row(1)[1:], ["a2", "b2", "c2"] + good_row(2)[1:]]
    # two blank headers: each kept, under its column's letter, in both paths alike
    data = tmp_path / "blank.csv"
    write_csv(data, ["", "", "单位"] + HEAD[1:], rows)
    outs = []
    for jobs in (1, 2):
        out = tmp_path / f"b{jobs}.csv"
        res = score(rb_path, data, out, "-j", jobs)
        assert counts(res.output) == (2, 0), res.output
        outs.append(out.read_bytes())
    assert outs[0] == outs[1]
    got = list(csv.DictReader(io.StringIO(outs[0].decode("utf-8-sig"))))
    assert [(r["列A"], r["列B"], r["单位"]) for r in got] == [("a1", "b1", "c1"), ("a2", "b2", "c2")]
    # the same header twice: refused by both paths with the same words
    data = tmp_path / "dup.csv"
    write_csv(data, ["单位", "单位", "x"] + HEAD[1:], rows)
    msgs = []
    for jobs in (1, 2):
        res = run("score", rb_path, data, "-o", tmp_path / "d.csv", "-j", jobs)
        assert res.exit_code == 1 and "第1列和第2列" in res.output and "Traceback" not in res.output, res.output
        msgs.append(res.output)
    assert msgs[0] == msgs[1]
    wb = openpyxl.Workbook()
    wb.active.append(["单位", "单位"] + HEAD[1:])
    wb.active.append(["a", "b"] + good_row(1)[1:])
    wb.save(tmp_path / "dup.xlsx")
    res = run("score", rb_path, tmp_path / "dup.xlsx", "-o", tmp_path / "d.csv")
    assert res.exit_code == 1 and "第1列和第2列" in res.output, res.output


# ───────────── item 3: a CSV quote that never closes ─────────────

@pytest.mark.parametrize("jobs", [1, 2])
def test_item03_csv_quote_never_closed(rb_path, tmp_path, jobs):
    lines = [",".join(HEAD)] + [",".join(good_row(k)) for k in range(1000)]
    lines[10] = '"u10,1,1,50%,3'
    data = tmp_path / "q.csv"
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "o.csv"
    res = run("score", rb_path, data, "-o", out, "--on-error", "skip", "-j", jobs)
    assert res.exit_code == 1 and "第11行" in res.output and "引号没有闭合" in res.output and "990" in res.output, res.output
    assert "Traceback" not in res.output and not out.exists()
    # closed quotes over several lines, the last record included, are fine
    lines[10] = '"u10\nsecond line",100,100,50%,3'
    lines[-1] = '"u999\nlast",100,100,50%,3'
    data.write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = score(rb_path, data, out, "-j", jobs)
    assert counts(res.output) == (1000, 0), res.output


@pytest.mark.parametrize("quoted", [False, True])
def test_item16_gbk_row_deep_in_a_csv(rb_path, tmp_path, quoted):
    """A row saved in GBK after 2,499 UTF-8 rows: named at its own row by both paths,
    the rows before it printed alike (a quote switches the worker path to parsed records)."""
    lines = [",".join(HEAD)] + [",".join(good_row(k)) for k in range(3000)]
    if quoted:
        lines[8] = '"u7",100,57,50%,3'
    data = ("\n".join(lines[:2500]) + "\n").encode() + "单位二五零零,100,1,50%,3\n".encode("gbk") \
        + ("\n".join(lines[2501:]) + "\n").encode()
    src = tmp_path / "g.csv"
    src.write_bytes(data)
    outs = []
    for jobs in (1, 2):
        res = run("score", rb_path, src, "--on-error", "skip", "-j", jobs)
        assert res.exit_code == 1 and "第2501行不是 UTF-8" in res.output and "Traceback" not in res.output, res.output
        outs.append(res.stdout)
    assert outs[0] == outs[1] and outs[0].count("\n") == 2500


# ───────────── item 9: a long header of digits; long JSON keys ─────────────

class _Deadline:
    """A hang guard (not a speed target): SIGALRM after ``seconds``; what is guarded takes
    milliseconds now, and minutes when the quadratic cost comes back."""

    def __init__(self, seconds):
        self.seconds = seconds

    def __enter__(self):
        import signal

        def hang(*_):
            raise TimeoutError(f"still running after {self.seconds} s")
        self.old = signal.signal(signal.SIGALRM, hang)
        signal.alarm(self.seconds)

    def __exit__(self, *exc):
        import signal
        signal.alarm(0)
        signal.signal(signal.SIGALRM, self.old)


CHECKLIST_RB = """规则集 "t"
满分 3
指标 A 3分:
  输入 要点: 清单["甲" 1分, "乙" 1分, "丙" 1分]
  得分 = 符合分(要点)
等级:
  全: 否则
"""


def test_item09_checklist_header_of_many_digits(tmp_path):
    from jixiao.compiler.data.columns import Columns, _checklist_part
    rb = compile_rulebook(CHECKLIST_RB, name="t.jx")
    inputs = {i.name: i for i in rb.program.inputs}
    norm = {n: n for n in inputs}
    # the forms an item column may take, as before
    for header, want in [("要点1", ("要点", 1)), ("要点.2", ("要点", 2)), ("要点[3]", ("要点", 3)), ("要点（2）", ("要点", 2)),
                         ("要点_1", ("要点", 1)), ("要点-3", ("要点", 3)), ("要点4", None), ("要点0", None), ("1", None),
                         ("要点", None), ("x1", None), ("要点" + "9" * 5, None)]:
        assert _checklist_part(header, inputs, norm) == want, header
    with _Deadline(20):
        for header in ("9" * 200_000, "要点" + "1" * 200_000, "要点." + "1" * 200_000 + "x"):
            assert _checklist_part(header, inputs, norm) is None
        cols = Columns(rb, ["要点", "9" * 200_000])
        assert cols.id_columns == [1]
    long_key = "k" * 5000
    (tmp_path / "d.jsonl").write_text(json.dumps({"要点": "全部符合", long_key: 1}) + "\n", encoding="utf-8")
    (tmp_path / "t.jx").write_text(CHECKLIST_RB, encoding="utf-8")
    res = run("score", tmp_path / "t.jx", tmp_path / "d.jsonl", "-o", tmp_path / "o.csv")
    assert res.exit_code == 1 and "1000" in res.output and "Traceback" not in res.output, res.output


# ───────────── item 17: the rulebook diff compares each indicator once ─────────────

def wide_rulebook(n, shift=0):
    parts = [f'规则集 "wide"\n满分 {n}\n输入 x: 数值 范围 0 至 {n}\n']
    for k in range(n):
        parts.append(f"一级指标 组{k} 1分:\n  指标 项{k} 1分:\n    得分 = 如果 x ≥ {k + shift if k % 2 else k} 则 1 否则 0\n")
    parts.append("等级:\n  全: 否则\n")
    return "".join(parts)


def test_item17_diff_lists_each_changed_leaf_once(tmp_path):
    from jixiao.compiler.data.rulebook_diff import diff
    n = 120
    old, new = compile_rulebook(wide_rulebook(n), name="old.jx"), compile_rulebook(wide_rulebook(n, 1), name="new.jx")
    data = tmp_path / "d.csv"
    write_csv(data, ["单位", "x"], [[f"u{k}", str(k)] for k in range(0, n, 7)])
    with _Deadline(60):
        rep = diff(old, new, data)
    assert rep.units == len(range(0, n, 7))
    for ch in rep.changes:
        x = int(ch.ids["单位"][1:])
        # only the leaf 项k moves (at odd k = x, where the threshold went from x to x + 1); never its 组k too
        assert [c[0] for c in ch.changed] == [f"项{x}"], ch


def test_item17_diff_of_every_indicator_changed_is_linear(tmp_path):
    """300 indicators, each changed for each of 100 units: every one listed; a hang guard
    (the quadratic search took ~15 s here, 539 s at 2,000 × 100; benchmarks/hostile_bench.py
    prints the ratio against scoring)."""
    from jixiao.compiler.data.rulebook_diff import diff
    n = 300

    def book(score):
        return (f'规则集 "wide"\n满分 {n}\n输入 x: 数值 范围 0 至 {n}\n'
                + "".join(f"一级指标 组{k} 1分:\n  指标 项{k} 1分:\n    得分 = 如果 x ≥ 0 则 {score} 否则 0\n" for k in range(n))
                + "等级:\n  全: 否则\n")
    old, new = compile_rulebook(book(1), name="old.jx"), compile_rulebook(book(0), name="new.jx")
    data = tmp_path / "d.csv"
    write_csv(data, ["单位", "x"], [[f"u{k}", str(k)] for k in range(100)])
    with _Deadline(10):
        rep = diff(old, new, data)
    assert len(rep.changes) == 100
    assert all([c[0] for c in ch.changed] == [f"项{k}" for k in range(n)] for ch in rep.changes)


# ───────────── item 14: a GBK standard output ─────────────

def jixiao_in_gbk(*args, cwd=None):
    import os
    import subprocess
    import sys
    script = Path(sys.executable).with_name("jixiao")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "jixiao.compiler.cli"]
    env = dict(os.environ, PYTHONIOENCODING="gbk")
    return subprocess.run(cmd + [str(a) for a in args], capture_output=True, env=env, cwd=cwd, timeout=300)


def test_item14_gbk_standard_output(rb_path, tmp_path):
    suite = Path(__file__).resolve().parents[2] / "stdlib_indicators" / "tests" / "计分方法.jxt"
    p = jixiao_in_gbk("test", suite)
    out, err = p.stdout.decode("gbk"), p.stderr.decode("gbk")
    assert p.returncode == 0 and "Traceback" not in err, err
    assert "√" in out and "passed" in out and "已替换" in err, (out, err)
    data = tmp_path / "e.csv"
    data.write_text(",".join(HEAD) + "\nu1😀,100,100,50%,3\n\"u2\",100,100,50%,3\n", encoding="utf-8")
    outs = []
    for jobs in (1, 2):
        p = jixiao_in_gbk("score", rb_path, data, "-j", jobs)
        out, err = p.stdout.decode("gbk"), p.stderr.decode("gbk")
        assert p.returncode == 0 and "Traceback" not in err, err
        assert out.splitlines() == ["单位,A,B,总分,等级", "u1?,5,2.5,7.5,好", "u2,5,2.5,7.5,好"], out
        assert "已替换" in err and "2 unit(s) scored" in err
        outs.append(p.stdout)
    assert outs[0] == outs[1]


# ───────────── item 18: SIGTERM / SIGHUP; a full disk ─────────────

def jixiao_cmd():
    import sys
    script = Path(sys.executable).with_name("jixiao")
    return [str(script)] if script.exists() else [sys.executable, "-m", "jixiao.compiler.cli"]


@pytest.mark.parametrize("signame, jobs, group", [("SIGTERM", 1, False), ("SIGHUP", 1, False), ("SIGTERM", 2, False),
                                                  ("SIGHUP", 2, True)])
def test_item18_signals_remove_the_partial_output(rb_path, tmp_path, signame, jobs, group):
    import os
    import signal
    import subprocess
    import time
    data = tmp_path / "huge.csv"
    data.write_text(",".join(HEAD) + "\n" + "".join(f"u{k},100,{50 + k % 60},50%,3\n" for k in range(400_000)),
                    encoding="utf-8")
    p = subprocess.Popen(jixiao_cmd() + ["score", str(rb_path), str(data), "-o", str(tmp_path / "out.csv"), "-j", str(jobs),
                                          "--engine", "python"],     # the Python writer (auto takes DuckDB for this file)
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    t0 = time.monotonic()
    while not list(tmp_path.glob(".out.csv.*.tmp")) and time.monotonic() - t0 < 60:
        time.sleep(0.01)
    assert list(tmp_path.glob(".out.csv.*.tmp")), "the run never started writing"
    time.sleep(0.2)
    sig = getattr(signal, signame)
    (os.killpg if group else os.kill)(p.pid, sig)       # the process, or its whole group (workers too)
    _out, err = p.communicate(timeout=60)
    assert p.returncode == 128 + sig, err
    assert not list(tmp_path.glob(".out.csv.*")) and not (tmp_path / "out.csv").exists()
    assert b"Traceback" not in err, err.decode()


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_item18_full_disk_is_one_message(rb_path, tmp_path, suffix):
    """A write that fails (RLIMIT_FSIZE stands in for a full disk): one error line, no
    `Exception ignored in ZipFile.__del__` traceback after it, no partial file left."""
    import resource
    import signal
    import subprocess
    data = tmp_path / "d.csv"
    data.write_text(",".join(HEAD) + "\n" + "".join(f"u{k},100,{50 + k % 60},50%,3\n" for k in range(20_000)),
                    encoding="utf-8")

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (60_000, 60_000))
    out = tmp_path / f"out{suffix}"
    p = subprocess.run(jixiao_cmd() + ["score", str(rb_path), str(data), "-o", str(out), "-j", "1"],
                       capture_output=True, preexec_fn=small_files, timeout=120)
    err = p.stderr.decode()
    assert p.returncode == 1 and err.startswith("error:") and "large" in err, err
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert err.strip().count("\n") == 0, err
    assert not out.exists() and not list(tmp_path.glob(f".out{suffix}.*"))
