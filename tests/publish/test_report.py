"""jixiao report: the 评分表 of a case as .xlsx / .html / .md, read back and rendered."""
import shutil
import re
import struct
import subprocess
import tempfile
import zlib
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.cli import main
from jixiao.compiler.publish import render_html, render_markdown, report_table, write_report
from jixiao.compiler.publish.report import result_json, score_table

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "stdlib_indicators" / "部门整体支出.jx"
REPORT = ROOT / "examples" / "chenxi-2021" / "report-figures.jxc"
SELF = ROOT / "examples" / "chenxi-2021" / "self-assessment.jxc"

HEADER_ROWS = 4          # title, subtitle, two header rows
FIRST = HEADER_ROWS + 1  # first data row


def scored(case_path):
    rb = compile_rulebook(path=RULEBOOK)
    case = rb.load_case(case_path)
    return rb, case, rb.evaluate_case(case, trace=True)


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory):
    d = tmp_path_factory.mktemp("report")
    out = {}
    for name, case in (("report", REPORT), ("self", SELF)):
        path = d / f"{name}.xlsx"
        res = CliRunner().invoke(main, ["report", str(RULEBOOK), str(case), "-o", str(path)])
        assert res.exit_code == 0, res.output
        out[name] = path
    return out


def columns(ws):
    """Header text -> column number (the lower header row names 指标名称/指标解释说明)."""
    out = {}
    for c in range(1, ws.max_column + 1):
        for r in (3, 4):
            v = ws.cell(r, c).value
            if v and v != "三级指标":
                out[v] = c
    return out


def merged_at(ws, row, col):
    for rng in ws.merged_cells.ranges:
        if rng.min_row <= row <= rng.max_row and rng.min_col <= col <= rng.max_col:
            return rng
    return None


def indicator_rows(ws):
    cols = columns(ws)
    return [r for r in range(FIRST, ws.max_row + 1)
            if isinstance(ws.cell(r, cols["指标名称"]).value, str) and ws.cell(r, cols["指标名称"]).value.endswith("分）")]


def test_workbook_has_the_33_indicator_rows_in_order(workbooks):
    ws = openpyxl.load_workbook(workbooks["report"]).active
    cols = columns(ws)
    assert list(cols) == ["一级指标", "二级指标", "指标名称", "指标解释说明", "评分标准", "得分", "自评得分", "差异", "评分依据"]
    rows = indicator_rows(ws)
    assert len(rows) == 33
    names = [ws.cell(r, cols["指标名称"]).value for r in rows]
    assert names[0] == "职责明确（1分）" and names[-1] == "社会公众满意度（5分）"
    assert names.count("管理制度健全性（2分）") == 2
    assert "支付进度率（6分）" in names and not any(n.startswith(("半年进度", "全年进度")) for n in names)
    assert ws.cell(1, 1).value == "部门整体支出绩效评价指标体系评分表"


def parts(ws, row, col, end):
    """The merged cells (or plain cells) that hold a block's label from ``row`` to ``end``,
    in order: a block is merged in parts, cut at the sheet's page breaks."""
    out = []
    while row <= end:
        rng = merged_at(ws, row, col)
        out.append((row, rng.max_row if rng is not None else row, ws.cell(row, col).value))
        row = out[-1][1] + 1
    return out


def test_merged_hierarchy_cells(workbooks):
    ws = openpyxl.load_workbook(workbooks["report"]).active
    cols = columns(ws)
    rows = indicator_rows(ws)
    name_row = {ws.cell(r, cols["指标名称"]).value: r for r in rows}
    breaks = {b.id for b in ws.row_breaks.brk}          # a page ends after each of these rows
    assert breaks

    def block(top, end, col, text):
        got = parts(ws, top, col, end)
        assert got[0][2] == text and all(t == text + "（续）" for _a, _b, t in got[1:]), got
        assert all(b in breaks for _a, b, _t in got[:-1]), (got, breaks)        # cut only at a page break
        assert not any(a <= b < z for a, z, _t in got for b in breaks), (got, breaks)  # never merged over one
        return got
    # 一级 投入: its 8 indicators and its 小计 row
    top = name_row["职责明确（1分）"]
    block(top, top + 8, cols["一级指标"], "投入（15分）")
    assert ws.cell(top + 8, cols["二级指标"]).value == "投入小计"
    # 二级 预算执行: its 8 indicators (支付进度率 with its two 子项 is one row)
    first = name_row["预算完成率（3分）"]
    block(first, first + 7, cols["二级指标"], "预算执行（27分）")
    assert ws.cell(first + 7, cols["指标名称"]).value == "政府采购执行率（3分）"
    # 过程 spans 16 indicators + 小计, over more than one page; 二级 with one indicator is a plain cell
    got = block(first, first + 16, cols["一级指标"], "过程（55分）")
    assert len(got) >= 2 and ws.cell(first + 16, cols["二级指标"]).value == "过程小计"
    assert merged_at(ws, name_row["监控率（2分）"], cols["二级指标"]) is None
    assert ws.cell(name_row["监控率（2分）"], cols["二级指标"]).value == "预算绩效监控管理（2分）"
    # no page starts with a subtotal, total or grade row
    for b in breaks:
        assert ws.cell(b + 1, cols["指标名称"]).value not in (None, ""), b
    # the header: 三级指标 over 指标名称 / 指标解释说明, the others over two rows
    assert str(merged_at(ws, 3, cols["指标名称"])) == "C3:D3"
    assert str(merged_at(ws, 3, cols["得分"])) == "F3:F4"


