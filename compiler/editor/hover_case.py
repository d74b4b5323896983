"""评分依据 in a hover: an indicator of a rulebook scored on the case next to it.

The first ``.jxc`` beside the rulebook (by name) that the rulebook can score gives the
hover of an indicator two more sections: the 评分依据 as the report words it (the
reviewer's sentence, :mod:`..publish.reasons` through ``explain``) and, apart from it, the
step-by-step working (the trace ``jixiao explain --trace`` prints). Scored once per text
of the rulebook and state of the cases on disk; a case that does not fit is passed over.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

from .. import api
from ...dsl.diagnostics import JixiaoError

MAX_CASES = 20          # cases looked at beside one rulebook


def _cases(path: Optional[str]) -> list[Path]:
    if not path:
        return []
    try:
        return sorted(Path(path).parent.glob("*.jxc"))[:MAX_CASES]
    except OSError:
        return []


def _state(cases: list[Path]) -> tuple:
    out = []
    for c in cases:
        try:
            st = c.stat()
        except OSError:
            continue
        out.append((str(c), st.st_mtime_ns, st.st_size))
    return tuple(out)


def scored(doc) -> Optional[tuple[str, dict]]:
    """(the case's file name, {path: Explanation}) for ``doc`` (an analysis.Document of a
    rulebook without errors), or None when no case beside it can be scored."""
    if doc.kind != "rulebook" or doc.text is None or any(p.severity == "error" for p in doc.problems):
        return None
    cases = _cases(doc.path)
    key = (doc.text, _state(cases), doc.lang)
    cache = getattr(doc, "_case_scores", None)
    if cache is not None and cache[0] == key:
        return cache[1]
    found = None
    if cases:
        from ..publish.explain import explain
        try:
            rb = api.compile_rulebook(doc.text, name=doc.name)
        except JixiaoError:
            rb = None
        lang = "en" if doc.lang == "en" else "zh"
        for c in cases if rb is not None else ():
            try:
                case = rb.load_case(c)
                result = rb.evaluate_case(case, trace=True)
                said = explain(rb, result, lang, case.assessed_notes)
            except Exception:   # noqa: BLE001  a case of another rulebook, or one with errors: not this one's
                continue        # (a hover is never worth a failed request)
            found = (c.name, {tuple(x.path): x for x in said})
            break
    doc._case_scores = (key, found)
    return found


def sections(doc, path) -> list[str]:
    """The hover's 评分依据 and 计算过程 sections for the indicator at ``path``."""
    got = scored(doc)
    if got is None:
        return []
    name, said = got
    x = said.get(tuple(path))
    if x is None or not x.reason:
        return []
    out = [doc.t(f"**评分依据**（案例 {name}）：", f"**basis of the score** (case {name}): ") + x.reason]
    if x.text and x.text != x.reason:
        out.append(doc.t("**计算过程**：", "**working**: ") + x.text)
    return out
