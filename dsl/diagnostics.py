"""Diagnostics: one catalog of messages keyed by stable code, and the renderers.

Layout follows rustc (``error[E0201]: …`` / ``--> file:line:col`` / source line with
carets), tone follows Elm: say what was found, what was expected, and how to fix it.
A diagnostic is data (code, template arguments, labels, notes, helps; texts in both
languages as :class:`Msg`); the renderers make the text in the language asked for:
Chinese, English, or both (``中文 / English``, the default).
"""
from __future__ import annotations

import json
from typing import Iterable

import attrs

from .source import Span, display_width

ERROR = "error"
WARNING = "warning"
INFO = "info"      # worth knowing, never fails a check (not even --strict)

# code -> (severity, 中文模板, English template, explanation)
CATALOG: dict[str, tuple[str, str, str, str]] = {
    # E01xx syntax
    "E0101": (ERROR, "语法错误：此处不应出现{found_zh}", "syntax error: unexpected {found_en}",
              "The parser met a token it did not expect. The message lists what could come here."),
    "E0102": (ERROR, "无法识别的字符「{char}」", "unrecognised character `{char}`",
              "A character that is part of no token of the language."),
    "E0103": (ERROR, "文件意外结束", "unexpected end of file",
              "The file ended while a statement or block was still open."),
    "E0104": (ERROR, "缩进不一致", "inconsistent indentation",
              "A line is dedented to a column that matches no enclosing block."),
    "E0105": (ERROR, "数字「{text}」无效：{reason_zh}", "invalid number `{text}`: {reason_en}",
              "Numbers are exact decimals of at most 60 digits."),
    "E0106": (ERROR, "无法读取文件「{path}」：{reason_zh}", "cannot read `{path}`: {reason_en}",
              "The file does not exist, is not UTF-8 or is too large."),
    "E0107": (ERROR, "嵌套过深", "nesting too deep",
              "Expressions may nest at most 100 levels."),
    "E0110": (ERROR, "缩进中有{what_zh}", "the indentation holds {what_en}",
              "Indentation is made of plain spaces. A tab or a full-width space looks like indentation but counts "
              "differently, so the block structure would be misread."),
    "E0108": (ERROR, "此文件是{found_zh}，应为{expected_zh}", "this file is a {found_en}, expected a {expected_en}",
              "A rulebook starts with 规则集, a case with 案例, a test suite with 测试."),
    "E0109": (ERROR, "格式化结果与原文不符，未写入", "the formatted text does not match the original; nothing written",
              "jixiao fmt parses what it wrote and compares it with the original: the same tree (spans and the order of settings aside) and the same comments in the same order. When they differ, the file is left as it was."),
    "E0120": (ERROR, "日期「{text}」无效：{reason_zh}", "invalid date `{text}`: {reason_en}",
              "A date is written 2024-04-10 or 2024年4月10日 and must exist in the calendar."),
    # E02xx names
    "E0201": (ERROR, "未定义的名称「{name}」", "unknown name `{name}`",
              "A name must be an input (输入), a local value defined above it, an indicator, or 总分 in grade bands."),
    "E0202": (ERROR, "名称「{name}」有歧义", "ambiguous name `{name}`",
              "Two indicators share this name; qualify it with its parent: 父级.名称."),
    "E0203": (ERROR, "重复定义「{name}」", "duplicate definition of `{name}`",
              "Inputs share one namespace; siblings and locals of one block must be distinct."),
    "E0204": (ERROR, "函数「{name}」{reason_zh}", "function `{name}` {reason_en}",
              "Known functions: min, max, 向上取整/ceil, 向下取整/floor, 绝对值/abs, 符合数/count, 全部符合/all, 任一符合/any, 项数/size, "
              "符合分/points_met, 不符合扣分/points_unmet, 相差月数/months_between, 相差天数/days_between, and over a list "
              "计数/count, 合计/sum, 任一/any, 全部/all, 最大/max, 最小/min."),
    "E0205": (ERROR, "循环引用：{cycle}", "circular reference: {cycle}",
              "Indicator scores may refer to each other only without cycles."),
    "E0206": (ERROR, "设置「{name}」{reason_zh}", "setting `{name}` {reason_en}",
              "Settings: 版本, 满分 (required), 精度, 舍入, 定级, 不适用."),
    "E0207": (ERROR, "「{name}」不是{expected_zh}", "`{name}` is not {expected_en}",
              "The name refers to something of another kind."),
    "E0213": (ERROR, "名称「{name}」含不可见字符或控制字符（{chars}）", "the name `{name}` holds invisible or control characters ({chars})",
              "A zero-width character, a bidirectional control (text that reads differently from what it is) or a "
              "control character in a name cannot be seen by a reviewer nor typed into a data file's header. "
              "Delete it (the editor's quick fix removes invisible characters)."),
    "E0214": (ERROR, "{what_zh}「{name}」与「{other}」在数据文件表头中无法区分",
              "the {what_en} `{name}` and `{other}` cannot be told apart by a data file's header",
              "Data files compare headers after NFKC normalisation (full-width ａ is a, １ is 1) with spaces left out, "
              "so these two names would read the same column. Rename one of them."),
    "E0209": (ERROR, "引用「{path}」{reason_zh}", "import `{path}` {reason_en}",
              "引用 names a 方法库 file, relative to the importing file or in the standard library (stdlib_indicators/)."),
    "E0210": (ERROR, "方法「{name}」{reason_zh}", "method `{name}` {reason_en}",
              "A method is called with one argument per parameter (parameters with a default may be left out); it sees only its parameters and its own values, and cannot call itself."),
    "E0211": (ERROR, "指标行「{name}」{reason_zh}", "the rows of `{name}` {reason_en}",
              "An 指标行 block declares its fields (a 分值 field of type 分数 and a 计分方法 field of type 等级 among them) and one 方法 per member of 计分方法; the indicator has no 得分 rule and no children of its own."),
    "E0212": (ERROR, "指标行「{part}」的计分方法「{method}」可能超出该行分值", "scoring method `{method}` of the rows of `{part}` can leave [0, the row's points]",
              "Each row scores within [0, its 分值]. Found by running the method on field values drawn from the declarations; cap with 最多 分值 or min(…, 分值)."),
    # E03xx types and units
    "E0301": (ERROR, "单位不一致：{left} {op} {right}", "mismatched units: {left} {op} {right}",
              "Only quantities of the same unit can be added, subtracted or compared."),
    "E0302": (ERROR, "得分不能是{unit_zh}", "a score cannot be {unit_en}",
              "A score is a number of points; multiply a count by the points per unit, divide amounts to get a rate."),
    "E0303": (ERROR, "类型错误：{what_zh}", "type error: {what_en}",
              "An operation got a value of the wrong kind (a yes/no where a number is needed, …)."),
    "E0304": (ERROR, "未知单位「{unit}」", "unknown unit `{unit}`",
              "Money units: 元, 千元, 万元, 亿元 (converted into each other exactly); rates: %, 个百分点/pp; points: 分. "
              "Any other unit name is a count unit (人, 项, 个, 件, 次, 家, 户, 天, 所, 名, 例, 月, …): 金额(…) takes a money "
              "unit, 计数(…) any count unit."),
    # E04xx points
    "E0401": (ERROR, "「{name}」的下级分值合计{sum}分，不等于其分值{points}分", "children of `{name}` add up to {sum}, not its {points} points",
              "A node without its own 得分 rule scores the sum of its children, so their points must add up to its points."),
    "E0402": (ERROR, "一级指标分值合计{sum}分，不等于满分{total}分", "top-level points add up to {sum}, not the rulebook's `满分` {total}",
              "The top-level sections must add up to 满分."),
    "E0403": (ERROR, "指标「{name}」没有得分规则", "indicator `{name}` has no score rule",
              "A leaf indicator needs `得分 = …`."),
    "E0404": (ERROR, "缺少满分设置", "the rulebook does not state its `满分` (total points)",
              "Write `满分 100` near the top."),
    "E0405": (ERROR, "「{name}」未声明分值", "`{name}` has no points",
              "Every node declares its points: `指标 职责明确 1分:`."),
    "E0406": (ERROR, "「{name}」的分值{points}分不是精度{precision}的整数倍", "the points {points} of `{name}` are not a multiple of the precision {precision}",
              "Scores are rounded to the precision, so a score could be rounded above its points."),
    # E05xx bounds, tiers, grades
    "E0501": (ERROR, "「{name}」的得分可能超出 [0, {points}]：可达 {range}", "the score of `{name}` can leave [0, {points}]: it ranges over {range}",
              "No silent clamping: write 扣完为止 (not below 0), 不加分 (not above the points) or min/max."),
    "E0502": (ERROR, "等级划分有空缺：总分 {value} 不属于任何等级", "grade bands leave a gap: a total of {value} has no grade",
              "Every total from 0 to 满分, at the rulebook's precision, must fall in exactly one band."),
    "E0503": (ERROR, "等级划分重叠：总分 {value} 同时属于{bands}", "grade bands overlap: a total of {value} is in {bands}",
              "Bands are read in order; a total in two bands is a sign of a wrong boundary."),
    "E0504": (ERROR, "除数「{divisor}」可能为零", "the divisor `{divisor}` can be zero",
              "Declare the input `> 0`, or handle zero in the rule (如果 X = 0 则 不适用 否则 …)."),
    "E0505": (ERROR, "使用了「不适用」但未声明不适用政策", "`不适用` is used but the rulebook states no not-applicable policy",
              "Add `不适用 计满分` or `不适用 剔除` to the settings."),
    "E0506": (ERROR, "分档没有「否则」行，可能无档可取", "the tiers have no `否则` row and may match nothing",
              "End the tiers with `否则 : …` or make the rows cover every value."),
    "E0507": (ERROR, "没有等级划分", "the rulebook has no grade bands",
              "Add an `等级:` block."),
    "E0520": (ERROR, "列表「{name}」可能为空，「{func}」无值可取", "the list `{name}` can be empty: `{func}` has no value then",
              "最大/最小 of a list's items needs a value for an empty list: give it as the last argument "
              "(最大(专项资金, 金额, 0)), or use it only where 计数(专项资金) > 0 (如果 … 则 … 否则 …)."),
    "E0508": (ERROR, "「{name}」不适用于此处", "`{name}` is not allowed here",
              "不适用 is the value of a score rule (or of a branch of it), never part of arithmetic; 合计 is read "
              "by the rule of a node with children and by 总分 = 合计 …; a 加分项 or 扣分项 holds no other and is "
              "never 不适用 (it then scores 0)."),
    "E0521": (ERROR, "「{name}」加上加分项、减去扣分项后可能超出 [0, {points}]：可达 {range}",
              "`{name}` with its bonus added and its penalty deducted can leave [0, {points}]: it ranges over {range}",
              "A node scores its ordinary children plus its 加分项 minus its 扣分项. No silent clamping: say how it "
              "stays within its points, e.g. 得分 = 合计 不加分 扣完为止."),
    "E0522": (ERROR, "等级未按从高到低排列，「最高 {grade}」无从比较", "the grade bands are not listed best first, so `最高 {grade}` (at best) means nothing",
              "A veto 条件 : 最高 良好 lowers a better grade to 良好; which grade is better is read from the order of "
              "the bands, so list them best first."),
    "E0523": (ERROR, "等级「{band}」的条件使用了「{name}」：等级只能按总分划分", "grade band `{band}` uses `{name}`: bands divide 总分 only",
              "A grade that depends on more than the total (不得评优, 一票否决) is a veto: write it in a 否决: block "
              "after the bands, 存在重大违规 : 最高 良好."),
    "E0524": (ERROR, "输入「{name}」仅当「{cond}」时给出，此处读取它时该条件可能不成立",
              "the input `{name}` is given only when `{cond}`, but it is read here where that may not hold",
              "A conditional input (仅当) may be absent. Read it only under a 如果, a tier row or a 且 whose condition "
              "implies its own (the same yes/no input or the same comparison); elsewhere give the case without it a value of its own."),
    "E0525": (ERROR, "评定区间「{band}」无效：{reason_zh}", "the rated band `{band}` is invalid: {reason_en}",
              "评定 A 至 B takes the evaluator's pick between A and B: constant points, A ≤ B, both multiples of 精度 "
              "(the pick must be one), within the indicator's points."),
    "E0530": (ERROR, "参评单位比较规则有误：{reason_zh}", "a rule comparing the units scored together is wrong: {reason_en}",
              "Cohort statistics (排名, 平均, 同类平均, 中位数, 最高, 最低, 单位数, 按同类平均得分计) are computed from "
              "the values of every unit scored together, before the rules that read them: their subject cannot itself "
              "depend on a statistic, a rank needs a value every unit has, 同类 needs `同类 输入` (a text or grade input), "
              "and a quota (名额) names a band, a constant share and a worse band."),
    # E06xx cases
    "E0601": (ERROR, "缺少{what_zh}「{name}」", "missing {what_en} `{name}`",
              "Every input declared by the rulebook needs a value in the case."),
    "E0602": (ERROR, "{what_zh}「{name}」的值 {value} 不是{expected_zh}", "{what_en} `{name}`: {value} is not {expected_en}",
              "The value must match the input's declared type."),
    "E0603": (ERROR, "{what_zh}「{name}」的值 {value} 超出允许范围 {range}", "{what_en} `{name}`: {value} is outside {range}",
              "The rulebook declares the admissible range of each input."),
    "E0604": (ERROR, "规则集中没有输入「{name}」", "the rulebook has no input `{name}`",
              "A case may only give values for declared inputs."),
    "E0605": (ERROR, "规则集中没有指标「{name}」", "the rulebook has no indicator `{name}`",
              "Claimed and assessed scores name indicators of the rulebook."),
    "E0606": (ERROR, "「{name}」重复给出", "`{name}` is given twice",
              "Each input and each claimed score appears once."),
    "E0607": (ERROR, "{what_zh}「{name}」的单位为{unit}，而声明为{declared}", "{what_en} `{name}` is given in {unit}, declared in {declared}",
              "Write the value in the declared unit, or leave the unit out."),
    "E0608": (ERROR, "认定得分 {value} 超出「{name}」的分值范围 [0, {points}]", "assessed score {value} of `{name}` is outside [0, {points}]",
              "An assessed score replaces the rule's result and must be a valid score."),
    "E0609": (ERROR, "「{part}」的行「{row}」{reason_zh}", "row `{row}` of `{part}`{reason_en}",
              "Each row gives the fields its scoring method needs, with values of the declared types."),
    "E0610": (ERROR, "「{part}」各行分值合计{sum}分，不等于其分值{points}分", "the rows of `{part}` add up to {sum} points, not its {points}",
              "The rows a case supplies for an indicator share out exactly that indicator's points."),
    "E0611": (ERROR, "「{part}」中{field}为「{value}」的各行分值合计{sum}分，应为{points}分", "rows of `{part}` with {field} `{value}` add up to {sum} points, not {points}",
              "分值分配 shares the indicator's points out by a field of the rows (产出指标 50分、效益指标 30分 …); the rows of each value must add up to its share, and every row's value must be one of those listed."),
    "E0613": (ERROR, "列表「{name}」的第{n}项「{item}」{reason_zh}", "item {n} `{item}` of the list `{name}`{reason_en}",
              "Each item of a list input gives a value of the declared type for each field the list declares "
              "(文本 fields may be left out)."),
    "E0612": (ERROR, "指标行{reason_zh}", "the rows{reason_en}",
              "A unit's 指标行 cannot be read or matched to it: a data file's 指标行 column holds no list of rows, or a "
              "rows table has no rows (or rows for several units) under the unit's id."),
    "E0621": (ERROR, "「{name}」由评价组评定得分（{band}），案例未给出评定得分", "`{name}` is hand-scored ({band}): the case gives no pick",
              "The rule gives this case's score to the evaluator (人工评定, or a tier 评定 A 至 B): give it in the case's "
              "评定得分: block (`指标 = 8 \"理由\"`), or in a data file's column 评定得分.指标."),
    "E0622": (ERROR, "「{name}」的评定得分 {value} 超出评定区间 {band}{where_zh}", "the pick {value} for `{name}` is outside the band {band}{where_en}",
              "A pick lies within the band of the tier the case falls in: 完成率 96% is in the tier ≥ 90% (8–9分), so 7 is refused."),
    "E0623": (ERROR, "「{name}」的评定得分 {value} 不是精度 {precision} 的整数倍", "the pick {value} for `{name}` is not a multiple of the precision {precision}",
              "Scores are shown at the rulebook's precision; a pick is given at it, never rounded."),
    "E0624": (ERROR, "「{name}」的评定得分 {value} 未被使用：本案例按规则计算此项得分，不需评定",
              "the pick {value} for `{name}` is not used: the rule computes this case's score, no pick is wanted",
              "The case falls in a tier with a computed score; a pick given anyway usually means the evaluator scored "
              "another tier than the data gives. Leave it out (over a base case: `指标 = 不适用`)."),
    "E0625": (ERROR, "缺少输入「{name}」：「{cond}」成立时须给出", "missing input `{name}`: it is required when `{cond}` holds",
              "A conditional input (仅当) must be given whenever its condition holds."),
    "E0626": (ERROR, "输入「{name}」仅当「{cond}」时给出，但此案例中该条件不成立",
              "the input `{name}` is given only when `{cond}`, which does not hold for this case",
              "A conditional input is left out when its condition fails (over a base case: `输入 = 不适用`); a value "
              "given anyway contradicts the condition."),
    "E0627": (ERROR, "规则集中没有人工评定的指标「{name}」", "the rulebook has no hand-scored indicator `{name}`",
              "评定得分 gives picks for indicators scored 人工评定 or with a tier 评定 A 至 B."),
    # E08xx the SQL backend (jixiao compile --emit-sql, jixiao score --engine duckdb)
    "E0801": (ERROR, "SQL 后端尚不支持{what_zh}", "the SQL backend does not support {what_en} yet",
              "`--emit-sql` and `--engine duckdb` translate a rulebook into one exact SQL query; this construct has "
              "no translation yet. Score this rulebook with the Python engine (`--engine python`)."),
    "E0802": (ERROR, "无法证明「{expr}」的中间值小于 {limit}，不能译为精确的 SQL",
              "cannot bound the intermediate values of `{expr}` under {limit} for exact SQL",
              "The SQL backend keeps every value as an exact integer of at most 38 digits (HUGEINT); from the "
              "inputs' declared ranges this expression may need more (Spark's exact integer division: quotients "
              "of at most 32 digits). Declare tighter ranges (输入 … 范围 …) or use the Python engine."),
    # E07xx evaluation
    "E0630": (ERROR, "规则集「{title}」按参评单位相互比较计分（{stats}），不能单独为一个案例计分",
              "the rulebook `{title}` scores units against each other ({stats}): one case cannot be scored alone",
              "Score all the units together (`jixiao score RULEBOOK DATA -o OUT`, one unit a row), or give the "
              "cohort's statistics with `--cohort FILE` (a JSON object: statistic as written -> value, or "
              "-> {kind: value} for a 同类 one)."),
    "E0631": (ERROR, "参评单位统计值文件有误：{reason_zh}", "the cohort statistics file is wrong: {reason_en}",
              "`--cohort FILE` is a JSON object mapping each statistic as the rulebook writes it (同类平均(人员经费占比)) "
              "to its value, or for a 同类 statistic to an object of kind -> value. A rank and a grade quota cannot be "
              "given: they need the other units."),
    "E0701": (ERROR, "计算「{name}」时除数为零", "division by zero while scoring `{name}`",
              "The rule of this indicator divided by a value that is zero for this case; the label shows the rule."),
    "E0708": (ERROR, "计算「{name}」时数值超出精确计算的位数", "a value beyond the digits of exact arithmetic while scoring `{name}`",
              "Evaluation keeps 40 significant digits and a score 30 before it is rounded to 精度. A value of this case "
              "(or its rounding to a very fine 精度) needs more: give smaller values, or a coarser 精度."),
    "E0702": (ERROR, "总分 {value} 不属于任何等级", "the total {value} falls in no grade band",
              "The grade bands of the rulebook leave this total without a grade."),
    "E0703": (ERROR, "分档无档可取：{subject} = {value}", "no tier matches: {subject} = {value}",
              "The tiers have no row for this value."),
    "E0704": (ERROR, "「{name}」的得分 {value} 超出 [0, {points}]", "the score {value} of `{name}` is outside [0, {points}]",
              "The rule produced a score outside the indicator's points."),
    "E0705": (ERROR, "所有指标均不适用，无法计算总分", "every indicator is not applicable: no total",
              "Under 不适用 剔除 the total is rescaled over the applicable indicators; with none there is no total."),
    "E0706": (ERROR, "不满足要求：{message}（{call}：{values}）", "requirement not met: {message} ({call}: {values})",
              "A method states what its arguments must satisfy (要求); this case's values do not."),
    "E0707": (ERROR, "「{part}」的行「{row}」得分 {value} 超出 [0, {points}]", "row `{row}` of `{part}` scores {value}, outside [0, {points}]",
              "A row's scoring method produced a score outside the row's own points."),
    "E0720": (ERROR, "计算「{name}」时日期超出公历范围（0001-01-01 至 9999-12-31）",
              "a date beyond the calendar (0001-01-01 to 9999-12-31) while scoring `{name}`",
              "A rule moved a date by so many days that it left the calendar before 相差月数 could read it."),
    "E0721": (ERROR, "「{name}」无法计分：{reason}", "`{name}` cannot be scored: {reason}",
              "The rule says 无法计分 for this case: the published table leaves it undefined. Score it by hand "
              "(认定得分) or correct the data; no score is guessed."),
    "E0722": (ERROR, "核对不通过：{message}（{values}）", "check failed: {message} ({values})",
              "A 核对 statement of the rulebook does not hold for this case's data; the values of the names it reads are listed."),
    # E08xx files written
    "E0803": (ERROR, "不能写出「{path}」：它是{what_zh}，未写入", "will not write `{path}`: it is {what_en}; nothing written",
              "An output (--emit-python, -o) never replaces what the command reads: the rulebook, a library it imports "
              "(引用), a case or a data file, and generated Python never goes to a .jx, .jxc or .jxt file. Name another file."),
    # warnings
    "I0201": (INFO, "指标名称「{name}」出现{count}次", "the indicator name `{name}` is used {count} times",
              "Legal, but every reference must be qualified with an ancestor (父级.名称) and readers of the published table may confuse them."),
    "I0502": (INFO, "「{name}」最低{low}分，0分不可达", "`{name}` never scores below {low}: zero is unattainable",
              "Usually intended (a deduction capped below the points, as 结转结余变动率: 3 points, at most 2 deducted); check it is."),
    "W0407": (WARNING, "「{name}」的原评分标准写有{numbers}，规则中没有这些数", "the original criteria of `{name}` say {numbers_en}, which the rule does not",
              "The wording kept beside a rule (评分标准 \"…\") gives points, thresholds or steps the rule does not have: "
              "one of the two was changed without the other, and the published table would disagree with the score."),
    "W0506": (WARNING, "等级「{name}」永远不会被评定", "the grade `{name}` is never given",
              "Bands are read in order; earlier bands take every total this one would."),
    "W0504": (WARNING, "清单「{name}」只有{n}项，{what_zh}", "the checklist `{name}` has only {n} items: {what_en}",
              "A rule counts more 评价要点 than the checklist has, or repeats the case where all of them are met."),
    "W0505": (WARNING, "无法证明「{name}」的得分在 [0, {points}] 内（区间分析：{range}），{tries} 组输入中未找到反例",
              "could not prove the score of `{name}` stays within [0, {points}] (intervals give {range}); no counterexample in {tries} inputs",
              "The interval analysis is sound but not complete. The score is checked at run time: a case that leaves the bounds is an error (E0704), never clamped."),
    "W0501": (WARNING, "分档中此行不可达", "this tier row can never apply",
              "An earlier row already takes every value that reaches this one."),
    "W0502": (WARNING, "相邻两档得分相同（{value}分）", "two adjacent tiers give the same score ({value})",
              "Two tiers with one score are usually a typing mistake in the published table."),
    "W0503": (WARNING, "「{name}」的满分{points}分不可达：最高{best}分", "full points {points} of `{name}` are unattainable: at most {best}",
              "No admissible input reaches the indicator's points; the rule or the points are probably wrong."),
    "W0101": (WARNING, "忽略指令{what_zh}", "the suppression directive {what_en}",
              "`# jixiao: 忽略 CODE 原因` suppresses a warning or info on its line (`文件忽略`: in the file). It needs a known "
              "code of a warning or info, and a reason; errors cannot be suppressed."),
    "W0102": (WARNING, "忽略指令「{codes}」没有忽略任何诊断", "the suppression of {codes} suppresses nothing",
              "The diagnostic it was written for is no longer reported there: remove the directive."),
    "W0201": (WARNING, "输入「{name}」未被使用", "input `{name}` is never used",
              "An input that no rule reads is probably a mistake."),
    "W0202": (WARNING, "「{name}」已定义但未被使用", "`{name}` is defined but never used",
              "A local value that no rule reads."),
}


