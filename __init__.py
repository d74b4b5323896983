"""jixiao（绩效）: a rulebook language and compiler for budget performance evaluation.

This file is the ``jixiao`` package: the repository root is its folder, so the
top-level folders are its sub-packages (``jixiao.dsl``: text -> checked IR;
``jixiao.compiler``: IR -> evaluators and the tools around them;
``jixiao.stdlib_indicators``: shipped rulebooks and the method library).

The documented entry point::

    from jixiao import compile_rulebook, JixiaoError
    rb = compile_rulebook(path="部门整体支出.jx")
    rb.evaluate({...}).total

Names are loaded on first use, so importing a sub-package (the pytest plugin, the
runtime) does not pull in the whole compiler.
"""
from __future__ import annotations

__version__ = "0.1.0"

_EXPORTS = {
    "compile_rulebook": ("jixiao.compiler.api", "compile_rulebook"),
    "CompiledRulebook": ("jixiao.compiler.api", "CompiledRulebook"),
    "Result": ("jixiao.compiler.api", "Result"),
    "Case": ("jixiao.compiler.api", "Case"),
    "check_text": ("jixiao.compiler.api", "check_text"),
    "check_file": ("jixiao.compiler.api", "check_file"),
    "JixiaoError": ("jixiao.dsl.diagnostics", "JixiaoError"),
    "Diagnostic": ("jixiao.dsl.diagnostics", "Diagnostic"),
    "render_text": ("jixiao.dsl.diagnostics", "render_text"),
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str):
    target = _EXPORTS.get(name)
    if target is None:
        raise AttributeError(f"module 'jixiao' has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(target[0]), target[1])
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(_EXPORTS))
