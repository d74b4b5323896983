"""From checked IR to running code: ``codegen`` writes Python source, ``loader`` compiles
and executes it (the only place that does), ``runtime`` is everything generated code may
use (standard library only: it is inlined into standalone modules)."""
