"""One small rulebook per scoring pattern of 附件2 (LANGUAGE.md's table), evaluated on cases
at and around its boundaries. Every expected value is worked out by hand in the comment
next to it, never computed by the library; all comparisons are exact Decimals."""
from decimal import Decimal as D, InvalidOperation

import pytest

from jixiao.compiler.api import compile_rulebook
from jixiao.dsl.diagnostics import JixiaoError

ANY = "等级:\n  全: 否则\n"   # one grade band taking every total

def book(text):
    return compile_rulebook(text, name="t.jx")

def codes(text):
    with pytest.raises(JixiaoError) as ei:
        book(text)
    return {d.code for d in ei.value.diagnostics}


# ───────────── yes/no judgement: 职责明确 符合1分/不符合0分 ─────────────
YES_NO = '''规则集 "是否"
满分 1
指标 职责明确 1分:
  输入 职责符合三定方案: 是否
  得分 = 如果 职责符合三定方案 则 1 否则 0
''' + ANY

@pytest.mark.parametrize("value, expected", [
    (True, D("1")), (False, D("0")), ("是", D("1")), ("否", D("0")), ("符合", D("1")), ("不符合", D("0"))])
def test_yes_no(value, expected):
    assert book(YES_NO).evaluate({"职责符合三定方案": value}).score("职责明确") == expected


# ───────────── all-of checklist: 全部符合1分，其中一项不符合0分 ─────────────
ALL_OF = '''规则集 "全部符合"
满分 1
指标 活动合规性 1分:
  输入 要点: 清单["部门活动在职责范围之内", "部门活动符合发展规划"]
  得分 = 如果 全部符合(要点) 则 1 否则 0
''' + ANY

@pytest.mark.parametrize("points, expected", [
    # both met -> 1; any one not met -> 0; "全部符合" is the shorthand for all met
    ([True, True], D("1")), ([True, False], D("0")), ([False, True], D("0")), ([False, False], D("0")),
    ("全部符合", D("1"))])
def test_all_of_checklist(points, expected):
    assert book(ALL_OF).evaluate({"要点": points}).score("活动合规性") == expected


# ───────────── checklist count -> table: 8→9, 7→8, 6→5, 5→3, ≤4→0 ─────────────
COUNT_TABLE = '''规则集 "资金使用合规性"
满分 9
指标 资金使用合规性 9分:
  输入 要点: 清单["一", "二", "三", "四", "五", "六", "七", "八"]
  符合项数 = 符合数(要点)
  得分 = 分档 符合项数:
    8 : 9
    7 : 8
    6 : 5
    5 : 3
    否则 : 0
''' + ANY

@pytest.mark.parametrize("met, expected", [
    (8, D("9")), (7, D("8")), (6, D("5")), (5, D("3")),   # the table, row by row
    (4, D("0")), (1, D("0")), (0, D("0"))])               # ≤4 -> 0
def test_checklist_count_table(met, expected):
    points = [True] * met + [False] * (8 - met)
    assert book(COUNT_TABLE).evaluate({"要点": points}).score("资金使用合规性") == expected

def test_checklist_count_table_literal_le4_row():
    rb = book(COUNT_TABLE.replace("否则 : 0", "≤ 4 : 0"))
    assert rb.evaluate({"要点": [True] * 5 + [False] * 3}).score("资金使用合规性") == D("3")  # 5 met -> 3


# ───────────── completion ratio 完成比率法: min(率/70%, 1) × 3 ─────────────
COMPLETION = '''规则集 "重点支出安排率"
满分 3
指标 重点支出安排率 3分:
  输入 重点项目支出: 金额(万元)
  输入 项目支出总额: 金额(万元) > 0
  安排率 = 重点项目支出 / 项目支出总额
  目标值 = 70%
  得分 = min(安排率 / 目标值, 1) × 3
''' + ANY

