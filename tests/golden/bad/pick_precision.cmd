score evaluators_rulebook.jx pick_precision.jxc
