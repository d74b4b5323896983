"""Writing output files safely: to a temporary file beside the target, renamed into place.

A reader never sees a half-written file, and an error leaves the old file untouched.
"""
from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path
from typing import Callable, Optional, TypeVar

T = TypeVar("T")

SUFFIXES = (".jx", ".jxc", ".jxt")      # rulebooks and libraries, cases, test suites


def find_files(paths) -> list[Path]:
    """The files named, and the ``.jx``, ``.jxc`` and ``.jxt`` files in the folders named
    (searched recursively, hidden folders skipped, symlinks leading out of the folder and
    files that are not regular files skipped), each once, in order."""
    from ..dsl.paths import inside, is_regular
    out: dict[Path, None] = {}
    for p in map(Path, paths):
        if p.is_dir():
            # a symlink that leads out of the folder, a FIFO or a device is not a file of the folder
            found = (f for f in p.rglob("*") if f.suffix in SUFFIXES and is_regular(f)
                     and not any(part.startswith(".") for part in f.relative_to(p).parts)
                     and (not f.is_symlink() or inside(f, p)))
            out.update(dict.fromkeys(sorted(found)))
        else:
            out[p] = None
    return list(out)


def refuse_overwrite(out, inputs, *, sources_too: bool = False) -> None:
    """Raise JixiaoError (E0803) when writing ``out`` would replace one of ``inputs`` (the
    same file, also through a symlink or a hard link) or, with ``sources_too``, any jixiao
    source file (``.jx``, ``.jxc``, ``.jxt``): generated output never lands on a rulebook,
    a library it imports, a case or a data file."""
    from ..dsl.diagnostics import JixiaoError, make
    out = Path(out)
    if sources_too and out.suffix.lower() in SUFFIXES:
        raise JixiaoError([make("E0803", [], path=str(out), what_zh="jixiao 源文件", what_en="a jixiao source file")])
    try:
        if not out.exists():
            return
        for p in inputs:
            if p is not None and Path(p).exists() and os.path.samefile(out, p):
                raise JixiaoError([make("E0803", [], path=str(out), what_zh=f"输入文件「{p}」",
                                        what_en=f"the input `{p}`")])
    except (OSError, ValueError):       # a name the system cannot even look up: not an input either
        return


def atomic_write(path, write: Callable[[str], T], mode: Optional[int] = None) -> T:
    """Call ``write(temporary path)``, then rename the temporary file to ``path``, with
    permissions ``mode`` (default: the usual ones for a new file, 0666 less the umask)."""
    from ..dsl.paths import path_problem
    path = Path(path)
    bad = path_problem(path)
    if bad is not None:             # a NUL or an over-long name: an OSError the CLI reports, not a ValueError
        raise OSError(errno.EINVAL, bad[1], str(path))
    if len(f".{path.name}.XXXXXXXX.tmp".encode("utf-8", "surrogateescape")) > 255:
        raise OSError(errno.ENAMETOOLONG, "File name too long", str(path))
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    except OSError as e:            # say which file could not be written, not the temporary one
        raise OSError(e.errno, e.strerror, str(path)) from None
    os.close(fd)
    try:
        result = write(tmp)
        if mode is None:
            umask = os.umask(0)
            os.umask(umask)
            mode = 0o666 & ~umask              # mkstemp makes 0600; give the usual mode
        os.chmod(tmp, mode)
        os.replace(tmp, path)
        return result
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
