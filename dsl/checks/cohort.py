"""Cohorts: rules that score a unit against the other units scored together.

``排名(平均年龄, 升序)``, ``同类平均(人员经费占比)``, ``单位数()`` … are statistics of the
cohort (or of the unit's peers, the units with the same value of the rulebook's ``同类``
input). Each distinct statistic becomes a hidden input of the unit (``Input.cohort``): the
per-unit evaluator reads it like any input, the bounds analysis gives it the range of its
subject (a rank is a whole number ≥ 1), and the batch computes it from every unit's
subject value before scoring the units that read it. ``按同类平均得分计`` is the peers'
average of the indicator's own score, where its rule gives one.

:func:`check_cohort` is the pass that knows which indicators depend on the cohort and
refuses what cannot be computed in one pass over the subjects: a statistic of a
statistic, a rank of a value that may be not applicable, a 核对 reading a statistic.
"""
from __future__ import annotations

from decimal import Decimal

from .. import ast, ir
from ..diagnostics import Label, make, tr
from ..ir import Type

# spelling -> (func, peers)
COHORT_FUNCS = {
    "排名": ("rank", False), "rank": ("rank", False), "同类排名": ("rank", True), "peer_rank": ("rank", True),
    "排名位次": ("position", False), "rank_position": ("position", False),
    "同类排名位次": ("position", True), "peer_rank_position": ("position", True),
    "平均": ("mean", False), "平均值": ("mean", False), "mean": ("mean", False),
    "同类平均": ("mean", True), "同类平均值": ("mean", True), "peer_mean": ("mean", True),
    "中位数": ("median", False), "median": ("median", False), "同类中位数": ("median", True), "peer_median": ("median", True),
    "最高": ("max", False), "highest": ("max", False), "同类最高": ("max", True), "peer_highest": ("max", True),
    "最低": ("min", False), "lowest": ("min", False), "同类最低": ("min", True), "peer_lowest": ("min", True),
    "单位数": ("count", False), "cohort_size": ("count", False), "同类单位数": ("count", True), "peer_count": ("count", True),
}
ORDER_WORDS = {"降序": True, "descending": True, "升序": False, "ascending": False}
TIE_WORDS = {"并列": False, "shared": False, "顺延": True, "dense": True}
UNITS = {"rank": "名", "count": "个", "position": "%"}


def _word(e) -> str | None:
    return e.parts[0].text if isinstance(e, ast.Ref) and len(e.parts) == 1 else None


def _bad(r, span, zh: str, en: str):
    r.err("E0530", [Label(span, "")], reason_zh=zh, reason_en=en)
    return ir.Const(Decimal(0), span=span)


def cohort_call(r, e: ast.Call, scope, grades: bool, allow_names: bool) -> ir.Expr:
    """A statistic of the cohort as the hidden input that holds it."""
    fname = e.func.text
    func, peers = COHORT_FUNCS[fname]
    if r._in_method or r._in_rows:
        return _bad(r, e.span, f"「{fname}」不能用在方法或指标行的计分方法中（它们只看到自己的参数）",
                    f"`{fname}` cannot be used inside a method or a row's method (they see only their parameters)")
    if grades:
        return _bad(r, e.span, f"「{fname}」不能用在等级划分、否决或核对中", f"`{fname}` cannot be used in grade bands, vetoes or 核对")
    if peers and r.peer_input is None:
        return _bad(r, e.span, f"「{fname}」比较同类单位，规则集须先声明同类的依据，如「同类 单位类别」",
                    f"`{fname}` compares a unit with its peers: declare what makes units peers first, e.g. `同类 单位类别`")
    args = list(e.args)
    descending, dense = True, False
    if func == "count":
        if args:
            return _bad(r, e.span, f"「{fname}()」不带参数", f"`{fname}()` takes no arguments")
        subject = None
    else:
        if not args:
            return _bad(r, e.span, f"「{fname}」需要一个参数：各单位比较的值", f"`{fname}` takes the value the units are compared on")
        for a in args[1:]:
            w = _word(a)
            if func in ("rank", "position") and w in ORDER_WORDS:
                descending = ORDER_WORDS[w]
            elif func in ("rank", "position") and w in TIE_WORDS:
                dense = TIE_WORDS[w]
            else:
                return _bad(r, a.span, f"「{fname}」只有一个参数" if func not in ("rank", "position") else
                            f"「{fname}」的参数为：值[, 降序|升序][, 并列|顺延]",
                            f"`{fname}` takes one argument" if func not in ("rank", "position") else
                            f"`{fname}` takes: value[, 降序|升序 (descending|ascending)][, 并列|顺延 (shared|dense)]")
        subject = r.expr(args[0], scope, grades=grades, allow_names=allow_names)
        r.units.want_num(subject, args[0].span)
        if subject.type.kind == "na":
            return ir.Const(Decimal(0), span=e.span)
    text = " ".join(e.span.text().split()) if e.span is not None else fname
    typ = Type("num", UNITS[func]) if func in UNITS else (subject.type if subject is not None else Type("num"))
    inp = _hidden(r, text, ir.CohortStat(func, subject, peers, text, descending, dense, span=e.span), typ, e.span)
    return ir.InputRef(inp, span=e.span, type=typ)


