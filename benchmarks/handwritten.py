"""部门整体支出.jx written by hand: the speed ceiling for the compiled evaluator (issue 6).

    from benchmarks.handwritten import score, validate
    scores, total, grade = score(values)     # values: rb.validate(raw), or validate(raw)

``score(v)`` computes the shipped rulebook stdlib_indicators/部门整体支出.jx -- all 33
indicators, the subtotals, the total and the grade -- with the same exact Decimal
arithmetic as the compiled evaluator: the caller runs it inside
``decimal.localcontext(compiler.runtime.CONTEXT)`` (40 digits, quotients rounded
half-even at the 40th digit, division by zero trapped), every leaf score is rounded to
0.01 half-up, parents add their rounded children, a 不适用 indicator gets its full
points, the grade is read off the rounded total.

It is written the way one would write it for speed without a compiler: module-level
Decimal constants, plain if/else, table lookups for the checklist tiers, no helper
calls.  Where a rule divides a quotient again (rate / 70% × 3), the operations are done
in the order the rulebook's semantics prescribe -- ``rate * 3 / 0.7`` -- so that the
40-digit rounding of a non-terminating quotient is the same as the compiled
evaluator's; everything else is free hand-written code:

* division by a constant with a finite decimal reciprocal is a multiplication
  (x / 0.1个百分点 -> x * 1000; score / 100 × 5 -> score * 0.05): the same correctly
  rounded result, cheaper;
* no rounding where the value is already at 0.01: constants, and the 0.1-point steps
  (3 - 超编 × 0.1), written with the constant 0.10 so that the result also carries
  two decimals, as the compiled evaluator's rounded 2.40 does (not 2.4);
* "rate = a / b; rate ≤ 100%" is written "a ≤ b" (b > 0; identical for inputs below
  10^39);
* 目标值 = 100% / × 1 / − 0% are simply left out.

The returned tuple has one score per node of the hierarchy, in the compiled
evaluator's indicator index order (``rb.program.walk()`` sorted by ``.index``): the
33 leaves, the two 子项 of 支付进度率 and the subtotals.

``validate(raw)`` is the matching hand-written input check (type, range, Decimal
conversion) for the raw dicts of benchmarks/gen_units.py.

Run ``python benchmarks/handwritten.py [N]`` to check agreement with the compiled
evaluator on the Chenxi cases and N (default 20,000) generated units.
"""
from decimal import ROUND_CEILING, ROUND_HALF_UP, Decimal as D

from jixiao.compiler.backend.runtime import SNAP   # scores are rounded to 30 digits before the precision, as the compiled code does

# Input positions: rb.program.inputs order (the order of the 输入 lines in the rulebook).
# check_layout(rb) asserts this list against the compiled rulebook.
INPUT_NAMES = (
    "职责符合三定方案", "活动合规性要点", "活动合理性要点", "申报绩效目标项目资金总额", "项目支出预算总额",   # 0-4
    "绩效目标编报数", "要求填报绩效目标数", "在职人员数", "编制数", "本年三公经费预算数",                    # 5-9
    "上年三公经费预算数", "重点项目支出", "部门预算数", "预算完成数", "预算调整数",                        # 10-14
    "上半年实际支出", "上半年支付基数", "全年实际支出", "全年支付基数", "结转结余总额",                     # 15-19
    "上年结转结余总额", "公用经费实际支出", "公用经费预算数", "三公经费实际支出", "实际政府采购预算项目数",  # 20-24
    "政府采购预算项目数", "预算管理制度要点", "资金使用合规性要点", "预决算信息公开要点", "基础信息完善性要点",  # 25-29
    "资产管理制度要点", "资产管理完全性要点", "在用固定资产总额", "固定资产总额", "实施绩效监控项目数",     # 30-34
    "申报绩效目标项目数", "实际完成项目数", "计划完成项目数", "质量达标项目数", "重点工作完成数",          # 35-39
    "重点工作交办数", "自评项目资金量", "项目支出资金量", "违规资金额", "部门绩效管理工作评价结果",        # 40-44
    "应用评价结果项目数", "实施绩效评价项目数", "结果应用创新要点", "社会公众满意度调查结果",              # 45-48
)

