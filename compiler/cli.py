"""The ``jixiao`` command line: a thin layer over :mod:`jixiao.compiler.api` and the
tools beside it.

Each command parses its options, calls the library and prints. The errors a user can
cause reach one boundary (:class:`_Group`): a rulebook's or case's diagnostics are
printed as ``jixiao check`` prints them (in the ``--lang`` asked for), an unreadable data
file or an OS error as one line; the exit code is 1. Usage errors are click's (exit 2).
"""
from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import click

from ..dsl.diagnostics import JixiaoError, Msg, render_github, render_json, render_sarif, render_text

from . import api
from .publish.report import score_table

LANGS = ("both", "zh", "en")


# Characters a terminal's code page may lack (GBK on a Chinese Windows console, or output
# redirected there), and what is written instead; anything else it cannot encode becomes
# "?". Said once on standard error when it happened (docs/data-files.md).
FALLBACKS = {"✓": "√", "✔": "√", "✗": "×", "✘": "×", "—": "-", "–": "-", "…": "...", "→": "->", "≥": ">=",
             "≤": "<=", "≠": "!=", "\u00a0": " "}
_replaced: list = []


def _fallback(e: UnicodeEncodeError):
    out = []
    for ch in e.object[e.start:e.end]:
        alt = FALLBACKS.get(ch, "?")
        try:
            alt.encode(e.encoding)
        except (UnicodeEncodeError, LookupError):
            alt = "?"
        out.append(alt)
    if not _replaced:
        _replaced.append(e.encoding)
    return "".join(out), e.end


import codecs  # noqa: E402

codecs.register_error("jixiao-fallback", _fallback)


def _tolerant_streams() -> None:
    """Standard output and error in an encoding that cannot hold every character (GBK):
    replace what it lacks (FALLBACKS, else ?) rather than die mid-output."""
    for stream in (sys.stdout, sys.stderr):
        enc = (getattr(stream, "encoding", None) or "").lower().replace("_", "-")
        if enc and not enc.startswith("utf") and hasattr(stream, "reconfigure"):
            try:
                stream.reconfigure(errors="jixiao-fallback")
            except (ValueError, OSError, io.UnsupportedOperation):
                pass


def _say_replaced() -> None:
    if _replaced:
        enc = _replaced.pop()
        _replaced.clear()
        try:
            click.echo(f"注意：输出编码 {enc} 无法表示部分字符，已替换（对勾写作 √，其余为 ?） / note: the output "
                       f"encoding {enc} cannot hold some characters; they were replaced (a tick by √, others by ?)",
                       err=True)
        except Exception:
            pass
        _replaced.clear()


def _stop_on_signals():
    """SIGTERM and SIGHUP stop a command as Ctrl-C does: by an exception, so that every
    ``finally`` runs (a partial output's temporary file is removed, worker processes are
    stopped) instead of the process dying where it stands. Exit status 128 + the signal's
    number, as a shell reports it. Returns the function that puts the old handlers back."""
    import signal
    import threading
    if threading.current_thread() is not threading.main_thread():
        return lambda: None
    old = {}

    def stop(signum, _frame):
        raise SystemExit(128 + signum)
    for name in ("SIGTERM", "SIGHUP"):
        sig = getattr(signal, name, None)
        if sig is not None:
            try:
                old[sig] = signal.signal(sig, stop)
            except (ValueError, OSError):
                pass

    def restore():
        for sig, handler in old.items():
            try:
                signal.signal(sig, handler)
            except (ValueError, OSError, TypeError):
                pass
    return restore


class _Group(click.Group):
    """The one error boundary of the command line."""

    def invoke(self, ctx):
        _tolerant_streams()
        restore = _stop_on_signals()
        try:
            return self._invoke(ctx)
        finally:
            restore()
            _say_replaced()

    def _invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except JixiaoError as e:
            click.echo(render_text(e.diagnostics, lang=ctx.meta.get("jixiao.lang", "both")), err=True)
            sys.exit(1)
        except OSError as e:          # a missing folder, a full disk, a file that cannot be written …
            where = getattr(e, "filename", None)
            click.echo(f"error: {where}: {e.strerror or e}" if where else f"error: {e.strerror or e}", err=True)
            sys.exit(1)
        except Exception as e:
            from .data import DataError
            if isinstance(e, DataError):
                click.echo(f"error: {e}", err=True)
                sys.exit(1)
            raise


