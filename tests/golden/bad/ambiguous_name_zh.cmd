check --lang zh ambiguous_name.jx