@pytest.mark.parametrize("key, total, expected", [
    (70, 100, D("3")),                       # 70% = target: 1 × 3 = 3
    (80, 100, D("3")), (100, 100, D("3")),   # 80%/70% = 1.14 > 1 -> 超出目标值不加分 -> 3
    (56, 100, D("2.4")),                     # 56/70 = 0.8, 0.8 × 3 = 2.4
    (35, 100, D("1.5")), (0, 100, D("0")),   # 35/70 = 0.5 -> 1.5; 0 -> 0
    (1, 3, D("1.43"))])                      # 1/3 = 33.3…%; /70% = 0.47619…; × 3 = 1.42857… -> 1.43
def test_completion_ratio(key, total, expected):
    rb = book(COMPLETION)
    assert rb.evaluate({"重点项目支出": key, "项目支出总额": total}).score("重点支出安排率") == expected

# ───────────── the card's example, valid as written: score = min(rate/0.7*3, 3) ─────────────
CARD = '''rulebook "card"
total_points 3
indicator key_spending 3:
  input rate: rate
  score = min(rate/0.7*3, 3)
grades:
  all: else
'''

@pytest.mark.parametrize("rate, expected", [
    ("70%", D("3")), (D("0"), D("0")),       # 0.7/0.7*3 = 3; 0 -> 0
    ("56%", D("2.4")),                       # 0.56/0.7 = 0.8; ×3 = 2.4
    ("96.3%", D("3")),                       # 0.963/0.7*3 = 4.127 -> min(…, 3) = 3
    ("0.49", D("2.1")),                      # 0.49/0.7 = 0.7; ×3 = 2.1
    ("69.99%", D("3.00"))])                  # 0.6999/0.7*3 = 2.99957… -> 0.01 half-up -> 3.00
def test_card_example(rate, expected):
    assert book(CARD).evaluate({"rate": rate}).score("key_spending") == expected


# ───────────── plain proportional: 政府采购执行率 得分=执行率×3，以3分为上限 ─────────────
PROPORTIONAL = '''规则集 "政府采购执行率"
满分 3
指标 政府采购执行率 3分:
  输入 实际项目数: 项数
  输入 预算项目数: 项数 > 0
  得分 = 实际项目数 / 预算项目数 × 3 不加分
''' + ANY

@pytest.mark.parametrize("actual, planned, expected", [
    (10, 10, D("3")), (9, 10, D("2.7")),     # 100% × 3 = 3; 90% × 3 = 2.7
    (12, 10, D("3")),                        # 120% × 3 = 3.6 -> 不加分 -> 3
    (2, 3, D("2")), (1, 3, D("1")),          # 2/3 × 3 = 2 exactly; 1/3 × 3 = 1
    (0, 10, D("0"))])
def test_plain_proportional(actual, planned, expected):
    r = book(PROPORTIONAL).evaluate({"实际项目数": actual, "预算项目数": planned})
    assert r.score("政府采购执行率") == expected


# ───────────── per-unit deduction: 每超出1人扣0.1分，扣完为止 ─────────────
PER_UNIT = '''规则集 "财政供养人员控制率"
满分 3
指标 财政供养人员控制率 3分:
  输入 在职人员数: 人数
  输入 编制数: 人数 > 0
  超编人数 = max(在职人员数 - 编制数, 0)
  得分 = 3 - 超编人数 × 0.1 扣完为止
''' + ANY

@pytest.mark.parametrize("staff, quota, expected", [
    (89, 89, D("3")),                        # exactly at quota: 0 over -> 3
    (50, 89, D("3")),                        # under quota: max(-39, 0) = 0 -> 3
    (90, 89, D("2.9")),                      # one person over: 3 - 0.1 = 2.9
    (99, 89, D("2")), (110, 89, D("0.9")),   # 10 over: 3 - 1 = 2; 21 over: 3 - 2.1 = 0.9
    (119, 89, D("0")),                       # 30 over: 3 - 3 = 0
    (121, 89, D("0"))])                      # 121-89=32 persons over, 3-3.2 < 0 -> 扣完为止 -> 0
