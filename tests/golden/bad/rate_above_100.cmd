score schedule_rulebook.jx rate_above_100.jxc
