score case_rulebook.jx missing_input.jxc
