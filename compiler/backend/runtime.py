"""Runtime support for generated evaluators.

This module imports only the standard library and nothing from the compiler: the
code generator inlines its text into standalone modules (``jixiao compile
--emit-python``). Everything a generated evaluator needs at run time lives here:
exact Decimal arithmetic settings, input validation, rounding, errors.
"""
import calendar as _calendar
import datetime as _datetime
import re as _re
import unicodedata as _unicodedata
from decimal import ROUND_CEILING, ROUND_DOWN, ROUND_FLOOR, ROUND_HALF_EVEN, ROUND_HALF_UP, ROUND_UP
from decimal import Context as _Context
from decimal import Decimal as _D
from decimal import DivisionByZero as _DivisionByZero
from decimal import InvalidOperation as _InvalidOperation
from decimal import localcontext as _localcontext
from itertools import islice as _islice

# Arithmetic of every evaluation: 40 significant digits, exact for any sum, difference
# or product of the inputs a rulebook sees; a quotient is rounded half-even at the
# 40th digit. Division by zero and invalid operations raise instead of giving Infinity/NaN.
CONTEXT = _Context(prec=40, rounding=ROUND_HALF_EVEN, Emin=-999999, Emax=999999,
                   traps=[_DivisionByZero, _InvalidOperation])
# Before a score is rounded to the rulebook's precision it is first rounded to 30
# significant digits: a chain of quotients that is exactly on a half step (0.745) but
# carries the 40th-digit rounding of an inner quotient (0.74499…9) then rounds as the exact
# value does (0.75), not the wrong way.
SNAP = _Context(prec=30, rounding=ROUND_HALF_EVEN, Emin=-999999, Emax=999999).plus
ROUNDING_MODES = {"half_up": ROUND_HALF_UP, "half_even": ROUND_HALF_EVEN,
                  "down": ROUND_DOWN, "up": ROUND_UP}
ZERO = _D(0)
COUNTS = tuple(_D(k) for k in range(257))     # checklist counts as Decimals, by index
ONE = _D(1)
TRUE_WORDS = {"是", "符合", "true", "True", "yes", "y", "1", "√", "✓"}
FALSE_WORDS = {"否", "不符合", "false", "False", "no", "n", "0", "×", "✗"}
ALL_MET_WORDS = {"全部符合", "all"}
# a checklist given as one text (a CSV cell, a case's string): its items joined by the first of
# these that occurs (the SQL backend splits its cells the same way)
CHECKLIST_SEPARATORS = (",", "，", "、", ";", "；", " ", "|")
MAX_NUMBER_CHARS = 60
# Money units and how many 元 each is (the same table as jixiao.dsl.ir.MONEY_UNITS, pinned
# by a test): an amount given in another money unit is converted exactly.
MONEY_UNITS = {"元": _D(1), "千元": _D(1000), "万元": _D(10000), "亿元": _D(100000000)}
TITLE_KEYS = ("名称", "name")      # a list item's title, given through the API

# What generated evaluators may use: the loader gives them these names and nothing else
# of this module (tests/backend check every emitted module reads only these, Python's
# builtins it calls by name, and what it defines itself).
EXPORTS = (
    "_D", "ZERO", "ONE", "COUNTS", "CONTEXT", "SNAP", "ROUNDING_MODES", "ROUND_CEILING", "ROUND_FLOOR",
    "_localcontext", "validate", "to_decimal", "round_step", "rec",
    "EvaluationError", "InputErrors", "_fail", "no_tier", "no_grade", "out_of_points", "arithmetic_error",
    "nothing_applicable", "months_between", "points_met", "no_items",
    "rated", "rated_unused", "present", "unscorable", "verify_failed", "cohort_values", "apply_quotas", "Cohort",
)


# The messages of the errors raised here: copies of the diagnostic catalog's templates
# (jixiao.dsl.diagnostics.CATALOG, DEFAULTS), since this module imports nothing of jixiao;
# a test pins each to the catalog.
MESSAGES = {
    "E0601": ("缺少{what_zh}「{name}」", "missing {what_en} `{name}`"),
    "E0602": ("{what_zh}「{name}」的值 {value} 不是{expected_zh}", "{what_en} `{name}`: {value} is not {expected_en}"),
    "E0603": ("{what_zh}「{name}」的值 {value} 超出允许范围 {range}", "{what_en} `{name}`: {value} is outside {range}"),
    "E0607": ("{what_zh}「{name}」的单位为{unit}，而声明为{declared}", "{what_en} `{name}` is given in {unit}, declared in {declared}"),
    "E0701": ("计算「{name}」时除数为零", "division by zero while scoring `{name}`"),
    "E0708": ("计算「{name}」时数值超出精确计算的位数", "a value beyond the digits of exact arithmetic while scoring `{name}`"),
    "E0702": ("总分 {value} 不属于任何等级", "the total {value} falls in no grade band"),
    "E0703": ("分档无档可取：{subject} = {value}", "no tier matches: {subject} = {value}"),
    "E0704": ("「{name}」的得分 {value} 超出 [0, {points}]", "the score {value} of `{name}` is outside [0, {points}]"),
    "E0705": ("所有指标均不适用，无法计算总分", "every indicator is not applicable: no total"),
    "E0706": ("不满足要求：{message}（{call}：{values}）", "requirement not met: {message} ({call}: {values})"),
    "E0621": ("「{name}」由评价组评定得分（{band}），案例未给出评定得分", "`{name}` is hand-scored ({band}): the case gives no pick"),
    "E0622": ("「{name}」的评定得分 {value} 超出评定区间 {band}{where_zh}", "the pick {value} for `{name}` is outside the band {band}{where_en}"),
    "E0623": ("「{name}」的评定得分 {value} 不是精度 {precision} 的整数倍", "the pick {value} for `{name}` is not a multiple of the precision {precision}"),
    "E0624": ("「{name}」的评定得分 {value} 未被使用：本案例按规则计算此项得分，不需评定",
              "the pick {value} for `{name}` is not used: the rule computes this case's score, no pick is wanted"),
    "E0625": ("缺少输入「{name}」：「{cond}」成立时须给出", "missing input `{name}`: it is required when `{cond}` holds"),
    "E0626": ("输入「{name}」仅当「{cond}」时给出，但此案例中该条件不成立",
              "the input `{name}` is given only when `{cond}`, which does not hold for this case"),
    "E0721": ("「{name}」无法计分：{reason}", "`{name}` cannot be scored: {reason}"),
    "E0722": ("核对不通过：{message}（{values}）", "check failed: {message} ({values})"),
    "E0613": ("列表「{name}」的第{n}项「{item}」{reason_zh}", "item {n} `{item}` of the list `{name}`{reason_en}"),
    "E0720": ("计算「{name}」时日期超出公历范围（0001-01-01 至 9999-12-31）",
              "a date beyond the calendar (0001-01-01 to 9999-12-31) while scoring `{name}`"),
}
MESSAGE_DEFAULTS = {
    "E0601": {"what_zh": "输入", "what_en": "input"},
    "E0602": {"what_zh": "输入", "what_en": "input"},
    "E0603": {"what_zh": "输入", "what_en": "input"},
    "E0607": {"what_zh": "输入", "what_en": "input"},
}


class EvaluationError(Exception):
    """A case that cannot be scored: ``code`` (E06xx input, E07xx evaluation) and the
    arguments of its message template, the index of the rulebook span it concerns (into
    ``SPANS``), the field and value involved. The text is made from ``MESSAGES``."""

    def __init__(self, code, args=None, span=None, field=None, value=None):
        self.code = code
        self.params = dict(args or {})
        self.span = span
        self.field = field
        self.value = value
        super().__init__(code)

    def message_in(self, lang="both", **extra):
        zh, en = MESSAGES[self.code]
        args = {**MESSAGE_DEFAULTS.get(self.code, {}), **self.params, **extra}
        z, e = zh.format(**args), en.format(**args)
        return z if lang == "zh" else e if lang == "en" else f"{z} / {e}"

    @property
    def message(self):
        return self.message_in("both")

    def __str__(self):
        return self.message

    def __repr__(self):
        return f"EvaluationError({self.code!r}, {self.params!r})"


def _fail(message, span, call="?", shown=()):
    """A method's 要求 is not met by this case: the message, the call, the values of the
    parameters the requirement reads (``shown``: (parameter, argument as written, value, unit))."""
    vals = []
    for p, a, f, u in shown:
        try:
            v = f() if callable(f) else f
        except Exception:               # a value that cannot be computed for this case is shown as such
            v = None
        vals.append((p, a, v, u))
    values = "，".join(f"{p} = {_with_unit(v, u)}" + (f"（{a}）" if a not in (p, _with_unit(v, u)) else "")
                      for p, a, v, u in vals) or "—"
    raise EvaluationError("E0706", {"message": message, "call": call, "values": values}, span,
                          vals[0][1] if vals else None, vals[0][2] if vals else None)


def _with_unit(v, unit):
    """A value with its unit, as a case writes it: 100万元, 96.3%, 是."""
    if v is None:
        return "?"
    if isinstance(v, bool):
        return "是" if v else "否"
    if isinstance(v, tuple):
        return "[" + ", ".join(_with_unit(x, None) for x in v[:10]) + (", …" if len(v) > 10 else "") + "]"
    if isinstance(v, _D):
        if unit == "%":
            return _fmt(v * 100) + "%"
        return _fmt(v) + (unit if unit and unit not in ("pp", "分") else "")
    return _show(v)


def rated(v, lo, hi, step, span, name, band, where_zh, where_en, field):
    """The evaluator's pick ``v`` (the input ``field``) for the hand-scored indicator
    ``name`` on a path that asks for one: given, within [lo, hi] (``band`` as text, on the
    tier ``where``) and a multiple of the precision ``step``."""
    if v is None:
        raise EvaluationError("E0621", {"name": name, "band": band}, span, field, None)
    if not lo <= v <= hi:
        raise EvaluationError("E0622", {"name": name, "value": _fmt(v), "band": band, "where_zh": where_zh,
                                        "where_en": where_en}, span, field, v)
    if v % step:
        raise EvaluationError("E0623", {"name": name, "value": _fmt(v), "precision": _fmt(step), "band": band},
                              span, field, v)
    return v


def rated_unused(span, name, v, field):
    """A pick given for an indicator whose rule computed this case's score itself."""
    raise EvaluationError("E0624", {"name": name, "value": _fmt(v)}, span, field, v)


def present(v, holds, span, name, cond):
    """A conditional input (仅当): given exactly when its condition ``holds``."""
    if holds and v is None:
        raise EvaluationError("E0625", {"name": name, "cond": cond}, span, name, None)
    if not holds and v is not None:
        raise EvaluationError("E0626", {"name": name, "cond": cond}, span, name, v)


def unscorable(span, name, reason):
    """The rule says 无法计分 for this case."""
    raise EvaluationError("E0721", {"name": name, "reason": reason}, span, name, None)


def verify_failed(span, message, shown):
    """A 核对 of the case's data fails: the values of the names it reads (``shown``: (name, value, unit))."""
    values = "，".join(f"{n} = {_with_unit(v, u)}" for n, v, u in shown) or "—"
    raise EvaluationError("E0722", {"message": message, "values": values, "fields": tuple(n for n, _v, _u in shown)},
                          span, shown[0][0] if shown else None, shown[0][1] if shown else None)


class InputErrors(Exception):
    """Several bad input values at once (all reported, not only the first)."""

    def __init__(self, errors):
        super().__init__("\n".join(e.message for e in errors))
        self.errors = errors


def _fmt(d):
    """Plain text of a number, exact, whatever the ambient decimal context. (The same as
    dsl.ir.fmt_decimal on purpose: this module is inlined into standalone evaluators and
    imports nothing of dsl.)"""
    if isinstance(d, _D):
        if not d.is_finite() or abs(d.adjusted()) > 80:
            return str(d)
        s = format(d, "f")
        if "." in s:
            s = s.rstrip("0").rstrip(".")
        return "0" if s in ("-0", "") else s
    return str(d)


def _show(value, depth=0):
    """A value as the user gave it, short and safe to print (huge, nested or odd values too)."""
    try:
        if isinstance(value, _D):
            s = _fmt(value)
        elif isinstance(value, _datetime.date):
            s = value.isoformat()[:10]
        elif isinstance(value, bool) or value is None:
            s = repr(value)
        elif isinstance(value, int):
            s = str(value) if value.bit_length() < 200 else f"<{value.bit_length()}-bit integer>"
        elif isinstance(value, (list, tuple)):
            if depth > 3:
                return "[…]"
            s = "[" + ", ".join(_show(v, depth + 1) for v in value[:10]) + (", …" if len(value) > 10 else "") + "]"
        elif isinstance(value, str):
            s = value
        else:
            s = f"<{type(value).__name__}>"
    except Exception:
        s = f"<{type(value).__name__}>"
    return s if len(s) <= 40 else s[:37] + "..."


