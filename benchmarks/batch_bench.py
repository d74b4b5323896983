"""Batch throughput: N generated units through `jixiao score` from CSV to CSV (not a test).

    python benchmarks/batch_bench.py [--units 1000000] [--jobs 2] [--repeat 3] [--keep units.csv]
                                     [--engines python,duckdb] [--sample 100000] [--parquet]

Prints, in one run: the time and peak memory (resident set of the whole process tree,
sampled every 50 ms) of `jixiao score RULEBOOK units.csv -o scores.csv --engine E` for
each engine (python: worker processes; duckdb: the rulebook as exact SQL in DuckDB),
units per second, and the same for the I/O floor: a bare standard-library loop that
reads the same CSV and writes one column back. The ratio of each to the floor is the
cost of scoring. The DuckDB engine's output is then checked against the Python engine's:
every line when both ran, else a sample of --sample units spread over the file, scored
by the Python engine in the same run.

With --parquet, the DuckDB engine with Parquet too: the same units as a typed Parquet file
(DOUBLE and BIGINT columns, as DuckDB reads the CSV) scored into Parquet and into CSV, and
the CSV scored into Parquet, each timed against a Parquet floor (DuckDB copying the
Parquet file: every column read and written) and checked against the CSV→CSV output:
the CSV byte for byte, a Parquet file every cell (as a number where it is one).

Then, on the first 20,000 units (all of them for a smaller --units) in this one process,
where a worker's time goes per unit (splitting the record, converting its cells,
evaluating, formatting the scores) next to benchmarks/handwritten.py's hand-written
evaluation of the same units, and what the run would take if a worker did nothing but
split, convert, evaluate as fast as the hand-written function and format, spread over the
workers with no overhead at all.
"""
from __future__ import annotations

import argparse
import atexit
import csv
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
RULEBOOK = ROOT / "stdlib_indicators" / "部门整体支出.jx"

FLOOR = r'''
import csv, sys
with open(sys.argv[1], encoding="utf-8-sig", newline="") as f, open(sys.argv[2], "w", encoding="utf-8", newline="") as g:
    w = csv.writer(g)
    for row in csv.reader(f):
        w.writerow([row[0]])
'''


def make_units(path: Path, n: int, seed: int = 2021) -> None:
    """Units around the Chenxi report figures: every numeric input varied, some exactly on
    tier boundaries, checklists and grades drawn at random. Written in a streaming way."""
    from jixiao.compiler.api import compile_rulebook
    rb = compile_rulebook(path=RULEBOOK)
    base = rb.load_case(ROOT / "examples" / "chenxi-2021" / "report-figures.jxc").inputs
    inputs = rb.program.inputs
    rnd = random.Random(seed)

    def cell(inp, v):
        if inp.kind == "checklist":
            return "、".join("是" if rnd.random() < 0.85 else "否" for _ in inp.members)
        if inp.kind == "boolean":
            return "是" if rnd.random() < 0.9 else "否"
        if inp.kind == "grade":
            return rnd.choice(inp.members)
        if inp.kind == "count":
            lo = int(inp.lo or 0) + (1 if inp.lo_open else 0)
            return str(max(lo, int(v) + rnd.randint(-3, 3)))
        x = float(v) * rnd.uniform(0.8, 1.1)
        lo = float(inp.lo) if inp.lo is not None else None
        if lo is not None and x <= lo:
            x = lo + 0.01
        if inp.hi is not None and x > float(inp.hi):
            x = float(inp.hi)
        return f"{x:.2f}" if rnd.random() > 0.2 else str(v)    # 20% exactly the report's figure
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["单位编码"] + [i.name for i in inputs])
        for k in range(n):
            w.writerow([f"U{k:07d}"] + [cell(i, base[i.name]) for i in inputs])


def tree_rss_kb(pid: int) -> int:
    total = 0
    stack = [pid]
    while stack:
        p = stack.pop()
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
            for t in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{t}/children") as f:
                    stack.extend(int(x) for x in f.read().split())
        except OSError:
            continue
    return total


