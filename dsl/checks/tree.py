"""Resolution of the indicator tree (the Resolver's part for it): each node built with its
points and level, its locals defined and its rule resolved, 加分项/扣分项 adjustments and
subtotals, and the checks over the whole (indicators using each other's scores, E0205)."""
from __future__ import annotations

from decimal import Decimal

from .. import ast, ir
from ..diagnostics import Label, tr
from ..ir import Type
from .clamps import push_clamps
from .rowblocks import resolve_rows


class TreeResolver:
    """Mixed into :class:`Resolver` (resolve.py); uses its state and ``err``."""

    def _files(self, rb) -> dict:
        files = {rb.span.file.name: rb.span.file}
        for m, _origin in self.methods.values():
            files.setdefault(m.span.file.name, m.span.file)
        return files

    def _cycles(self):
        """Indicators that use each other's scores (A uses B, B uses A): E0205, and the
        dependency is dropped so that evaluation order stays defined."""
        state: dict[int, int] = {}
        stack: list[ir.Indicator] = []

        def visit(n):
            state[id(n)] = 1
            stack.append(n)
            for d in list(n.depends):
                if state.get(id(d)) == 1:
                    cyc = stack[stack.index(d):] + [d]
                    self.err("E0205", [Label(n.name_span, ""), Label(d.name_span, "", False)],
                             cycle=" → ".join(x.name for x in cyc))
                    n.depends.remove(d)
                    n.broken = True
                elif state.get(id(d)) is None:
                    visit(d)
            for c in n.children:
                if state.get(id(c)) is None:
                    visit(c)
            stack.pop()
            state[id(n)] = 2
        for ind in self.indicators:
            if state.get(id(ind)) is None:
                visit(ind)

    def _all_locals(self):
        yield from self.globals
        for ind in self.indicators:
            yield from ind.locals

    def _dup_sibling(self, seen, node: ast.IndicatorNode):
        name = node.name.text
        if name in seen:
            self.err("E0203", [Label(node.name.span, tr("同级重名", "same name twice in one section")),
                               Label(seen[name].name.span, tr("首次出现", "first here"), False)], name=name)
        seen[name] = node

    def _build(self, node: ast.IndicatorNode, parent: ir.Indicator | None) -> ir.Indicator:
        pts = Decimal(0)
        missing = node.points is None
        if missing:
            self.err("E0405", [Label(node.name.span, tr("缺少分值，如「3分」", "no points, e.g. `3分`"))], name=node.name.text)
        else:
            if node.points.unit not in (None, "分"):
                self.err("E0303", [Label(node.points.span, tr("分值的单位应为「分」", "points are in `分`"))],
                         what_zh=f"分值不能以「{node.points.unit}」为单位", what_en=f"points cannot be in {node.points.unit}")
            pts = node.points.value
        path = (parent.path if parent else ()) + (node.name.text,)
        ind = ir.Indicator(node.name.text, node.level, pts, path, span=node.span, name_span=node.name.span,
                           parent=parent, index=len(self.indicators))
        ind.node = node
        ind.points_missing = ind.broken = missing
        ind.kind, ind.at_most = node.kind, node.at_most
        if node.kind != "score" and any(a.adjusts for a in _ancestors(ind)):
            self.err("E0508", [Label(node.name.span, tr("在加分项或扣分项之中", "inside a bonus or penalty item"))],
                     name="加分项" if node.kind == "bonus" else "扣分项",
                     notes=[tr("加分项、扣分项的下级是普通指标；它们自己的加减写在上级", "the parts of a bonus or penalty item are ordinary")])
        self.indicators.append(ind)
        self.by_name.setdefault(ind.name, []).append(ind)
        seen = {}
        for st in node.body:
            if isinstance(st, ast.Doc):
                if st.kind == "doc":
                    ind.doc = st.text if ind.doc is None else ind.doc + "\n" + st.text
                else:
                    ind.criteria = st.text if ind.criteria is None else ind.criteria + "\n" + st.text
            elif isinstance(st, ast.IndicatorNode):
                self._dup_sibling(seen, st)
                ind.children.append(self._build(st, ind))
            elif isinstance(st, ast.Let):
                self.let_owners.setdefault(st.name.text, []).append(ind.name)
        return ind

    # ───────────── scopes ─────────────
    def _global_scope(self) -> dict:
        return {loc.name: loc for loc in self.globals}

    def _define_local(self, st: ast.Let, owner, into: list, scope=None):
        scope = self._global_scope() if scope is None else scope
        if st.name.text in {l.name for l in into} or (owner is None and st.name.text in self.inputs):
            prev = next((l for l in into if l.name == st.name.text), None) or self.inputs.get(st.name.text)
            self.err("E0203", [Label(st.name.span, ""), Label(prev.span, tr("首次定义", "first defined here"), False)], name=st.name.text)
        if isinstance(st.value, ast.Tiers):
            value = self.tiers(st.value, scope, score_ctx=False)
        else:
            value = self.expr(st.value, scope)
        loc = ir.Local(st.name.text, value, value.type, span=st.name.span, owner=owner, index=len(into))
        into.append(loc)
        return loc

    def _resolve_body(self, ind: ir.Indicator):
        node = ind.node
        scope = dict(self._global_scope())
        # ancestors' locals visible to this node: those defined before the node in each ancestor
        chain = []
        p = ind.parent
        child = ind
        while p is not None:
            chain.append((p, child))
            child, p = p, p.parent
        for anc, ch in reversed(chain):
            for loc in anc.locals:
                if loc.span.start < ch.span.start:
                    scope[loc.name] = loc
        self._current = ind
        score_ast = None
        for st in node.body:
            if isinstance(st, ast.Let):
                loc = self._define_local(st, ind, ind.locals, scope)
                scope[loc.name] = loc
            elif isinstance(st, ast.Monotone):
                for n in st.names:
                    inp = self.inputs.get(n.text)
                    if inp is None or inp.type.kind != "num":
                        self.err("E0207", [Label(n.span, "")], name=n.text, expected_zh="数值输入", expected_en="a numeric input")
                    else:
                        ind.monotone.append((inp, st.direction))
            elif isinstance(st, ast.RowsBlock):
                if score_ast is not None or ind.rows is not None:
                    self.err("E0211", [Label(st.span, "")], name=ind.name, reason_zh="与另一得分规则并存",
                             reason_en="stand beside another score rule")
                    continue
                score_ast = st
                resolve_rows(self, ind, st)
            elif isinstance(st, ast.ScoreRule):
                if ind.rows is not None:
                    self.err("E0211", [Label(st.span, "")], name=ind.name, reason_zh="与另一得分规则并存",
                             reason_en="stand beside another score rule")
                    continue
                if score_ast is not None:
                    self.err("E0203", [Label(st.span, ""), Label(score_ast.span, "", False)], name="得分")
                score_ast = st
                self._subtotal = ind if ind.children else None     # 合计: its children, bonus and penalty counted
                try:
                    if isinstance(st.value, ast.Tiers):
                        ind.score = self.tiers(st.value, scope, score_ctx=True)
                    else:
                        ind.score = self.expr(st.value, scope, score_ctx=True)
                finally:
                    self._subtotal = None
                ind.score = push_clamps(ind.score)
                self.units.check_score(ind, st.value.span)
        self._current = None
        if score_ast is None and ind.is_leaf:
            self.err("E0403", [Label(ind.name_span, tr("缺少「得分 = …」", "no `得分 = …`"))], name=ind.name)
        self._adjustment(ind, node)

    def _adjustment(self, ind: ir.Indicator, node: ast.IndicatorNode):
        """A 加分项 / 扣分项 (or a node inside one) is never 不适用; ``最多`` in its header caps
        its amount: the rule's value, or the sum of its children."""
        inside = ind.adjusts or any(a.adjusts for a in _ancestors(ind))
        if inside and ind.score is not None:
            na = next((x for x in ir.walk(ind.score) if isinstance(x, ir.NotApplicable)), None)
            if na is not None:
                self.err("E0508", [Label(na.span, tr("加分项、扣分项不适用时得 0 分", "a bonus or penalty that does not apply is 0"))],
                         name="不适用", helps=[tr("写 0", "write 0")])
        if not (ind.adjusts and ind.at_most) or node.cap_span is None:
            return
        end = node.points.span.end if node.points is not None else node.cap_span.end
        span = node.cap_span.__class__(node.cap_span.file, node.cap_span.start, end)
        base = ind.score if ind.score is not None or not ind.children else self.subtotal_expr(ind, span)
        if base is not None:
            cap = ir.Const(ind.points, span=span, type=Type("num"))
            ind.score = push_clamps(ir.Clamp("at_most", base, cap, span=span, type=base.type))

    def subtotal_expr(self, ind: ir.Indicator, span) -> ir.Expr:
        """合计 of ``ind``: its children's scores, a 扣分项's deducted (``A + B + 表彰 - 违规``)."""
        return ir.SubtotalRef(ind, span=span, type=Type("num", None))


def _ancestors(ind):
    p = ind.parent
    while p is not None:
        yield p
        p = p.parent
