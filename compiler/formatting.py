"""``jixiao fmt`` on files: which files, read and written as they were encoded.

The layout is :func:`jixiao.dsl.fmt.format_text`'s; here are the file's conventions, which
it keeps: the newline of its first line break (``\\r\\n`` or ``\\n``) for every line, and a
UTF-8 byte-order mark if it had one. A rewrite is atomic (a temporary file beside it,
renamed into place) and keeps the file's permissions; a symbolic link is written through.
"""
from __future__ import annotations

import codecs
import difflib
import os
import stat
from pathlib import Path
from typing import Optional

import attrs

from ..dsl.diagnostics import JixiaoError
from ..dsl.fmt import format_text
from ..dsl.parser import read_source
from .files import atomic_write

@attrs.frozen
class Formatted:
    """One file: its text as it is and as formatted (each with the file's newlines, no
    byte-order mark), or the error that stopped it."""
    path: Path
    old: str = ""
    new: str = ""
    bom: bool = False
    error: Optional[JixiaoError] = None

    @property
    def changed(self) -> bool:
        return self.error is None and self.new != self.old

    def diff(self) -> str:
        """A unified diff from the file to its formatted text."""
        if not self.changed:
            return ""
        name = str(self.path)
        return "".join(difflib.unified_diff(self.old.splitlines(True), self.new.splitlines(True), name, name))

    def write(self) -> None:
        """Replace the file with its formatted text (atomically, keeping its permissions)."""
        target = os.path.realpath(self.path)
        mode = stat.S_IMODE(os.stat(target).st_mode)
        data = (codecs.BOM_UTF8 if self.bom else b"") + self.new.encode("utf-8")
        atomic_write(target, lambda tmp: Path(tmp).write_bytes(data), mode=mode)


def format_file(path) -> Formatted:
    """Format one file in memory (nothing is written)."""
    path = Path(path)
    try:
        name, text = read_source(path)
        raw = path.read_bytes()
        new = format_text(text, name)
    except JixiaoError as e:
        return Formatted(path, error=e)
    old = raw.decode("utf-8-sig")
    first = old.find("\n")
    newline = "\r\n" if first > 0 and old[first - 1] == "\r" else "\n"
    return Formatted(path, old, new.replace("\n", newline), raw.startswith(codecs.BOM_UTF8))