def test_per_unit_deduction(staff, quota, expected):
    r = book(PER_UNIT).evaluate({"在职人员数": staff, "编制数": quota})
    assert r.score("财政供养人员控制率") == expected


# ───────────── per-step deduction: 每增加0.1个百分点扣0.1分 (started steps) ─────────────
PER_STEP = '''规则集 "预算调整率"
满分 3
指标 预算调整率 3分:
  输入 调整率: 比率
  得分 = 分档:
    调整率 ≤ 10% : 3
    否则 : 3 - 向上取整((调整率 - 10%) / 0.1个百分点) × 0.1 扣完为止
''' + ANY

@pytest.mark.parametrize("rate, expected", [
    ("10%", D("3")), ("5%", D("3")),         # at / below target -> 3
    ("10.1%", D("2.9")),                     # 0.1pp over: ceil(0.001/0.001) = 1 step -> 2.9
    ("10.05%", D("2.9")),                    # 0.05pp over: ceil(0.5) = 1 started step -> 2.9
    ("0.1001", D("2.9")),                    # 0.01pp over: ceil(0.1) = 1 -> 2.9
    ("10.15%", D("2.8")), ("10.2%", D("2.8")),  # ceil(1.5) = 2; 2 steps -> 3 - 0.2 = 2.8
    ("13%", D("0")),                         # 3pp over: 30 steps × 0.1 = 3 -> 0
    ("40%", D("0"))])                        # 300 steps -> 3 - 30 < 0 -> 扣完为止 -> 0
def test_per_step_deduction(rate, expected):
    assert book(PER_STEP).evaluate({"调整率": rate}).score("预算调整率") == expected

def test_per_step_deduction_with_named_target():
    rb = book(PER_STEP.replace("  得分 = 分档:", "  目标 = 10%\n  得分 = 分档:")
              .replace("≤ 10%", "≤ 目标").replace("(调整率 - 10%)", "(调整率 - 目标)"))
    assert rb.evaluate({"调整率": "10.05%"}).total == D("2.9")   # 1 started step

def test_per_step_deduction_english_pp_spelling():
    en = '''rulebook "adjust"
total_points 3
indicator adjust 3:
  input r: rate
  score = 3 - ceil(max(r - 10%, 0) / 0.1pp) * 0.1 floor_zero
grades:
  all: else
'''
    rb = book(en)
    assert rb.evaluate({"r": "10.05%"}).total == D("2.9")   # 1 started step
    assert rb.evaluate({"r": "10.25%"}).total == D("2.7")   # ceil(2.5) = 3 steps -> 3 - 0.3
    assert rb.evaluate({"r": "9%"}).total == D("3")         # max(-1pp, 0) = 0


# ───────────── ratio deduction 比率扣分法: 扣分值=变动率×4×10，10%以上扣4分 ─────────────
RATIO_DEDUCTION = '''规则集 "三公经费变动率"
满分 4
指标 三公经费变动率 4分:
  输入 本年数: 金额(万元)
  输入 上年数: 金额(万元) > 0
  变动率 = (本年数 - 上年数) / 上年数
  得分 = 分档:
    变动率 ≤ 0 : 4
    否则 : 4 - 变动率 × 4 × 10 扣完为止
''' + ANY

@pytest.mark.parametrize("this_year, last_year, expected", [
    (100, 100, D("4")), (90, 100, D("4")),   # 0%: at target -> 4; -10%: better -> 4
    ("102.5", 100, D("3")),                  # 2.5% × 40 = 1 -> 3
    (105, 100, D("2")),                      # 5% × 4 × 10 = 2 -> 4 - 2 = 2
    ("109.99", 100, D("0")),                 # 9.99% × 40 = 3.996 -> 0.004 -> 0.00
    (110, 100, D("0")),                      # exactly 10%: 4 - 4 = 0
    (115, 100, D("0"))])                     # 15%: 4 - 6 < 0 -> 扣完为止 -> 0
def test_ratio_deduction(this_year, last_year, expected):
    r = book(RATIO_DEDUCTION).evaluate({"本年数": this_year, "上年数": last_year})
    assert r.score("三公经费变动率") == expected