def test_scores_total_and_grade(workbooks):
    ws = openpyxl.load_workbook(workbooks["report"]).active
    cols = columns(ws)
    rows = indicator_rows(ws)
    by_name = {ws.cell(r, cols["指标名称"]).value: r for r in rows}
    score = lambda n: ws.cell(by_name[n], cols["得分"]).value
    assert score("财政供养人员控制率（3分）") == 0 and score("结转结余率（3分）") == 0
    assert score("支付进度率（6分）") == 5 and score("结果应用创新（1分）") == 0.5
    assert sum(Decimal(str(ws.cell(r, cols["得分"]).value)) for r in rows) == Decimal("85.5")
    total = next(r for r in range(FIRST, ws.max_row + 1) if ws.cell(r, 1).value == "合计（100分）")
    assert ws.cell(total, cols["得分"]).value == 85.5
    assert ws.cell(total, cols["自评得分"]).value == 93.5 and ws.cell(total, cols["差异"]).value == -8
    grade = total + 1
    assert ws.cell(grade, 1).value == "评价结果" and ws.cell(grade, cols["得分"]).value == "良好"
    assert ws.cell(grade, cols["指标解释说明"]).value == (
        "□优秀 90分≤得分≤100分；☑良好 80分≤得分<90分；□中 60分≤得分<80分；□较差 0分≤得分<60分")
    subtotals = {ws.cell(r, cols["二级指标"]).value: ws.cell(r, cols["得分"]).value
                 for r in range(FIRST, total) if str(ws.cell(r, cols["二级指标"]).value).endswith("小计")}
    assert subtotals == {"投入小计": 11, "过程小计": 46, "产出小计": 14, "效果小计": 14.5}


def test_audit_in_the_workbook(workbooks):
    wb = openpyxl.load_workbook(workbooks["report"])
    ws = wb.active
    cols = columns(ws)
    rows = indicator_rows(ws)
    diffs = {ws.cell(r, cols["指标名称"]).value: ws.cell(r, cols["差异"]).value for r in rows
             if ws.cell(r, cols["差异"]).value not in (None, "")}
    assert set(diffs) == {"财政供养人员控制率（3分）", "结转结余率（3分）", "公用经费控制率（3分）", "项目质量达标率（4分）"}
    assert diffs["财政供养人员控制率（3分）"] == -3
    assert diffs["项目质量达标率（4分）"] == "+1\n自评不可得（可得分值：0 ∪ [3.8, 4]）"
    r = next(r for r in rows if ws.cell(r, cols["指标名称"]).value == "财政供养人员控制率（3分）")
    assert ws.cell(r, cols["得分"]).fill.fgColor.rgb.endswith("FCE4D6")
    assert "在职人员数121人，编制数89人" in ws.cell(r, cols["评分依据"]).value
    ok = next(r for r in rows if ws.cell(r, cols["指标名称"]).value == "职责明确（1分）")
    assert ws.cell(ok, cols["得分"]).fill.fgColor.rgb != ws.cell(r, cols["得分"]).fill.fgColor.rgb
    # 子项: one row, the sum, each part in 评分依据
    r = next(r for r in rows if ws.cell(r, cols["指标名称"]).value == "支付进度率（6分）")
    basis = ws.cell(r, cols["评分依据"]).value.split("\n")
    assert basis[0].startswith("半年进度2分、全年进度3分；得5分")
    assert basis[1].startswith("半年进度：") and basis[2].startswith("全年进度：")


