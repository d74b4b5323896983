"""A bounded, coverage-guided fuzzer for the parser, the checker, case files and the data
readers (issue 18). No dependency beyond the standard library: line coverage of jixiao's
own modules through ``sys.settrace``, a corpus of the inputs that reached new lines, and
mutations of them (characters and tokens of the language inserted, deleted, replaced,
lines spliced between inputs).

The contract checked: every input ends in a result or in jixiao's own errors
(``JixiaoError``, ``DataError``, ``BadRows``) — any other exception is a crash — within
``HANG_SECONDS`` (else a hang, interrupted by SIGALRM where there is one).

CI runs it for a few seconds in the normal suite (tests/robustness/test_fuzz.py); run it
longer from the repository root:

    python -m tests.robustness.fuzz --budget 600            # ten minutes, every target
    python -m tests.robustness.fuzz --budget 60 --target check --seed 7

It prints the inputs tried, crashes, hangs, corpus size and lines covered, and writes each
crashing or hanging input to ``--crash-dir`` (default: a temporary folder) to replay.
"""
from __future__ import annotations

import argparse
import os
import random
import signal
import sys
import tempfile
import time
import traceback
from pathlib import Path
from typing import Callable, Optional

ROOT = Path(__file__).resolve().parents[2]
# an input that takes longer than this (traced: several times slower than a plain run) is a hang
HANG_SECONDS = 20
# inputs are kept small: the fuzzer looks for crashes and hangs, not for the cost of size
# (the size limits have tests of their own in test_robustness.py)
MAX_INPUT = 6000

TOKENS = ["规则集", "满分", "精度", "舍入", "四舍五入", "指标", "一级指标", "二级指标", "输入", "得分", "等级", "说明",
          "引用", "方法", "方法库", "如果", "则", "否则", "且", "或", "不", "分档", "不适用", "计满分", "剔除",
          "扣完为止", "不加分", "合计", "总分", "加分项", "扣分项", "指标行", "案例", "测试", "基于", "预期",
          "是否", "数值", "比率", "金额(万元)", "人数", "项数", "等级(优,良,差)", "清单[\"甲\",\"乙\"]", "日期", "列表:",
          "范围", "至", "仅当", "核对", "要求", "评定", "人工评定", "无法计分", "自评得分", "认定得分",
          "min(", "max(", "最大值(", "最小值(", "计数(", "相差月数(", ")", "(", ",", ":", "=", "≥", "<=", ">", "×", "/",
          "+", "-", "%", "个百分点", "pp", "分", "1", "0", "0.5", "90%", "1e999999", "9" * 40, "0.0000001", "-1",
          "\n", "\n  ", "\n    ", "  ", "\t", '"', "「", "」", "#", "\"\"\"", "a", "b", "x", "甲", "ａ", "\u200b",
          "\u202e", "\x00", "\ud800", "\r\n", "=HYPERLINK(", "@", "2024-02-30", "是", "否", "不适用", "万元", "元"]

CSV_TOKENS = [",", "\"", "\n", "\r\n", "是", "否", "1", "1,000", "2,5", "300%", "3pp", "1_0", "1e3万元", "=1+1", "\t",
              "", "\ufeff", "\x00", "NaN", "Infinity", "-0", "9" * 60, "\"\"", "；", "、"]


def _seeds() -> dict[str, list[str]]:
    def head(text, n=MAX_INPUT // 2):              # the first lines of a shipped file, up to n characters
        return text if len(text) <= n else text[:text.rfind("\n", 0, n) + 1]
    rulebooks = [head(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "stdlib_indicators").glob("*.jx"))]
    cases = [head(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "examples").rglob("*.jxc"))]
    small = ('规则集 "t"\n满分 2\n输入 a: 是否\n输入 r: 比率\n指标 A 1分:\n  得分 = 如果 a 则 1 否则 0\n'
             '指标 B 1分:\n  得分 = min(r / 90%, 1)\n等级:\n  好: 总分 ≥ 1\n  差: 否则\n')
    return {
        "parse": [small] + rulebooks[:3] + cases[:2],
        "check": [small] + rulebooks[:2],
        "case": ['案例 "c"\na = 是\nr = 95%\n', '案例 "c"\na = 否\nr = 0.5\n自评得分:\n  A = 1\n'],
        "csv": ["a,r\n是,95%\n否,0.5\n", "id,a,r\nu1,是,1\nu2,否,\"0,5\"\n"],
        "json": ['[{"a": "是", "r": "95%"}, {"a": false, "r": 0.5}]', '{"a": "是", "r": 1}\n{"a": "否", "r": 0}\n'],
    }


