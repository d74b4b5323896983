"""The commands that publish: ``explain`` (评分依据, the audit), ``report`` (the 评分表 a bureau
signs), ``doc`` (the rulebook as a published table), ``explain-code``. Registered on the
command group of cli.py, which imports this module at its end."""
from __future__ import annotations

from pathlib import Path

import click

from ..dsl.diagnostics import Msg, explain as explain_code

from . import api
from .cli import _evaluate_case, lang_option, main


@main.command("explain")
@click.argument("rulebook", type=click.Path(dir_okay=False))
@click.argument("case", required=False, type=click.Path(dir_okay=False))
@click.option("--indicator", "indicators", multiple=True, help="只说明这些指标 / only these indicators (repeatable)")
@lang_option(("zh", "en"), "zh", "说明与诊断的语言 / language of the explanation and of diagnostics")
@click.option("--audit", "do_audit", is_flag=True, help="只列出与自评不一致或自评不可得的指标 / audit claimed scores only")
@click.option("--unit", help="数据文件中的一个单位（标识列的值或行号），与参评单位一起计分 / one unit of a data file "
                             "(an id cell or row number), scored with the others")
@click.option("--cohort", "cohort_file", type=click.Path(exists=True, dir_okay=False),
              help="参评单位统计值（JSON） / the cohort's statistics as given (JSON)")
@click.option("--trace", "trace", is_flag=True, help="逐步列出计算过程 / the step-by-step working instead of the sentences")
@click.option("--format", "fmt_", type=click.Choice(["text", "json"]), default="text", show_default=True,
              help="json：每项的评分依据与计算过程 / json: each indicator's sentences and working")
def explain_cmd(rulebook, case, indicators, lang, do_audit, unit, cohort_file, trace, fmt_):
    """评分依据：用文字说明每项得分 / explain each score in words (and audit claimed scores).

    `jixiao explain E0201` (a diagnostic code alone) explains the code instead."""
    from .publish import explain as X
    if case is None:
        text = explain_code(rulebook)
        if text is None:
            raise click.UsageError("需要 RULEBOOK CASE，或一个诊断代码 / give RULEBOOK CASE, or a diagnostic code")
        click.echo(text)
        return
    if unit is not None:
        from .data import DataError
        from .data.cohort import explain_unit
        from .data.cohort import read_given
        rb = api.compile_rulebook(path=rulebook)
        try:
            given = read_given(rb, Path(cohort_file)) if cohort_file else None
            result, lines, quota = explain_unit(rb, Path(case), unit, lang=lang, given=given)
        except DataError as e:
            raise click.UsageError(str(e)) from None
        c = api.Case(unit, {})
        for line in lines:
            click.echo(("参评比较：" if lang == "zh" else "cohort: ") + line)
    else:
        quota = None
        rb, c, result = _evaluate_case(rulebook, case, trace=True, cohort_file=cohort_file)
    if do_audit:
        from .publish.audit import audit, format_audit
        click.echo(format_audit(audit(rb, result, lang, c.assessed_notes), lang))
        return
    exps = X.explain(rb, result, lang, c.assessed_notes)
    if indicators:
        wanted = [tuple(n.replace(".", "/").split("/")) for n in indicators]
        exps = [e for e in exps if any(e.path[-len(w):] == w for w in wanted)]
        if not exps:
            raise click.UsageError(f"没有这些指标 / no such indicator: {', '.join(indicators)}")
    else:
        # the leaves (and rows): a parent's explanation is the sum of theirs
        exps = [e for e in exps if not any(o.path[:-1] == e.path for o in exps)]
    if fmt_ == "json":
        import json
        click.echo(json.dumps([{"path": list(e.path), "points": str(e.points), "score": str(e.score), "reason": e.reason,
                                "trace": e.text, "claimed": None if e.claimed is None else str(e.claimed)} for e in exps],
                              ensure_ascii=False, indent=2))
        return
    for e in exps:
        said = e.text if trace else (e.reason or e.text)
        click.echo(f"{'/'.join(e.path)}：{said}" if lang == "zh" else f"{'/'.join(e.path)}: {said}")
        if e.claimed is not None and (e.claimed != e.score or e.claim_attainable is False):
            extra = "" if e.claim_attainable is not False else (f"；自评得分按规则不可得（可得：{e.attainable_text}）" if lang == "zh"
                                                                 else f"; the claim is unattainable ({e.attainable_text})")
            how = ("认定" if lang == "zh" else "assessed") if e.assessed else ("计算" if lang == "zh" else "computed")
            click.echo(f"    自评{fmt(e.claimed)}分，{how}{fmt(e.score)}分{extra}" if lang == "zh"
                       else f"    claimed {fmt(e.claimed)}, {how} {fmt(e.score)}{extra}")
    if not indicators:
        # the total (bonus, penalty, 总分 = 合计 …) and the grade (bands, 取整, 否决)
        sep = "：" if lang == "zh" else ": "
        click.echo(("总分" if lang == "zh" else "total") + sep + X.explain_total(rb, result, lang))
        grade = X.explain_grade(rb, result, lang)
        if quota:          # a grade quota moved the unit to a worse band
            grade = grade.rstrip("。.") + ("；但" if lang == "zh" else "; but ") + quota + ("。" if lang == "zh" else ".")
        click.echo(("等级" if lang == "zh" else "grade") + sep + grade)


