"""Case files read against a compiled rulebook: each value checked against its input's
declaration (numbers with their units, rates, dates, yes/no, checklists with evidence,
record lists), claimed and assessed scores matched to their indicators or 指标行 rows,
each problem a diagnostic at its place in the file. Mixed into CompiledRulebook (api.py)."""
from __future__ import annotations

from typing import Any, Optional

import attrs

from ..dsl import ast, ir
from ..dsl.diagnostics import FIELD, Diagnostic, JixiaoError, Label, format_message, has_errors, make, tr
from ..dsl.ir import fmt_decimal
from ..dsl.names import did_you_mean, qualify
from ..dsl.source import Span
from .backend import runtime
from .results import Case
from .rows import case_rows


class CaseReader:
    """``case_from_ast`` for :class:`CompiledRulebook`; uses its program and lookups."""

    def case_from_ast(self, c: ast.Case) -> Case:
        diags: list[Diagnostic] = []
        inputs: dict[str, Any] = {}
        spans: dict[str, Span] = {}
        evidence: dict[str, tuple] = {}
        by_name = {i.name: i for i in self.program.inputs}
        for ci in c.inputs:
            name = ".".join(n.text for n in ci.path)
            inp = by_name.get(ci.path[-1].text) if len(ci.path) == 1 else None
            if inp is None:
                helps = did_you_mean(name, by_name)
                diags.append(make("E0604", [Label(ci.path[-1].span, tr("未声明的输入", "not a declared input"))], helps=helps, name=name))
                continue
            if inp.name in inputs:
                diags.append(make("E0606", [Label(ci.span, ""), Label(spans[inp.name], tr("首次给出", "first given here"), False)], name=inp.name))
                continue
            value, err = _case_value(ci.value, inp)
            if err is not None:
                diags.append(err)
                continue
            inputs[inp.name] = value
            spans[inp.name] = ci.value.span
            if inp.kind == "checklist" and isinstance(ci.value, ast.ListLit) and ci.value.notes:
                evidence[inp.name] = ci.value.notes
        for cl in c.lists:
            inp = by_name.get(cl.name.text)
            if inp is None or inp.kind != "list":
                helps = did_you_mean(cl.name.text, {i.name for i in self.program.inputs if i.kind == "list"})
                diags.append(make("E0604", [Label(cl.name.span, tr("不是列表输入", "not a list input"))], helps=helps,
                                  name=cl.name.text))
                continue
            if inp.name in inputs:
                diags.append(make("E0606", [Label(cl.name.span, ""), Label(spans[inp.name], tr("首次给出", "first given here"), False)],
                                  name=inp.name))
                continue
            inputs[inp.name] = _case_items(inp, cl, diags)
            spans[inp.name] = cl.name.span
        rows = case_rows(self, c.rows, diags)
        rated_notes = {}
        for row in c.rated:
            ind = self._case_indicator(row, diags)
            if ind is None:
                continue
            if ind.pick is None:
                diags.append(make("E0627", [Label(row.path[-1].span, tr("此指标按规则计分", "scored by its rule"))],
                                  name=".".join(n.text for n in row.path)))
                continue
            if ind.pick.name in inputs:
                diags.append(make("E0606", [Label(row.span, "")], name=f"评定得分 {'.'.join(n.text for n in row.path)}"))
                continue
            if row.value is not None and row.value.unit not in (None, "分"):
                diags.append(make("E0607", [Label(row.value.span, "")], name=ind.pick.name, unit=row.value.unit, declared="分"))
                continue
            inputs[ind.pick.name] = None if row.value is None else row.value.value
            spans[ind.pick.name] = (row.value or row).span
            if row.note:
                rated_notes["/".join(ind.path)] = row.note
        claimed, assessed, notes = {}, {}, {}
        for rows_, target in ((c.claimed, claimed), (c.assessed, assessed)):
            for row in rows_:
                parts = tuple(n.text for n in row.path)
                if parts in (("总分",), ("total",)) and target is claimed:
                    claimed["总分"] = row.value.value
                    continue
                hits = self.find_indicator(parts)
                label = Label(row.path[-1].span, "")
                row_key = _row_of(self, rows, parts) if not hits and target is assessed else None
                if row_key is not None:
                    # an assessed score for a row the case supplies: 绩效指标.满意度 = 11
                    if row_key in assessed:
                        diags.append(make("E0606", [Label(row.span, "")], name=".".join(parts)))
                        continue
                    assessed[row_key] = row.value.value
                    notes["/".join(row_key)] = row.note or ""
                    continue
                if not hits:
                    helps = did_you_mean(parts[-1], {i.name for i in self._indicators})
                    diags.append(make("E0605", [label], helps=helps, name=".".join(parts)))
                    continue
                if len(hits) > 1:
                    labels = [Label(row.path[-1].span, tr("指向多个指标", "refers to several indicators"))]
                    labels += [Label(h.name_span, "/".join(h.path), False) for h in hits]
                    helps = [qualify([h.path for h in hits])]
                    diags.append(make("E0202", labels, helps=helps, name=".".join(parts)))
                    continue
                ind = hits[0]
                key = tuple(ind.path)
                if key in target:
                    diags.append(make("E0606", [Label(row.span, "")], name=".".join(parts)))
                    continue
                if target is assessed and not (0 <= row.value.value <= ind.points):
                    diags.append(make("E0608", [Label(row.value.span, "")], value=fmt_decimal(row.value.value),
                                      name=ind.name, points=fmt_decimal(ind.points)))
                    continue
                target[key] = row.value.value
                if target is assessed:
                    notes[key] = row.note or ""
        if has_errors(diags):
            raise JixiaoError(diags)
        head = c.span
        notes = {"/".join(k) if isinstance(k, tuple) else k: v for k, v in notes.items()}
        spans["__case__"] = Span(head.file, head.start, min(head.end, head.file.line_starts[1] - 1 if len(head.file.line_starts) > 1 else head.end))
        return Case(c.title, inputs, claimed, assessed, notes, c, spans, rows, evidence, rated_notes)

    def _case_indicator(self, row: ast.Claim, diags: list) -> Optional[ir.Indicator]:
        """The one indicator a case's line names (E0605 / E0202 otherwise)."""
        parts = tuple(n.text for n in row.path)
        hits = self.find_indicator(parts)
        if not hits:
            helps = did_you_mean(parts[-1], {i.name for i in self._indicators})
            diags.append(make("E0605", [Label(row.path[-1].span, "")], helps=helps, name=".".join(parts)))
            return None
        if len(hits) > 1:
            labels = [Label(row.path[-1].span, tr("指向多个指标", "refers to several indicators"))]
            labels += [Label(h.name_span, "/".join(h.path), False) for h in hits]
            diags.append(make("E0202", labels, helps=[qualify([h.path for h in hits])], name=".".join(parts)))
            return None
        return hits[0]


