"""评分标准 of tiers (a part of criteria._Criteria): rows as ranges with their inclusive
bounds written the way tables write them ("80%（含）至90%"), checklist counts, dates."""
from __future__ import annotations

from typing import Optional
from ...dsl import ir
from ...dsl.ir import date_text
from .criteria_base import _SYM

# the words of a range, by language and by whether the subject is a date
_RANGE_WORDS = {
    "zh": {False: dict(above="高于{}", below="低于{}", or_below="{}及以下", or_above="{}及以上", incl="{}（含）",
                       to="{}至{}", otherwise="否则{}"),
           True: dict(above="晚于{}", below="早于{}", or_below="{}（含）前", or_above="{}（含）后", incl="{}（含）",
                      to="{}至{}", otherwise="否则{}")},
    "en": {False: dict(above="above {}", below="below {}", or_below="{} or lower", or_above="{} or higher",
                       incl="{} (inclusive)", to="{} to {}", otherwise="otherwise {}"),
           True: dict(above="after {}", below="before {}", or_below="{} or earlier", or_above="{} or later",
                      incl="{} (inclusive)", to="{} to {}", otherwise="otherwise {}")},
}
_DATE_EN = {"<=": "on or before", "<": "before", ">=": "on or after", ">": "after"}


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

    def range_conds(self, subj: str, rows: list, date_subject: Optional[ir.Expr] = None,
                    lang: str = "zh") -> list[Optional[str]]:
        """Each tier row's condition as a table writes it (None: a plain 否则): the first row
        as a comparison, each next one as the range between its key and the one before,
        the bound the row takes marked （含）: ``80%（含）至90%``, ``-10%（含）至-5%``;
        in English ``80% (inclusive) to 90%``. A negative key (a change rate) reads the
        same way, below zero."""
        cmp_rows = [r for r in rows if r.kind != "else"]
        keys = [self.number(r.key) for r in cmp_rows]
        ops = [r.op for r in cmp_rows]
        desc = all(op in (">=", ">") for op in ops) and None not in keys and all(a > b for a, b in zip(keys, keys[1:]))
        asc = all(op in ("<=", "<") for op in ops) and None not in keys and all(a < b for a, b in zip(keys, keys[1:]))
        out: list[Optional[str]] = []
        prev = None
        # a date is earlier or later, and says whether its own day counts
        dates = date_subject is not None
        w = _RANGE_WORDS[lang][dates]
        for r in rows:
            if r.kind == "else":
                if prev is None or not (desc or asc):
                    out.append(None)
                    continue
                pop, pkey = prev
                if desc:
                    out.append(w["below"].format(pkey) if pop == ">=" else w["or_below"].format(pkey))
                else:
                    out.append(w["above"].format(pkey) if pop == "<=" else w["or_above"].format(pkey))
                continue
            key = self.key_text(r.key, lang)
            if prev is None or not (desc or asc):
                op = r.op or "=="               # a bare value row (1 : 10) is an equality
                if lang == "zh":
                    cond = f"{subj}{_SYM.get(op, op)}{key}"
                    if dates and r.op in (">=", ">", "<=", "<"):
                        cond = self.cond(ir.Compare([date_subject, r.key], [r.op], type=ir.BOOL))
                else:
                    cond = f"{subj} {_DATE_EN[op] if dates and op in _DATE_EN else _SYM.get(op, op)} {key}"
                if prev is not None:
                    cond = w["otherwise"].format(cond)
            elif desc:
                pop, pkey = prev
                lo = w["incl"].format(key) if r.op == ">=" else w["above"].format(key)
                cond = w["to"].format(lo, pkey)
                cond = w["incl"].format(cond) if pop == ">" else cond
            else:
                pop, pkey = prev
                lo = w["above"].format(pkey) if pop == "<=" else w["incl"].format(pkey)
                cond = w["to"].format(lo, key)
                cond = w["incl"].format(cond) if r.op == "<=" else cond
            out.append(cond)
            prev = (r.op, key)
        return out

    def key_text(self, key: ir.Expr, lang: str = "zh") -> str:
        """A tier's key as printed: 90%, -10%, 2024年6月30日 (June 30, 2024)."""
        c = self.const(key)
        if lang != "zh" and c is not None and c.type.kind == "date":
            return date_text(c.value, lang)
        return self.expr(key)

    def tier_conds(self, e: ir.Tiers, lang: str = "zh", cond=None) -> list[Optional[str]]:
        """The condition of each row of a 分档 in the table's words (None: 否则 / 其余);
        ``lang`` "en" in English, ``cond`` wording a row's condition (a tier without a subject)."""
        rows = e.rows
        zh = lang == "zh"
        cond = cond or self.cond
        if e.subject is None:
            return [None if r.kind == "else" else cond(r.key) for r in rows]
        checklist = self._checklist_of(e.subject)
        if checklist is not None:
            word = {">=": "及以上", ">": "以上", "<=": "及以下", "<": "以下"} if zh else \
                {">=": " or more", ">": " more than", "<=": " or fewer", "<": " fewer than"}
            out = []
            for r in rows:
                if r.kind == "else":
                    out.append(None)
                    continue
                n = self.const_text(r.key) if isinstance(r.key, ir.Const) else self.expr(r.key)
                more = "" if r.kind == "eq" or r.op == "==" else word.get(r.op, "")
                if zh:
                    out.append(f"符合{n}项{more}")
                elif more.endswith("than"):
                    out.append(f"{more.strip()} {n} points met")
                else:
                    out.append(f"{n}{more} points met")
            return out
        subj = self.expr(e.subject)
        if all(r.kind == "eq" or (r.kind == "cmp" and r.op == "==") for r in rows if r.kind != "else"):
            enum = e.subject.type.kind == "enum"
            return [None if r.kind == "else" else self.expr(r.key) if enum
                    else f"{subj}为{self.expr(r.key)}" if zh else f"{subj} is {self.expr(r.key)}" for r in rows]
        return self.range_conds(subj, rows, e.subject if e.subject.type.kind == "date" else None, lang)