def fmt(d):
    from ..dsl.ir import fmt_decimal
    return fmt_decimal(d)


def _report_many(rulebook, data: Path, output: Path, unit_format, criteria, sign, template_dir, lang,
                 mapping=None, sheet=None, on_error="stop", rows_file=None, cohort_file=None):
    """Every case of the folder ``data``, or every row of the data file ``data`` (read as
    `jixiao score` reads it): one workbook (OUTPUT.xlsx, a sheet per unit and 汇总) or one
    file per unit in the folder OUTPUT, with 汇总.xlsx. Bad cases or rows: listed as `jixiao
    score` lists them; --on-error stop writes nothing (exit 1), skip writes the others (exit 1)."""
    import sys
    from .publish.many import write_many
    from .publish.units import case_units, data_units
    from .data import BadRows, DataError
    from .data.job import check_paths
    if output.suffix and output.suffix.lower() != ".xlsx":
        raise click.UsageError("多个单位：输出为 .xlsx（每个单位一个工作表）或文件夹（每个单位一个文件）/ "
                               "many units: write a .xlsx (a sheet per unit) or a folder (a file per unit)")
    if data.is_dir() and (mapping or sheet or rows_file or cohort_file):
        raise click.UsageError("--mapping/--sheet/--rows/--cohort 只用于数据文件 / --mapping, --sheet, --rows and --cohort "
                               "apply to a data file")
    try:
        check_paths(data, output, [Path(p) for p in (mapping, rows_file, cohort_file) if p])
    except DataError as e:
        raise click.UsageError(str(e)) from None
    rb = api.compile_rulebook(path=rulebook)
    errors: list = []
    try:                  # a file that cannot be read at all (DataError): error, exit 1, as for score
        if data.is_dir():
            units = case_units(rb, data, on_error=on_error, errors=errors)
        else:
            from .data import load_mapping
            from .data.rowtable import load_row_table, workbook_row_table
            if rb.program.has_cohort and rows_file:
                raise DataError("按参评单位比较的规则集暂不支持 --rows / a cohort rulebook does not take --rows yet")
            given = None
            if cohort_file:
                from .data.cohort import read_given
                given = read_given(rb, Path(cohort_file))
            table = None if rb.program.has_cohort else (
                load_row_table(rb, Path(rows_file)) if rows_file else workbook_row_table(rb, data))
            units = data_units(rb, data, mapping=load_mapping(mapping) if mapping else None, sheet=sheet,
                               on_error=on_error, errors=errors, row_table=table, given=given)
    except BadRows as e:
        for err in e.errors:
            click.echo(f"error: {err.text(lang)}", err=True)
        click.echo(Msg("已停止，未写出报告（--on-error skip 可跳过错误行）",
                       "stopped, no report written (--on-error skip reports the other units)").text(lang), err=True)
        sys.exit(1)
    if not units:
        for err in errors:
            click.echo(f"skipped: {err.text(lang)}", err=True)
        raise click.ClickException(Msg("没有可出具报告的单位", "no unit to report on").text(lang))
    try:
        written = write_many(rb, units, output, "." + unit_format, criteria, sign, template_dir)
    except RuntimeError as e:
        raise click.ClickException(str(e)) from None
    for u in units:
        click.echo(f"{u.name}：总分 {fmt(u.result.total)}，{u.result.grade}", err=True)
    for err in errors:
        click.echo(f"skipped: {err.text(lang)}", err=True)
    bad = len({(e.file, e.row) for e in errors})
    click.echo(Msg(f"已写出 {len(written)} 个文件：{output}" + (f"；{bad} 行有错被跳过" if bad else ""),
                   f"wrote {len(written)} file(s): {output}" + (f"; {bad} bad row(s) skipped" if bad else "")).text(lang),
               err=True)
    if errors:
        sys.exit(1)


@main.command("report")
@click.argument("rulebook", type=click.Path(dir_okay=False))
@click.argument("case", type=click.Path(dir_okay=True))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="评分表文件 .xlsx/.html/.md / the 评分表 file (.xlsx, .html or .md)")
@click.option("--criteria", type=click.Choice(["rule", "original", "both"]), default="original", show_default=True,
              help="评分标准：照录原文（原文未列明的按规则表述）、按规则表述或两者 / 评分标准: the original wording "
                   "(the rule's where none is given), the rule's, or both")
