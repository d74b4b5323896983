"""jixiao front end: rulebook text -> checked program (IR).

The pipeline is grammar.lark -> parser.py (the parser in grammar.py; syntax errors in
syntax_errors.py; the tree -> AST of ast.py in transform.py, with spans from
source.py) -> checks/ (resolve.py with units.py, methods.py, rowblocks.py and
clamps.py: names, units, method calls, 指标行 -> IR; then points, bounds, grades;
diagnostics.py) -> ir.py.
This package never imports :mod:`compiler`.
"""
