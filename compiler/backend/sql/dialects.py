"""The SQL dialects the SQL backend writes: DuckDB, PostgreSQL, Spark SQL.

Every value of a rulebook is an exact integer in SQL (``HUGEINT`` in DuckDB, ``NUMERIC``
in PostgreSQL, ``DECIMAL(38,0)`` in Spark); a dialect says how to write such a literal,
a truncating integer division, a remainder, a regular-expression test, a string literal
and a quoted name. Rulebook text reaches SQL only through :meth:`Dialect.string` and
:meth:`Dialect.ident`, which escape it.
"""
from __future__ import annotations


class Dialect:
    name = "duckdb"
    int_type = "HUGEINT"
    text_type = "VARCHAR"
    digits = None          # the integer digits accepted per kind where a range is open (None: values.DIGITS)
    lateral_alias = True   # a column may read an alias given earlier in the same SELECT
    fence = ""             # ends each layer's SELECT
    quotient_limit = None  # tdiv's quotients are exact below this (None: every integer under 10^38)

    def int(self, k: int) -> str:
        """An integer literal of the exact integer type."""
        return f"CAST({k} AS {self.int_type})"

    def wide(self, x: str, top: int) -> str:
        """``x`` as an operand of an operation whose result may reach ``top`` in magnitude:
        as it is, but in a dialect of 64-bit integers widened when ``top`` may not fit."""
        return x

    def tdiv(self, a: str, b: str) -> str:
        """a ÷ b truncated towards zero, for integers (b ≠ 0)."""
        return f"({a} // {b})"

    def mod(self, a: str, b: str) -> str:
        """The remainder of the truncating division (the sign of ``a``)."""
        return f"({a} % {b})"

    def full_match(self, s: str, pattern: str) -> str:
        return f"regexp_full_match({s}, {self.string(pattern)})"

    def string(self, text: str) -> str:
        return "'" + text.replace("'", "''") + "'"

    def ident(self, name: str) -> str:
        return '"' + name.replace('"', '""') + '"'

    def to_int(self, digits: str) -> str:
        """Text of decimal digits (with a leading ``-`` perhaps) as the exact integer type."""
        return f"CAST({digits} AS {self.int_type})"

    def to_text(self, x: str) -> str:
        return f"CAST({x} AS {self.text_type})"

    def scaled(self, text: str, S: int, I: int) -> str:
        """Plain decimal text with at most I integer digits and S decimals (checked by the
        caller) as the exact integer value × 10^S."""
        # DuckDB multiplies a DECIMAL(w, S) by 10^S within its width (64 bits for w ≤ 18, 128
        # for 38; an overflow is an error): the product's I + 2S digits must fit. Beyond 38,
        # the digits without the point, the decimals padded to S (-0.5 -> "-0" "5000")
        if I + 2 * S <= 18:
            return f"CAST(CAST(CAST({text} AS DECIMAL(18,{S})) * {10 ** S} AS BIGINT) AS {self.int_type})"
        if I + 2 * S <= 38:
            return f"CAST(CAST({text} AS DECIMAL(38,{S})) * {10 ** S} AS {self.int_type})"
        return (f"CAST(split_part({text}, '.', 1) || rpad(split_part({text}, '.', 2), {S}, '0') "
                f"AS {self.int_type})")

    def contains(self, text: str, part: str) -> str:
        return f"contains({text}, {part})"

    def byte_length(self, text: str) -> str:
        """The length of ``text`` in bytes (of UTF-8)."""
        return f"strlen({text})"

    def strip_percent(self, text: str) -> str:
        """The text of a number with its final % taken off (the caller checked the form)."""
        return f"replace({text}, '%', '')"

    def split(self, text: str, sep: str) -> str:
        """The parts of ``text`` between occurrences of ``sep`` (a list)."""
        return f"string_split({text}, {sep})"

    def length(self, parts: str) -> str:
        return f"len({parts})"

    def item(self, parts: str, k: int) -> str:
        """The k-th part (1-based), NULL past the end."""
        return f"list_extract({parts}, {k})"

    def day_number(self, text: str) -> str:
        """An ISO date's day number (0001-01-01 is 1), NULL for no such date."""
        return f"CAST(date_diff('day', DATE '0001-01-01', TRY_CAST({text} AS DATE)) + 1 AS {self.int_type})"