def test_ratio_deduction_on_a_negative_rate_input():
    rb = book('''规则集 "变动率"
满分 4
指标 三公经费变动率 4分:
  输入 变动率: 比率 范围 -100% 至 1000%
  得分 = 分档:
    变动率 ≤ 0 : 4
    否则 : 4 - 变动率 × 4 × 10 扣完为止
''' + ANY)
    assert rb.evaluate({"变动率": "-5%"}).total == D("4")   # -5% ≤ 0 -> 4
    assert rb.evaluate({"变动率": "5%"}).total == D("2")    # 4 - 2 = 2


# ───────────── capped deduction leaving a floor: 3 points, at most 2 deducted ─────────────
CAPPED_DEDUCTION = '''规则集 "结转结余变动率"
满分 3
指标 结转结余变动率 3分:
  输入 本年结余: 金额(万元)
  输入 上年结余: 金额(万元) > 0
  变动率 = (本年结余 - 上年结余) / 上年结余
  得分 = 分档:
    变动率 ≤ 0 : 3
    否则 : 3 - (变动率 × 2 × 10 最多 2)
''' + ANY

@pytest.mark.parametrize("this_year, last_year, expected", [
    (100, 100, D("3")), (80, 100, D("3")),   # 0%, -20% -> 3
    ("102.5", 100, D("2.5")),                # 2.5% × 20 = 0.5 -> 2.5
    (105, 100, D("2")), (110, 100, D("1")),  # 5% × 20 = 1 -> 2; 10% × 20 = 2 -> 1
    (150, 100, D("1"))])                     # 50% × 20 = 10, 最多 2 -> 3 - 2 = 1 (the floor is 1, not 0)
def test_capped_deduction_leaves_floor(this_year, last_year, expected):
    r = book(CAPPED_DEDUCTION).evaluate({"本年结余": this_year, "上年结余": last_year})
    assert r.score("结转结余变动率") == expected


# ───────────── tiers on a rate: ≥90%→3, 80–90%→1, <80%→0 ─────────────
TIERS = '''规则集 "预算完成率"
满分 3
指标 预算完成率 3分:
  输入 完成率: 比率
  得分 = 分档 完成率:
    ≥ 90% : 3
    ≥ 80% : 1
    否则 : 0
''' + ANY

@pytest.mark.parametrize("rate, expected", [
    ("100%", D("3")), ("90%", D("3")), ("0.9", D("3")),  # exactly 90% -> first row
    ("89.99%", D("1")), (D("0.8999"), D("1")),           # just below 90% -> second row
    ("80%", D("1")),                                     # exactly 80% -> 1
    ("79.99%", D("0")), ("0%", D("0"))])                 # below 80% -> 0
def test_tiers_on_a_rate(rate, expected):
    assert book(TIERS).evaluate({"完成率": rate}).score("预算完成率") == expected

def test_tiers_on_a_computed_rate_are_exact():
    rb = book('''rulebook "completion"
total_points 3
indicator completion 3:
  input done: amount(万元)
  input budget: amount(万元) > 0
  rate = done / budget
  score = tiers rate:
    >= 90% : 3
    >= 80% : 1
    else : 0
grades:
  all: else
''')
    assert rb.evaluate({"done": "2166.282", "budget": "2406.98"}).total == D("3")  # 2166.282/2406.98 = 0.9 exactly
    assert rb.evaluate({"done": "2166.28", "budget": "2406.98"}).total == D("1")   # ≈ 0.8999992 < 90%
    assert rb.evaluate({"done": 8, "budget": 10}).total == D("1")                  # 80% exactly


# ───────────── sum of sub-scores: 支付进度率 = 半年进度 (2) + 全年进度 (4) ─────────────
COMPOSITE = '''规则集 "支付进度率"
满分 6
指标 支付进度率 6分:
  子项 半年进度 2分:
    输入 半年: 比率
    得分 = 分档 半年:
      ≥ 50% : 2
      ≥ 40% : 1
      否则 : 0
  子项 全年进度 4分:
    输入 全年: 比率
    得分 = 分档 全年:
      ≥ 100% : 4
      ≥ 95% : 3
      ≥ 90% : 2
      ≥ 85% : 1
      否则 : 0
  得分 = 半年进度 + 全年进度
''' + ANY

