"""The one adapter between the editors and the formatter (``jixiao fmt``).

The language server's formatting request and the web editor's save call
:func:`format_source`; it calls the formatter of ``jixiao.dsl.fmt`` where that module
is installed, and otherwise reports that there is none (the text is left as it is).
Tests swap the formatter with :func:`use`.
"""
from __future__ import annotations

from typing import Callable, Optional

Formatter = Callable[[str, str], str]      # (text, file name) -> formatted text
_override: Optional[Formatter] = None


def use(formatter: Optional[Formatter]) -> None:
    """Format with ``formatter`` from now on (None: back to jixiao's own)."""
    global _override
    _override = formatter


def formatter() -> Optional[Formatter]:
    """The formatter in use, or None where jixiao has none installed."""
    if _override is not None:
        return _override
    try:
        from ...dsl.fmt import format_text
    except ImportError:
        return None
    return lambda text, name: format_text(text, name)


def format_source(text: str, name: str) -> Optional[str]:
    """``text`` in the canonical layout, or None when no formatter is installed. A text
    that does not parse raises JixiaoError (the formatter never guesses)."""
    f = formatter()
    return None if f is None else f(text, name)
