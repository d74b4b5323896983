"""Source text and spans.

A :class:`Span` is a half-open range of ``str`` offsets into one :class:`SourceFile`.
Lines and columns are 1-based; a column counts characters, and carets are laid out
by display width (CJK characters are two cells wide).
"""
from __future__ import annotations

import bisect
import unicodedata

import attrs


@attrs.frozen
class SourceFile:
    """One text file (rulebook or case) as it was read."""

    name: str
    text: str
    line_starts: tuple[int, ...] = attrs.field(eq=False, repr=False)

    @classmethod
    def from_text(cls, name: str, text: str) -> "SourceFile":
        starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                starts.append(i + 1)
        return cls(name, text, tuple(starts))

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of a str offset."""
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self.line_starts, offset) - 1
        return line + 1, offset - self.line_starts[line] + 1

    def line_text(self, line: int) -> str:
        start = self.line_starts[line - 1]
        end = self.line_starts[line] - 1 if line < len(self.line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r")


@attrs.frozen
class Span:
    """Half-open [start, end) str offsets into ``file``."""

    file: SourceFile = attrs.field(repr=False)
    start: int
    end: int

    @property
    def line(self) -> int:
        return self.file.line_col(self.start)[0]

    @property
    def column(self) -> int:
        return self.file.line_col(self.start)[1]

    @property
    def end_line_col(self) -> tuple[int, int]:
        return self.file.line_col(max(self.start, self.end))

    def text(self) -> str:
        return self.file.text[self.start:self.end]

    def to(self, other: "Span") -> "Span":
        return Span(self.file, min(self.start, other.start), max(self.end, other.end))


def display_width(text: str) -> int:
    """Terminal cells taken by ``text`` (wide and full-width characters count 2)."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width