def test_self_assessment_workbook(workbooks):
    ws = openpyxl.load_workbook(workbooks["self"]).active
    cols = columns(ws)
    rows = indicator_rows(ws)
    assert len(rows) == 33
    total = next(r for r in range(FIRST, ws.max_row + 1) if ws.cell(r, 1).value == "合计（100分）")
    assert ws.cell(total, cols["得分"]).value == 93.5 and ws.cell(total + 1, cols["得分"]).value == "优秀"
    assert ws.cell(total, cols["差异"]).value in (None, "")
    r = next(r for r in rows if ws.cell(r, cols["指标名称"]).value == "项目质量达标率（4分）")
    assert ws.cell(r, cols["得分"]).value == 3
    assert ws.cell(r, cols["差异"]).value.startswith("自评不可得")
    assert ws.cell(r, cols["评分依据"]).value.startswith("【认定】认定得分3分")


def test_page_setup(workbooks):
    ws = openpyxl.load_workbook(workbooks["report"]).active
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == "9"
    assert ws.print_title_rows == "$3:$4"
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1
    assert ws.freeze_panes == "A5"
    cols = columns(ws)
    cell = ws.cell(FIRST, cols["指标解释说明"])
    assert cell.alignment.wrap_text and ws.cell(3, 1).font.b
    assert ws.column_dimensions["D"].width > ws.column_dimensions["F"].width


