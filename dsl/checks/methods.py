"""Calls: the built-in functions, and methods (方法) expanded in place.

A call of a method is inlined into the calling rule: the parameters are bound to the
arguments, the method's own values become locals of the calling indicator, and each
要求 wraps the result in a check. The expansion is bounded: a method may not call
itself (nor nest deeper than :data:`MAX_INLINE`), and a rulebook expands at most
:data:`MAX_EXPANSIONS` calls in all. Functions here take the :class:`~.resolve.Resolver`
whose rule is being resolved; its ``_inline_stack`` and ``_in_method`` say which
method is being expanded (only its parameters and values are visible inside).
"""
from __future__ import annotations

from decimal import Decimal

import attrs

from .. import ast, ir
from ..builtins import AGGREGATE_ZH, AGGREGATES, FUNCS
from ..diagnostics import Label, tr
from ..ir import Type
from ..names import did_you_mean, fixes, suggest
from ..ops import fold_constant
from .cohort import COHORT_FUNCS, cohort_call
from .units import align

MAX_INLINE = 16   # methods calling methods: deeper than this is a runaway expansion
MAX_EXPANSIONS = 5000   # method calls expanded in one rulebook (a call fanning out to many calls, nested, grows exponentially)


def resolve_call(r, e: ast.Call, scope, grades, allow_names, score_ctx=False):
    """A call ``f(…)``: a built-in function (typed here) or a method (inlined)."""
    fname = e.func.text
    f = FUNCS.get(fname)
    if f is None and fname in r.methods:
        args = [r.expr(a, scope, grades=grades, allow_names=allow_names) for a in e.args]
        return inline(r, e, args, score_ctx)
    if f is None and fname in COHORT_FUNCS:
        return cohort_call(r, e, scope, grades, allow_names)
    first = r.expr(e.args[0], scope, grades=grades, allow_names=allow_names) if e.args else None
    if f in AGGREGATES and first is not None and first.type.kind == "list":
        return aggregate(r, e, f, first, scope, grades, allow_names)
    args = ([first] if e.args else []) + [r.expr(a, scope, grades=grades, allow_names=allow_names) for a in e.args[1:]]
    if f is None:
        found = suggest(fname, set(FUNCS) | set(r.methods))
        helps = did_you_mean(fname, found=found)
        notes = ([tr("它也许定义在未能引用的方法库中", "it may be defined in a library that could not be imported")]
                 if any(d.code == "E0209" for d in r.diags) else [])
        r.err("E0204", [Label(e.func.span, "")], helps, notes, name=fname, reason_zh="不存在", reason_en="does not exist",
              fixes=fixes(e.func.span, found))
        return ir.Const(Decimal(0), span=e.span)
    if f in ("min", "max"):
        if len(args) < 2:
            r.err("E0204", [Label(e.span, "")], name=fname, reason_zh="至少需要两个参数", reason_en="needs at least two arguments")
            return ir.Const(Decimal(0), span=e.span)
        args = [args[0]] + [align(args[0], a) for a in args[1:]]      # amounts in one money unit
        t = args[0].type
        for a, ae in zip(args, e.args):
            if a.type.kind != "date":
                r.units.want_num(a, ae.span)
        for a, ae in zip(args[1:], e.args[1:]):
            t = r.units.unify(t, a.type, ae.span, ",")
        return ir.Call(f, args, span=e.span, type=t)
    if f in ("months", "days"):
        return _between(r, e, f, fname, args)
    if f == "sum":
        r.err("E0303", [Label(e.args[0].span if e.args else e.span, "")], what_zh=f"「{fname}」的第一个参数应为列表",
              what_en=f"`{fname}` takes a list as its first argument")
        return ir.Const(Decimal(0), span=e.span)
    if len(args) != 1:
        r.err("E0204", [Label(e.span, "")], name=fname, reason_zh="需要一个参数", reason_en="takes one argument")
        return ir.Const(Decimal(0), span=e.span)
    a = args[0]
    if f in ("ceil", "floor", "abs"):
        r.units.want_num(a, e.args[0].span)
        return ir.Call(f, args, span=e.span, type=a.type)
    if a.type.kind != "checklist":
        zh, en = a.type.describe()
        r.err("E0303", [Label(e.args[0].span, tr(f"这是{zh}", f"this is {en}"))], what_zh=f"「{fname}」需要清单", what_en=f"`{fname}` takes a checklist")
        return ir.Const(Decimal(0), span=e.span)
    if f in ("count", "size"):
        return ir.Call(f, args, span=e.span, type=Type("num", "项"))
    if f in ("points_met", "points_unmet"):
        if not a.type.weights:
            r.err("E0303", [Label(e.args[0].span, tr("各要点未写分值", "its items have no points"))],
                  what_zh=f"「{fname}」需要各要点带分值的清单，如 清单[\"符合申报条件\" 2分, \"程序规范\" 1分]",
                  what_en=f"`{fname}` takes a checklist whose items have points, e.g. `checklist[\"eligible\" 2分, \"orderly\" 1分]`")
            return ir.Const(Decimal(0), span=e.span)
        return ir.Call(f, args, span=e.span, type=Type("num"))
    if f not in ("all", "any"):
        r.err("E0204", [Label(e.span, "")], name=fname, reason_zh="需要列表作第一个参数",
              reason_en="takes a list as its first argument")
        return ir.Const(Decimal(0), span=e.span)
    return ir.Call(f, args, span=e.span, type=ir.BOOL)


