"""Cohort scoring: N units with one rank and one peer average, next to the same rulebook
without cohort rules (not a test).

    python benchmarks/cohort_bench.py [--units 1000000] [--jobs 1] [--keep DIR]

Generates N units (two kinds), writes two rulebooks that differ only in two indicators —
``排名(执行率) ``-tiers and ``同类平均(执行率)`` against fixed constants (90% and rank
tiers replaced by rate tiers) — and runs `jixiao score RULEBOOK units.csv -o out.csv -j JOBS`
for each, printing time and peak memory (resident set of the process tree, sampled every
50 ms, as benchmarks/batch_bench.py measures) and the ratios cohort / plain. The cohort
run reads the file twice (statistics, then scores) and keeps each unit's two subject
values and its kind between the passes (runtime.Cohort keeps the rank's values, and
only running sums per kind for the average).
"""
from __future__ import annotations

import argparse
import atexit
import csv
import random
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))
from batch_bench import measure  # noqa: E402

HEAD = """规则集 "基准：{title}"
满分 20
同类 单位类别

输入 单位类别: 等级(行政单位, 事业单位)
输入 预算数: 金额(万元) > 0
输入 支出数: 金额(万元) 范围 0 至 100000

一级指标 执行 20分:
  指标 执行率排名 10分:
    执行率 = 支出数 / 预算数
{rank}
  指标 预算执行率 10分:
    差距 = max({mean} - 支出数 / 预算数, 0个百分点)
    得分 = 10 - 差距 / 1个百分点 × 0.5 扣完为止

等级:
  合格: 总分 ≥ 12
  不合格: 总分 < 12
"""
COHORT = HEAD.format(title="同类比较", mean="同类平均(支出数 / 预算数)", rank="""    得分 = 分档 排名(执行率, 降序, 并列):
      ≤ 10 : 10
      ≤ 100 : 8
      否则 : 5""")
PLAIN = HEAD.format(title="无同类比较", mean="90%", rank="""    得分 = 分档 执行率:
      ≥ 98% : 10
      ≥ 90% : 8
      否则 : 5""")


def make_units(path: Path, n: int) -> None:
    rnd = random.Random(14)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["单位", "单位类别", "预算数", "支出数"])
        for k in range(n):
            b = rnd.randint(100, 5000)
            w.writerow([f"U{k}", "行政单位" if rnd.random() < 0.7 else "事业单位", b, round(b * rnd.uniform(0.7, 1.0), 2)])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=1_000_000)
    ap.add_argument("--jobs", type=int, default=1)
    ap.add_argument("--keep", type=Path)
    a = ap.parse_args()
    folder = a.keep or Path(tempfile.mkdtemp(prefix="jixiao-cohort-"))
    if not a.keep:              # the generated units and outputs go at exit
        atexit.register(shutil.rmtree, folder, True)
    folder.mkdir(parents=True, exist_ok=True)
    data = folder / "units.csv"
    make_units(data, a.units)
    exe = [str(Path(sys.executable).with_name("jixiao"))]
    rows = {}
    for name, text in (("plain", PLAIN), ("cohort", COHORT)):
        rb = folder / f"{name}.jx"
        rb.write_text(text, encoding="utf-8")
        t, mb = measure(exe + ["score", str(rb), str(data), "-o", str(folder / f"{name}.csv"), "-j", str(a.jobs)])
        rows[name] = (t, mb)
        print(f"{name:7s} -j {a.jobs} {a.units:>9,} units  {t:8.1f} s  {a.units / t:>9,.0f} units/s  peak {mb:8.1f} MB")
    (tp, mp), (tc, mc) = rows["plain"], rows["cohort"]
    print(f"ratio cohort/plain: time {tc / tp:.2f}×, peak memory {mc / mp:.2f}×")


if __name__ == "__main__":
    main()
