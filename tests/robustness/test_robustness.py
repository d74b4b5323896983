"""Robustness: hostile rulebooks, case files and input values.

The contract under test: whatever text a rulebook or a case holds, and whatever Python
values are handed to ``evaluate``, jixiao answers with a result or with diagnostics
(``JixiaoError`` with ``.diagnostics``, or a ``CheckResult`` whose ``.diagnostics`` are
non-empty) -- never code execution, a hang, a crash (any other exception) or unbounded
memory. Rulebook text reaches generated Python only as ``repr`` literals or mangled names.

Sections:
  1. property-based fuzzing (hypothesis) of the parser, the checker, the compiler, case
     files and ``evaluate`` values;
  2. hostile rulebooks: code injection through every place text can go, Python keywords
     as names, and a walk over the emitted module's AST and tokens;
  3. size and nesting limits (10,000 levels, 10,000 digits, 10 MB files, 100,000 inputs);
  4. the command line never prints a traceback for user errors.

Tests marked ``xfail(strict=True, reason="BUG: ...")`` reproduce real bugs; they start
passing (and so failing as XPASS) once the bug is fixed -- remove the marker then.

Environment knobs (the defaults run the file in about 30 s):
  JIXIAO_FUZZ_SCALE=10       multiply every hypothesis example count
  JIXIAO_ROBUSTNESS_FULL=1   also run the full-size 100,000-input rulebook (~20 s to compile) and
                             the 100,000-line case file (a strict xfail that waits 60 s)
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import io
import os
import random
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
import tokenize
import tracemalloc
import uuid
from decimal import Decimal
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from jixiao.compiler.backend import runtime
from jixiao.compiler.api import check_file, check_text, compile_rulebook
from jixiao.compiler.cli import main as cli
from jixiao.dsl.builtins import FUNCS
from jixiao.dsl.check import CheckResult
from jixiao.dsl.diagnostics import JixiaoError
from jixiao.dsl.keywords import EN_ZH, ZH_EN
from jixiao.dsl.parser import parse_text

ROOT = Path(__file__).resolve().parents[2]
STDLIB = ROOT / "stdlib_indicators" / "部门整体支出.jx"
SELF_ASSESSMENT = ROOT / "examples" / "chenxi-2021" / "self-assessment.jxc"
SUITE = ROOT / "stdlib_indicators" / "tests" / "部门整体支出.jxt"
HOSTILE = Path(__file__).resolve().parents[1] / "fixtures" / "hostile"

SCALE = max(1, int(os.environ.get("JIXIAO_FUZZ_SCALE", "1")))
FULL = os.environ.get("JIXIAO_ROBUSTNESS_FULL") == "1"
HANG = 10.0           # seconds: a generous hang guard, not a performance target
MEM = 500 * 2 ** 20   # bytes: tracemalloc peak allowed for the 10 MB inputs

# A marker file that exists only if injected code ever runs; unique per test session.
PWNED = Path(f"/tmp/PWNED-{uuid.uuid4().hex}")
INJ = f"__import__('os').system('touch {PWNED}')"
MARKERS = (PWNED.name, "__import__", "os.system", "system(")


def fuzz(n: int):
    return settings(max_examples=n * SCALE, deadline=None, database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much, HealthCheck.large_base_example])


# ───────────────────────── helpers ─────────────────────────

class Hang(BaseException):
    """Raised by the SIGALRM guard: the call under test ran past its limit."""


@contextlib.contextmanager
def bounded(limit: float = HANG):
    """Fail if the body runs ``limit`` seconds or more; interrupt it (SIGALRM) if it hangs."""
    use_alarm = threading.current_thread() is threading.main_thread()
    if use_alarm:
        def on_alarm(signum, frame):
            raise Hang(f"still running after {limit} s")
        old = signal.signal(signal.SIGALRM, on_alarm)
        signal.setitimer(signal.ITIMER_REAL, limit)
    t0 = time.perf_counter()
    try:
        yield
    finally:
        if use_alarm:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, old)
    elapsed = time.perf_counter() - t0
    assert elapsed < limit, f"took {elapsed:.1f} s (limit {limit} s)"


@contextlib.contextmanager
def memory_bounded(limit: int = MEM):
    tracemalloc.start()
    try:
        yield
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    assert peak < limit, f"tracemalloc peak {peak / 2 ** 20:.0f} MB (limit {limit / 2 ** 20:.0f} MB)"


def answer(fn, *args, **kwargs):
    """Call ``fn``: its result, or the JixiaoError it raised (which must carry diagnostics).
    Any other exception propagates and fails the test."""
    try:
        return fn(*args, **kwargs)
    except JixiaoError as e:
        assert e.diagnostics, "JixiaoError without diagnostics"
        return e


def check_answer(text: str, name: str = "<fuzz>") -> CheckResult:
    r = check_text(text, name)
    assert isinstance(r, CheckResult)
    if r.program is None and not r.diagnostics:
        # only a clean 方法库 has neither a program nor a diagnostic
        from jixiao.dsl import ast as jx_ast
        assert isinstance(parse_text(text, name)[0], jx_ast.Library), "no program and no diagnostics"
    return r


def codes(x) -> set[str]:
    return {d.code for d in x.diagnostics}


def diag_codes(fn, *args, **kwargs) -> set[str]:
    """The diagnostic codes ``fn`` gives: from a JixiaoError or a CheckResult."""
    out = answer(fn, *args, **kwargs)
    assert isinstance(out, (JixiaoError, CheckResult)), f"expected diagnostics, got {type(out).__name__}"
    assert out.diagnostics
    return codes(out)


def no_marker():
    assert not PWNED.exists(), f"injected code ran: {PWNED} was created"


@pytest.fixture(scope="module")
def stdlib():
    return compile_rulebook(path=STDLIB)


@pytest.fixture(scope="module")
def base_inputs(stdlib):
    return dict(stdlib.load_case(SELF_ASSESSMENT).inputs)


@pytest.fixture(autouse=True, scope="module")
def _marker_never_created():
    yield
    assert not PWNED.exists()


ANY_GRADE = "等级:\n  全: 否则\n"


# ═══════════════════════ 1. property-based fuzzing ═══════════════════════

KEYWORDS = sorted(set(ZH_EN) | set(EN_ZH) | {
    "等级", "测试", "基于", "based_on", "预期", "expected", "自评得分", "认定得分", "超出不加分",
    "规则集", "案例", "level3", "个百分点", "百分点", "pp", "总分", "total"} | set(FUNCS))
PUNCT = ["(", ")", "（", "）", ",", "，", "、", ":", "：", "[", "]", "=", "==", "＝", "≥", ">=",
         "≤", "<=", ">", "<", "＞", "＜", "≠", "!=", "+", "-", "＋", "－", "×", "*", "÷", "/",
         "%", "％", ".", "..", "．", "#", "# 注释", '"', '"""', "「", "」", "\\", "'"]
LITERALS = ['"x"', '"a\\"b\\\\c\\n"', '"""多行\n  文字"""', '"""', '""', '「名 称」', '「a"b」',
            '「', '」', "0", "3", "0.5", "１２３", "９．５", "70%", "７０％", "3分", "30万元", "89人",
            "0.1pp", "0.1个百分点", "9" * 20, "x", "x1", "_", "在职人员数", "编制数", "a.b",
            "2024-04-10", "2024年4月10日", "2024-02-30", "9999-12-31", "0000-01-01", "2024-4", "72890元",
            "3个月", "计数(", "合计(", "最大(", "相差月数(", "符合分(", "要点[1]", '"甲" 2分']
SPACE = [" ", "  ", "\t", "\u3000", "\n", "\r\n", "\r", "\n  ", "\n    ", "\n\t", "\n\u3000",
         "\x00", "\ufeff", "\u2028", "\x0c", "\x0b"]
HEADERS = ['', '规则集 "t"\n', '规则集 "t"\n满分 5\n', 'rulebook "t"\ntotal_points 5\n',
           '案例 "c"\n', '测试 "s"\n', '测试 "s"\n规则集 "r.jx"\n', '方法库 "m"\n',
           '规则集 "t"\n满分 5\n引用 "计分方法.jx"\n']


def token_text(extra=()):
    piece = st.one_of(st.sampled_from(KEYWORDS), st.sampled_from(PUNCT), st.sampled_from(LITERALS),
                      st.sampled_from(SPACE), st.sampled_from(list(extra) or [" "]),
                      st.text(max_size=3))
    body = st.lists(piece, max_size=60).map("".join)
    return st.builds(lambda h, b: nl(h + b), st.sampled_from(HEADERS), body)


def nl(text: str) -> str:
    """End the text with a newline. Workaround for the known bug reproduced by
    test_bug_missing_final_newline (a file not ending in a newline crashes the parser);
    drop this once that is fixed, so the fuzzers cover such files again."""
    return text if text.endswith("\n") else text + "\n"


# No surrogates: a file read from disk cannot hold one (UTF-8 decoding rejects them).
any_text = st.text(st.characters(blacklist_categories=("Cs",)), max_size=300).map(nl)


@fuzz(150)
@given(any_text)
def test_fuzz_parse_arbitrary_text(text):
    with bounded():
        answer(parse_text, text)


@fuzz(120)
@given(token_text())
def test_fuzz_parse_and_check_token_soup(text):
    with bounded():
        answer(parse_text, text)
        check_answer(text)


@fuzz(60)
@given(st.one_of(any_text, token_text()))
def test_fuzz_compile_token_soup(text):
    with bounded():
        rb = answer(compile_rulebook, text, name="fuzz.jx")
    no_marker()
    assert rb is not None


