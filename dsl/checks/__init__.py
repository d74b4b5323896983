"""Static checks, one concern per module. Each pass takes the IR (or the AST for
name resolution) and returns diagnostics; the driver in :mod:`dsl.check` runs them in
order and stops at the first pass boundary with errors. Name resolution (resolve.py)
has its parts beside it: units.py, methods.py, rowblocks.py and clamps.py."""