def _row_of(rb, rows: dict, parts: tuple) -> Optional[tuple]:
    """(part path, row title) when ``parts`` names a row the case supplies (绩效指标.满意度)."""
    if len(parts) < 2:
        return None
    for k in range(len(parts) - 1, 0, -1):
        hits = [h for h in rb.find_indicator(parts[:k]) if h.rows is not None]
        title = ".".join(parts[k:])
        if len(hits) == 1:
            key = "/".join(hits[0].path)
            if any(r.title == title for r in rows.get(key, ())):
                return hits[0].path + (title,)
    return None



def shown_value(inp: ir.Input, v):
    """A validated value as the API gives it back: a date as a ``datetime.date``, a list
    as a tuple of mappings (``名称`` and each field)."""
    if v is None:
        return v
    if inp.kind == "date":
        return ir.date_of(v)
    if inp.kind == "list":
        return tuple({"名称": r[0], **{f.name: shown_value(f, x) for f, x in zip(inp.type.fields, r[1:])}} for r in v)
    return v


def _rate_help(raw) -> list:
    """E0603 of a rate given as a bare number above 1: 2.4 is 240%, probably meant 2.4%."""
    if isinstance(raw, str) and raw.strip().endswith(("%", "％", "百分点", "pp")):
        return []
    try:
        v = runtime.to_decimal(raw)
    except ValueError:
        return []
    if v <= 1:
        return []
    t, pct = fmt_decimal(v), fmt_decimal(v * 100)
    return [tr(f"比率写作小数时 {t} 即 {pct}%，若是 {t}% 请写 {t}%；比率确可超过 100% 的，在声明中写明范围（如 比率 范围 0 至 300%）",
               f"a rate written as a plain number {t} is {pct}%; if you mean {t}%, write {t}%; a rate that can "
               f"exceed 100% states its range in the declaration (e.g. `比率 范围 0 至 300%`)")]


