"""The words 评分标准 is built from: operators and functions as tables print them, a
number with its unit (80%, 3个百分点, 410万元), points (5, 0.5)."""
from __future__ import annotations

from decimal import Decimal
from typing import Optional

from ...dsl.builtins import DISPLAY_ZH
from ...dsl.ir import fmt_decimal
from .printer import CMP

_SYM = CMP
_ARITH = {"+": "+", "-": "-", "*": "×", "/": "/"}
_FUNC = DISPLAY_ZH


def _num_text(v: Decimal, unit: Optional[str]) -> str:
    if unit == "%":
        return f"{fmt_decimal(v * 100)}%"
    if unit == "pp":
        return f"{fmt_decimal(v * 100)}个百分点"
    return fmt_decimal(v) + (unit if unit and unit not in ("分",) else "")


def points_text(v: Decimal) -> str:
    """Points as printed: ``5``, ``0.5``."""
    return fmt_decimal(v)
