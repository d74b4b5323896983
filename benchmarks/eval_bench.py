"""Benchmark: the compiled evaluator of 部门整体支出.jx against the same rulebook written
by hand (benchmarks/handwritten.py), on the same units (not a test).

    python benchmarks/eval_bench.py [--units 2000] [--blocks 101] [--block-ms 5]

Prints
  1. compile time: the first ``compile_rulebook`` of the text in this process (cache
     bypassed), and the median of further compiles with ``compiler.api._CACHE`` cleared;
  2. per-unit evaluation on already-validated inputs: the compiled ``_fast`` (inside one
     ``localcontext(CONTEXT)`` per block, as ``run`` would set it), ``run`` (which enters
     the context itself on every call), and the hand-written ``score`` (inside one
     context per block; and with a context entered per call, the counterpart of ``run``);
  3. per-unit evaluation including input validation of the raw dict: ``rb.validate(raw)``
     + ``run`` against the hand-written ``validate(raw)`` + ``score``.

Timing: every contender runs blocks of k consecutive units (k calibrated so a block
takes ~--block-ms), blocks of all contenders alternate (in an order rotated every round),
the median block gives the time per unit; blocks are timed in CPU time of the thread
(``time.thread_time_ns``), so being preempted on a shared machine does not count, and
machine noise hits all contenders alike: the ratios are steadier than the absolute
numbers.  Before timing, the hand-written function is checked to agree exactly
with the compiled evaluator on every unit used.
"""
from __future__ import annotations

import argparse
import gc
import platform
import statistics
import sys
import time
from decimal import localcontext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

_ns = time.thread_time_ns      # CPU time of this thread: a shared, loaded machine preempts us
RULEBOOK = ROOT / "stdlib_indicators" / "部门整体支出.jx"


# ───────────────────────── block runners: the loop is the same for every contender ─────────────────────────

def block_fast(fast, ctx, items, start, k):
    n = len(items)
    with localcontext(ctx):
        t0 = _ns()
        for i in range(start, start + k):
            fast(items[i % n])
        return _ns() - t0


def block_plain(fn, ctx, items, start, k):
    n = len(items)
    t0 = _ns()
    for i in range(start, start + k):
        fn(items[i % n])
    return _ns() - t0


def calibrate(block, fn, ctx, items, target_ns):
    k = 1
    while True:
        t = block(fn, ctx, items, 0, k)
        if t >= target_ns or k >= 1 << 16:
            return max(1, int(k * target_ns / max(t, 1)))
        k *= 4


def interleaved(contenders, blocks, block_ms, raw=False):
    """contenders: [(label, block_runner, fn, ctx, items)] -> {label: median ns per unit}
    (with raw=True: {label: [ns per unit of every block, round by round]})."""
    target = block_ms * 1e6
    ks = {c[0]: calibrate(c[1], c[2], c[3], c[4], target) for c in contenders}
    per = {c[0]: [] for c in contenders}
    start = 0
    gc.collect()
    gc.disable()
    try:
        for r in range(blocks):
            # rotate the order every round: the first block of a round runs measurably
            # slower (cold caches after the other contenders), so no contender always goes first
            j = r % len(contenders)
            for label, block, fn, ctx, items in contenders[j:] + contenders[:j]:
                k = ks[label]
                per[label].append(block(fn, ctx, items, start, k) / k)
            start += 997
    finally:
        gc.enable()
    if raw:
        return per
    return {label: statistics.median(v) for label, v in per.items()}