@click.option("--evaluator", default="", help="评价机构 / the evaluating body (signature block)")
@click.option("--members", default="", help="评价人员 / the evaluators (signature block)")
@click.option("--reviewer", default="", help="复核单位 / the reviewing unit (signature block)")
@click.option("--date", "date_", default="", help="评价日期 / the date of the evaluation (signature block)")
@click.option("--template", "template_dir", type=click.Path(exists=True, file_okay=False),
              help="自备模板文件夹（report.html.j2 / report.md.j2）/ a folder with the bureau's own templates")
@click.option("--format", "unit_format", type=click.Choice(["xlsx", "html", "md", "pdf"]), default="xlsx", show_default=True,
              help="多个单位、输出为文件夹时每个单位的文件格式 / many units to an output folder: each unit's file format")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False),
              help="数据文件：表头到输入名的映射（同 jixiao score） / a data file's header -> input mapping (as for score)")
@click.option("--sheet", help="数据文件：工作表名称（xlsx） / a data workbook's sheet")
@click.option("--on-error", type=click.Choice(["stop", "skip"]), default="stop", show_default=True,
              help="多个单位中有错误的案例或行：停止且不写出，或跳过并列出 / a bad case or row among many: stop and write "
                   "nothing, or skip it and list it")
@click.option("--rows", "rows_file", type=click.Path(exists=True, dir_okay=False),
              help="数据文件：指标行表（同 jixiao score --rows） / a data file's 指标行 table (as for score --rows)")
@click.option("--cohort", "cohort_file", type=click.Path(exists=True, dir_okay=False),
              help="数据文件：参评单位统计值（JSON，同 jixiao score --cohort） / the cohort's statistics as given (as for score)")
@lang_option()
def report_cmd(rulebook, case, output, criteria, evaluator, members, reviewer, date_, template_dir, unit_format,
               mapping, sheet, on_error, rows_file, cohort_file, lang):
    """评分表（含评分依据与自评复核） / the 评分表 of a case, with 评分依据 and the audit of claimed scores.

    CASE 为一个案例（.jxc）；或一个案例文件夹、一个数据文件（.csv/.xlsx/.json/.jsonl，每行一个单位，
    同 jixiao score）：每个单位一份评分表，另附汇总 / CASE is a .jxc case; or a folder of cases, or a
    data file of one unit a row (as `jixiao score` reads it): a 评分表 per unit, and a summary."""
    from . import publish
    from .data.readers import DATA_SUFFIXES
    sign = {"evaluator": evaluator, "members": members, "reviewer": reviewer, "date": date_}
    if Path(case).is_dir() or Path(case).suffix.lower() in DATA_SUFFIXES:
        _report_many(rulebook, Path(case), Path(output), unit_format, criteria, sign, template_dir, lang,
                     mapping, sheet, on_error, rows_file, cohort_file)
        return
    if mapping or sheet or rows_file:
        raise click.UsageError("--mapping/--sheet/--rows 只用于数据文件 / --mapping, --sheet and --rows apply to a data file")
    if Path(output).suffix.lower() not in publish.FORMATS:
        raise click.UsageError(f"输出格式 / output format: {', '.join(publish.FORMATS)}")
    rb, c, result = _evaluate_case(rulebook, case, trace=True, cohort_file=cohort_file)
    try:
        publish.write_report(rb, c, result, output, criteria,
                             sign={"evaluator": evaluator, "members": members, "reviewer": reviewer, "date": date_},
                             template_dir=template_dir)
    except RuntimeError as e:          # PDF without Chromium
        raise click.ClickException(str(e)) from None
    click.echo(Msg(f"{output}：总分 {fmt(result.total)}，{result.grade}",
                   f"{output} written: total {fmt(result.total)}, {result.grade}").text(lang), err=True)


@main.command("doc")
@click.argument("rulebook", type=click.Path(dir_okay=False))
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False),
              help="评分表文件 .xlsx/.html/.md / the 评分表 file (.xlsx, .html or .md)")
@lang_option()
def doc_cmd(rulebook, output, lang):
    """发布评分表：评分标准由规则生成 / the rulebook as the published 评分表, 评分标准 generated from the rules.

    给出方法库（方法库 "…"）时，输出各计分方法的参数、说明和评分标准 / for a 方法库 file,
    a reference of its methods: parameters, 说明 and 评分标准."""
    from . import publish
    if Path(output).suffix.lower() not in publish.FORMATS:
        raise click.UsageError(f"输出格式 / output format: {', '.join(publish.FORMATS)}")
    lib = api.load_library(rulebook)
    rb = api.compile_rulebook(path=rulebook) if lib is None else None
    if lib is not None:
        publish.write_table(publish.library_table(lib), output)
    else:
        publish.write_doc(rb, output)
    click.echo(Msg(f"已写出 {output}", f"wrote {output}").text(lang), err=True)


@main.command("explain-code")
@click.argument("code")
@lang_option()
def explain_code_cmd(code, lang):
    """说明诊断代码 / explain a diagnostic code (e.g. E0201)."""
    text = explain_code(code, lang)
    if text is None:
        raise click.UsageError(f"未知代码 / unknown code {code}")
    click.echo(text)