def measure(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, peak RSS of the process tree in MB)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0
    stop = threading.Event()

    def sample():
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, tree_rss_kb(proc.pid))
            time.sleep(0.05)
    th = threading.Thread(target=sample, daemon=True)
    th.start()
    _, err = proc.communicate()
    stop.set()
    th.join()
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise SystemExit(f"{cmd[0]} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return dt, peak / 1024


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=1_000_000)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--keep", type=Path, help="keep the generated CSV here (reused if it exists)")
    ap.add_argument("--engines", default="python,duckdb", help="engines to time, comma-separated")
    ap.add_argument("--sample", type=int, default=100_000,
                    help="units checked equal to the Python engine when it is not timed on the whole file")
    ap.add_argument("--repeat", type=int, default=1,
                    help="run the floor and jixiao alternately this many times; the fastest of each is kept "
                         "(on a shared machine the minimum is the least disturbed measurement)")
    ap.add_argument("--parquet", action="store_true",
                    help="also time the DuckDB engine with Parquet in and out (against a Parquet copy)")
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="jixiao-bench-"))
    # the generated units and every output (~1 GB with --parquet at a million units) go at exit
    atexit.register(shutil.rmtree, tmp, True)
    data = args.keep or tmp / "units.csv"
    if not data.exists():
        t0 = time.perf_counter()
        make_units(data, args.units)
        print(f"generated {args.units:,} units in {time.perf_counter() - t0:.1f} s "
              f"({data.stat().st_size / 1e6:.0f} MB)")
    floor_py = tmp / "floor.py"
    floor_py.write_text(FLOOR, encoding="utf-8")
    # jixiao timed as installed: `pip install` compiles its modules to bytecode (the floor's csv
    # module is compiled too); a checkout run with PYTHONDONTWRITEBYTECODE=1 would compile
    # every module from source in every run (~0.15 s)
    import compileall
    import jixiao
    compileall.compile_dir(Path(jixiao.__file__).parent, quiet=2,
                           rx=__import__("re").compile(r"[/\\](tests|benchmarks|editors|node_modules|build)[/\\]"))
    engines = [e for e in args.engines.split(",") if e]

    def jixiao(engine, src=data):
        return [sys.executable, "-m", "jixiao.compiler.cli", "score", str(RULEBOOK), str(src),
                "-o", str(tmp / f"scores-{engine}.csv"), "-j", str(args.jobs), "--engine", engine]
    floors, runs = [], {e: [] for e in engines}
    for r in range(args.repeat):
        floors.append(measure([sys.executable, str(floor_py), str(data), str(tmp / "floor.csv")]))
        for e in engines:
            runs[e].append(measure(jixiao(e)))
        if args.repeat > 1:
            print(f"run {r + 1}: floor {floors[-1][0]:.1f} s, " + ", ".join(
                f"{e} {runs[e][-1][0]:.1f} s ({runs[e][-1][0] / floors[-1][0]:.2f}×, peak {runs[e][-1][1]:.0f} MB)"
                for e in engines))
    t_floor, m_floor = min(t for t, _ in floors), max(m for _, m in floors)
    n = args.units
    best = " (fastest of each)" if args.repeat > 1 else ""
    print(f"{'':<34}{'seconds':>10}{'units/s':>12}{'peak MB':>10}{'× floor':>9}{best}")
    print(f"{'I/O floor (csv read + 1 column)':<34}{t_floor:>10.1f}{n / t_floor:>12,.0f}{m_floor:>10.0f}{1:>9.2f}")
    for e in engines:
        t_jx, m_jx = min(t for t, _ in runs[e]), max(m for _, m in runs[e])
        label = f"jixiao score --engine {e}" + (f" -j {args.jobs}" if e == "python" else "")
        print(f"{label:<34}{t_jx:>10.1f}{n / t_jx:>12,.0f}{m_jx:>10.0f}{t_jx / t_floor:>9.2f}")
    for e in engines:
        with open(tmp / f"scores-{e}.csv", encoding="utf-8-sig") as f:
            print(f"scored rows written ({e}): {sum(1 for _ in f) - 1:,}")
    if "duckdb" in engines:
        check_engines(tmp, data, engines, args, jixiao)
        if args.parquet:
            parquet_runs(tmp, data, args)
    k = min(20_000, args.units)
    per_row = profile(data, k)
    print(f"\nper unit in one worker (first {k:,} units, µs):")
    for k, v in per_row.items():
        print(f"  {k:<44}{v:>8.2f}")
    floor_us = t_floor / n * 1e6
    bound = (per_row["split record"] + per_row["convert cells"] + per_row["evaluate, hand-written"]
             + per_row["format scores"]) / args.jobs
    print(f"  {'I/O floor per unit':<44}{floor_us:>8.2f}")
    print(f"no-overhead bound on {args.jobs} workers (split + convert + hand-written evaluation + format) "
          f"÷ {args.jobs}: {bound:.2f} µs/unit = {bound / floor_us:.2f}× floor")