def points_met(weights, flags, met=True):
    """The points of the checklist items met (``met``) or not met: 符合分 / 不符合扣分."""
    total = ZERO
    for w, ok in zip(weights, flags):
        if bool(ok) == met:
            total += w
    return total


def no_items(span, name):
    """最大/最小 of a list with no item (the checker proves it cannot happen)."""
    raise EvaluationError("E0706", {"message": f"列表「{name}」没有可取的项 / the list `{name}` has no item to take",
                                    "call": f"最大值/最小值（{name}）", "values": f"{name} = []"}, span)


def checklist_words(text: str, n: int) -> list:
    """The items of a checklist of ``n`` items given as one text, as words: 全部符合 / all is
    n × 是, n digits 1 and 0 are the items (``1011``), else the words between the first
    separator that occurs (``是、否、是``, ``是 否``), stripped, empty ones left out."""
    s = text.strip()
    if s in ALL_MET_WORDS:
        return ["是"] * n
    if len(s) == n and set(s) <= {"0", "1"}:
        return list(s)
    for sep in CHECKLIST_SEPARATORS:
        if sep in s:
            return [x.strip() for x in s.split(sep) if x.strip()]
    return [s]


def to_bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        v = value.strip()
        if v in TRUE_WORDS:
            return True
        if v in FALSE_WORDS:
            return False
    elif type(value).__module__ == "numpy":          # numpy's bool is not a bool
        return to_bool(_numpy_scalar(value))
    raise ValueError("not yes/no")


_KIND_TEXT = {
    "amount": ("金额", "an amount"), "count": ("整数计数", "a whole count"), "rate": ("比率", "a rate"),
    "score": ("分数", "a score"), "number": ("数值", "a number"), "boolean": ("是/否", "yes/no"),
    "grade": ("等级", "a grade"), "checklist": ("清单（每项 是/否）", "a checklist (yes/no per item)"),
    "rated": ("评定得分", "a pick (points)"),
    "date": ("日期，如 2024-04-10", "a date, e.g. 2024-04-10"), "list": ("列表（每项一组字段）", "a list of items"),
    "text": ("文本", "text"),
}


def _range_text(lo, lo_open, hi, hi_open):
    a = "-∞" if lo is None else _fmt(lo)
    b = "+∞" if hi is None else _fmt(hi)
    return f"{'(' if lo_open or lo is None else '['}{a}, {b}{')' if hi_open or hi is None else ']'}"


