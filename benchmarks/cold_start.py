"""Benchmark: a cold ``jixiao check`` (a new process each time), with and without the
grammar-table cache (not a test).

    python benchmarks/cold_start.py [--repeat N] [RULEBOOK]

Each run is a fresh interpreter, as a pre-commit hook or an editor starts it. Prints
the median and best wall time of: the bare interpreter (``python -c pass``), importing
jixiao's compiler, and ``jixiao check RULEBOOK`` with the LALR table read from the user
cache and with ``JIXIAO_NO_CACHE=1`` (the table built from the grammar), and the ratio.
The runs alternate, so a busy machine moves both columns alike.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def wall(cmd, env) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    return time.perf_counter() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=15)
    ap.add_argument("rulebook", nargs="?", default=str(ROOT / "stdlib_indicators" / "部门整体支出.jx"))
    args = ap.parse_args()
    env = dict(os.environ)
    env.pop("JIXIAO_NO_CACHE", None)
    nocache = {**env, "JIXIAO_NO_CACHE": "1"}
    check = [sys.executable, "-m", "jixiao.compiler.cli", "check", args.rulebook]
    runs = {
        "python -c pass": ([sys.executable, "-c", "pass"], env),
        "import jixiao.compiler.cli": ([sys.executable, "-c", "import jixiao.compiler.cli"], env),
        "check, table cached": (check, env),
        "check, table built": (check, nocache),
    }
    wall(check, env)                    # fill the cache
    times = {k: [] for k in runs}
    for _ in range(args.repeat):
        for k, (cmd, e) in runs.items():
            times[k].append(wall(cmd, e))
    for k, ts in times.items():
        print(f"{k:30s} median {statistics.median(ts) * 1000:7.1f} ms   best {min(ts) * 1000:7.1f} ms")
    built, cached = statistics.median(times["check, table built"]), statistics.median(times["check, table cached"])
    print(f"cached / built: {cached / built:.2f} (saves {(built - cached) * 1000:.0f} ms per run)")


if __name__ == "__main__":
    main()
