"""The values of the SQL translation: exact fractions of SQL integers with their bounds
(Num), yes/no, enum and checklist values, not-applicable, a query's layers and plan, the
formatting of scores, refusals (E0801/E0802). See compile.py."""
from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction
from typing import Optional

import attrs

from ....dsl.diagnostics import JixiaoError, Label, make
from ....dsl.ir import fmt_decimal

from .dialects import Dialect


LIMIT = 10 ** 38

# the largest magnitude (integer digits) and the decimals the SQL path accepts for an
# input whose declared range leaves them open; other values take the Python path
DIGITS = {"amount": 12, "number": 12, "score": 6, "rate": 4, "count": 9}
DECIMALS = {"amount": 4, "number": 6, "score": 4, "rate": 6, "count": 0}
NUMERIC_KINDS = set(DIGITS)


class Unsupported(JixiaoError):
    """The rulebook cannot be translated to SQL (E0801 / E0802)."""


def _refuse(span, what_zh: str, what_en: str):
    labels = [Label(span, "")] if span is not None else []
    raise Unsupported([make("E0801", labels, what_zh=what_zh, what_en=what_en)])


def _text(e) -> str:
    sp = getattr(e, "span", None)
    try:
        return " ".join(sp.text().split()) if sp is not None else "?"
    except Exception:
        return "?"


@attrs.define
class Num:
    """n / (dc × ds): n an SQL integer in [lo, hi]; dc a constant > 0; ds None or an SQL
    integer in [1, dmax]. ``c``: the value when it is a constant; ``na``: an SQL
    condition under which the value is 不适用 (None: never)."""
    n: str
    lo: int
    hi: int
    dc: int = 1
    ds: Optional[str] = None
    dmax: int = 1
    c: Optional[Fraction] = None
    na: Optional[str] = None

    @property
    def top(self) -> int:
        return max(abs(self.lo), abs(self.hi))

    @property
    def dtop(self) -> int:
        return self.dc * self.dmax

    def den(self, d: Dialect) -> str:
        if self.ds is None:
            return d.int(self.dc)
        return self.ds if self.dc == 1 else f"({d.int(self.dc)} * {d.wide(self.ds, self.dtop)})"


@attrs.define
class Bool:
    sql: str
    na: Optional[str] = None


@attrs.define
class Enum:
    sql: str


@attrs.define
class Check:
    items: list
    weights: tuple = ()


@attrs.define
class NAv:
    pass


def _const_frac(v: Decimal) -> Fraction:
    return Fraction(v)


@attrs.define
class Layer:
    columns: list = attrs.field(factory=list)      # (alias, sql)


@attrs.define
class SqlPlan:
    program: object
    dialect: Dialect
    layers: list                 # Layer, in order; the first reads the source
    scale: int                   # scores are integers × 10^-scale
    ok: str                      # the row scores in SQL (over the last layer)
    scores: list                 # per indicator (index order): SQL integer at ``scale``
    na: list                     # per indicator: SQL boolean
    total: str                   # SQL integer at ``total_scale``
    total_scale: int
    grade: str                   # SQL text
    grade_index: str             # SQL integer: the grade's place in the bands
    input_scales: dict           # input name -> decimals accepted
    score_bounds: list = attrs.field(factory=list)   # (lo, hi) of each score integer
    total_bounds: tuple = (None, None)
    extra: list = attrs.field(factory=list)   # (header, SQL text) after 等级: a cohort's statistics, 名额
    # a cohort plan (plan(..., cohort=True)): the SQL boolean (over the last layer, the same on
    # every row) that the table was read whole — false: a cell not read, score it all in Python
    table_ok: Optional[str] = None
    magnitude: int = 0           # the largest bound of an intermediate integer (< 10^38)

    def fmt(self, x: str, scale: int, bounds=(None, None)) -> str:
        return fmt_sql(self.dialect, x, scale, bounds)

    def formatted(self) -> list:
        """(header, SQL text) of every result column: the indicators, 总分, 等级."""
        from ...data.results import indicator_headers_of
        heads = indicator_headers_of(self.program)
        out = [(h, self.fmt(s, self.scale, b)) for h, s, b in zip(heads, self.scores, self.score_bounds)]
        out.append(("总分", self.fmt(self.total, self.total_scale, self.total_bounds)))
        out.append(("等级", self.grade))
        return out + list(self.extra)

    def query(self, source: str, passthrough: list, final: list) -> str:
        """The whole query: ``source`` (a FROM item), ``passthrough`` (alias, SQL over the
        source) kept through the layers, ``final`` (alias, SQL over the last layer)."""
        d = self.dialect
        parts = []
        prev = None
        layers = self.layers if d.lateral_alias else [x for layer in self.layers for x in _unlateral(layer)]
        for k, layer in enumerate(layers):
            name = f"_jx{k}"
            if k == 0:
                cols = [f"{sql} AS {a}" for a, sql in passthrough] + [f"{sql} AS {a}" for a, sql in layer.columns]
                body = f"SELECT {', '.join(cols)}\n  FROM {source}"
            else:
                cols = ["*"] + [f"{sql} AS {a}" for a, sql in layer.columns]
                body = f"SELECT {(',' + chr(10) + '         ').join(cols)}\n  FROM {prev}"
            parts.append(f"{name} AS (\n  {body}{d.fence}\n)")
            prev = name
        sel = ",\n       ".join(f"{sql} AS {d.ident(a) if not a.startswith('_') else a}" for a, sql in final)
        return "WITH " + ",\n".join(parts) + f"\nSELECT {sel}\nFROM {prev}"


