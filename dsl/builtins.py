"""Built-in functions of the language: every spelling -> its canonical name."""

# how a function is written back in Chinese text (criteria, explanations)
DISPLAY_ZH = {"ceil": "向上取整", "floor": "向下取整", "abs": "绝对值", "count": "符合数", "size": "项数",
              "all": "全部符合", "any": "任一符合"}

FUNCS = {
    "min": "min", "最小值": "min", "max": "max", "最大值": "max",
    "ceil": "ceil", "向上取整": "ceil", "floor": "floor", "向下取整": "floor",
    "abs": "abs", "绝对值": "abs",
    "count": "count", "符合数": "count", "符合项数": "count",
    "all": "all", "全部符合": "all", "any": "any", "任一符合": "any",
    "size": "size", "项数": "size", "要点数": "size",
}
