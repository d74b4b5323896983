"""The batch accounting invariant (issue 18): for random CSV, XLSX and JSON Lines files
of units with random bad rows, every input row is either scored or reported — scored +
reported = input rows — and the one-process and worker paths write the same bytes and
report the same rows; the same units in CSV, XLSX and JSON Lines score alike.

Budget: 30 tables (each written in the three formats, the CSV scored by one process and
by two workers with a random block size) ≈ 10 s. JIXIAO_PROPERTY_SCALE multiplies it.
"""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
from hypothesis import given, note
from hypothesis import strategies as st

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.data.job import score_file
from jixiao.compiler.data.parallel import score_csv_parallel

from .rulebook_gen import profile

# a two-indicator rulebook (a tier on a ratio, a capped sum) and its columns, shared with
# tests/robustness/test_hostile_data.py
RULEBOOK = (Path(__file__).resolve().parents[1] / "data" / "two_indicators.jx").read_text(encoding="utf-8")
HEAD = ["单位", "预算数", "执行数", "覆盖率", "人数"]
RB = compile_rulebook(RULEBOOK, name="t.jx")

ids = st.text(st.sampled_from('ab单位,"\' 1\n'), min_size=1, max_size=6).filter(lambda s: s.strip())
good = {
    "预算数": st.sampled_from(["100", "2,406.98", "0.5", "410万元", "72890元", "1"]),
    "执行数": st.sampled_from(["0", "100", "99.99", "1,000", "50万元", "12"]),
    "覆盖率": st.sampled_from(["50%", "0.963", "100%", "0", "3个百分点", "96.3％"]),
    "人数": st.sampled_from(["0", "3", "89人", "1,000"]),
}
bad = st.sampled_from(["", "x", "2,5", "1,00", "1_0", "1e3", "300%", "-1", "NaN", "3pp", "1" * 29, ".5"])


@st.composite
def tables(draw):
    rows = []
    for k in range(draw(st.integers(1, 40))):
        row = [f"{draw(ids)}{k}"]
        for name in HEAD[1:]:
            row.append(draw(bad) if draw(st.integers(0, 9)) == 0 else draw(good[name]))
        rows.append(row)
    return rows


def write_all(tmp: Path, rows):
    with open(tmp / "d.csv", "w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows([HEAD] + rows)
    wb = openpyxl.Workbook()
    for r in [HEAD] + rows:
        wb.active.append(r)
    wb.save(tmp / "d.xlsx")
    with open(tmp / "d.jsonl", "w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(dict(zip(HEAD, r)), ensure_ascii=False) + "\n")


@profile(30)
@given(rows=tables(), block=st.sampled_from([1, 64, 300, 1 << 19]))
def test_scored_plus_reported_is_every_row_and_both_paths_agree(tmp_path_factory, rows, block):
    tmp = tmp_path_factory.mktemp("acct")
    write_all(tmp, rows)
    note(repr(rows))
    results = {}
    for name in ("d.csv", "d.xlsx", "d.jsonl"):
        out = tmp / f"out-{name}.csv"
        n, errors = score_file(RB, tmp / name, out, on_error="skip", jobs=1)
        reported = {e.row for e in errors}
        assert n + len(reported) == len(rows), (name, n, sorted(reported))
        # a JSON Lines record is numbered by its line, a table's row as a spreadsheet counts (header = 1)
        results[name] = (out.read_bytes(), sorted(r + 1 if name == "d.jsonl" else r for r in reported))
    out = tmp / "par.csv"
    n, errors = score_csv_parallel(RB, tmp / "d.csv", out, on_error="skip", jobs=2, chunk_bytes=block)
    assert n + len({e.row for e in errors}) == len(rows)
    one = tmp / "out-d.csv.csv"
    _, errs_one = score_file(RB, tmp / "d.csv", one, on_error="skip", jobs=1)
    assert out.read_bytes() == one.read_bytes()
    assert [(e.row, e.column, e.message) for e in errors] == [(e.row, e.column, e.message) for e in errs_one]
    # the same table in the three formats: the same units scored alike, the same rows reported
    assert results["d.csv"] == results["d.xlsx"] == results["d.jsonl"]


line_faults = st.sampled_from(["none"] * 12 + ["comma", "quote", "gbk", "short", "trailing"])


@st.composite
def raw_csv(draw):
    """CSV lines written by hand: most well formed, some with an unquoted comma in a number
    (an extra cell), a quote that never closes, a row saved in GBK, missing cells, empty
    trailing cells."""
    lines = []
    for k in range(draw(st.integers(1, 40))):
        cells = [f"单位{k}", draw(good["预算数"]).replace(",", ""), draw(good["执行数"]).replace(",", ""), "50%", "3"]
        fault = draw(line_faults)
        if fault == "comma":
            cells[1] = "1,000"
        elif fault == "quote":
            cells[0] = '"' + cells[0]
        elif fault == "short":
            cells = cells[:3]
        elif fault == "trailing":
            cells += ["", ""]
        text = ",".join(cells)
        lines.append(text.encode("gbk") if fault == "gbk" else text.encode("utf-8"))
    return lines


@profile(30)
@given(lines=raw_csv(), block=st.sampled_from([1, 64, 300, 1 << 19]))
def test_messy_csv_rows_are_scored_or_reported_alike_by_both_paths(tmp_path_factory, lines, block):
    from jixiao.compiler.data.results import DataError
    tmp = tmp_path_factory.mktemp("messy")
    src = tmp / "d.csv"
    src.write_bytes(b"\n".join([",".join(HEAD).encode()] + lines) + b"\n")
    note(repr(lines))
    outcomes = []
    for jobs in (1, 2):
        out = tmp / f"o{jobs}.csv"
        try:
            if jobs == 1:
                n, errors = score_file(RB, src, out, on_error="skip", jobs=1)
            else:
                n, errors = score_csv_parallel(RB, src, out, on_error="skip", jobs=2, chunk_bytes=block)
        except DataError as e:
            assert not out.exists()
            outcomes.append(("refused", str(e)))
            continue
        # rows are records: a quote closed on a later line makes those lines one record
        records = [r for r in csv.reader(io.StringIO(src.read_bytes().decode("utf-8", "surrogateescape"), newline=""))][1:]
        assert n + len({e.row for e in errors}) == len(records), (jobs, n, errors)
        outcomes.append((out.read_bytes(), [(e.row, e.column, e.message) for e in errors]))
    assert outcomes[0] == outcomes[1]
    if outcomes[0][0] == "refused":          # a file refused names the row at fault
        assert "行" in outcomes[0][1] and any(b"\"" in x or not _utf8(x) for x in lines)


def _utf8(b: bytes) -> bool:
    try:
        b.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False
