"""The HTML report printed to PDF by headless Chromium (the page's own ``@page`` A4
landscape, CJK fonts, the header repeated, no browser header or footer), and a PDF's pages
as PNG images with poppler's ``pdftoppm`` where it is installed.

Chromium is an external program: :func:`browser` finds it on ``PATH`` (``chromium``,
``chromium-browser``, ``google-chrome``), its profile is a temporary folder removed after,
and nothing is fetched (network features are switched off; the page has no external file).
"""
from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Optional

BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")


class NoBrowser(RuntimeError):
    pass


def browser() -> Optional[str]:
    for name in BROWSERS:
        exe = shutil.which(name)
        if exe:
            return exe
    return None


def print_pdf(html_path, pdf_path, timeout: int = 180) -> Path:
    """Print ``html_path`` to ``pdf_path`` with headless Chromium."""
    exe = browser()
    if exe is None:
        raise NoBrowser("PDF 需要 Chromium（apt-get install chromium）/ PDF output needs Chromium on PATH "
                        f"({', '.join(BROWSERS)})")
    pdf_path = Path(pdf_path)
    profile = tempfile.mkdtemp(prefix="jixiao-pdf-")
    tmp = pdf_path.with_name(pdf_path.name + ".part")
    try:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               f"--user-data-dir={profile}", "--no-pdf-header-footer", f"--print-to-pdf={tmp}",
               Path(html_path).resolve().as_uri()]
        subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout, check=False)
        if not tmp.exists() or tmp.read_bytes()[:5] != b"%PDF-":
            raise NoBrowser("Chromium 没有写出 PDF / Chromium wrote no PDF")
        tmp.replace(pdf_path)
    finally:
        shutil.rmtree(profile, ignore_errors=True)
        tmp.unlink(missing_ok=True)
    return pdf_path


def page_images(pdf_path, prefix, dpi: int = 60) -> list[Path]:
    """Each page of ``pdf_path`` as ``PREFIX-N.png`` (pdftoppm); [] without pdftoppm."""
    if shutil.which("pdftoppm") is None:
        return []
    prefix = Path(prefix)
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf_path), str(prefix)], check=True, timeout=120)
    return sorted(prefix.parent.glob(prefix.name + "-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def page_texts(pdf_path, mode: str = "-raw") -> list[str]:
    """The text of each page (pdftotext; ``-raw``: in the page's own order, for Chromium's
    PDF the document order, cell by cell), to check what a printed page shows."""
    out = subprocess.run(["pdftotext", mode, str(pdf_path), "-"], capture_output=True, check=True, timeout=120)
    pages = out.stdout.decode("utf-8").split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages
