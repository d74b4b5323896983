"""The keyword table: every Chinese spelling with its English twin, and a translator
that rewrites a file's keywords from one language to the other.

The translator walks the real token stream of the parser (so a name that happens to
spell a keyword is left alone) and replaces keyword tokens in place; names, numbers,
strings and comments are untouched.
"""
from __future__ import annotations

from .builtins import DISPLAY_ZH, FUNCS
from .checks.cohort import COHORT_FUNCS
from .grammar import jx_parser

# Chinese -> English (first English spelling is canonical)
ZH_EN = {
    "规则集": "rulebook", "版本": "version", "满分": "total_points", "精度": "precision",
    "舍入": "rounding", "定级": "grade_on", "不适用": "not_applicable", "输入": "input",
    "得分": "score", "分档": "tiers", "查表": "lookup", "否则": "else", "如果": "if", "则": "then",
    "案例": "case", "四舍五入": "half_up", "银行家舍入": "half_even", "截断": "down", "去尾": "down",
    "进一": "up", "按舍入后总分": "rounded", "按原始总分": "exact", "计满分": "full_points",
    "剔除": "exclude", "金额": "amount", "计数": "count", "比率": "rate", "分数": "score",
    "数值": "number", "是否": "boolean", "清单": "checklist", "范围": "range", "至": "to",
    "一级指标": "level1", "二级指标": "level2", "三级指标": "indicator", "指标": "indicator",
    "子项": "item", "说明": "doc", "评分标准": "criteria", "扣完为止": "floor_zero",
    "不加分": "capped", "超出不加分": "capped", "最多": "at_most", "最少": "at_least",
    "或": "or", "且": "and", "非": "not", "是": "true", "符合": "true", "否": "false",
    "不符合": "false", "自评得分": "claimed", "认定得分": "assessed",
    "人数": "count(人)", "项数": "count(项)",
    "方法库": "library", "引用": "import", "方法": "method", "要求": "require", "指标行": "rows",
    "行": "row", "字段": "field", "文本": "text", "分值分配": "allocate",
    "核对": "verify", "仅当": "only_if", "人工评定": "rated", "评定": "rated", "评定得分": "rated",
    "无法计分": "unscorable",
    "加分项": "bonus", "扣分项": "penalty", "否决": "veto", "一票否决": "veto", "最高": "at_best",
    "按取整总分": "integer",
    "日期": "date", "列表": "list",
    "同类": "peers", "名额": "quotas", "降为": "demote_to", "同分均降": "ties_down", "同分均保留": "ties_kept",
    "按同类平均得分计": "peer_average_score",
}
EN_ZH = {
    "rulebook": "规则集", "version": "版本", "total_points": "满分", "precision": "精度",
    "rounding": "舍入", "grade_on": "定级", "not_applicable": "不适用", "input": "输入",
    "tiers": "分档", "lookup": "查表", "else": "否则", "if": "如果", "then": "则", "case": "案例",
    "half_up": "四舍五入", "half_even": "银行家舍入", "down": "截断", "up": "进一",
    "rounded": "按舍入后总分", "exact": "按原始总分", "full_points": "计满分", "exclude": "剔除",
    "amount": "金额", "count": "计数", "rate": "比率", "number": "数值", "boolean": "是否",
    "checklist": "清单", "range": "范围", "to": "至", "level1": "一级指标", "level2": "二级指标",
    "level3": "三级指标", "indicator": "指标", "item": "子项", "doc": "说明", "criteria": "评分标准",
    "floor_zero": "扣完为止", "capped": "不加分", "at_most": "最多", "at_least": "最少",
    "or": "或", "and": "且", "not": "非", "true": "是", "false": "否", "claimed": "自评得分",
    "assessed": "认定得分", "grades": "等级", "grade": "等级",
    "library": "方法库", "import": "引用", "method": "方法", "require": "要求", "rows": "指标行",
    "row": "行", "field": "字段", "text": "文本", "allocate": "分值分配",
    "verify": "核对", "only_if": "仅当", "unscorable": "无法计分", "rated": "人工评定",
    "bonus": "加分项", "penalty": "扣分项", "veto": "否决", "at_best": "最高", "integer": "按取整总分",
    "date": "日期", "list": "列表",
    "peers": "同类", "quotas": "名额", "demote_to": "降为", "ties_down": "同分均降", "ties_kept": "同分均保留",
    "peer_average_score": "按同类平均得分计",
}
# `rated` is three Chinese keywords: 评定得分 (the case's block, before `:`), 评定 (a band,
# before its lower end) and 人工评定 (the whole score)
_BAND_START = {"NUMBER", "NAME", "QNAME", "ADD_OP", "_LPAR"}
# functions: each Chinese spelling -> an English one, and back
_EN_SPELLING = {"months": "months_between", "days": "days_between"}
FUNC_ZH_EN = {zh: _EN_SPELLING.get(en, en) for zh, en in FUNCS.items() if not zh.isascii()}
FUNC_EN_ZH = {"min": "最小值", "max": "最大值", **DISPLAY_ZH, "sum": "合计",
              "months_between": "相差月数", "days_between": "相差天数"}
