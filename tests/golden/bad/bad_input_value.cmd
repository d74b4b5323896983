score case_rulebook.jx bad_input_value.jxc
