"""The parse tree -> the AST of :mod:`dsl.ast` (:class:`ToAst`).

Each node gets its span, cut to its own text (a statement's newline and trailing
comments left out). Literals become values here: strings unescaped (triple-quoted ones
dedented), numbers exact ``Decimal`` (at most ``MAX_DIGITS`` digits; ``%`` and
``个百分点`` as fractions), operators through ``ops.SPELLINGS``. What is wrong in a
well-formed tree (E0105 a bad number, a second 等级 block, two 自评得分 in a row, ``×`` as a
sign) raises JixiaoError, which lark hands on wrapped in a VisitError.
"""
from __future__ import annotations

import datetime
import re
import textwrap
import unicodedata
from decimal import Decimal, InvalidOperation

from lark import Token, Transformer, v_args

from . import ast
from .builtins import FUNCS
from .checks.cohort import COHORT_FUNCS
from .diagnostics import JixiaoError, Label, make, tr
from .ops import SPELLINGS
from .source import SourceFile, Span

MAX_DIGITS = 60

TOTAL_NAMES = {"总分", "total"}
PERCENT_UNITS = {"%", "％"}
PP_UNITS = {"个百分点", "百分点", "pp"}


def _unescape(raw: str) -> str:
    if raw.startswith('"""'):
        body = raw[3:-3]
        lines = body.split("\n")
        if len(lines) > 1:
            rest = textwrap.dedent("\n".join(lines[1:]))
            body = lines[0] + ("\n" if lines[0].strip() else "") + rest if lines[0].strip() else rest
        body = body.strip()
    else:
        body = raw[1:-1]
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), body)