# ── grammar-aware rulebooks: get past the parser into names, types, bounds and codegen ──

GEN_INPUTS = """\
输入 n: 数值 范围 -100 至 100
输入 r: 比率 范围 0 至 200%
输入 p: 人数 范围 0 至 1000
输入 m: 金额(万元) 范围 0 至 10000
输入 b: 是否
输入 g: 等级(优, 良, 差)
输入 c: 清单["一", "二", "三"]
输入 s: 分数 范围 0 至 10
"""
GEN_VALUES = [
    dict(n=5, r="96%", p=3, m=5000, b=True, g="优", c=[True, False, True], s=7),
    dict(n=-100, r=0, p=0, m=0, b=False, g="差", c="全部符合", s=0),
    dict(n=100, r="200%", p=1000, m="10000", b="否", g="良", c=[False, False, False], s="10"),
]
ATOMS = ["n", "r", "p", "m", "b", "g", "c", "s", "x", "一", "甲", "总分", "未知", "3", "0", "0.5",
         "10", "70%", "3人", "30万元", "0.1pp", "2分", "１２", "是", "否", "不适用", "优", "[是, 否, 是]"]
BINOPS = ["+", "-", "×", "÷", "*", "/", "＋", "≥", ">", "≤", "<", "=", "≠", "==", "且", "或", "and", "or"]


def _expr_extend(e):
    return st.one_of(
        st.builds("({})".format, e),
        st.builds("-{}".format, e),
        st.builds("非 {}".format, e),
        st.builds("{} {} {}".format, e, st.sampled_from(BINOPS), e),
        st.builds("如果 {} 则 {} 否则 {}".format, e, e, e),
        st.builds("{} {}".format, e, st.sampled_from(["扣完为止", "不加分"])),
        st.builds("{} {} {}".format, e, st.sampled_from(["最多", "最少"]), e),
        st.builds(lambda f, args: f"{f}({', '.join(args)})",
                  st.sampled_from(sorted(FUNCS) + ["foo"]), st.lists(e, max_size=3)),
    )


EXPR = st.recursive(st.sampled_from(ATOMS), _expr_extend, max_leaves=8)


def _tiers(indent):
    row = st.one_of(st.builds(lambda op, k, v: f"{op} {k} : {v}", st.sampled_from(["≥", ">", "≤", "<", "="]), EXPR, EXPR),
                    st.builds("{} : {}".format, EXPR, EXPR))
    return st.builds(
        lambda subj, rows, els: "分档" + (f" {subj}" if subj else "") + ":\n"
        + "".join(f"{indent}{r}\n" for r in rows) + (f"{indent}否则 : {els}\n" if els else ""),
        st.one_of(st.none(), EXPR), st.lists(row, min_size=1, max_size=4), st.one_of(st.none(), EXPR))


def _rule(indent):
    return st.one_of(EXPR.map(lambda e: e + "\n"), _tiers(indent))


# Typed expressions: mostly well-typed, so that most rulebooks get through the checker
# to code generation, the interval analysis, compiler.verify and evaluation.
NUM_ATOMS = ["n", "s", "3", "0", "0.5", "10", "１２", "r × 10", "符合数(c) × 1", "项数(c) × 0.5",
             "p × 0.1", "m / 10000万元 × 5", "(p - 3人) × 0.1", "(r - 70%) / 0.1个百分点", "@ind", "@x"]
BOOL_ATOMS = ["b", "全部符合(c)", "任一符合(c)", "g = 优", "g ≠ 差", "非 b", "r ≥ 70%", "p > 3人",
              "m ≤ 30万元", "是", "否"]
CMPS = ["≥", ">", "≤", "<", "=", "≠", "＞", "＝"]


def _num_extend(child):
    cmp = st.builds("{} {} {}".format, child, st.sampled_from(CMPS), child)
    cond = st.one_of(st.sampled_from(BOOL_ATOMS), cmp,
                     st.builds("{} {} {}".format, st.sampled_from(BOOL_ATOMS), st.sampled_from(["且", "或"]), cmp),
                     st.builds("非 ({})".format, cmp))
    return st.one_of(
        st.builds("({}) {} ({})".format, child, st.sampled_from(["+", "-", "×", "*", "－"]), child),
        st.builds("({}) {} {}".format, child, st.sampled_from(["÷", "/"]),
                  st.sampled_from(["2", "(绝对值(n) + 1)", "(项数(c) × 1)", "4"])),
        st.builds("min({}, {})".format, child, child),
        st.builds("max({}, {}, {})".format, child, child, child),
        st.builds("{}({})".format, st.sampled_from(["向上取整", "向下取整", "绝对值", "ceil", "floor", "abs"]), child),
        st.builds("(如果 {} 则 {} 否则 {})".format, cond, child, child),
        st.builds("-({})".format, child),
        st.builds("({} {} {})".format, child, st.sampled_from(["最多", "最少"]), child),
        st.builds("({} 扣完为止)".format, child),
    )


NUM = st.recursive(st.sampled_from(NUM_ATOMS), _num_extend, max_leaves=10)
SCORE = st.one_of(
    st.builds("min(max({}, 0), 5)".format, NUM), st.builds("{} 扣完为止 不加分".format, NUM),
    st.builds("({}) 扣完为止 最多 5".format, NUM), NUM,
    st.builds("如果 {} 则 不适用 否则 min(max({}, 0), 5)".format, st.sampled_from(BOOL_ATOMS), NUM))
_KEYS = st.sampled_from(["0", "1", "2.5", "5", "10", "-3", "70%", "3人", "30万元"])


def _typed_rule(indent):
    tier_rows = st.lists(st.builds("{} {} : {}".format, st.sampled_from(["≥", ">", "≤", "<", "="]), _KEYS, SCORE),
                         min_size=1, max_size=4)
    cond_rows = st.lists(st.builds("{} : {}".format, st.sampled_from(BOOL_ATOMS), SCORE), min_size=1, max_size=3)
    return st.one_of(
        SCORE.map(lambda e: e + "\n"),
        st.builds(lambda s, rows, els: f"分档 {s}:\n" + "".join(f"{indent}{r}\n" for r in rows)
                  + f"{indent}否则 : {els}\n", st.sampled_from(["n", "s", "r", "p", "m", "x"]), tier_rows, SCORE),
        st.builds(lambda rows, els: "分档:\n" + "".join(f"{indent}{r}\n" for r in rows) + f"{indent}否则 : {els}\n",
                  cond_rows, SCORE),
        st.builds(lambda a, b, c: f"查表 g:\n{indent}优 : {a}\n{indent}良 : {b}\n{indent}差 : {c}\n", SCORE, SCORE, SCORE),
    )


SETTINGS = [["", "精度 0.01", "精度 0.5", "精度 1"], ["", "舍入 截断", "舍入 进一", "舍入 银行家舍入", "舍入 四舍五入"],
            ["", "定级 按原始总分", "定级 按舍入后总分"], ["不适用 剔除", "不适用 计满分"]]
FIXED_BANDS = ["  合格: 总分 ≥ 6\n  不合格: 总分 < 6\n", "  全: 否则\n",
               "  优秀: 9 ≤ 总分 ≤ 10\n  良好: 6 ≤ 总分 < 9\n  差: 总分 < 6\n"]
BANDS = st.one_of(
    st.sampled_from(FIXED_BANDS),
    st.lists(st.builds("  {}: {}\n".format, st.sampled_from(["优秀", "良好", "差", "一般"]), EXPR),
             min_size=1, max_size=3).map("".join))


@st.composite
def generated_rulebook(draw):
    typed = draw(st.integers(0, 3)) > 0          # three in four are typed
    settings_ = [draw(st.sampled_from(s)) for s in SETTINGS]
    expr = NUM if typed else EXPR
    glob = draw(expr if typed else st.one_of(st.none(), expr))
    local = draw(st.one_of(st.none(), expr))
    rule = _typed_rule if typed else _rule
    r1, r2 = draw(rule("      ")), draw(rule("      "))
    if typed:     # x is global; 二 may refer to 一 (not the other way round: no cycles) and to y
        glob = glob.replace("@x", "n").replace("@ind", "3")
        local = local and local.replace("@ind", "3").replace("@x", "x")
        r1, r2 = r1.replace("@x", "x"), r2.replace("@x", "x")
        r1 = r1.replace("@ind", "3")
        r2 = r2.replace("@ind", draw(st.sampled_from(["一", "y" if local else "3"])))
    return ('规则集 "gen"\n满分 10\n' + "".join(s + "\n" for s in settings_ if s) + GEN_INPUTS
            + (f"x = {glob}\n" if glob else "")
            + "一级指标 甲 10分:\n" + (f"  y = {local}\n" if local else "")
            + f"  指标 一 5分:\n    得分 = {r1}" + f"  指标 二 5分:\n    得分 = {r2}"
            + "等级:\n" + draw(BANDS if not typed else st.sampled_from(FIXED_BANDS)))


def assert_sound(rb, res):
    """A result keeps every score within [0, points] and the total within [0, 满分]."""
    for ind in res.indicators:
        assert 0 <= ind.score <= ind.points, (ind.path, ind.score, ind.points)
    assert 0 <= res.total <= rb.program.total


@fuzz(40)
@given(generated_rulebook())
def test_fuzz_generated_rulebooks(text):
    with bounded():
        r = check_answer(text, "gen.jx")
        rb = answer(compile_rulebook, text, name="gen.jx")
        if isinstance(rb, JixiaoError):
            return
        assert r.ok
        for values in GEN_VALUES:
            fast = answer(rb.evaluate, values)
            full = answer(rb.evaluate, values, trace=True)
            # the plain path and the traced path agree: both results or both diagnostics
            assert type(fast) is type(full), (values, fast, full)
            if not isinstance(fast, JixiaoError):
                assert (fast.total, fast.grade) == (full.total, full.grade)
                assert_sound(rb, fast)
    no_marker()