# Default template arguments: a value problem of a 指标行 row says 字段 (field) where an
# input's says 输入 (input); the runtime copies these templates (a test pins them).
DEFAULTS: dict[str, dict[str, str]] = {
    "E0601": {"what_zh": "输入", "what_en": "input"},
    "E0602": {"what_zh": "输入", "what_en": "input"},
    "E0603": {"what_zh": "输入", "what_en": "input"},
    "E0607": {"what_zh": "输入", "what_en": "input"},
}
FIELD = {"what_zh": "字段", "what_en": "field"}     # the same templates said of a row's field

LANGS = ("both", "zh", "en")


@attrs.frozen
class Msg:
    """A text in both languages: a caption, note or help, or a template argument that
    reads differently in each (``Msg("不存在", "does not exist")``)."""
    zh: str
    en: str

    def text(self, lang: str = "both") -> str:
        if lang == "zh":
            return self.zh
        if lang == "en":
            return self.en
        return self.zh if self.zh == self.en else f"{self.zh} / {self.en}"

    def __str__(self) -> str:
        return self.text()


tr = Msg


def _text(x, lang: str) -> str:
    """A Msg in ``lang``; plain text (a path, a formula, a value) is the same in both."""
    return x.text(lang) if isinstance(x, Msg) else str(x)


