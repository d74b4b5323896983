score schedule_rulebook.jx list_too_many.jxc
