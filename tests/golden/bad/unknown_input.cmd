score case_rulebook.jx unknown_input.jxc
