"""jixiao front end: rulebook text -> checked program (IR).

The pipeline is grammar.lark -> parser.py (AST in ast.py, with spans from source.py)
-> checks/ (names, units, points, bounds, grades; diagnostics.py) -> ir.py.
This package never imports :mod:`compiler`.
"""
