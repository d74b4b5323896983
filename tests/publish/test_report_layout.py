"""The printed layout of the report workbook: row heights from the wrapped text, merged
cells centred, print titles, page breaks that never start a page with a subtotal; the
signature block and 评价结论; footers that do not name the tool."""
from pathlib import Path

import openpyxl
import pytest

from jixiao import compile_rulebook
from jixiao.compiler import publish
from jixiao.compiler.publish.tables import report_table

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    rb = compile_rulebook(path=ROOT / "stdlib_indicators" / "部门整体支出.jx")
    case = rb.load_case(ROOT / "examples" / "chenxi-2021" / "report-figures.jxc")
    result = rb.evaluate_case(case, trace=True)
    out = tmp_path_factory.mktemp("layout") / "评分表.xlsx"
    table = publish.write_report(rb, case, result, out, sign={"evaluator": "辰溪县财政局", "date": "2022年5月"})
    return table, openpyxl.load_workbook(out).active, (rb, case, result)


def test_page_breaks_never_start_a_page_with_a_subtotal(report):
    table, ws, _ = report
    breaks = [b.id for b in ws.row_breaks.brk]
    assert breaks, "33 indicators do not fit one A4 page"
    first = 5
    for b in breaks:
        nxt = table.rows[b + 1 - first]
        assert nxt.kind not in ("subtotal", "total", "grade"), (b, nxt.kind)
    assert ws.print_title_rows == "$3:$4"


def test_merged_labels_centred_both_ways(report):
    _, ws, _ = report
    merged = [m for m in ws.merged_cells.ranges if m.min_col == 1 and m.min_row >= 5 and m.max_row > m.min_row]
    assert merged
    for m in merged:
        a = ws.cell(m.min_row, 1).alignment
        assert (a.horizontal, a.vertical) == ("center", "center"), m


def test_row_heights_follow_the_wrapped_text(report):
    table, ws, _ = report
    # 职责明确: its longest cell is the 指标解释说明 (62 CJK characters in a 34-wide column)
    r = 5 + next(i for i, row in enumerate(table.rows) if row.node is not None and row.node.name == "职责明确")
    h = ws.row_dimensions[r].height
    assert 30 <= h <= 60, h


def test_signature_block_and_conclusion(report):
    table, ws, _ = report
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert any(t.startswith("评价结论：经评价") and "总分85.5分" in t and "良好" in t for t in texts)
    assert "评价机构（盖章）：辰溪县财政局" in texts and "评价日期：2022年5月" in texts
    assert any(t.startswith("复核单位（盖章）：") for t in texts)
    assert [k for k, _ in table.signature] == ["评价机构（盖章）", "评价人员（签字）", "复核单位（盖章）", "复核人（签字）", "评价日期"]


def test_nothing_names_the_tool(report, tmp_path):
    table, ws, (rb, case, result) = report
    assert "jixiao" not in (ws.oddFooter.center.text or "")
    assert not any("jixiao" in n for n in table.notes)
    for suffix in (".html", ".md"):
        out = tmp_path / f"r{suffix}"
        publish.write_report(rb, case, result, out)
        assert "jixiao" not in out.read_text(encoding="utf-8")
    doc = tmp_path / "d.md"
    publish.write_doc(rb, doc)
    assert "jixiao" not in doc.read_text(encoding="utf-8")


def test_original_wording_by_default(report):
    table, _, _ = report
    row = next(r for r in table.rows if r.node is not None and r.node.name == "财政供养人员控制率")
    assert row.cells["original"] == "目标值≤100%；达到目标值得3分，每超出1人扣0.1分，扣完为止。"
    assert "超编32人" in row.cells["basis"] and "扣3.2分" in row.cells["basis"]
