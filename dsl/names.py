"""Names: suggestions for a misspelt name, qualifications for an ambiguous one, and the
lookup of a qualified name (``上级.名称``) among the indicators sharing that name.

The one place "did you mean" and "qualify it" are made, for the checker, cases, rows
and data files alike. Suggestions come only from the candidates given (the names valid
at that point), ranked by edit distance, at most three; the work is bounded so that a
file of thousands of misspelt names is not quadratic in the names it could mean.
"""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Iterable, Sequence

from . import ir
from .diagnostics import Fix, Msg
from .source import Span

MAX_NAME = 40          # longer names get no suggestion
MAX_SUGGESTIONS = 3


def edit_distance(a: str, b: str, limit: int | None = None) -> int:
    """Levenshtein distance; stops early (returning ``limit + 1``) once it must exceed ``limit``."""
    if limit is not None and abs(len(a) - len(b)) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        if limit is not None and min(cur) > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def _index(candidates: Iterable[str]) -> dict[int, list[str]]:
    by_len: dict[int, list[str]] = {}
    for c in set(candidates):
        if isinstance(c, str) and len(c) <= MAX_NAME:
            by_len.setdefault(len(c), []).append(c)
    return by_len


def suggest(name: str, candidates: Iterable[str]) -> list[str]:
    """Up to three candidates within a small edit distance of ``name``, nearest first."""
    return _suggest_in(name, _index(candidates))


def _suggest_in(name: str, by_len: dict[int, list[str]]) -> list[str]:
    if not isinstance(name, str) or not name or len(name) > MAX_NAME:
        return []
    limit = max(1, (len(name) + 1) // 2)
    scored = []
    for n in range(len(name) - limit, len(name) + limit + 1):
        for c in by_len.get(n, ()):
            if c == name:
                continue
            d = edit_distance(name, c, limit)
            if d <= limit:
                scored.append((d, c))
    scored.sort()
    return [c for _, c in scored[:MAX_SUGGESTIONS]]


class Suggester:
    """``suggest`` over one fixed set of candidates, asked many times (a data file's
    headers, a case's names): the candidates are indexed once and answers memoised."""

    def __init__(self, candidates: Iterable[str]):
        self._by_len = _index(candidates)
        self._memo: dict[str, list[str]] = {}

    def __call__(self, name: str) -> list[str]:
        hit = self._memo.get(name)
        if hit is None:
            hit = _suggest_in(name, self._by_len)
            if len(self._memo) < 100_000:
                self._memo[name] = hit
        return hit


def did_you_mean(name: str, candidates: Iterable[str] | None = None, *, found: Sequence[str] | None = None) -> list[Msg]:
    """The help "是否应为「X」？ / did you mean `X`?" (a list: empty when nothing is close)."""
    sugg = list(found) if found is not None else suggest(name, candidates or ())
    if not sugg:
        return []
    return [Msg("是否应为" + "、".join(f"「{s}」" for s in sugg) + "？",
                "did you mean " + ", ".join(f"`{s}`" for s in sugg) + "?")]


def qualified_names(paths: Sequence[Sequence[str]]) -> list[str]:
    """For indicators sharing a name, the shortest ``上级.名称`` that tells each from the
    others (the full path for one that no shorter form can single out; a top-level
    indicator is its own name)."""
    return [".".join(p) for p in qualified_paths(paths)]


def qualified_paths(paths: Sequence[Sequence[str]]) -> list[tuple[str, ...]]:
    """``qualified_names`` as tuples of names (outermost first)."""
    out = []
    for path in paths:
        path = tuple(path)
        chosen = path
        for k in range(2, len(path) + 1):
            tail = path[-k:]
            if sum(1 for p in paths if tuple(p)[-k:] == tail) == 1:
                chosen = tail
                break
        out.append(chosen)
    return out


_NAME = re.compile(r"[^\W\d]\w*")      # the grammar's NAME


@lru_cache(maxsize=1)
def keyword_spellings() -> frozenset:
    from .grammar import jx_parser
    return frozenset(t.pattern.value for t in jx_parser().terminals if t.pattern.type == "str")


def written(parts: "str | Sequence[str]") -> str:
    """A name (or a qualified name's parts) as it is written in a rulebook: bare where it
    reads as one name that is no keyword, else in 「」 (``「“三公经费”变动率」``)."""
    if isinstance(parts, str):
        parts = (parts,)
    return ".".join(p if _NAME.fullmatch(p) and p not in keyword_spellings() else f"「{p}」" for p in parts)


def fixes(span: Span, names: Iterable["str | Sequence[str]"]) -> list[Fix]:
    """One edit per name (a suggestion or a qualification): write it at ``span``."""
    return [Fix(span, written(n)) for n in names]


def qualify(paths: Sequence[Sequence[str]], *, references: bool = False) -> Msg:
    """The help "写明上级以区分 / qualify it: 甲.乙、丙.乙" for an ambiguous name."""
    names = qualified_names(paths)
    zh, en = "、".join(names), ", ".join(names)
    if references:
        return Msg(f"引用时写明上级：{zh}", f"qualify references: {en}")
    return Msg(f"写明上级以区分：{zh}", f"qualify it: {en}")


def narrow_qualified(cands, quals: list[str]):
    """Indicators matching ``A.B.名称``: ancestors named in order; when several match,
    those whose nearest ancestors are exactly the qualifiers win (so ``效果.结果应用创新``
    is the 二级指标, ``结果应用创新.结果应用创新`` the 指标 under it)."""
    hits = [i for i in cands if _has_ancestors(i, quals)]
    if len(hits) > 1:
        tight = [i for i in hits if list(i.path[-1 - len(quals):-1]) == quals]
        if len(tight) == 1:
            return tight
    return hits


def _has_ancestors(ind: ir.Indicator, quals: list[str]) -> bool:
    """``quals`` (outermost first) name ancestors of ``ind``, in order, not necessarily adjacent."""
    path = list(ind.path[:-1])
    i = len(path) - 1
    for q in reversed(quals):
        while i >= 0 and path[i] != q:
            i -= 1
        if i < 0:
            return False
        i -= 1
    return True
