"""Indicator rows supplied by the case (指标行): reading them from a case, scoring each
with the method it names, and the rules across rows (points add up, 分值分配).

Each row method is its own small compiled program (``CompiledRulebook.row_methods``);
the rows' total reaches the rulebook's own evaluator through the part's hidden input.
"""
from __future__ import annotations

from decimal import Decimal, localcontext
from typing import Any, Iterable, Mapping, Optional

import attrs

from ..dsl import ast, ir
from ..dsl.names import did_you_mean, suggest
from ..dsl.diagnostics import FIELD, Diagnostic, JixiaoError, Label, Msg, format_message, make, tr
from ..dsl.ir import fmt_decimal
from ..dsl.ops import may_be_na
from ..dsl.source import Span

from .backend import runtime


@attrs.frozen
class Row:
    """One case-supplied indicator row: its title, field values, claimed score and the
    spans of its values in the case file (for diagnostics)."""
    title: str
    fields: Mapping[str, Any]
    claimed: Optional[Decimal] = None
    span: Optional[Span] = attrs.field(default=None, eq=False, repr=False)
    spans: Mapping[str, Span] = attrs.field(factory=dict, eq=False, repr=False)
    not_applicable: Optional[str] = None     # the row does not apply: its reason ("" when none is given)


NA_KEYS = ("不适用", "not_applicable")


def score_all(rb, inputs, rows, assessed=None):
    """The rows of every 指标行 indicator scored: (inputs with each part's total added as its
    hidden input, indicator index -> row results). ``assessed`` maps (part path, row
    title) to a score that replaces the row's (its method's kept beside it). Raises
    JixiaoError for rows given for no such indicator, a part without rows, and every
    problem of every row."""
    row_results = {}
    if rows:
        known = {"/".join(p.indicator.path) for p in rb.program.row_parts} | {p.indicator.name for p in rb.program.row_parts} \
            | {".".join(p.indicator.path) for p in rb.program.row_parts}
        unknown = [k for k in rows if k not in known]
        if unknown:
            listed = sorted(known)
            raise JixiaoError([make("E0605", [], name=str(k)[:80],
                                    helps=[tr(f"有指标行的指标：{'、'.join(listed) or '无'}",
                                              f"indicators with rows: {', '.join(listed) or 'none'}")])
                               for k in unknown])
    if rb.program.row_parts:
        inputs = dict(inputs)
        for part in rb.program.row_parts:
            key = "/".join(part.indicator.path)
            given = (rows or {}).get(key)
            if given is None:
                given = (rows or {}).get(part.indicator.name)
            if given is None:
                given = (rows or {}).get(".".join(part.indicator.path))
            if given is None:
                raise JixiaoError([make("E0609", [Label(rb.span(None) or part.span, "")] if part.span else [],
                                        part=key, row="—", reason_zh="：案例没有给出指标行",
                                        reason_en=": the case gives no rows",
                                        helps=[tr(f"在案例中写「指标行 {part.indicator.name}:」及各行", f"add `指标行 {part.indicator.name}:` with its rows")])])
            results, total = score_part(rb, part, given, {t: v for (k, t), v in (assessed or {}).items() if k == key})
            row_results[part.indicator.index] = results
            inputs[part.total.name] = total
    return inputs, row_results


