"""pytest plugin (entry point ``pytest11``): collect ``.jxt`` rulebook test suites.

In a rulebook repository, ``pytest`` then runs every case of every ``*.jxt`` file as a
test item, and a failure reads like ``jixiao test``'s: the indicator, the expected and
the actual value, and the trace of that indicator.
"""
from __future__ import annotations

import pytest

from ...dsl.diagnostics import JixiaoError, render_text


class JxtFailure(Exception):
    def __init__(self, outcome):
        super().__init__(outcome.title)
        self.outcome = outcome


def pytest_collect_file(parent, file_path):
    if file_path.suffix == ".jxt":
        return JxtFile.from_parent(parent, path=file_path)
    return None


class JxtFile(pytest.File):
    def collect(self):
        from . import suites as testing
        try:
            loaded = testing.load_suite(self.path)
        except JixiaoError as e:
            raise self.CollectError(render_text(e.diagnostics)) from None
        for tc in loaded.ast.cases:
            yield JxtItem.from_parent(self, name=tc.title, loaded=loaded, case=tc)


class JxtItem(pytest.Item):
    def __init__(self, *, loaded, case, **kw):
        super().__init__(**kw)
        self.loaded = loaded
        self.case = case

    def runtest(self):
        from . import suites as testing
        outcome = testing.run_case(self.loaded, self.case)
        if not outcome.passed:
            raise JxtFailure(outcome)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, JxtFailure):
            from . import suites as testing
            return testing.format_outcome(excinfo.value.outcome)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self):
        return self.path, self.case.span.line - 1, f"jxt: {self.case.title}"
