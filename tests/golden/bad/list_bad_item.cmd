score schedule_rulebook.jx list_bad_item.jxc