@attrs.frozen
class Label:
    span: Span
    caption: "Msg | str" = ""
    primary: bool = True


@attrs.frozen
class Fix:
    """An edit a help proposes, for tools to apply (the editor's code actions): replace
    ``span`` by ``text`` (a did-you-mean name, a qualified name, ``≥`` for ``＞＝``)."""
    span: Span
    text: str


@attrs.frozen
class Diagnostic:
    """A finding as data: its code (the catalog gives severity and templates), the
    template arguments, the places it concerns, and notes and helps in both languages.
    The text is made only when it is shown, in the language asked for."""
    code: str
    severity: str
    args: dict = attrs.field(factory=dict, hash=False)
    labels: tuple[Label, ...] = ()
    notes: tuple = ()          # Msg (or plain text)
    helps: tuple = ()
    context: "Msg | None" = None     # where it was found, when the span cannot say (a unit of a data file)
    fixes: tuple = ()          # Fix: machine-applicable edits behind the helps (never parsed from their text)

    @property
    def primary(self) -> Span | None:
        for lab in self.labels:
            if lab.primary:
                return lab.span
        return self.labels[0].span if self.labels else None

    def sort_key(self):
        sp = self.primary
        return (sp.file.name if sp else "", sp.start if sp else -1, self.code)

    def message_in(self, lang: str = "both") -> str:
        return format_message(self.code, self.args, lang, self.context)

    @property
    def message(self) -> str:
        """The message in both languages (``中文 / English``)."""
        return self.message_in("both")

    @property
    def msg(self) -> Msg:
        """The message as a Msg (both languages, each on its own)."""
        return Msg(self.message_in("zh"), self.message_in("en"))


