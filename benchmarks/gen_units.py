"""Seeded generator of admissible input dicts for stdlib_indicators/部门整体支出.jx.

    from benchmarks.gen_units import generate
    units = generate(20_000, seed=1)      # list of {input name: raw value}

Values are what a department's yearly data looks like when it arrives from a form or a
spreadsheet: amounts in 万元 as strings with two decimals ("2406.98"), counts as int,
yes/no as bool, checklists as tuples of bool, the survey grade as a string.

Every indicator puts 10-30% of the units exactly on one of its boundaries: a tier
threshold (预算完成率 exactly 90%, 全年支付进度 exactly 95% ...), the point where a
deduction reaches the floor (超编 30 人 -> 0 分), the first started 0.1 个百分点, the
不适用 case (上年 = 0), or an exact half-cent score (1.475 分) where 四舍五入 decides.
Several of those half-cent scores come from a ratio that is not a finite decimal
(144.55 / 420), so the evaluator's 40-digit quotient decides the rounding.

Only ``random.Random`` with an explicit seed is used: the same seed gives the same units.
"""
from __future__ import annotations

import random

GRADES = ("优秀", "良好", "合格", "不合格")

CHECKLISTS = {            # name -> number of 评价要点
    "活动合规性要点": 2, "活动合理性要点": 2, "预算管理制度要点": 3, "资金使用合规性要点": 8,
    "预决算信息公开要点": 3, "基础信息完善性要点": 4, "资产管理制度要点": 3,
    "资产管理完全性要点": 3, "结果应用创新要点": 2,
}


def _money(cents: int) -> str:
    """Cents -> "1234.56" (万元 with two decimals)."""
    return f"{cents // 100}.{cents % 100:02d}"