def _remember_lang(ctx, _param, value):
    ctx.meta["jixiao.lang"] = value
    return value


def lang_option(choices=LANGS, default="both", help="消息语言 / language of the messages"):
    """``--lang``: the language of diagnostics (and of a command's own text where it has one)."""
    return click.option("--lang", type=click.Choice(choices), default=default, show_default=True,
                        callback=_remember_lang, is_eager=True, help=help)


def _before(t):
    """A trace event's ``before`` in JSON: an aggregate's items by their titles."""
    if t.before is None:
        return None
    if t.kind == "agg":
        return [str(r[0]) for r in t.before]
    return str(t.before)


def _evaluate_case(rulebook, case, trace=False, cohort_file=None):
    """(compiled rulebook, case, result); errors go to the boundary. ``cohort_file``: the
    statistics of the units scored together, as given (a rulebook with cohort rules)."""
    rb = api.compile_rulebook(path=rulebook)
    c = rb.load_case(case)
    given = None
    if cohort_file is not None:
        from .data import DataError
        from .data.cohort import read_given
        try:
            given = read_given(rb, Path(cohort_file))
        except DataError as e:
            raise click.UsageError(str(e)) from None
    return rb, c, rb.evaluate_case(c, trace=trace, cohort=given)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="jixiao")
def main():
    """jixiao（绩效）：预算绩效评价规则集的编译器 / a compiler for budget performance rulebooks."""


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--format", "fmt", type=click.Choice(["text", "full", "concise", "json", "sarif", "github"]),
              default="text", help="诊断格式 / diagnostic format: text (= full), concise, json, sarif, github")
@click.option("--strict", is_flag=True, help="警告也视为失败 / fail on warnings too")
@click.option("--rulebook", type=click.Path(exists=True, dir_okay=False),
              help="检查案例（.jxc）时所用的规则集 / the rulebook to check cases (.jxc) against")
@lang_option()
def check(paths, fmt, strict, lang, rulebook):
    """检查规则集、案例与测试集 / check rulebooks, cases and test suites.

    PATHS are .jx (rulebooks and libraries), .jxt (test suites: their rulebook and every
    case), .jxc (cases: the syntax, and with --rulebook every input) files, or folders
    searched for them. Exit 0 when clean, 1 on errors (or warnings with --strict), 2 on
    usage errors."""
    from .files import find_files
    files = find_files(paths)
    if not files:
        raise click.UsageError("没有找到 .jx/.jxc/.jxt 文件 / no .jx, .jxc or .jxt files found")
    against = api.compile_rulebook(path=rulebook) if rulebook else None
    all_diags, suppressed = [], []
    for f in files:
        res = api.check_path(f, rulebook=against)
        all_diags.extend(res.diagnostics)
        suppressed.extend(res.suppressed)
    if fmt == "json":
        click.echo(render_json(all_diags, lang, suppressed))
    elif fmt == "sarif":
        click.echo(render_sarif(all_diags, lang=lang))
    elif fmt == "github":
        if all_diags:
            click.echo(render_github(all_diags, lang))
    elif all_diags:
        click.echo(render_text(all_diags, "concise" if fmt == "concise" else "full", lang))
        click.echo("")
    errors = sum(d.severity == "error" for d in all_diags)
    warnings = sum(d.severity == "warning" for d in all_diags)
    infos = len(all_diags) - errors - warnings
    if fmt in ("text", "full", "concise"):
        extra_zh = (f"，{infos} 条提示" if infos else "") + (f"，{len(suppressed)} 条已忽略" if suppressed else "")
        extra_en = (f", {infos} info" if infos else "") + (f", {len(suppressed)} suppressed" if suppressed else "")
        click.echo(Msg(f"{len(files)} 个文件，{errors} 个错误，{warnings} 个警告{extra_zh}",
                       f"{len(files)} file(s), {errors} error(s), {warnings} warning(s){extra_en}").text(lang), err=True)
    sys.exit(1 if errors or (strict and warnings) else 0)


