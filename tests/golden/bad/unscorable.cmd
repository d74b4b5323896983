score evaluators_rulebook.jx unscorable.jxc
