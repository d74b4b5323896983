"""The plain data an editor is answered with (ranges, problems, symbols, completions, the
target of a word) and the names a parsed tree declares (its scope). No text analysis here:
that is analysis.Document's."""
from __future__ import annotations

from typing import Optional

import attrs

from ...dsl import ast
from ...dsl.diagnostics import Diagnostic
from ...dsl.imports import collect_methods
from ...dsl.source import Span


# ───────────────────────── data ─────────────────────────

@attrs.frozen
class Range:
    """0-based, columns in code points, end exclusive."""
    line: int
    col: int
    end_line: int
    end_col: int

    def overlaps(self, other: "Range") -> bool:
        return (self.line, self.col) <= (other.end_line, other.end_col) and \
            (other.line, other.col) <= (self.end_line, self.end_col)


def span_range(span: Span) -> Range:
    line, col = span.file.line_col(span.start)
    end_line, end_col = span.end_line_col
    return Range(line - 1, col - 1, end_line - 1, end_col - 1)


@attrs.frozen
class Edit:
    range: Range
    text: str


@attrs.frozen
class Action:
    """A code action: edits to this document that a diagnostic's help proposes."""
    title: str
    edits: tuple[Edit, ...]
    preferred: bool = False


@attrs.frozen
class Related:
    path: str
    range: Range
    message: str


@attrs.frozen
class Problem:
    """One diagnostic of ``jixiao check``, placed in this document."""
    code: str
    severity: str              # error, warning, info
    message: str               # the message, then its helps and notes, one a line
    range: Range
    related: tuple[Related, ...] = ()
    actions: tuple[Action, ...] = ()
    diagnostic: Optional[Diagnostic] = attrs.field(default=None, eq=False, repr=False)


@attrs.frozen
class Symbol:
    name: str
    kind: str                  # level1 level2 level3 item input local grades band method param case test
    detail: str
    range: Range
    selection: Range
    children: tuple["Symbol", ...] = ()


@attrs.frozen
class Completion:
    label: str
    kind: str                  # input local indicator method function keyword param total
    detail: str = ""
    insert: str = ""
    replace: Optional[Range] = None


@attrs.frozen
class Target:
    """What a name at a position refers to."""
    kind: str                  # input local indicator method param function keyword total ambiguous
    name: str
    node: object = None        # the AST node that declares it
    file: Optional[str] = None  # its file when it is not this document (a library method)
    candidates: tuple = ()


@attrs.define(eq=False)
class _Ind:
    """An indicator of the tree, with its path (``narrow_qualified`` reads ``.path``)."""
    node: ast.IndicatorNode
    path: tuple[str, ...]
    parent: Optional["_Ind"]


class _Scope:
    """The names a tree declares: indicators, inputs, rulebook-level values, methods."""

    def __init__(self, tree):
        self.tree = tree
        self.inds: list[_Ind] = []
        self.by_name: dict[str, list[_Ind]] = {}
        self.inputs: dict[str, ast.InputDecl] = {}
        self.globals: dict[str, ast.Let] = {}
        items = tuple(getattr(tree, "items", ()))
        for it in items:
            if isinstance(it, ast.Let):
                self.globals.setdefault(it.name.text, it)
        stack = [(it, None) for it in reversed(items)]
        while stack:
            it, parent = stack.pop()
            if isinstance(it, ast.InputDecl):
                self.inputs.setdefault(it.name.text, it)
            elif isinstance(it, ast.IndicatorNode):
                ind = _Ind(it, (parent.path if parent else ()) + (it.name.text,), parent)
                self.inds.append(ind)
                self.by_name.setdefault(it.name.text, []).append(ind)
                stack.extend((x, ind) for x in reversed(it.body))
        self.methods: dict[str, tuple[ast.Method, str]] = {}
        if isinstance(tree, (ast.Rulebook, ast.Library)):
            self.methods = collect_methods(tree, [])

    def chain(self, offset: int) -> list[_Ind]:
        """The indicators whose blocks hold ``offset``, outermost first."""
        return [i for i in self.inds if i.node.span.start <= offset <= i.node.span.end]

    def method_at(self, offset: int) -> Optional[ast.Method]:
        for it in getattr(self.tree, "items", ()):
            if isinstance(it, ast.Method) and it.span.start <= offset <= it.span.end:
                return it
        return None

    def in_grades(self, offset: int) -> bool:
        sp = getattr(self.tree, "grades_span", None)
        return sp is not None and sp.start <= offset <= sp.end
