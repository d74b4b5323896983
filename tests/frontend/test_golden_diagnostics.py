"""Golden diagnostics: the exact text a user sees, and the exit code.

Each ``tests/golden/bad/NAME.cmd`` holds the ``jixiao`` arguments (run in that folder);
``NAME.out`` pins stdout, then stderr, then the exit code. ``pytest --update-golden``
rewrites the ``.out`` files; review them with ``git diff``.
"""
from pathlib import Path

import pytest

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "bad"
CASES = sorted(p.stem for p in GOLDEN.glob("*.cmd"))


@pytest.mark.parametrize("name", CASES)
def test_golden(name, cli, golden):
    args = (GOLDEN / f"{name}.cmd").read_text(encoding="utf-8").split()
    golden(GOLDEN / f"{name}.out", cli(args, GOLDEN).transcript)


def test_every_golden_is_a_user_error():
    for name in CASES:
        text = (GOLDEN / f"{name}.out").read_text(encoding="utf-8")
        assert text.rstrip().endswith("--- exit 1"), name
        assert "Traceback" not in text, name


def test_required_goldens_present():
    # syntax error, unknown name with a suggestion, ambiguous name, bad input value, missing input
    need = {"syntax_error": "E0101", "unknown_name": "did you mean", "ambiguous_name": "E0202",
            "bad_input_value": "E0603", "missing_input": "E0601"}
    for name, marker in need.items():
        assert marker in (GOLDEN / f"{name}.out").read_text(encoding="utf-8"), name