def score_part(rb, part: ir.RowPart, given, assessed=None) -> tuple[list, Decimal]:
    """Score each row with the method it names; check that the rows' points add up to
    the indicator's. A row in ``assessed`` (title -> score) scores that, its method's
    score kept beside it when the row has what the method reads. Every problem of every
    row is reported at once."""
    assessed = assessed or {}
    from .api import IndicatorResult
    key = "/".join(part.indicator.path)
    if isinstance(given, (str, bytes, Mapping)) or not isinstance(given, Iterable):
        raise JixiaoError([make("E0609", [], part=key, row="—", reason_zh="：指标行应为各行的列表",
                                reason_en=": the rows should be a list of rows")])
    given = list(given)
    diags: list[Diagnostic] = []
    results, listing = [], []
    seen: dict[str, Row] = {}
    points_sum = total = Decimal(0)
    applicable_points = Decimal(0)     # under 剔除: the points of the rows that apply
    any_na = False
    sum_known = True          # every row's points were read: the sum can be checked
    for n, r in enumerate(given, 1):
        r = _as_row(r, n, key, diags)
        if r is None:
            sum_known = False
            continue
        check = _RowCheck(rb, part, key, r, diags)
        if r.title in seen:
            check.bad("重复给出", " is given twice")
            sum_known = False
            continue
        seen[r.title] = r
        values = check.values()
        pts = check.points(values)
        if pts is None:
            sum_known = False
        else:
            points_sum += pts
            listing.append(f"{r.title} {fmt_decimal(pts)}分")
        if r.not_applicable is not None or (r.title not in assessed and check.method_na(values, pts)):
            # 不适用: 计满分 scores the row's points; 剔除 leaves it out, the others rescaled
            policy = part.na_policy
            if policy is None:
                check.bad("不适用，但规则集没有声明不适用政策", " is not applicable, but the rulebook states no not-applicable policy")
                continue
            if pts is None:
                continue
            any_na = True
            score = pts if policy == "full_points" else Decimal(0)
            if policy == "full_points":
                total += score
                applicable_points += pts
            results.append(IndicatorResult(part.indicator.path + (r.title,), "row", pts, score, False, False,
                                           r.claimed, dict(r.fields), note=r.not_applicable or None))
            continue
        if pts is not None:
            applicable_points += pts
        if r.title in assessed:
            # an assessed score: the method's result is shown beside it when it can be computed
            score, computed = assessed[r.title], check.score(values, pts, quiet=True)
            if pts is not None and not (0 <= score <= pts):
                check.bad(f"的认定得分 {fmt_decimal(score)} 超出该行分值范围 [0, {fmt_decimal(pts)}]",
                          f": the assessed score {fmt_decimal(score)} is outside the row's [0, {fmt_decimal(pts)}]")
                continue
            if pts is not None:
                total += score
                results.append(IndicatorResult(part.indicator.path + (r.title,), "row", pts, score, True, True,
                                               r.claimed, dict(r.fields), computed=computed))
            continue
        score = check.score(values, pts)
        if score is not None:
            total += score
            results.append(IndicatorResult(part.indicator.path + (r.title,), "row", pts, score, True, False,
                                           r.claimed, dict(r.fields)))
    if not given:
        diags.append(make("E0609", [], part=key, row="—", reason_zh="：案例给出的指标行为空", reason_en=": the case gives no rows"))
    elif sum_known and points_sum != part.indicator.points:
        labels = [Label(r.span, f"{fmt_decimal(runtime.to_decimal(r.fields.get(part.points_field)))}分")
                  for r in seen.values() if r.span is not None and not _empty(r.fields.get(part.points_field))][:30]
        diags.append(make("E0610", labels[:1] + [attrs.evolve(l, primary=False) for l in labels[1:]],
                          part=key, sum=fmt_decimal(points_sum), points=fmt_decimal(part.indicator.points),
                          notes=[_rows_note(listing, points_sum, part.indicator.points, "各行")]))
    if given and sum_known and not diags:
        diags.extend(allocations(part, key, list(seen.values())))
    if given and sum_known and not diags and any_na and part.na_policy == "exclude":
        if not applicable_points:
            diags.append(make("E0609", [], part=key, row="—", reason_zh="：所有行均不适用（不适用 剔除），无从折算",
                              reason_en=": every row is not applicable (不适用 剔除): nothing to rescale"))
        elif applicable_points != part.indicator.points:
            # 剔除: the rows that apply are rescaled to the indicator's points
            with localcontext(runtime.CONTEXT):
                total = _round(rb.program, total * part.indicator.points / applicable_points)
    if diags:
        raise JixiaoError(diags)
    return results, total


def _round(prog: ir.Program, x: Decimal) -> Decimal:
    """A score rounded as the rulebook rounds scores (30 digits, then 精度 with 舍入)."""
    x = runtime.SNAP(x)
    mode = runtime.ROUNDING_MODES[prog.rounding]
    return runtime.round_step(x, prog.precision, mode) if prog.precision != Decimal(1).scaleb(prog.precision.adjusted()) \
        else x.quantize(prog.precision, mode)


