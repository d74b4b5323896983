check --lang en ambiguous_name.jx
