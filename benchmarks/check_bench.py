"""Benchmark: `check` on the shipped rulebook, next to parsing alone (not a test).

    python benchmarks/check_bench.py [--repeat N]

Prints the median time of: parsing (text -> AST), the dsl checks (resolve, points,
bounds, grades), the full check as the CLI runs it (plus counterexample search where
needed), and compilation (check + code generation + compile), with the ratios.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jixiao.compiler import api
from jixiao.compiler.backend.codegen import generate  # noqa: E402
from jixiao.dsl import check as dcheck
from jixiao.dsl.parser import parse_text  # noqa: E402


def median_time(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("rulebook", nargs="?", default=str(ROOT / "stdlib_indicators" / "部门整体支出.jx"))
    args = ap.parse_args()
    text = Path(args.rulebook).read_text(encoding="utf-8")
    name = Path(args.rulebook).name
    parse_text(text, name)   # warm up: build the LALR tables once

    t_parse = median_time(lambda: parse_text(text, name), args.repeat)
    t_dsl = median_time(lambda: dcheck.check_text(text, name), args.repeat)
    t_check = median_time(lambda: api.check_text(text, name), args.repeat)
    res = dcheck.check_text(text, name)
    t_gen = median_time(lambda: compile(generate(res.program), "<bench>", "exec"), args.repeat)

    print(f"rulebook: {args.rulebook} ({len(text):,} characters, {text.count(chr(10)):,} lines)")
    print(f"{'stage':<50}{'median ms':>10}{'× parse':>9}")
    for label, t in (("parse (text -> AST)", t_parse),
                     ("check, dsl passes (parse + resolve + soundness)", t_dsl),
                     ("check as `jixiao check` runs it", t_check),
                     ("codegen + compile() of the checked IR", t_gen)):
        print(f"{label:<50}{t * 1000:>10.2f}{t / t_parse:>9.2f}")


if __name__ == "__main__":
    main()
