score evaluators_rulebook.jx verify_fails.jxc