def validate(inputs, table, optional=()):
    """Raw mapping name -> value  ->  list of validated values in declaration order.

    ``table`` rows: (name, kind, unit, lo, lo_open, hi, hi_open, members, span); an input
    named in ``optional`` may be missing (its value is None: a conditional input, a
    pick, an input only overridden indicators read). Raises InputErrors listing every
    missing or bad value."""
    if not hasattr(inputs, "get"):
        raise InputErrors([EvaluationError("E0602", {"name": "*", "value": _show(inputs), "expected_zh": "键值映射",
                                                     "expected_en": "a mapping of names to values"}, None, None, inputs)])
    out = []
    errors = []
    for name, kind, unit, lo, lo_open, hi, hi_open, members, span in table:
        raw = inputs.get(name) if name in inputs else None
        if raw is None or (isinstance(raw, str) and raw == ""):    # no == on arbitrary objects (arrays)
            if name not in optional:
                errors.append(EvaluationError("E0601", {"name": name}, span, name, None))
            out.append(None)
            continue
        if kind == "cohort":         # a statistic of the units scored together, computed by the batch
            out.append(raw if type(raw) is _D else to_decimal(raw))
            continue
        zh, en = _KIND_TEXT[kind]
        if kind == "grade":
            v = raw.strip() if isinstance(raw, str) else raw
            if not isinstance(v, str) or v not in members:
                errors.append(_not_a(name, raw, f"{zh}（{'、'.join(members)}）", f"one of {', '.join(members)}", span))
                v = None
            out.append(v)
            continue
        if kind == "boolean":
            try:
                out.append(to_bool(raw))
            except ValueError:
                errors.append(_not_a(name, raw, zh, en, span))
                out.append(None)
            continue
        if kind == "date":
            try:
                v = _D(to_date(raw).toordinal())
            except (ValueError, OverflowError):
                errors.append(_not_a(name, raw, zh, en, span))
                out.append(None)
                continue
            if ((lo is not None and (v < lo or (lo_open and v == lo))) or
                    (hi is not None and (v > hi or (hi_open and v == hi)))):
                rng = _range_text(None if lo is None else _day(lo), lo_open, None if hi is None else _day(hi), hi_open)
                errors.append(EvaluationError("E0603", {"name": name, "value": _show(raw), "range": rng}, span, name, raw))
                out.append(None)
                continue
            out.append(v)
            continue
        if kind == "list":
            v = _list_value(name, raw, members, hi, span, errors)
            out.append(v)
            continue
        if kind == "text":
            out.append(raw if isinstance(raw, str) else _show(raw))
            continue
        if kind == "checklist":
            n = len(members)
            try:
                if isinstance(raw, str):                # one text, split as a CSV cell is
                    items = checklist_words(raw, n)
                elif isinstance(raw, (bytes, dict)) or not hasattr(raw, "__iter__"):
                    raise ValueError
                else:
                    items = raw
                # never read more than one item past the checklist's size (an endless iterable)
                vals = tuple(to_bool(x) for x in _islice(items, n + 1))
                if len(vals) != n:
                    raise ValueError
                out.append(vals)
            except ValueError:
                errors.append(_not_a(name, raw, f"{n}项的{zh}", f"{en} of {n} items", span))
                out.append(None)
            continue
        try:
            v = to_decimal(raw, kind, unit)
        except NumberError as e:
            if e.unit is not None:
                errors.append(EvaluationError("E0607", {"name": name, "unit": e.unit, "declared": unit or zh}, span, name, raw))
            else:
                errors.append(_not_a(name, raw, f"{zh}：{e.zh}", f"{en}: {e.en}", span))
            out.append(None)
            continue
        except ValueError:
            errors.append(_not_a(name, raw, zh, en, span))
            out.append(None)
            continue
        if kind == "count" and v != v.to_integral_value():
            errors.append(_not_a(name, raw, zh, en, span))
            out.append(None)
            continue
        if ((lo is not None and (v < lo or (lo_open and v == lo))) or
                (hi is not None and (v > hi or (hi_open and v == hi)))):
            if kind == "rate":          # a rate's range in percent: [0, 100%]
                rng = _range_text(None if lo is None else _fmt(lo * 100) + "%", lo_open,
                                  None if hi is None else _fmt(hi * 100) + "%", hi_open)
            else:
                rng = _range_text(lo, lo_open, hi, hi_open)
            errors.append(EvaluationError("E0603", {"name": name, "value": _show(raw), "range": rng}, span, name, raw))
            out.append(None)
            continue
        out.append(v)
    if errors:
        raise InputErrors(errors)
    return out


def _day(v):
    """A day number as ISO text (range messages of date inputs)."""
    return _datetime.date.fromordinal(int(v)).isoformat()