class Postgres(Dialect):
    name = "postgres"
    int_type = "NUMERIC"
    text_type = "TEXT"
    lateral_alias = False
    # OFFSET 0 keeps the planner from pulling a layer up into the next: pulled up, every
    # alias a layer reads is replaced by its expression, and the expressions grow with
    # the depth of the query (the 33-indicator rulebook's ran out of memory)
    fence = " OFFSET 0"

    def byte_length(self, text):
        return f"octet_length({text})"

    def tdiv(self, a, b):
        return f"div({a}, {b})"

    def mod(self, a, b):
        return f"mod({a}, {b})"

    def full_match(self, s, pattern):
        return f"({s} ~ {self.string('^(?:' + pattern + ')$')})"

    def scaled(self, text, S, I):
        # the integer cast to scale 0: a NUMERIC keeps its scale (2.05 × 10^4 is 20500.0000,
        # whose remainders then print as 500.0000)
        return f"CAST(CAST({text} AS NUMERIC({I + S},{S})) * {10 ** S} AS NUMERIC({I + S},0))"

    def contains(self, text, part):
        return f"(strpos({text}, {part}) > 0)"

    def split(self, text, sep):
        return f"string_to_array({text}, {sep})"

    def length(self, parts):
        return f"cardinality({parts})"

    def item(self, parts, k):
        return f"({parts})[{k}]"

    def day_number(self, text):
        # CAST fails the whole query on a day the calendar has not (2024-02-30, 0000-01-01):
        # the text (YYYY-MM-DD, checked by the caller) is cast only where it is one
        y, m, dd = (f"CAST(substr({text}, {a}, {n}) AS INTEGER)" for a, n in ((1, 4), (6, 2), (9, 2)))
        last = (f"(CASE WHEN {m} IN (4, 6, 9, 11) THEN 30 WHEN {m} <> 2 THEN 31 "
                f"WHEN mod({y}, 4) = 0 AND (mod({y}, 100) <> 0 OR mod({y}, 400) = 0) THEN 29 ELSE 28 END)")
        return (f"(CASE WHEN {y} >= 1 AND {m} BETWEEN 1 AND 12 AND {dd} BETWEEN 1 AND {last} "
                f"THEN CAST((CAST({text} AS DATE) - DATE '0001-01-01') + 1 AS {self.int_type}) END)")


class Spark(Dialect):
    name = "spark"
    int_type = "DECIMAL(38,0)"
    text_type = "STRING"
    quotient_limit = 10 ** 32     # a DECIMAL(38,0) ÷ DECIMAL(38,0) is a DECIMAL(38,6): past 10^32 it overflows


    def byte_length(self, text):
        return f"octet_length({text})"

    def tdiv(self, a, b):
        # Spark's DIV gives a 64-bit integer and its decimal division keeps 6 digits of
        # scale: the exact quotient is (a − a mod b) ÷ b, an integer, cast back
        return f"CAST((({a}) - ({a}) % ({b})) / ({b}) AS {self.int_type})"

    def full_match(self, s, pattern):
        return f"({s} RLIKE {self.string('^(?:' + pattern + ')$')})"

    def scaled(self, text, S, I):
        return f"CAST(CAST({text} AS DECIMAL({I + S},{S})) * {10 ** S} AS {self.int_type})"

    def contains(self, text, part):
        return f"(instr({text}, {part}) > 0)"

    def split(self, text, sep):
        # Spark's split takes a regular expression: the separator quoted
        return f"split({text}, concat('\\\\Q', {sep}, '\\\\E'))"

    def length(self, parts):
        return f"size({parts})"

    def item(self, parts, k):
        return f"try_element_at({parts}, {k})"

    def day_number(self, text):
        return f"CAST(datediff(CAST({text} AS DATE), DATE '0001-01-01') + 1 AS {self.int_type})"

    def string(self, text):
        return "'" + text.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def ident(self, name):
        return "`" + name.replace("`", "``") + "`"


DIALECTS = {"duckdb": Dialect(), "postgres": Postgres(), "spark": Spark()}


class DuckDBBigint(Dialect):
    """DuckDB with 64-bit integers (about a fifth faster than HUGEINT): inputs and literals
    in BIGINT, an operation whose result may pass 2^62 on HUGEINT operands (``wide``).
    The DuckDB engine's choice; DuckDB raises an error on any BIGINT overflow, so a bound
    got wrong costs a rerun in HUGEINT, never a wrong score."""
    int_type = "BIGINT"
    # amounts and numbers of up to 10 integer digits (10^10 元; 4 decimals: 10^14 as an integer,
    # a ratio's cross-product with a 4-decimal rate under 10^18): larger ones take the Python path
    digits = {"amount": 10, "number": 10, "score": 6, "rate": 4, "count": 9}

    def int(self, k: int) -> str:
        return f"CAST({k} AS {'BIGINT' if abs(k) < 2 ** 62 else 'HUGEINT'})"

    def wide(self, x: str, top: int) -> str:
        return x if top < 2 ** 62 else f"CAST({x} AS HUGEINT)"


DUCKDB_BIGINT = DuckDBBigint()
