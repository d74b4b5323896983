check syntax_error_expr.jx
