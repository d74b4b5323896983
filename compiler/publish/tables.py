"""The 评分表 as a table model: a case's report (``jixiao report``), the rulebook as
published (``jixiao doc``) and a 方法库's reference of its methods.

One model — a :class:`Table` of :class:`Column` and :class:`Row` — in the layout of
附件2: 一级指标 / 二级指标 / 三级指标 (each with its points), 指标解释说明, 评分标准, 得分.
The writers render it (:mod:`.xlsx`, :mod:`.html`, :mod:`.markdown`; :mod:`.write`
picks one by the file's suffix); :func:`row_spans` and :func:`row_layout`, at the end,
say for all of them which cells merge.

- The report adds 评分依据 (:func:`.explain.explain`), the claimed scores
  (自评得分) with their differences, subtotals per 一级指标, the total and the grade
  with the 评价结果 boxes (☑ achieved, □ the others).
- The doc's 评分标准 column is generated from the rule by :func:`.criteria.criteria_text`,
  so the published table cannot disagree with the rule applied; the rulebook's own
  wording (``评分标准 "…"``) is shown beside it as 原评分标准.

子项 (sub-scores of a composite indicator, e.g. 支付进度率's 半年进度 and 全年进度)
are folded into their indicator's row: the row's score is the indicator's (their sum),
and the 评分标准 and 评分依据 cells list each 子项 on its own line.
"""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Optional

import attrs

from .criteria import adjustment_notes, composite_criteria, criteria_text, grade_boxes, points_text
from ...dsl import ir
from ...dsl.ir import fmt_decimal

# ═══════════════════════════ the table model ═══════════════════════════

@attrs.define
class Column:
    key: str
    header: str
    width: float            # xlsx width (characters)
    pct: float              # html width (percent of the table)
    kind: str = "text"      # h (hierarchy), text, num
    group: Optional[str] = None   # a two-row header's upper cell (三级指标 over 指标名称/指标解释说明)


@attrs.define
class Row:
    kind: str                                  # indicator | subtotal | total | grade | note
    l1: Optional[ir.Indicator] = None
    l2: Optional[ir.Indicator] = None
    node: Optional[ir.Indicator] = None
    cells: dict = attrs.field(factory=dict)    # column key -> str | Decimal
    differs: bool = False
    unattainable: bool = False
    diff: Optional[Decimal] = None             # 得分 − 自评得分 (a number, for the workbook)
    summed: bool = False                       # its 自评得分 is the sum of the rows below it (counted there)


