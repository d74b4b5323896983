"""评分标准 of tiers (a part of criteria._Criteria): rows as ranges with their inclusive
bounds written the way tables write them ("80%（含）至90%"), checklist counts, dates."""
from __future__ import annotations

from typing import Optional
from ...dsl import ir
from .criteria_base import _SYM


class TierWording:
    """Mixed into :class:`_Criteria` (criteria.py); uses its ``const``, ``cond``, ``value`` and the rest of its wording."""

    def _checklist_of(self, subject: ir.Expr) -> Optional[ir.Input]:
        e = subject
        if isinstance(e, ir.LocalRef):
            e = e.local.expr
        if isinstance(e, ir.Call) and e.func == "count" and len(e.args) == 1 and isinstance(e.args[0], ir.InputRef):
            return e.args[0].input
        return None

    def tiers(self, e: ir.Tiers) -> str:
        rows = e.rows
        if e.subject is None:
            out = []
            for r in rows:
                if r.kind == "else":
                    out.append(self.otherwise(r.value))
                else:
                    out.append(self.after_cond(self.cond(r.key), r.value))
            return "；".join(out)
        checklist = self._checklist_of(e.subject)
        is_eq = [r.kind == "eq" or (r.kind == "cmp" and r.op == "==") for r in rows if r.kind != "else"]
        if checklist is not None:
            word = {">=": "及以上", ">": "以上", "<=": "及以下", "<": "以下"}
            out = []
            for r in rows:
                if r.kind == "else":
                    out.append(self.otherwise(r.value, "其余"))
                    continue
                n = self.const_text(r.key) if isinstance(r.key, ir.Const) else self.expr(r.key)
                cond = f"符合{n}项" + ("" if r.kind == "eq" or r.op == "==" else word.get(r.op, ""))
                out.append(self.after_cond(cond, r.value))
            return f"{checklist.name}（共{len(checklist.members)}项）：" + "；".join(out)
        subj = self.expr(e.subject)
        if all(is_eq):
            enum = e.subject.type.kind == "enum"
            out = []
            for r in rows:
                if r.kind == "else":
                    kind, text = self.value(r.value)
                    out.append(f"其余{text}{'分' if kind == 'const' else ''}" if enum and kind in ("const", "qty")
                               else self.otherwise(r.value, "其余"))
                    continue
                key = self.expr(r.key)
                kind, text = self.value(r.value)
                if enum and kind in ("const", "qty"):
                    out.append(f"{key}{text}{'分' if kind == 'const' else ''}")
                elif enum:
                    out.append(self.after_cond(key, r.value))
                else:
                    out.append(self.after_cond(f"{subj}为{key}", r.value))
            return (f"{subj}：" if enum else "") + "；".join(out)
        return self.ranges(subj, rows, e.subject if e.subject.type.kind == "date" else None)

    def ranges(self, subj: str, rows: list, date_subject: Optional[ir.Expr] = None) -> str:
        out = []
        for r, cond in zip(rows, self.range_conds(subj, rows, date_subject)):
            if cond is None:
                out.append(self.rule(r.value) if r.kind == "else" and r is rows[0] else self.otherwise(r.value))
            else:
                out.append(self.after_cond(cond, r.value, "" if self.value(r.value)[0] != "formula" else "的，"))
        return "；".join(out)

    def range_conds(self, subj: str, rows: list, date_subject: Optional[ir.Expr] = None) -> list[Optional[str]]:
        """Each tier row's condition as a table writes it (None: a plain 否则)."""
        cmp_rows = [r for r in rows if r.kind != "else"]
        keys = [self.number(r.key) for r in cmp_rows]
        ops = [r.op for r in cmp_rows]
        desc = all(op in (">=", ">") for op in ops) and None not in keys and all(a > b for a, b in zip(keys, keys[1:]))
        asc = all(op in ("<=", "<") for op in ops) and None not in keys and all(a < b for a, b in zip(keys, keys[1:]))
        out: list[Optional[str]] = []
        prev = None
        # a date is earlier or later, and says whether its own day counts
        dates = date_subject is not None
        above, below = ("晚于", "早于") if dates else ("高于", "低于")
        at_or_below, at_or_above = ("（含）前", "（含）后") if dates else ("及以下", "及以上")
        for r in rows:
            if r.kind == "else":
                if prev is None or not (desc or asc):
                    out.append(None)
                    continue
                pop, pkey = prev
                if desc:
                    out.append(f"{below}{pkey}" if pop == ">=" else f"{pkey}{at_or_below}")
                else:
                    out.append(f"{above}{pkey}" if pop == "<=" else f"{pkey}{at_or_above}")
                continue
            key = self.expr(r.key)
            if prev is None or not (desc or asc):
                op = r.op or "=="               # a bare value row (1 : 10) is an equality
                cond = f"{subj}{_SYM.get(op, op)}{key}"
                if dates and r.op in (">=", ">", "<=", "<"):
                    cond = self.cond(ir.Compare([date_subject, r.key], [r.op], type=ir.BOOL))
                if prev is not None:
                    cond = "否则" + cond
            elif desc:
                pop, pkey = prev
                lo = f"{key}（含）" if r.op == ">=" else f"{above}{key}"
                cond = f"{lo}至{pkey}" + ("（含）" if pop == ">" else "")
            else:
                pop, pkey = prev
                lo = f"{above}{pkey}" if pop == "<=" else f"{pkey}（含）"
                cond = f"{lo}至{key}" + ("（含）" if r.op == "<=" else "")
            out.append(cond)
            prev = (r.op, key)
        return out

    def tier_conds(self, e: ir.Tiers) -> list[Optional[str]]:
        """The condition of each row of a 分档 in the table's words (None: 否则 / 其余)."""
        rows = e.rows
        if e.subject is None:
            return [None if r.kind == "else" else self.cond(r.key) for r in rows]
        checklist = self._checklist_of(e.subject)
        if checklist is not None:
            word = {">=": "及以上", ">": "以上", "<=": "及以下", "<": "以下"}
            return [None if r.kind == "else" else
                    f"符合{self.const_text(r.key) if isinstance(r.key, ir.Const) else self.expr(r.key)}项"
                    + ("" if r.kind == "eq" or r.op == "==" else word.get(r.op, "")) for r in rows]
        subj = self.expr(e.subject)
        if all(r.kind == "eq" or (r.kind == "cmp" and r.op == "==") for r in rows if r.kind != "else"):
            enum = e.subject.type.kind == "enum"
            return [None if r.kind == "else" else self.expr(r.key) if enum else f"{subj}为{self.expr(r.key)}" for r in rows]
        return self.range_conds(subj, rows, e.subject if e.subject.type.kind == "date" else None)
