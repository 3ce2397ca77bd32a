"""Pure rules of the journal: readiness and baselines, load, plans, advice, units, dates. No I/O, no UI."""
