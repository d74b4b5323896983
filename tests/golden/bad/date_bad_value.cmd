score schedule_rulebook.jx date_bad_value.jxc