@main.command("fmt")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("--check", is_flag=True, help="只检查，不写入；有文件需要格式化时退出码为 1 / write nothing; exit 1 if a file would change")
@click.option("--diff", "show_diff", is_flag=True, help="输出差异，不写入 / print a unified diff instead of writing")
@lang_option()
def fmt_cmd(paths, check, show_diff, lang):
    """按规范格式排版 / lay out rulebooks, cases and test suites in the canonical format.

    PATHS are .jx, .jxc and .jxt files, or folders searched for them. Every comment is
    kept; a file is rewritten only if the result parses to the same rulebook. A file that
    does not parse is reported and the others are still formatted. Exit 0 when done (with
    --check: when nothing would change), 1 on errors, 2 on usage errors."""
    from . import formatting
    from .files import find_files
    files = find_files(paths)
    if not files:
        raise click.UsageError("没有找到 .jx/.jxc/.jxt 文件 / no .jx, .jxc or .jxt files found")
    dry = check or show_diff
    changed = errors = 0
    for path in files:
        f = formatting.format_file(path)
        if f.error is not None:
            errors += 1
            click.echo(render_text(f.error.diagnostics, lang=lang), err=True)
            continue
        changed += f.changed
        if show_diff:
            click.echo(f.diff(), nl=False)
        if f.changed and check:
            click.echo(Msg(f"需要格式化：{path}", f"would reformat {path}").text(lang))
        elif f.changed and not dry:
            try:
                f.write()
            except OSError as e:
                errors += 1
                click.echo(f"error: 无法写入 / cannot write {path}: {e.strerror or e}", err=True)
                continue
            click.echo(Msg(f"已格式化：{path}", f"reformatted {path}").text(lang), err=True)
    same = len(files) - changed - errors
    zh = f"{changed} 个文件{'需要格式化' if dry else '已格式化'}，{same} 个不变" + (f"，{errors} 个文件有错误" if errors else "")
    en = (f"{changed} file(s) {'would be reformatted' if dry else 'reformatted'}, {same} unchanged"
          + (f", {errors} with errors" if errors else ""))
    click.echo(Msg(zh, en).text(lang), err=True)
    sys.exit(1 if errors or (check and changed) else 0)


@main.command()
@click.argument("rulebook", type=click.Path(dir_okay=False))
@click.argument("case", type=click.Path(dir_okay=True))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              help="单个案例的输出格式 / output format for one case")
@click.option("--trace", is_flag=True, help="同时输出计算过程 / include the trace (json)")
@click.option("-o", "--output", type=click.Path(dir_okay=False),
              help="批量评分结果文件 .csv/.xlsx/.json/.jsonl/.parquet / write every unit's scores to this file")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False),
              help="表头到输入名的映射（JSON 或两列 CSV） / header -> input name mapping (JSON or 2-column CSV)")
@click.option("--sheet", help="工作表名称（xlsx） / sheet name in a workbook")
@click.option("--on-error", type=click.Choice(["stop", "skip"]), default="stop", show_default=True,
              help="遇到错误行：停止，或跳过并列出 / on a bad row: stop, or skip it and list it")
@click.option("-j", "--jobs", type=click.IntRange(1, 64), default=None,
              help="并行进程数（CSV 到 CSV），默认为 CPU 数 / worker processes for CSV to CSV (default: CPUs)")
@click.option("--rows", "rows_file", type=click.Path(exists=True, dir_okay=False),
              help="指标行表（每行一条，首列为单位） / a table of 指标行, one line per row, the unit in its first column")
