score evaluators_rulebook.jx pick_missing.jxc