C = D("0.01")                       # 精度
HU = ROUND_HALF_UP                  # 舍入 四舍五入
_0, _1, _2, _3, _4, _5 = (D(x) for x in "012345")
_10, _40 = D(10), D(40)
_01, _04, _05, _07, _08, _085, _09, _095 = (D(x) for x in ("0.1", "0.4", "0.5", "0.7", "0.8", "0.85", "0.9", "0.95"))
_005, _1000 = D("0.05"), D(1000)
_010 = D("0.10")                    # 0.1 written at the precision: x * _010 needs no rounding
_60, _80, _90 = D(60), D(80), D(90)
# results already at the precision (the compiled evaluator returns these exact values)
P0, P05, P1, P2, P3, P4, P5, P8, P9 = (D(x) for x in ("0.00", "0.50", "1.00", "2.00", "3.00", "4.00", "5.00", "8.00", "9.00"))
# checklist tiers, indexed by the number of points met
T_MGMT = (P0, P0, P1, P2)              # 管理制度健全性 (both): 3 -> 2, 2 -> 1
T_FUNDS = (P0, P0, P0, P0, P0, P3, P5, P8, P9)   # 资金使用合规性: 8/7/6/5 -> 9/8/5/3
T_DISCL = (P0, P0, P2, P3)             # 预决算信息公开性: 3 -> 3, 2 -> 2
T_BASE = (P0, P0, P1, P2, P4)          # 基础信息完善性: 4/3/2 -> 4/2/1
T_ASSET = (P0, P1, P2, P3)             # 资产管理完全性
T_INNOV = (P0, P05, P1)                # 结果应用创新: 2 -> 1, 1 -> 0.5
T_SURVEY = {"优秀": P5, "良好": P3, "合格": P1, "不合格": P0}


def score(v):
    (b0, cl1, cl2, a3, a4, n5, n6, n7, n8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19,
     a20, a21, a22, a23, n24, n25, cl26, cl27, cl28, cl29, cl30, cl31, a32, a33, n34, n35, n36, n37,
     n38, n39, n40, a41, a42, a43, x44, n45, n46, cl47, g48) = v

    # ── 投入 / 目标设定 ──
    s2 = P1 if b0 else P0                                        # 职责明确
    s3 = P1 if False not in cl1 else P0                          # 活动合规性
    s4 = P1 if False not in cl2 else P0                          # 活动合理性
    x = a3 / a4                                                  # 目标覆盖率 (目标值 100%)
    s5 = P1 if x >= _1 else SNAP(x).quantize(C, HU)
    x = n5 - n6                                                  # 目标管理创新: 0.1 per extra
    s6 = P0 if x <= _0 else P1 if x >= _10 else x * _010
    s1 = s2 + s3 + s4 + s5 + s6
    # ── 投入 / 预算配置 ──
    x = n7 - n8                                                  # 财政供养人员控制率
    if x <= _0:
        s8 = P3
    else:
        x = _3 - x * _010
        s8 = x if x > _0 else P0
    if a10 == _0:                                                # 「三公经费」变动率: 不适用
        s9 = P4
    else:
        x = a9 - a10
        if x <= _0:
            s9 = P4
        else:
            x = _4 - x * _4 / a10 * _10
            s9 = SNAP(x).quantize(C, HU) if x > _0 else P0
    x = a11 / a4 * _3 / _07                                      # 重点支出安排率
    s10 = P3 if x >= _3 else SNAP(x).quantize(C, HU)
    s7 = s8 + s9 + s10
    s0 = s1 + s7

    # ── 过程 / 预算执行 ──
    x = a13 / a12                                                # 预算完成率
    s13 = P3 if x >= _09 else P1 if x >= _08 else P0
    x = a14 / a12 - _01                                          # 预算调整率: 10%, per started 0.1pp
    if x <= _0:
        s14 = P3
    else:
        x = _3 - (x * _1000).to_integral_value(ROUND_CEILING) * _010
        s14 = x if x > _0 else P0
    x = a15 / a16                                                # 支付进度率 / 半年进度
    s16 = P2 if x >= _05 else P1 if x >= _04 else P0
    x = a17 / a18                                                # 支付进度率 / 全年进度
    s17 = P4 if x >= _1 else P3 if x >= _095 else P2 if x >= _09 else P1 if x >= _085 else P0
    s15 = s16 + s17
    if a19 <= _0:                                                # 结转结余率: target 0
        s18 = P3
    else:
        x = _3 - (a19 / a12 * _1000).to_integral_value(ROUND_CEILING) * _010
        s18 = x if x > _0 else P0
    if a20 == _0:                                                # 结转结余变动率: 不适用
        s19 = P3
    else:
        x = a19 - a20
        if x <= _0:
            s19 = P3
        else:
            x = x * _2 / a20 * _10
            s19 = SNAP((_3 - x)).quantize(C, HU) if x < _2 else P1
    x = a21 / a22 - _1                                           # 公用经费控制率
    if x <= _0:
        s20 = P3
    else:
        x = _3 - (x * _1000).to_integral_value(ROUND_CEILING) * _010
        s20 = x if x > _0 else P0
    x = a23 / a9 - _1                                            # 「三公经费」控制率
    if x <= _0:
        s21 = P3
    else:
        x = _3 - (x * _1000).to_integral_value(ROUND_CEILING) * _010
        s21 = x if x > _0 else P0
    if n25 == _0:                                                # 政府采购执行率: 不适用
        s22 = P3
    else:
        x = n24 * _3 / n25
        s22 = P3 if x >= _3 else SNAP(x).quantize(C, HU)
    s12 = s13 + s14 + s15 + s18 + s19 + s20 + s21 + s22
    # ── 过程 / 预算管理 ──
    s24 = T_MGMT[sum(cl26)]
    s25 = T_FUNDS[sum(cl27)]
    s26 = T_DISCL[sum(cl28)]
    s27 = T_BASE[sum(cl29)]
    s23 = s24 + s25 + s26 + s27
    # ── 过程 / 资产管理 ──
    s29 = T_MGMT[sum(cl30)]
    s30 = T_ASSET[sum(cl31)]
    x = a32 / a33 * _3 / _08                                     # 固定资产利用率
    s31 = P3 if x >= _3 else SNAP(x).quantize(C, HU)
    s28 = s29 + s30 + s31
    # ── 过程 / 预算绩效监控管理 ──
    x = n34 / n35 / _09                                          # 监控率
    s33 = P2 if x >= _1 else SNAP((x * _2)).quantize(C, HU)
    s11 = s12 + s23 + s28 + s33

    # ── 产出 / 职责履行 ──
    x = n36 / n37                                                # 项目实际完成率
    s36 = P4 if x >= _1 else P3 if x >= _095 else P2 if x >= _09 else P1 if x >= _085 else P0
    if n36 == _0:                                                # 项目质量达标率
        s37 = P0
    else:
        x = n38 / n36
        if x <= _095:
            s37 = P0
        else:
            x = x * _4
            s37 = P4 if x >= _4 else SNAP(x).quantize(C, HU)
    x = n39 / n40                                                # 重点工作办结率
    if x <= _09:
        s38 = P0
    else:
        x = x * _4
        s38 = P4 if x >= _4 else SNAP(x).quantize(C, HU)
    x = a41 / a42 * _3                                           # 部门绩效自评项目占比率 (目标值 100%)
    s39 = P3 if x >= _3 else SNAP(x).quantize(C, HU)
    s35 = s36 + s37 + s38 + s39

    # ── 效果 ──
    if a43 <= _0:                                                # 违规率: target 0
        s42 = P2
    else:
        x = _2 - (a43 / a12 * _1000).to_integral_value(ROUND_CEILING) * _010
        s42 = x if x > _0 else P0
    s44 = SNAP((x44 * _005)).quantize(C, HU)                           # 部门预算绩效管理考核评价
    x = n45 / n46 * _2                                           # 应用率
    s46 = P2 if x >= _2 else SNAP(x).quantize(C, HU)
    s48 = T_INNOV[sum(cl47)]                                     # 结果应用创新
    s50 = T_SURVEY[g48]                                          # 社会公众满意度
    s40 = s42 + s44 + s46 + s48 + s50

    tot = s0 + s11 + s35 + s40
    grade = "优秀" if tot >= _90 else "良好" if tot >= _80 else "中" if tot >= _60 else "较差"
    return ((s0, s1, s2, s3, s4, s5, s6, s7, s8, s9, s10, s11, s12, s13, s14, s15, s16, s17, s18,
             s19, s20, s21, s22, s23, s24, s25, s26, s27, s28, s29, s30, s31, s33, s33, s35, s35,
             s36, s37, s38, s39, s40, s42, s42, s44, s44, s46, s46, s48, s48, s50, s50),
            tot, grade)


