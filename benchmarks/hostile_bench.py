"""Costs that hostile files used to make quadratic (issue 18, items 9 and 17), each as a
ratio against a baseline measured in the same run (not a test).

    python benchmarks/hostile_bench.py [--indicators 2000] [--units 100] [--digits 30000]

- ``jixiao diff`` of two rulebooks of N indicators over U units, against scoring the same
  units once with each rulebook (the diff's floor): linear in indicators × units, so the
  ratio stays near 1 (it was ~20 at 2,000 × 100: 35 s against 1.7 s).
- the header of a data file made of D digits and a letter read by the column matcher, against a
  header of ordinary length (it was ~15 CPU seconds at 30,000 digits).
"""
from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT.parent))


def wide_rulebook(n, new=False):
    """N indicators (each under a section of its own); in the new rulebook every one of
    them scores differently for every unit, so the diff compares them all."""
    parts = [f'规则集 "wide"\n满分 {n}\n输入 x: 数值 范围 0 至 {n}\n']
    for k in range(n):
        parts.append(f"一级指标 组{k} 1分:\n  指标 项{k} 1分:\n    得分 = 如果 x ≥ 0 则 {0 if new else 1} 否则 0\n")
    parts.append("等级:\n  全: 否则\n")
    return "".join(parts)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--indicators", type=int, default=2000)
    ap.add_argument("--units", type=int, default=100)
    ap.add_argument("--digits", type=int, default=30000)
    a = ap.parse_args()
    from jixiao.compiler.api import compile_rulebook
    from jixiao.compiler.data.columns import Columns
    from jixiao.compiler.data.rulebook_diff import diff
    from jixiao.compiler.data.scoring import score_rows

    old = compile_rulebook(wide_rulebook(a.indicators), name="old.jx")
    new = compile_rulebook(wide_rulebook(a.indicators, new=True), name="new.jx")
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "units.csv"
        with open(data, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f)
            w.writerow(["单位", "x"])
            w.writerows([f"u{k}", str(k % a.indicators)] for k in range(a.units))
        t0 = time.perf_counter()
        for rb in (old, new):
            list(score_rows(rb, data)[1])
        floor = time.perf_counter() - t0
        t0 = time.perf_counter()
        rep = diff(old, new, data)
        took = time.perf_counter() - t0
    print(f"diff {a.indicators} indicators × {a.units} units: {took:.2f} s; scoring them with both rulebooks "
          f"{floor:.2f} s; ratio {took / floor:.2f} ({len(rep.changes)} units changed)")

    rb = compile_rulebook('规则集 "t"\n满分 3\n指标 A 3分:\n  输入 要点: 清单["甲" 1分, "乙" 1分, "丙" 1分]\n'
                          '  得分 = 符合分(要点)\n等级:\n  全: 否则\n', name="t.jx")
    t0 = time.perf_counter()
    for _ in range(100):
        Columns(rb, ["要点", "单位编码"])
    base = (time.perf_counter() - t0) / 100
    t0 = time.perf_counter()
    Columns(rb, ["要点", "9" * a.digits + "x"])        # digits, then not an item number: the backtracking case
    long = time.perf_counter() - t0
    print(f"a header of {a.digits} digits: {long * 1000:.2f} ms; an ordinary header {base * 1000:.3f} ms; "
          f"ratio {long / base:.1f}")


if __name__ == "__main__":
    main()