def _case_items(inp: ir.Input, cl: ast.CaseList, diags: list) -> tuple:
    """The ``行 "名称":`` blocks of a list input -> mappings (``名称`` and field values),
    each value checked against its field's declaration (E0613 names the item)."""
    fields = {f.name: f for f in inp.type.fields}
    out = []
    for n, row in enumerate(cl.items, 1):
        item: dict = {"名称": row.title}
        seen: dict = {}

        def bad(span, zh, en):
            diags.append(make("E0613", [Label(span, "")], name=inp.name, n=n, item=row.title, reason_zh=zh, reason_en=en))
        if row.claimed is not None:
            bad(row.claimed.span, "：列表的项没有自评得分", ": a list item has no claimed score")
        for ci in row.inputs:
            fname = ".".join(x.text for x in ci.path)
            if fname in seen:
                bad(ci.span, f"的字段「{fname}」重复给出", f": field `{fname}` is given twice")
                continue
            seen[fname] = ci
            f = fields.get(fname)
            if f is None:
                sugg = did_you_mean(fname, fields)
                listed = "、".join(fields)
                bad(ci.path[-1].span, f"没有字段「{fname}」（字段：{listed}）", f" has no field `{fname}` (fields: {', '.join(fields)})")
                if sugg:
                    diags[-1] = attrs.evolve(diags[-1], helps=tuple(sugg))
                continue
            if f.name in ("名称", "name") and f.kind == "text":
                bad(ci.span, f"的名称已由「行 \"{row.title}\"」给出", f": its name is the title `{row.title}`")
                continue
            if isinstance(ci.value, ast.Text):
                if f.kind not in ("text", "grade", "date"):
                    zh, en = f.type.describe()
                    bad(ci.value.span, f"：字段「{fname}」的值 {ci.value.span.text()[:40]} 不是{zh}",
                        f": field `{fname}`: {ci.value.span.text()[:40]} is not {en}")
                    continue
                item[fname] = ci.value.value
                continue
            if f.kind == "text":
                item[fname] = " ".join(ci.value.span.text().split())
                continue
            v, err = _case_value(ci.value, f)
            if err is not None:
                said = {**err.args, **FIELD}      # said of the item's field, not of an input
                diags.append(make("E0613", err.labels, notes=err.notes, helps=err.helps, name=inp.name, n=n, item=row.title,
                                  reason_zh="：" + format_message(err.code, said, "zh"),
                                  reason_en=": " + format_message(err.code, said, "en")))
                continue
            item[fname] = v
        out.append(item)
    return tuple(out)


def _case_value(e, inp: ir.Input):
    """A case expression -> a Python value for validation, checking the unit if written
    (an amount in another money unit is converted exactly: 72890元 for 万元 is 7.289);
    ``不适用`` is no value (for an input the case may leave out)."""
    if isinstance(e, ast.NotApplicable):
        if inp.optional:
            return None, None
        return None, make("E0602", [Label(e.span, tr("只有「仅当」的输入可以不给", "only a `仅当` input may be left out"))],
                          name=inp.name, value="不适用", expected_zh=inp.type.describe()[0], expected_en=inp.type.describe()[1])
    sign = ""
    if isinstance(e, ast.Neg) and isinstance(e.operand, ast.Num):
        e, sign = e.operand, "-"
    if isinstance(e, ast.DateLit):
        if inp.kind != "date":
            zh, en = inp.type.describe()
            return None, make("E0602", [Label(e.span, "")], name=inp.name, value=e.span.text(), expected_zh=zh, expected_en=en)
        return e.value, None
    if inp.kind == "date" and not isinstance(e, ast.Text):
        return None, make("E0602", [Label(e.span, "")], name=inp.name, value=e.span.text()[:40],
                          expected_zh="日期（如 2024-04-10）", expected_en="a date (e.g. 2024-04-10)")
    if inp.kind == "list":
        if isinstance(e, ast.ListLit) and not e.items:
            return (), None
        return None, make("E0602", [Label(e.span, "")], name=inp.name, value=e.span.text()[:40],
                          expected_zh="列表（每项写一个「行 \"名称\":」块，空列表写 []）",
                          expected_en="a list (one `行 \"name\":` block per item, [] for none)")
    if isinstance(e, ast.Num):
        # the case's text read by the one number grammar of every source (runtime.to_decimal):
        # 410万元 for an amount in 万元, 96.3% for a rate, 89人 for a count of 人
        text = sign + e.span.text()
        declared = inp.type.unit
        if inp.type.kind != "num":
            if e.unit is None:
                return e.value if not sign else -e.value, None
            return None, make("E0607", [Label(e.span, "")], name=inp.name, unit=e.unit,
                              declared=declared or inp.type.describe()[0])
        try:
            return runtime.to_decimal(text, inp.kind, declared), None
        except runtime.NumberError as err:
            if err.unit is not None:
                return None, make("E0607", [Label(e.span, "")], name=inp.name, unit=err.unit,
                                  declared=declared or inp.type.describe()[0])
            zh, en = inp.type.describe()
            return None, make("E0602", [Label(e.span, tr(err.zh, err.en))], name=inp.name, value=text[:40],
                              expected_zh=f"{zh}：{err.zh}", expected_en=f"{en}: {err.en}")
    if isinstance(e, ast.Text) and inp.kind == "date":
        return e.value, None
    if isinstance(e, ast.Bool):
        return e.value, None
    if isinstance(e, ast.Ref) and len(e.parts) == 1:
        return e.parts[0].text, None
    if isinstance(e, ast.ListLit):
        out = []
        for it in e.items:
            v, err = _case_value(it, ir.Input(inp.name, "boolean", ir.BOOL))
            if err is not None:
                return None, err
            out.append(v)
        return tuple(out), None
    zh, en = inp.type.describe()
    return None, make("E0602", [Label(e.span, "")], name=inp.name, value=e.span.text(), expected_zh=zh, expected_en=en)