@click.option("--cohort", "cohort_file", type=click.Path(exists=True, dir_okay=False),
              help="参评单位统计值（JSON：统计值 → 值），如上年同类平均 / the cohort's statistics as given (JSON), e.g. last year's averages")
@click.option("--engine", type=click.Choice(["auto", "python", "duckdb"]), default="auto", show_default=True,
              help="批量评分引擎：duckdb 以精确 SQL 评分（CSV 到 CSV，需 pip install 'jixiao[sql]'）；auto 在已安装、"
                   "规则集受支持且文件够大时用 duckdb / batch engine: duckdb scores in exact SQL (CSV to CSV, needs "
                   "jixiao[sql]); auto takes it when installed, the rulebook is supported and the file is large")
@lang_option()
def score(rulebook, case, fmt, trace, output, mapping, sheet, on_error, jobs, rows_file, cohort_file, engine, lang):
    """按规则集评分 / score a case, or a data file of many units, with a rulebook.

    CASE is a .jxc case (prints the 评分表), a data file (.csv, .xlsx, .json, .jsonl, .parquet) with
    one unit per row, or a folder of .jxc cases (one unit each): each unit's indicator
    scores, total and grade are written to -o FILE (or CSV on standard output). Exit 1 if
    any row or case was bad (listed on stderr)."""
    from .data.readers import DATA_SUFFIXES
    data = Path(case)
    cases = data.is_dir() or data.suffix.lower() == ".jxc"
    if rows_file is not None and cases:
        raise click.UsageError("--rows 只用于数据文件；案例在文件内写指标行 / --rows applies to a data file; a case "
                               "gives its rows itself")
    if output is not None or data.is_dir() or data.suffix.lower() in DATA_SUFFIXES:
        if fmt != "table" or trace:
            raise click.UsageError("--format/--trace 只用于单个案例；批量结果的格式由 -o 的扩展名决定 / --format and "
                                   "--trace apply to one case; the -o file's suffix sets the format of many")
        if cases and (mapping or sheet):
            raise click.UsageError("--mapping/--sheet 只用于数据文件 / --mapping and --sheet apply to a data file")
        _score_many(rulebook, data, output, mapping, sheet, on_error, jobs, rows_file, lang, cohort_file, engine)
        return
    rb, c, result = _evaluate_case(rulebook, case, trace, cohort_file)
    if fmt == "json":
        data = result.to_dict()
        data["case"] = c.title
        if trace:
            data["trace"] = [{"kind": t.kind, "indicator": t.indicator, "name": t.name,
                              "value": str(t.value), "before": _before(t)} for t in result.trace]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        title = rb.title + (f"（{rb.program.version}）" if rb.program.version else "")
        click.echo(score_table(result, title, c.title))


def _score_many(rulebook, data: Path, output, mapping, sheet, on_error, jobs=None, rows_file=None, lang="both",
                cohort_file=None, engine="auto"):
    from .data import BadRows, DataError
    from .data.job import check_paths, score_file
    out = Path(output) if output else None
    rows = Path(rows_file) if rows_file else None
    maps = Path(mapping) if mapping else None
    try:
        check_paths(data, out, (rows, maps))
    except DataError as e:
        raise click.UsageError(str(e)) from None
    rb = api.compile_rulebook(path=rulebook)
    progress = _progress() if out is not None and sys.stderr.isatty() else None
    try:
        n, errors = score_file(rb, data, out, mapping=maps, sheet=sheet, on_error=on_error, jobs=jobs, rows=rows,
                               stdout=sys.stdout, progress=progress,
                               cohort=Path(cohort_file) if cohort_file else None, engine=engine)
    except BadRows as e:
        for err in e.errors:
            click.echo(f"error: {err.text(lang)}", err=True)
        done = (Msg("已停止，此前各行已输出（--on-error skip 可跳过错误行）",
                    "stopped; the rows before it were printed (--on-error skip scores the other rows)") if out is None
                else Msg("已停止，未写出结果（--on-error skip 可跳过错误行）",
                         "stopped, nothing written (--on-error skip scores the other rows)"))
        click.echo(done.text(lang), err=True)
        sys.exit(1)
    if progress:
        click.echo("", err=True)
    for err in errors:
        click.echo(f"skipped: {err.text(lang)}", err=True)
    bad = len({(e.file, e.row) for e in errors})
    dest = f" → {out}" if out else ""
    click.echo(Msg(f"{n} 个单位已评分，{bad} 行有错被跳过{dest}",
                   f"{n} unit(s) scored, {bad} bad row(s) skipped{dest}").text(lang), err=True)
    sys.exit(1 if errors else 0)