def _between(r, e: ast.Call, f: str, fname: str, args: list) -> ir.Expr:
    """相差月数(起, 止): whole months from 起 to 止 (runtime.months_between says when a
    month is complete); 相差天数(起, 止): 止 − 起, in 天."""
    if len(args) != 2:
        r.err("E0204", [Label(e.span, "")], name=fname, reason_zh="需要两个日期参数", reason_en="takes two dates")
        return ir.Const(Decimal(0), span=e.span)
    for a, ae in zip(args, e.args):
        if a.type.kind != "date":
            zh, en = a.type.describe()
            r.err("E0303", [Label(ae.span, tr(f"这是{zh}", f"this is {en}"))], what_zh=f"「{fname}」需要日期",
                  what_en=f"`{fname}` takes dates")
            return ir.Const(Decimal(0), span=e.span)
    if f == "days":
        return ir.BinOp("-", args[1], args[0], span=e.span, type=Type("num", "天"))
    return ir.Call("months", args, span=e.span, type=Type("num", "月"))


def aggregate(r, e: ast.Call, f: str, items: ir.Expr, scope, grades, allow_names) -> ir.Expr:
    """``计数(专项资金[, 条件])``, ``合计(专项资金, 值[, 条件])``, ``任一`` / ``全部(专项资金, 条件)``,
    ``最大`` / ``最小(专项资金, 值[, 条件][, 空列表时的值])``: the other arguments are read for
    each item, with the list's fields in scope (before any other name)."""
    fname = e.func.text
    r._agg_vars = getattr(r, "_agg_vars", 0) + 1
    var = r._agg_vars
    fields = items.type.fields
    inner = dict(scope)
    for k, fld in enumerate(fields):
        inner[fld.name] = ir.FieldRef(fld, var, k + 1, span=None, type=fld.type)
    # generated code nests an aggregate's item loop in several brackets: it counts as three
    # levels of nesting (MAX_EXPR_DEPTH), so nested aggregates stay within Python's limits
    r._depth += 2
    try:
        rest = [r.expr(a, inner, grades=grades, allow_names=allow_names) for a in e.args[1:]]
    finally:
        r._depth -= 2
    shapes = {"count": (0, 1), "sum": (1, 2), "any": (1, 1), "all": (1, 1), "max": (1, 3), "min": (1, 3)}
    lo, hi = shapes[f]
    if not lo <= len(rest) <= hi:
        want = {"count": ("（列表[, 条件]）", " (list[, condition])"), "sum": ("（列表, 值[, 条件]）", " (list, value[, condition])"),
                "any": ("（列表, 条件）", " (list, condition)"), "all": ("（列表, 条件）", " (list, condition)"),
                "max": ("（列表, 值[, 条件][, 空列表时的值]）", " (list, value[, condition][, value for an empty list])"),
                "min": ("（列表, 值[, 条件][, 空列表时的值]）", " (list, value[, condition][, value for an empty list])")}[f]
        r.err("E0204", [Label(e.span, tr(f"给了 {len(rest) + 1} 个参数", f"{len(rest) + 1} given"))], name=fname,
              reason_zh=f"的参数为{want[0]}", reason_en=f"takes{want[1]}")
        return ir.Const(Decimal(0), span=e.span)
    value = cond = default = None
    if f in ("count", "any", "all"):
        cond = rest[0] if rest else None
    else:
        value = rest[0]
        for x, xe in zip(rest[1:], e.args[2:]):
            if x.type.kind == "bool" and cond is None and default is None:
                cond = x
            elif f in ("max", "min") and default is None and x.type.kind != "bool":
                default = align(value, x)
                r.units.merge(value.type, default.type, xe.span)
            else:
                r.err("E0204", [Label(xe.span, "")], name=fname, reason_zh="的参数次序为：列表、值、条件、空列表时的值",
                      reason_en=" takes its arguments in the order: list, value, condition, value for an empty list")
    if cond is not None:
        r.units.want_bool(cond, e.args[1 if value is None else 2].span)
    if value is not None:
        if f == "sum" or value.type.kind != "date":
            r.units.want_num(value, e.args[1].span)
    typ = {"count": Type("num", "项"), "any": ir.BOOL, "all": ir.BOOL}.get(f, value.type if value is not None else Type("num"))
    return ir.Aggregate(f, items, var, value, cond, default, span=e.span, type=typ)