def fmt_us(ns):
    return f"{ns / 1e3:8.2f} µs"


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--units", type=int, default=2000, help="distinct generated units (cycled)")
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--blocks", type=int, default=101)
    ap.add_argument("--block-ms", type=float, default=5.0)
    ap.add_argument("--compiles", type=int, default=10)
    a = ap.parse_args(argv)

    # 1. compile time -- the first compile pays the parser's table construction
    t0 = time.perf_counter()
    from jixiao.compiler import api
    from jixiao.compiler.backend.runtime import CONTEXT
    t_import = time.perf_counter() - t0
    text = RULEBOOK.read_text(encoding="utf-8")
    name = RULEBOOK.name
    api._CACHE.clear()
    t0 = time.perf_counter()
    rb = api.compile_rulebook(text, name=name)
    t_first = time.perf_counter() - t0
    warm = []
    for _ in range(a.compiles):
        api._CACHE.clear()
        gc.collect()
        t0 = time.perf_counter()
        rb = api.compile_rulebook(text, name=name)
        warm.append(time.perf_counter() - t0)
    t_warm = statistics.median(warm)

    import gen_units
    import handwritten as hw
    hw.check_layout(rb)
    raws = gen_units.generate(a.units, seed=a.seed)
    values = [rb.validate(u) for u in raws]
    n, bad, rd, ex = hw.agree(rb, values)
    if bad:
        print(f"handwritten.score disagrees with the compiled evaluator on {bad} of {n} units: {ex}")
        return 1
    if any(hw.validate(u) != v for u, v in zip(raws, values)):
        print("handwritten.validate disagrees with rb.validate")
        return 1

    fast = rb.evaluator.fast
    run = rb.evaluator.run
    score = hw.score
    hvalidate = hw.validate
    rvalidate = rb.validate

    def score_ctx(v, _lc=localcontext, _ctx=CONTEXT, _score=score):
        with _lc(_ctx):
            return _score(v)

    def compiled_raw(u, _validate=rvalidate, _run=run):
        return _run(_validate(u))

    def hand_raw(u, _validate=hvalidate, _score=score):
        return _score(_validate(u))

    # 2. validated inputs
    lat = interleaved([
        ("compiled _fast", block_fast, fast, CONTEXT, values),
        ("compiled run", block_plain, run, None, values),
        ("hand score", block_fast, score, CONTEXT, values),
        ("hand score + context per call", block_plain, score_ctx, None, values),
    ], a.blocks, a.block_ms)
    # 3. raw dicts, validation included
    lat_raw = interleaved([
        ("compiled validate + run", block_plain, compiled_raw, None, raws),
        ("hand validate + score", block_fast, hand_raw, CONTEXT, raws),
        ("compiled validate alone", block_plain, rvalidate, None, raws),
        ("hand validate alone", block_plain, hvalidate, None, raws),
    ], a.blocks, a.block_ms)

    hand = lat["hand score"]
    print(f"rulebook: {RULEBOOK.relative_to(ROOT)} ({len(rb.program.inputs)} inputs, "
          f"{sum(1 for i in rb.program.walk() if not i.children)} scored leaves, "
          f"{sum(1 for _ in rb.program.walk())} nodes)")
    print(f"python {platform.python_version()}, {platform.machine()}; {a.units:,} generated units "
          f"(seed {a.seed}), hand-written == compiled on all of them (scores, total, grade)")
    print()
    print("compile (check + codegen + compile(), cache cleared):")
    print(f"  import compiler.api                      {t_import * 1e3:8.1f} ms")
    print(f"  first compile_rulebook in this process   {t_first * 1e3:8.1f} ms")
    print(f"  median of {a.compiles} more                        {t_warm * 1e3:8.1f} ms")
    print()
    print(f"per-unit evaluation, validated inputs (median of {a.blocks} interleaved blocks of ~{a.block_ms:g} ms):")
    print(f"  {'':<36}{'per unit':>11}  {'x hand score':>12}")
    for label in ("compiled _fast", "compiled run", "hand score", "hand score + context per call"):
        print(f"  {label:<36}{fmt_us(lat[label])}  {lat[label] / hand:>11.2f}x")
    print()
    hraw = lat_raw["hand validate + score"]
    print("per-unit evaluation from the raw dict, validation included:")
    print(f"  {'':<36}{'per unit':>11}  {'x hand':>12}")
    for label in ("compiled validate + run", "hand validate + score", "compiled validate alone",
                  "hand validate alone"):
        ref = hraw if "+" in label else lat_raw["hand validate alone"]
        print(f"  {label:<36}{fmt_us(lat_raw[label])}  {lat_raw[label] / ref:>11.2f}x")
    print()
    print("| | compiled | hand-written | compiled / hand-written |")
    print("|---|---|---|---|")
    print(f"| compile (cold, cache cleared) | {t_first * 1e3:.0f} ms first, {t_warm * 1e3:.0f} ms warm | - | - |")
    print(f"| validated inputs, `_fast` vs `score` | {lat['compiled _fast'] / 1e3:.2f} µs | {hand / 1e3:.2f} µs "
          f"| **{lat['compiled _fast'] / hand:.2f}x** |")
    print(f"| validated inputs, `run` vs `score` + context per call | {lat['compiled run'] / 1e3:.2f} µs "
          f"| {lat['hand score + context per call'] / 1e3:.2f} µs "
          f"| {lat['compiled run'] / lat['hand score + context per call']:.2f}x |")
    print(f"| raw dict, `rb.validate` + `run` vs `validate` + `score` | "
          f"{lat_raw['compiled validate + run'] / 1e3:.2f} µs | {hraw / 1e3:.2f} µs "
          f"| **{lat_raw['compiled validate + run'] / hraw:.2f}x** |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
