"""Runtime support: numbers and dates as people and files give them — the one number
grammar of every source (docs/data-files.md): digits with thousands separators in groups
of three, % and 个百分点 for rates, money units converted, full-width forms normalised, no
exponent, at most 28 significant digits — and dates, month arithmetic.

Like runtime.py it uses only the standard library: ``codegen.runtime_source`` inlines it
into standalone modules where runtime.py imports it (the marked line at its end); the
runtime's names it reads come through the import below, inlined they are the module's own.
"""
from .runtime import MAX_NUMBER_CHARS, MONEY_UNITS, _Context, _D, _calendar, _datetime, _localcontext, _re, _unicodedata  # jixiao: inlined-with-runtime


MAX_EXPONENT = 60    # no admissible figure is larger than 1e60 or finer than 1e-60
# A value is exact to 28 significant digits (the decimal module's default, and what every
# path — fast, traced, the reference interpreter — computes with to the last digit); a
# value with more is refused, never cut (docs/data-files.md).
MAX_SIGNIFICANT = 28


class NumberError(ValueError):
    """A value that is no number of the kind asked for: why, in both languages
    (``zh``, ``en``); ``unit`` when the number is fine but its unit is not the input's."""

    def __init__(self, zh, en, unit=None):
        super().__init__(en)
        self.zh, self.en, self.unit = zh, en, unit


# The one grammar of a number written as text, in a case file (.jxc), a data file (CSV,
# XLSX text cells, JSON strings), the Python API and DataFrames, after Unicode NFKC
# (full-width ０-９ ．，％＋－ become ASCII): an optional sign, digits (or digits in
# groups of three separated by commas: 2,406.98), an optional fraction, an optional
# unit. No exponent (1e3), no underscores (1_0), no bare point (.5, 5.).
_NUMBER_TEXT = _re.compile(r"([+-]?)([0-9]{1,3}(?:,[0-9]{3})+|[0-9]+)(?:\.([0-9]+))?\s*(.*)", _re.S)
_PLAIN_NUMBER = _re.compile(r"-?[0-9]+(?:\.[0-9]+)?")      # the common case, taken as it is
PERCENT_WORDS = ("%",)
PP_WORDS = ("个百分点", "百分点", "pp")
_HUNDREDTH = _D("0.01")


def _significant(sign_digits):
    """How many significant digits a coefficient's digit text has (leading and trailing zeros not counted)."""
    return len(sign_digits.strip("0"))


def _check_size(d):
    if not d.is_finite():
        raise NumberError("不是有限的数", "not a finite number")
    digits = "".join(map(str, d.as_tuple().digits))
    if _significant(digits) > MAX_SIGNIFICANT:
        raise NumberError(f"超过 {MAX_SIGNIFICANT} 位有效数字（无法精确计算）",
                          f"more than {MAX_SIGNIFICANT} significant digits (not exact)")
    if d and abs(d.adjusted()) > MAX_EXPONENT:
        raise NumberError(f"数量级超出 1e±{MAX_EXPONENT}", f"beyond 1e±{MAX_EXPONENT}")
    return d


def to_decimal(value, kind=None, unit=None):
    """A number as people write it -> an exact Decimal, by one grammar for every source
    (see ``_NUMBER_TEXT``): 89, "2,406.98", "96.3%" or "0.5个百分点" for a rate, "410万元"
    or "72890元" for an amount in 万元 (converted exactly), "89人" for a count of 人, "3分"
    for a score. ``kind`` and ``unit`` are the input's declared kind and unit (None: a
    plain number, as a score or points are given). Never via float arithmetic: a float
    is taken by its shortest repr (0.1 -> Decimal('0.1')). Raises NumberError (a
    ValueError) saying why."""
    if isinstance(value, bool):
        raise NumberError("是/否不是数", "yes/no is not a number")
    if isinstance(value, _D):
        return _check_size(value)
    if isinstance(value, int):
        if value.bit_length() > 200:
            raise NumberError(f"数量级超出 1e±{MAX_EXPONENT}", f"beyond 1e±{MAX_EXPONENT}")
        return _check_size(_D(value))
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            raise NumberError("不是有限的数", "not a finite number")
        return _check_size(_D(float.__repr__(value)))      # a float subclass's repr may be decorated
    if isinstance(value, str):
        if len(value) <= MAX_SIGNIFICANT and _PLAIN_NUMBER.fullmatch(value):
            return _D(value)                    # the common case: a plain number
        return _number_text(value, kind, unit)
    if type(value).__module__ == "numpy":            # numpy's int64, bool (float64 is a float)
        return to_decimal(_numpy_scalar(value), kind, unit)
    raise NumberError("不是数", "not a number")