@attrs.define
class Table:
    title: str
    subtitle: str
    columns: list[Column]
    rows: list[Row]
    notes: list[str] = attrs.field(factory=list)
    summary: list[str] = attrs.field(factory=list)
    conclusion: str = ""                  # 评价结论: one paragraph under the table
    signature: list = attrs.field(factory=list)   # (label, value) of the signature block; blank values are signed by hand

    def col(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def has(self, key: str) -> bool:
        return any(c.key == key for c in self.columns)

    @property
    def indicator_rows(self) -> list[Row]:
        return [r for r in self.rows if r.kind == "indicator"]


def label(ind: Optional[ir.Indicator]) -> str:
    if ind is None:
        return ""
    if ind.adjusts:
        return f"{ind.name}（{'加分项' if ind.kind == 'bonus' else '扣分项'}，最多{points_text(ind.points)}分）"
    return f"{ind.name}（{points_text(ind.points)}分）"


def row_nodes(program: ir.Program) -> list[tuple]:
    """(一级, 二级, node) for each row of the table: the 三级指标, with 子项 and nested
    三级指标 folded in; after the rows of a 一级/二级指标 that combines its parts by a rule of
    its own (weights of blocks), a row for that rule (see :func:`is_composite_row`)."""
    out = []

    def visit(n, l1, l2):
        if n.level == "level1":
            l1, l2 = n, None
        elif n.level == "level2":
            l2 = n
        if n.level in ("level3", "item") or not n.children or all(c.level == "item" for c in n.children):
            out.append((l1, l2, n))
            return
        for c in n.children:
            visit(c, l1, l2)
        if n.score is not None:
            out.append((l1, l2, n))
    for r in program.roots:
        visit(r, None, None)
    return out


def is_composite_row(node: ir.Indicator) -> bool:
    """A row of :func:`row_nodes` that states how a 一级/二级指标 combines its parts."""
    return node.score is not None and node.level not in ("level3", "item") and bool(node.children) \
        and not all(c.level == "item" for c in node.children)


def _descendants(n: ir.Indicator):
    for c in n.children:
        yield c
        yield from _descendants(c)


def _name_cell(l1, l2, node) -> str:
    if is_composite_row(node):
        return f"{node.name}得分"
    if node.rows is not None and (node is l1 or node is l2):
        return f"各行合计（{points_text(node.points)}分）"     # the rows the case supplies follow
    return "" if node is l1 or node is l2 else label(node)


def _criteria_cell(node: ir.Indicator, prog: ir.Program) -> str:
    return composite_criteria(node, prog) if is_composite_row(node) else criteria_text(node, prog)


def _signed(d: Decimal) -> str:
    return ("+" if d > 0 else "") + fmt_decimal(d)


_HIER = [Column("l1", "一级指标", 11, 5, "h"), Column("l2", "二级指标", 15, 5.5, "h"),
         Column("name", "指标名称", 16, 7.5, "h", "三级指标")]


def report_table(rb, case, result, criteria: str = "original", lang: str = "zh", sign: Optional[dict] = None) -> Table:
    """The 评分表 of one case: scores, 评分依据, claimed scores and differences."""
    from .explain import explain, explain_grade, explain_total
    prog = rb.program
    exps = {e.path: e for e in explain(rb, result, lang, getattr(case, "assessed_notes", None))}
    res = {r.path: r for r in result.indicators}
    has_claims = result.claimed_total is not None or any(r.claimed is not None for r in result.indicators)
    cols = list(_HIER) + [Column("doc", "指标解释说明", 34, 20.5, "text", "三级指标")]
    if criteria in ("rule", "both"):
        cols.append(Column("criteria", "评分标准", 32, 18 if criteria == "rule" else 14, "text"))
    if criteria in ("original", "both"):
        cols.append(Column("original", "原评分标准" if criteria == "both" else "评分标准", 28, 13, "text"))
    cols.append(Column("score", "得分", 7, 4.5, "num"))
    if has_claims:
        cols += [Column("claimed", "自评得分", 7, 4.5, "num"), Column("diff", "差异", 11, 6.5, "num")]
    used = sum(c.pct for c in cols)
    cols.append(Column("basis", "评分依据", 48, round(100 - used, 2), "text"))

    rows: list[Row] = []
    nodes = row_nodes(prog)
    for k, (l1, l2, n) in enumerate(nodes):
        r = res[n.path]
        e = exps.get(n.path)
        basis = (e.reason or e.text) if e else ""
        composite = is_composite_row(n)
        for c in ([] if composite else _descendants(n)):
            ce = exps.get(c.path)
            if ce is not None:
                basis += f"\n{c.name}：{ce.reason or ce.text}"
        flags = []
        if not r.applicable:
            flags.append("不适用")
        if r.assessed:
            flags.append("认定")
        if flags:
            basis = f"【{'，'.join(flags)}】" + basis
        row = Row("indicator", l1, l2, n, {
            "l1": label(l1), "l2": label(l2), "name": _name_cell(l1, l2, n), "doc": n.doc or "",
            "criteria": _criteria_cell(n, prog),
            # the rulebook's own wording where it gives one (--criteria original, the default), else the rule's
            "original": n.criteria or ("" if criteria == "both" else _criteria_cell(n, prog)), "score": r.score, "basis": basis})
        if r.claimed is not None:
            row.cells["claimed"] = r.claimed
            if r.claimed != r.score:
                row.differs = True
                row.diff = r.score - r.claimed
        if e is not None and e.claim_attainable is False:
            row.unattainable = True
        diff_text = _signed(row.diff) if row.diff is not None else ""
        if row.unattainable:
            diff_text = (diff_text + "\n" if diff_text else "") + f"自评不可得（可得分值：{e.attainable_text}）"
        row.cells["diff"] = diff_text
        rows.append(row)
        if n.rows is not None:
            case_rows = _case_rows(n, result, exps)
            claims = [c.cells.get("claimed") for c in case_rows]
            if row.cells.get("claimed") is None and case_rows and None not in claims:
                # the rows' claims add up to the indicator's: 自评 of the 绩效指标 row
                row.cells["claimed"] = sum(claims, Decimal(0))
                row.summed = True
                if row.cells["claimed"] != r.score:
                    row.differs, row.diff = True, r.score - row.cells["claimed"]
                    row.cells["diff"] = _signed(row.diff)
            rows.extend(case_rows)
        last_of_l1 = k + 1 == len(nodes) or nodes[k + 1][0] is not l1
        if l1 is not None and last_of_l1 and l1 is not n:
            r1 = res[l1.path]
            sub = Row("subtotal", l1, None, l1, {"l1": label(l1), "l2": f"{l1.name}小计", "score": r1.score,
                                                 "basis": (exps[l1.path].reason or exps[l1.path].text) if l1.path in exps else ""})
            claimed = [(m, res[m.path].claimed) for (a, _, m) in nodes if a is l1 and not is_composite_row(m)]
            claims = [c for _, c in claimed]
            if claims and None not in claims:
                ct = sum((m.sign * c for m, c in claimed), Decimal(0))      # a 扣分项's claim is deducted
                sub.cells["claimed"] = ct
                if ct != r1.score:
                    sub.differs, sub.diff = True, r1.score - ct
                    sub.cells["diff"] = _signed(sub.diff)
            rows.append(sub)

    total = Row("total", cells={"l1": f"合计（{points_text(prog.total)}分）", "score": result.total,
                                "basis": explain_total(rb, result)})
    if prog.na_policy == "exclude" and any(not r.applicable for r in result.indicators):
        total.cells["basis"] += "不适用的指标已剔除，总分按比例折算。"
    claimed_grade = None
    if result.claimed_total is not None:
        total.cells["claimed"] = result.claimed_total
        if result.claimed_total != result.total:
            total.differs, total.diff = True, result.total - result.claimed_total
            total.cells["diff"] = _signed(total.diff)
        claimed_grade = rb.grade_for(result.claimed_total, result)
    rows.append(total)
    grade = Row("grade", cells={"l1": "评价结果", "doc": grade_boxes(prog, result.grade), "score": result.grade,
                                "basis": explain_grade(rb, result)})
    if result.claimed_total is not None:
        grade.cells["claimed"] = claimed_grade or ""
        gbasis_c = f"自评总分{fmt_decimal(result.claimed_total)}分" + (f"，为{claimed_grade}" if claimed_grade else "") + "。"
        grade.cells["basis"] += gbasis_c
        if claimed_grade != result.grade:
            grade.differs = True
            grade.cells["diff"] = "等级不同"
    rows.append(grade)

    n_diff = sum(1 for r in rows if r.kind == "indicator" and r.differs and not r.summed)
    n_unatt = sum(1 for r in rows if r.kind == "indicator" and r.unattainable)
    summary = [f"总分 {fmt_decimal(result.total)} 分，评价结果：{result.grade}"]
    if has_claims:
        ct = f"自评总分 {fmt_decimal(result.claimed_total)} 分" + (f"（{claimed_grade}）" if claimed_grade else "") \
            if result.claimed_total is not None else "自评"
        summary.append(f"{ct}；与计算不一致 {n_diff} 项，自评不可得 {n_unatt} 项")
    notes = ["得分按评分表的计分规则逐项计算；评分依据列明计分所用的数据、适用的评分标准和得分。"]
    if criteria == "original":
        notes.append("评分标准照录评分表原文；原文未列明的，按计分规则表述。")
    elif "criteria" in {c.key for c in cols}:
        notes.append("评分标准按计分规则表述" + ("，原评分标准为评分表原文。" if criteria == "both" else "。"))
    if has_claims:
        notes.append("差异 = 得分 − 自评得分；标色的行与自评不一致；“自评不可得”表示按规则任何输入都得不到该自评分值。")
    if any(n.children for (_, _, n) in nodes):
        notes.append("子项并入所属指标的一行：得分为各子项之和，评分标准和评分依据逐项列出子项。")
    notes.extend(adjustment_notes(prog))
    if any(r.assessed for r in result.indicators):
        notes.append("标“认定”的得分为评价组认定的得分，评分依据中并列按规则计算的得分及二者之差。")
    notes.extend(data_notes(prog))
    sub = f"{case.title}" if getattr(case, "title", None) else ""
    sub += f"　　规则集：{prog.title}" + (f"（{prog.version}）" if prog.version else "")
    parents = {x.path[:-1] for x in result.indicators}
    lost = [x for x in result.indicators if x.path not in parents and x.kind == "score" and x.score < x.points]
    conclusion = conclusion_text(prog, case, result, claimed_grade, n_diff, n_unatt, lost)
    return Table(prog.title, sub.strip(), cols, rows, notes, summary, conclusion, signature_block(sign))


SIGNATURE = (("evaluator", "评价机构（盖章）"), ("members", "评价人员（签字）"), ("reviewer", "复核单位（盖章）"),
             ("reviewed_by", "复核人（签字）"), ("date", "评价日期"))


def signature_block(sign: Optional[dict] = None) -> list[tuple[str, str]]:
    """The signature block under the table: evaluating body, evaluators, reviewing unit,
    reviewer, date — each printed with its value, or a blank line to sign on."""
    sign = sign or {}
    return [(label, str(sign.get(key) or "")) for key, label in SIGNATURE]


def conclusion_text(prog, case, result, claimed_grade, n_diff: int, n_unatt: int, lost) -> str:
    """评价结论: the total and grade, the indicators that lost points, the claimed total."""
    who = getattr(case, "title", None) or "被评价单位"
    out = f"经评价，{who}总分{fmt_decimal(result.total)}分（满分{points_text(prog.total)}分），评价结果为“{result.grade}”。"
    if lost:
        names = "、".join(f"{x.name}（{fmt_decimal(x.score)}/{points_text(x.points)}分）" for x in lost)
        out += f"失分的指标{len(lost)}项：{names}。"
    if result.claimed_total is not None:
        out += f"自评总分{fmt_decimal(result.claimed_total)}分" + (f"（{claimed_grade}）" if claimed_grade else "")
        out += (f"，其中{n_diff}项得分与评价得分不一致" if n_diff else "，各项得分与评价得分一致")
        out += (f"，{n_unatt}项自评得分按评分标准不可得" if n_unatt else "") + "。"
    return out


def _case_rows(n: ir.Indicator, result, exps) -> list[Row]:
    """The rows a case supplied for ``n``, one table row each, under ``n``'s 一级/二级 cells:
    the row's title and points, its text fields as the 说明, its method, score and basis."""
    part = n.rows
    l1 = n if n.level == "level1" else n.parent if n.parent is not None and n.parent.level == "level1" else None
    l2 = n if n.level == "level2" else None
    out = []
    for r in (x for x in result.indicators if x.level == "row" and x.path[:-1] == n.path):
        fields = dict(r.row or {})
        texts = [str(fields[f.name]) for f in part.fields if f.kind == "text" and fields.get(f.name) not in (None, "")]
        e = exps.get(r.path)
        row = Row("indicator", l1, l2, n, {
            "l1": label(l1), "l2": label(l2), "name": f"{r.name}（{points_text(r.points)}分）", "doc": "；".join(texts),
            "criteria": f"{part.method_field}：{fields.get(part.method_field, '')}", "original": "",
            "score": r.score, "basis": (e.reason or e.text) if e is not None else ""})
        if r.claimed is not None:
            row.cells["claimed"] = r.claimed
            if r.claimed != r.score:
                row.differs, row.diff = True, r.score - r.claimed
        row.cells["diff"] = _signed(row.diff) if row.diff is not None else ""
        out.append(row)
    return out


def doc_table(rb) -> Table:
    """The rulebook as the published 评分表: 评分标准 generated from each rule, the
    original wording beside it, an empty 得分 column."""
    prog = rb.program if hasattr(rb, "program") else rb
    cols = list(_HIER) + [Column("doc", "指标解释说明", 36, 26, "text", "三级指标"),
                          Column("criteria", "评分标准（按规则生成）", 40, 29, "text"),
                          Column("original", "原评分标准", 30, 21, "text"),
                          Column("score", "得分", 7, 6, "num")]
    rows = []
    nodes = row_nodes(prog)
    for l1, l2, n in nodes:
        rows.append(Row("indicator", l1, l2, n, {
            "l1": label(l1), "l2": label(l2), "name": _name_cell(l1, l2, n), "doc": n.doc or "",
            "criteria": _criteria_cell(n, prog), "original": n.criteria or "", "score": ""}))
    rows.append(Row("total", cells={"l1": f"合计（{points_text(prog.total)}分）", "score": ""}))
    rows.append(Row("grade", cells={"l1": "评价结果", "doc": grade_boxes(prog, None), "score": ""}))
    na = {"full_points": "不适用的指标计满分。", "exclude": "不适用的指标剔除，总分按比例折算。"}.get(prog.na_policy or "", "")
    rounding = {"half_up": "四舍五入", "half_even": "银行家舍入", "down": "截断", "up": "进一"}.get(prog.rounding, prog.rounding)
    grade_on = {"rounded": "按舍入后的总分定等级", "integer": f"总分{rounding}取整后定等级"}.get(prog.grade_on, "按原始总分定等级")
    notes = ["评分标准按计分规则表述，与计分所用的规则一致；原评分标准为评分表原文，供对照。",
             f"分数按 {fmt_decimal(prog.precision)} 分{rounding}后相加；{grade_on}。" + na] + adjustment_notes(prog)
    if any(n.children for (_, _, n) in nodes):
        notes.append("子项并入所属指标的一行，评分标准逐项列出子项。")
    notes.extend(data_notes(prog))
    sub = (f"版本 {prog.version}　　" if prog.version else "") + f"满分 {points_text(prog.total)} 分"
    return Table(prog.title, sub, cols, rows, notes)


def data_notes(prog: ir.Program) -> list[str]:
    """What the table asks of the data, in its own wording: inputs given only sometimes
    (仅当), the indicators the evaluators score (评定得分), the cross-checks (核对)."""
    out = []
    cond = [i for i in prog.inputs if i.only_if is not None]
    if cond:
        out.append("按条件填报的数据：" + "；".join(
            f"{i.name}（{' '.join(i.only_if.span.text().split()) if i.only_if.span else '?'}时填报，否则不填）" for i in cond) + "。")
    rated = [n for n in prog.walk() if n.pick is not None]
    if rated:
        out.append("由评价组评定得分的指标（案例中的“评定得分”）：" + "、".join(n.name for n in rated)
                   + "；评定得分须在规则所列区间之内，并为计分精度的整数倍。")
    if prog.verifies:
        out.append("数据核对（评分前逐项检查，不符即不予计分）：" + "；".join(
            f"{' '.join(v.cond.span.text().split()) if v.cond.span else '?'}（{v.message}）" for v in prog.verifies) + "。")
    return out


def library_table(lib) -> Table:
    """A 方法库 as a reference table: each method, its parameters (with defaults), 说明 and
    评分标准, as written in the library."""
    from ...dsl import ast
    cols = [Column("name", "方法", 14, 12, "h"), Column("params", "参数", 24, 20, "text"),
            Column("doc", "说明", 50, 40, "text"), Column("criteria", "评分标准", 34, 28, "text")]
    rows = []
    for m in (it for it in lib.items if isinstance(it, ast.Method)):
        docs = {}
        for d in m.body:
            if isinstance(d, ast.Doc):
                docs[d.kind] = (docs[d.kind] + "\n" if d.kind in docs else "") + d.text
        params = "、".join(p.name.text + (f"（默认 {' '.join(p.default.span.text().split())}）" if p.default is not None else "")
                          for p in m.params)
        reqs = [r.message or r.cond.span.text() for r in m.body if isinstance(r, ast.Require)]
        doc = docs.get("doc", "") + ("\n要求：" + "；".join(reqs) if reqs else "")
        rows.append(Row("indicator", cells={"name": m.name.text, "params": params, "doc": doc,
                                            "criteria": docs.get("criteria", "")}))
    intro = [d.text for d in lib.items if isinstance(d, ast.Doc)]
    notes = ["在规则集中写「引用 \"文件名.jx\"」后即可调用，如 得分 = 完成比率法(覆盖率, 100%, 1)；调用在编译时展开，按实际参数检查单位、得分范围和除数。",
             "“要求”是参数须满足的条件：参数为常数时编译时检查，否则逐案例检查，不满足即报错（E0706），不会悄悄截断。"]
    return Table(lib.title, "；".join(intro), cols, rows, notes)


# ═══════════════════════════ the layout the writers share ═══════════════════════════

def cell_text(v: Any) -> str:
    """A cell's value as text: a number as written (``85.5``), nothing for ``None``."""
    if isinstance(v, Decimal):
        return fmt_decimal(v)
    return "" if v is None else str(v)


def row_spans(rows: list[Row], key: str) -> dict[int, int]:
    """Row index -> rowspan for the first row of each run of a hierarchy column (l1, l2);
    later rows of a run map to 0 (covered)."""
    out = {}
    i = 0
    while i < len(rows):
        r = rows[i]
        owner = r.l1 if key == "l1" else r.l2
        if r.kind not in ("indicator", "subtotal") or owner is None or (key == "l2" and r.kind == "subtotal"):
            i += 1
            continue
        j = i + 1
        while j < len(rows) and rows[j].kind in ("indicator", "subtotal") and \
                (rows[j].l1 if key == "l1" else rows[j].l2) is owner and not (key == "l2" and rows[j].kind == "subtotal"):
            j += 1
        out[i] = j - i
        for k in range(i + 1, j):
            out[k] = 0
        i = j
    return out


def row_layout(table: Table, row: Row) -> list[tuple[int, int, str]]:
    """(first column, last column, key) of the cells a non-indicator row shows; merged
    cells span several columns."""
    keys = [c.key for c in table.columns]
    if row.kind == "indicator" or "score" not in keys:
        return [(k, k, keys[k]) for k in range(len(keys))]
    s = keys.index("score")
    if row.kind == "subtotal":
        return [(1, s - 1, "l2")] + [(k, k, keys[k]) for k in range(s, len(keys))]
    if row.kind == "total":
        return [(0, s - 1, "l1")] + [(k, k, keys[k]) for k in range(s, len(keys))]
    if row.kind == "grade":
        return [(0, 2, "l1"), (3, s - 1, "doc")] + [(k, k, keys[k]) for k in range(s, len(keys))]
    return [(k, k, keys[k]) for k in range(len(keys))]
