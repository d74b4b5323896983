"""jixiao back end and tools: checked IR -> Python evaluators, and what uses them.

    api.py       compile_rulebook / CompiledRulebook / evaluate / cases (the library entry)
    rows.py      指标行: rows a case supplies, scored by their methods
    backend/     codegen (IR -> Python source), runtime (what generated code may use),
                 loader (the one place generated code is compiled and executed)
    verify/      reference interpreter, counterexample search, generated properties,
                 .jxt suites and the pytest plugin
    publish/     评分标准 wording, 评分依据 (explain), report/doc tables and writers
    data/        files of many units: readers, columns, writers, parallel CSV, frames, diff
    cli.py       click, thin over the above
"""