def _unlateral(layer: Layer) -> list:
    """A layer as layers in which no column reads an alias of its own layer (PostgreSQL
    has no lateral column aliases: ``SELECT x AS _s1, _s1 >= 0 AS _h1`` does not bind)."""
    out, names = [Layer()], set()
    for alias, sql in layer.columns:
        if names and any(n in names for n in re.findall(r"\b_[A-Za-z0-9_]+\b", sql)):
            out.append(Layer())
            names = set()
        out[-1].columns.append((alias, sql))
        names.add(alias)
    return out


LOOKUP_MAX = 20001
# a non-negative value of a wider range than this, with at most 2 decimals: its integer part
# as text and its decimals looked up (a list literal is made again for every chunk of rows,
# and planned: 10,001 texts cost 8× 1,001 to look up, and 40,000 0.2 s to plan)
SPLIT_MIN = 3000


def fmt_sql(d: Dialect, x: str, scale: int, bounds=(None, None)) -> str:
    """SQL text of the integer ``x`` × 10^-scale as ``fmt_decimal`` writes it: no exponent,
    no trailing zeros, no trailing point (3, 0.5, -1.25). In DuckDB a value known to lie in
    a range of at most LOOKUP_MAX integers is looked up in a list of the texts (a score
    takes few values: ~20× faster than formatting it)."""
    lo, hi = bounds
    if scale == 0:
        return d.to_text(x)
    if d.name == "duckdb" and lo is not None and lo >= 0 and scale <= 2 and SPLIT_MIN <= hi - lo and hi < 2 ** 62:
        p = 10 ** scale
        tails = ", ".join("'" + fmt_decimal(Decimal(k).scaleb(-scale))[1:] + "'" for k in range(p))
        return (f"(CAST(CAST({x} AS BIGINT) // {p} AS VARCHAR) || "
                f"list_extract([{tails}], CAST(CAST({x} AS BIGINT) % {p} AS INTEGER) + 1))")
    if d.name == "duckdb" and lo is not None and hi - lo < LOOKUP_MAX:
        texts = ", ".join("'" + fmt_decimal(Decimal(k).scaleb(-scale)) + "'" for k in range(lo, hi + 1))
        return f"list_extract([{texts}], CAST({x} AS INTEGER) - ({lo - 1}))"
    if d.name == "duckdb" and lo is not None and max(abs(lo), abs(hi)) < 2 ** 62:
        x = f"CAST({x} AS BIGINT)"
    p = d.int(10 ** scale) if not x.startswith("CAST(") or "BIGINT" not in x else str(10 ** scale)
    a = f"abs({x})"
    frac = f"TRIM(TRAILING '0' FROM lpad({d.to_text(d.mod(a, p))}, {scale}, '0'))"
    return (f"(CASE WHEN {x} < 0 THEN '-' ELSE '' END || {d.to_text(d.tdiv(a, p))} || "
            f"CASE WHEN {d.mod(a, p)} = 0 THEN '' ELSE '.' || {frac} END)")


def _digits_after_point(v: Decimal) -> int:
    v = v.normalize()
    return max(0, -v.as_tuple().exponent)


def _scale_of(step: Decimal) -> tuple[int, int]:
    """A step (0.01, 0.5, 0.25, 10) as (scale, st): step = st × 10^-scale."""
    s = _digits_after_point(step)
    st = int(step * (10 ** s))
    return s, st


def _round_frac(x: Fraction, mode: str) -> int:
    fl = math.floor(x)
    r = x - fl
    if mode == "down":
        return int(fl) if x >= 0 else -math.floor(-x)
    if mode == "up":
        return math.ceil(x) if x >= 0 else -math.ceil(-x)
    if mode == "half_up":
        return math.floor(x + Fraction(1, 2)) if x >= 0 else -math.floor(-x + Fraction(1, 2))
    if r > Fraction(1, 2):
        return fl + 1
    if r < Fraction(1, 2):
        return fl
    return fl + (fl % 2)


_RE_SPECIAL = set("\\.^$|?*+()[]{}-/")


def _re_escape(s: str) -> str:
    return "".join("\\" + c if c in _RE_SPECIAL else c for c in s)


def _comment(text: str) -> str:
    """Rulebook text inside an SQL comment: on one line."""
    return " ".join(str(text).split())