def format_message(code: str, args, lang: str = "both", context: "Msg | None" = None) -> str:
    """The catalog's template for ``code`` filled with ``args`` (Msg arguments in the
    language of the template), in ``lang``: "zh", "en" or "both"."""
    _sev, zh, en, _doc = CATALOG[code]
    full = {**DEFAULTS.get(code, {}), **args}
    z = zh.format(**{k: _text(v, "zh") for k, v in full.items()})
    e = en.format(**{k: _text(v, "en") for k, v in full.items()})
    if context is not None:
        z, e = f"{context.zh}：{z}", f"{context.en}: {e}"
    return z if lang == "zh" else e if lang == "en" else f"{z} / {e}"


def make(code: str, labels: Iterable[Label] = (), *, notes: Iterable = (),
         helps: Iterable = (), fixes: Iterable = (), **args) -> Diagnostic:
    """A diagnostic of catalog entry ``code`` with its template ``args``."""
    severity = CATALOG[code][0]
    return Diagnostic(code, severity, dict(args), tuple(labels), tuple(notes), tuple(helps), fixes=tuple(fixes))


class JixiaoError(Exception):
    """Raised by the library when a rulebook or case has errors; holds the diagnostics."""

    def __init__(self, diagnostics: list[Diagnostic]):
        self.diagnostics = sorted(diagnostics, key=Diagnostic.sort_key)
        super().__init__("\n".join(render_concise(d) for d in self.diagnostics))


