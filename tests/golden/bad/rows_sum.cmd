score rows_rulebook.jx rows_sum.jxc