# ───────────────────────── hand-written input validation ─────────────────────────

_AMT, _AMT_POS, _CNT, _CNT_POS, _BOOL, _CHECK, _SCORE100, _GRADE = range(8)
_SPEC = tuple(zip(INPUT_NAMES, (
    _BOOL, (_CHECK, 2), (_CHECK, 2), _AMT, _AMT_POS, _CNT, _CNT, _CNT, _CNT_POS, _AMT_POS,
    _AMT, _AMT, _AMT_POS, _AMT, _AMT, _AMT, _AMT_POS, _AMT, _AMT_POS, _AMT,
    _AMT, _AMT, _AMT_POS, _AMT, _CNT, _CNT, (_CHECK, 3), (_CHECK, 8), (_CHECK, 3), (_CHECK, 4),
    (_CHECK, 3), (_CHECK, 3), _AMT, _AMT_POS, _CNT, _CNT_POS, _CNT, _CNT_POS, _CNT, _CNT,
    _CNT_POS, _AMT, _AMT_POS, _AMT, _SCORE100, _CNT, _CNT_POS, (_CHECK, 2), _GRADE)))
_SURVEY = frozenset(T_SURVEY)
_NUMBER_TYPES = (str, int, D)


def validate(raw):
    """Raw dict -> the list ``score`` takes.  Numbers may be str ("2406.98"), int or
    Decimal; counts must be whole; yes/no must be bool; checklists a tuple/list of bool.
    Raises ValueError naming the first bad input."""
    out = []
    append = out.append
    for name, kind in _SPEC:
        x = raw[name]
        if type(kind) is tuple:                      # checklist of kind[1] points
            if type(x) not in (tuple, list) or len(x) != kind[1]:
                raise ValueError(name)
            for b in x:
                if b is not True and b is not False:
                    raise ValueError(name)
            append(tuple(x))
        elif kind == _BOOL:
            if x is not True and x is not False:
                raise ValueError(name)
            append(x)
        elif kind == _GRADE:
            if x not in _SURVEY:
                raise ValueError(name)
            append(x)
        else:
            if type(x) is bool or not isinstance(x, _NUMBER_TYPES):
                raise ValueError(name)
            try:
                d = D(x)
            except ArithmeticError:
                raise ValueError(name) from None
            if not d.is_finite() or d < _0:
                raise ValueError(name)
            if kind == _AMT_POS or kind == _CNT_POS:
                if d == _0:
                    raise ValueError(name)
            if kind == _CNT or kind == _CNT_POS:
                if d != d.to_integral_value():
                    raise ValueError(name)
            elif kind == _SCORE100 and d > 100:
                raise ValueError(name)
            append(d)
    return out


