"""Types and units of the checked IR: :class:`Type` (number with its unit, yes/no, enum,
checklist, date, text, record list, not-applicable), the money units and their factors,
the count units, and dates as values. Re-exported by ir.py (``ir.Type``, ``ir.NUM`` …)."""
from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Optional

import attrs


# ───────────── types ─────────────

@attrs.frozen
class Type:
    """kind: num | bool | enum | checklist | na | text | date | list. ``unit`` for num: None
    (bare number), "%" (rate), "pp" (percentage points), "分" or an amount/count unit.
    ``weights``: the points of each item of a weighted checklist (``清单["甲" 2分, …]``);
    ``fields``: the fields (``Input``) of each item of a list (``列表:``)."""
    kind: str
    unit: Optional[str] = None
    members: tuple[str, ...] = ()
    weights: tuple = ()
    fields: tuple = ()

    def describe(self) -> tuple[str, str]:
        if self.kind == "num":
            u = self.unit
            if u is None:
                return "数值", "a number"
            if u == "%":
                return "比率", "a rate"
            if u == "pp":
                return "百分点", "percentage points"
            if u == "分":
                return "分值", "points"
            return f"{u}", f"an amount in {u}" if u in AMOUNT_UNITS else f"a count of {u}"
        return {"bool": ("是否", "a yes/no value"), "enum": ("等级", "a grade"), "text": ("文本", "text"),
                "checklist": ("清单", "a checklist"), "na": ("不适用", "not applicable"),
                "date": ("日期", "a date"), "list": ("列表", "a list")}[self.kind]


# Money units and how many 元 each is: amounts in different money units are converted
# to one unit, exactly (72890元 = 7.289万元); the runtime keeps a copy, pinned by a test.
MONEY_UNITS = {"元": Decimal(1), "千元": Decimal(1000), "万元": Decimal(10000), "亿元": Decimal(100000000)}
AMOUNT_UNITS = set(MONEY_UNITS)
# Count units are open: any unit name that is not a money unit, %, 个百分点 or 分 counts
# something (计数(例), 3个月). These are the common ones, listed in E0304's help.
COUNT_UNITS = {"人", "项", "个", "件", "次", "家", "户", "天", "所", "名", "例", "月", "年", "台", "套", "篇", "份"}
RESERVED_UNITS = {"%", "pp", "分"}
KNOWN_UNITS = AMOUNT_UNITS | COUNT_UNITS | RESERVED_UNITS


def is_count_unit(u: Optional[str]) -> bool:
    """Is ``u`` a unit of counting (人, 项, 例, 月 …: any unit name but money, %, pp and 分)?"""
    return u is not None and u not in AMOUNT_UNITS and u not in RESERVED_UNITS


def money_factor(frm: str, to: str) -> Decimal:
    """The exact factor that turns an amount in ``frm`` into one in ``to`` (元 -> 万元: 0.0001)."""
    return (MONEY_UNITS[frm] / MONEY_UNITS[to]).normalize()     # powers of ten: exact


NUM = Type("num")
BOOL = Type("bool")
NA = Type("na")
DATE = Type("date")
# dates are whole numbers of days (the proleptic Gregorian ordinal, 0001-01-01 = 1), so
# a date minus a date is a number of 天 and the checks bound dates like numbers
DATE_MIN, DATE_MAX = Decimal(1), Decimal(3652059)


def date_of(v) -> "datetime.date":
    """The calendar date of a day number."""
    import datetime
    return datetime.date.fromordinal(int(v))


def date_text(v, lang: str = "zh") -> str:
    """A day number as a date: 2024年6月30日 (zh), 2024-06-30 (en)."""
    try:
        d = date_of(v)
    except (ValueError, OverflowError, TypeError):
        return str(v)
    return f"{d.year}年{d.month}月{d.day}日" if lang == "zh" else d.isoformat()