# cohort statistics (排名, 同类平均 …): the first spelling of each meaning in either language
_COHORT_EN = {}
_COHORT_ZH = {}
for _name, _meaning in COHORT_FUNCS.items():
    (_COHORT_EN if _name.isascii() else _COHORT_ZH).setdefault(_meaning, _name)
FUNC_ZH_EN.update({zh: _COHORT_EN[m] for zh, m in COHORT_FUNCS.items() if not zh.isascii()})
FUNC_EN_ZH.update({en: _COHORT_ZH[m] for en, m in COHORT_FUNCS.items() if en.isascii()})


def token_stream(text: str) -> list:
    """The tokens the parser reads in ``text`` (which must parse), with their offsets:
    a keyword spelling is a keyword token only where the grammar reads it as one (else a
    NAME), and the indentation post-lexer's ``_NL``, ``_INDENT`` and ``_DEDENT`` are
    included (no ``_NL`` inside brackets). A final newline is added as the parser does."""
    body = text if text.endswith("\n") else text + "\n"
    return list(jx_parser().parse_interactive(body).iter_parse())


def translate_keywords(text: str, to: str = "en") -> str:
    """Rewrite the keywords of a rulebook or case into ``to`` ("en" or "zh")."""
    body = text if text.endswith("\n") else text + "\n"
    toks = [t for t in token_stream(body) if t.start_pos is not None and t.type not in ("_INDENT", "_DEDENT", "_NL")]
    keyword_types = {t.name for t in jx_parser().terminals if t.pattern.type == "str"}
    edits = []
    for i, tok in enumerate(toks):
        nxt = toks[i + 1] if i + 1 < len(toks) else None
        v = str(tok)
        new = None
        if tok.type == "NAME":
            if nxt is not None and nxt.type == "_LPAR":
                new = (FUNC_ZH_EN if to == "en" else FUNC_EN_ZH).get(v)
        elif tok.type in keyword_types:
            if to == "en":
                if v == "等级":
                    new = "grade" if nxt is not None and nxt.type == "_LPAR" else "grades"
                elif v == "得分" :
                    new = "score"
                else:
                    new = ZH_EN.get(v)
            else:
                if v == "score":
                    # the score statement (score = …) vs the type (: score)
                    new = "得分" if nxt is not None and nxt.type == "EQ" else "分数"
                elif v == "count" and nxt is not None and nxt.type == "_LPAR":
                    new = "计数"
                elif v == "rated":
                    new = ("评定得分" if nxt is not None and nxt.type == "_COLON" else
                           "评定" if nxt is not None and nxt.type in _BAND_START else "人工评定")
                else:
                    new = EN_ZH.get(v)
        if new is not None and new != v:
            edits.append((tok.start_pos, tok.end_pos, new))
    out = body
    for start, end, new in reversed(edits):
        out = out[:start] + new + out[end:]
    return out if text.endswith("\n") else out[:-1]