def generate(n: int, seed: int = 20240601) -> list[dict]:
    rng = random.Random(seed)
    r = rng.random
    ri = rng.randint
    out = []

    def cents(lo_wy: float, hi_wy: float, mult: int = 1) -> int:
        """An amount between lo and hi 万元, in cents, a multiple of ``mult`` cents."""
        c = int((lo_wy + (hi_wy - lo_wy) * r()) * 100)
        return max(mult, c - c % mult)

    def scale(c: int, lo: float, hi: float) -> int:
        return int(c * (lo + (hi - lo) * r()))

    for _ in range(n):
        u: dict = {}
        # Half of the units are well-run departments: their branch choices lean to the
        # first rows below (mostly "on target" or exactly on a boundary), so that totals
        # spread over all four grade bands, 90/80/60 exactly included.
        bias = 0.5 if r() < 0.5 else 1.0

        def pick():
            return r() * bias
        u["职责符合三定方案"] = r() < 0.92
        for name, k in CHECKLISTS.items():
            p = 0.6 if r() < 0.2 * bias else 0.96 if bias < 1 else 0.9   # some units fail many points
            u[name] = tuple(r() < p for _ in range(k))

        # 部门预算数: 200 .. 50,000 万元, a multiple of 10 cents so 90%/80%/10% are exact,
        # for half of the units a multiple of 10 万元 so k per mille is exact too
        B = cents(200, 50_000, 1000 if r() < 0.5 else 10)
        u["部门预算数"] = _money(B)

        # 目标覆盖率 (and 部门绩效自评项目占比率 below): 项目支出预算总额 P
        P = cents(20, max(40, B / 100 * 0.4), 20)
        x = pick()
        if x < 0.40:
            decl = P                                      # exactly 100%
        elif x < 0.45:
            decl = P + cents(1, 50)                       # above 100%: 不加分
        elif x < 0.55:
            decl = P * (2 * ri(40, 99) + 1) // 200        # a half-cent score (0.xx5)
        else:
            decl = scale(P, 0.5, 1.0)
        u["申报绩效目标项目资金总额"] = _money(decl)
        u["项目支出预算总额"] = _money(P)

        # 目标管理创新
        req = ri(0, 30)
        x = pick()
        over = 10 if x < 0.12 else 0 if x < 0.40 else ri(-5, 15)
        u["要求填报绩效目标数"] = req
        u["绩效目标编报数"] = max(0, req + over)

        # 财政供养人员控制率
        quota = ri(5, 300)
        x = pick()
        staff = (quota if x < 0.25 else quota + 30 if x < 0.32 else quota + 29 if x < 0.35
                 else max(0, quota + ri(-20, 40)))
        u["编制数"], u["在职人员数"] = quota, staff

        # 「三公经费」变动率 / 控制率: 本年 T > 0, 上年 L
        x = pick()
        L = cents(2, 120, 10)
        if x < 0.08:
            T, L = cents(2, 120), 0                       # 上年 0: 不适用
        elif x < 0.20:
            T = L                                         # unchanged: 4 分
        elif x < 0.28:
            T = L * 110 // 100                            # exactly +10%: 0 分 (扣完)
        elif x < 0.33:
            T = L * 105 // 100                            # exactly +5%: 2 分
        elif x < 0.38:
            T = L + 1                                     # +1 cent: just over the target
        else:
            T = max(1, scale(L, 0.7, 1.2))
        u["本年三公经费预算数"], u["上年三公经费预算数"] = _money(T), _money(L)
        x = pick()
        if x < 0.25:
            sg = T                                        # exactly 100%
        elif x < 0.35:
            sg = T * (1000 + ri(1, 30)) // 1000 if T % 1000 == 0 else T + 1   # k started steps
        else:
            sg = scale(T, 0.3, 1.1)
        u["三公经费实际支出"] = _money(sg)

        # 重点支出安排率 (its own 项目支出 P2; 70% target)
        x = pick()
        if x < 0.10:
            P2 = cents(20, 2000, 10)
            key = P2 * 7 // 10                            # exactly 70%
        elif x < 0.22:
            m = ri(1, 40)
            P2 = 6000 * m                                 # 60·m 万元
            key = 7 * (2 * ri(0, 299) + 1) * m            # score exactly k.xx5, ratio not a finite decimal
        elif x < 0.30:
            P2 = cents(20, 2000)
            key = scale(P2, 0.75, 1.0)                    # above 70%: 不加分
        else:
            P2 = cents(20, 2000)
            key = scale(P2, 0.3, 1.0)
        # 重点支出安排率 and 目标覆盖率 share 项目支出预算总额: keep one P per unit
        if x < 0.22:
            u["项目支出预算总额"] = _money(P2)
            u["申报绩效目标项目资金总额"] = _money(P2 if decl >= P else P2 * decl // P)
        else:
            key = P * key // P2                           # same ratio against P
        u["重点项目支出"] = _money(key)

        # 预算完成率
        x = pick()
        A = B * 9 // 10 if x < 0.10 else B * 8 // 10 if x < 0.16 else scale(B, 0.6, 1.05)
        u["预算完成数"] = _money(A)

        # 预算调整率: 10% target, 0.1 per started 0.1 个百分点
        x = pick()
        adj = (B // 10 if x < 0.10 else B // 10 + 1 if x < 0.18
               else B // 10 + B // 1000 * ri(1, 40) if B % 1000 == 0 and x < 0.25
               else scale(B, 0.0, 0.2))
        u["预算调整数"] = _money(adj)

        # 支付进度率
        H = scale(B, 0.9, 1.1) // 10 * 10 or 10
        x = pick()
        h = H // 2 if x < 0.10 else H * 4 // 10 if x < 0.18 else scale(H, 0.3, 0.6)
        F = scale(B, 0.95, 1.15) // 100 * 100 or 100
        x = pick()
        f = (F if x < 0.07 else F * 95 // 100 if x < 0.14 else F * 9 // 10 if x < 0.20
             else F * 85 // 100 if x < 0.26 else scale(F, 0.8, 1.02))
        u["上半年支付基数"], u["上半年实际支出"] = _money(H), _money(h)
        u["全年支付基数"], u["全年实际支出"] = _money(F), _money(f)

        # 结转结余率 (target 0) and 结转结余变动率
        x = pick()
        C = (0 if x < 0.10 else B // 1000 * ri(0, 40) if x < 0.30 and B % 1000 == 0
             else B // 1000 + 1 if x < 0.33 else scale(B, 0.0, 0.05))
        x = pick()
        if x < 0.08:
            C0 = 0                                        # 上年 0: 不适用
        elif x < 0.22:
            C0 = C                                        # unchanged
        elif x < 0.30:
            C0 = cents(10, 2000, 10)
            C = C0 * 110 // 100                           # exactly +10%: deduction reaches 2
        elif x < 0.35:
            C0 = cents(10, 2000, 20)
            C = C0 * 105 // 100                           # exactly +5%
        else:
            C0 = scale(max(C, 100), 0.7, 1.4)
        u["结转结余总额"], u["上年结转结余总额"] = _money(C), _money(C0)

        # 公用经费控制率
        G = cents(20, max(40, B / 100 * 0.3), 1000)
        x = pick()
        g = (G if x < 0.25 else G + 1 if x < 0.32 else G * 1001 // 1000 if x < 0.37
             else scale(G, 0.8, 1.3))
        u["公用经费预算数"], u["公用经费实际支出"] = _money(G), _money(g)

        # 政府采购执行率
        x = pick()
        N = 0 if x < 0.10 else ri(1, 30)
        u["政府采购预算项目数"] = N
        u["实际政府采购预算项目数"] = N if r() < 0.5 else ri(0, N + 2)

        # 固定资产利用率 (80% target)
        x = pick()
        if x < 0.10:
            Z = cents(50, 20_000, 10)
            used = Z * 8 // 10                            # exactly 80%
        elif x < 0.22:
            m = ri(1, 200)
            Z = 75_000 * m                                # 750·m 万元
            used = (2 * ri(0, 299) + 1) * m * 100         # score exactly k.xx5, ratio not finite
        else:
            Z = cents(50, 20_000)
            used = scale(Z, 0.4, 1.0)
        u["固定资产总额"], u["在用固定资产总额"] = _money(Z), _money(used)

        # 监控率 (90% target)
        M = ri(1, 50)
        x = pick()
        if x < 0.15:
            M = 10 * ri(1, 5)
            mon = M * 9 // 10                             # exactly 90%
        else:
            mon = ri(0, M)
        u["申报绩效目标项目数"], u["实施绩效监控项目数"] = M, mon

        # 项目实际完成率 / 项目质量达标率
        x = pick()
        if x < 0.25:
            plan = ri(1, 60)
            done = plan
        elif x < 0.33:
            plan = 20 * ri(1, 3)
            done = plan * 19 // 20                        # exactly 95%
        elif x < 0.39:
            plan = 10 * ri(1, 6)
            done = plan * 9 // 10                         # exactly 90%
        elif x < 0.44:
            plan = 20 * ri(1, 3)
            done = plan * 17 // 20                        # exactly 85%
        elif x < 0.47:
            plan = ri(1, 60)
            done = 0
        else:
            plan = ri(1, 60)
            done = ri(int(plan * 0.7), plan + 2)
        x = pick()
        if done == 0:
            good = 0
        elif x < 0.45:
            good = done
        elif x < 0.55 and done % 20 == 0:
            good = done * 19 // 20                        # exactly 95%: 0 分
        else:
            good = ri(int(done * 0.9), done)
        u["计划完成项目数"], u["实际完成项目数"], u["质量达标项目数"] = plan, done, good

        # 重点工作办结率 (≤ 90% -> 0)
        x = pick()
        if x < 0.12:
            W = 10 * ri(1, 4)
            Wd = W * 9 // 10
        else:
            W = ri(1, 40)
            Wd = W if x < 0.5 else ri(int(W * 0.8), W)
        u["重点工作交办数"], u["重点工作完成数"] = W, Wd

        # 部门绩效自评项目占比率
        x = pick()
        S = P if x < 0.5 else cents(20, 2000)
        u["项目支出资金量"] = _money(S)
        u["自评项目资金量"] = _money(S if r() < 0.4 else scale(S, 0.5, 1.0))

        # 违规率 (target 0)
        x = pick()
        bad = (0 if x < 0.65 else B // 1000 * ri(1, 25) if x < 0.78 and B % 1000 == 0
               else 1 if x < 0.82 else scale(B, 0.0, 0.03))
        u["违规资金额"] = _money(bad)

        # 部门预算绩效管理考核评价: 百分制, one decimal (x.x / 20 is often a half cent)
        x = pick()
        u["部门绩效管理工作评价结果"] = ("100" if x < 0.10 else "0" if x < 0.12
                                         else f"{ri(600, 999) / 10:.1f}")

        # 应用率
        K = ri(1, 20)
        u["实施绩效评价项目数"] = K
        u["应用评价结果项目数"] = K if r() < 0.4 else ri(0, K)

        # 社会公众满意度
        x = pick()
        u["社会公众满意度调查结果"] = GRADES[0 if x < 0.45 else 1 if x < 0.80 else 2 if x < 0.95 else 3]
        out.append(u)
    return out


def validated(rb, units) -> list[list]:
    """The compiled rulebook's validated value lists for ``units``."""
    return [rb.validate(u) for u in units]


if __name__ == "__main__":
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from jixiao.compiler.api import compile_rulebook
    rb = compile_rulebook(path=str(Path(__file__).resolve().parent.parent / "stdlib_indicators" / "部门整体支出.jx"))
    us = generate(2000, seed=1)
    vs = validated(rb, us)
    print(f"{len(vs)} units validated; first: {us[0]}")
