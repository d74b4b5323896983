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


needs_lo = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                              reason="LibreOffice is not installed (optional: apt-get install libreoffice-calc-nogui)")


@pytest.fixture(scope="module", params=sorted(CASES))
def workbook_printed(request, tmp_path_factory):
    """The report workbook converted to PDF by LibreOffice (as a bureau prints it)."""
    import subprocess
    import tempfile
    if shutil.which("soffice") is None or shutil.which("pdftotext") is None:
        pytest.skip("LibreOffice is not installed (optional: apt-get install libreoffice-calc-nogui)")
    rbp, cp = CASES[request.param]
    rb = compile_rulebook(path=ROOT / "stdlib_indicators" / rbp)
    case = rb.load_case(ROOT / "examples" / cp)
    tmp = tmp_path_factory.mktemp("xlsx")
    xlsx = tmp / "report.xlsx"
    table = publish.write_report(rb, case, rb.evaluate_case(case, trace=True), xlsx)
    profile = tempfile.mkdtemp(prefix="jixiao-lo-")
    try:
        subprocess.run(["soffice", f"-env:UserInstallation={Path(profile).as_uri()}", "--headless", "--convert-to", "pdf",
                        "--outdir", str(tmp), str(xlsx)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=240, check=False)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    pdf = tmp / "report.pdf"
    assert pdf.exists() and pdf.read_bytes()[:5] == b"%PDF-"
    return request.param, rb, table, pdf


def _page_words(pdf) -> list[list[tuple]]:
    """Each page's words as (x centre, y top, y bottom, text), from pdftotext -bbox."""
    import html
    import subprocess
    out = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, check=True, timeout=120).stdout
    pages = []
    for page in out.decode("utf-8").split("<page ")[1:]:
        pages.append([((float(a) + float(c)) / 2, float(b), float(d), html.unescape(t)) for a, b, c, d, t in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', page)])
    return pages


def _columns(table, words) -> tuple[dict, float, float]:
    """The printed page's columns (key -> (left, right) in points) from the header words'
    centres and the columns' widths; the body's top (under the header) and bottom (over the
    footer). Text LibreOffice clips (a cell's text outside its cell) lies outside the body."""
    texts = {w for _x, _t, _b, w in words}
    assert {"一级指标", "二级指标", "指标名称", "指标解释说明"} <= texts, "every page repeats the header (print titles)"
    centre = {key: next(x for x, _t, _b, w in words if w == head) for key, head in
              (("l1", "一级指标"), ("l2", "二级指标"), ("name", "指标名称"), ("doc", "指标解释说明"))}
    width = {c.key: c.width for c in table.columns}
    keys = ["l1", "l2", "name", "doc"]
    edges = [centre[a] + (centre[b] - centre[a]) * width[a] / (width[a] + width[b]) for a, b in zip(keys, keys[1:])]
    cols = {"l1": (0, edges[0]), "l2": (edges[0], edges[1]), "name": (edges[1], edges[2])}
    top = max(b for x, _t, b, w in words if w in ("指标名称", "指标解释说明"))
    bottom = next(t for x, t, _b, w in words if w == "第")
    return cols, top, bottom


def _flat(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _column_text(words, span, top, bottom) -> str:
    """The body's text in one column, top to bottom (a cell's wrapped lines joined)."""
    inside = sorted((t, x, w) for x, t, b, w in words if span[0] <= x < span[1] and top < t and b < bottom)
    return "".join(w for _t, _x, w in inside)


@needs_lo
def test_workbook_pages_name_the_first_level_of_their_rows(workbook_printed):
    """Every printed page of the workbook that holds a 一级指标's rows shows its label in
    the 一级 column (the block's merged cell split at the page break), and every page that
    holds a 二级指标's rows shows that label in the 二级 column."""
    name, rb, table, pdf = workbook_printed
    pages = _page_words(pdf)
    assert len(pages) >= 3
    texts = []
    for words in pages:
        cols, top, bottom = _columns(table, words)
        texts.append({key: _column_text(words, cols[key], top, bottom) for key in ("l1", "l2", "name")})
    # each indicator row's page, in order (two 三级指标 may share a name: 管理制度健全性)
    rows = [r for r in table.rows if r.kind == "indicator" and _flat(r.cells["name"])]
    page, at, placed = 0, 0, []
    for row in rows:
        while page < len(pages) and _flat(row.cells["name"]) not in texts[page]["name"][at:]:
            page, at = page + 1, 0
        assert page < len(pages), (name, "not printed", row.cells["name"])
        at = texts[page]["name"].index(_flat(row.cells["name"]), at) + len(_flat(row.cells["name"]))
        placed.append((page, row))
    assert len({p for p, _r in placed}) >= 3
    for page, row in placed:
        for key in ("l1", "l2"):
            if getattr(row, key) is not None:
                assert _flat(row.cells[key]) in texts[page][key], (name, page + 1, key, row.cells[key], row.cells["name"])


@needs_lo
def test_workbook_pages_never_start_with_a_subtotal(workbook_printed):
    name, rb, table, pdf = workbook_printed
    pages = _page_words(pdf)
    subtotals = [r for r in table.rows if r.kind == "subtotal"]
    assert subtotals
    for k, words in enumerate(pages, start=1):
        lines = [w for _x, _t, _b, w in words]
        assert f"第 {k} 页，共 {len(pages)} 页" in " ".join(lines), k          # the footer's page numbers
        cols, top, bottom = _columns(table, words)
        body = sorted((t, w) for x, t, b, w in words if top < t and b < bottom)
        if not body:
            continue
        first = [w for t, w in body if t < body[0][0] + 3]
        assert not any("小计" in w for w in first), (name, k, first)
        for sub in subtotals:
            at = [t for x, t, b, w in words if w == sub.cells["l2"] and top < t < bottom]
            if at:
                above = _column_text([w for w in words if w[1] < at[0]], cols["name"], top, bottom)
                held = [r for r in table.rows if r.kind == "indicator" and r.l1 is sub.l1 and _flat(r.cells["name"])]
                assert any(_flat(r.cells["name"]) in above for r in held), (name, k, sub.cells["l2"])


@needs_lo
def test_workbook_pages_as_images(workbook_printed, tmp_path, request):
    name, _rb, _table, pdf = workbook_printed
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed (apt-get install poppler-utils)")
    pngs = page_images(pdf, tmp_path / "xpage")
    assert len(pngs) == len(page_texts(pdf))
    if request.config.getoption("--update-golden"):
        out = ROOT / "docs" / "img"
        for old in out.glob(f"report-{name}-xlsx-page-*.png"):
            old.unlink()
        for k, p in enumerate(pngs, start=1):
            shutil.copy(p, out / f"report-{name}-xlsx-page-{k}.png")