@pytest.mark.parametrize("explicit", [True, False])
@pytest.mark.parametrize("half, full, expected", [
    ("50%", "100%", D("6")), ("50%", "96%", D("5")),   # 2 + 4; 2 + 3
    ("40%", "85%", D("2")), ("39.99%", "84.99%", D("0"))])  # 1 + 1; 0 + 0
def test_sum_of_sub_scores(explicit, half, full, expected):
    text = COMPOSITE if explicit else COMPOSITE.replace("  得分 = 半年进度 + 全年进度\n", "")
    r = book(text).evaluate({"半年": half, "全年": full})
    assert r.score("支付进度率") == expected
    assert r.total == expected


# ───────────── threshold veto: 得分=率×4，≤95%的扣4分 ─────────────
VETO = '''规则集 "项目质量达标率"
满分 4
指标 项目质量达标率 4分:
  输入 达标率: 比率 ≤ 100%
  得分 = 分档 达标率:
    ≤ 95% : 0
    否则 : 达标率 × 4
''' + ANY

@pytest.mark.parametrize("rate, expected", [
    ("95%", D("0")), ("50%", D("0")),        # exactly 95%: ≤95% -> 0
    ("96%", D("3.84")),                      # 0.96 × 4 = 3.84
    ("95.01%", D("3.80")),                   # 0.9501 × 4 = 3.8004 -> 3.80
    ("100%", D("4"))])
def test_threshold_veto(rate, expected):
    assert book(VETO).evaluate({"达标率": rate}).score("项目质量达标率") == expected


# ───────────── linear scaling: 综合得分=(结果/100)×5 ─────────────
LINEAR = '''规则集 "考核评价"
满分 5
指标 部门预算绩效管理考核评价 5分:
  输入 评价结果: 分数 范围 0 至 100
  得分 = 评价结果 / 100 × 5
''' + ANY

@pytest.mark.parametrize("result, expected", [
    (100, D("5")), (0, D("0")), (87, D("4.35")),   # 87/100×5 = 4.35
    ("92.5", D("4.63")), ("33.333", D("1.67"))])   # 4.625 -> half-up -> 4.63; 1.66665 -> 1.67
def test_linear_scaling(result, expected):
    r = book(LINEAR).evaluate({"评价结果": result})
    assert r.score("部门预算绩效管理考核评价") == expected


# ───────────── per-item bonus: 每超过1项得0.1分，满分1分 ─────────────
BONUS = '''规则集 "目标管理创新"
满分 1
指标 目标管理创新 1分:
  输入 编报数: 项数
  输入 要求数: 项数
  得分 = max(编报数 - 要求数, 0) × 0.1 不加分
''' + ANY

@pytest.mark.parametrize("filed, required, expected", [
    (10, 10, D("0")), (5, 10, D("0")),       # none over; fewer: max(-5, 0) = 0
    (11, 10, D("0.1")), (13, 10, D("0.3")),  # 1 × 0.1; 3 × 0.1
    (20, 10, D("1")),                        # 10 × 0.1 = 1 = full
    (25, 10, D("1"))])                       # 15 × 0.1 = 1.5 -> 满分1分 -> 1
def test_per_item_bonus(filed, required, expected):
    r = book(BONUS).evaluate({"编报数": filed, "要求数": required})
    assert r.score("目标管理创新") == expected


# ───────────── grade lookup: 优秀5/良好3/合格1/不合格0 ─────────────
LOOKUP = '''规则集 "满意度"
满分 5
指标 社会公众满意度 5分:
  输入 调查结果: 等级(优秀, 良好, 合格, 不合格)
  得分 = 分档 调查结果:
    优秀 : 5
    良好 : 3
    合格 : 1
    不合格 : 0
''' + ANY