def check_engines(tmp: Path, data: Path, engines, args, jixiao) -> None:
    """The DuckDB engine's output against the Python engine's: every line, or a sample."""
    with open(tmp / "scores-duckdb.csv", "rb") as f:
        dd = f.read().split(b"\r\n")
    if "python" in engines:
        with open(tmp / "scores-python.csv", "rb") as f:
            py = f.read().split(b"\r\n")
        same = sum(a == b for a, b in zip(py[1:-1], dd[1:-1]))
        print(f"duckdb = python on {same:,} of {len(py) - 2:,} units, every cell" + ("" if py == dd else "  ← DIFFERENT"))
        if py != dd:
            raise SystemExit(1)
        return
    with open(data, "rb") as f:
        lines = f.read().split(b"\n")
    head, body = lines[0], [x for x in lines[1:] if x]
    k = min(args.sample, len(body))
    step = len(body) / k
    picks = [int(i * step) for i in range(k)]
    sample = tmp / "sample.csv"
    with open(sample, "wb") as f:
        f.write(head + b"\n" + b"\n".join(body[i] for i in picks) + b"\n")
    measure(jixiao("python", sample))
    with open(tmp / "scores-python.csv", "rb") as f:
        py = f.read().split(b"\r\n")
    bad = sum(py[1 + j] != dd[1 + i] for j, i in enumerate(picks))
    print(f"duckdb = python on a sample of {k:,} units spread over the file: {k - bad:,} equal, {bad} different")
    if bad:
        raise SystemExit(1)


PARQUET_FLOOR = r'''
import sys, duckdb
duckdb.sql(f"COPY (SELECT * FROM read_parquet('{sys.argv[1]}')) TO '{sys.argv[2]}' (FORMAT parquet)")
'''