def _hidden(r, name: str, stat: ir.CohortStat, typ: Type, span) -> ir.Input:
    prev = r.inputs.get(name)
    if prev is not None and prev.cohort is not None:
        return prev              # the same statistic written twice: one value
    stat.index = sum(1 for i in r.inputs.values() if i.cohort is not None)
    doc_zh = "同类单位" if stat.peers else "参评单位"
    inp = ir.Input(name, "cohort", typ, doc=f"{doc_zh}的统计值「{name}」（批量评分时计算）", span=span,
                   index=len(r.inputs), used=True, cohort=stat)
    if name in r.inputs:             # a user's input of that name (impossible: names hold no brackets)
        name = f"{name}·{stat.index}"
        inp.name = name
    r.inputs[name] = inp
    return inp


def peer_score(r, e: ast.PeerScore, score_ctx: bool) -> ir.Expr:
    """``按同类平均得分计``: the average of this indicator's own score among its peers."""
    ind = r._current
    if not score_ctx or ind is None or ind.row_of is not None or r._in_method:
        r.err("E0508", [Label(e.span, tr("只能作为指标得分规则的结果", "only as the result of an indicator's score rule"))],
              name="按同类平均得分计")
        return ir.Const(Decimal(0), span=e.span)
    who = "同类平均得分" if r.peer_input is not None else "平均得分"
    name = f"{who}({r._short_name(ind)})"
    subject = ir.ScoreRef(ind, span=e.span, type=Type("num"))
    stat = ir.CohortStat("mean", subject, r.peer_input is not None, name, fallback_of=ind, span=e.span)
    inp = _hidden(r, name, stat, Type("num"), e.span)
    return ir.PeerScore(inp, ind, span=e.span, type=Type("num"))


def peers_setting(r, setting) -> ir.Input | None:
    """``同类 单位类别``: the input (文本 or 等级) whose value makes units peers."""
    if setting is None:
        return None
    name = setting.value.text
    inp = r.inputs.get(name)
    if inp is None or inp.kind not in ("text", "grade") or inp.optional:
        why = (tr("没有此输入项", "there is no such input") if inp is None else
               tr("同类依据须为总是给出的文本或等级输入", "peers are told by a text or grade input that is always given"))
        r.err("E0530", [Label(setting.span, why)], reason_zh=f"同类的依据「{name}」{why.zh}",
              reason_en=f"what makes units peers, `{name}`: {why.en}")
        return None
    inp.used = True
    return inp


def quotas(r, rb: ast.Rulebook, bands: list[str]) -> list:
    """``名额:`` rows: a band of the grades, a share in (0, 100%], a worse band to fall back to."""
    from ..ops import fold_constant
    out = []
    seen = set()
    for q in rb.quotas:
        ok = True
        for nm in (q.band, q.fallback):
            if nm.text not in bands:
                r.err("E0207", [Label(nm.span, tr("不是「等级」中的等级", "not a grade of the bands"))], name=nm.text,
                      expected_zh="等级划分中的等级", expected_en="a grade of the bands")
                ok = False
        v = fold_constant(r.expr(q.share, r._global_scope()))
        share = v.value if isinstance(v, ir.Const) and isinstance(v.value, Decimal) and v.type.unit in ("%", None) else None
        if share is None or not (0 < share <= 1):
            r.err("E0530", [Label(q.share.span, "")], reason_zh="名额比例须为 0 至 100% 之间的常数（如 30%）",
                  reason_en="a quota is a constant share between 0 and 100% (e.g. 30%)")
            ok = False
        if ok and bands.index(q.fallback.text) <= bands.index(q.band.text):
            r.err("E0530", [Label(q.fallback.span, "")],
                  reason_zh=f"超出名额的单位应降为较低的等级：「{q.fallback.text}」不低于「{q.band.text}」（等级自高至低列出）",
                  reason_en=f"units beyond the quota fall to a worse band: `{q.fallback.text}` is not below `{q.band.text}` "
                            "(bands are listed best first)")
            ok = False
        if ok and q.band.text in seen:
            r.err("E0203", [Label(q.band.span, "")], name=q.band.text)
            ok = False
        if ok:
            seen.add(q.band.text)
            out.append(ir.Quota(q.band.text, share, q.fallback.text, q.ties, span=q.span))
    return out