def _progress():
    state = {"n": 0}

    def step(k):
        state["n"] += k
        click.echo(f"\r已评分 / scored {state['n']:,}", nl=False, err=True)
    return step


@main.command("diff")
@click.argument("old", type=click.Path(dir_okay=False))
@click.argument("new", type=click.Path(dir_okay=False))
@click.option("--data", required=True, type=click.Path(exists=True, dir_okay=True),
              help="各单位的数据 / the units to score with both rulebooks (.csv/.xlsx/.json/.jsonl/.parquet, or a folder of .jxc)")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False), help="表头映射 / header mapping")
@click.option("--sheet", help="工作表名称 / sheet name")
@click.option("--fail-on", type=click.Choice(["grade-change", "score-change", "never"]), default="never",
              show_default=True, help="何时以失败退出（用于 CI） / when to exit 1 (for CI)")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--rows", "rows_file", type=click.Path(exists=True, dir_okay=False),
              help="指标行表（每行一条，首列为单位） / a table of 指标行, one line per row, the unit in its first column")
@lang_option()
def diff_cmd(old, new, data, mapping, sheet, fail_on, fmt, rows_file, lang):
    """规则集变更的影响 / which units change score or grade when OLD becomes NEW."""
    from .data import DataError, diff, load_mapping
    if (Path(data).is_dir() or Path(data).suffix.lower() == ".jxc") and (mapping or sheet or rows_file):
        raise click.UsageError("--mapping/--sheet/--rows 只用于数据文件 / --mapping, --sheet and --rows apply to a data file")
    rb_old = api.compile_rulebook(path=old)
    rb_new = api.compile_rulebook(path=new)
    if rows_file and not (rb_old.program.row_parts or rb_new.program.row_parts):
        raise DataError("两个规则集都没有指标行，不需要指标行表 / neither rulebook has 指标行: a rows table does not apply")
    maps = load_mapping(mapping) if mapping else None
    rep = diff(rb_old, rb_new, Path(data), mapping=maps, sheet=sheet,
               rows_path=Path(rows_file) if rows_file else None)
    from ..dsl.ir import fmt_decimal as f
    if fmt == "json":
        click.echo(json.dumps({
            "units": rep.units, "changed": len(rep.changes), "grade_changes": rep.grade_changes,
            "transitions": [{"from": a, "to": b, "count": n} for (a, b), n in sorted(rep.transitions.items())],
            "only_old": rep.only_old, "only_new": rep.only_new,
            "changes": [{"row": c.row, "ids": {k: None if v is None else str(v) for k, v in c.ids.items()},
                         "old_total": f(c.old_total), "new_total": f(c.new_total),
                         "old_grade": c.old_grade, "new_grade": c.new_grade,
                         "indicators": [{"indicator": h, "old": f(a), "new": f(b)} for h, a, b in c.changed]}
                        for c in rep.changes],
            "errors": [e.text(lang) for e in rep.errors]}, ensure_ascii=False, indent=2))
    else:
        for c in rep.changes:
            who = " ".join(str(v) for v in c.ids.values() if v not in (None, "")) or f"第{c.row}行"
            delta = c.new_total - c.old_total
            grade = f"，{c.old_grade} → {c.new_grade}" if c.old_grade != c.new_grade else ""
            click.echo(f"第{c.row}行 {who}: {f(c.old_total)} → {f(c.new_total)}（{'+' if delta >= 0 else ''}{f(delta)}）{grade}")
            for h, a, b in c.changed:
                click.echo(f"    {h}: {f(a)} → {f(b)}")
        click.echo("")
        click.echo(f"{rep.units} 个单位，{len(rep.changes)} 个得分变化，{rep.grade_changes} 个等级变化 / "
                   f"{rep.units} unit(s), {len(rep.changes)} changed score, {rep.grade_changes} changed grade")
        for (a, b), n in sorted(rep.transitions.items()):
            click.echo(f"  {a} → {b}: {n}")
        if rep.only_old or rep.only_new:
            click.echo(f"  仅旧规则集有 / only in old: {'、'.join(rep.only_old) or '—'}；仅新规则集有 / only in new: {'、'.join(rep.only_new) or '—'}")
    for e in rep.errors:
        click.echo(f"skipped: {e.text(lang)}", err=True)
    failing = (fail_on == "grade-change" and rep.grade_changes) or (fail_on == "score-change" and rep.changes)
    sys.exit(1 if failing or rep.errors else 0)


