"""The emitted module runs in a fresh interpreter that cannot import the project."""
import json
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.cli import main

ROOT = Path(__file__).resolve().parents[2]
RULEBOOK = ROOT / "stdlib_indicators" / "部门整体支出.jx"
CASES = [ROOT / "examples" / "chenxi-2021" / n for n in ("self-assessment.jxc", "report-figures.jxc")]

RUNNER = r'''
import importlib.util, json, sys
for mod in ("dsl", "compiler", "lark", "attrs", "click"):
    try:
        __import__(mod)
    except ImportError:
        pass
    else:
        raise SystemExit(f"{mod} must not be importable here")
spec = importlib.util.spec_from_file_location("evaluator", sys.argv[1])
ev = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ev)
inputs = json.loads(sys.stdin.read())
for k, v in list(inputs.items()):
    if isinstance(v, list):
        inputs[k] = tuple(v)
out = ev.evaluate(inputs["inputs"], overrides=inputs["overrides"] or None)
print(json.dumps({"total": str(out["total"]), "grade": out["grade"],
                  "indicators": {k: str(v) for k, v in out["indicators"].items()}}, ensure_ascii=False))
'''


def _plain(v):
    if isinstance(v, tuple):
        return [bool(x) for x in v]
    return str(v) if not isinstance(v, (bool, str)) else v


def test_emitted_module_matches_api(tmp_path):
    out = tmp_path / "evaluator.py"
    res = CliRunner().invoke(main, ["compile", str(RULEBOOK), "--emit-python", str(out)])
    assert res.exit_code == 0, res.output
    text = out.read_text(encoding="utf-8")
    assert "import dsl" not in text and "from compiler" not in text
    runner = tmp_path / "runner.py"
    runner.write_text(RUNNER, encoding="utf-8")
    rb = compile_rulebook(path=RULEBOOK)
    for case_path in CASES:
        case = rb.load_case(case_path)
        payload = {"inputs": {k: _plain(v) for k, v in case.inputs.items()},
                   "overrides": {"/".join(k): str(v) for k, v in case.assessed.items()}}
        # -I: isolated (no user site, no PYTHONPATH, no cwd); -S: no site-packages at all
        proc = subprocess.run([sys.executable, "-I", "-S", str(runner), str(out)], input=json.dumps(payload),
                              capture_output=True, text=True, cwd=tmp_path, timeout=60)
        assert proc.returncode == 0, proc.stderr
        got = json.loads(proc.stdout)
        want = rb.evaluate_case(case)
        assert got["total"] == str(want.total)
        assert got["grade"] == want.grade
        assert got["indicators"] == {"/".join(r.path): str(r.score) for r in want.indicators}


def test_emitted_module_rejects_bad_input(tmp_path):
    out = tmp_path / "evaluator.py"
    CliRunner().invoke(main, ["compile", str(RULEBOOK), "--emit-python", str(out)])
    code = ("import importlib.util,sys\nspec=importlib.util.spec_from_file_location('e',sys.argv[1])\n"
            "e=importlib.util.module_from_spec(spec);spec.loader.exec_module(e)\n"
            "try:\n e.evaluate({'编制数': 'abc'})\nexcept e.InputErrors as x:\n print(len(x.errors)); print(x.errors[0].code)\n")
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", code, str(out)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    n, first = proc.stdout.split()
    assert int(n) > 30 and first in ("E0601", "E0602")