def has_errors(diags: Iterable[Diagnostic]) -> bool:
    return any(d.severity == ERROR for d in diags)


# ───────────────────────── renderers ─────────────────────────
# Every renderer takes ``lang``: "both" (the default: 中文 / English), "zh" or "en".

def _location(span: Span | None) -> str:
    if span is None:
        return "<unknown>"
    return f"{span.file.name}:{span.line}:{span.column}"


def render_concise(d: Diagnostic, lang: str = "both") -> str:
    return f"{_location(d.primary)}: {d.severity}[{d.code}]: {d.message_in(lang)}"


EXCERPT_SUFFIXES = (".jx", ".jxc", ".jxt")


def excerpt_allowed(name: str) -> bool:
    """Is a source line of the file ``name`` shown under a diagnostic? Only for jixiao files
    (``.jx``, ``.jxc``, ``.jxt``) and texts given in memory (``<text>``): a diagnostic never
    prints a line of some other file a path led to (docs/security.md)."""
    return name.startswith("<") or name.lower().endswith(EXCERPT_SUFFIXES)


def render_full(d: Diagnostic, lang: str = "both") -> str:
    out = [f"{d.severity}[{d.code}]: {d.message_in(lang)}"]
    prim = d.primary
    if prim is not None and (not prim.file.text or not excerpt_allowed(prim.file.name)):
        out.append(f"  --> {prim.file.name}")
        prim = None
        pad = " "
    elif prim is not None:
        lines = sorted({lab.span.line for lab in d.labels if lab.span.file is prim.file})
        gutter = len(str(max(lines))) if lines else 1
        pad = " " * gutter
        out.append(f"{pad}--> {_location(prim)}")
        out.append(f"{pad} |")
        prev = None
        for line in lines:
            if prev is not None and line > prev + 1:
                out.append(f"{pad}...")
            prev = line
            src = prim.file.line_text(line)
            out.append(f"{str(line).rjust(gutter)} | {src}")
            for lab in (l for l in d.labels if l.span.file is prim.file and l.span.line == line):
                sline, scol = lab.span.line, lab.span.column
                eline, ecol = lab.span.end_line_col
                end_col = ecol if eline == sline else len(src) + 1
                before = display_width(src[: scol - 1])
                width = max(1, display_width(src[scol - 1: end_col - 1]))
                mark = ("^" if lab.primary else "-") * width
                caption = _text(lab.caption, lang)
                caption = f" {caption}" if caption else ""
                out.append(f"{pad} | {' ' * before}{mark}{caption}".rstrip())
        out.append(f"{pad} |")
        for lab in d.labels:
            if lab.span.file is not prim.file:
                out.append(f"{pad} = note: {_location(lab.span)}: {_text(lab.caption, lang)}")
    else:
        pad = " "
    for h in d.helps:
        out.append(f"{pad} = help: {_text(h, lang)}")
    for n in d.notes:
        out.append(f"{pad} = note: {_text(n, lang)}")
    return "\n".join(out)


