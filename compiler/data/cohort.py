"""Scoring a cohort: the units of a data file scored together, against each other.

A rulebook with cohort rules (排名, 同类平均 …, 按同类平均得分计, 名额) is scored in two
passes over the data, whatever its size:

1. each unit's row is read and validated, and the rulebook's generated ``_keys`` computes
   what the unit contributes to the statistics (the subject of each, and its kind, 同类) —
   only the indicators those subjects read are scored; nothing else of the row is kept;
2. the statistics are computed (``runtime.cohort_values``: ranks, averages, medians …, per
   kind for 同类 ones), then the file is read again and each unit scored with its own
   values of them, as any unit is.

With ``-j N`` (a CSV file) both passes run in N forked worker processes over blocks of
rows, in order; the main process reads the rows and computes the statistics, so the
output is the same as with one process.

Grade quotas (名额) then move the units beyond a band's places to its fallback band
(``runtime.apply_quotas``); that needs every unit's total, so the scored units are kept
when the rulebook has quotas. A unit whose row is bad in the first pass is left out of the
cohort and reported once. ``given`` (``--cohort FILE``) replaces the computed statistics.
"""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional

import attrs

from ...dsl.diagnostics import JixiaoError
from ...dsl.ir import fmt_decimal

from ..api import CompiledRulebook, error_msg
from ..backend import runtime
from .columns import Columns
from .readers import read_rows
from .results import BadRows, DataError, RowError, Scored


@attrs.define
class CohortStats:
    """The statistics of one cohort (``runtime.Cohort``, or the values given by --cohort
    FILE): ``value(k, u)`` is statistic ``k`` (the rulebook's cohort inputs, in order) for
    unit ``u``; ``kind(u)`` the unit's 同类 value; ``size(k, u)`` how many units are behind it."""
    rb: CompiledRulebook
    cohort: Any                    # runtime.Cohort, finished
    given: Optional[Mapping[str, Any]] = None   # --cohort FILE: the values as given, by kind
    cache: dict = attrs.field(factory=dict)     # kind -> the given values of its statistics

    @classmethod
    def collect(cls, rb: CompiledRulebook) -> "CohortStats":
        return cls(rb, runtime.Cohort(rb.evaluator.cohort))

    def value(self, k: int, u: int):
        if self.given is None:
            return self.cohort.value(k, u)
        kind = self.kind(u)
        if kind is runtime.Cohort.OUT:
            return None
        return self._given(kind)[k]

    def _given(self, kind):
        cache = self.cache
        if kind not in cache:
            rb = self.rb
            try:
                vals = rb.with_cohort({rb.program.peers.name: kind} if rb.program.peers else {}, self.given)
            except JixiaoError as e:
                raise DataError(e.diagnostics[0].msg.text("both")) from None
            cache[kind] = [vals[i.name] for i in rb.program.cohort_inputs]
        return cache[kind]

    def kind(self, u: int):
        return self.cohort.kinds[u]

    def unit(self, u: int) -> dict:
        """name -> value of each statistic for unit ``u`` (as ``evaluate(cohort=…)`` takes it)."""
        return {inp.name: self.value(k, u) for k, inp in enumerate(self.rb.program.cohort_inputs)}

    def size(self, k: int, u: int) -> int:
        return self.cohort.size(k, u)


