"""The runtime (which imports nothing of jixiao) words its errors with copies of the
catalog's templates: pinned here, so the two cannot drift apart."""
import ast
import builtins

import pytest

from jixiao.compiler.api import compile_rulebook
from jixiao.compiler.backend import runtime
from jixiao.dsl.diagnostics import CATALOG, DEFAULTS, format_message


@pytest.mark.parametrize("code", sorted(runtime.MESSAGES))
def test_every_runtime_template_is_the_catalogs(code):
    _sev, zh, en, _doc = CATALOG[code]
    assert runtime.MESSAGES[code] == (zh, en)
    assert runtime.MESSAGE_DEFAULTS.get(code, {}) == DEFAULTS.get(code, {})


def test_the_runtime_rounds_as_the_checker_assumes():
    from jixiao.dsl.ops import ROUNDING
    assert runtime.ROUNDING_MODES == ROUNDING


def test_every_code_the_runtime_raises_has_a_template():
    src = ast.parse(open(runtime.__file__, encoding="utf-8").read())
    raised = {n.args[0].value for n in ast.walk(src)
              if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "EvaluationError"
              and n.args and isinstance(n.args[0], ast.Constant)}
    assert raised and raised <= set(runtime.MESSAGES)


def test_an_evaluation_error_reads_as_the_diagnostic_made_from_it():
    err = runtime.EvaluationError("E0603", {"name": "编制数", "value": "-1", "range": "[0, +∞)"})
    for lang in ("zh", "en", "both"):
        assert err.message_in(lang) == format_message("E0603", err.params, lang)
    assert err.message_in("zh") == "输入「编制数」的值 -1 超出允许范围 [0, +∞)"
    assert err.message_in("en", what_zh="字段", what_en="field") == "field `编制数`: -1 is outside [0, +∞)"


def _free_names(tree: ast.Module) -> set[str]:
    """Names a module reads that it never binds (module level or in a function)."""
    bound = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and isinstance(n.ctx, (ast.Store, ast.Del)):
            bound.add(n.id)
        elif isinstance(n, (ast.FunctionDef, ast.Lambda)):
            if isinstance(n, ast.FunctionDef):
                bound.add(n.name)
            a = n.args
            bound.update(x.arg for x in a.args + a.kwonlyargs + a.posonlyargs)
    reads = set()
    for n in ast.walk(tree):
        if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load):
            reads.add(n.id)
        if isinstance(n, ast.FunctionDef):       # defaults are read where the function is defined
            for d in n.args.defaults:
                if isinstance(d, ast.Name):
                    reads.add(d.id)
    module_level = {t.id for s in tree.body if isinstance(s, ast.Assign) for t in s.targets if isinstance(t, ast.Name)}
    module_level |= {s.name for s in tree.body if isinstance(s, ast.FunctionDef)}
    return {r for r in reads if r not in module_level and not (r in bound and r not in _default_names(tree))}


def _default_names(tree):
    return {d.id for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) for d in n.args.defaults
            if isinstance(d, ast.Name)}


ALLOWED_BUILTINS = {"min", "max", "sum", "abs", "all", "any", "len", "enumerate", "tuple", "ArithmeticError"}


@pytest.mark.parametrize("path", ["stdlib_indicators/部门整体支出.jx", "stdlib_indicators/部门整体支出自评.jx",
                                  "stdlib_indicators/项目支出自评.jx", "stdlib_indicators/项目支出绩效评价.jx"])
def test_generated_code_reads_only_the_runtime_exports(path):
    rb = compile_rulebook(path=path)
    for source in [rb.source] + [m.source for m in rb.row_methods.values()]:
        tree = ast.parse(source)
        assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom))]
        free = _free_names(tree)
        assert free <= set(runtime.EXPORTS) | ALLOWED_BUILTINS, free - set(runtime.EXPORTS) - ALLOWED_BUILTINS
        assert set(runtime.EXPORTS) <= set(dir(runtime))
        assert not (free & {"eval", "exec", "open", "__import__", "getattr", "compile"})
        assert all(name in dir(builtins) for name in free & ALLOWED_BUILTINS)
