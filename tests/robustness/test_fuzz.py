"""The coverage-guided fuzz target (fuzz.py) for a short budget, as CI runs it: every input
ends in a result or in jixiao's own errors, none hangs. Longer runs:
``python -m tests.robustness.fuzz --budget 600`` (JIXIAO_FUZZ_BUDGET sets the seconds here)."""
import importlib.util
import os
from pathlib import Path

_spec = importlib.util.spec_from_file_location("jixiao_fuzz", Path(__file__).with_name("fuzz.py"))
fuzz = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(fuzz)


def test_fuzz_parser_checker_cases_and_readers_for_a_short_budget(tmp_path):
    budget = float(os.environ.get("JIXIAO_FUZZ_BUDGET", "8"))
    s = fuzz.run(budget=budget, seed=int(os.environ.get("JIXIAO_FUZZ_SEED", "18")), crash_dir=tmp_path)
    failures = "\n".join(f"{t} {kind}:\n{tb[-800:]}" for t, kind, _x, tb in s["failures"][:3])
    assert s["crashes"] == 0 and s["hangs"] == 0, failures
    assert all(n >= 1 for n in s["per_target"].values()), s["per_target"]     # every target ran
    assert s["lines"] > 500                                                   # coverage was measured
