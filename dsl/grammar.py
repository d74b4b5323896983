"""The grammar (``grammar.lark``) and its LALR parser, built once per grammar version.

Building the LALR table takes longer than parsing a whole rulebook, so the table is
kept on disk between runs, in the user's cache folder (``$XDG_CACHE_HOME/jixiao`` or
``~/.cache/jixiao``). Lark's own ``cache=True`` is not used: it writes a pickle to a
predictable name in the shared temporary folder, and loading a pickle that another
user planted there would run their code. Here the table is stored as JSON (tuples and
non-string keys tagged), which can only ever give back data; the file carries the hash
of the grammar, the lark version and the options, is written atomically, and is used
only from a folder that belongs to the user and that no one else may write. Any
problem with the cache (missing, stale, damaged, unwritable) means the table is simply
built again.

:func:`jx_parser` is the one parser, with the indentation post-lexer (:class:`JxIndenter`),
for the parser, the syntax-error messages and the keyword translator alike.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

from lark import Lark
from lark.grammar import Rule
from lark.indenter import Indenter
from lark.lexer import TerminalDef

OPTIONS = dict(parser="lalr", lexer="contextual", propagate_positions=True,
               maybe_placeholders=True, start="start")
_FORMAT = 1
MAX_NESTING = 100       # brackets open at once


def grammar_text() -> str:
    return (resources.files(__package__) / "grammar.lark").read_text(encoding="utf-8")


def cache_dir() -> Path | None:
    """The user's cache folder for jixiao, created private; None where there is none
    that is safe to use (``JIXIAO_NO_CACHE=1`` turns the cache off)."""
    if os.environ.get("JIXIAO_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    if not os.path.isabs(base):
        return None
    path = Path(base) / "jixiao"
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        st = path.lstat()
        if hasattr(os, "getuid") and (st.st_uid != os.getuid() or st.st_mode & 0o022):
            return None
        if path.is_symlink() or not path.is_dir():
            return None
    except OSError:
        return None
    return path


def _key(text: str) -> str:
    import lark
    s = f"{_FORMAT}\0{text}\0{sorted(OPTIONS.items())}\0{lark.__version__}\0{sys.version_info[:2]}"
    return hashlib.sha256(s.encode("utf-8")).hexdigest()


def _encode(x):
    if isinstance(x, dict):
        if all(isinstance(k, str) for k in x):
            return {k: _encode(v) for k, v in x.items()}
        return {"\0d": [[_encode(k), _encode(v)] for k, v in x.items()]}
    if isinstance(x, tuple):
        return {"\0t": [_encode(v) for v in x]}
    if isinstance(x, list):
        return [_encode(v) for v in x]
    if x is None or isinstance(x, (str, int, float, bool)):
        return x
    raise TypeError(type(x).__name__)


def _decode(x):
    if isinstance(x, dict):
        if "\0d" in x:
            return {_freeze(_decode(k)): _decode(v) for k, v in x["\0d"]}
        if "\0t" in x:
            return tuple(_decode(v) for v in x["\0t"])
        return {k: _decode(v) for k, v in x.items()}
    if isinstance(x, list):
        return [_decode(v) for v in x]
    return x


def _freeze(k):
    if isinstance(k, list):
        raise ValueError("a list as a key")
    return k


def _build(text: str, postlex) -> Lark:
    return Lark(text, postlex=postlex, **OPTIONS)


def load_parser(postlex_class) -> Lark:
    """The parser for ``grammar.lark``, with a fresh ``postlex_class()`` post-lexer."""
    text = grammar_text()
    folder = cache_dir()
    if folder is None:
        return _build(text, postlex_class())
    key = _key(text)
    path = folder / f"grammar-{key[:32]}.json"
    try:
        with open(path, encoding="utf-8") as f:
            stored = json.load(f)
        if stored.get("key") == key:
            data, memo = _decode(stored["data"]), _decode(stored["memo"])
            return Lark._load_from_dict(data, memo, postlex=postlex_class())
    except FileNotFoundError:
        pass
    except Exception:       # damaged or foreign: build again and overwrite it
        pass
    parser = _build(text, postlex_class())
    try:
        data, memo = parser.memo_serialize([TerminalDef, Rule])
        data = dict(data)
        # the post-lexer is an object: it is given again when the table is loaded
        data["options"] = {k: v for k, v in data["options"].items() if k != "postlex"}
        payload = json.dumps({"key": key, "data": _encode(data), "memo": _encode(memo)},
                             ensure_ascii=False, separators=(",", ":"))
        fd, tmp = tempfile.mkstemp(prefix=".grammar-", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as f:
                f.write(payload)
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
    except Exception:
        pass                # no cache this time; the parser itself is fine
    return parser


class NestingTooDeep(Exception):
    """More than MAX_NESTING brackets open at once (raised by the post-lexer)."""

    def __init__(self, token):
        self.token = token


class JxIndenter(Indenter):
    NL_type = "_NL"
    OPEN_PAREN_types = ["_LPAR", "LSQB"]
    CLOSE_PAREN_types = ["_RPAR", "RSQB"]
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 8

    def process(self, stream):
        for tok in super().process(stream):
            if self.paren_level > MAX_NESTING:
                raise NestingTooDeep(tok)
            yield tok


@lru_cache(maxsize=1)
def jx_parser() -> Lark:
    """The parser of every kind of file (rulebook, case, suite, library), built once."""
    return load_parser(JxIndenter)
