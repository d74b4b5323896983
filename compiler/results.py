"""What scoring gives back and what a case brings: :class:`Result` with one
:class:`IndicatorResult` per indicator and the :class:`TraceEvent` s of its trace, and
:class:`Case` (a unit's inputs, claimed and assessed scores). Plain frozen data; the
embedding API (api.py) makes them and re-exports them."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping, Optional

import attrs

from ..dsl import ast
from ..dsl.ir import fmt_decimal
from ..dsl.source import Span


# ───────────────────────── results ─────────────────────────

@attrs.frozen
class TraceEvent:
    """One step of an evaluation. ``kind``: let (a local value), if (branch taken),
    tier (row taken), clamp (before → after; indicator "" for the 总分 = 合计 … rule),
    score (raw → rounded), sum (a subtotal), na (not applicable), override (assessed
    score used), veto (a 否决 that held: the grade before → after), agg (an aggregate
    over a list: ``before`` the items that met its condition, each ``(名称, fields…)``)."""
    kind: str
    indicator: str            # path joined by "/"
    name: Optional[str]       # local's name, or the source text of the branch/row/clamp
    value: Any
    before: Any = None        # clamp: value before; score: raw value; if: True/False; tier: row number
    line: Optional[int] = None


def trace_event(e: tuple, path_of, local_name, span_of) -> TraceEvent:
    """A raw event of the generated code (``('tier', indicator, span, row, value)`` …) as
    a TraceEvent: indicator index -> path, local index -> name, span number -> source text."""
    kind, ind = e[0], e[1]
    path = path_of(ind) if ind >= 0 else ""
    if kind == "let":
        return TraceEvent("let", path, local_name(e[2]), e[3], e[2])     # before: the local's index
    if kind in ("if", "tier", "clamp", "veto", "agg"):
        sp = span_of(e[2])
        return TraceEvent(kind, path, sp.text() if sp else None, e[4], e[3], sp.line if sp else None)
    if kind == "score":
        return TraceEvent("score", path, None, e[3], e[2])
    if kind == "override":          # before: what the rule gives (None: it cannot be computed)
        return TraceEvent("override", path, None, e[3], e[2])
    return TraceEvent(kind, path, None, e[2])


@attrs.frozen
class IndicatorResult:
    path: tuple[str, ...]
    level: str
    points: Decimal
    score: Decimal
    applicable: bool = True
    assessed: bool = False
    claimed: Optional[Decimal] = None
    row: Optional[Mapping[str, Any]] = None     # a case-supplied row: its fields as given
    kind: str = "score"       # score, or bonus / penalty: ``score`` is then the amount added / deducted
    computed: Optional[Decimal] = None          # assessed: what the rule gives (None: not computable for this case)
    note: Optional[str] = None                  # assessed: the reason given with it
    pick: Optional[Decimal] = None              # hand-scored: the evaluator's pick (评定得分)
    pick_note: Optional[str] = None             # and its reason

    @property
    def name(self) -> str:
        return self.path[-1]

    @property
    def differs(self) -> bool:
        return self.claimed is not None and self.claimed != self.score


@attrs.frozen
class Result:
    rulebook: str
    total: Decimal
    grade: str
    indicators: tuple[IndicatorResult, ...]
    trace: tuple[TraceEvent, ...] = ()
    claimed_total: Optional[Decimal] = None
    inputs: Mapping[str, Any] = attrs.field(factory=dict)
    subtotal: Optional[Decimal] = None    # 合计 before the 总分 = 合计 … rule held it (None: no such rule)
    # checklist input -> the evidence given for each item (None where none was): 佐证材料
    evidence: Mapping[str, tuple] = attrs.field(factory=dict)

    @property
    def vetoes(self) -> tuple["TraceEvent", ...]:
        """The 否决 that held (traced evaluations): each with the grade before and after."""
        return tuple(t for t in self.trace if t.kind == "veto")
    def score(self, name: str) -> Decimal:
        """Score of the indicator named ``name`` (or a path ``父级/名称`` / ``父级.名称``)."""
        return self.indicator(name).score

    def indicator(self, name) -> IndicatorResult:
        if isinstance(name, tuple):
            parts = list(name)
        else:
            exact = [r for r in self.indicators if "/".join(r.path) == name or r.path[-1] == name]
            if len(exact) == 1:
                return exact[0]
            parts = name.replace(".", "/").split("/")
        hits = [r for r in self.indicators if r.path[-len(parts):] == tuple(parts)]
        if len(hits) != 1:
            raise KeyError(name if not hits else f"{name}: ambiguous ({', '.join('/'.join(h.path) for h in hits)})")
        return hits[0]

    @property
    def leaves(self):
        paths = {r.path[:-1] for r in self.indicators}
        return [r for r in self.indicators if r.path not in paths]

    def to_dict(self) -> dict:
        def num(d):
            return None if d is None else fmt_decimal(d)
        out = {"rulebook": self.rulebook, "total": num(self.total), "grade": self.grade}
        if self.subtotal is not None:
            out["subtotal"] = num(self.subtotal)
        if self.claimed_total is not None:
            out["claimed_total"] = num(self.claimed_total)
        parents = {r.path[:-1] for r in self.indicators}
        rows = []
        for r in self.indicators:
            row = {"path": list(r.path), "level": r.level, "points": num(r.points), "score": num(r.score),
                   "leaf": r.path not in parents}
            if not r.applicable:
                row["not_applicable"] = True
                if r.note:
                    row["reason"] = r.note
            if r.kind != "score":
                row["kind"] = r.kind
            if r.assessed:
                row["assessed"] = True
                row["computed"] = num(r.computed)        # the rule's score beside the assessed one
                if r.note:
                    row["reason"] = r.note
            if r.pick is not None:
                row["rated"] = num(r.pick)
                if r.pick_note:
                    row["rated_reason"] = r.pick_note
            if r.claimed is not None:
                row["claimed"] = num(r.claimed)
            if r.row is not None:
                row["row"] = {k: (fmt_decimal(v) if isinstance(v, Decimal) else v) for k, v in r.row.items()}
            rows.append(row)
        out["indicators"] = rows
        if self.evidence:
            out["evidence"] = {k: list(v) for k, v in self.evidence.items()}
        return out


# ───────────────────────── cases ─────────────────────────

@attrs.frozen
class Case:
    """One unit's inputs, and the scores it claims or that were assessed for it."""
    title: str
    inputs: Mapping[str, Any]
    claimed: Mapping[str, Decimal] = attrs.field(factory=dict)      # indicator path "a/b/c" or "总分"
    assessed: Mapping[str, Decimal] = attrs.field(factory=dict)
    assessed_notes: Mapping[str, str] = attrs.field(factory=dict)
    source: Optional[ast.Case] = attrs.field(default=None, eq=False, repr=False)
    input_spans: Mapping[str, Span] = attrs.field(factory=dict, eq=False, repr=False)
    rows: Mapping[str, tuple] = attrs.field(factory=dict)     # 指标行 part path "a/b" -> tuple[Row, ...]
    evidence: Mapping[str, tuple] = attrs.field(factory=dict)  # checklist -> evidence per item ([是 "见附件3", 否])
    rated_notes: Mapping[str, str] = attrs.field(factory=dict)      # indicator path "a/b" -> reason of its pick