def read_given(rb: CompiledRulebook, path: Path) -> dict:
    """``--cohort FILE``: a JSON object of statistic (as written) -> value, or -> {kind: value}."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8-sig"), parse_float=Decimal)
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise DataError(f"无法读取参评单位统计值文件 / cannot read the cohort file {path}: {e}") from None
    if not isinstance(data, dict):
        raise DataError(f"{path}: 应为 JSON 对象（统计值 → 值） / expected a JSON object (statistic -> value)")
    return data


def _rows(rb: CompiledRulebook, path, mapping, sheet) -> tuple[Columns, Iterator]:
    """(columns, iterator of (row number, cells, validated values or [RowError])). ``path``
    is a data file, or a callable giving (headers, rows) afresh at each call (a DataFrame's)."""
    headers, rows = path() if callable(path) else read_rows(path, sheet)
    columns = Columns(rb, headers, mapping, None)
    missing = columns.missing()
    if missing:
        raise DataError("数据中缺少这些输入的列 / the data has no column for: " + "、".join(missing)
                        + "（可用 --mapping 指定列名 / map other header names with --mapping）")
    if columns.rows_column is not None:
        raise DataError("按参评单位比较的规则集暂不支持指标行列 / a cohort rulebook does not take 指标行 columns yet")
    convert = columns.fast_converter(rb) if not callable(path) and path.suffix.lower() == ".csv" else None
    ev = rb.evaluator

    def gen():
        for rowno, cells in rows:
            values = convert(cells) if convert is not None else None
            if values is None:
                raw, _ids, where = columns.row_to_inputs(cells)
                try:
                    values = runtime.validate(raw, ev.inputs, ev.optional)
                except runtime.InputErrors as e:
                    yield rowno, cells, [RowError(rowno, where.get(x.field), x.field, error_msg(x)) for x in e.errors]
                    continue
            yield rowno, cells, values
    return columns, gen()


def unit_keys(rb: CompiledRulebook, values: list):
    """What one unit contributes to the statistics: (subjects, kind)."""
    with runtime._localcontext(runtime.CONTEXT):
        return rb.evaluator.keys(values)


def _key_of(rb: CompiledRulebook, rowno: int, values):
    """One unit's keys, or the list of its RowErrors."""
    if isinstance(values, list) and values and isinstance(values[0], RowError):
        return values
    try:
        return unit_keys(rb, values)
    except runtime.EvaluationError as e:
        return [RowError(rowno, None, e.field, error_msg(e))]
    except ArithmeticError:
        return [RowError(rowno, None, None, error_msg(_located(rb, values)))]


def collect_keys(rb: CompiledRulebook, path: Path, mapping=None, sheet=None, pool=None,
                 given: Optional[Mapping[str, Any]] = None) -> tuple["CohortStats", dict]:
    """Pass 1: each unit's contribution to the statistics, then the statistics; and the bad
    rows' errors by unit (such a unit is left out of the cohort)."""
    stats = CohortStats.collect(rb)
    stats.given = given
    bad = {}
    if pool is not None:
        found = (k for block in _ordered(pool, _keys_block, _blocks(path)) for k in block)
    else:
        _cols, rows = _rows(rb, path, mapping, sheet)
        found = (_key_of(rb, rowno, values) for rowno, _cells, values in rows)
    add = stats.cohort.add
    for u, k in enumerate(found):
        if isinstance(k, list):
            add(None)
            bad[u] = k
        else:
            add(k)
    stats.cohort.finish()
    return stats, bad


# ── -j N: the rows of a CSV cut into blocks, each pass's work done by worker processes ──
_W: dict = {}
BLOCK = 2000


def _ordered(pool, fn, blocks):
    """``fn`` of each block in the workers, the results in order; at most 2 × workers blocks
    in flight, so memory stays flat."""
    from collections import deque
    pending: deque = deque()
    limit = 2 * pool._processes
    for b in blocks:
        pending.append(pool.apply_async(fn, (b,)))
        while len(pending) >= limit:
            yield pending.popleft().get()
    while pending:
        yield pending.popleft().get()


def _blocks(path: Path, stats=None):
    """Blocks of (row number, cells[, the unit's statistics]) in row order."""
    _headers, rows = read_rows(path)
    block, u = [], 0
    n = len(stats.rb.program.cohort_inputs) if stats is not None else 0
    for rowno, cells in rows:
        block.append((rowno, cells) if stats is None else (rowno, cells, tuple(stats.value(k, u) for k in range(n))))
        u += 1
        if len(block) >= BLOCK:
            yield block
            block = []
    if block:
        yield block


def _validated(rowno, cells):
    values = _W["convert"](cells)
    if values is None:
        raw, _ids, where = _W["columns"].row_to_inputs(cells)
        try:
            values = runtime.validate(raw, _W["rb"].evaluator.inputs, _W["rb"].evaluator.optional)
        except runtime.InputErrors as e:
            return [RowError(rowno, where.get(x.field), x.field, error_msg(x)) for x in e.errors]
    return values


def _keys_block(block):
    return [_key_of(_W["rb"], rowno, _validated(rowno, cells)) for rowno, cells in block]


def _score_block(block):
    out = []
    for rowno, cells, stats in block:
        values = _validated(rowno, cells)
        out.append(_score_unit(_W["rb"], _W["slots"], _W["id_cols"], _W["quotas"], rowno, cells, values, stats))
    return out


def _score_unit(rb, slots, id_cols, quotas, rowno, cells, values, stats):
    """One unit scored with its statistics: Scored, or its RowErrors."""
    if isinstance(values, list) and values and isinstance(values[0], RowError):
        return values
    for (_k, ix), v in zip(slots, stats):
        values[ix] = v
    try:
        scores, total, grade, na = rb.evaluator.run(values)
    except runtime.EvaluationError as e:
        return [RowError(rowno, None, e.field, error_msg(e))]
    n = len(cells)
    extra = tuple(shown(v) for v in stats) + (("",) if quotas else ())
    return Scored(rowno, {h: (cells[c] if c < n else None) for h, c in id_cols}, scores, total, grade, tuple(na), (), extra)


def _pool(rb: CompiledRulebook, path, mapping, jobs: int):
    """A pool of ``jobs`` forked workers holding the rulebook and the column layout (a CSV
    file only; None otherwise, or where fork is not available)."""
    import multiprocessing as mp
    from .parallel import fork_is_safe
    if jobs <= 1 or callable(path) or path.suffix.lower() != ".csv" or not fork_is_safe():
        return None
    headers, rows = read_rows(path)
    rows.close()
    columns = Columns(rb, headers, mapping, None)
    if columns.missing() or columns.rows_column is not None:
        return None                      # the one-process path words the problem
    _W.update(rb=rb, columns=columns, convert=columns.fast_converter(rb), id_cols=[(headers[c], c) for c in columns.id_columns],
              slots=[(k, inp.index) for k, inp in enumerate(rb.program.cohort_inputs)], quotas=rb.evaluator.quotas)
    return mp.get_context("fork").Pool(jobs)


def _located(rb, values):
    """The error of a unit whose keys failed in arithmetic: the traced path words it."""
    try:
        rb.evaluator.run(values, None, [])
    except runtime.EvaluationError as e:
        return e
    return runtime.EvaluationError("E0701", {"name": "?"}, None, None, None)


SHOWN = Decimal("0.000001")


def shown(v):
    """A statistic as the output shows it: to 6 decimal places (the scores use its exact value)."""
    if v is None or v == v.to_integral_value():
        return v
    return v.quantize(SHOWN).normalize() if v.adjusted() < 30 else v


def extra_headers(rb: CompiledRulebook) -> list[str]:
    """The columns written after 等级: each statistic's value for the unit, and the quota's note."""
    return [i.name for i in rb.program.cohort_inputs] + (["名额"] if rb.program.quotas else [])


def quota_text(note, grade: str, lang: str = "zh") -> str:
    """按总分排名第7/20，优秀名额6个，评为良好"""
    band, places, rank, n = note
    if lang == "zh":
        return f"按总分排名第{rank}/{n}，{band}名额{places}个，评为{grade}"
    return f"ranked {rank} of {n} by total; {places} place(s) for {band}: graded {grade}"


def score_cohort(rb: CompiledRulebook, path: Path, *, mapping=None, sheet=None, on_error: str = "stop",
                 errors: Optional[list] = None, given: Optional[Mapping[str, Any]] = None, jobs: int = 1
                 ) -> tuple[Columns, Iterator[Scored], CohortStats]:
    """Every unit of a data file scored with the cohort's statistics: (columns, Scored in row
    order, the statistics). Bad rows raise BadRows (stop) or go to ``errors`` (skip)."""
    errs = errors if errors is not None else []
    pool = _pool(rb, path, mapping, jobs)
    try:
        stats, bad = collect_keys(rb, path, mapping, sheet, pool, given)
    except BaseException:
        if pool is not None:
            pool.terminate()
        raise
    if bad and on_error == "stop":
        if pool is not None:
            pool.terminate()
        raise BadRows(bad[min(bad)])
    columns, rows = (_W["columns"], None) if pool is not None else _rows(rb, path, mapping, sheet)
    id_cols = [(columns.headers[c], c) for c in columns.id_columns]
    ev = rb.evaluator
    slots = [(k, inp.index) for k, inp in enumerate(rb.program.cohort_inputs)]
    quotas = ev.quotas

    def results():
        if pool is not None:
            try:
                for u, r in enumerate(r for block in _ordered(pool, _score_block, _blocks(path, stats)) for r in block):
                    yield bad[u] if u in bad else r
            finally:
                pool.terminate()
            return
        for u, (rowno, cells, values) in enumerate(rows):
            if u in bad:
                yield bad[u]
                continue
            yield _score_unit(rb, slots, id_cols, quotas, rowno, cells, values,
                              tuple(stats.value(k, u) for k, _ix in slots))

    def sorted_out():
        for r in results():
            if isinstance(r, Scored):
                yield r
            elif on_error == "stop":
                raise BadRows(r)
            else:
                errs.extend(r)

    if on_error == "each":          # every row's result in order, Scored or its RowErrors (diff)
        out = list(results())
        done = [r for r in out if isinstance(r, Scored)]
        if quotas:
            moved = iter(with_quotas(rb, done))
            out = [next(moved) if isinstance(r, Scored) else r for r in out]
        return columns, iter(out), stats
    if not quotas:
        return columns, sorted_out(), stats
    done = list(sorted_out())
    return columns, iter(with_quotas(rb, done)), stats


def with_quotas(rb: CompiledRulebook, done: list) -> list:
    """The scored units with the grade quotas applied (and the note of each pushed down)."""
    grades, notes = runtime.apply_quotas([s.total for s in done], [s.grade for s in done], rb.evaluator.quotas)
    return [attrs.evolve(s, grade=g, extra=s.extra[:-1] + ((quota_text(notes[u], g),) if u in notes else ("",)))
            for u, (s, g) in enumerate(zip(done, grades))]


def score_cohort_file(rb: CompiledRulebook, data: Path, out: Optional[Path], *, mapping=None, sheet=None,
                      on_error: str = "stop", stdout=None, progress=None, cohort_file: Optional[Path] = None,
                      jobs: int = 1):
    """``jixiao score RULEBOOK DATA -o OUT`` for a cohort rulebook: (units scored, RowErrors)."""
    from .writers import write_results
    if data.is_dir() or data.suffix.lower() == ".jxc":
        raise DataError("按参评单位比较的规则集须用数据文件（每行一个单位）评分 / a cohort rulebook scores a data file "
                        "(one unit a row)")
    errors: list = []
    given = read_given(rb, cohort_file) if cohort_file is not None else None
    columns, scored, _stats = score_cohort(rb, data, mapping=mapping, sheet=sheet, on_error=on_error,
                                           errors=errors, given=given, jobs=jobs)
    ids = [columns.headers[c] for c in columns.id_columns]
    n = write_results(rb, scored, out, ids, stdout=stdout, progress=progress, extra_headers=extra_headers(rb))
    return n, errors


def explain_unit(rb: CompiledRulebook, path: Path, unit: str, *, mapping=None, sheet=None, given=None, lang: str = "zh"):
    """(Result with trace, cohort sentences, the quota's note or None) of one unit of a data
    file, found by an id cell's value or its row number. The Result's grade is its band's
    (and vetoes'); the note says where the quota moved it."""
    stats, bad = collect_keys(rb, path, mapping, sheet, given=given)
    columns, rows = _rows(rb, path, mapping, sheet)
    found = None
    all_rows = []
    for u, (rowno, cells, values) in enumerate(rows):
        ids = [str(cells[c]) for c in columns.id_columns if c < len(cells)]
        if (unit in ids or unit == str(rowno)) and found is None and u not in bad:
            raw, _ids, _where = columns.row_to_inputs(cells)
            found = (u, raw, unit_keys(rb, list(values)))
        if rb.program.quotas and u not in bad:
            all_rows.append((u, values))
    if found is None:
        raise DataError(f"数据中没有单位「{unit}」（按标识列或行号） / no unit `{unit}` in the data (by an id cell or row number)")
    u, raw, key = found
    result = rb.evaluate(raw, trace=True, cohort=stats.unit(u))
    lines = cohort_sentences(rb, stats, u, key, lang)
    if rb.program.quotas:
        done = []
        slots = [(k, inp.index) for k, inp in enumerate(rb.program.cohort_inputs)]
        index = {}
        for v, values in all_rows:
            for k, ix in slots:
                values[ix] = stats.value(k, v)
            try:
                _s, total, grade, _na = rb.evaluator.run(values)
            except runtime.EvaluationError:
                continue
            index[v] = len(done)
            done.append(Scored(v, {}, (), total, grade, (), (), ("",)))
        after = with_quotas(rb, done)
        if u in index and after[index[u]].extra[-1]:
            quota = (after[index[u]].extra[-1] if lang == "zh" else
                     quota_text(_note(rb, done, u, index), after[index[u]].grade, "en"))
            return result, lines, quota
    return result, lines, None


def _note(rb, done, u, index):
    """The quota note (band, places, rank, n) of unit ``u`` among ``done``."""
    _g, notes = runtime.apply_quotas([s.total for s in done], [s.grade for s in done], rb.evaluator.quotas)
    return notes[index[u]]


def cohort_sentences(rb: CompiledRulebook, stats: CohortStats, u: int, key, lang: str = "zh") -> list[str]:
    """同类（单位类别 = 行政单位）18个单位平均 94.13%，本单位 85%，低 9.13 个百分点 / 24个单位中…排第4名."""
    out = []
    prog = rb.program
    zh = lang == "zh"
    for k, inp in enumerate(prog.cohort_inputs):
        st = inp.cohort
        v = stats.value(k, u)
        mine = key[0][k] if key is not None else None
        unit = inp.type.unit
        show = _shower(unit)
        n = stats.size(k, u)
        if stats.given is not None:
            who = ("给定的" + ("同类" if st.peers else "") + "统计值") if zh else "the statistics as given"
        elif zh:
            who = (f"同类（{prog.peers.name} = {stats.kind(u)}）" if st.peers else "参评") + f"{n}个单位"
        else:
            who = (f"the {n} peer unit(s) ({prog.peers.name} = {stats.kind(u)})" if st.peers else f"the {n} unit(s) scored together")
        if st.func in ("rank", "position"):
            subj = _subject_text(st)
            if zh:
                order = "从高到低" if st.descending else "从低到高"
                ties = "同值并列，其后名次顺延" if st.dense else "同值并列，其后名次跳过"
                text = (f"{st.text}：{who}中按「{subj}」{order}排第{fmt_decimal(v)}名" if st.func == "rank"
                        else f"{st.text}：{who}中位次比例 {show(v)}")
                out.append(f"{text}（本单位 {show(mine, _subject_unit(st))}；{ties}）")
            else:
                order = "highest first" if st.descending else "lowest first"
                ties = "ties share a rank, the next follows on" if st.dense else "ties share a rank, the next skips"
                text = (f"{st.text}: rank {fmt_decimal(v)} among {who} by `{subj}`, {order}" if st.func == "rank"
                        else f"{st.text}: position {show(v)} among {who}")
                out.append(f"{text} (this unit {show(mine, _subject_unit(st))}; {ties})")
            continue
        if st.func == "count":
            out.append(f"{st.text}：{who}" if zh else f"{st.text}: {who}")
            continue
        if st.fallback_of is not None:
            out.append(f"{st.text}：{who}中「{st.fallback_of.name}」按规则计分的平均得分 {show(v)}分" if zh else
                       f"{st.text}: the average score of `{st.fallback_of.name}` by its rule among {who}: {show(v)}")
            continue
        word = ({"mean": "平均", "median": "中位数", "max": "最高", "min": "最低"} if zh else
                {"mean": "average", "median": "median", "max": "highest", "min": "lowest"})[st.func]
        text = f"{st.text}：{who}{word} {show(v)}" if zh else f"{st.text}: {word} of {who} {show(v)}"
        if mine is not None and v is not None:
            diff = mine - v
            gap = _diff_text(abs(diff), unit, lang)
            if zh:
                text += f"，本单位 {show(mine)}，" + ("与之相同" if diff == 0 else f"{'高' if diff > 0 else '低'} {gap}")
            else:
                text += f"; this unit {show(mine)}, " + ("the same" if diff == 0 else f"{gap} {'above' if diff > 0 else 'below'}")
        out.append(text)
    return out


def _subject_text(st) -> str:
    sp = st.subject.span if st.subject is not None else None
    return " ".join(sp.text().split()) if sp is not None else st.text


def _subject_unit(st):
    return st.subject.type.unit if st.subject is not None else None


def _shower(unit):
    def show(v, u=unit):
        if v is None:
            return "—"
        if u == "%":
            return fmt_decimal((v * 100).quantize(Decimal("0.01")).normalize()) + "%"
        q = v.quantize(Decimal("0.0001")) if v != v.to_integral_value() else v
        return fmt_decimal(q.normalize()) + ("" if u in (None, "分", "%") else u)
    return show


def _diff_text(d: Decimal, unit, lang: str = "zh") -> str:
    if unit == "%":
        return fmt_decimal((d * 100).quantize(Decimal("0.01")).normalize()) + (" 个百分点" if lang == "zh" else " percentage points")
    return fmt_decimal(d.quantize(Decimal("0.0001")).normalize()) + ("" if unit in (None, "分") else unit)