def render_text(diags: Iterable[Diagnostic], style: str = "full", lang: str = "both") -> str:
    diags = sorted(diags, key=Diagnostic.sort_key)
    if style == "concise":
        return "\n".join(render_concise(d, lang) for d in diags)
    return "\n\n".join(render_full(d, lang) for d in diags)


def _json_value(v):
    if isinstance(v, Msg):
        return {"zh": v.zh, "en": v.en}
    if isinstance(v, (str, int, float, bool)) or v is None:
        return v
    return str(v)


def to_json(d: Diagnostic, lang: str = "both") -> dict:
    sp = d.primary
    row = {"code": d.code, "severity": d.severity, "message": d.message_in(lang),
           "file": sp.file.name if sp else None}
    if sp is not None:
        el, ec = sp.end_line_col
        row.update(line=sp.line, column=sp.column, end_line=el, end_column=ec)
    row["labels"] = [{"file": l.span.file.name, "line": l.span.line, "column": l.span.column,
                      "caption": _text(l.caption, lang), "primary": l.primary} for l in d.labels]
    row["helps"] = [_text(h, lang) for h in d.helps]
    row["notes"] = [_text(n, lang) for n in d.notes]
    row["args"] = {k: _json_value(v) for k, v in d.args.items()}
    return row


def render_json(diags: Iterable[Diagnostic], lang: str = "both", suppressed=()) -> str:
    """The diagnostics as a JSON list; ``suppressed`` ((diagnostic, suppression) pairs)
    are listed too, each with ``"suppressed": {"reason": …, "line": …}``."""
    rows = [to_json(d, lang) for d in sorted(diags, key=Diagnostic.sort_key)]
    for d, s in sorted(suppressed, key=lambda x: Diagnostic.sort_key(x[0])):
        row = to_json(d, lang)
        row["suppressed"] = {"reason": s.reason, "line": s.span.line, "scope": "file" if s.line is None else "line"}
        rows.append(row)
    return json.dumps(rows, ensure_ascii=False, indent=2)


