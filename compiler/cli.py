"""The ``jixiao`` command line: a thin layer over :mod:`compiler.api`.

Exit codes: 0 success, 1 errors in a rulebook or a case (diagnostics printed),
2 usage errors (click's own).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from dsl.diagnostics import (JixiaoError, explain as explain_code, render_github, render_json, render_sarif,
                             render_text)

from . import api
from .report import result_json, score_table


def _fail(err: JixiaoError, fmt: str = "full") -> None:
    if fmt == "json":
        click.echo(render_json(err.diagnostics), err=True)
    else:
        click.echo(render_text(err.diagnostics, "concise" if fmt == "concise" else "full"), err=True)
    sys.exit(1)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="jixiao")
def main():
    """jixiao（绩效）：预算绩效评价规则集的编译器 / a compiler for budget performance rulebooks."""


@main.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["text", "full", "concise", "json", "sarif", "github"]),
              default="text", help="诊断格式 / diagnostic format: text (= full), concise, json, sarif, github")
@click.option("--strict", is_flag=True, help="警告也视为失败 / fail on warnings too")
def check(files, fmt, strict):
    """检查规则集 / check rulebooks for errors and warnings.

    Exit 0 when clean, 1 on errors (or warnings with --strict), 2 on usage errors."""
    all_diags = []
    for f in files:
        all_diags.extend(api.check_file(f).diagnostics)
    if fmt == "json":
        click.echo(render_json(all_diags))
    elif fmt == "sarif":
        click.echo(render_sarif(all_diags))
    elif fmt == "github":
        if all_diags:
            click.echo(render_github(all_diags))
    elif all_diags:
        click.echo(render_text(all_diags, "concise" if fmt == "concise" else "full"))
        click.echo("")
    errors = sum(d.severity == "error" for d in all_diags)
    warnings = sum(d.severity == "warning" for d in all_diags)
    infos = len(all_diags) - errors - warnings
    if fmt in ("text", "full", "concise"):
        extra_zh = f"，{infos} 条提示" if infos else ""
        extra_en = f", {infos} info" if infos else ""
        click.echo(f"{len(files)} 个文件，{errors} 个错误，{warnings} 个警告{extra_zh} / "
                   f"{len(files)} file(s), {errors} error(s), {warnings} warning(s){extra_en}", err=True)
    sys.exit(1 if errors or (strict and warnings) else 0)


@main.command()
@click.argument("rulebook", type=click.Path(dir_okay=False))
@click.argument("case", type=click.Path(dir_okay=False))
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", help="输出格式 / output format")
@click.option("--trace", is_flag=True, help="同时输出计算过程 / include the trace (json)")
def score(rulebook, case, fmt, trace):
    """按规则集为案例评分 / score a case with a rulebook."""
    try:
        rb = api.compile_rulebook(path=rulebook)
        c = rb.load_case(case)
        result = rb.evaluate_case(c, trace=trace)
    except JixiaoError as e:
        _fail(e)
    if fmt == "json":
        data = result.to_dict()
        data["case"] = c.title
        if trace:
            data["trace"] = [{"kind": t.kind, "indicator": t.indicator, "name": t.name,
                              "value": str(t.value), "before": None if t.before is None else str(t.before)}
                             for t in result.trace]
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        title = rb.title + (f"（{rb.program.version}）" if rb.program.version else "")
        click.echo(score_table(result, title, c.title))


@main.command("compile")
@click.argument("rulebook", type=click.Path(dir_okay=False))
@click.option("--emit-python", "emit", type=click.Path(dir_okay=False), required=True,
              help="写出独立的 Python 模块 / write a standalone Python module")
def compile_cmd(rulebook, emit):
    """编译规则集为 Python 模块 / compile a rulebook to a standalone Python module."""
    try:
        rb = api.compile_rulebook(path=rulebook)
    except JixiaoError as e:
        _fail(e)
    out = Path(emit)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(rb.emit_python(), encoding="utf-8")
    tmp.replace(out)
    click.echo(f"已写出 / wrote {out}", err=True)


@main.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True))
@click.option("-q", "--quiet", is_flag=True, help="只显示失败 / show failures only")
@click.option("--properties", is_flag=True,
              help="对规则集（.jx）做性质测试 / property-test rulebooks (.jx) instead of running suites")
@click.option("--examples", type=click.IntRange(1, 100000), default=300, show_default=True,
              help="性质测试的随机样例数 / examples per rulebook for --properties")
def test_cmd(paths, quiet, properties, examples):
    """运行规则集测试（.jxt） / run rulebook test suites.

    PATHS are .jxt files or folders searched for them. With --properties, PATHS are
    rulebooks (.jx, or folders of them) and generated properties are checked instead:
    scores within their points, total within 满分, grades consistent with the bands
    (also at each boundary), declared monotonicity, the not-applicable policy.
    Exit 0 only when everything passes."""
    from . import testing
    if properties:
        _properties(paths, examples)
        return
    suites = testing.find_suites(paths)
    if not suites:
        raise click.UsageError("没有找到 .jxt 测试文件 / no .jxt test files found")
    passed = failed = 0
    for path in suites:
        try:
            loaded = testing.load_suite(path)
        except JixiaoError as e:
            click.echo(render_text(e.diagnostics), err=True)
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


def _properties(paths, examples):
    from . import properties as P
    files = []
    for p in paths:
        p = Path(p)
        files.extend(sorted(p.rglob("*.jx")) if p.is_dir() else [p])
    passed = failed = 0
    for f in files:
        res = api.check_file(f)
        try:
            report = P.run_properties(res, examples=examples)
        except JixiaoError as e:
            click.echo(render_text(e.diagnostics), err=True)
            failed += 1
            continue
        if report.failures:
            failed += 1
            click.echo(f"✗ {f}（{examples} 组样例 / examples）")
            for fl in report.failures:
                click.echo(P.format_failure(fl, res.program, report.namespace))
        else:
            passed += 1
            click.echo(f"✓ {f}（{examples} 组样例 / examples）")
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(0 if failed == 0 else 1)


@main.command("explain-code")
@click.argument("code")
def explain_code_cmd(code):
    """说明诊断代码 / explain a diagnostic code (e.g. E0201)."""
    text = explain_code(code)
    if text is None:
        raise click.UsageError(f"未知代码 / unknown code {code}")
    click.echo(text)


if __name__ == "__main__":
    main()
