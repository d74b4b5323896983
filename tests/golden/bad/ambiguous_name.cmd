check ambiguous_name.jx