def _list_value(name, raw, fields, most, span, errors):
    """A list input's items -> a tuple of records ``(title, field values…)`` in the
    declared field order; every problem of every item appended to ``errors`` (E0613)."""
    if isinstance(raw, (str, bytes, dict)) or not hasattr(raw, "__iter__"):
        errors.append(_not_a(name, raw, _KIND_TEXT["list"][0], _KIND_TEXT["list"][1], span))
        return None
    limit = int(most) if most is not None else 100000
    items = list(raw) if isinstance(raw, (list, tuple)) and len(raw) <= 10 * limit else list(_islice(raw, limit + 1))
    if len(items) > limit:
        shown = f"{len(items)}项" if isinstance(raw, (list, tuple)) and len(raw) == len(items) else f"{limit}项以上"
        errors.append(_not_a(name, shown, f"最多{limit}项的列表", f"a list of at most {limit} items", span))
        return None
    names = [f[0] for f in fields]
    out, bad = [], False
    for n, item in enumerate(items, 1):
        if not hasattr(item, "get") or not hasattr(item, "items"):
            errors.append(EvaluationError("E0613", {"name": name, "n": n, "item": _show(item),
                                                    "reason_zh": "不是字段映射", "reason_en": " is not a mapping of fields"},
                                          span, name, item))
            bad = True
            continue
        title = next((item[k] for k in TITLE_KEYS if k in item and k not in names), None)
        if title is None:
            title = next((item[k] for k in TITLE_KEYS if k in names and k in item), None)
        title = f"第{n}项" if title is None or title == "" else (title if isinstance(title, str) else _show(title))

        def fail(zh, en, field=None, value=None):
            errors.append(EvaluationError("E0613", {"name": name, "n": n, "item": _show(title), "reason_zh": zh,
                                                    "reason_en": en}, span, name, value))
        for k in item:
            if k not in names and k not in TITLE_KEYS:
                fail(f"没有字段「{_show(k)}」（字段：{'、'.join(names)}）", f" has no field `{_show(k)}` (fields: {', '.join(names)})")
                bad = True
        given = {f[0]: item.get(f[0]) for f in fields}
        for f in fields:
            if f[1] == "text" and given[f[0]] in (None, ""):
                given[f[0]] = title if f[0] in TITLE_KEYS else ""
        try:
            values = validate(given, fields)
        except InputErrors as e:
            for err in e.errors:
                fail("：" + err.message_in("zh", what_zh="字段", what_en="field"),
                     ": " + err.message_in("en", what_zh="字段", what_en="field"), err.field, err.value)
            bad = True
            continue
        out.append((title, *values))
    return None if bad else tuple(out)


def _not_a(name, raw, expected_zh, expected_en, span):
    return EvaluationError("E0602", {"name": name, "value": _show(raw), "expected_zh": expected_zh,
                                     "expected_en": expected_en}, span, name, raw)


def no_tier(span, subject, value):
    raise EvaluationError("E0703", {"subject": subject, "value": _fmt(value)}, span, subject, value)


def no_grade(span, total):
    raise EvaluationError("E0702", {"value": _fmt(total)}, span, "总分", total)


def out_of_points(span, name, value, points):
    raise EvaluationError("E0704", {"name": name, "value": _fmt(value), "points": _fmt(points)}, span, name, value)


def arithmetic_error(span, name):
    """The error of an arithmetic failure while scoring ``name`` (called where it is caught):
    a date computed beyond the calendar (OverflowError), a division by zero (x/0 or 0/0),
    otherwise a value that needs more digits than exact arithmetic keeps (a quantize or
    an operation beyond the context: E0708, never reported as a division by zero)."""
    import sys
    exc = sys.exc_info()[1]
    if isinstance(exc, OverflowError):
        return EvaluationError("E0720", {"name": name}, span, name, None)
    signals = exc.args[0] if exc is not None and exc.args and isinstance(exc.args[0], list) else []
    if isinstance(exc, ZeroDivisionError) or any(isinstance(x, type) and issubclass(x, ZeroDivisionError)
                                                 for x in signals):
        return EvaluationError("E0701", {"name": name}, span, name, None)
    return EvaluationError("E0708", {"name": name}, span, name, None)


def round_step(x, step, rounding):
    """Round ``x`` to a multiple of ``step`` (0.5 -> 4.35 becomes 4.5 under half-up)."""
    return (x / step).quantize(ONE, rounding) * step


def nothing_applicable():
    raise EvaluationError("E0705", {}, None, "总分", None)


def rec(trace, event):
    """Append a trace event and give back its value (events are tuples, value last)."""
    trace.append(event)
    return event[-1]


# numbers and dates as given, and cohort statistics: their own files, inlined here by codegen.runtime_source
from .runtime_values import (  # noqa: E402,F401  jixiao: inline runtime_values.py
    MAX_EXPONENT, MAX_SIGNIFICANT, PERCENT_WORDS, PP_WORDS, NumberError, _PLAIN_NUMBER, _numpy_scalar, months_between,
    to_date, to_decimal)
from .runtime_cohort import Cohort, apply_quotas, cohort_values  # noqa: E402,F401  jixiao: inline runtime_cohort.py