# ───────────── the pass ─────────────

def _reads(e, into_locals=True) -> set:
    """The cohort inputs an expression reads (through its locals)."""
    if e is None:
        return set()
    return {id(x.input) for x in ir.walk(e, into_locals=into_locals)
            if isinstance(x, ir.InputRef) and x.input.cohort is not None} | \
        {id(x.input) for x in ir.walk(e, into_locals=into_locals) if isinstance(x, ir.PeerScore)}


def dependence(prog: ir.Program) -> dict:
    """indicator index -> the cohort inputs (ids) its score depends on, through its rule,
    its children and the scores it reads."""
    out: dict[int, set] = {}
    for ind in prog.order():
        s = _reads(ind.score)
        for d in ind.children + ind.depends:
            s |= out.get(d.index, set())
        if ind.score is not None:
            for x in ir.walk(ind.score, into_locals=True):
                if isinstance(x, ir.ScoreRef) and x.indicator is not ind:
                    s |= out.get(x.indicator.index, set())
        out[ind.index] = s
    return out


def check_cohort(prog: ir.Program) -> list:
    """Which indicators depend on the cohort (``prog.cohort_dependent``), and what cannot be
    computed from the units' own values in one pass: E0530."""
    diags = []
    stats = prog.cohort_inputs
    if not stats and not prog.quotas:
        return diags
    deps = dependence(prog)
    prog.cohort_dependent = {k for k, v in deps.items() if v}
    for inp in stats:
        st = inp.cohort
        if st.subject is None:
            continue
        own = {id(inp)} if st.fallback_of is not None else set()
        nested = _reads(st.subject) - own
        for x in ir.walk(st.subject, into_locals=True):
            if isinstance(x, ir.ScoreRef):
                nested |= deps.get(x.indicator.index, set()) - (own if x.indicator is st.fallback_of else set())
        if nested:
            diags.append(make("E0530", [Label(st.span, "")],
                              reason_zh=f"「{st.text}」所比较的值本身依赖参评单位的统计值（统计值不能嵌套）",
                              reason_en=f"the value `{st.text}` compares itself depends on a statistic of the cohort "
                                        "(statistics do not nest)"))
        if st.func in ("rank", "position"):
            na = any(isinstance(x, ir.ScoreRef) and _may_be_na(x.indicator)
                     for x in ir.walk(st.subject, into_locals=True))
            if na:
                diags.append(make("E0530", [Label(st.span, "")],
                                  reason_zh=f"「{st.text}」排名的得分可能不适用，不适用的单位无法排名",
                                  reason_en=f"`{st.text}` ranks a score that may be not applicable: such a unit has no rank"))
    for v in prog.verifies:
        if _reads(v.cond):
            diags.append(make("E0530", [Label(v.span, "")], reason_zh="核对在计分前进行，不能读取参评单位的统计值",
                              reason_en="核对 runs before scoring and cannot read a statistic of the cohort"))
    return diags


def _may_be_na(ind: ir.Indicator) -> bool:
    from ..ops import may_be_na
    if ind.score is not None:
        return may_be_na(ind.score)
    return bool(ind.children) and all(_may_be_na(c) for c in ind.children)


def set_ranges(prog: ir.Program, ranges: dict) -> None:
    """Each cohort input's range from the bounds analysis (``ranges``: the proven score
    intervals): a rank or count from 1, an average within its subject's values — so that
    the property tests and the counterexample search draw statistics a cohort can have."""
    from .bounds import Bounds
    b = Bounds(prog)
    b.ranges = dict(ranges)
    for inp in prog.cohort_inputs:
        try:
            r = b._cohort(inp.cohort)
        except Exception:      # a broken subject: left unbounded (the check has said why)
            continue
        inp.lo, inp.lo_open = r.lo, bool(r.lo_open) if r.lo is not None else False
        inp.hi, inp.hi_open = r.hi, bool(r.hi_open) if r.hi is not None else False