# ── mutations of real rulebooks: a valid file one edit away from broken ──

SEEDS = [(HOSTILE / "injection.jx").read_text(encoding="utf-8").replace("INJ", INJ),
         textwrap.dedent('''\
             规则集 "样例"
             满分 10
             不适用 计满分
             输入 编制数: 人数 > 0
             输入 在职人员数: 人数
             输入 完成率: 比率 范围 0 至 100%
             输入 要点: 清单["一", "二"]
             一级指标 投入 10分:
               指标 控制率 5分:
                 得分 = 5 - max(在职人员数 - 编制数, 0) × 0.1 扣完为止
               指标 完成 5分:
                 率 = 完成率
                 得分 = 分档 率:
                   ≥ 90% : 5
                   ≥ 80% : 3
                   否则 : 如果 全部符合(要点) 则 1 否则 不适用
             等级:
               优秀: 9 ≤ 总分 ≤ 10
               合格: 6 ≤ 总分 < 9
               差: 总分 < 6
             ''')]
_SPLIT = re.compile(r'("""[\s\S]*?"""|"(?:[^"\\\n]|\\.)*"|「[^」\n]*」|\n[ \t]*|[ \t\u3000]+|\w+|[^\w\s])')


@st.composite
def mutated(draw, seeds):
    text = draw(st.sampled_from(seeds))
    toks = [t for t in _SPLIT.split(text) if t]
    pool = KEYWORDS + PUNCT + LITERALS + SPACE
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(toks) - 1))
        op = draw(st.sampled_from(["delete", "duplicate", "swap", "insert", "replace"]))
        if op == "delete":
            del toks[i]
        elif op == "duplicate":
            toks.insert(i, toks[i])
        elif op == "swap" and i + 1 < len(toks):
            toks[i], toks[i + 1] = toks[i + 1], toks[i]
        elif op == "insert":
            toks.insert(i, draw(st.sampled_from(pool)))
        else:
            toks[i] = draw(st.sampled_from(pool))
        if not toks:
            toks = [""]
    return nl("".join(toks))


@fuzz(60)
@given(mutated(SEEDS))
def test_fuzz_mutated_rulebooks(text):
    with bounded():
        check_answer(text, "mut.jx")
        rb = answer(compile_rulebook, text, name="mut.jx")
        if not isinstance(rb, JixiaoError) and "样例" in rb.title:
            for v in ({"编制数": 10, "在职人员数": 12, "完成率": "85%", "要点": [True, False]},
                      {"编制数": 1, "在职人员数": 0, "完成率": 0, "要点": "全部符合"}):
                res = answer(rb.evaluate, v, trace=True)
                if not isinstance(res, JixiaoError):
                    assert_sound(rb, res)
    no_marker()


# ── case files against the shipped rulebook ──

CASE_WORDS = ["编制数", "在职人员数", "职责符合三定方案", "资金使用合规性要点", "社会公众满意度调查结果",
              "部门绩效管理工作评价结果", "职责明确", "资产管理.管理制度健全性", "总分", "不存在",
              "满意", "优秀", "全部符合", "是", "否", "[是, 否]", "[是, 是, 是, 是, 是, 是, 是, 否]",
              "89人", "2406.98万元", "96.3%", "-5", "9" * 20, "0", "自评得分:", "认定得分:", " = "]
# (no numbers above 28 digits: they hit test_bug_out_of_range_long_number_in_case)


def _stdlib_case_mutation_seeds():
    return [SELF_ASSESSMENT.read_text(encoding="utf-8"),
            '案例 "小"\n编制数 = 89人\n在职人员数 = 90人\n自评得分:\n  职责明确 = 1\n  总分 = 90\n'
            '认定得分:\n  项目质量达标率 = 3 "理由"\n']


@fuzz(100)
@given(st.one_of(any_text, token_text(CASE_WORDS), mutated(_stdlib_case_mutation_seeds())))
def test_fuzz_case_files(stdlib, text):
    with bounded():
        case = answer(stdlib.case_from_text, text, "x.jxc")
        if isinstance(case, JixiaoError):
            return
        res = answer(stdlib.evaluate_case, case)
        if not isinstance(res, JixiaoError):
            assert res.total <= stdlib.program.total
            answer(stdlib.evaluate_case, case, trace=True)


# ── Python values handed to evaluate ──

SPECIAL_STRINGS = ["1e999999", "-1e999999", "1e-999999", "NaN", "nan", "sNaN", "Infinity", "-inf", "-0",
                   "１２３", "96.3％", "96.3%", "0.1pp", "3个百分点", "2,406.98", "1_000", "٣", "𝟑",
                   "", " ", "\x00", "是", "否", "全部符合", "all", "true", "√", "1" * 60, "1" * 61,
                   "9e99999999999999999999", "0x10", "1/2", "½", "优秀", "满意"]
LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(),
    st.integers(0, 4000).map(lambda k: 10 ** k), st.integers(0, 4000).map(lambda k: -(10 ** k)),
    # non-finite and >28-digit Decimals are left to test_bug_non_finite_decimal_input (they crash _show)
    st.floats(allow_nan=True, allow_infinity=True),
    st.decimals(min_value=-10 ** 26, max_value=10 ** 26, allow_nan=False, allow_infinity=False),
    st.sampled_from(SPECIAL_STRINGS), st.text(max_size=8), st.binary(max_size=4),
)
PY_VALUE = st.recursive(LEAF, lambda c: st.one_of(st.lists(c, max_size=4), st.tuples(c, c),
                                                  st.dictionaries(st.text(max_size=3), c, max_size=3)),
                        max_leaves=8)


@fuzz(120)
@given(data=st.data())
def test_fuzz_evaluate_values(stdlib, base_inputs, data):
    names = sorted(base_inputs)
    inputs = dict(base_inputs)
    for name in data.draw(st.lists(st.sampled_from(names), min_size=1, max_size=3, unique=True)):
        inputs[name] = data.draw(PY_VALUE)
    with bounded():
        res = answer(stdlib.evaluate, inputs)
        answer(stdlib.evaluate, inputs, trace=True)
    if not isinstance(res, JixiaoError):
        assert_sound(stdlib, res)


@fuzz(40)
@given(st.one_of(PY_VALUE, st.dictionaries(st.text(max_size=6), PY_VALUE, max_size=5)))
def test_fuzz_evaluate_whole_argument(stdlib, value):
    with bounded():
        answer(stdlib.evaluate, value)


@pytest.mark.parametrize("value", [
    None, float("nan"), float("inf"), -float("inf"), 1e308, -0.0, 10 ** 4000, -(10 ** 4000), [], {},
    [[[]]], {"a": 1}, "1e999999", "NaN", "-0", "１２３", "96.3％", "9e999999", "1e-999999999", "",
    "\x00", 3 + 4j, b"1", object(), set(), "1" * 61, Decimal("-0"), Decimal("1e27")],
    ids=lambda v: type(v).__name__)
def test_each_input_rejects_or_scores_odd_values(stdlib, base_inputs, value):
    for name in base_inputs:
        inputs = dict(base_inputs, **{name: value})
        with bounded():
            res = answer(stdlib.evaluate, inputs)
        if not isinstance(res, JixiaoError):
            assert_sound(stdlib, res)


# ═══════════════════════ 2. hostile rulebooks: nothing is executed ═══════════════════════

MANGLED = re.compile(r"^(?:[ivsretcu]_\d+|_K\d+|T|O|V|na|tot|totx|eff|grade|cur|tn)$")
ALLOWED_BUILTINS = {"min", "max", "abs", "sum", "all", "any"}
RUNTIME_NAMES = {k for k in vars(runtime) if not k.startswith("__")}

# Every construct the code generator knows, so that its fixed vocabulary is learnt from a
# benign rulebook and a hostile one can be held to it.
FEATURES = '''规则集 "全功能"
版本 "1"
满分 20
精度 0.5
舍入 银行家舍入
定级 按原始总分
不适用 剔除
输入 n: 数值 范围 -100 至 100
输入 r: 比率 范围 0 至 200%
输入 p: 人数 范围 0 至 1000
输入 q: 人数 范围 0 至 1000
输入 m: 金额(万元) 范围 0 至 10000
输入 b: 是否
输入 g: 等级(优, 良, 差)
输入 c: 清单["一", "二", "三"]
输入 s: 分数 范围 0 至 10
基数 = 5
半 = 基数 / 2
一级指标 甲 10分:
  指标 一 4分:
    得分 = 分档 r:
      ≥ 90% : 4
      ≥ 50% : 向上取整(r × 2)
      否则 : 向下取整(绝对值(n) / 100) 最多 4 扣完为止
  指标 二 3分:
    得分 = 分档:
      p = 0 : 不适用
      q > p : 3 - (q - p) × 0.1 扣完为止
      否则 : 3
  指标 三 3分:
    得分 = 分档 g:
      优 : 3
      良 : 2
      差 : 如果 任一符合(c) 且 非 b 则 1 否则 min(符合数(c) × 1, 项数(c) × 1, 基数)
二级指标 乙 10分:
  子项 四 5分:
    得分 = 如果 全部符合(c) 或 b 则 max(s / 2, 半) 最多 5 否则 m / 10000万元 × 5 不加分
  子项 五 5分:
    得分 = (一 + 三) / 7 × 5 最少 0 不加分
等级:
  优秀: 18 ≤ 总分 ≤ 20
  合格: 10 ≤ 总分 < 18
  差: 否则
'''