@pytest.mark.parametrize("grade, expected", [
    ("优秀", D("5")), ("良好", D("3")), ("合格", D("1")), ("不合格", D("0"))])
def test_grade_lookup(grade, expected):
    assert book(LOOKUP).evaluate({"调查结果": grade}).score("社会公众满意度") == expected


# ───────────── grade bands on the total (one indicator per level, score passed through) ─────────────
def bands(grade_on):
    return f'''规则集 "等级"
满分 100
精度 0.01
舍入 四舍五入
定级 {grade_on}
一级指标 甲 100分:
  二级指标 乙 100分:
    指标 丙 100分:
      输入 外部得分: 分数 范围 0 至 100
      得分 = 外部得分
等级:
  优秀: 90 ≤ 总分 ≤ 100
  良好: 80 ≤ 总分 < 90
  中: 60 ≤ 总分 < 80
  较差: 0 ≤ 总分 < 60
'''

@pytest.mark.parametrize("grade_on", ["按舍入后总分", "按原始总分"])
@pytest.mark.parametrize("score, total, grade", [
    ("100", D("100"), "优秀"), ("90.00", D("90"), "优秀"),     # exactly 90 -> 优秀
    ("89.99", D("89.99"), "良好"), ("80", D("80"), "良好"),    # exactly 80 -> 良好
    ("79.99", D("79.99"), "中"), ("60", D("60"), "中"),        # exactly 60 -> 中
    ("59.99", D("59.99"), "较差"), ("0", D("0"), "较差")])
def test_grade_bands(grade_on, score, total, grade):
    r = book(bands(grade_on)).evaluate({"外部得分": score})
    assert (r.total, r.grade) == (total, grade)
    assert r.score("甲") == r.score("乙") == r.score("丙") == total

@pytest.mark.parametrize("grade_on, grade", [
    ("按舍入后总分", "优秀"), ("rounded", "优秀"),   # 89.995 -> 0.01 half-up -> 90.00 -> 优秀
    ("按原始总分", "良好"), ("exact", "良好")])      # graded on the exact 89.995 < 90 -> 良好
def test_grade_bands_on_rounded_or_exact_total(grade_on, grade):
    r = book(bands(grade_on)).evaluate({"外部得分": "89.995"})
    assert r.total == D("90.00")   # the shown total is rounded either way
    assert r.grade == grade


# ───────────── hierarchy: 投入15 > 目标设定5 > 职责明确1, points add up ─────────────
HIERARCHY = '''规则集 "层级"
满分 3
一级指标 投入 3分:
  二级指标 目标设定 2分:
    指标 职责明确 1分:
      输入 职责: 是否
      得分 = 如果 职责 则 1 否则 0
    指标 活动合规性 1:
      输入 合规: 是否
      得分 = 如果 合规 则 1 否则 0
  二级指标 预算配置 1 分:
    指标 目标管理创新 1分:
      输入 超过项数: 项数
      得分 = 超过项数 × 0.1 最多 1
等级:
  好: 2 ≤ 总分 ≤ 3
  差: 总分 < 2
'''

def test_hierarchy_points_sum_up():
    r = book(HIERARCHY).evaluate({"职责": "是", "合规": "否", "超过项数": 4})
    # leaves 1, 0 and 4 × 0.1 = 0.4; 目标设定 = 1 + 0 = 1; 预算配置 = 0.4; 投入 = total = 1.4 < 2 -> 差
    got = [r.score(n) for n in ("职责明确", "活动合规性", "目标管理创新", "目标设定", "预算配置", "投入")]
    assert got == [D("1"), D("0"), D("0.4"), D("1"), D("0.4"), D("1.4")]
    assert (r.total, r.grade) == (D("1.4"), "差")

def test_hierarchy_points_must_add_up():
    assert "E0401" in codes(HIERARCHY.replace("二级指标 目标设定 2分", "二级指标 目标设定 5分"))  # 1+1 ≠ 5
    assert "E0402" in codes(HIERARCHY.replace("满分 3", "满分 15"))  # 投入 3 ≠ 满分 15


