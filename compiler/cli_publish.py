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


def _report_many(rulebook, folder: Path, output: Path, unit_format, criteria, sign, template_dir, lang):
    """Every case of ``folder``: one workbook (OUTPUT.xlsx, a sheet per unit and 汇总) or
    one file per unit in the folder OUTPUT, with 汇总.xlsx."""
    from .publish.many import write_many
    from .data.scoring import case_files
    from .data.results import DataError
    if output.suffix and output.suffix.lower() != ".xlsx":
        raise click.UsageError("多个单位：输出为 .xlsx（每个单位一个工作表）或文件夹（每个单位一个文件）/ "
                               "many units: write a .xlsx (a sheet per unit) or a folder (a file per unit)")
    rb = api.compile_rulebook(path=rulebook)
    try:
        files = case_files(folder)
    except DataError as e:
        raise click.UsageError(str(e)) from None
    units = []
    for f in files:
        c = rb.load_case(f)
        units.append((f, c, rb.evaluate_case(c, trace=True)))
    try:
        written = write_many(rb, units, output, "." + unit_format, criteria, sign, template_dir)
    except RuntimeError as e:
        raise click.ClickException(str(e)) from None
    for f, _c, r in units:
        click.echo(f"{f}：总分 {fmt(r.total)}，{r.grade}", err=True)
    click.echo(Msg(f"已写出 {len(written)} 个文件：{output}", f"wrote {len(written)} file(s): {output}").text(lang), err=True)


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
              help="多个单位、输出为文件夹时每个单位的文件格式 / with a folder of cases and an output folder: each unit's file format")
@lang_option()
def report_cmd(rulebook, case, output, criteria, evaluator, members, reviewer, date_, template_dir, unit_format, lang):
    """评分表（含评分依据与自评复核） / the 评分表 of a case, with 评分依据 and the audit of claimed scores."""
    from . import publish
    sign = {"evaluator": evaluator, "members": members, "reviewer": reviewer, "date": date_}
    if Path(case).is_dir():
        _report_many(rulebook, Path(case), Path(output), unit_format, criteria, sign, template_dir, lang)
        return
    if Path(output).suffix.lower() not in publish.FORMATS:
        raise click.UsageError(f"输出格式 / output format: {', '.join(publish.FORMATS)}")
    rb, c, result = _evaluate_case(rulebook, case, trace=True)
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