def _vocabulary(src: str):
    tree = ast.parse(src)
    names, defined, attrs = set(), set(), set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            names.add(node.id)
            if isinstance(node.ctx, (ast.Store, ast.Del)):
                defined.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, ast.arg):
            defined.add(node.arg)
        elif isinstance(node, ast.alias):
            defined.add((node.asname or node.name).split(".")[0])
        elif isinstance(node, ast.Attribute):
            attrs.add(node.attr)
    return tree, names, defined, attrs


@pytest.fixture(scope="module")
def baseline():
    """The generator's fixed vocabulary, learnt from FEATURES and from its twin with the
    other settings (a power-of-ten precision, 计满分, grading on the rounded total)."""
    twin = (FEATURES.replace("精度 0.5", "精度 0.01").replace("不适用 剔除", "不适用 计满分")
            .replace("定级 按原始总分", "定级 按舍入后总分"))
    out = {"source": (set(), set(), set()), "standalone": (set(), set(), set())}
    for text in (FEATURES, twin):
        rb = compile_rulebook(text, name="features.jx")
        for kind, src in (("source", rb.source), ("standalone", rb.emit_python())):
            _tree, *sets = _vocabulary(src)
            for acc, s in zip(out[kind], sets):
                acc |= s
    return out


def assert_text_only_in_literals(src: str, base, markers=MARKERS):
    """The emitted module holds user text only inside string literals (and comments)."""
    base_names, base_defined, base_attrs = base
    # tokens: a marker outside a STRING or COMMENT token would be code
    for tok in tokenize.generate_tokens(io.StringIO(src).readline):
        if tok.type in (tokenize.STRING, tokenize.COMMENT):
            continue
        for m in markers:
            assert m not in tok.string, f"user text became code at line {tok.start[0]}: {tok.line!r}"
    tree, names, defined, attrs = _vocabulary(src)
    builtins_used = {n for n in base_names if hasattr(builtins, n)}
    allowed = RUNTIME_NAMES | ALLOWED_BUILTINS | builtins_used | defined
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            assert MANGLED.match(node.id) or node.id in allowed, f"unexpected name {node.id!r}"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and any(m in node.value for m in markers):
            seg = ast.get_source_segment(src, node)
            assert seg is not None and seg[:1] in "'\"", seg
            assert ast.literal_eval(seg) == node.value          # it is a repr(), nothing else
        elif isinstance(node, ast.JoinedStr):
            seg = ast.get_source_segment(src, node) or ""
            assert not any(m in seg for m in markers), f"user text inside an f-string: {seg[:80]}"
    extra = {d for d in defined if not MANGLED.match(d)} - base_defined
    assert not extra, f"the module defines names a benign rulebook does not: {sorted(extra)}"
    assert attrs <= base_attrs, f"unexpected attributes: {sorted(attrs - base_attrs)}"


def assert_emitted_safe(rb, baseline, markers=MARKERS):
    assert_text_only_in_literals(rb.source, baseline["source"], markers)
    assert_text_only_in_literals(rb.emit_python(), baseline["standalone"], markers)


def test_baseline_is_clean(baseline):
    rb = compile_rulebook(FEATURES, name="features.jx")
    assert_emitted_safe(rb, baseline)
    res = rb.evaluate(dict(n=5, r="96%", p=0, q=3, m=5000, b=True, g="差", c=[True, False, True], s=7))
    assert (res.total, res.grade) == (Decimal("16.5"), "合格")


@pytest.mark.parametrize("doctor", [
    lambda s: s + f"\n{INJ}\n",                                       # a statement
    lambda s: s.replace("RULEBOOK = ", f"RULEBOOK = {INJ} or ", 1),   # an expression
    lambda s: s + "\ndef evil():\n    return 1\n",                     # a new definition
    lambda s: s + "\nx = ZERO.__class__\n",                           # a new attribute
    lambda s: s + f'\nx = f"{{1}}{INJ}"\n',                           # an f-string
], ids=["statement", "expression", "definition", "attribute", "fstring"])
def test_the_literal_check_is_not_vacuous(baseline, doctor):
    """assert_text_only_in_literals rejects a module into which code was smuggled."""
    src = compile_rulebook(FEATURES, name="features.jx").source
    with pytest.raises(AssertionError):
        assert_text_only_in_literals(doctor(src), baseline["source"])


def _injection():
    return (HOSTILE / "injection.jx").read_text(encoding="utf-8").replace("INJ", INJ)


INJ_VALUES = {INJ: 4, "'''\\": True, "def": "a'b", "import": [True, True], "lambda": 1}


def test_injection_fixture_compiles_and_runs_as_data(baseline):
    with bounded():
        rb = compile_rulebook(_injection(), name=f"evil\n{INJ}'\"\\.jx")
        res = rb.evaluate(INJ_VALUES, trace=True)
        other = rb.evaluate(dict(INJ_VALUES, **{INJ: 1, "def": "class"}))
    # 「INJ」 = 4 ≥ 4: min(4 + 0 - 2, 3) = 2; 全部符合(import) and lambda > 0: 2
    assert (res.total, res.grade) == (Decimal("4.00"), INJ)
    assert res.score("class") == 2 and res.score("\\\\") == 2
    # 1 < 4 and def ≠ a'b: 不适用 → full points (3) under 计满分
    assert other.total == Decimal("5.00") and not other.indicator("class").applicable
    assert rb.title.startswith('x"); ' + INJ) and rb.program.version.endswith('#\n"""')
    assert_emitted_safe(rb, baseline)
    no_marker()


def test_injection_case_file_and_standalone_module(baseline, tmp_path):
    rb = compile_rulebook(_injection(), name="evil.jx")
    case_text = (HOSTILE / "injection.jxc").read_text(encoding="utf-8").replace("INJ", INJ)
    case = rb.case_from_text(case_text, f"{INJ}.jxc")
    assert case.title.startswith(INJ) and case.title.endswith('"""')
    assert INJ in next(iter(case.assessed_notes.values()))
    assert rb.evaluate(case.inputs, trace=True).total == Decimal("4.00")
    # with its claimed and assessed scores: a result or a diagnostic (names holding "." or
    # "/" cannot be assessed yet: see test_bug_indicator_names_with_dot_or_slash)
    answer(rb.evaluate_case, case, trace=True)
    # the standalone module runs on its own without executing anything it was given
    ns: dict = {"__name__": "standalone_under_test"}
    exec(compile(rb.emit_python(), "<standalone>", "exec"), ns)
    out = ns["evaluate"](INJ_VALUES)
    assert out["total"] == Decimal("4.00") and out["grade"] == INJ
    no_marker()


def _book(inputs: str, body: str, grades: str = ANY_GRADE, head: str = "") -> str:
    return f'规则集 "t"\n满分 5\n{head}{inputs}{body}{grades}'


# (id, rulebook, input values, expected total) -- each must compile and score exactly
HOSTILE_VALID = [
    ("python-keywords-as-names",
     _book("输入 def: 数值 范围 0 至 5\n输入 class: 是否\n输入 lambda: 等级(import, yield, None)\n"
           "输入 __import__: 人数\n输入 exec: 清单[\"eval\", \"compile\"]\n",
           "一级指标 import 5分:\n  return = def\n  指标 eval 3分:\n    得分 = 如果 class 且 lambda = None 则 min(return, 3) 否则 0\n"
           "  指标 os 2分:\n    得分 = 如果 全部符合(exec) 且 __import__ > 0人 则 2 否则 0\n"),
     {"def": 2, "class": True, "lambda": "None", "__import__": 1, "exec": [True, True]}, Decimal("4.00")),
    ("generated-identifiers-as-names",
     _book("输入 tot: 数值 范围 0 至 5\n输入 ZERO: 数值 范围 0 至 5\n输入 V: 是否\n输入 i_0: 数值 范围 0 至 5\n",
           "一级指标 grade 5分:\n  na = tot\n  T = ZERO\n  指标 cur 3分:\n    得分 = 如果 V 则 min(na, 3) 否则 min(T, 3)\n"
           "  指标 _K0 2分:\n    得分 = min(i_0, 2)\n",
           "等级:\n  run: 总分 ≥ 3\n  validate: 总分 < 3\n"),
     {"tot": 1, "ZERO": 3, "V": False, "i_0": 5}, Decimal("5.00")),
    ("quotes-backslashes-format-chars",
     _book(f"输入 「{INJ}」: 数值 范围 0 至 5 \"{{}} %s %(x)s {{0}} \\\" \\\\ \\n\"\n",
           f"一级指标 「'''{{}}%s\\」 5分:\n  说明 \"\"\"a \\\"\"\" b {INJ}\n    c\"\"\"\n  评分标准 \"{INJ}\"\n"
           f"  得分 = min(「{INJ}」, 5)\n",
           f"等级:\n  「\"{{}}'%s」: 总分 ≥ 3\n  「'''」: 总分 < 3\n"),
     {INJ: "4.5"}, Decimal("4.50")),
    ("injection-in-checklist-and-grades",
     _book(f"输入 要点: 清单[\"{INJ}\", \"\\\"); {INJ} #\", \"\\\"\\\"\\\"{INJ}\\\"\\\"\\\"\"]\n"
           f"输入 级: 等级(「{INJ}」, 「'」, 「\"」)\n",
           f"一级指标 x 5分:\n  得分 = 分档 级:\n    「{INJ}」 : 5\n    「'」 : 符合数(要点) × 1\n    否则 : 0\n"),
     {"要点": [True, True, False], "级": "'"}, Decimal("2.00")),
]


