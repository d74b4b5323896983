"""The HTML report printed to PDF by headless Chromium, page by page (pdftotext): every
page that holds a 一级指标's rows names that 一级指标, and no page starts with a subtotal
row. ``pytest --update-golden`` also writes the pages as PNGs to docs/img/ (pdftoppm)."""
import re
import shutil
from pathlib import Path

import pytest

from jixiao import compile_rulebook
from jixiao.compiler import publish
from jixiao.compiler.publish.pdf import browser, page_images, page_texts

ROOT = Path(__file__).resolve().parents[2]
needs = pytest.mark.skipif(browser() is None or shutil.which("pdftotext") is None,
                           reason="needs Chromium and pdftotext (.ci/run installs chromium and poppler-utils with apt)")

CASES = {"chenxi-2021": ("部门整体支出.jx", "chenxi-2021/report-figures.jxc"),
         "project-2024": ("项目支出绩效评价.jx", "project-2024/饮水工程绩效评价.jxc")}


@pytest.fixture(scope="module", params=sorted(CASES))
def printed(request, tmp_path_factory):
    rbp, cp = CASES[request.param]
    rb = compile_rulebook(path=ROOT / "stdlib_indicators" / rbp)
    case = rb.load_case(ROOT / "examples" / cp)
    result = rb.evaluate_case(case, trace=True)
    pdf = tmp_path_factory.mktemp("print") / "评分表.pdf"
    table = publish.write_report(rb, case, result, pdf)
    return request.param, rb, table, pdf


def _lines(page: str) -> list[str]:
    return [l.strip() for l in page.splitlines() if l.strip()]


def _body(page: str) -> str:
    """The page's text after the repeated header (pdftotext -raw: document order), without
    line breaks (a cell's text wraps)."""
    flat = re.sub(r"\s+", "", page)
    head = "指标名称指标解释说明"
    assert head in flat, "every page repeats the table header"
    return flat[flat.index(head) + len(head):]


@needs
def test_each_page_names_the_first_level_of_its_rows(printed):
    name, rb, table, pdf = printed
    pages = page_texts(pdf)
    assert len(pages) >= 3
    for k, page in enumerate(pages, start=1):
        body = _body(page)
        for l1 in rb.program.roots:
            rows = [r for r in table.rows if r.kind == "indicator" and r.l1 is l1 and r.node is not None]
            held = [r for r in rows if re.sub(r"\s+", "", r.cells["name"]) in body]
            if held:
                label = re.sub(r"\s+", "", table.rows[table.rows.index(held[0])].cells["l1"])
                first = body.index(re.sub(r"\s+", "", held[0].cells["name"]))
                # the 一级 label stands before its first row on this page
                assert label in body[:first], (name, k, l1.name, held[0].node.name)


@needs
def test_no_page_starts_with_a_subtotal(printed):
    name, rb, table, pdf = printed
    subtotals = [re.sub(r"\s+", "", r.cells["l2"]) for r in table.rows if r.kind == "subtotal"]
    assert subtotals
    for k, page in enumerate(page_texts(pdf), start=1):
        body = _body(page)
        assert not any(body.startswith(s) for s in subtotals), (name, k, body[:40])
        for l1 in rb.program.roots:
            mark = f"{l1.name}小计"
            if mark in body:
                rows = [r for r in table.rows if r.kind == "indicator" and r.l1 is l1 and r.node is not None]
                before = body[:body.index(mark)]
                assert any(re.sub(r"\s+", "", r.cells["name"]) in before for r in rows), (name, k, mark)


@needs
def test_pages_as_images(printed, tmp_path, request):
    name, _rb, _table, pdf = printed
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed (apt-get install poppler-utils)")
    pngs = page_images(pdf, tmp_path / "page")
    assert len(pngs) == len(page_texts(pdf))
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs)
    if request.config.getoption("--update-golden"):
        out = ROOT / "docs" / "img"
        for old in out.glob(f"report-{name}-page-*.png"):
            old.unlink()
        for k, p in enumerate(pngs, start=1):
            shutil.copy(p, out / f"report-{name}-page-{k}.png")


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice is not installed (optional: apt-get install libreoffice-calc-nogui)")
def test_workbook_printed_by_libreoffice(tmp_path, request):
    """The report workbook converted to PDF by LibreOffice: several A4 pages, the footer's
    page numbers, the header on every page, no page starting with a subtotal row."""
    import subprocess
    import tempfile
    rb = compile_rulebook(path=ROOT / "stdlib_indicators" / "部门整体支出.jx")
    case = rb.load_case(ROOT / "examples" / "chenxi-2021" / "report-figures.jxc")
    xlsx = tmp_path / "report.xlsx"
    publish.write_report(rb, case, rb.evaluate_case(case, trace=True), xlsx)
    profile = tempfile.mkdtemp(prefix="jixiao-lo-")
    try:
        subprocess.run(["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmp_path), str(xlsx)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=240, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = tmp_path / "report.pdf"
    assert pdf.exists()
    pages = page_texts(pdf)
    assert len(pages) >= 3
    for k, page in enumerate(pages, start=1):
        lines = _lines(page)
        assert f"第 {k} 页，共 {len(pages)} 页" in lines, k
        assert "指标名称 指标解释说明" in lines, k          # the print titles
        body = lines[lines.index("指标名称 指标解释说明") + 1:]
        assert body and "小计" not in body[0], (k, body[:2])
    if request.config.getoption("--update-golden") and shutil.which("pdftoppm"):
        out = ROOT / "docs" / "img"
        for old in out.glob("report-chenxi-2021-xlsx-page-*.png"):
            old.unlink()
        for k, p in enumerate(page_images(pdf, tmp_path / "xpage"), start=1):
            shutil.copy(p, out / f"report-chenxi-2021-xlsx-page-{k}.png")