SMALL_RULEBOOK = _seeds()["check"][0]


def _targets(tmp: Path) -> dict[str, Callable[[str], None]]:
    from jixiao.compiler.api import check_text, compile_rulebook
    from jixiao.compiler.data import BadRows, DataError
    from jixiao.compiler.data.job import score_file
    from jixiao.dsl.parser import parse_text

    rb = compile_rulebook(SMALL_RULEBOOK)
    out = tmp / "out.csv"

    def t_parse(text):
        parse_text(text, "<fuzz>.jx")

    def t_check(text):
        check_text(text, "<fuzz>.jx")

    def t_case(text):
        p = tmp / "c.jxc"
        p.write_text(text, encoding="utf-8", errors="surrogatepass")
        c = rb.load_case(p)
        rb.evaluate_case(c, trace=True)

    def data(suffix):
        def t(text):
            p = tmp / f"d{suffix}"
            p.write_bytes(text.encode("utf-8", "surrogatepass"))
            try:
                score_file(rb, p, out, on_error="skip", jobs=1)
            except (DataError, BadRows):
                pass
        return t

    return {"parse": t_parse, "check": t_check, "case": t_case, "csv": data(".csv"), "json": data(".json"),
            "jsonl": data(".jsonl")}


class _Coverage:
    """Lines of jixiao's own modules run by one call."""

    def __init__(self):
        import jixiao
        self.prefix = str(Path(jixiao.__file__).resolve().parent)
        self.lines: set = set()

    def run(self, fn, arg) -> set:
        hit: set = set()
        prefix = self.prefix

        def local(frame, event, _arg):
            if event == "line":
                hit.add((frame.f_code.co_filename, frame.f_lineno))
            return local

        def glob(frame, event, _arg):
            if frame.f_code.co_filename.startswith(prefix) and "/tests/" not in frame.f_code.co_filename:
                return local
            return None

        sys.settrace(glob)
        try:
            fn(arg)
        finally:
            sys.settrace(None)
        new = hit - self.lines
        self.lines |= hit
        return new


def _mutate(rng: random.Random, text: str, corpus: list[str], tokens: list[str]) -> str:
    s = text
    for _ in range(rng.randint(1, 4)):
        op = rng.random()
        i = rng.randint(0, len(s)) if s else 0
        if op < 0.35:
            s = s[:i] + rng.choice(tokens) + s[i:]
        elif op < 0.55 and s:
            j = min(len(s), i + rng.randint(1, 8))
            s = s[:i] + s[j:]
        elif op < 0.7 and s:
            j = min(len(s), i + rng.randint(1, 6))
            s = s[:i] + rng.choice(tokens) + s[j:]
        elif op < 0.85 and corpus:
            other = rng.choice(corpus).split("\n")
            lines = s.split("\n")
            k = rng.randint(0, len(lines))
            lines[k:k] = other[rng.randint(0, max(0, len(other) - 1)):][:rng.randint(1, 3)]
            s = "\n".join(lines)
        elif s:
            lines = s.split("\n")                     # duplicate a line (deep nesting, repeats)
            k = rng.randrange(len(lines))
            lines.insert(k, lines[k])
            s = "\n".join(lines)
    return s[:MAX_INPUT]


class _Hang(BaseException):
    pass