def _as_row(r, n: int, key: str, diags: list) -> Optional[Row]:
    """A row as given through the API (a mapping with 名称 and 自评得分) as a Row; None
    (and E0609) for something that is no mapping of fields."""
    if isinstance(r, Row):
        return r
    if not isinstance(r, Mapping):
        diags.append(make("E0609", [], part=key, row=str(n), reason_zh="不是字段映射", reason_en=" is not a mapping of fields"))
        return None
    claimed = r.get("自评得分", r.get("claimed"))
    title = r.get("名称", r.get("name", n))
    na = next((r[k] for k in NA_KEYS if k in r and not _empty(r[k])), None)
    r = Row(title if isinstance(title, str) else str(title) if isinstance(title, (int, Decimal)) and not isinstance(title, bool)
            else runtime._show(title),
            {str(k): v for k, v in r.items() if k not in ("名称", "name", "自评得分", "claimed") + NA_KEYS})
    if na is not None:
        # 不适用: 是 / true, or the reason itself; 否 / false: the row applies
        try:
            applies = not runtime.to_bool(na)
            reason = ""
        except ValueError:
            applies, reason = False, str(na)
        if not applies:
            r = attrs.evolve(r, not_applicable=reason)
    if not _empty(claimed):
        try:
            r = attrs.evolve(r, claimed=runtime.to_decimal(claimed))
        except ValueError:
            diags.append(make("E0609", [], part=key, row=r.title,
                              reason_zh=f"：自评得分 {runtime._show(claimed)} 不是数",
                              reason_en=f": the claimed score {runtime._show(claimed)} is not a number"))
    return r


class _RowCheck:
    """One row of a part: its fields checked against their declarations, its points, its
    method run; each problem appended to ``diags`` as the row's (E0609 …)."""

    def __init__(self, rb, part: ir.RowPart, key: str, row: Row, diags: list):
        self.rb, self.part, self.key, self.r, self.diags = rb, part, key, row, diags

    def labels_at(self, field=None) -> list:
        r = self.r
        return [Label(r.spans[field], tr("此值", "this value"))] if field in r.spans else (
            [Label(r.span, tr("此行", "this row"))] if r.span is not None else [])

    def bad(self, zh: str, en: str, field=None) -> None:
        self.diags.append(make("E0609", self.labels_at(field), part=self.key, row=self.r.title, reason_zh=zh, reason_en=en))

    def bad_value(self, err) -> None:
        """A field's value refused by validation, said of the field."""
        self.bad("：" + err.message_in("zh", **FIELD), ": " + err.message_in("en", **FIELD), err.field)

    def values(self) -> dict:
        """The declared fields given, validated (every field, read by the method or not)."""
        part, r = self.part, self.r
        fields = {f.name: f for f in part.fields}
        for name in r.fields:
            if name not in fields:
                sugg = suggest(name, fields)
                self.bad(f"没有字段「{name}」" + (f"（是否应为「{sugg[0]}」？）" if sugg else ""),
                         f" has no field `{name}`" + (f" (did you mean `{sugg[0]}`?)" if sugg else ""), name)
        present = [f for f in part.fields if f.name in r.fields and f.kind != "text"]
        values: dict[str, Any] = {}
        try:
            checked = runtime.validate(r.fields, _field_table(present))
            values = dict(zip((f.name for f in present), checked))
        except runtime.InputErrors as e:
            bad_fields = set()
            for err in e.errors:
                self.bad_value(err)
                bad_fields.add(err.field)
            for f in present:
                if f.name not in bad_fields:
                    values[f.name] = runtime.validate({f.name: r.fields[f.name]}, _field_table([f]))[0]
        for f in part.fields:
            if f.kind == "text" and f.name in r.fields and not isinstance(r.fields[f.name], (str, int, Decimal)):
                self.bad(f"的字段「{f.name}」应为文本", f": field `{f.name}` should be text", f.name)
        return values

    def points(self, values: dict) -> Optional[Decimal]:
        """The row's 分值, or None where it is missing, bad or off the precision."""
        pf = self.part.points_field
        pts = values.get(pf)
        if _empty(self.r.fields.get(pf)):
            self.bad(f"缺少字段「{pf}」", f" gives no `{pf}`")
        elif pts is not None and not _multiple(pts, self.rb.program.precision):
            P = fmt_decimal(self.rb.program.precision)
            self.bad(f"的分值 {fmt_decimal(pts)} 不是精度 {P} 的整数倍",
                     f" has points {fmt_decimal(pts)}, not a multiple of the precision {P}", pf)
            pts = None
        return pts

    def method_na(self, values: dict, pts: Optional[Decimal]) -> bool:
        """Does the row's method give 不适用 for it (its other problems are said by score())?"""
        part = self.part
        entry = self.rb._row_methods.get((part.indicator.index, values.get(part.method_field)))
        if entry is None or not entry[2].roots[0].score or not may_be_na(entry[2].roots[0].score):
            return False
        run, _table, prog = entry
        if any(i.name not in values for i in prog.inputs) or pts is None:
            return False
        try:
            with localcontext(runtime.CONTEXT):
                return bool(run([values[i.name] for i in prog.inputs])[3])
        except runtime.EvaluationError:
            return False

    def score(self, values: dict, pts: Optional[Decimal], quiet: bool = False) -> Optional[Decimal]:
        """The row's score by the method it names, or None where it cannot be scored
        (``quiet``: without saying why — the row has an assessed score)."""
        if quiet:
            diags, self.diags = self.diags, []
            try:
                return self.score(values, pts)
            finally:
                self.diags = diags
        part, r, key = self.part, self.r, self.key
        method = values.get(part.method_field)
        if _empty(r.fields.get(part.method_field)):
            self.bad(f"缺少字段「{part.method_field}」", f" gives no `{part.method_field}`")
            return None
        entry = self.rb._row_methods.get((part.indicator.index, method))
        if entry is None:
            return None              # not one of the choices: reported by the field check
        run, _table, prog = entry
        # a missing 分值 is reported by points()
        missing = [i.name for i in prog.inputs if _empty(r.fields.get(i.name)) and i.name != part.points_field]
        for name in missing:
            self.bad(f"缺少字段「{name}」（计分方法「{method}」需要）", f" gives no `{name}` (method `{method}` needs it)")
        if missing or pts is None or any(i.name not in values for i in prog.inputs):
            return None
        try:
            with localcontext(runtime.CONTEXT):
                score = run([values[i.name] for i in prog.inputs])[0][0]
        except runtime.EvaluationError as err:
            self.diags.append(attrs.evolve(make(err.code, self.labels_at(), **err.params),
                                           context=Msg(f"「{key}」的行「{r.title}」", f"row `{r.title}` of `{key}`")))
            return None
        if not (0 <= score <= pts):
            self.diags.append(make("E0707", [Label(r.span, "")] if r.span is not None else [], part=key, row=r.title,
                                   value=fmt_decimal(score), points=fmt_decimal(pts)))
            return None
        return score


