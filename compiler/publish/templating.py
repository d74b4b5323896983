"""The Jinja2 environment of the HTML and Markdown reports: the templates shipped in
``compiler/publish/templates/`` (package data), or a bureau's own folder first.

``environment(DIR)`` looks a template up in ``DIR`` first, then in the shipped folder;
the shipped ones are also reachable as ``base/NAME``, so a bureau's ``report.html.j2`` can
``{% extends "base/report.html.j2" %}`` and replace only its blocks (letterhead, seal,
signature, conclusion, styles). HTML is autoescaped; Markdown is not (its cells are
escaped for Markdown by the renderer).
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional


def _shipped() -> str:
    return str(Path(__file__).resolve().parent / "templates")


def environment(template_dir: Optional[str] = None):
    import jinja2
    base = jinja2.FileSystemLoader(_shipped())
    loaders = []
    if template_dir is not None:
        if not Path(template_dir).is_dir():
            raise FileNotFoundError(f"模板文件夹不存在 / no template folder {template_dir}")
        loaders.append(jinja2.FileSystemLoader(str(template_dir)))
    loaders += [jinja2.PrefixLoader({"base": base}), base]
    from jinja2.sandbox import SandboxedEnvironment
    from markupsafe import Markup

    from ..safe_text import clean
    # sandboxed: a bureau's template (--template DIR) reaches no Python internals; every
    # value is cleaned on output (lone surrogates, control characters: safe_text.clean)
    return SandboxedEnvironment(loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined,
                              finalize=lambda v: v if isinstance(v, Markup) or not isinstance(v, str) else clean(v),
                              autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2"),
                                                                  default_for_string=False),
                              keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True)