@main.command("compile")
@click.argument("rulebook", type=click.Path(dir_okay=False))
@click.option("--emit-python", "emit", type=click.Path(dir_okay=False),
              help="写出独立的 Python 模块 / write a standalone Python module")
@click.option("--emit-sql", "emit_sql", type=click.Path(dir_okay=False, allow_dash=True),
              help="写出精确的 SQL 查询（- 为标准输出） / write one exact SQL query (- for standard output)")
@click.option("--dialect", type=click.Choice(["duckdb", "postgres", "spark"]), default="duckdb", show_default=True,
              help="SQL 方言 / SQL dialect of --emit-sql")
@click.option("--table", default="inputs", show_default=True,
              help="输入表（每个输入一列，列名即输入名） / the table of inputs (a column per input, named as the input)")
@click.option("--keep", multiple=True, help="结果中保留的输入表列（如单位编码） / columns of the table kept in the result (repeatable)")
@lang_option()
def compile_cmd(rulebook, emit, emit_sql, dialect, table, keep, lang):
    """编译规则集为 Python 模块或 SQL 查询 / compile a rulebook to a standalone Python module or an exact SQL query."""
    if not emit and not emit_sql:
        raise click.UsageError("需要 --emit-python 或 --emit-sql / give --emit-python or --emit-sql")
    rb = api.compile_rulebook(path=rulebook)
    from .files import atomic_write, refuse_overwrite
    outputs = []
    if emit:
        outputs.append((Path(emit), rb.emit_python()))
    if emit_sql:
        from .backend.sql import emit_sql as to_sql
        text = to_sql(rb.program, dialect, table, tuple(keep))
        if emit_sql == "-":
            click.echo(text, nl=False)
        else:
            outputs.append((Path(emit_sql), text))
    for out, text in outputs:
        # never over the rulebook, a library it imports, or any jixiao source
        refuse_overwrite(out, [rulebook, *(p for p, _m, _n in rb.program.deps)], sources_too=True)
        try:
            atomic_write(out, lambda tmp, text=text: Path(tmp).write_text(text, encoding="utf-8"))
        except OSError as e:
            click.echo("error: " + Msg(f"无法写出 {out}：{e.strerror or e}", f"cannot write {out}: {e.strerror or e}").text(lang), err=True)
            sys.exit(1)
        click.echo(Msg(f"已写出 {out}", f"wrote {out}").text(lang), err=True)


@main.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-q", "--quiet", is_flag=True, help="只显示失败 / show failures only")
@click.option("--properties", is_flag=True,
              help="对规则集（.jx）做性质测试 / property-test rulebooks (.jx) instead of running suites")
@click.option("--examples", type=click.IntRange(1, 100000), default=300, show_default=True,
              help="性质测试的随机样例数 / examples per rulebook for --properties")