def allocations(part: ir.RowPart, key: str, rows: list) -> list:
    """分值分配: the rows of each value of the field share out its points."""
    out = []
    for field, shares in part.allocations:
        got: dict = {v: Decimal(0) for v in shares}
        members: dict = {v: [] for v in shares}
        for r in rows:
            value = r.fields.get(field)
            pts = runtime.to_decimal(r.fields.get(part.points_field))
            if value not in shares:
                labels = [Label(r.spans[field], tr("此值", "this value"))] if field in r.spans else (
                    [Label(r.span, tr("此行", "this row"))] if r.span is not None else [])
                shown = runtime._show(value) if value is not None else "（未给出 / not given）"
                listed = "、".join(shares)
                out.append(make("E0609", labels, part=key, row=r.title,
                                reason_zh=f"的「{field}」为{shown}，不在分值分配（{listed}）之中",
                                reason_en=f": `{field}` is {shown}, none of the allocated {', '.join(shares)}"))
                continue
            got[value] += pts
            members[value].append(r)
        for value, want in shares.items():
            if got[value] != want:
                rs = members[value]
                labels = [Label(r.span, f"{fmt_decimal(runtime.to_decimal(r.fields.get(part.points_field)))}分", i == 0)
                          for i, r in enumerate(rs[:30]) if r.span is not None]
                listing = [f"{r.title} {fmt_decimal(runtime.to_decimal(r.fields.get(part.points_field)))}分" for r in rs]
                out.append(make("E0611", labels, part=key, field=field, value=value, sum=fmt_decimal(got[value]),
                                points=fmt_decimal(want),
                                notes=[_rows_note(listing, got[value], want, f"{field}为「{value}」的行")]))
    return out


