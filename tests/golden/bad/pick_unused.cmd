score evaluators_rulebook.jx pick_unused.jxc
