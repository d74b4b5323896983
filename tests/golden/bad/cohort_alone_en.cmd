score cohort_rulebook.jx cohort_alone.jxc --lang en