@pytest.mark.parametrize("text, values, total", [h[1:] for h in HOSTILE_VALID], ids=[h[0] for h in HOSTILE_VALID])
def test_hostile_rulebook_scores_as_data(baseline, text, values, total):
    with bounded():
        rb = answer(compile_rulebook, text, name="hostile.jx")
        assert not isinstance(rb, JixiaoError), [d.message for d in rb.diagnostics]
        res = rb.evaluate(values)
        traced = rb.evaluate(values, trace=True)
    assert res.total == traced.total == total
    assert_emitted_safe(rb, baseline)
    no_marker()


HOSTILE_INVALID = [
    ("payload-as-expression", _book("", f"一级指标 x 5分:\n  得分 = {INJ}\n")),
    ("os-system-call", _book("输入 os: 数值\n", f"一级指标 x 5分:\n  得分 = os.system(\"touch {PWNED}\")\n")),
    ("unknown-function", _book("", f"一级指标 x 5分:\n  得分 = system(\"touch {PWNED}\")\n")),
    ("eval-call", _book("", f"一级指标 x 5分:\n  得分 = eval(\"{INJ}\")\n")),
    ("unit-as-payload", _book("", "一级指标 x 5分:\n  得分 = 3__import__\n")),
    ("amount-unit-payload", _book("输入 a: 金额(__import__)\n", "一级指标 x 5分:\n  得分 = 0\n")),
    ("string-as-score", _book("", f"一级指标 x 5分:\n  得分 = \"{INJ}\"\n")),
    ("triple-quote-breakout", _book("", f'一级指标 x 5分:\n  说明 """ """ + {INJ} + """ """\n  得分 = 1\n')),
    ("newline-in-name", _book("", f"一级指标 「a\n{INJ}」 5分:\n  得分 = 1\n")),
    # line breaks and control characters inside 「」 names: refused since issue 18 (E0213)
    ("line-breaks-in-names",
     _book("输入 「a\rb」: 数值 范围 0 至 5\n输入 「c\u2028d」: 数值 范围 0 至 5\n",
           f"一级指标 「\x0b\x0c\x1c\x85#{INJ}」 5分:\n  得分 = min(「a\rb」 + 「c\u2028d」, 5)\n")),
    ("jixiao-keywords-as-names", _book("输入 if: 数值\n输入 not: 是否\n", "一级指标 then 5分:\n  得分 = if\n")),
    ("lambda-expression", _book("", f"一级指标 x 5分:\n  得分 = (lambda: {INJ})()\n")),
    ("dunder-attribute", _book("输入 a: 数值\n", "一级指标 x 5分:\n  得分 = a.__class__.__bases__\n")),
    ("percent-format", _book("", "一级指标 x 5分:\n  得分 = \"%s\" % 1\n")),
    ("fstring-like", _book("", "一级指标 x 5分:\n  得分 = f\"{__import__('os')}\"\n")),
    ("semicolon-statement", _book("", f"一级指标 x 5分:\n  得分 = 1; {INJ}\n")),
    ("python-comment-breakout", _book("", f"一级指标 x 5分:\n  得分 = 1 # \n{INJ}\n")),
]


@pytest.mark.parametrize("text", [h[1] for h in HOSTILE_INVALID], ids=[h[0] for h in HOSTILE_INVALID])
def test_hostile_rulebook_is_diagnosed(text):
    with bounded():
        assert diag_codes(compile_rulebook, text, name="hostile.jx")
        r = check_answer(text)
        assert not r.ok
    no_marker()


def test_hostile_source_name_is_data(baseline):
    name = f"a'\"\n{INJ}\n#\\"
    rb = compile_rulebook(_book("输入 a: 数值 范围 0 至 5\n", "一级指标 x 5分:\n  得分 = a\n"), name=name)
    assert rb.program.source_name == name
    assert rb.evaluate({"a": 2}).total == 2
    assert_emitted_safe(rb, baseline)
    no_marker()


def test_precision_coarser_than_points():
    """Was a bug (fixed by E0406 while this file was being written): evaluate() gave 6
    of 5 points while evaluate(trace=True) reported E0704 and the checker said nothing."""
    text = '规则集 "t"\n满分 5\n精度 3\n输入 a: 数值 范围 0 至 5\n一级指标 x 5分:\n  得分 = a\n' + ANY_GRADE
    rb = answer(compile_rulebook, text, name="p.jx")
    if isinstance(rb, JixiaoError):
        return                                  # rejected by the checker: fixed
    fast, full = answer(rb.evaluate, {"a": 5}), answer(rb.evaluate, {"a": 5}, trace=True)
    assert type(fast) is type(full)
    if not isinstance(fast, JixiaoError):
        assert_sound(rb, fast)


# ═══════════════════════ 3. sizes and nesting ═══════════════════════

DEEP = 10_000
EXPR_BOOK = '规则集 "t"\n满分 5\n输入 a: 数值 范围 -10 至 10\n一级指标 x 5分:\n  得分 = {}\n' + ANY_GRADE


@pytest.mark.parametrize("expr", [
    "(" * DEEP + "1" + ")" * DEEP,
    "min(max(" + "- " * DEEP + "a, 0), 5)",
    "-" * DEEP + "1",
    "如果 a > 0 则 5 否则 " * DEEP + "0",
    "如果 " + "非 " * DEEP + "(a > 0) 则 5 否则 0",
    "a" + " 扣完为止" * DEEP + " 最多 5",
    "min(" * DEEP + "1" + ", 2)" * DEEP,
    "min(max(" + " + ".join(["a"] * DEEP) + ", 0), 5)",
    "[" * DEEP + "]" * DEEP,
], ids=["parens", "unary-minus", "minus-run", "if-chain", "not-chain", "clamps", "calls", "sum", "lists"])
def test_nesting_10000_levels(expr):
    text = EXPR_BOOK.format(expr)
    with bounded():     # compile_rulebook parses and checks first: one call covers all three
        assert diag_codes(compile_rulebook, text, name="deep.jx")


def test_nested_indicator_blocks_10000_levels(tmp_path):
    # one space per level: sum(range(10000)) ≈ 50 M characters, far over the 2 M-character
    # limit, so it is refused by size, from a file (by its size on disk) and from the CLI;
    # the text path is covered below at the deepest nesting that fits under the limit.
    p = tmp_path / "deep.jx"
    with p.open("w", encoding="utf-8") as f:
        f.write('规则集 "t"\n满分 5\n')
        for i in range(DEEP):
            f.write(" " * i + f"子项 n{i} 5分:\n")
        f.write(" " * DEEP + "得分 = 5\n" + ANY_GRADE)
    with bounded():
        assert codes(check_file(p)) == {"E0106"}
        res = _invoke(["check", p])
    assert res.exit_code == 1 and "E0106" in res.output


def test_nested_indicator_blocks_past_the_recursion_limit():
    n = 1_000    # ≈ 0.5 M characters; lark's transformer gives up near 490 levels (E0107)
    lines = ['规则集 "t"\n满分 5\n输入 a: 数值 范围 0 至 5\n'] + [" " * i + f"子项 n{i} 5分:\n" for i in range(n)]
    text = "".join(lines) + " " * n + "得分 = a\n" + ANY_GRADE
    with bounded():
        answer(compile_rulebook, text, name="deep.jx")
        check_answer(text)


@pytest.mark.parametrize("depth", [50, 150, 300])
def test_nested_indicator_blocks_moderate_depth_score(depth):
    lines = ['规则集 "t"\n满分 5\n输入 a: 数值 范围 0 至 5\n'] + [" " * i + f"子项 n{i} 5分:\n" for i in range(depth)]
    text = "".join(lines) + " " * depth + "得分 = a\n" + ANY_GRADE
    with bounded():
        rb = compile_rulebook(text, name="deep.jx")
        assert rb.evaluate({"a": "4.5"}).total == Decimal("4.50")


def test_number_with_10000_digits():
    big = "9" * 10_000
    with bounded():
        assert diag_codes(check_text, EXPR_BOOK.format(big)) == {"E0105"}
        assert diag_codes(check_text, f'规则集 "t"\n满分 {big}\n') == {"E0105"}
        assert diag_codes(check_text, EXPR_BOOK.format("0." + big)) == {"E0105"}


def test_number_with_10000_digits_in_case_and_values(stdlib, base_inputs):
    big = "9" * 10_000
    with bounded():
        assert diag_codes(stdlib.case_from_text, f'案例 "x"\n编制数 = {big}人\n') == {"E0105"}
        assert diag_codes(stdlib.evaluate, dict(base_inputs, 编制数=big)) == {"E0602"}
        answer(stdlib.evaluate, dict(base_inputs, 编制数=Decimal(big)))     # a legal count: a result or E07xx