def inline(r, e: ast.Call, args: list, score_ctx: bool) -> ir.Expr:
    """Expand a call of a method in place: parameters bound to the arguments (constants,
    names and arguments the method reads once substituted as written; others computed
    once as a local ``方法.参数``), the method's own values as locals of the calling
    indicator, each 要求 checked before the result is used."""
    m, _origin = r.methods[e.func.text]
    name = m.name.text
    params = m.params
    required = sum(p.default is None for p in params)
    if not required <= len(args) <= len(params):
        want = f"{required}" if required == len(params) else f"{required}–{len(params)}"
        r.err("E0210", [Label(e.span, tr(f"给了 {len(args)} 个参数", f"{len(args)} given")),
                        Label(m.name.span, tr("定义于此", "defined here"), False)], name=name,
              reason_zh=f"需要 {want} 个参数", reason_en=f"takes {want} arguments",
              notes=[tr("参数：" + "、".join(p.name.text for p in params),
                        "parameters: " + ", ".join(p.name.text for p in params))])
        return ir.Const(Decimal(0), span=e.span)
    r._expansions += 1
    if r._expansions > MAX_EXPANSIONS:
        if r._expansions == MAX_EXPANSIONS + 1:
            r.err("E0210", [Label(e.span, "")], name=name, reason_zh=f"的调用展开超过 {MAX_EXPANSIONS} 次",
                  reason_en=f"is expanded more than {MAX_EXPANSIONS} times in all",
                  notes=[tr("方法互相调用且每层调用多次时，展开呈指数增长", "methods calling methods several times each expand exponentially")])
        return ir.Const(Decimal(0), span=e.span)
    if name in r._inline_stack or len(r._inline_stack) >= MAX_INLINE:
        chain = " → ".join(r._inline_stack + [name])
        r.err("E0210", [Label(e.span, "")], name=name, reason_zh=f"递归调用：{chain}",
              reason_en=f"calls itself: {chain}")
        return ir.Const(Decimal(0), span=e.span)
    before = len(r.diags)
    mscope: dict = {}
    uses = _name_uses(m.body)
    for i, p in enumerate(params):
        if i < len(args):
            a = args[i]
        else:
            saved, r._in_method = r._in_method, False
            a = r.expr(p.default, {}, allow_names=False)
            r._in_method = saved
        folded = fold_constant(a)
        if isinstance(folded, ir.Const) and isinstance(folded.value, Decimal):
            a = folded                  # 90% - 90%, -(1%), a named constant: decided at the call
        if isinstance(a, (ir.Const, ir.InputRef, ir.LocalRef)) or uses.get(p.name.text, 0) <= 1:
            # substituted as written: the expansion reads like the hand-written rule
            mscope[p.name.text] = a
        else:
            mscope[p.name.text] = _inline_local(r, f"{name}.{p.name.text}", a, p.name.span)
    r._inline_stack.append(name)
    saved, r._in_method = r._in_method, True
    result, requires = None, []
    try:
        for st in m.body:
            if isinstance(st, ast.Let):
                if st.name.text in mscope:
                    r.err("E0203", [Label(st.name.span, "")], name=st.name.text)
                v = r.tiers(st.value, mscope) if isinstance(st.value, ast.Tiers) else r.expr(st.value, mscope)
                mscope[st.name.text] = _inline_local(r, f"{name}.{st.name.text}", v, st.name.span)
            elif isinstance(st, ast.Require):
                c = r.expr(st.cond, mscope)
                r.units.want_bool(c, st.cond.span)
                folded = fold_constant(c)
                if isinstance(folded, ir.Const) and folded.value is True:
                    continue            # holds for every case: nothing to check at run time
                if isinstance(folded, ir.Const) and folded.value is False:
                    r.err("E0210", [Label(e.span, ""), Label(st.span, tr("要求", "required here"), False)], name=name,
                          reason_zh=f"的要求不满足：{st.message or st.cond.span.text()}",
                          reason_en=f"requirement not met: {st.message or st.cond.span.text()}")
                    continue
                requires.append((c, st.message or st.cond.span.text(), _params_read(st.cond, m)))
            elif isinstance(st, ast.ScoreRule):
                if result is not None:
                    r.err("E0203", [Label(st.span, "")], name="得分")
                    continue
                result = (r.tiers(st.value, mscope, score_ctx=score_ctx) if isinstance(st.value, ast.Tiers)
                          else r.expr(st.value, mscope, score_ctx=score_ctx))
    finally:
        r._in_method = saved
        r._inline_stack.pop()
    if result is None:
        r.err("E0210", [Label(m.name.span, "")], name=name, reason_zh="没有「得分 = …」",
              reason_en="has no `得分 = …` result")
        return ir.Const(Decimal(0), span=e.span)
    args_text = tuple(" ".join(a.span.text().split()) for a in e.args) + tuple(
        " ".join(p.default.span.text().split()) for p in params[len(e.args):])
    call_text = f"{name}({', '.join(args_text[:len(e.args)])})"
    for c, msg, read in reversed(requires):
        # when it fails: the call, and each parameter it reads with the argument and its value
        shown = [(p, args_text[k], _binding(mscope[p])) for k, p in read]
        info = (call_text, tuple((p, a, x.type.unit if x.type.kind == "num" else None) for p, a, x in shown))
        result = ir.Call("require", [c, ir.Const(f"{name}：{msg}", type=Type("text")), result,
                                     ir.Const(info, type=Type("text")), *(x for _p, _a, x in shown)],
                         span=e.span, type=result.type)
    docs = {d.kind: d.text for d in m.body if isinstance(d, ast.Doc)}
    result = attrs.evolve(result, origin=ir.MethodCall(
        name, tuple(p.name.text for p in params), args_text, docs.get("criteria"), docs.get("doc"), e.span))
    if not r._inline_stack:
        # a requirement of a method this one calls fails at the call written in the rule
        for x in ir.walk(result, into_locals=True):
            if isinstance(x, ir.Call) and x.func == "require" and x.span is not e.span and x.span.file is not e.span.file:
                x.span = e.span
                x.args[3] = ir.Const((call_text, x.args[3].value[1]), type=Type("text"))
    # problems found inside the method: show where it was called from
    for i in range(before, len(r.diags)):
        d = r.diags[i]
        if all(lab.span.file is not e.span.file for lab in d.labels):
            if d.code.startswith("E03"):
                r.diags[i] = _at_call(d, e, name)
            else:
                r.diags[i] = attrs.evolve(d, labels=d.labels + (Label(e.span, tr(f"在此调用「{name}」", f"`{name}` called here"), False),))
    return result


