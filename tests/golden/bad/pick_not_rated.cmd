score evaluators_rulebook.jx pick_not_rated.jxc
