"""`jixiao serve` in headless Chromium: type a change that breaks the points sum, see
E0401 appear, fix it, see the score update (from the rule and from the case form).
``pytest --update-golden`` also writes the screenshots to docs/img/."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from .cdp import Browser, chromium
from .lsp_client import jixiao_command

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(chromium() is None, reason="Chromium is not installed; .ci/run installs it "
                                                           "(apt-get install chromium)")


@pytest.fixture
def served(chenxi):
    folder = chenxi
    proc = subprocess.Popen(jixiao_command() + ["serve", str(folder / "部门整体支出.jx"), "--lang", "zh"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = proc.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:") and "?token=" in url, proc.stderr.read()
        yield url, folder
    finally:
        proc.terminate()
        proc.wait(10)


def js_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def select_in_editor(b: Browser, before: str, length: int) -> None:
    """Put the editor's selection on the ``length`` characters after ``before``, scrolled into view."""
    b.js(f"""(() => {{ const ta = document.getElementById('text');
        const i = ta.value.indexOf({js_str(before)}) + {len(before)};
        ta.focus(); ta.setSelectionRange(i, i + {length});
        const line = ta.value.slice(0, i).split('\\n').length - 1;
        ta.scrollTop = Math.max(0, line * 20 - 120); ta.dispatchEvent(new Event('scroll')); return i; }})()""")


def cell(path: str) -> str:
    return f"document.querySelector('#table tr[data-path={js_str(path)}] td.score').textContent"


def test_live_diagnostics_and_scores_in_the_browser(served, tmp_path, request):
    url, folder = served
    update = request.config.getoption("--update-golden")
    shipped = (Path(__file__).parents[2] / "stdlib_indicators" / "部门整体支出.jx").read_text(encoding="utf-8")
    LINE_OF_目标设定 = 1 + next(i for i, line in enumerate(shipped.splitlines()) if "目标设定 5分" in line)   # 1-based
    b = Browser(chromium(), 1600, 1000)
    try:
        b.goto(url)
        b.wait("document.body.dataset.ready === '1'", what="the page to start")
        # the case next to the rulebook fills the form; the 评分表 is scored
        assert b.wait("document.getElementById('total')?.textContent") == "总分 85.5 / 100"
        assert b.js("document.getElementById('grade').textContent") == "良好"
        assert b.js(cell("投入/预算配置/财政供养人员控制率")) == "0"
        assert b.js("document.getElementById('in-在职人员数').value") == "121"

        # type a change that breaks the points sum: 职责明确 1分 -> 2分
        select_in_editor(b, "指标 职责明确 ", 1)
        b.type("2")
        msg = b.wait("document.querySelector('#problems [data-code=E0401]')?.textContent", what="E0401")
        assert "error[E0401]" in msg and "「目标设定」的下级分值合计6分，不等于其分值5分" in msg
        b.wait("document.getElementById('table').classList.contains('stale') && "
               "document.getElementById('scoreproblems').textContent.includes('E0401')", what="the 评分表 to stop")
        assert b.js("document.querySelector('#gutter .error')?.textContent") == str(LINE_OF_目标设定)
        b.screenshot(tmp_path / "serve-e0401.png")

        # fix it: the error goes, the table is scored again
        select_in_editor(b, "指标 职责明确 ", 1)
        b.type("1")
        b.wait("!document.querySelector('#problems [data-code=E0401]') && "
               "!document.getElementById('table').classList.contains('stale')", what="E0401 to go")
        assert b.js("document.getElementById('total').textContent") == "总分 85.5 / 100"

        # the score follows the rule: 每超出1人扣0.1分 -> 扣0.05分 (32 over: 3 - 1.6 = 1.4)
        select_in_editor(b, "得分 = 按单位扣分(超编人数, ", 3)
        b.type("0.05")
        b.wait(f"{cell('投入/预算配置/财政供养人员控制率')} === '1.4'", what="the rule's new score")
        assert b.wait("document.getElementById('total').textContent === '总分 86.9 / 100'")

        # ... and the case form: 在职人员数 121 -> 89 (none over: full 3 points)
        b.js("(() => { const i = document.getElementById('in-在职人员数'); i.focus(); i.select(); })()")
        b.type("89")
        b.wait(f"{cell('投入/预算配置/财政供养人员控制率')} === '3'", what="the form's new score")
        assert b.wait("document.getElementById('total').textContent === '总分 88.5 / 100'")
        row = "#table tr[data-path=\"投入/预算配置/财政供养人员控制率\"] td.why"
        why = b.js(f"document.querySelector('{row} .reason').textContent")
        assert why == "在职人员数89人，编制数89人，超编0人；每1人扣0.05分，应扣0分；得3分（满分3分）。", why
        # the trace is folded under the sentence, and opens on a click
        assert b.js(f"document.querySelector('{row} details.trace').open") is False
        assert b.js(f"document.querySelector('{row} details.trace summary').getBoundingClientRect().height") > 0
        assert b.js(f"document.querySelector('{row} details.trace').getBoundingClientRect().height") < 30
        b.js(f"document.querySelector('{row} details.trace summary').click()")
        trace = b.js(f"document.querySelector('{row} details.trace').textContent")
        assert b.js(f"document.querySelector('{row} details.trace').open") is True
        assert "按单位扣分(超编人数, 0.05, 3) = 3 - max(0人, 0) × 0.05 = 3" in trace and "按单位扣分" not in why
        b.screenshot(tmp_path / "serve-scored.png")
    finally:
        b.close()
    for name in ("serve-e0401.png", "serve-scored.png"):
        data = (tmp_path / name).read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 50_000
        if update:
            (ROOT / "docs" / "img" / name).write_bytes(data)
