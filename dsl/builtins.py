"""Built-in functions of the language: every spelling -> its canonical name."""

# how a function is written back in Chinese text (criteria, explanations)
DISPLAY_ZH = {"ceil": "向上取整", "floor": "向下取整", "abs": "绝对值", "count": "符合数", "size": "项数",
              "all": "全部符合", "any": "任一符合", "points_met": "符合分", "points_unmet": "不符合扣分",
              "months": "相差月数", "days": "相差天数"}
# how an aggregate over a list's items is written back (计数(专项资金, …))
AGGREGATE_ZH = {"count": "计数", "sum": "合计", "any": "任一", "all": "全部", "max": "最大", "min": "最小"}
AGGREGATE_EN = {"count": "count", "sum": "sum", "any": "any", "all": "all", "max": "max", "min": "min"}
AGGREGATES = set(AGGREGATE_ZH)

FUNCS = {
    "min": "min", "最小值": "min", "max": "max", "最大值": "max",
    "ceil": "ceil", "向上取整": "ceil", "floor": "floor", "向下取整": "floor",
    "abs": "abs", "绝对值": "abs",
    "count": "count", "符合数": "count", "符合项数": "count",
    "all": "all", "全部符合": "all", "any": "any", "任一符合": "any",
    "size": "size", "项数": "size", "要点数": "size",
    # weighted checklists: the points of the items met / not met
    "符合分": "points_met", "points_met": "points_met", "不符合扣分": "points_unmet", "points_unmet": "points_unmet",
    # dates: whole months and days between two dates
    "相差月数": "months", "months_between": "months", "相差天数": "days", "days_between": "days",
    # over the items of a list (计数 and count, 任一/any, 全部/all, 最大/max, 最小/min also)
    "计数": "count", "合计": "sum", "sum": "sum", "任一": "any", "全部": "all", "最大": "max", "最小": "min",
}
