score rows_rulebook.jx rows_bad_row.jxc
