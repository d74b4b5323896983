"""The generated Python of the shipped rulebooks, pinned (``pytest --update-golden``
rewrites; review the change with ``git diff``: it is what every evaluation runs)."""
from pathlib import Path

import pytest

from jixiao.compiler.api import compile_rulebook

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "codegen"
RULEBOOKS = sorted(p.name for p in (ROOT / "stdlib_indicators").glob("*.jx") if p.name != "计分方法.jx")


@pytest.mark.parametrize("name", RULEBOOKS)
def test_generated_module_is_pinned(name, golden, monkeypatch):
    monkeypatch.chdir(ROOT)
    rb = compile_rulebook(path=f"stdlib_indicators/{name}")
    parts = [rb.source] + [f"# ── 指标行 {'/'.join(path)} · 计分方法 {method} ──\n{sub.source}"
                           for (path, method), sub in sorted(rb.row_methods.items())]
    got = "\n".join(parts)
    out = GOLDEN / (Path(name).stem + ".py")
    golden(out, got)
    compile(got, str(out), "exec")          # the pinned text is valid Python