def _number_text(value, kind, unit):
    if len(value) > 4 * MAX_NUMBER_CHARS:
        raise NumberError("文字过长，不是数", "too long to be a number")
    s = _unicodedata.normalize("NFKC", value).replace("\u2212", "-").strip()
    m = _NUMBER_TEXT.fullmatch(s)
    if not m:
        if _re.match(r"[+-]?[0-9]*,", s) or "," in s.split(".")[0]:
            raise NumberError("千分位分隔符须每三位一组（2,406.98）", "thousands separators come in groups of three (2,406.98)")
        if _re.match(r"[+-]?\.[0-9]", s) or _re.match(r"[+-]?[0-9]+\.(\D|$)", s):
            raise NumberError("小数点两边都须有数字（0.5）", "a decimal point needs digits on both sides (0.5)")
        raise NumberError("不是数", "not a number")
    sign, whole, frac, rest = m.groups()
    rest = rest.strip()
    if rest[:1] in ("e", "E") and _re.match(r"[eE][+-]?[0-9]", rest):
        raise NumberError("不接受科学计数法，请写出全部数字（1e3 写作 1000）",
                          "exponent notation is not accepted: write the digits out (1000 for 1e3)")
    if rest[:1] == ",":
        raise NumberError("千分位分隔符须每三位一组（2,406.98）", "thousands separators come in groups of three (2,406.98)")
    if rest[:1] == ".":
        raise NumberError("小数点两边都须有数字（0.5）", "a decimal point needs digits on both sides (0.5)")
    if rest[:1].isdigit() or rest[:1] == "_":
        raise NumberError("不是数", "not a number")
    digits = whole.replace(",", "") + (frac or "")
    if _significant(digits.lstrip("0")) > MAX_SIGNIFICANT:
        raise NumberError(f"超过 {MAX_SIGNIFICANT} 位有效数字（无法精确计算）",
                          f"more than {MAX_SIGNIFICANT} significant digits (not exact)")
    d = _D(sign + whole.replace(",", "") + ("." + frac if frac else ""))
    if rest:
        d = _with_text_unit(d, rest, kind, unit)
    return _check_size(d)


def _with_text_unit(d, u, kind, unit):
    """A number written with a unit, for an input of ``kind`` declared in ``unit``."""
    if kind == "cohort":        # a cohort statistic given as a value: read as what it measures
        kind = "rate" if unit == "%" else "amount" if unit in MONEY_UNITS else "count" if unit else "number"
    if u in PERCENT_WORDS or u in PP_WORDS:
        # a rate (and a plain 数值, which has no unit to clash with) may be written in
        # percent; percentage points only for a rate: never an amount, count or score
        if kind == "rate" or (kind == "number" and u in PERCENT_WORDS):
            return d * _HUNDREDTH
        shown = "%" if u in PERCENT_WORDS else u
        raise NumberError(f"只有比率可写{shown}", f"only a rate is written with {shown}", unit=shown)
    if u in MONEY_UNITS:
        if kind == "amount" and unit in MONEY_UNITS:
            factor = MONEY_UNITS[u] / MONEY_UNITS[unit]
            with _localcontext(_Context(prec=120)):
                return d * factor
        raise NumberError(f"单位{u}只用于金额", f"{u} is the unit of an amount", unit=u)
    if (u == unit and kind in ("amount", "count")) or (u == "分" and kind in (None, "score", "rated")):
        return d
    if len(u) <= 4 and not _re.search(r"[0-9.,+\-]", u):
        raise NumberError(f"单位{u}与声明不符", f"the unit {u} is not the declared one", unit=u)
    raise NumberError("不是数", "not a number")


def _numpy_scalar(value):
    """A numpy scalar as the Python value it holds (numpy's bool, int64 …); a float32,
    float16 or longdouble as its own shortest text ("96.31", not the 96.30999755859375 that
    widening it to a float would give); anything else numpy (an array) is refused."""
    item = getattr(value, "item", None)
    if getattr(value, "ndim", 1) != 0 or not callable(item):
        raise ValueError("not a scalar")
    if getattr(getattr(value, "dtype", None), "kind", "") == "f":
        return str(value)
    return item()


_DATE_TEXT = _re.compile(r"\s*(\d{4})\s*(?:[-/.－]\s*(\d{1,2})\s*[-/.－]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日)"
                         r"(?:[ T]0{1,2}:00(?::00(?:\.0+)?)?)?\s*")


def to_date(value):
    """A date as people and spreadsheets give it -> ``datetime.date``: a date (or a
    datetime at midnight, as an Excel date cell reads), or text 2024-04-10, 2024/4/10,
    2024.4.10, 2024年4月10日 (full-width digits too). Numbers are refused: a bare
    number is no date. Raises ValueError."""
    if isinstance(value, _datetime.datetime):
        if (value.hour, value.minute, value.second, value.microsecond) != (0, 0, 0, 0):
            raise ValueError("a time of day")
        return value.date()
    if isinstance(value, _datetime.date):
        return value
    if isinstance(value, str) and len(value) <= 40:
        m = _DATE_TEXT.fullmatch(_unicodedata.normalize("NFKC", value))
        if m:
            y, mo, d = (m.group(1), m.group(2) or m.group(4), m.group(3) or m.group(5))
            return _datetime.date(int(y), int(mo), int(d))     # ValueError for 2024-02-30
    if type(value).__module__ == "numpy":            # numpy.datetime64
        text = str(value)
        if len(text) >= 10:
            return to_date(text[:10] if text[10:].strip("T0:.") == "" else text)
    raise ValueError("not a date")


def _last_day(y, m):
    return _calendar.monthrange(y, m)[1]


def months_between(a, b):
    """Whole months from day number ``a`` to day number ``b`` (相差月数): from 1月31日, a
    month is complete on the same day of a later month, or on its last day when the month
    is shorter (2月29日); a partial month does not count; negative when ``b`` is earlier
    (−相差月数(b, a))."""
    if b < a:
        return -months_between(b, a)
    try:
        x, y = _datetime.date.fromordinal(int(a)), _datetime.date.fromordinal(int(b))
    except (ValueError, OverflowError):
        raise OverflowError("a date outside 0001-01-01 to 9999-12-31") from None
    m = (y.year - x.year) * 12 + (y.month - x.month)
    if y.day < x.day and y.day != _last_day(y.year, y.month):
        m -= 1
    return _D(m)