def test_10mb_of_comments():
    text = '规则集 "t"\n满分 5\n' + ("# " + "注释" * 40 + "\n") * (10_000_000 // 243)
    assert len(text.encode()) >= 9_900_000
    with bounded(3 * HANG), memory_bounded():     # tracemalloc slows this path ~10×
        assert diag_codes(check_text, text) == {"E0106"}
    with bounded():
        assert diag_codes(compile_rulebook, text, name="big.jx") == {"E0106"}


def test_10mb_single_line_string():
    text = '规则集 "' + "𠀀" * 2_560_000 + '"\n满分 5\n'      # 10.2 MB of UTF-8 (4-byte CJK) on one line
    with bounded(3 * HANG), memory_bounded():     # tracemalloc slows this path ~10×
        assert diag_codes(parse_text, text) == {"E0106"}


def test_10mb_of_valid_indicators_is_refused_quickly():
    group = "".join(f"  指标 x{j} 1分:\n    说明 \"{'说明文字' * 10}\"\n    得分 = a\n" for j in range(100))
    text = ('规则集 "t"\n满分 100000\n输入 a: 数值 范围 0 至 1\n'
            + "".join(f"一级指标 g{i} 100分:\n{group.replace(' x', f' g{i}x')}" for i in range(1000)))
    assert len(text.encode()) > 10_000_000
    with bounded():
        assert diag_codes(check_text, text + ANY_GRADE) == {"E0106"}


def test_largest_accepted_rulebook_of_valid_indicators():
    """Just under the 2,000,000-character limit: 1,000 documented indicators in 10 groups."""
    doc = "指标解释说明" * 300
    group = "".join(f"  指标 x{j} 1分:\n    说明 \"{doc}\"\n    得分 = a\n" for j in range(100))
    text = ('规则集 "t"\n满分 1000\n输入 a: 数值 范围 0 至 1\n'
            + "".join(f"一级指标 g{i} 100分:\n" + group for i in range(10)) + ANY_GRADE)
    assert 1_800_000 < len(text) < 2_000_000
    with bounded(20):
        rb = compile_rulebook(text, name="large.jx")
        assert rb.evaluate({"a": 1}).total == 1000


def test_10mb_files_on_disk(tmp_path):
    p = tmp_path / "big.jx"
    p.write_text('规则集 "t"\n满分 5\n' + "# comment\n" * 1_100_000, encoding="utf-8")
    with bounded():
        assert codes(check_file(p)) == {"E0106"}
        res = CliRunner().invoke(cli, ["check", str(p)])
    assert res.exit_code == 1 and "E0106" in res.output and "Traceback" not in res.output


def _many_inputs(n: int) -> str:
    return ('规则集 "t"\n满分 5\n' + "".join(f"输入 a{i}: 是否\n" for i in range(n))
            + "一级指标 x 5分:\n  得分 = 如果 a0 则 5 否则 0\n" + ANY_GRADE)


@pytest.fixture(scope="module")
def ten_thousand_inputs():
    return compile_rulebook(_many_inputs(10_000), name="many.jx")


def test_10000_declared_inputs(ten_thousand_inputs):
    rb = ten_thousand_inputs
    values = {f"a{i}": True for i in range(10_000)}
    with bounded():
        assert rb.evaluate(values).total == 5
        assert diag_codes(rb.evaluate, dict(values, a9999="也许")) == {"E0602"}
        assert diag_codes(rb.evaluate, dict(values, a0=None)) == {"E0601"}


@pytest.mark.skipif(not FULL, reason="set JIXIAO_ROBUSTNESS_FULL=1 (compiling 100,000 inputs takes ~20 s)")
def test_100000_declared_inputs():
    text = _many_inputs(100_000)
    assert len(text) < 2_000_000
    with bounded(60):
        rb = compile_rulebook(text, name="many.jx")
        values = {f"a{i}": True for i in range(100_000)}
        assert rb.evaluate(values).total == 5
        assert diag_codes(rb.evaluate, dict(values, a99999=3)) == {"E0602"}


def test_100000_values_given_to_evaluate(stdlib, base_inputs):
    junk = {f"未声明{i}": i for i in range(100_000)}
    with bounded():
        assert stdlib.evaluate({**junk, **base_inputs}).total == Decimal("94.50")
        assert diag_codes(stdlib.evaluate, junk) == {"E0601"}


def _unknown_case_lines(n: int) -> str:
    return '案例 "x"\n' + "".join(f"未知{i} = {i}\n" for i in range(n))


def test_case_file_with_1000_unknown_inputs(stdlib):
    with bounded():
        assert diag_codes(stdlib.case_from_text, _unknown_case_lines(1_000), "many.jxc") == {"E0604"}


@pytest.mark.skipif(not FULL, reason="set JIXIAO_ROBUSTNESS_FULL=1 (runs into a 60 s guard)")
@pytest.mark.xfail(strict=True, reason="BUG (performance): each unknown case input runs a pure-Python edit "
                   "distance against every declared input for its did-you-mean hint, ~1.3 ms a line: a case "
                   "file of 100,000 unknown lines takes minutes")
def test_case_file_with_100000_unknown_inputs(stdlib):
    with bounded(60):
        assert diag_codes(stdlib.case_from_text, _unknown_case_lines(100_000), "many.jxc") == {"E0604"}


# ═══════════════════════ 4. the command line ═══════════════════════

def _invoke(args):
    res = CliRunner().invoke(cli, [str(a) for a in args])
    assert res.exception is None or isinstance(res.exception, SystemExit), \
        f"{type(res.exception).__name__}: {res.exception}"
    assert "Traceback" not in res.output
    return res


@pytest.fixture(scope="module")
def bad_files(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    files = {"dir": d / "folder", "missing": d / "nope.jx"}
    files["dir"].mkdir()
    data = {"random": random.Random(20211231).randbytes(4096), "invalid_utf8": b"\xff\xfe\x00abc\x80\xc3(",
            "gbk": "规则集 \"部门\"\n满分 5\n".encode("gbk"), "empty": b"", "bom_only": b"\xef\xbb\xbf",
            "blank": b"  \n\t\n\xe3\x80\x80\n", "nul": b"\x00\x00\x00",
            "half_rulebook": '规则集 "t"\n满分 5\n一级指标 x 5分:\n'.encode(),
            "crlf": '规则集 "t"\r\n满分 5\r\n'.encode()}
    for k, v in data.items():
        files[k] = d / f"{k}.jx"
        files[k].write_bytes(v)
    return files


BAD = ["missing", "dir", "random", "invalid_utf8", "gbk", "empty", "bom_only", "blank", "nul", "half_rulebook", "crlf"]


@pytest.mark.parametrize("kind", BAD)
@pytest.mark.parametrize("fmt", ["text", "concise", "json", "sarif", "github"])
def test_cli_check_bad_files(bad_files, kind, fmt):
    res = _invoke(["check", "--format", fmt, bad_files[kind]])
    assert res.exit_code == (2 if kind == "dir" else 1)


@pytest.mark.parametrize("kind", BAD)
def test_cli_score_bad_case(bad_files, kind):
    res = _invoke(["score", STDLIB, bad_files[kind]])
    assert res.exit_code == 1            # a folder is a folder of cases: this one has none
    if kind == "dir":
        assert "没有案例文件" in res.output


@pytest.mark.parametrize("kind", BAD)
def test_cli_score_bad_rulebook(bad_files, kind):
    res = _invoke(["score", "--format", "json", bad_files[kind], SELF_ASSESSMENT])
    assert res.exit_code == (2 if kind == "dir" else 1)


@pytest.mark.parametrize("args, code", [
    (["check", SELF_ASSESSMENT], 0),                     # a case: checked as a case (its syntax)
    (["check", SUITE], 0),                               # a test suite: its rulebook and cases checked
    (["score", SELF_ASSESSMENT, STDLIB], 1),             # arguments swapped
    (["score", STDLIB, STDLIB], 1),                      # a rulebook given as the case
    (["score", SELF_ASSESSMENT, SELF_ASSESSMENT], 1),
    (["score", STDLIB, SUITE], 1),
    (["check"], 2), (["score", STDLIB], 2), (["score"], 2), (["check", "--format", "xml", STDLIB], 2),
    (["compile", STDLIB], 2), (["explain-code", "E9999"], 2), (["no-such-command"], 2),
], ids=lambda v: "-".join(Path(str(a)).name for a in v) if isinstance(v, list) else str(v))
def test_cli_user_errors(args, code):
    assert _invoke(args).exit_code == code


def test_cli_hostile_rulebook_and_case(tmp_path, baseline):
    rb = tmp_path / "evil.jx"
    rb.write_text(_injection(), encoding="utf-8")
    case = tmp_path / "evil.jxc"
    case_text = (HOSTILE / "injection.jxc").read_text(encoding="utf-8").replace("INJ", INJ)
    # without its 自评得分/认定得分 blocks: see test_bug_indicator_names_with_dot_or_slash
    case.write_text(case_text.split("自评得分")[0], encoding="utf-8")
    assert _invoke(["check", rb]).exit_code == 0
    res = _invoke(["score", "--format", "json", "--trace", rb, case])
    assert res.exit_code == 0 and INJ in res.output
    out = tmp_path / "evil.py"
    assert _invoke(["compile", rb, "--emit-python", out]).exit_code == 0
    assert_text_only_in_literals(out.read_text(encoding="utf-8"), baseline["standalone"])
    no_marker()


# ═══════════════════════ known bugs (strict xfail: remove the marker when fixed) ═══════════════════════

@pytest.mark.parametrize("text", ['规则集 "t"', '规则集 "t"\n满分 5', '规则集 "t"\n ', '案例 "c"\n编制数 = 1',
                                  STDLIB.read_text(encoding="utf-8").rstrip("\n")],
                         ids=["title-only", "setting", "trailing-space", "case", "stdlib-without-final-newline"])
def test_bug_missing_final_newline(text):
    answer(parse_text, text)
    check_answer(text)


@pytest.mark.parametrize("expr", [
    "min(max(" + "- " * 250 + "a, 0), 5)",
    "如果 a > 0 则 5 否则 " * 120 + "0",
    "min(max(" + " + ".join(["a"] * 250) + ", 0), 5)",
    "a" + " 扣完为止" * 250 + " 最多 5",
], ids=["unary-minus-250", "if-chain-120", "sum-250", "clamps-250"])
def test_bug_deep_expression_crashes_compile(expr):
    answer(compile_rulebook, EXPR_BOOK.format(expr), name="deep.jx")


def test_bug_200_row_lookup_table():
    rows = "".join(f"      = {i} : {i % 6}\n" for i in range(200))
    text = ('规则集 "t"\n满分 5\n输入 a: 计数(人) 范围 0 至 300\n一级指标 x 5分:\n  指标 y 5分:\n'
            f"    得分 = 分档 a:\n{rows}      否则 : 0\n" + ANY_GRADE)
    rb = answer(compile_rulebook, text, name="tiers.jx")
    assert rb.evaluate({"a": 7}).total == 1


def test_bug_250_grade_bands():
    bands = "".join(f"  g{i}: {i}×0.02 ≤ 总分 < {i + 1}×0.02\n" for i in range(250))
    text = '规则集 "t"\n满分 5\n输入 a: 数值 范围 0 至 5\n一级指标 x 5分:\n  得分 = a\n等级:\n' + bands + "  满: 总分 ≥ 5\n"
    answer(compile_rulebook, text, name="grades.jx")


def test_bug_check_crashes_when_verify_compiles_deep_rule():
    rows = "".join(f"      = {i} : 1\n" for i in range(250))
    text = ('规则集 "t"\n满分 5\n输入 a: 计数(人) 范围 0 至 300\n输入 b: 数值 范围 0 至 5\n'
            f"一级指标 x 5分:\n  指标 y 5分:\n    得分 = 分档 a:\n{rows}      否则 : b - b + 1\n" + ANY_GRADE)
    check_answer(text)


def test_bug_cli_score_traceback_on_deep_rule(tmp_path):
    rows = "".join(f"      = {i} : 1\n" for i in range(200))
    rb = tmp_path / "t.jx"
    rb.write_text('规则集 "t"\n满分 5\n输入 a: 计数(人) 范围 0 至 300\n一级指标 x 5分:\n  指标 y 5分:\n'
                  f"    得分 = 分档 a:\n{rows}      否则 : 1\n" + ANY_GRADE, encoding="utf-8")
    case = tmp_path / "t.jxc"
    case.write_text('案例 "c"\na = 3人\n', encoding="utf-8")
    _invoke(["score", rb, case])


def test_bug_cli_compile_to_missing_folder(tmp_path):
    res = _invoke(["compile", STDLIB, "--emit-python", tmp_path / "no" / "such" / "x.py"])
    assert res.exit_code in (1, 2)


def test_bug_3000_sibling_indicators():
    n = 3_000
    text = (f'规则集 "t"\n满分 {n}\n输入 a: 数值 范围 0 至 1\n'
            + "".join(f"一级指标 x{i} 1分:\n  得分 = a\n" for i in range(n)) + ANY_GRADE)
    with bounded(20):
        rb = answer(compile_rulebook, text, name="wide.jx")
    assert rb.evaluate({"a": 1}).total == n


@pytest.mark.parametrize("text", [
    '规则集 "t"\n满分 5\n一级指标 x 5分:\n  得分 = 1' + "0" * 28 + "\n" + ANY_GRADE,
    '规则集 "t"\n满分 1' + "0" * 27 + "\n一级指标 x 1" + "0" * 27 + "分:\n  得分 = 0\n等级:\n  合格: 总分 ≥ 0\n",
    '规则集 "t"\n满分 5\n精度 0.' + "0" * 40 + "1\n一级指标 x 5分:\n  得分 = 5\n等级:\n  合格: 总分 ≥ 0\n",
], ids=["29-digit-score", "28-digit-total", "41-place-precision"])
def test_bug_long_numbers_crash_checker(text):
    check_answer(text)


@pytest.mark.parametrize("name", ["职责符合三定方案", "社会公众满意度调查结果", "部门绩效管理工作评价结果", "资金使用合规性要点"])
def test_bug_huge_int_input(stdlib, base_inputs, name):
    assert diag_codes(stdlib.evaluate, dict(base_inputs, **{name: 10 ** 5000}))


@pytest.mark.parametrize("name", ["a/b", "a.b", "'+__import__('os').system('x')+'"])
def test_bug_indicator_names_with_dot_or_slash(name):
    rb = compile_rulebook(_book("输入 a: 数值 范围 0 至 5\n", f"一级指标 「{name}」 5分:\n  得分 = a\n"), name="dots.jx")
    case = rb.case_from_text(f'案例 "c"\na = 2\n自评得分:\n  「{name}」 = 2\n认定得分:\n  「{name}」 = 1 "评审认定"\n')
    res = answer(rb.evaluate_case, case)
    assert not isinstance(res, JixiaoError), [d.message for d in res.diagnostics]
    ind = res.indicator(name)
    assert (res.total, ind.assessed, ind.claimed) == (Decimal("1.00"), True, Decimal("2"))


@pytest.mark.parametrize("field, value", [("部门绩效管理工作评价结果", "9" * 29), ("部门绩效管理工作评价结果", "9" * 60)])
def test_bug_out_of_range_long_number_in_case(stdlib, field, value):
    text = re.sub(rf"(?m)^{field} = .*$", f"{field} = {value}", SELF_ASSESSMENT.read_text(encoding="utf-8"))
    assert f"{field} = {value}" in text
    # more than 28 significant digits: refused as no exact number (issue 18 item 6), not cut
    with pytest.raises(JixiaoError) as e:
        stdlib.case_from_text(text, "long.jxc")
    assert [d.code for d in e.value.diagnostics] == ["E0602"] and "28" in e.value.diagnostics[0].message


@pytest.mark.parametrize("name, value", [
    (name, value) for name in ("职责符合三定方案", "三公经费实际支出", "预决算信息公开要点")
    for value in (Decimal("Infinity"), Decimal("-Infinity"), Decimal("sNaN"), [Decimal("Infinity")])
] + [("职责符合三定方案", Decimal("1e999999")), ("预决算信息公开要点", [Decimal("1e30")])],
    ids=lambda v: v if isinstance(v, str) else str(v))
def test_bug_non_finite_decimal_input(stdlib, base_inputs, name, value):
    assert diag_codes(stdlib.evaluate, dict(base_inputs, **{name: value}))


def test_bug_deeply_nested_list_input(stdlib, base_inputs):
    v: object = True
    for _ in range(5_000):
        v = [v]
    assert diag_codes(stdlib.evaluate, dict(base_inputs, 编制数=v))


@pytest.mark.parametrize("kwargs", [
    {"assessed": {"职责明确": "abc"}}, {"assessed": {"职责明确": None}}, {"assessed": {"职责明确": float("inf")}},
    {"claimed": {"职责明确": "abc"}}, {"claimed": {"总分": float("nan")}}, {"assessed": {3: 1}},
], ids=["assessed-text", "assessed-none", "assessed-inf", "claimed-text", "claimed-nan", "assessed-int-key"])
def test_bug_assessed_and_claimed_values(stdlib, base_inputs, kwargs):
    answer(stdlib.evaluate, base_inputs, **kwargs)


def test_bug_missing_inputs_reported_in_quadratic_time(ten_thousand_inputs):
    rb = ten_thousand_inputs

    def cost(missing, runs):
        values = {f"a{i}": True for i in range(missing, 10_000)}
        best = float("inf")
        for _ in range(runs):
            t0 = time.perf_counter()
            assert diag_codes(rb.evaluate, values) == {"E0601"}
            best = min(best, time.perf_counter() - t0)
        return best

    with bounded(4 * HANG):
        # the first 700 vs the first 7,000 inputs missing: ten times the work if linear,
        # a hundred times with the quadratic scan; compare ratios, not absolute times
        few, many = cost(700, 3), cost(7_000, 3)
    # linear gives ~10×, quadratic ~100×: 40× separates them with room for a busy machine
    assert many < 40 * few, f"700 missing: {few:.3f} s; 7,000 missing: {many:.3f} s"


def test_bug_suggestion_edit_distance_on_long_names():
    n = 8_000
    text = (f'规则集 "t"\n满分 5\n输入 「{"a" * n}」: 数值 范围 0 至 5\n'
            f'一级指标 x 5分:\n  得分 = 「{"b" * n}」\n' + ANY_GRADE)
    with bounded(1.0):
        assert "E0201" in codes(check_answer(text))


def test_bug_unbounded_read_of_non_regular_file():
    if not Path("/dev/zero").exists():
        pytest.skip("no /dev/zero")
    code = textwrap.dedent(f"""
        import resource, sys
        sys.path.insert(0, {str(ROOT)!r})
        from jixiao.compiler.api import check_file
        vm = int(next(l for l in open("/proc/self/status") if l.startswith("VmSize")).split()[1]) << 10
        resource.setrlimit(resource.RLIMIT_AS, (vm + (96 << 20), vm + (96 << 20)))
        try:
            r = check_file("/dev/zero")
        except BaseException as e:
            print("CRASH", type(e).__name__)
        else:
            print("DIAG", *sorted({{d.code for d in r.diagnostics}}))
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.startswith("DIAG E0106"), proc.stdout + proc.stderr[-500:]


def test_bug_endless_iterable_for_checklist():
    code = textwrap.dedent(f"""
        import itertools, resource, sys
        sys.path.insert(0, {str(ROOT)!r})
        from jixiao.compiler.api import compile_rulebook
        from jixiao.dsl.diagnostics import JixiaoError
        rb = compile_rulebook('规则集 "t"\\n满分 1\\n输入 c: 清单["一", "二"]\\n'
                              '一级指标 x 1分:\\n  得分 = 如果 全部符合(c) 则 1 否则 0\\n等级:\\n  全: 否则\\n')
        vm = int(next(l for l in open("/proc/self/status") if l.startswith("VmSize")).split()[1]) << 10
        resource.setrlimit(resource.RLIMIT_AS, (vm + (32 << 20), vm + (32 << 20)))
        try:
            rb.evaluate({{"c": itertools.repeat(True)}})
        except JixiaoError as e:
            print("DIAG", *sorted({{d.code for d in e.diagnostics}}))
        except BaseException as e:
            print("CRASH", type(e).__name__)
    """)
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.startswith("DIAG E0602"), proc.stdout + proc.stderr[-500:]


# ───────────── methods, libraries and case-supplied rows ─────────────

def _hostile_methods_rulebook() -> str:
    q = INJ.replace('"', "'")
    return f'''规则集 "方法{q}"
满分 10
方法 「m{q}」(「x{q}」, 「k{q}」 = 1):
  说明 "{q}"
  要求 「x{q}」 ≥ 0 "{q}"
  「v{q}」 = 「x{q}」 × 「k{q}」 + 「x{q}」 / 2
  得分 = min(「v{q}」, 10)

一级指标 「甲{q}」 10分:
  指标行:
    字段 「t{q}」: 文本 "{q}"
    字段 计分方法: 等级(「a{q}」)
    字段 「x{q}」: 数值
    字段 分值: 分数 > 0
    方法 「a{q}」 = 「m{q}」(「x{q}」) 最多 分值

等级:
  「好{q}」: 总分 ≥ 6
  「差{q}」: 否则
'''


def test_hostile_methods_and_rows_are_data(baseline):
    """Method, parameter, local, field and row-method names and 要求 messages that look
    like Python: the rulebook compiles, scores rows, refuses a failed requirement, and
    its generated modules (the rulebook's and each row method's) hold that text only in
    literals; no injected code ever runs."""
    q = INJ.replace('"', "'")
    text = _hostile_methods_rulebook()
    rb = compile_rulebook(text, name="hostile-methods.jx")
    case = (f'案例 "c"\n指标行 「甲{q}」:\n  行 "{q}":\n    「t{q}」 = "{q}"\n    计分方法 = 「a{q}」\n'
            f'    「x{q}」 = 4\n    分值 = 10\n')
    res = rb.evaluate_case(rb.case_from_text(case))
    assert res.total == 6          # min(4 × 1 + 4 / 2, 10) = 6, at most 10
    bad = case.replace(f"「x{q}」 = 4", f"「x{q}」 = -4")
    with pytest.raises(JixiaoError) as e:
        rb.evaluate_case(rb.case_from_text(bad))
    assert "E0706" in {d.code for d in e.value.diagnostics}
    sources = [rb.source] + [sub.source for sub in rb.row_methods.values()]
    for src in sources:
        markers = tuple(m for m in MARKERS if m != "system(")
        for tok in tokenize.generate_tokens(io.StringIO(src).readline):
            if tok.type not in (tokenize.STRING, tokenize.COMMENT):
                assert not any(m in tok.string for m in markers), tok.line
    no_marker()


def test_method_expansion_bomb_is_refused_quickly():
    """Methods that each call the next ten times, eleven deep (10^11 expansions): E0210
    after a bounded number of expansions, not a hang."""
    lines = ['规则集 "炸弹"', "满分 1"]
    for i in range(11):
        lines.append(f"方法 m{i}(x):\n  得分 = max({', '.join([f'm{i + 1}(x)'] * 10)}, 0)")
    lines.append("方法 m11(x):\n  得分 = x")
    lines.append('一级指标 a 1分:\n  输入 x: 比率\n  得分 = min(m0(x), 1)\n等级:\n  好: 总分 ≥ 0.5\n  差: 否则\n')
    with bounded():
        res = check_answer("\n".join(lines), "bomb.jx")
    assert "E0210" in codes(res)


def test_import_cycles_and_self_imports_are_harmless(tmp_path):
    (tmp_path / "a.jx").write_text('方法库 "a"\n引用 "b.jx"\n方法 fa(x):\n  得分 = fb(x)\n', encoding="utf-8")
    (tmp_path / "b.jx").write_text('方法库 "b"\n引用 "a.jx"\n引用 "b.jx"\n方法 fb(x):\n  得分 = min(x, 1)\n', encoding="utf-8")
    (tmp_path / "r.jx").write_text('规则集 "r"\n满分 1\n引用 "a.jx"\n一级指标 a 1分:\n  输入 x: 比率\n'
                                   '  得分 = fa(x) 扣完为止\n等级:\n  好: 总分 ≥ 0.5\n  差: 否则\n', encoding="utf-8")
    with bounded():
        rb = compile_rulebook(path=tmp_path / "r.jx")
    assert rb.evaluate({"x": "70%"}).total == Decimal("0.7")


def test_ten_thousand_rows_are_scored_and_a_wrong_sum_is_listed_briefly():
    rb = compile_rulebook(path=ROOT / "stdlib_indicators" / "部门整体支出自评.jx")
    rows = [{"名称": f"行{i}", "计分方法": "越高越好", "年度指标值": "100%", "实际完成值": "100%", "分值": 1}
            for i in range(10_000)]
    with bounded():
        with pytest.raises(JixiaoError) as e:
            rb.evaluate({"年初预算数": 1, "全年执行数": 1}, rows={"绩效指标": rows})
    d = next(d for d in e.value.diagnostics if d.code == "E0610")
    assert "10000" in d.message and len(str(d.notes[0])) < 2000
    with bounded():
        res = rb.evaluate({"年初预算数": 1, "全年执行数": 1}, rows={"绩效指标": rows[:90]})
    assert res.total == 100


# ── methods and rows: mutated libraries, rulebooks and row cases ──

SELF_EVAL_RB = ROOT / "stdlib_indicators" / "部门整体支出自评.jx"
SELF_EVAL_CASE = ROOT / "examples" / "chenxi-2021" / "self-evaluation.jxc"
LIBRARY = ROOT / "stdlib_indicators" / "计分方法.jx"


@fuzz(60)
@given(mutated([SELF_EVAL_RB.read_text(encoding="utf-8"), LIBRARY.read_text(encoding="utf-8"),
                _hostile_methods_rulebook()]))
def test_fuzz_mutated_methods_and_rows_rulebooks(text):
    """Mutations of the 附件3 rulebook, the method library and a rulebook with methods and
    rows: a diagnostic or a compiled rulebook, never a crash, a hang or injected code."""
    with bounded():
        check_answer(text, str(ROOT / "stdlib_indicators" / "mut.jx"))
        answer(compile_rulebook, text, name=str(ROOT / "stdlib_indicators" / "mut.jx"))
    no_marker()


@fuzz(80)
@given(mutated([SELF_EVAL_CASE.read_text(encoding="utf-8")]))
def test_fuzz_mutated_row_cases(text):
    """Mutations of the 附件3 case (rows, fields, claims): scored or refused with
    diagnostics; a scored result keeps every row within its points and the part's sum."""
    rb = compile_rulebook(path=SELF_EVAL_RB)
    with bounded():
        case = answer(rb.case_from_text, text, "x.jxc")
        if isinstance(case, JixiaoError):
            return
        res = answer(rb.evaluate_case, case)
    if isinstance(res, JixiaoError):
        return
    rows = [r for r in res.indicators if r.level == "row"]
    assert all(0 <= r.score <= r.points for r in rows)
    assert sum(r.points for r in rows) == 90
    assert res.score("绩效指标") == sum(r.score for r in rows)


# ───────────── issue 13: bonus and penalty items, vetoes ─────────────

@pytest.mark.parametrize("where", ["node", "top", "capped-bonus"])
def test_bug_1000_bonus_items_nest_no_parentheses(where):
    """合计 over many children was a chain of additions: 400 of them made a Python SyntaxError
    ("too many nested parentheses"); it is one flat sum."""
    n = 1_000
    head = '规则集 "t"\n满分 1\n输入 c: 是否\n一级指标 A 1分:\n  指标 A0 1分:\n    得分 = 如果 c 则 1 否则 0\n'
    if where == "node":
        body = "".join(f"  加分项 B{i} 最多 1分:\n    得分 = 如果 c 则 1 否则 0\n" for i in range(n)) + "  得分 = 合计 不加分 扣完为止\n"
    elif where == "top":
        body = "".join(f"扣分项 B{i} 最多 1分:\n  得分 = 如果 c 则 1 否则 0\n" for i in range(n)) + "总分 = 合计 不加分 扣完为止\n"
    else:
        body = "加分项 X 最多 1分:\n" + "".join(f"  子项 B{i} 1分:\n    得分 = 如果 c 则 1 否则 0\n" for i in range(n))
        body += "总分 = 合计 不加分\n"
    with bounded(30):
        rb = answer(compile_rulebook, head + body + ANY_GRADE + "否决:\n" + "  c : 全\n" * n, name="wide.jx")
    res = rb.evaluate({"c": True}, trace=True)
    assert res.total == {"node": 1, "top": 0, "capped-bonus": 1}[where]


@pytest.mark.parametrize("header", ["加分项 X 最多 1" + "0" * 58 + "分", "扣分项 「\"引号\"、'单引号' __import__」 最多 5分"])
def test_hostile_bonus_headers(header):
    text = f'规则集 "t"\n满分 1\n输入 n: 项数\n一级指标 A 1分:\n  得分 = 1\n{header}:\n  得分 = n × 1\n总分 = 合计 不加分 扣完为止\n' + ANY_GRADE
    rb = answer(compile_rulebook, text, name="t.jx")
    assert rb.evaluate({"n": 3}).total in (1, 0)
