"""Pure rules of the journal: readiness rubric, units, dates. No I/O, no UI."""