def parquet_runs(tmp: Path, data: Path, args) -> None:
    """The DuckDB engine with Parquet in and out, against a Parquet copy; each output
    checked against the CSV→CSV one (scores-duckdb.csv)."""
    import duckdb
    pq = tmp / "units.parquet"
    t0 = time.perf_counter()
    duckdb.sql(f"COPY (SELECT * FROM read_csv('{data}')) TO '{pq}' (FORMAT parquet)")
    types = duckdb.sql(f"DESCRIBE SELECT * FROM '{pq}'").fetchall()
    print(f"\nParquet: the units as {pq.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - t0:.1f} s "
          f"(types: {', '.join(sorted({t for _, t, *_ in types}))})")
    floor = tmp / "floor_parquet.py"
    floor.write_text(PARQUET_FLOOR, encoding="utf-8")
    runs = {"floor": measure([sys.executable, str(floor), str(pq), str(tmp / "floor.parquet")])}
    jobs = {"parquet → parquet": (pq, "pq-pq.parquet"), "parquet → csv": (pq, "pq-csv.csv"),
            "csv → parquet": (data, "csv-pq.parquet")}
    for label, (src, out) in jobs.items():
        runs[label] = measure([sys.executable, "-m", "jixiao.compiler.cli", "score", str(RULEBOOK), str(src),
                               "-o", str(tmp / out), "--engine", "duckdb"])
    t_floor = runs["floor"][0]
    n = args.units
    print(f"{'':<34}{'seconds':>10}{'units/s':>12}{'peak MB':>10}{'× floor':>9}")
    for label, (t, m) in runs.items():
        name = "Parquet floor (DuckDB copy)" if label == "floor" else f"--engine duckdb, {label}"
        print(f"{name:<34}{t:>10.1f}{n / t:>12,.0f}{m:>10.0f}{t / t_floor:>9.2f}")
    ref = tmp / "scores-duckdb.csv"
    same = (tmp / "pq-csv.csv").read_bytes() == ref.read_bytes()
    print(f"parquet → csv = csv → csv, byte for byte: {same}")
    bad = not same
    for out in ("pq-pq.parquet", "csv-pq.parquet"):
        cols = duckdb.sql(f"DESCRIBE SELECT * FROM '{tmp / out}'").fetchall()
        diff = " OR ".join(f'p."{c}" IS DISTINCT FROM TRY_CAST(NULLIF(c."{c}", \'\') AS {t})' for c, t, *_ in cols)
        got = duckdb.sql(f"SELECT count(*), count(*) FILTER (WHERE {diff}) FROM read_parquet('{tmp / out}') p "
                         f"POSITIONAL JOIN read_csv('{ref}', all_varchar=true) c").fetchall()[0]
        rows = duckdb.sql(f"SELECT count(*) FROM read_csv('{ref}', all_varchar=true)").fetchall()[0][0]
        print(f"{out}: {got[0]:,} rows, {got[1]} differing from csv → csv ({rows:,} rows), "
              f"{len(cols)} columns each")
        bad = bad or got[1] != 0 or got[0] != rows
    if bad:
        raise SystemExit(1)


def profile(data: Path, k: int) -> dict:
    """Per-unit µs of the steps of a worker's loop, chunk by chunk as a worker does them.
    The evaluators are timed on values already in cache, as in benchmarks/eval_bench.py."""
    import gc
    from decimal import localcontext
    from jixiao.compiler.data import Columns, read_rows
    from jixiao.compiler.data.writers import _Formats
    from jixiao.compiler.backend import runtime
    from jixiao.compiler.api import compile_rulebook
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from handwritten import score as hand_score
    rb = compile_rulebook(path=RULEBOOK)
    headers, rows = read_rows(data)
    rows.close()
    columns = Columns(rb, headers)
    convert = columns.fast_converter(rb)
    fast = rb.evaluator.fast
    with open(data, encoding="utf-8-sig") as f:
        f.readline()
        lines = [line.rstrip("\n").rstrip("\r") for line, _ in zip(f, range(k))]
    k = len(lines)                  # a file of fewer units: all of them
    F = _Formats()
    t = dict.fromkeys(["split record", "convert cells", "evaluate, compiled _fast", "evaluate, hand-written",
                       "format scores"], 0.0)
    clock = time.perf_counter
    gc.collect()
    for a in range(0, k, 2000):
        block = lines[a:a + 2000]
        t0 = clock()
        recs = [line.split(",") for line in block]
        t1 = clock()
        vals = [convert(r) for r in recs]
        t2 = clock()
        with localcontext(runtime.CONTEXT):
            for v in vals:          # untimed: both evaluators then find the values in cache
                hand_score(v)
            t2w = clock()
            for v in vals:
                fast(v)
            t3 = clock()
            for v in vals:
                hand_score(v)
            t4 = clock()
            res = [fast(v) for v in vals]
        t4b = clock()
        for scores, total, grade, _na in res:
            ",".join([F[str(x)] for x in scores] + [F[str(total)], grade])
        t5 = clock()
        for key, d in zip(t, (t1 - t0, t2 - t1, t3 - t2w, t4 - t3, t5 - t4b)):
            t[key] += d
    if any(v is None for v in vals):
        raise SystemExit("profile: a generated unit did not take the converter's fast path")
    return {key: v / k * 1e6 for key, v in t.items()}


if __name__ == "__main__":
    main()