@lang_option()
def test_cmd(paths, quiet, properties, examples, lang):
    """运行规则集测试（.jxt） / run rulebook test suites.

    PATHS are .jxt files or folders searched for them. With --properties, PATHS are
    rulebooks (.jx, or folders of them) and generated properties are checked instead:
    scores within their points, total within 满分, grades consistent with the bands
    (also at each boundary), declared monotonicity, the not-applicable policy.
    Exit 0 only when everything passes."""
    from .verify import suites as testing
    if properties:
        _properties(paths, examples, lang)
        return
    suites = testing.find_suites(paths)
    if not suites:
        raise click.UsageError("没有找到 .jxt 测试文件 / no .jxt test files found")
    passed = failed = 0
    for path in suites:
        try:
            loaded = testing.load_suite(path)
        except JixiaoError as e:
            click.echo(render_text(e.diagnostics, lang=lang), err=True)
            failed += 1
            continue
        for o in testing.run_suite(loaded):
            if o.passed:
                passed += 1
            else:
                failed += 1
            if not (quiet and o.passed):
                click.echo(testing.format_outcome(o))
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 else 1)


def _properties(paths, examples, lang):
    import importlib.util
    if importlib.util.find_spec("hypothesis") is None:
        raise click.UsageError("性质测试需要 hypothesis：pip install 'jixiao[properties]' / "
                               "property tests need hypothesis: pip install 'jixiao[properties]'")
    from .verify import properties as P
    files = []
    for p in paths:
        p = Path(p)
        files.extend(sorted(p.rglob("*.jx")) if p.is_dir() else [p])
    passed = failed = 0
    for f in files:
        res = api.check_file(f)
        if res.program is None and not any(d.severity == "error" for d in res.diagnostics):
            # a clean 方法库: its methods are checked where a rulebook calls them
            click.echo(f"– {f}（方法库，跳过：性质随引用它的规则集检查 / a library: checked through the rulebooks that import it）")
            continue
        try:
            report = P.run_properties(res, examples=examples)
        except JixiaoError as e:
            click.echo(render_text(e.diagnostics, lang=lang), err=True)
            failed += 1
            continue
        if report.failures:
            failed += 1
            click.echo(f"✗ {f}（{examples} 组样例 / examples）")
            for fl in report.failures:
                click.echo(P.format_failure(fl, res.program, report.evaluator))
        else:
            passed += 1
            click.echo(f"✓ {f}（{examples} 组样例 / examples）")
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 else 1)


@main.command("lsp")
@lang_option()
def lsp_cmd(lang):
    """语言服务器（标准输入输出） / the language server, on stdin/stdout (needs the `editor` extra)."""
    try:
        from .editor.lsp import main as serve_lsp
    except ImportError as e:
        raise click.ClickException(f"{e.name or e}: pip install 'jixiao[editor]'") from None
    serve_lsp(lang)


@main.command("serve")
@click.argument("path", required=False, default=".", type=click.Path(exists=True))
@click.option("--port", type=click.IntRange(0, 65535), default=0, help="端口，0 为随机 / port (0: any free one)")
@click.option("--host", default="127.0.0.1", show_default=True, help="只允许本机地址 / loopback addresses only")
@click.option("--open/--no-open", "open_browser", default=False, help="打开浏览器 / open a browser")
@lang_option()
def serve_cmd(path, port, host, open_browser, lang):
    """本地网页编辑器：实时诊断与评分 / a local web editor: live diagnostics, a case form and the 评分表.

    PATH is a rulebook or a folder; only files in its folder are served. The address
    printed carries a random token: only a page that has it can use the editor."""
    from .editor.serve import LoopbackOnly, make_server
    try:
        server = make_server(path, host=host, port=port, lang=lang)
    except LoopbackOnly as e:
        raise click.UsageError(str(e)) from None
    click.echo(server.url, err=False)
    sys.stdout.flush()
    if open_browser:
        import webbrowser
        webbrowser.open(server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


if __name__ == "__main__":
    main()


from . import cli_publish  # noqa: E402,F401  (registers explain, report, doc, explain-code on main)
