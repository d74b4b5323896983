check cohort_rules.jx
