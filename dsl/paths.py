"""Paths a hostile file may name, checked before they are used (docs/security.md).

- :func:`path_problem` — a name no system call should see: a NUL or other control
  character, a part longer than 255 bytes, a whole longer than 4,096 (the name is
  refused with a diagnostic instead of a ``ValueError`` or ``Errno 36`` traceback).
- :func:`open_regular` — the one way jixiao opens the files it reads (rulebooks,
  libraries, cases, suites): opened without blocking, and refused unless it is a regular
  file, so a FIFO, a device or a socket can never hang or flood a check.
- :func:`project_root`, :func:`inside` — where a file named by another may lie: imports
  (``引用``) in the importer's folder tree or the standard library, a suite's ``规则集``
  and ``基于`` in the suite's project, symlinks followed before the test.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path
from typing import Optional

NAME_MAX = 255      # bytes in one part of a path (Linux, macOS, Windows: 255 units)
PATH_MAX = 4096
# what marks the top of a project: a suite's 规则集 and 基于 may climb (..) up to it, no further
PROJECT_MARKERS = (".git", "pyproject.toml", "jixiao.toml", ".hg")


def path_problem(path) -> Optional[tuple[str, str]]:
    """Why ``path`` cannot name a file, as (中文, English), or None."""
    text = os.fspath(path)
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if "\x00" in text:
        return "文件名中有空字符（\\0）", "the name holds a NUL character"
    if any(ord(c) < 0x20 or c == "\x7f" for c in text):
        return "文件名中有控制字符", "the name holds a control character"
    if any(0xD800 <= ord(c) <= 0xDFFF for c in text) and not _fs_encodable(text):
        return "文件名不是有效的 Unicode 文本", "the name is not valid Unicode text"
    if len(text.encode("utf-8", "surrogateescape")) > PATH_MAX:
        return f"路径超过 {PATH_MAX} 字节", f"the path is longer than {PATH_MAX} bytes"
    for part in text.replace("\\", "/").split("/"):
        if len(part.encode("utf-8", "surrogateescape")) > NAME_MAX:
            return f"文件名超过 {NAME_MAX} 字节", f"a name in the path is longer than {NAME_MAX} bytes"
    return None


def _fs_encodable(text: str) -> bool:
    try:
        os.fsencode(text)
        return True
    except UnicodeError:
        return False


class NotRegular(OSError):
    """A FIFO, device, socket or folder where a file was expected."""


def open_regular(path, limit: int) -> bytes:
    """The first ``limit`` bytes of the regular file ``path`` (at most; the caller tells a
    longer file by asking one byte more). Raises OSError (NotRegular for a FIFO, a device, a
    socket or a folder) or ValueError for a name no system call takes."""
    problem = path_problem(path)
    if problem is not None:
        raise NotRegular(0, problem[1], os.fspath(path))
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)        # non-blocking: a FIFO with no writer does not wait
    try:
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            raise IsADirectoryError(21, "Is a directory", os.fspath(path))
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(0, "not a regular file (a pipe, device or socket)", os.fspath(path))
        chunks, left = [], limit
        while left > 0:
            b = os.read(fd, min(left, 1 << 20))
            if not b:
                break
            chunks.append(b)
            left -= len(b)
        return b"".join(chunks)
    finally:
        os.close(fd)


def is_regular(path) -> bool:
    """Is ``path`` (symlinks followed) a regular file? False for a bad name too."""
    try:
        return path_problem(path) is None and stat.S_ISREG(os.stat(path).st_mode)
    except (OSError, ValueError):
        return False


def real(path) -> Path:
    return Path(os.path.realpath(path))


def inside(path, root) -> bool:
    """Does ``path``, every symlink followed, lie in the folder ``root`` (itself resolved)?"""
    try:
        p, r = real(path), real(root)
    except (OSError, ValueError):
        return False
    return p == r or r in p.parents


def project_root(start) -> Path:
    """The folder at the top of the project holding ``start`` (a file): the nearest folder
    above it with a .git, pyproject.toml, jixiao.toml or .hg; the file's own folder when
    there is none."""
    here = real(Path(start).absolute().parent)
    for d in (here, *here.parents):
        if any((d / m).exists() for m in PROJECT_MARKERS):
            return d
    return here


def shown(path) -> str:
    """A path as a diagnostic shows it: control characters and lone surrogates as escapes,
    a very long name cut in the middle."""
    text = os.fspath(path) if not isinstance(path, str) else path
    if isinstance(text, bytes):
        text = os.fsdecode(text)
    if not text.isprintable():
        text = "".join(c if c.isprintable() and not 0xD800 <= ord(c) <= 0xDFFF else "\\x%02x" % ord(c)
                       if ord(c) < 0x100 else "\\u%04x" % ord(c) for c in text)
    return text if len(text) <= 120 else text[:60] + "…" + text[-40:]