# ───────────── not applicable ─────────────
def not_applicable(policy):
    return f'''规则集 "不适用"
满分 100
不适用 {policy}
一级指标 甲 50分:
  指标 变动率 50分:
    输入 上年数: 金额(万元)
    输入 本年数: 金额(万元)
    得分 = 分档:
      上年数 = 0 : 不适用
      否则 : min(本年数 / 上年数 × 50, 50)
一级指标 乙 50分:
  指标 外部评价 50分:
    输入 外部得分: 分数 范围 0 至 50
    得分 = 外部得分
等级:
  优秀: 90 ≤ 总分 ≤ 100
  良好: 80 ≤ 总分 < 90
  中: 60 ≤ 总分 < 80
  较差: 总分 < 60
'''

def test_not_applicable_full_points():
    r = book(not_applicable("计满分")).evaluate({"上年数": 0, "本年数": 5, "外部得分": 40})
    assert r.indicator("变动率").applicable is False
    assert r.score("变动率") == D("50")          # n/a -> full points
    assert (r.total, r.grade) == (D("90"), "优秀")  # 50 + 40

def test_not_applicable_excluded_and_total_rescaled():
    rb = book(not_applicable("剔除"))
    r = rb.evaluate({"上年数": 0, "本年数": 5, "外部得分": 40})
    assert r.indicator("变动率").applicable is False
    assert (r.total, r.grade) == (D("80"), "良好")  # 40 of the 50 applicable points × 100/50 = 80
    r = rb.evaluate({"上年数": 0, "本年数": 5, "外部得分": "33.33"})
    assert r.total == D("66.66")                    # 33.33 × 2
    r = rb.evaluate({"上年数": 10, "本年数": 5, "外部得分": 40})   # applicable: 5/10 × 50 = 25
    assert r.indicator("变动率").applicable is True
    assert r.total == D("65")                       # 25 + 40, no rescaling

def test_not_applicable_needs_a_policy():
    assert "E0505" in codes(not_applicable("计满分").replace("不适用 计满分\n", ""))


# ───────────── explicit clamps ─────────────
CLAMPS = '''rulebook "clamps"
total_points 9
indicator capped 3:
  input r1: rate
  score = r1 × 3 不加分
indicator at_most 3:
  input r2: rate
  score = r2 × 5 最多 3
indicator at_least 3:
  input r3: rate ≤ 100%
  score = r3 × 4 - 1 最少 0.5
grades:
  all: else
'''

@pytest.mark.parametrize("r, capped, at_most, at_least", [
    ("0%", D("0"), D("0"), D("0.5")),          # 0×3; 0×5; 0×4-1 = -1 -> 最少 0.5
    ("10%", D("0.3"), D("0.5"), D("0.5")),     # 0.3; 0.5; 0.4-1 = -0.6 -> 0.5
    ("50%", D("1.5"), D("2.5"), D("1")),       # 1.5; 2.5; 2-1 = 1
    ("96.3%", D("2.89"), D("3"), D("2.85")),   # 2.889 -> 2.89; 4.815 -> 3; 3.852-1 = 2.852 -> 2.85
    ("100%", D("3"), D("3"), D("3"))])         # 3; 5 -> 3; 4-1 = 3
def test_explicit_clamps(r, capped, at_most, at_least):
    res = book(CLAMPS).evaluate({"r1": r, "r2": r, "r3": r})
    assert (res.score("capped"), res.score("at_most"), res.score("at_least")) == (capped, at_most, at_least)


# ───────────── compile-time errors ─────────────
def test_unit_error_is_rejected():
    text = '''规则集 "单位"
满分 3
指标 X 3分:
  输入 人员: 人数
  输入 经费: 金额(万元)
  合计 = 人员 + 经费
  得分 = 如果 合计 > 0 则 3 否则 0
''' + ANY
    assert "E0301" in codes(text)

