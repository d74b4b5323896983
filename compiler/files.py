"""Writing output files safely: to a temporary file beside the target, renamed into place.

A reader never sees a half-written file, and an error leaves the old file untouched.
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable, Optional, TypeVar

T = TypeVar("T")

SUFFIXES = (".jx", ".jxc", ".jxt")      # rulebooks and libraries, cases, test suites


def find_files(paths) -> list[Path]:
    """The files named, and the ``.jx``, ``.jxc`` and ``.jxt`` files in the folders named
    (searched recursively, hidden folders skipped), each once, in order."""
    out: dict[Path, None] = {}
    for p in map(Path, paths):
        if p.is_dir():
            found = (f for f in p.rglob("*") if f.suffix in SUFFIXES and f.is_file()
                     and not any(part.startswith(".") for part in f.relative_to(p).parts))
            out.update(dict.fromkeys(sorted(found)))
        else:
            out[p] = None
    return list(out)


def atomic_write(path, write: Callable[[str], T], mode: Optional[int] = None) -> T:
    """Call ``write(temporary path)``, then rename the temporary file to ``path``, with
    permissions ``mode`` (default: the usual ones for a new file, 0666 less the umask)."""
    path = Path(path)
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