@v_args(meta=True)
class ToAst(Transformer):
    def __init__(self, src: SourceFile, comments=()):
        super().__init__(visit_tokens=False)
        self.src = src
        self.comment_at_end = {c.span.end: c.span.start for c in comments}

    def _span(self, meta) -> Span:
        if getattr(meta, "empty", True):
            return Span(self.src, 0, 0)
        start, end = meta.start_pos, meta.end_pos
        # a statement's span ends with its newline and any comments: cut them off
        text, ends = self.src.text, self.comment_at_end
        while end > start:
            if text[end - 1] in " \t\u3000\r\n":
                end -= 1
            elif end in ends and ends[end] >= start:
                end = ends[end]
            else:
                break
        return Span(self.src, start, end)

    def _tspan(self, tok: Token) -> Span:
        return Span(self.src, tok.start_pos, tok.end_pos)

    # ── top level ──
    def start(self, meta, ch):
        return ch[0]

    def rulebook(self, meta, ch):
        title = _unescape(ch[0])
        items, grades, gspan, vetoes, vspan, quotas, qspan = [], (), None, (), None, (), None
        for it in ch[1:]:
            if isinstance(it, tuple) and it and it[0] == "__quotas__":
                if qspan is not None:
                    raise JixiaoError([make("E0203", [Label(it[2], tr("第二个名额块", "second quota block"))], name="名额")])
                quotas, qspan = it[1], it[2]
                continue
            if isinstance(it, tuple) and it and it[0] == "__grades__":
                if grades:
                    raise JixiaoError([make("E0203", [Label(it[2], tr("第二个等级块", "second grade block"))], name="等级")])
                grades, gspan = it[1], it[2]
            elif isinstance(it, tuple) and it and it[0] == "__vetoes__":
                if vspan is not None:
                    raise JixiaoError([make("E0203", [Label(it[2], tr("第二个否决块", "second veto block"))], name="否决")])
                vetoes, vspan = it[1], it[2]
            elif isinstance(it, ast.Let) and it.name.text in TOTAL_NAMES:
                # 总分 = 合计 不加分 扣完为止: how the total holds bonus and penalty
                items.append(ast.TotalRule(it.value, span=it.span))
            else:
                items.append(it)
        return ast.Rulebook(title, tuple(items), grades, gspan, vetoes, quotas, span=self._span(meta))

    def set_version(self, meta, ch):
        return ast.Setting("version", _unescape(ch[0]), span=self._span(meta))

    def set_total(self, meta, ch):
        return ast.Setting("total", ch[0], span=self._span(meta))

    def set_precision(self, meta, ch):
        return ast.Setting("precision", ch[0], span=self._span(meta))

    def set_rounding(self, meta, ch):
        return ast.Setting("rounding", ch[0], span=self._span(meta))

    def set_grade_on(self, meta, ch):
        return ast.Setting("grade_on", ch[0], span=self._span(meta))

    def set_peers(self, meta, ch):
        return ast.Setting("peers", ch[0], span=self._span(meta))

    def set_na_policy(self, meta, ch):
        return ast.Setting("na_policy", ch[0], span=self._span(meta))

    def half_up(self, meta, ch): return "half_up"
    def half_even(self, meta, ch): return "half_even"
    def round_down(self, meta, ch): return "down"
    def round_up(self, meta, ch): return "up"
    def rounded(self, meta, ch): return "rounded"
    def exact(self, meta, ch): return "exact"
    def integer(self, meta, ch): return "integer"
    def full_points(self, meta, ch): return "full_points"
    def exclude(self, meta, ch): return "exclude"

    # ── inputs ──
    def input_decl(self, meta, ch):
        name, typ, rest = ch[0], ch[1], ch[2:]
        doc = only_if = None
        cons = []
        for r in rest:
            if isinstance(r, Token):
                doc = _unescape(r)
            elif isinstance(r, list):
                cons.extend(r)
            elif isinstance(r, tuple) and r and r[0] == "__only_if__":
                only_if = r[1]
            elif r is not None:
                cons.append(r)
        return ast.InputDecl(name, typ, tuple(cons), doc, only_if, span=self._span(meta))

    def only_if(self, meta, ch):
        return ("__only_if__", ch[0])

    def amount_t(self, meta, ch):
        return ast.TypeSpec("amount", str(ch[0]), span=self._span(meta))

    def count_t(self, meta, ch):
        return ast.TypeSpec("count", str(ch[0]), span=self._span(meta))

    def persons_t(self, meta, ch):
        return ast.TypeSpec("count", "人", span=self._span(meta))

    def items_t(self, meta, ch):
        return ast.TypeSpec("count", "项", span=self._span(meta))

    def rate_t(self, meta, ch):
        return ast.TypeSpec("rate", "%", span=self._span(meta))

    def score_t(self, meta, ch):
        return ast.TypeSpec("score", None, span=self._span(meta))

    def number_t(self, meta, ch):
        return ast.TypeSpec("number", None, span=self._span(meta))

    def bool_t(self, meta, ch):
        return ast.TypeSpec("boolean", None, span=self._span(meta))

    def text_t(self, meta, ch):
        return ast.TypeSpec("text", None, span=self._span(meta))

    def date_t(self, meta, ch):
        return ast.TypeSpec("date", None, span=self._span(meta))

    def list_decl(self, meta, ch):
        """``输入 专项资金: 列表 [最多 50项] ["说明"]:`` and its ``字段`` lines."""
        name, size = ch[0], ch[1]
        doc = next((_unescape(c) for c in ch[2:] if isinstance(c, Token)), None)
        fields = tuple(c for c in ch[2:] if isinstance(c, ast.InputDecl))
        sp = self._span(meta)
        typ = ast.TypeSpec("list", None, fields=fields, size=size, span=Span(self.src, name.span.end, sp.end))
        return ast.InputDecl(name, typ, (), doc, span=sp)

    def grade_t(self, meta, ch):
        return ast.TypeSpec("grade", None, tuple(n.text for n in ch), span=self._span(meta))

    def checklist_t(self, meta, ch):
        names = tuple(_unescape(t) for t, _w in ch)
        weights = tuple(w for _t, w in ch)
        if all(w is None for w in weights):
            weights = ()
        return ast.TypeSpec("checklist", None, names, weights, span=self._span(meta))

    def check_item(self, meta, ch):
        return (ch[0], ch[1])

    def bound(self, meta, ch):
        return ast.Constraint(ch[0], ch[1], span=self._span(meta))

    def range_(self, meta, ch):
        sp = self._span(meta)
        return [ast.Constraint(">=", ch[0], span=sp), ast.Constraint("<=", ch[1], span=sp)]

    # ── methods, libraries, rows ──
    def library(self, meta, ch):
        return ast.Library(_unescape(ch[0]), tuple(ch[1:]), span=self._span(meta))

    def import_stmt(self, meta, ch):
        return ast.Import(_unescape(ch[0]), span=self._span(meta))

    def method(self, meta, ch):
        name = ch[0]
        params = tuple(c for c in ch[1:] if isinstance(c, ast.Param))
        body = tuple(c for c in ch[1:] if c is not None and not isinstance(c, ast.Param))
        return ast.Method(name, params, body, span=self._span(meta))

    def param(self, meta, ch):
        return ast.Param(ch[0], ch[2] if len(ch) > 2 else None, span=self._span(meta))

    def require_stmt(self, meta, ch):
        msg = _unescape(ch[1]) if len(ch) > 1 and ch[1] is not None else None
        return ast.Require(ch[0], msg, span=self._span(meta))

    def rows_block(self, meta, ch):
        policies = [c for c in ch if isinstance(c, tuple) and c and c[0] == "__na__"]
        if len(policies) > 1:
            raise JixiaoError([make("E0206", [Label(policies[1][2], tr("重复设置", "set twice"))], name="不适用",
                                    reason_zh="重复", reason_en="(not-applicable policy) is set twice")])
        return ast.RowsBlock(tuple(c for c in ch if isinstance(c, ast.InputDecl)),
                             tuple(c for c in ch if isinstance(c, ast.RowMethod)),
                             tuple(c for c in ch if isinstance(c, ast.Doc)),
                             tuple(c for c in ch if isinstance(c, ast.Allocation)),
                             policies[0][1] if policies else None, span=self._span(meta))

    def rows_na(self, meta, ch):
        return ("__na__", ch[0], self._span(meta))

    def verify_stmt(self, meta, ch):
        msg = _unescape(ch[1]) if len(ch) > 1 and ch[1] is not None else None
        return ast.Verify(ch[0], msg, span=self._span(meta))

    def allocation(self, meta, ch):
        return ast.Allocation(ch[0], tuple(ch[1:]), span=self._span(meta))

    def share(self, meta, ch):
        return (ch[0], ch[1])

    def field_decl(self, meta, ch):
        return self.input_decl(meta, ch)

    def row_method(self, meta, ch):
        return ast.RowMethod(ch[0], ch[-1], span=self._span(meta))

    def case_rows(self, meta, ch):
        return ast.CaseRows(ch[0], tuple(ch[1:]), span=self._span(meta))

    def case_row(self, meta, ch):
        claims = [c for c in ch[1:] if isinstance(c, ast.Claim)]
        if len(claims) > 1:
            raise JixiaoError([make("E0606", [Label(claims[1].span, "")], name="自评得分")])
        nas = [c for c in ch[1:] if isinstance(c, tuple) and c and c[0] == "__row_na__"]
        if len(nas) > 1:
            raise JixiaoError([make("E0606", [Label(nas[1][2], "")], name="不适用")])
        return ast.CaseRow(_unescape(ch[0]), tuple(c for c in ch[1:] if isinstance(c, ast.CaseInput)),
                           claims[0] if claims else None, nas[0][1] if nas else None, span=self._span(meta))

    def row_na(self, meta, ch):
        return ("__row_na__", _unescape(ch[0]) if ch and ch[0] is not None else "", self._span(meta))

    def row_claim(self, meta, ch):
        num = next(c for c in ch if isinstance(c, ast.Num))
        note = _unescape(ch[-1]) if isinstance(ch[-1], Token) and ch[-1].type == "STRING" else None
        return ast.Claim((), num, note, span=self._span(meta))

    # ── hierarchy ──
    def level1(self, meta, ch): return "level1"
    def level2(self, meta, ch): return "level2"
    def level3(self, meta, ch): return "level3"
    def item(self, meta, ch): return "item"

    def points(self, meta, ch):
        return ch[0]

    def node(self, meta, ch):
        level, name, pts, body = ch[0], ch[1], ch[2], ch[3:]
        return ast.IndicatorNode(level, name, pts, tuple(body), span=self._span(meta))

    def adjust_node(self, meta, ch):
        kind, name, cap, pts, body = ch[0], ch[1], ch[2], ch[3], ch[4:]
        return ast.IndicatorNode("level3", name, pts, tuple(body), kind, cap is not None, cap, span=self._span(meta))

    def bonus(self, meta, ch): return "bonus"
    def penalty(self, meta, ch): return "penalty"

    def cap_kw(self, meta, ch):
        return self._span(meta)

    def vetoes(self, meta, ch):
        return ("__vetoes__", tuple(ch), self._span(meta))

    def quotas(self, meta, ch):
        return ("__quotas__", tuple(ch), self._span(meta))

    def quota_row(self, meta, ch):
        return ast.Quota(ch[0], ch[1], ch[2], ch[3] or "down", span=self._span(meta))

    def ties_down(self, meta, ch): return "down"
    def ties_kept(self, meta, ch): return "kept"

    def veto_cap(self, meta, ch):
        return ast.Veto(ch[0], ch[1], True, span=self._span(meta))

    def veto_set(self, meta, ch):
        return ast.Veto(ch[0], ch[1], False, span=self._span(meta))

    def nondecreasing(self, meta, ch):
        return ast.Monotone(1, tuple(ch), span=self._span(meta))

    def nonincreasing(self, meta, ch):
        return ast.Monotone(-1, tuple(ch), span=self._span(meta))

    def doc_stmt(self, meta, ch):
        return ast.Doc("doc", _unescape(ch[0]), span=self._span(meta))

    def criteria_stmt(self, meta, ch):
        return ast.Doc("criteria", _unescape(ch[0]), span=self._span(meta))

    def let_stmt(self, meta, ch):
        return ast.Let(ch[0], ch[-1], span=self._span(meta))

    def score_stmt(self, meta, ch):
        return ast.ScoreRule(ch[-1], span=self._span(meta))

    def tiers(self, meta, ch):
        subject, rows = ch[0], ch[1:]
        return ast.Tiers(subject, tuple(rows), span=self._span(meta))

    def cmp_row(self, meta, ch):
        return ast.TierRow("cmp", ch[0], ch[1], ch[2], span=self._span(meta))

    def value_row(self, meta, ch):
        return ast.TierRow("value", None, ch[0], ch[1], span=self._span(meta))

    def else_row(self, meta, ch):
        return ast.TierRow("else", None, None, ch[0], span=self._span(meta))

    def grades(self, meta, ch):
        return ("__grades__", tuple(ch), self._span(meta))

    def grade_row(self, meta, ch):
        return ast.GradeBand(ch[0], ch[1] if len(ch) > 1 else None, span=self._span(meta))

    # ── expressions ──
    def floor_zero(self, meta, ch):
        return ast.Clamp("floor_zero", ch[0], None, span=self._span(meta))

    def capped(self, meta, ch):
        return ast.Clamp("capped", ch[0], None, span=self._span(meta))

    def at_most(self, meta, ch):
        return ast.Clamp("at_most", ch[0], ch[1], span=self._span(meta))

    def at_least(self, meta, ch):
        return ast.Clamp("at_least", ch[0], ch[1], span=self._span(meta))

    def if_(self, meta, ch):
        return ast.If(ch[0], ch[1], ch[2], span=self._span(meta))

    def or_(self, meta, ch):
        return ast.Logic("or", ch[0], ch[1], span=self._span(meta))

    def and_(self, meta, ch):
        return ast.Logic("and", ch[0], ch[1], span=self._span(meta))

    def not_(self, meta, ch):
        return ast.Not(ch[0], span=self._span(meta))

    def cmp_op(self, meta, ch):
        return SPELLINGS[str(ch[0])]

    def compare(self, meta, ch):
        return ast.Compare(tuple(ch[0::2]), tuple(ch[1::2]), span=self._span(meta))

    def binop(self, meta, ch):
        return ast.BinOp(SPELLINGS[str(ch[1])], ch[0], ch[2], span=self._span(meta))

    def neg(self, meta, ch):
        op = SPELLINGS[str(ch[0])]
        if op == "+":
            return ch[1]
        if op != "-":
            raise JixiaoError([make("E0101", [Label(self._tspan(ch[0]), "")], found_zh=f"「{ch[0]}」", found_en=f"`{ch[0]}`")])
        return ast.Neg(ch[1], span=self._span(meta))

    def ref(self, meta, ch):
        return ast.Ref((ch[0],), span=self._span(meta))

    def qref(self, meta, ch):
        return ast.Ref(tuple(ch), span=self._span(meta))

    def call(self, meta, ch):
        args = tuple(a for a in ch[1:] if a is not None)
        name = ch[0].text
        canonical = FUNCS.get(name) or (":".join(map(str, COHORT_FUNCS[name])) if name in COHORT_FUNCS else name)
        return ast.Call(ch[0], args, canonical, span=self._span(meta))

    def na(self, meta, ch):
        return ast.NotApplicable(span=self._span(meta))

    def rated_full(self, meta, ch):
        return ast.Rated(None, None, span=self._span(meta))

    def rated_band(self, meta, ch):
        return ast.Rated(ch[0], ch[1], span=self._span(meta))

    def peer_score(self, meta, ch):
        return ast.PeerScore(span=self._span(meta))

    def unscorable(self, meta, ch):
        return ast.Unscorable(_unescape(ch[0]), span=self._span(meta))

    def true_(self, meta, ch):
        return ast.Bool(True, span=self._span(meta))

    def false_(self, meta, ch):
        return ast.Bool(False, span=self._span(meta))

    def list_lit(self, meta, ch):
        items = [a for a in ch if a is not None]
        notes = tuple(n for _e, n in items)
        return ast.ListLit(tuple(e for e, _n in items), notes if any(n is not None for n in notes) else (),
                           span=self._span(meta))

    def list_item(self, meta, ch):
        return (ch[0], _unescape(ch[1]) if len(ch) > 1 and ch[1] is not None else None)

    def date_lit(self, meta, ch):
        tok = ch[0]
        text = unicodedata.normalize("NFKC", str(tok))
        parts = [int(x) for x in re.findall(r"\d+", text)]
        try:
            value = datetime.date(*parts)
        except ValueError as e:
            reason = {"month must be in 1..12": ("月份应在1至12之间", "the month must be 1 to 12"),
                      "year 0 is out of range": ("年份不能为0", "the year cannot be 0")}.get(
                str(e), ("该月没有这一天", "the month has no such day"))
            raise JixiaoError([make("E0120", [Label(self._tspan(tok), "")], text=str(tok),
                                    reason_zh=reason[0], reason_en=reason[1])]) from None
        return ast.DateLit(value, span=self._tspan(tok))

    def item_ref(self, meta, ch):
        base, tok = ch[0], ch[1]
        ref = ast.Ref((base,), span=base.span)
        if tok.type == "STRING":
            index = _unescape(tok)
        else:
            index = Decimal(unicodedata.normalize("NFKC", str(tok)))
        return ast.ItemRef(ref, index, span=self._span(meta))

    def number(self, meta, ch):
        tok, unit = ch[0], ch[1]
        span = self._span(meta)
        text = unicodedata.normalize("NFKC", str(tok))
        digits = sum(c.isdigit() for c in text)
        if digits > MAX_DIGITS:
            raise JixiaoError([make("E0105", [Label(span, tr(f"{digits} 位", f"{digits} digits"))], text=text[:20] + "…",
                                    reason_zh=f"超过 {MAX_DIGITS} 位", reason_en=f"more than {MAX_DIGITS} digits")])
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise JixiaoError([make("E0105", [Label(span, "")], text=text, reason_zh="不是数字", reason_en="not a number")]) from None
        u = None
        if unit is not None:
            u = str(unit)
            if u in PERCENT_UNITS:
                value, u = value / 100, "%"
            elif u in PP_UNITS:
                value, u = value / 100, "pp"
        return ast.Num(value, u, span=span)

    def unit(self, meta, ch):
        return ch[0]

    def name(self, meta, ch):
        tok = ch[0]
        text = str(tok)
        if tok.type == "QNAME":
            text = text[1:-1]
        return ast.Name(text, span=self._tspan(tok))

    # ── cases ──
    @staticmethod
    def _case_items(items) -> dict:
        """A case's (or test case's) statements by kind: inputs, rows, claimed, assessed, expected."""
        out = {"inputs": [], "rows": [], "claimed": [], "assessed": [], "expected": [], "lists": [], "rated": []}
        for it in items:
            if isinstance(it, ast.CaseInput):
                out["inputs"].append(it)
            elif isinstance(it, ast.CaseRows):
                out["rows"].append(it)
            elif isinstance(it, ast.CaseList):
                out["lists"].append(it)
            else:
                out[it[0]].extend(it[1])
        return {k: tuple(v) for k, v in out.items()}

    def case(self, meta, ch):
        k = self._case_items(ch[1:])
        return ast.Case(_unescape(ch[0]), k["inputs"], k["claimed"], k["assessed"], k["rows"], k["lists"],
                        k["rated"], span=self._span(meta))

    def case_list(self, meta, ch):
        return ast.CaseList(ch[0], tuple(ch[1:]), span=self._span(meta))

    def case_input(self, meta, ch):
        names = tuple(c for c in ch if isinstance(c, ast.Name))
        value = ch[-1]
        if isinstance(value, Token):      # a text value: "产出指标"
            value = ast.Text(_unescape(value), span=self._tspan(value))
        return ast.CaseInput(names, value, span=self._span(meta))

    def claimed(self, meta, ch):
        return ("claimed", ch)

    # ── test suites ──
    def suite(self, meta, ch):
        title = _unescape(ch[0])
        rulebook = base = None
        cases = []
        for it in ch[1:]:
            if isinstance(it, ast.TestCase):
                cases.append(it)
            elif it[0] == "rulebook":
                rulebook = it[1]
            else:
                base = it[1]
        return ast.Suite(title, rulebook, base, tuple(cases), span=self._span(meta))

    def suite_rulebook(self, meta, ch):
        return ("rulebook", _unescape(ch[0]))

    def suite_base(self, meta, ch):
        return ("base", _unescape(ch[0]))

    def test_case(self, meta, ch):
        k = self._case_items(ch[1:])
        return ast.TestCase(_unescape(ch[0]), k["inputs"], k["expected"], k["claimed"], k["assessed"], k["rows"],
                            k["lists"], k["rated"], span=self._span(meta))

    def expected(self, meta, ch):
        return ("expected", ch)

    def expect_row(self, meta, ch):
        names = tuple(c for c in ch if isinstance(c, ast.Name))
        return ast.Expect(names, ch[-1], span=self._span(meta))

    def assessed(self, meta, ch):
        return ("assessed", ch)

    def rated_scores(self, meta, ch):
        return ("rated", ch)

    def rated_row(self, meta, ch):
        names = tuple(c for c in ch if isinstance(c, ast.Name))
        num = next((c for c in ch if isinstance(c, ast.Num)), None)
        note = _unescape(ch[-1]) if isinstance(ch[-1], Token) and ch[-1].type == "STRING" else None
        return ast.Claim(names, num, note, span=self._span(meta))

    def no_pick(self, meta, ch):
        return None

    def claim_row(self, meta, ch):
        names = tuple(c for c in ch if isinstance(c, ast.Name))
        num = next(c for c in ch if isinstance(c, ast.Num))
        note = _unescape(ch[-1]) if isinstance(ch[-1], Token) and ch[-1].type == "STRING" else None
        return ast.Claim(names, num, note, span=self._span(meta))