def run(budget: float = 5.0, targets: Optional[list[str]] = None, seed: int = 0,
        crash_dir: Optional[Path] = None, verbose: bool = False) -> dict:
    """Fuzz for ``budget`` seconds; returns the figures (tried, crashes, hangs, corpus, lines,
    per target) and the crashing inputs."""
    from jixiao.compiler.data import BadRows, DataError
    from jixiao.dsl.diagnostics import JixiaoError
    ours = (JixiaoError, DataError, BadRows)
    rng = random.Random(seed)
    seeds = _seeds()
    seeds["jsonl"] = [seeds["json"][1]]
    with tempfile.TemporaryDirectory(prefix="jixiao-fuzz-") as tmp:
        tmp = Path(tmp)
        fns = _targets(tmp)
        names = [t for t in (targets or list(fns)) if t in fns]
        cov = _Coverage()
        corpus = {t: list(seeds[t]) for t in names}
        stats = {"tried": 0, "crashes": 0, "hangs": 0, "per_target": {t: 0 for t in names}, "failures": []}
        use_alarm = hasattr(signal, "SIGALRM") and threading_is_main()
        old = signal.signal(signal.SIGALRM, _on_alarm) if use_alarm else None
        start = time.monotonic()
        try:
            k = 0
            while time.monotonic() - start < budget:
                t = names[k % len(names)]
                k += 1
                pool = corpus[t]
                text = pool[0] if stats["per_target"][t] == 0 else _mutate(
                    rng, rng.choice(pool), pool, CSV_TOKENS if t in ("csv", "json", "jsonl") else TOKENS)
                stats["tried"] += 1
                stats["per_target"][t] += 1
                t0 = time.monotonic()
                if use_alarm:
                    signal.alarm(HANG_SECONDS)
                try:
                    new = cov.run(fns[t], text)
                    if new:
                        pool.append(text)
                except ours:
                    pass
                except _Hang:
                    stats["hangs"] += 1
                    stats["failures"].append((t, "hang", text, ""))
                except RecursionError as e:       # reported as a crash: a limit should have refused it
                    stats["crashes"] += 1
                    stats["failures"].append((t, type(e).__name__, text, traceback.format_exc()))
                except Exception as e:            # noqa: BLE001 — anything else is a crash
                    stats["crashes"] += 1
                    stats["failures"].append((t, type(e).__name__, text, traceback.format_exc()))
                finally:
                    if use_alarm:
                        signal.alarm(0)
                if not use_alarm and time.monotonic() - t0 > HANG_SECONDS:
                    stats["hangs"] += 1
                    stats["failures"].append((t, "hang", text, ""))
        finally:
            sys.settrace(None)
            if use_alarm:
                signal.signal(signal.SIGALRM, old)
        stats["corpus"] = sum(len(v) for v in corpus.values())
        stats["lines"] = len(cov.lines)
        stats["seconds"] = round(time.monotonic() - start, 1)
    if crash_dir is not None and stats["failures"]:
        crash_dir.mkdir(parents=True, exist_ok=True)
        for n, (t, kind, text, tb) in enumerate(stats["failures"]):
            (crash_dir / f"{n:03d}-{t}-{kind}.txt").write_text(text + "\n\n" + tb, encoding="utf-8",
                                                                 errors="surrogatepass")
    return stats


def threading_is_main() -> bool:
    import threading
    return threading.current_thread() is threading.main_thread()


def _on_alarm(_sig, _frame):
    raise _Hang()


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m tests.robustness.fuzz", description=__doc__.split("\n\n")[0])
    ap.add_argument("--budget", type=float, default=60, help="seconds to fuzz (default 60)")
    ap.add_argument("--target", action="append", choices=["parse", "check", "case", "csv", "json", "jsonl"],
                    help="a target (repeatable; default: all)")
    ap.add_argument("--seed", type=int, default=int.from_bytes(os.urandom(4), "little"))
    ap.add_argument("--crash-dir", type=Path, default=None)
    a = ap.parse_args(argv)
    crash_dir = a.crash_dir or Path(tempfile.mkdtemp(prefix="jixiao-fuzz-crashes-"))
    s = run(a.budget, a.target, a.seed, crash_dir)
    print(f"seed {a.seed}: {s['tried']} inputs in {s['seconds']} s ({', '.join(f'{k} {v}' for k, v in s['per_target'].items())}); "
          f"crashes {s['crashes']}, hangs {s['hangs']}; corpus {s['corpus']}, lines covered {s['lines']}")
    if s["failures"]:
        print(f"failing inputs written to {crash_dir}")
        for t, kind, _text, tb in s["failures"][:5]:
            print(f"--- {t}: {kind}\n{tb[-1500:]}")
    return 1 if s["crashes"] or s["hangs"] else 0


if __name__ == "__main__":
    sys.exit(main())