def _rows_note(listing: list, got: Decimal, want: Decimal, which_zh: str) -> Msg:
    """The rows with their points, the sum and what it should be (E0610, E0611)."""
    shown = listing[:30] + (["…"] if len(listing) > 30 else [])
    off = fmt_decimal(got - want)
    return Msg(f"{which_zh}：{'，'.join(shown) or '无'}；合计 {fmt_decimal(got)}，应为 {fmt_decimal(want)}（差 {off}）",
               f"rows: {', '.join(shown) or 'none'}; sum {fmt_decimal(got)}, should be {fmt_decimal(want)} (off by {off})")


def case_rows(rb, blocks, diags) -> dict:
    """``指标行 名称:`` blocks of a case -> part path -> tuple of Row."""
    from .cases import _case_value
    out: dict[str, tuple] = {}
    parts = {p.indicator.name: p for p in rb.program.row_parts}
    parts.update({"/".join(p.indicator.path): p for p in rb.program.row_parts})
    for blk in blocks:
        part = parts.get(blk.part.text)
        if part is None:
            helps = did_you_mean(blk.part.text, parts)
            diags.append(make("E0605", [Label(blk.part.span, tr("不是有指标行的指标", "not an indicator with rows"))],
                              helps=helps, name=blk.part.text))
            continue
        key = "/".join(part.indicator.path)
        if key in out:
            diags.append(make("E0606", [Label(blk.part.span, "")], name=f"指标行 {blk.part.text}"))
            continue
        fields = {f.name: f for f in part.fields}
        rows = []
        for cr in blk.rows:
            values, spans = {}, {}
            for ci in cr.inputs:
                fname = ".".join(n.text for n in ci.path)
                if fname in values:
                    diags.append(make("E0606", [Label(ci.span, "")], name=f"{cr.title}.{fname}"))
                    continue
                f = fields.get(fname)
                spans[fname] = ci.value.span
                if f is None:          # reported with the row by _score_rows, with a suggestion
                    values[fname] = ci.value.value if isinstance(ci.value, ast.Text) else ci.value.span.text()
                    continue
                if isinstance(ci.value, ast.Text):
                    if f.kind not in ("text", "grade"):
                        zh, en = f.type.describe()
                        diags.append(_in_row(key, cr.title, make("E0602", [Label(ci.value.span, "")], name=fname,
                                                                 value=ci.value.span.text()[:40], expected_zh=zh, expected_en=en)))
                        continue
                    values[fname] = ci.value.value
                    continue
                if f.kind == "text":
                    values[fname] = ci.value.span.text()
                    continue
                v, err = _case_value(ci.value, f)
                if err is not None:
                    diags.append(_in_row(key, cr.title, err))
                    continue
                if f.kind == "number" and isinstance(ci.value, ast.Num) and ci.value.unit == "%":
                    v = " ".join(ci.value.span.text().split())   # a plain number field keeps "1%" as written
                values[fname] = v
            rows.append(Row(cr.title, values, cr.claimed.value.value if cr.claimed is not None else None,
                            cr.span, spans, cr.not_applicable))
        out[key] = tuple(rows)
    return out


def _in_row(part: str, row: str, d: Diagnostic) -> Diagnostic:
    """A value problem found in a case-supplied row, said as the row's: E0609 naming the
    indicator and the row, the field for the input."""
    args = {**d.args, **FIELD}
    return make("E0609", d.labels, notes=d.notes, helps=d.helps, part=part, row=row,
                reason_zh="：" + format_message(d.code, args, "zh"), reason_en=": " + format_message(d.code, args, "en"))


def _field_table(fields) -> tuple:
    """Rows of ``runtime.validate``'s table for the given row fields."""
    return tuple((f.name, f.kind, f.type.unit, f.lo, f.lo_open, f.hi, f.hi_open, f.members, None) for f in fields)


def _empty(v) -> bool:
    """No value given (None or ""); no == on arbitrary objects, which may be arrays."""
    return v is None or (isinstance(v, str) and v == "")


def _multiple(x: Decimal, step: Decimal) -> bool:
    """Is ``x`` a whole multiple of ``step`` (exactly, whatever the magnitude)?"""
    try:
        with localcontext() as ctx:
            ctx.prec = 200
            return x % step == 0
    except ArithmeticError:
        return False