def explain(code: str, lang: str = "both") -> str | None:
    entry = CATALOG.get(code.upper())
    if entry is None:
        return None
    severity, zh, en, doc = entry
    templates = [zh] if lang == "zh" else [en] if lang == "en" else [zh, en]
    return f"{code.upper()} ({severity})\n" + "".join(f"  {x}\n" for x in templates) + f"\n{doc}"


_SARIF_LEVEL = {ERROR: "error", WARNING: "warning", INFO: "note"}


def _with_helps(d: Diagnostic, lang: str) -> str:
    return d.message_in(lang) + "".join(f"\nhelp: {_text(h, lang)}" for h in d.helps)


def render_sarif(diags: Iterable[Diagnostic], tool_version: str = "0.1.0", lang: str = "both") -> str:
    """SARIF 2.1.0, for code-scanning tools (GitHub code scanning, GitLab, IDEs)."""
    diags = sorted(diags, key=Diagnostic.sort_key)
    codes = sorted({d.code for d in diags})
    rules = []
    for code in codes:
        sev, zh, en, doc = CATALOG.get(code, (ERROR, code, code, ""))
        short = zh if lang == "zh" else en if lang == "en" else f"{zh} / {en}"
        rules.append({"id": code, "name": code,
                      "shortDescription": {"text": short},
                      "fullDescription": {"text": doc},
                      "defaultConfiguration": {"level": _SARIF_LEVEL[sev]}})
    results = []
    for d in diags:
        r = {"ruleId": d.code, "ruleIndex": codes.index(d.code),
             "level": _SARIF_LEVEL[d.severity],
             "message": {"text": _with_helps(d, lang)}}
        sp = d.primary
        if sp is not None:
            el, ec = sp.end_line_col
            r["locations"] = [{"physicalLocation": {
                "artifactLocation": {"uri": sp.file.name.replace("\\", "/")},
                "region": {"startLine": sp.line, "startColumn": sp.column, "endLine": el, "endColumn": ec}}}]
            related = [l for l in d.labels if not l.primary]
            if related:
                r["relatedLocations"] = [{"id": i, "message": {"text": _text(l.caption, lang) or d.code}, "physicalLocation": {
                    "artifactLocation": {"uri": l.span.file.name.replace("\\", "/")},
                    "region": {"startLine": l.span.line, "startColumn": l.span.column}}} for i, l in enumerate(related)]
        results.append(r)
    doc = {"$schema": "https://json.schemastore.org/sarif-2.1.0.json", "version": "2.1.0",
           "runs": [{"tool": {"driver": {"name": "jixiao", "version": tool_version,
                                         "informationUri": "https://pypi.org/project/jixiao/", "rules": rules}},
                     "results": results}]}
    return json.dumps(doc, ensure_ascii=False, indent=2)


def _gh_escape(text: str, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def render_github(diags: Iterable[Diagnostic], lang: str = "both") -> str:
    """GitHub Actions workflow commands: one ::error/::warning annotation per diagnostic."""
    out = []
    for d in sorted(diags, key=Diagnostic.sort_key):
        kind = {ERROR: "error", WARNING: "warning", INFO: "notice"}[d.severity]
        sp = d.primary
        props = [f"title={_gh_escape(d.code, True)}"]
        if sp is not None:
            el, ec = sp.end_line_col
            props = [f"file={_gh_escape(sp.file.name, True)}", f"line={sp.line}", f"col={sp.column}",
                     f"endLine={el}", f"endColumn={ec}"] + props
        out.append(f"::{kind} {','.join(props)}::{_gh_escape(_with_helps(d, lang))}")
    return "\n".join(out)
