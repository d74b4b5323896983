check syntax_error.jx