UNCLAMPED = '''规则集 "违规率"
满分 3
指标 财政供养人员控制率 3分:
  输入 在职人员数: 人数 范围 0 至 200
  输入 编制数: 人数 范围 1 至 200
  得分 = 3 - max(在职人员数 - 编制数, 0) × 0.1
''' + ANY

def test_score_leaving_its_bounds_is_rejected():
    assert "E0501" in codes(UNCLAMPED)   # 3 - [0, 199] × 0.1 reaches -16.9 < 0
    book(UNCLAMPED.replace("× 0.1", "× 0.1 扣完为止"))   # with the clamp it compiles

def test_unbounded_deduction_reports_E0501_instead_of_crashing():
    text = UNCLAMPED.replace(" 范围 0 至 200", "").replace(" 范围 1 至 200", " > 0")
    assert "E0501" in codes(text)


# ───────────── regressions: bugs found while writing these tests (all fixed) ─────────────
SHARED_LOCAL = '''规则集 "共用"
满分 6
二级指标 预算执行 6分:
  输入 完成数: 金额(万元)
  输入 预算数: 金额(万元) > 0
  完成率 = 完成数 / 预算数
  指标 预算完成率 3分:
    得分 = 分档 完成率:
      ≥ 90% : 3
      ≥ 80% : 1
      否则 : 0
  指标 执行率 3分:
    得分 = min(完成率 × 3, 3)
''' + ANY

def test_assessed_score_on_second_user_of_shared_local():
    rb = book(SHARED_LOCAL)
    assert rb.evaluate({"完成数": 95, "预算数": 100}).total == D("5.85")   # 3 + 0.95×3 = 5.85
    r = rb.evaluate({"完成数": 95, "预算数": 100}, assessed={"执行率": 2})
    assert r.total == D("5") and r.indicator("执行率").assessed               # 3 + 2

def test_assessed_score_on_first_user_of_shared_local():
    r = book(SHARED_LOCAL).evaluate({"完成数": 95, "预算数": 100}, assessed={"预算完成率": 2})
    assert r.total == D("4.85")   # 2 (assessed) + 0.95 × 3 = 2 + 2.85 = 4.85

def test_reassociated_division_with_local_in_divisor():
    rb = book('''规则集 "重排"
满分 3
指标 X 3分:
  输入 a: 数值 范围 0 至 1
  输入 b: 数值 范围 1 至 2
  k = b
  得分 = a / k × k
''' + ANY)
    assert rb.evaluate({"a": "0.5", "b": 2}).total == D("0.5")   # 0.5 / 2 × 2 = 0.5

def test_precision_half_point_step():
    try:
        rb = book(LINEAR.replace("满分 5\n", "满分 5\n精度 0.5\n"))
    except JixiaoError:
        return   # rejecting a step that is not a power of ten would also be correct
    assert rb.evaluate({"评价结果": 87}).total == D("4.5")   # 4.35 -> nearest 0.5 -> 4.5


def test_a_parent_of_only_not_applicable_children_is_not_applicable():
    """不适用 剔除: 甲's only child is not applicable, so 甲 is reported not applicable too
    (its 0 is not a score), and the total is rescaled over 乙: 5 of 5 → 10 of 10."""
    from jixiao.compiler.api import compile_rulebook
    rb = compile_rulebook('规则集 "na"\n满分 10\n不适用 剔除\n一级指标 甲 5分:\n  指标 a 5分:\n    输入 x: 比率\n'
                          '    得分 = 如果 x = 0 则 不适用 否则 min(x, 1) × 5\n一级指标 乙 5分:\n  指标 b 5分:\n'
                          '    输入 y: 比率\n    得分 = min(y, 1) × 5\n等级:\n  好: 总分 ≥ 6\n  差: 否则\n', name="na.jx")
    r = rb.evaluate({"x": "0", "y": "1"})
    assert [x.applicable for x in r.indicators] == [False, False, True, True]
    assert r.total == 10
    r = rb.evaluate({"x": "0.5", "y": "1"})
    assert all(x.applicable for x in r.indicators)
