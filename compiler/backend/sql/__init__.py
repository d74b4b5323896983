"""The SQL backend: a checked rulebook as one exact SQL query (``jixiao compile --emit-sql``),
run by DuckDB for batch scoring (``jixiao score --engine duckdb``). See compile.py."""
from .compile import SqlPlan, Unsupported, plan, emit_sql

__all__ = ["SqlPlan", "Unsupported", "plan", "emit_sql"]