def _params_read(cond, m: ast.Method) -> list:
    """(position, name) of the parameters a requirement reads, directly or through the
    method's own values, in parameter order."""
    lets = {st.name.text: st.value for st in m.body if isinstance(st, ast.Let)}
    names, todo, seen = set(), [cond], set()
    while todo:
        for x in ast.walk(todo.pop()):
            if isinstance(x, ast.Ref) and len(x.parts) == 1:
                n = x.parts[0].text
                names.add(n)
                if n in lets and n not in seen:
                    seen.add(n)
                    todo.append(lets[n])
    return [(k, p.name.text) for k, p in enumerate(m.params) if p.name.text in names]


def _binding(x) -> ir.Expr:
    """A parameter's binding as an expression: the argument, or the local holding it."""
    if isinstance(x, ir.Local):
        return ir.LocalRef(x, span=x.span, type=x.type)
    return copy_argument(x)


def _at_call(d, call: ast.Call, name: str):
    """A unit or type error inside an expanded method, shown at the user's call: the
    arguments given are what is wrong there; the library's line is a note only."""
    notes = []
    for lab in d.labels:
        sp = lab.span
        line = " ".join(sp.file.line_text(sp.line).split())
        notes.append(tr(f"方法「{name}」中（{sp.file.name}:{sp.line}:{sp.column}）：{line}",
                        f"inside method `{name}` ({sp.file.name}:{sp.line}:{sp.column}): {line}"))
    caption = tr(f"调用「{name}」时：所给参数的单位不符", f"in this call of `{name}`: the arguments' units do not fit")
    return attrs.evolve(d, labels=(Label(call.span, caption),), notes=tuple(notes) + d.notes)


def _inline_local(r, name: str, value: ir.Expr, span) -> ir.Local:
    into = r._current.locals if r._current is not None else r.globals
    loc = ir.Local(name, value, value.type, span=span, owner=r._current, index=len(into), used=True)
    into.append(loc)
    return loc


def _name_uses(body) -> dict:
    """How often each bare name is read in a method's statements (AST)."""
    counts: dict = {}
    for x in ast.walk(body):
        if isinstance(x, ast.Ref) and len(x.parts) == 1:
            counts[x.parts[0].text] = counts.get(x.parts[0].text, 0) + 1
    return counts


def copy_argument(e: ir.Expr) -> ir.Expr:
    """A fresh node for one more use of a method's argument (nodes are not shared)."""
    return attrs.evolve(e)
