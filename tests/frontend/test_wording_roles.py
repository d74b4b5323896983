"""W0407 reads each number of an original 评分标准 by its role and holds it against the
numbers the rule uses in that role: points (3分) against the points the rule gives or
deducts, not against its thresholds or steps; thresholds (90%) and steps (0.1个百分点)
against what the rule compares and steps by."""
from jixiao.compiler.api import check_text
from jixiao.dsl.checks.wording import wording_numbers

HEAD = '规则集 "t"\n满分 4\n\n一级指标 A 4分:\n  二级指标 B 4分:\n    指标 C 4分:\n'
TAIL = '\n等级:\n  合格: 60% × 4 ≤ 总分 ≤ 4\n  不合格: 0 ≤ 总分 < 60% × 4\n'


def said_wrong(criteria: str, rule: str) -> list[str]:
    text = HEAD + f'      评分标准 "{criteria}"\n' + rule + TAIL
    res = check_text(text, "t.jx")
    assert not [d for d in res.diagnostics if d.severity == "error"], [d.code for d in res.diagnostics]
    return [d.args["numbers"] for d in res.diagnostics if d.code == "W0407"]


TIERS = ('      输入 达标率: 比率\n      得分 = 分档 达标率:\n        ≥ 90% : 4\n        ≥ 60% : 2\n'
         '        否则 : 0\n')
STEPS = ('      输入 调整率: 比率\n      得分 = 4 - 向上取整(max(调整率 - 10%, 0) / 0.1个百分点) × 0.5 扣完为止\n')


def test_points_equal_to_a_threshold_are_not_points():
    # 2分 is right, 90 is a threshold (90%), 60 too: "90分" and "60分" are not points of this rule
    assert said_wrong("90%（含）以上得4分；60%（含）至90%得2分；其余得0分。", TIERS) == []
    assert said_wrong("90%（含）以上得4分；60%（含）至90%得60分；其余得0分。", TIERS) == ["60分"]


def test_a_wrong_threshold_is_reported():
    assert said_wrong("85%（含）以上得4分；60%（含）至85%得2分；其余得0分。", TIERS) == ["85%"]


def test_steps_against_the_rule_s_steps():
    assert said_wrong("目标值为10%；每增加0.1个百分点扣0.5分，扣完为止。", STEPS) == []
    assert said_wrong("目标值为10%；每增加0.2个百分点扣0.5分，扣完为止。", STEPS) == ["0.2个百分点"]
    # the step is not points: 每增加0.1个百分点扣0.1分 where the rule deducts 0.5
    assert said_wrong("目标值为10%；每增加0.1个百分点扣0.1分，扣完为止。", STEPS) == ["0.1分"]


def test_wording_numbers_by_kind():
    assert [(w, k) for w, _v, k in wording_numbers("低于90%的，每下降1个百分点扣0.5分")] == \
        [("90%", "%"), ("1个百分点", "pp"), ("0.5分", "分")]