# ───────────────────────── agreement with the compiled evaluator ─────────────────────────

def check_layout(rb):
    """The positions above are the compiled rulebook's input order."""
    names = tuple(i.name for i in rb.program.inputs)
    assert names == INPUT_NAMES, [(i, a, b) for i, (a, b) in enumerate(zip(names, INPUT_NAMES)) if a != b]


def agree(rb, values_list):
    """Compare score() with the compiled evaluator on validated value lists.
    Returns (units, mismatching units, units whose Decimal representations differ, examples)."""
    from decimal import localcontext
    from jixiao.compiler.backend.runtime import CONTEXT
    run = rb.evaluator.run
    paths = ["/".join(i.path) for i in sorted(rb.program.walk(), key=lambda n: n.index)]
    bad, repr_diff, examples = 0, 0, []
    for values in values_list:
        scores_c, tot_c, grade_c, _na = run(values)
        with localcontext(CONTEXT):
            scores_h, tot_h, grade_h = score(values)
        if scores_c != scores_h or tot_c != tot_h or grade_c != grade_h:
            bad += 1
            if len(examples) < 5:
                diff = [(paths[i], str(a), str(b)) for i, (a, b) in enumerate(zip(scores_c, scores_h)) if a != b]
                examples.append({"diff": diff, "total": (str(tot_c), str(tot_h)), "grade": (grade_c, grade_h)})
        elif tuple(map(str, scores_c)) != tuple(map(str, scores_h)) or str(tot_c) != str(tot_h):
            repr_diff += 1
    return len(values_list), bad, repr_diff, examples


def main(argv=None):
    import argparse
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    sys.path.insert(0, str(root / "benchmarks"))
    from jixiao.compiler.api import compile_rulebook
    import gen_units

    ap = argparse.ArgumentParser(description="check score() against the compiled evaluator")
    ap.add_argument("n", nargs="?", type=int, default=20_000)
    ap.add_argument("--seed", type=int, default=20240601)
    a = ap.parse_args(argv)
    rb = compile_rulebook(path=str(root / "stdlib_indicators" / "部门整体支出.jx"))
    check_layout(rb)
    ok = True
    for case_file in ("report-figures.jxc", "self-assessment.jxc"):
        case = rb.load_case(str(root / "examples" / "chenxi-2021" / case_file))
        values = rb.validate(case.inputs)
        n, bad, rd, ex = agree(rb, [values])
        # the self-assessment case carries an assessed score (认定得分); score() and run()
        # compute the rules alone, so both are compared without it
        print(f"{case_file}: total {rb.evaluator.run(values)[1]}, "
              f"{'agrees' if not bad else 'DISAGREES ' + repr(ex)}"
              + (f"  (assessed scores in the case, not applied: {dict(case.assessed)})" if case.assessed else ""))
        ok &= not bad
    units = gen_units.generate(a.n, seed=a.seed)
    values_list = [rb.validate(u) for u in units]
    n, bad, rd, ex = agree(rb, values_list)
    print(f"{n:,} generated units (seed {a.seed}): {bad} mismatching (scores, total or grade), "
          f"{rd} with a different Decimal representation of an equal value")
    for e in ex:
        print("  ", e)
    hv_bad = sum(1 for u, v in zip(units, values_list) if validate(u) != v)
    print(f"hand-written validate() vs rb.validate(): {hv_bad} differing of {n:,}")
    ok &= not bad and not hv_bad
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
