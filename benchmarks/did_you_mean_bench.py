"""Benchmark: `check` of a rulebook with N misspelt names next to the same rulebook with
the names spelt right (not a test; issue 18 item 10).

    python benchmarks/did_you_mean_bench.py [--names 1000 4000]

Each misspelt name gets its "did you mean"; the ratio misspelt / correct shows what the
suggestions cost. Before the bounded search, 1,000 misspelt names took 57 s (about 40× the
correct rulebook) and 4,000 about 15 minutes; the work per name is bounded now, so the
ratio stays small and does not grow with N.
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from jixiao.compiler.api import check_text  # noqa: E402


def rulebook(n: int, misspelt: bool) -> str:
    inputs = "".join(f"输入 项目支出指标{i:04d}: 数值 范围 0 至 1\n" for i in range(n))
    fmt = "项目支出指%04d标" if misspelt else "项目支出指标%04d"
    body = "".join(f"  x{i} = " + fmt % i + "\n" for i in range(n))
    return f'规则集 "t"\n满分 1\n{inputs}指标 A 1分:\n{body}  得分 = 0\n等级:\n  全: 否则\n'


def timed(text: str) -> tuple[float, int]:
    t = time.perf_counter()
    r = check_text(text)
    return time.perf_counter() - t, len(r.diagnostics)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--names", type=int, nargs="+", default=[1000, 4000])
    a = ap.parse_args()
    timed(rulebook(10, True))           # warm: grammar, imports
    for n in a.names:
        ok, _ = timed(rulebook(n, False))
        bad, nd = timed(rulebook(n, True))
        print(f"{n} names: correct {ok:.2f} s, misspelt {bad:.2f} s ({nd} diagnostics), ratio {bad / ok:.2f}")


if __name__ == "__main__":
    main()
