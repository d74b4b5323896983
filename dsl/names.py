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
from itertools import islice
from operator import itemgetter
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


def _distance_to(peq: dict, m: int, b: str, limit: int) -> int:
    """Levenshtein distance from the pattern (``peq``: char -> bit mask of its positions,
    ``m`` its length) to ``b``, bit-parallel (Myers 1999, Hyyrö 2001): a few integer
    operations per character of ``b``. Returns ``limit + 1`` for anything beyond ``limit``."""
    if abs(m - len(b)) > limit:
        return limit + 1
    if m == 0:
        return len(b)
    mask = (1 << m) - 1
    high = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    left = len(b)
    for c in b:
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        left -= 1
        if score - left > limit:            # each remaining character lowers it by at most 1
            return limit + 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
    return score


def _grams(text: str) -> list[str]:
    """Character bigrams of ``text`` with boundary marks (``^a``, ``ab``, ``b$``)."""
    t = "\x02" + text + "\x03"
    return [t[i:i + 2] for i in range(len(t) - 1)]


# The work for one name is bounded, whatever the number of candidates: at most
# SCAN_BUDGET entries of the bigram index are read (rarest bigrams first) to rank the
# candidates, and only the MAX_COMPARE best ranked get an exact edit distance (below
# EXHAUSTIVE candidates, all of them do). A file of
# thousands of misspelt names costs thousands × a constant, never names × candidates.
SCAN_BUDGET = 1500
MAX_COMPARE = 16
EXHAUSTIVE = 100       # up to this many candidates, every one gets its edit distance


class _Index:
    """Names by bigram, grown as names come (a checker's scopes grow one name at a time:
    nothing is indexed twice)."""

    def __init__(self, candidates: Iterable[str] = ()):
        self.names: list[str] = []
        self.pos: dict[str, int] = {}
        self.by_gram: dict[str, list[tuple[int, int]]] = {}     # bigram -> [(name, times in it)]
        self.add(candidates)

    def add(self, candidates: Iterable[str]) -> None:
        pos = self.pos
        for c in candidates:
            if c not in pos and isinstance(c, str) and len(c) <= MAX_NAME:
                k = pos[c] = len(self.names)
                self.names.append(c)
                grams = _grams(c)
                for g in set(grams):
                    self.by_gram.setdefault(g, []).append((k, grams.count(g)))


def _index(candidates: Iterable[str]) -> _Index:
    return _Index(candidates)


_SEEN = _Index()        # every name suggest() was given, indexed once; each call filters to its own candidates


def suggest(name: str, candidates: Iterable[str]) -> list[str]:
    """Up to three candidates within a small edit distance of ``name``, nearest first."""
    global _SEEN
    cands = candidates if isinstance(candidates, (set, frozenset, dict)) else set(candidates)
    if len(_SEEN.names) > 200_000:
        _SEEN = _Index()
    _SEEN.add(cands)
    return _suggest_in(name, _SEEN, cands)


class _Among:
    """Membership in any of several containers (a scope, the inputs, the indicators …),
    without building their union for every question."""

    __slots__ = ("parts",)

    def __init__(self, parts):
        self.parts = parts

    def __contains__(self, name) -> bool:
        return any(name in p for p in self.parts)

    def __len__(self) -> int:
        return sum(len(p) for p in self.parts)

    def __iter__(self):
        seen = set()
        for p in self.parts:
            for c in p:
                if c not in seen:
                    seen.add(c)
                    yield c


_STAMPS: dict[int, tuple] = {}      # id(container) -> (container, len, last key) when last indexed


def suggest_among(name: str, containers) -> list[str]:
    """``suggest`` over the names of several containers (dicts, sets, tuples), each indexed
    only when it has changed since the last call: a checker asking about thousands of
    misspelt names in one growing scope does constant work per name."""
    global _SEEN
    if len(_SEEN.names) > 200_000:
        _SEEN = _Index()
        _STAMPS.clear()
    for c in containers:
        last = next(reversed(c), None) if isinstance(c, dict) and c else None
        stamp = _STAMPS.get(id(c))
        if stamp is None or stamp[0] is not c or stamp[1] != len(c) or stamp[2] != last:
            if stamp is not None and stamp[0] is c and isinstance(c, dict) and len(c) > stamp[1] \
                    and stamp[2] in c:
                _SEEN.add(islice(c, stamp[1], None))       # a dict grown at its end: only the new names
            else:
                _SEEN.add(c.keys() - _SEEN.pos.keys() if isinstance(c, dict) else set(c) - _SEEN.pos.keys())
            if len(_STAMPS) > 1000:
                _STAMPS.clear()
            _STAMPS[id(c)] = (c, len(c), last)
    return _suggest_in(name, _SEEN, _Among(tuple(containers)))


def _suggest_in(name: str, index: _Index, within=None) -> list[str]:
    """``within``: the candidates asked about (the index may hold more names); None: all."""
    if not isinstance(name, str) or not name or len(name) > MAX_NAME:
        return []
    limit = max(1, (len(name) + 1) // 2)
    names = index.names
    if within is not None and len(within) <= EXHAUSTIVE:
        pool = sorted({index.pos[c] for c in within if c in index.pos})
    elif within is None and len(names) <= EXHAUSTIVE:
        pool = range(len(names))
    else:
        # rank by bigrams shared with the name, reading the rarest bigrams' lists first
        # (bigrams counted with their multiplicity: 0000 shares three 00 with 0000标, 0019 one)
        shared: dict[int, int] = {}
        budget = SCAN_BUDGET
        grams = _grams(name)
        lists = sorted(((index.by_gram.get(g, ()), grams.count(g)) for g in set(grams)), key=lambda x: len(x[0]))
        for ks, q in lists:
            if not ks:
                continue
            if len(ks) > budget:
                break
            budget -= len(ks)
            for k, c in ks:
                shared[k] = shared.get(k, 0) + (c if c < q else q)
        n = len(name)
        best = sorted(shared.items(), key=itemgetter(1), reverse=True)
        if within is not None:
            kept = []
            for kv in best:
                if names[kv[0]] in within:
                    kept.append(kv)
                    if len(kept) >= MAX_COMPARE * 2:
                        break
            best = kept
        best = best[:MAX_COMPARE * 2]
        pool = [k for k, _v in sorted(best, key=lambda kv: (-kv[1], abs(len(names[kv[0]]) - n), kv[0]))[:MAX_COMPARE]]
    peq: dict[str, int] = {}
    for i, ch in enumerate(name):
        peq[ch] = peq.get(ch, 0) | (1 << i)
    m = len(name)
    scored = []
    for k in pool:
        c = names[k]
        if c == name:
            continue
        d = _distance_to(peq, m, c, limit)
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