def test_without_claims_there_are_no_audit_columns(tmp_path):
    rb, case, result = scored(REPORT)
    plain = rb.evaluate(case.inputs, trace=True)
    t = report_table(rb, case, plain)
    assert [c.key for c in t.columns] == ["l1", "l2", "name", "doc", "original", "score", "basis"]
    assert abs(sum(c.pct for c in t.columns) - 100) < 0.01
    write_report(rb, case, plain, tmp_path / "plain.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "plain.xlsx").active
    assert "自评得分" not in columns(ws)


def test_original_criteria_option(tmp_path):
    out = tmp_path / "r.md"
    res = CliRunner().invoke(main, ["report", str(RULEBOOK), str(REPORT), "-o", str(out), "--criteria", "both"])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert "| 评分标准 | 原评分标准 |" in text
    assert "目标值≤100%；达到目标值得3分，每超出1人扣0.1分，扣完为止。" in text


def test_html_report(tmp_path):
    rb, case, result = scored(REPORT)
    text = render_html(report_table(rb, case, result))
    assert text.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in text
    assert "@page { size: A4 landscape; margin: 12mm; }" in text
    assert "thead { display: table-header-group; }" in text and "break-inside: avoid" in text
    assert '"Noto Sans CJK SC"' in text and "Microsoft YaHei" in text and "SimSun" in text
    # self-contained: nothing fetched
    for bad in ("<link", "<script", "src=", "url(", "http://", "https://"):
        assert bad not in text
    # print blocks (tbody) of a 二级指标 each, cut to fit a page: 投入 spans its first block,
    # then each later one again, marked 续
    assert re.search(r'<td class="h" rowspan="\d+">投入<span class="pts">（15分）</span></td>', text)
    assert re.search(r'<td class="h cont" rowspan="\d+">投入<span class="pts">（15分）</span><span class="cont-mark">（续）</span></td>', text)
    assert re.search(r'<td class="h" rowspan="\d+">预算执行<span class="pts">（27分）</span></td>', text)
    assert text.count('<tr class="indicator') == 33
    # escaped: the band 80分≤得分<90分 and the 差异 of an unattainable claim
    assert "80分≤得分&lt;90分" in text and "☑良好" in text
    assert '<span class="unattainable">+1\n自评不可得（可得分值：0 ∪ [3.8, 4]）</span>' in text
    assert text.count('class="indicator differs"') == 4


def test_html_escapes_everything():
    rb = compile_rulebook(text="""规则集 "<script>alert(1)</script> & co"
满分 1
一级指标 甲 1分:
  指标 乙 1分:
    说明 "<b>说明</b> & \\"引号\\""
    评分标准 "a < b"
    输入 x: 是否
    得分 = 如果 x 则 1 否则 0
等级:
  好: 0 ≤ 总分 ≤ 1
""")
    case = rb.case_from_text('案例 "<i>单位</i>"\nx = 是\n')
    text = render_html(report_table(rb, case, rb.evaluate_case(case, trace=True), criteria="both"))
    assert "<script>" not in text and "<b>" not in text and "<i>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in text
    assert "&lt;b&gt;说明&lt;/b&gt; &amp; &quot;引号&quot;" in text and "a &lt; b" in text
    md = render_markdown(report_table(rb, case, rb.evaluate_case(case, trace=True)))
    assert "<b>" not in md and "&lt;b>说明&lt;/b>" in md


def test_markdown_report(tmp_path):
    out = tmp_path / "r.md"
    res = CliRunner().invoke(main, ["report", str(RULEBOOK), str(REPORT), "-o", str(out)])
    assert res.exit_code == 0, res.output
    lines = out.read_text(encoding="utf-8").splitlines()
    table = [l for l in lines if l.startswith("|")]
    head = table[0]
    assert head == "| 一级指标 | 二级指标 | 三级指标 | 指标解释说明 | 评分标准 | 得分 | 自评得分 | 差异 | 评分依据 |"
    body = table[2:]
    assert all(l.count(" | ") >= 8 for l in body)
    rows = [l for l in body if "分） |" in l.split(" | ")[2] + " |"]
    assert len(rows) == 33
    # no merged cells: a parent is printed on the first row of its block, blank below
    assert body[0].startswith("| 投入（15分） | 目标设定（5分） | 职责明确（1分） |")
    assert body[1].startswith("|  |  | 活动合规性（1分） |")
    grade = next(l for l in body if l.startswith("| **评价结果**"))
    assert "☑良好 80分≤得分<90分" in grade and "□优秀" in grade
    assert any("⚠ **+1<br>自评不可得" in l for l in body)


def test_cli_report_errors(tmp_path):
    res = CliRunner().invoke(main, ["report", str(RULEBOOK), str(REPORT), "-o", str(tmp_path / "r.txt")])
    assert res.exit_code == 2
    bad = tmp_path / "bad.jxc"
    bad.write_text('案例 "x"\n编制数 = 多\n', encoding="utf-8")
    res = CliRunner().invoke(main, ["report", str(RULEBOOK), str(bad), "-o", str(tmp_path / "r.md")])
    assert res.exit_code == 1 and not (tmp_path / "r.md").exists()


def test_score_table_and_json_still_work():
    rb, case, result = scored(REPORT)
    assert "85.5" in score_table(result) and '"total": "85.5"' in result_json(result)


# ───────────────── rendering in a browser and in LibreOffice ─────────────────

def _chromium():
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome"):
        exe = shutil.which(name)
        if exe:
            return exe
    return None


def png_info(data: bytes):
    """(width, height, fraction of raw scanline bytes that are neither 0 nor 255,
    distinct byte values). A blank page's filtered scanlines are all 0 or 255."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, width, height = 8, [], None, None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", chunk[:8])
        elif kind == b"IDAT":
            idat.append(chunk)
        pos += 12 + n
    raw = zlib.decompress(b"".join(idat))
    plain = len(raw) - raw.count(0) - raw.count(255)
    return width, height, plain / len(raw), len(set(raw[::97]))


@pytest.mark.skipif(_chromium() is None, reason="Chromium is not installed (no chromium/chromium-browser/google-chrome "
                                                "on PATH); .ci/run installs it with apt-get install chromium")
def test_html_report_renders_in_headless_chromium(tmp_path):
    rb, case, result = scored(REPORT)
    html_path = tmp_path / "report.html"
    write_report(rb, case, result, html_path)
    png = tmp_path / "report.png"
    profile = tempfile.mkdtemp(prefix="jixiao-chromium-")
    try:
        cmd = [_chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--window-size=1600,2200", f"--screenshot={png}", html_path.as_uri()]
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=180, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert png.exists(), "Chromium wrote no screenshot"
    data = png.read_bytes()
    width, height, inked, distinct = png_info(data)
    assert (width, height) == (1600, 2200)
    assert len(data) > 50_000, "the screenshot is suspiciously small"
    assert inked > 0.005 and distinct > 20, "the screenshot looks blank"


def test_docs_screenshot_is_shipped():
    png = ROOT / "docs" / "img" / "report-chenxi-2021.png"
    assert png.exists() and png_info(png.read_bytes())[2] > 0.005
    assert "img/report-chenxi-2021.png" in (ROOT / "docs" / "report.md").read_text(encoding="utf-8")
